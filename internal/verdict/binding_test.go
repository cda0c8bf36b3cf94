package verdict

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
)

// The fast OpenConfig binder must never change a verdict: every shipped
// scenario gives a byte-identical JSON report when the configs are bound
// with ytypes.Unmarshal (the reference) and with the fast binder.
func TestFastBinderSameReports(t *testing.T) {
	if testing.Short() {
		t.Skip("binds every scenario twice, once through ytypes (slow)")
	}
	root := "../../testdata"
	pol, err := policy.Load("../../policies/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "scenarios", "*"))
	reports := func(reference bool) map[string][]byte {
		oc.UseReferenceBinding(reference)
		defer oc.UseReferenceBinding(false)
		running, err := snapshot.Load(filepath.Join(root, "backbone"))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, dir := range dirs {
			cand, err := snapshot.LoadCandidate(running, filepath.Join(dir, "candidate"))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Check(Input{Running: running, Candidate: cand, Policy: pol, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			out[dir], _ = json.Marshal(rep)
		}
		return out
	}
	n0 := oc.ReferenceLoads()
	fast := reports(false)
	if oc.ReferenceLoads() != n0 {
		t.Fatal("the fast pass bound configs through ytypes")
	}
	ref := reports(true)
	if oc.ReferenceLoads()-n0 < int64(len(dirs)) {
		t.Fatalf("the reference pass bound only %d configs through ytypes", oc.ReferenceLoads()-n0)
	}
	for _, dir := range dirs {
		if !bytes.Equal(fast[dir], ref[dir]) {
			t.Errorf("%s: the report differs between the fast binder and ytypes", filepath.Base(dir))
		}
	}
	if len(dirs) < 30 {
		t.Fatalf("only %d scenarios", len(dirs))
	}
}
