package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
)

func TestShippedPoliciesLoad(t *testing.T) {
	files, _ := filepath.Glob("../../policies/*.yaml")
	ex, _ := filepath.Glob("../../policies/examples/*.yaml")
	files = append(files, ex...)
	if len(files) < 3 {
		t.Fatalf("expected the default and example policies, found %v", files)
	}
	for _, f := range files {
		p, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(p.Invariants) == 0 || p.Digest == "" {
			t.Errorf("%s: no invariants or digest", f)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", "version: 1\ninvariants:\n  - name: x\n    kind: anycast\n    severity: block\n    min_healthy: 2\n", "field min_healthy not found"},
		{"unknown kind", "version: 1\ninvariants:\n  - name: x\n    kind: vibes\n    severity: block\n", `line 3: invariant "x": unknown kind "vibes"`},
		{"bad severity", "version: 1\ninvariants:\n  - name: x\n    kind: anycast\n    severity: maybe\n", `severity must be block or warn, not "maybe"`},
		{"bad prefix", "version: 1\ninvariants:\n  - name: x\n    kind: critical_prefixes\n    severity: block\n    prefixes: [10.0.0.0/33]\n", "10.0.0.0/33"},
		{"empty", "version: 1\ninvariants: []\n", "no invariants"},
		{"version", "version: 2\ninvariants:\n  - {name: x, kind: anycast, severity: block}\n", "version must be 1"},
		{"duplicate", "version: 1\ninvariants:\n  - {name: x, kind: anycast, severity: block}\n  - {name: x, kind: anycast, severity: warn}\n", `line 4: invariant name "x" already used at line 3`},
		{"missing fields", "version: 1\ninvariants:\n  - {name: x, kind: critical_prefixes, severity: block}\n", "needs prefixes"},
		{"not yaml", "version: [1\n", "yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
			if fault.ExitCode(err) != 4 {
				t.Errorf("exit code %d, want 4", fault.ExitCode(err))
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(p, []byte("version: 1\ninvariants:\n  - {name: x, kind: nope}\n"), 0o644)
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p+": line 3") {
		t.Fatalf("error should name file and line: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile("../../policies/default.yaml")
	f.Add(data)
	f.Add([]byte("version: 1\ninvariants:\n  - {kind: anycast, severity: warn}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err == nil && len(p.Invariants) == 0 {
			t.Fatal("an accepted policy must have invariants")
		}
		if err != nil && fault.ExitCode(err) != 4 {
			t.Fatalf("parse errors are bad input: %v", err)
		}
	})
}
