package emulate

import (
	_ "embed"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/backstop-net/backstop/internal/emulate/frr"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
	"go.yaml.in/yaml/v3"
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
	// A state that differs from the simulation is read once more after a
	// long quiet period: on a starved machine isisd or zebra can sit on an
	// intermediate state for longer than the normal stable window. A real
	// disagreement survives the second reading; both counts are reported.
	Explain(out.Diffs, o.Exceptions)
	if n := unexplained(out.Diffs); n > 0 {
		w2 := w
		w2.Stable = SettleQuiet
		conv2, err := lab.Wait(w2)
		if err == nil {
			out.FirstLook, out.Converged = n, conv2
			if err := read(conv2); err != nil {
				return out, err
			}
			Explain(out.Diffs, o.Exceptions)
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

// Exception explains a known, reasoned difference between the simulator and FRR.
type Exception struct {
	ID       string   `yaml:"id"`
	Status   string   `yaml:"status"`   // frr-difference (simulator bugs are fixed, never listed)
	Networks []string `yaml:"networks"` // globs on the network name; empty = all
	Devices  []string `yaml:"devices"`  // globs; empty = all
	Kind     string   `yaml:"kind"`     // bgp | isis | export | anycast | "" (all)
	Prefixes []string `yaml:"prefixes"` // globs; empty = all
	// When constrains the shape of the difference: "sim-only" (FRR lacks the
	// route), "frr-only", "both" (present on both sides, attributes differ).
	When string `yaml:"when"`
	// Differs, for "both": the attributes allowed to differ (next_hop,
	// as_path, local_pref, med, metric, hops); empty = any. An exception
	// about next hops then cannot hide a wrong AS path.
	Differs []string `yaml:"differs"`
	Reason  string   `yaml:"reason"`
}

//go:embed exceptions.yaml
var exceptionsYAML []byte

// Exceptions returns the documented exceptions (internal/emulate/exceptions.yaml).
func Exceptions() ([]Exception, error) {
	var doc struct {
		Exceptions []Exception `yaml:"exceptions"`
	}
	if err := yaml.Unmarshal(exceptionsYAML, &doc); err != nil {
		return nil, fmt.Errorf("exceptions.yaml: %w", err)
	}
	for _, e := range doc.Exceptions {
		if e.ID == "" || e.Reason == "" {
			return nil, fmt.Errorf("exceptions.yaml: every exception needs id and reason (%+v)", e)
		}
		// A simulator bug is fixed in internal/sim, never excused here.
		if e.Status != "frr-difference" {
			return nil, fmt.Errorf("exceptions.yaml: %s: status %q: only frr-difference may be listed", e.ID, e.Status)
		}
	}
	return doc.Exceptions, nil
}

func anyGlob(globs []string, s string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

// Explain marks every unequal diff that an exception covers.
func Explain(diffs []Diff, ex []Exception) {
	for i := range diffs {
		d := &diffs[i]
		if d.Equal {
			continue
		}
		shape := "both"
		switch {
		case !d.FRR.Present:
			shape = "sim-only"
		case !d.Sim.Present:
			shape = "frr-only"
		}
		for _, e := range ex {
			if (e.Kind == "" || e.Kind == d.Kind) && (e.When == "" || e.When == shape) &&
				anyGlob(e.Networks, d.Network) && anyGlob(e.Devices, d.Device) && anyGlob(e.Prefixes, d.Prefix) &&
				(shape != "both" || len(e.Differs) == 0 || subset(differing(d.Sim, d.FRR), e.Differs)) {
				d.Exception = e.ID
				break
			}
		}
	}
}

// differing names the attributes in which two present routes differ.
func differing(a, b Route) []string {
	var out []string
	if a.NextHop != b.NextHop {
		out = append(out, "next_hop")
	}
	if !slices.Equal(a.ASPath, b.ASPath) {
		out = append(out, "as_path")
	}
	if a.LocalPref != b.LocalPref {
		out = append(out, "local_pref")
	}
	if a.MED != b.MED {
		out = append(out, "med")
	}
	if a.Metric != b.Metric {
		out = append(out, "metric")
	}
	if !slices.Equal(a.Hops, b.Hops) {
		out = append(out, "hops")
	}
	return out
}

func subset(a, of []string) bool {
	for _, x := range a {
		if !slices.Contains(of, x) {
			return false
		}
	}
	return true
}
