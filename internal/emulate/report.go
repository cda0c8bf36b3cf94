package emulate

import (
	"fmt"
	"io"
	"time"

	"github.com/backstop-net/backstop/models/network"
)

// Limits of `backstop emulate` (also in docs/accuracy.md).
const (
	// MaxRouters is the largest network emulated: ~40 MB of FRR daemons per
	// router, and convergence slows down on a small machine beyond this.
	MaxRouters = 60
)

// Second runs the running and (optionally) candidate networks on FRR and
// writes, for each, the comparison with the simulator: routes compared,
// routes equal, every difference (with its exception when a documented one
// explains it). It returns the number of unexplained differences.
func Second(w io.Writer, nets []NamedNetwork, o Options) (int, error) {
	ex, err := Exceptions()
	if err != nil {
		return 0, err
	}
	if err := Available(); err != nil {
		return 0, err
	}
	bad := 0
	for _, nn := range nets {
		if len(nn.Net.Devices) > MaxRouters {
			return bad, fmt.Errorf("%s: %d routers; emulation is limited to %d on this machine", nn.Name, len(nn.Net.Devices), MaxRouters)
		}
		out, err := Emulate(nn.Name, nn.Net, o)
		if err != nil {
			return bad, err
		}
		Explain(out.Diffs, ex)
		c, e, x := out.Counts()
		fmt.Fprintf(w, "%s: %d routers, simulation %s, emulation %s (bring-up and convergence %s)\n", nn.Name, out.Routers,
			out.SimTime.Round(time.Microsecond), out.EmuTime.Round(10*time.Millisecond), out.Converged.Elapsed.Round(10*time.Millisecond))
		for _, m := range out.Converged.Missing {
			fmt.Fprintf(w, "  session the simulation has established but FRR does not: %s\n", m)
		}
		for _, s := range out.Sim.Anycast {
			st := "announcing"
			if !s.Healthy {
				st = "withdrawn (health check fails in the simulation)"
			}
			fmt.Fprintf(w, "  anycast %s@%s: %s\n", s.Service, s.Site, st)
		}
		for _, d := range out.Diffs {
			if !d.Equal {
				fmt.Fprintf(w, "  %s %s %s\n    simulation: %s\n    FRR:        %s\n", d.Device, d.Kind, d.Prefix, d.Sim, d.FRR)
				if d.Exception != "" {
					fmt.Fprintf(w, "    known difference %s (internal/emulate/exceptions.yaml)\n", d.Exception)
				} else {
					bad++
				}
			}
		}
		fmt.Fprintf(w, "conformance %s: %d routes compared, %d equal (%d known differences)\n", nn.Name, c, e, x)
	}
	return bad, nil
}

// NamedNetwork is a network with the name reports use.
type NamedNetwork struct {
	Name string
	Net  *network.Network
}
