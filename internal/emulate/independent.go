package emulate

import (
	"fmt"
	"os"
	"time"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/netgen"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// IndependentName is the network name of seed's independent run.
func IndependentName(seed uint64) string { return fmt.Sprintf("independent/%d", seed) }

// EmulateIndependent generates conformance network seed as a topology
// description, writes its OpenConfig rendering as a snapshot folder, loads
// it through backstop's normal path (snapshot → compile → sim), and runs
// the description's own FRR rendering (netgen.RenderFRR, which never sees
// compile or the network model) on the lab. A wrong reading of OpenConfig
// in compile therefore shows up as a difference.
func EmulateIndependent(seed uint64, o Options) (*Outcome, error) {
	name := IndependentName(seed)
	res, t, st, err := SimulateIndependent(seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ann := map[string]bool{}
	for _, a := range res.Anycast {
		// FRR cannot run the health check: the announcers announce as the
		// simulation says (docs/accuracy.md).
		ann[a.Service+"@"+a.Site] = a.Healthy
	}
	cfg, err := netgen.RenderFRR(t, netgen.FRROptions{Announcing: ann})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return emulateRendered(name, res, cfg, st, o)
}

// SimulateIndependent is the simulator half of EmulateIndependent: the
// generated snapshot loaded and simulated as `backstop check` would. Any
// unmodelled leaf is an error: the description only uses modelled config.
func SimulateIndependent(seed uint64) (*sim.Result, *netgen.Topology, time.Duration, error) {
	t, err := netgen.Generate(netgen.Options{Style: netgen.Conformance, Seed: seed})
	if err != nil {
		return nil, nil, 0, err
	}
	files, err := netgen.RenderOpenConfig(t)
	if err != nil {
		return nil, nil, 0, err
	}
	dir, err := os.MkdirTemp("", "backstop-independent-")
	if err != nil {
		return nil, nil, 0, err
	}
	defer os.RemoveAll(dir)
	if err := netgen.WriteFiles(dir, files); err != nil {
		return nil, nil, 0, err
	}
	t0 := time.Now()
	s, err := snapshot.Load(dir)
	if err != nil {
		return nil, nil, 0, err
	}
	n, err := compile.Compile(s)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(n.Unmodelled) > 0 {
		u := n.Unmodelled[0]
		return nil, nil, 0, fmt.Errorf("generated config is unmodelled: %s %s: %s (and %d more)", u.Device, u.Path, u.Reason, len(n.Unmodelled)-1)
	}
	res := sim.Run(n)
	return res, t, time.Since(t0), nil
}
