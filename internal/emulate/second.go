package emulate

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/backstop-net/backstop/models/network"
)

// MaxRouters is the largest network `backstop emulate` runs: ~40 MB of FRR
// daemons per router, and convergence slows down on a small machine beyond
// this (docs/accuracy.md).
const MaxRouters = 60

// Opinion is `backstop emulate`: the running (and candidate) network run on
// FRR, compared route by route with the simulation, and the policy evaluated
// on both so that the verdicts can be compared too.
type Opinion struct {
	Outcomes    []*Outcome
	Unexplained int // differences not listed in exceptions.yaml
	// With a candidate: the verdict on the simulation and on FRR's routing,
	// and the policy checks on which they disagree.
	Sim, Emu       *verdict.Report
	ChecksCompared int
	CheckDiffs     []string
}

// SecondOpinion runs in.Running (and in.Candidate when set) on FRR.
func SecondOpinion(in verdict.Input, o Options) (*Opinion, error) {
	ex, err := Exceptions()
	if err != nil {
		return nil, err
	}
	if err := Available(); err != nil {
		return nil, err
	}
	type side struct {
		name string
		net  *network.Network
	}
	nb, err := compile.Compile(in.Running)
	if err != nil {
		return nil, err
	}
	sides := []side{{"running", nb}}
	var cs *change.ChangeSet // before the minutes on FRR: a bad change fails at once
	if in.Candidate != nil {
		if cs, err = change.Diff(in.Running, in.Candidate); err != nil {
			return nil, err
		}
		na, err := compile.Compile(in.Candidate)
		if err != nil {
			return nil, err
		}
		// As check does: the external speakers keep what made the running
		// sessions work, on the simulated side and in the lab's speakers.
		sim.PinExternalPeers(nb, na)
		sim.PinCabling(nb, na)
		sides = append(sides, side{"candidate", na})
	}
	for _, s := range sides {
		if len(s.net.Devices) > MaxRouters {
			return nil, fmt.Errorf("%s: %d routers; emulation is limited to %d on this machine", s.name, len(s.net.Devices), MaxRouters)
		}
	}
	op := &Opinion{}
	o.Exceptions = ex
	for _, s := range sides {
		out, err := Emulate(s.name, s.net, o)
		if err != nil {
			return nil, err
		}
		for _, d := range out.Diffs {
			if !d.Equal && d.Exception == "" {
				op.Unexplained++
			}
		}
		op.Outcomes = append(op.Outcomes, out)
	}
	if in.Candidate == nil {
		return op, nil
	}
	b, a := op.Outcomes[0], op.Outcomes[1]
	op.Sim = verdict.Decide(in, b.Sim, a.Sim, cs)
	op.Emu = verdict.Decide(in, b.Observed, a.Observed, cs)
	op.ChecksCompared, op.CheckDiffs = compareChecks(op.Sim, op.Emu)
	return op, nil
}

func compareChecks(s, e *verdict.Report) (int, []string) {
	state := func(r *verdict.Report) map[string]string {
		m := map[string]string{}
		for _, c := range r.Checks {
			v := "passes"
			if !c.Passed {
				v = "fails (" + string(c.Severity) + ")"
				if c.Message != "" {
					v += ": " + c.Message
				}
			}
			m[c.Invariant+" on "+c.Object] = v
		}
		return m
	}
	ms, me := state(s), state(e)
	keys := map[string]bool{}
	for k := range ms {
		keys[k] = true
	}
	for k := range me {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		x, y := ms[k], me[k]
		if x == "" {
			x = "not evaluated"
		}
		if y == "" {
			y = "not evaluated"
		}
		// Messages carry the evidence (paths, reasons), which may be worded
		// differently; what must agree is pass or fail, and the severity.
		if passFail(x) != passFail(y) {
			diffs = append(diffs, fmt.Sprintf("%s\n    simulation: %s\n    FRR:        %s", k, x, y))
		}
	}
	sort.Strings(diffs)
	return len(keys), diffs
}

func passFail(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i]
		}
	}
	return s
}

// Agree reports whether simulation and emulation agree on every route beyond
// the documented exceptions and on every policy check.
func (op *Opinion) Agree() bool { return op.Unexplained == 0 && len(op.CheckDiffs) == 0 }

// ExitCode is 3 when the verdict on FRR's routing blocks or the two disagree,
// else 0.
func (op *Opinion) ExitCode() int {
	if !op.Agree() || (op.Emu != nil && op.Emu.Verdict == verdict.Block) {
		return verdict.ExitBlock
	}
	return verdict.ExitPass
}

// Write prints the comparison for people.
func (op *Opinion) Write(w io.Writer) {
	for _, out := range op.Outcomes {
		c, e, x := out.Counts()
		fmt.Fprintf(w, "%s: %d routers on FRR; simulation %s, emulation %s (converged after %s)\n", out.Name, out.Routers,
			out.SimTime.Round(time.Microsecond), out.EmuTime.Round(10*time.Millisecond), out.Converged.Elapsed.Round(10*time.Millisecond))
		for _, m := range out.Converged.Missing {
			fmt.Fprintf(w, "  session the simulation has established but FRR does not: %s\n", m)
		}
		for _, d := range out.Diffs {
			if d.Equal {
				continue
			}
			what := d.Prefix
			if d.Peer != "" {
				what += " " + d.Peer
			}
			fmt.Fprintf(w, "  %s %s %s\n    simulation: %s\n    FRR:        %s\n", d.Device, d.Kind, what, d.Sim, d.FRR)
			if d.Exception != "" {
				fmt.Fprintf(w, "    known difference %s (internal/emulate/exceptions.yaml)\n", d.Exception)
			}
		}
		fmt.Fprintf(w, "  %d routes, exports and anycast sites compared, %d equal, %d known differences\n", c, e, x)
	}
	if op.Sim != nil {
		fmt.Fprintf(w, "verdict on the simulation: %s\n", op.Sim.Headline)
		fmt.Fprintf(w, "verdict on FRR's routing:  %s\n", op.Emu.Headline)
		fmt.Fprintf(w, "policy checks compared: %d, %d differ\n", op.ChecksCompared, len(op.CheckDiffs))
		for _, d := range op.CheckDiffs {
			fmt.Fprintf(w, "  %s\n", d)
		}
	}
	switch {
	case !op.Agree():
		fmt.Fprintf(w, "DISAGREE: %d route differences beyond the documented exceptions, %d policy checks differ\n", op.Unexplained, len(op.CheckDiffs))
	default:
		fmt.Fprintln(w, "AGREE: the simulation and FRR agree on every route and policy check (beyond the documented exceptions)")
	}
}
