package verdict

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
)

// Transit routers kept in the inventory (role transit, their own AS) are
// peers like environment.yaml's: the scenarios of testdata/inventoried-transit
// judge, from candidate files and from a SetRequest alike, changes that only
// those selectors can see.
func TestInventoriedTransitScenarios(t *testing.T) {
	root := "../../testdata/inventoried-transit"
	running, err := snapshot.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Load(filepath.Join(root, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "scenarios", "*"))
	if len(dirs) == 0 {
		t.Fatal("no scenarios")
	}
	// Hand-written configs: they must load with nothing ignored and
	// validate against the schema, like the generated ones.
	files, _ := filepath.Glob(filepath.Join(root, "configs", "*.json"))
	cands, _ := filepath.Glob(filepath.Join(root, "scenarios", "*", "candidate", "*.json"))
	for _, f := range append(files, cands...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dev, ignored, err := oc.Load(data)
		if err != nil || len(ignored) > 0 {
			t.Fatalf("%s: %v %v", f, err, ignored)
		}
		if err := oc.Validate(dev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			spec := readSpec(t, dir)
			for _, form := range candidateForms(t, running, dir, "change.textproto") {
				rep, err := Check(Input{Running: running, Candidate: form.cand, Policy: pol, Version: "test"})
				if err != nil {
					t.Fatalf("%s: %v", form.name, err)
				}
				var fired []string
				for _, f := range rep.Findings {
					if !slices.Contains(fired, f.Invariant) {
						fired = append(fired, f.Invariant)
					}
				}
				slices.Sort(fired)
				if rep.Verdict != spec.Expect || !slices.Equal(fired, spec.ExpectFindings) {
					t.Errorf("%s: %s %v, want %s %v\n%s", form.name, rep.Verdict, fired, spec.Expect, spec.ExpectFindings, rep.Headline)
				}
				if !strings.Contains(rep.Headline, "AS174") {
					t.Errorf("%s: the headline must name the transit AS that loses the prefix: %s", form.name, rep.Headline)
				}
			}
		})
	}
}
