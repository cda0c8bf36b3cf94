package verdict

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
)

var fuzzBase struct {
	once    sync.Once
	running *snapshot.Snapshot
	pol     *policy.File
	err     error
}

func fuzzRunning(t testing.TB) (*snapshot.Snapshot, *policy.File) {
	fuzzBase.once.Do(func() {
		fuzzBase.running, fuzzBase.err = snapshot.Load("../../testdata/backbone")
		if fuzzBase.err == nil {
			fuzzBase.pol, fuzzBase.err = policy.Load("../../policies/default.yaml")
		}
	})
	if fuzzBase.err != nil {
		t.Fatal(fuzzBase.err)
	}
	return fuzzBase.running, fuzzBase.pol
}

// checkOutcome: the whole check ends in a verdict or in bad input (exit 4),
// never in a panic or an internal error, and a changed network is never
// judged without its change being seen.
func checkOutcome(t *testing.T, running, cand *snapshot.Snapshot, pol *policy.File) {
	rep, err := Check(Input{Running: running, Candidate: cand, Policy: pol, Version: "fuzz"})
	if err != nil {
		if fault.KindOf(err) != fault.BadInput {
			t.Fatalf("internal error (exit %d): %v", fault.ExitCode(err), err)
		}
		return
	}
	switch rep.Verdict {
	case Pass, Warn, Block:
	default:
		t.Fatalf("verdict %q", rep.Verdict)
	}
	if rep.Verdict == Pass && cand.Digest() != running.Digest() && rep.Summary.LeavesChanged == 0 {
		t.Fatalf("PASS on a candidate that differs from running with no change seen")
	}
}

// FuzzCheckCandidate replaces one device's config file with arbitrary bytes
// and runs the whole check path (decode, compile, diff, simulate, judge).
func FuzzCheckCandidate(f *testing.F) {
	for _, dev := range []string{"edge1.fra", "bb1.ams"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/backbone/configs", dev+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"openconfig-interfaces:interfaces": {"interface": [{"name": "et-0/0/0", "config": {"name": "et-0/0/0", "mtu": 1500}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		running, pol := fuzzRunning(t)
		dc, err := snapshot.Decode("edge1.fra", "fuzz.json", data)
		if err != nil {
			if fault.KindOf(err) != fault.BadInput {
				t.Fatalf("decode: internal error: %v", err)
			}
			return
		}
		cand, err := running.WithDevices("fuzz", map[string]*snapshot.DeviceConfig{"edge1.fra": dc})
		if err != nil {
			if fault.KindOf(err) != fault.BadInput {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		checkOutcome(t, running, cand, pol)
	})
}

// FuzzCheckSetRequest feeds arbitrary change files (textproto or JSON
// SetRequests) through loading, applying and the whole check.
func FuzzCheckSetRequest(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/scenarios/*/change.json")
	for _, s := range seeds[:min(len(seeds), 4)] {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`prefix: {target: "bb1.ams"} delete: {}`))
	f.Add([]byte(`prefix: {target: "bb1.ams"} update: {path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}} elem: {name: "config"} elem: {name: "mtu"}} val: {uint_val: 1500}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		running, pol := fuzzRunning(t)
		p := filepath.Join(t.TempDir(), "change")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		reqs, err := change.LoadSetRequests(p, "")
		if err != nil {
			if fault.KindOf(err) != fault.BadInput {
				t.Fatalf("load: internal error: %v", err)
			}
			return
		}
		cand, err := change.ApplySetRequests(running, reqs)
		if err != nil {
			if fault.KindOf(err) != fault.BadInput {
				t.Fatalf("apply: internal error: %v", err)
			}
			return
		}
		checkOutcome(t, running, cand, pol)
	})
}
