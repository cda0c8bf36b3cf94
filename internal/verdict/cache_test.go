package verdict

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/compilecache"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// TestCacheSameReports: the compile cache never changes a report. For every
// shipped scenario and both candidate forms, the JSON report is byte-identical
// with the cache off, cold (empty folder), warm (every device cached, the
// unchanged ones never decoded) and with every entry corrupted.
func TestCacheSameReports(t *testing.T) {
	if testing.Short() {
		t.Skip("checks every scenario eight times")
	}
	roots := []struct {
		running, policy, scenarios, setRequest string
	}{
		{"../../testdata/backbone", "../../policies/default.yaml", "../../testdata/scenarios/*", "change.json"},
		{"../../testdata/inventoried-transit", "../../testdata/inventoried-transit/policy.yaml", "../../testdata/inventoried-transit/scenarios/*", "change.textproto"},
	}
	total := 0
	for _, root := range roots {
		pol, err := policy.Load(root.policy)
		if err != nil {
			t.Fatal(err)
		}
		dirs, _ := filepath.Glob(root.scenarios)
		for _, dir := range dirs {
			total++
			t.Run(filepath.Base(dir), func(t *testing.T) {
				// The setrequest form reuses the folder the candidate form
				// filled (its changed devices are rendered and bypass the
				// cache), so it runs off and warm only: eight checks per
				// scenario took the package past go test's default timeout
				// on a loaded 2-core machine.
				cacheDir := t.TempDir()
				for _, form := range []string{"candidate", "setrequest"} {
					// check loads both sides as backstop check does with
					// cache c (nil: off) and returns the JSON report and the
					// candidate, whose devices the caller inspects.
					check := func(c *compilecache.Cache) ([]byte, *snapshot.Snapshot, *Report) {
						t.Helper()
						opt := snapshot.Options{}
						if c != nil {
							opt.Defer = c.Has
						}
						running, err := snapshot.LoadWith(root.running, opt)
						if err != nil {
							t.Fatal(err)
						}
						var cand *snapshot.Snapshot
						if form == "candidate" {
							cand, err = snapshot.LoadCandidateWith(running, filepath.Join(dir, "candidate"), opt)
						} else {
							f := filepath.Join(dir, root.setRequest)
							reqs, lerr := change.LoadSetRequests(f, "")
							if lerr != nil {
								t.Fatal(lerr)
							}
							cand, err = change.ApplySetRequestsFrom(running, reqs, f)
						}
						if err != nil {
							t.Fatal(err)
						}
						in := Input{Running: running, Candidate: cand, Policy: pol, Version: "test"}
						if c != nil {
							in.Cache = c
						}
						rep, err := Check(in)
						if err != nil {
							t.Fatal(err)
						}
						out, err := json.Marshal(rep)
						if err != nil {
							t.Fatal(err)
						}
						return out, cand, rep
					}
					off, _, _ := check(nil)
					if form == "candidate" {
						cold := compilecache.OpenWithIdentity(cacheDir, "test", nil)
						if got, _, _ := check(cold); !bytes.Equal(got, off) {
							t.Fatalf("%s: report differs with a cold cache", form)
						}
						if cold.Stats().Puts == 0 {
							t.Fatalf("%s: cold run stored nothing: %+v", form, cold.Stats())
						}
					}
					warm := compilecache.OpenWithIdentity(cacheDir, "test", nil)
					got, cand, rep := check(warm)
					if !bytes.Equal(got, off) {
						t.Fatalf("%s: report differs with a warm cache", form)
					}
					if st := warm.Stats(); st.Puts != 0 || st.Misses != 0 || st.Hits == 0 {
						t.Fatalf("%s: warm run: %+v, want hits only", form, st)
					}
					// Only the devices the change touches were decoded.
					for _, n := range cand.Names() {
						touched := slices.Contains(rep.Topology.changed(), n)
						if d := cand.Devices[n]; !touched && !d.IsDeferred() {
							t.Errorf("%s: %s is unchanged but was decoded on a warm run", form, n)
						}
					}
					if form != "candidate" {
						continue
					}
					// Corrupt every entry: each is a miss, the report stays,
					// and the misses rewrite the entries the setrequest form's
					// warm run then reads.
					corruptAll(t, cacheDir)
					bad := compilecache.OpenWithIdentity(cacheDir, "test", nil)
					if got, _, _ := check(bad); !bytes.Equal(got, off) {
						t.Fatalf("%s: report differs with corrupt entries", form)
					}
					// Running and candidate compile concurrently and share
					// unchanged devices: one side's miss rewrites the entry
					// the other side may then hit, so only misses are certain.
					if st := bad.Stats(); st.Misses == 0 || st.Puts == 0 {
						t.Fatalf("%s: corrupt run: %+v, want misses and rewrites", form, st)
					}
				}
			})
		}
	}
	if total < 35 {
		t.Fatalf("only %d scenarios", total)
	}
}

// changed lists the devices the report marks as changed.
func (t Topology) changed() []string {
	var out []string
	for _, d := range t.Devices {
		if d.Changed {
			out = append(out, d.Name)
		}
	}
	return out
}

func corruptAll(t *testing.T, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		return os.WriteFile(p, []byte("not an entry"), 0o644)
	})
	if err != nil || n == 0 {
		t.Fatalf("corrupting %s: %d files, %v", dir, n, err)
	}
}
