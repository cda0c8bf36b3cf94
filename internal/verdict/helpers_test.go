package verdict

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/snapshot"
	"go.yaml.in/yaml/v3"
)

// readSpec reads a scenario folder's scenario.yaml.
func readSpec(t *testing.T, dir string) scenarioSpec {
	t.Helper()
	var spec scenarioSpec
	data, err := os.ReadFile(filepath.Join(dir, "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	return spec
}

type candidateForm struct {
	name string
	cand *snapshot.Snapshot
}

// candidateForms: a scenario's candidate from its candidate/ files and from
// its SetRequest file applied to running; both must be judged the same.
func candidateForms(t *testing.T, running *snapshot.Snapshot, dir, setRequest string) []candidateForm {
	t.Helper()
	fromFiles, err := snapshot.LoadCandidate(running, filepath.Join(dir, "candidate"))
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, setRequest)
	reqs, err := change.LoadSetRequests(f, "")
	if err != nil {
		t.Fatal(err)
	}
	fromSet, err := change.ApplySetRequestsFrom(running, reqs, f)
	if err != nil {
		t.Fatal(err)
	}
	return []candidateForm{{"candidate", fromFiles}, {"setrequest", fromSet}}
}
