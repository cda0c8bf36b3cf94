package netgen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
)

func TestChangesWriteLoadableCandidates(t *testing.T) {
	o := Options{Style: Backbone, Routers: 24, Seed: 2, InternalPerRouter: 4, ExternalPerRouter: 2}
	for _, kind := range Changes {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			_, changed, err := Write(dir, o, kind)
			if err != nil {
				t.Fatal(err)
			}
			if len(changed) == 0 {
				t.Fatal("no router changed")
			}
			for _, n := range changed {
				run, _ := os.ReadFile(filepath.Join(dir, "configs", n+".json"))
				cand, err := os.ReadFile(filepath.Join(dir, "candidate", n+".json"))
				if err != nil {
					t.Fatal(err)
				}
				if string(run) == string(cand) {
					t.Errorf("%s: listed as changed, but its candidate equals running", n)
				}
			}
			ents, _ := os.ReadDir(filepath.Join(dir, "candidate"))
			if len(ents) != len(changed) {
				t.Errorf("%d candidate files for %d changed routers", len(ents), len(changed))
			}
			running, err := snapshot.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := snapshot.LoadCandidate(running, filepath.Join(dir, "candidate"))
			if err != nil {
				t.Fatal(err)
			}
			rn, err := compile.Compile(running)
			if err != nil {
				t.Fatal(err)
			}
			cn, err := compile.Compile(cs)
			if err != nil {
				t.Fatal(err)
			}
			rr, cr := sim.Run(rn), sim.Run(cn)
			links := func(r *sim.Result) (up int) {
				for _, l := range r.Links {
					if l.Up {
						up++
					}
				}
				return
			}
			switch kind {
			case "drain-site", "drain-all":
				if links(cr) >= links(rr) {
					t.Errorf("%s: %d links up before, %d after: the drain took nothing down", kind, links(rr), links(cr))
				}
			case "policy-edit":
				if links(cr) != links(rr) {
					t.Errorf("a policy edit changed the links up: %d → %d", links(rr), links(cr))
				}
			}
		})
	}
	if _, _, err := Change(&Topology{}, "reboot-everything"); err == nil {
		t.Error("an unknown change is accepted")
	}
}
