package verdict

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type scenarioSpec struct {
	Name           string   `yaml:"name"`
	Description    string   `yaml:"description"`
	Expect         Verdict  `yaml:"expect"`
	ExpectFindings []string `yaml:"expect_findings"`
	Devices        []string `yaml:"devices"`
	FRR            string   `yaml:"frr_cannot_confirm"`
}

// TestScenarios runs every shipped scenario against the default policy and
// checks the verdict and the invariants that fire against scenario.yaml (the
// network engineer's expectation, written before the simulator existed), then
// the whole report against its golden file.
func TestScenarios(t *testing.T) {
	root := "../../testdata"
	running, err := snapshot.Load(filepath.Join(root, "backbone"))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Load("../../policies/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "scenarios", "*"))
	if len(dirs) < 8 {
		t.Fatalf("expected at least 8 scenarios, found %d", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			spec := readSpec(t, dir)
			cand, err := snapshot.LoadCandidate(running, filepath.Join(dir, "candidate"))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Check(Input{Running: running, Candidate: cand, Policy: pol, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != spec.Expect {
				t.Errorf("verdict %s, want %s\n%s", rep.Verdict, spec.Expect, rep.Headline)
			}
			var fired []string
			for _, f := range rep.Findings {
				if !slices.Contains(fired, f.Invariant) {
					fired = append(fired, f.Invariant)
				}
			}
			slices.Sort(fired)
			want := slices.Clone(spec.ExpectFindings)
			slices.Sort(want)
			if !slices.Equal(fired, want) {
				t.Errorf("findings from %v, want %v", fired, want)
				for _, f := range rep.Findings {
					t.Logf("  %s %s: %s", f.Severity, f.Invariant, f.Summary)
				}
			}
			got, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			// Goldens live outside testdata/scenarios, which the generator owns.
			golden := filepath.Join(root, "golden", filepath.Base(dir)+".verdict.json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/verdict -update)", err)
			}
			if !bytes.Equal(append(got, '\n'), exp) {
				t.Errorf("report differs from %s; run with -update and review the diff", golden)
			}
		})
	}
}
