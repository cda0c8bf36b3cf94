package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/verdict"
)

var update = flag.Bool("update", false, "rewrite testdata/fixtures, testdata/golden and docs/report-2021.png")

func fixtureNames() []string {
	names := sortedKeys(fixtureBuilders)
	sort.Strings(names)
	return names
}

// loadFixture reads testdata/fixtures/<name>.json; with -update it first
// rewrites the file from its builder.
func loadFixture(t *testing.T, name string) *verdict.Report {
	t.Helper()
	p := filepath.Join("testdata", "fixtures", name+".json")
	if *update {
		var b bytes.Buffer
		if err := Write(&b, "json", fixtureBuilders[name]()); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	var r verdict.Report
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return &r
}

// TestFixturesInSync keeps the committed JSON fixtures and their builders in
// step, so an edit to one without the other is noticed.
func TestFixturesInSync(t *testing.T) {
	for _, name := range fixtureNames() {
		r := loadFixture(t, name)
		var a, b bytes.Buffer
		if err := Write(&a, "json", r); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, "json", fixtureBuilders[name]()); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: testdata/fixtures/%s.json differs from its builder; run with -update", name, name)
		}
	}
}

// TestGolden renders every fixture in every format and compares with
// testdata/golden/<fixture>.<format>; -update rewrites them (review the diff).
func TestGolden(t *testing.T) {
	for _, name := range fixtureNames() {
		r := loadFixture(t, name)
		for _, f := range Formats {
			t.Run(name+"/"+f, func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, f, r); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join("testdata", "golden", name+"."+f)
				if *update {
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(p)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/report -update)", err)
				}
				if !bytes.Equal(b.Bytes(), want) {
					t.Errorf("%s differs from the golden file; first difference:\n%s", p, firstDiff(string(want), b.String()))
				}
			})
		}
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, w, g)
		}
	}
	return "(none)"
}

// TestDeterministic renders every format twice, from two independently
// decoded copies of the same Report, and wants identical bytes.
func TestDeterministic(t *testing.T) {
	for _, name := range fixtureNames() {
		r1, r2 := loadFixture(t, name), loadFixture(t, name)
		for _, f := range Formats {
			var a, b bytes.Buffer
			if err := Write(&a, f, r1); err != nil {
				t.Fatal(err)
			}
			if err := Write(&b, f, r2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s/%s: two renders of the same report differ", name, f)
			}
		}
	}
}

func TestUnknownFormatIsBadInput(t *testing.T) {
	err := Write(&bytes.Buffer{}, "pdf", block2021())
	if err == nil || fault.KindOf(err) != fault.BadInput {
		t.Fatalf("Write(pdf) = %v, want a bad-input error", err)
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteDir(filepath.Join(dir, "out"), loadFixture(t, "block-2021"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"backstop.txt", "backstop.json", "backstop.md", "backstop-junit.xml", "backstop.sarif", "backstop.html"}
	if len(paths) != len(want) {
		t.Fatalf("WriteDir wrote %v, want %v", paths, want)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("file %d is %s, want %s", i, filepath.Base(p), want[i])
		}
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v, size %v", p, err, st)
		}
	}
}
