package emulate

import (
	"cmp"
	"fmt"
	"time"

	"github.com/backstop-net/backstop/internal/emulate/frr"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
)

// Outcome is one network run on the simulator and on FRR, compared.
type Outcome struct {
	Name      string
	Sim       *sim.Result
	Converged *Converged
	Observed  *sim.Result // the simulation seen through FRR's routing (Observe)
	Diffs     []Diff      // every compared route
	SimTime   time.Duration
	EmuTime   time.Duration // bring-up + convergence + collection
	Routers   int
	// FirstLook: differences at the first stable state, when FRR was read a
	// second time because that state differed from the simulation (see
	// Emulate); 0 when the first reading was final.
	FirstLook int
}

// Counts returns routes compared, equal, and explained by an exception.
func (o *Outcome) Counts() (compared, equal, excepted int) {
	for _, d := range o.Diffs {
		compared++
		switch {
		case d.Equal:
			equal++
		case d.Exception != "":
			excepted++
		}
	}
	return
}

// Options of one emulation.
type Options struct {
	BaseDir string // where lab state directories go ("" = os.TempDir)
	Wait    WaitOptions
	Keep    bool          // keep the lab state directory (configs, logs)
	Hold    time.Duration // keep the lab up this long after comparing (debugging)
	// Exceptions explain known differences (exceptions.yaml); only what
	// they do not explain makes Emulate read FRR a second time.
	Exceptions []Exception
}

// Simulate runs the simulator and renders the network for FRR: the part of
// Emulate that needs neither root nor FRR.
func Simulate(n *network.Network) (*sim.Result, *frr.Config, time.Duration, error) {
	t0 := time.Now()
	res := sim.Run(n)
	st := time.Since(t0)
	ann := map[string]bool{}
	for _, a := range res.Anycast {
		// The announcers announce as the simulated health check says (FRR cannot
		// run the health check itself; see docs/accuracy.md).
		ann[a.Service+"@"+a.Site] = a.Healthy
	}
	cfg, err := frr.Render(n, frr.Options{Announcing: ann})
	return res, cfg, st, err
}

// Emulate runs n on the simulator and on FRR and compares the two.
func Emulate(name string, n *network.Network, o Options) (*Outcome, error) {
	res, cfg, st, err := Simulate(n)
	if err != nil {
		return nil, err
	}
	return emulateRendered(name, res, cfg, st, o)
}

// emulateRendered runs a simulation result and an FRR rendering of the same
// network on the lab and compares them (Emulate, EmulateIndependent).
func emulateRendered(name string, res *sim.Result, cfg *frr.Config, st time.Duration, o Options) (*Outcome, error) {
	out := &Outcome{Name: name, Sim: res, SimTime: st, Routers: len(cfg.Routers)}
	if !res.Converged {
		return out, fmt.Errorf("%s: the simulation does not converge (%v); nothing to compare", name, res.Notes)
	}
	expect := map[string][]string{}
	expectISIS, expectBGP := map[string]int{}, map[string]int{}
	for _, rs := range res.Routes("") {
		expectISIS[rs.Device] = len(rs.ISIS)
		for _, br := range rs.BGP {
			if len(br.Paths) > 0 {
				expectBGP[rs.Device]++
			}
		}
		for _, s := range rs.Sessions {
			if s.Established {
				expect[rs.Device] = append(expect[rs.Device], s.Neighbor)
			}
		}
	}
	t0 := time.Now()
	lab, err := Start(cfg, res.Links, o.BaseDir)
	if err != nil {
		return out, fmt.Errorf("%s: lab: %w", name, err)
	}
	if o.Keep {
		lab.KeepDir()
	}
	defer lab.Close()
	w := o.Wait
	w.Expect, w.ExpectISIS, w.ExpectBGP = expect, expectISIS, expectBGP
	conv, err := lab.Wait(w)
	out.EmuTime = time.Since(t0)
	out.Converged = conv
	if err != nil {
		return out, fmt.Errorf("%s: %w", name, err)
	}
	// A staged network (frr.Router.Deferred: prefix limits) replays the real
	// sequence: converged without the limits, then the limits, then the
	// announcers that withdrew because of them.
	var limits []sim.PrefixLimit
	for _, s := range res.Sessions {
		if s.Limit != nil {
			limits = append(limits, *s.Limit)
		}
	}
	for _, speakers := range []bool{false, true} {
		if !speakers {
			if err := lab.WaitReceived(limits, cmp.Or(w.Timeout, defaultWaitTimeout)); err != nil {
				return out, fmt.Errorf("%s: %w", name, err)
			}
		}
		applied, err := lab.ApplyDeferred(speakers)
		if err != nil {
			return out, fmt.Errorf("%s: %w", name, err)
		}
		if !applied {
			continue
		}
		conv, err = lab.Wait(w)
		out.EmuTime = time.Since(t0)
		out.Converged = conv
		if err != nil {
			return out, fmt.Errorf("%s: after the deferred configuration: %w", name, err)
		}
	}
	read := func(conv *Converged) error {
		if err := lab.probeSpeakers(conv); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if out.Observed, err = Observe(res, cfg, conv); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out.Diffs, err = Compare(name, res, cfg, conv)
		out.Diffs = append(out.Diffs, CompareObserved(name, res, out.Observed)...)
		return err
	}
	if err := read(conv); err != nil {
		return out, err
	}
	ctx := NewContext(res)
	// A state that differs from the simulation is read once more after a
	// long quiet period: on a starved machine isisd or zebra can sit on an
	// intermediate state for longer than the normal stable window. A real
	// disagreement survives the second reading; both counts are reported.
	Explain(out.Diffs, o.Exceptions, ctx)
	if n := unexplained(out.Diffs); n > 0 {
		w2 := w
		w2.Stable = SettleQuiet
		conv2, err := lab.Wait(w2)
		if err == nil {
			out.FirstLook, out.Converged = n, conv2
			if err := read(conv2); err != nil {
				return out, err
			}
			Explain(out.Diffs, o.Exceptions, ctx)
		}
		out.EmuTime = time.Since(t0)
	}
	if o.Hold > 0 {
		fmt.Printf("%s: lab %s up for %s\n", name, lab.Dir, o.Hold)
		time.Sleep(o.Hold)
	}
	return out, err
}

// SettleQuiet is how long FRR's state must stay unchanged before a reading
// that differs from the simulation is taken as final.
const SettleQuiet = 12 * time.Second

func unexplained(diffs []Diff) int {
	n := 0
	for _, d := range diffs {
		if !d.Equal && d.Exception == "" {
			n++
		}
	}
	return n
}
