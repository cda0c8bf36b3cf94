// Package bench measures the simulator at the size it is designed for:
// a synthetic backbone (internal/synth) simulated before and after a change,
// with wall time, CPU cores and peak heap, for `backstop bench`. Figures for
// the record go in docs/performance.md; tests never assert on time.
package bench

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/internal/synth"
	"github.com/backstop-net/backstop/internal/verdict"
)

// Result of one benchmark run.
type Result struct {
	Routers, Links, Prefixes, Classes int
	Build, Before, After, Both        time.Duration
	Decide                            time.Duration // policy evaluation and report
	Verdict                           verdict.Verdict
	PeakHeapMB                        float64
}

// Run builds the network, simulates it, drains a quarter of its backbone
// routers (a 2021-style change), simulates that, and evaluates a policy on
// both results. Before and after run concurrently, as `check` does.
func Run(w io.Writer, o synth.Options, pol *policy.File) (Result, error) {
	var r Result
	debug.FreeOSMemory()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the heap: the peak is what sizes a CI runner
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak {
				peak = ms.HeapAlloc
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t0 := time.Now()
	before := synth.Backbone(o)
	backbone := 0
	for _, d := range before.Devices {
		if d.Role == "backbone" {
			backbone++
		}
	}
	after := synth.DrainBackbone(before, backbone/4)
	r.Build = time.Since(t0)
	r.Routers = len(before.Devices)
	r.Prefixes = o.InternalPrefixes + o.ExternalPrefixes
	fmt.Fprintf(w, "network: %d routers, %d internal + %d external prefixes (built in %s)\n",
		r.Routers, o.InternalPrefixes, o.ExternalPrefixes, r.Build.Round(time.Millisecond))

	var resB, resA *sim.Result
	t1 := time.Now()
	resB = sim.Run(before)
	r.Before = time.Since(t1)
	t2 := time.Now()
	resA = sim.Run(after)
	r.After = time.Since(t2)
	t3 := time.Now()
	var g sync.WaitGroup
	g.Add(2)
	go func() { defer g.Done(); resB = sim.Run(before) }()
	go func() { defer g.Done(); resA = sim.Run(after) }()
	g.Wait()
	r.Both = time.Since(t3)
	r.Links = len(resB.Links)
	r.Classes = resB.Stats().Classes
	if pol != nil {
		empty := &snapshot.Snapshot{Inventory: &inventory.Inventory{}, Environment: &snapshot.Environment{}}
		t4 := time.Now()
		rep := verdict.Decide(verdict.Input{Running: empty, Candidate: empty, Policy: pol}, resB, resA, &change.ChangeSet{})
		r.Decide = time.Since(t4)
		r.Verdict = rep.Verdict
	}
	close(stop) // the peak includes the policy step
	wg.Wait()
	r.PeakHeapMB = float64(peak) / (1 << 20)
	fmt.Fprintf(w, "links: %d, BGP prefix classes: %d (prefixes that propagate identically share one run)\n", r.Links, r.Classes)
	fmt.Fprintf(w, "simulate running:             %s\n", r.Before.Round(time.Millisecond))
	fmt.Fprintf(w, "simulate candidate (drain):   %s\n", r.After.Round(time.Millisecond))
	fmt.Fprintf(w, "both, concurrently:           %s on %d cores\n", r.Both.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "peak heap:                    %.0f MB\n", r.PeakHeapMB)
	if pol != nil {
		fmt.Fprintf(w, "policy evaluation and report: %s\n", r.Decide.Round(time.Millisecond))
		fmt.Fprintf(w, "verdict on the drain:         %s\n", r.Verdict)
	}
	return r, nil
}
