package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/sim"
)

// agreement reports links, IS-IS adjacencies and BGP sessions that real
// routers would refuse because their two ends disagree (MTU, circuit type,
// AS numbers, addresses, authentication...). The simulator already takes them
// down; this invariant names both ends and the leaves, so a one-sided change
// that silently breaks an adjacency is blocked even where the network
// survives it. A disagreement the running network already has is reported as
// already broken, not blamed on the change.
func (e *evaluator) agreement(inv *Invariant) {
	before := map[string]bool{}
	for _, d := range e.in.Before.Disagreements {
		before[d.Kind+"|"+d.Object+"|"+d.Reason] = true
	}
	for _, d := range e.in.After.Disagreements {
		obj := d.Object
		if before[d.Kind+"|"+d.Object+"|"+d.Reason] {
			e.baseline(inv, obj, d.Reason, append([]string{d.Reason}, d.Leaves...))
			continue
		}
		summary, before := fmt.Sprintf("%s is refused by the routers: %s.", capitalize(obj), d.Reason), "both ends agree"
		if d.Unsimulated { // the simulator's own refusal: routers differ and backstop does not model it
			summary, before = fmt.Sprintf("%s cannot be simulated: %s.", capitalize(obj), d.Reason), "simulated"
		}
		f := Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
			Summary: summary, Objects: []string{obj}, Before: before, After: d.Reason,
			Evidence: append([]string{"leaves involved:"}, d.Leaves...),
			Causes:   e.causesForLeaves(d.Leaves, d.Devices)}
		e.add(f)
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: false, Severity: inv.Severity, Message: d.Reason})
	}
	if len(e.in.After.Disagreements) == 0 {
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: "links, adjacencies and sessions", Passed: true})
	}
}

// causesForLeaves: the change items at or under the named leaves ("<device>
// <path>"); else the items of the devices involved.
func (e *evaluator) causesForLeaves(leaves, devices []string) []change.Item {
	var out []change.Item
	if e.in.Change != nil {
		for _, it := range e.in.Change.Items {
			for _, l := range leaves {
				dev, path, _ := strings.Cut(l, " ")
				if it.Device == dev && pathOverlaps(it.Path, path) {
					out = append(out, it)
					break
				}
			}
		}
	}
	if len(out) == 0 {
		return e.causes.forDevices(devices)
	}
	return out
}

// baseline records that an invariant is already broken in the running
// network: a warning, never "passed", and never blamed on the change
// (--fail-on warn makes it block).
func (e *evaluator) baseline(inv *Invariant, obj, what string, evidence []string) {
	msg := "already broken before this change: " + what
	e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: Warn, Baseline: true,
		Summary: fmt.Sprintf("%s is already broken in the running network (not caused by this change): %s.", capitalize(obj), what),
		Objects: []string{obj}, Before: what, After: what, Evidence: evidence})
	e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj + " (running)", Passed: false, Severity: Warn, Message: msg})
}

// unknownRouting blocks an invariant on a prefix whose routes reach routing
// policy the simulator does not understand, on either side of the change:
// backstop cannot say what happens to it, so it must not say PASS. Leaves the
// unmodelled invariant allows explicitly (with a reason) only warn.
func (e *evaluator) unknownRouting(inv *Invariant, obj string, p netip.Prefix, covering bool) bool {
	get := func(r *sim.Result) []sim.PolicyUnknown {
		if covering {
			return r.PolicyUnknownsCovering(p)
		}
		return r.PolicyUnknowns(p)
	}
	seen := map[string]bool{}
	var list []sim.PolicyUnknown
	for _, r := range []*sim.Result{e.in.Before, e.in.After} {
		for _, u := range get(r) {
			if k := u.Device + u.Path; !seen[k] {
				seen[k] = true
				list = append(list, u)
			}
		}
	}
	if len(list) == 0 {
		return false
	}
	sev := Block
	var evidence, devices, reasons []string
	allowedAll := true
	for _, u := range list {
		devices = append(devices, u.Device)
		evidence = append(evidence, fmt.Sprintf("%s: routing policy %s statement %s (%s)", u.Device, u.Policy, u.Statement, u.Path))
		for _, l := range u.Leaves {
			path, _, _ := strings.Cut(l, ": ")
			if r, ok := e.allowed(path); ok {
				evidence = append(evidence, "  "+l+" — allowed by policy: "+r)
				reasons = append(reasons, r)
			} else {
				evidence = append(evidence, "  "+l)
				allowedAll = false
			}
		}
	}
	summary := fmt.Sprintf("backstop cannot judge %s: its routes reach %s whose conditions or actions the simulator does not model, so what the routers do with it is unknown.",
		p, plural(len(list), "routing-policy statement", "routing-policy statements"))
	if allowedAll {
		sev = Warn
		summary += " Allowed by policy: " + strings.Join(reasons, "; ") + "."
	}
	e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: sev, Summary: summary,
		Objects: []string{obj}, Before: "-", After: "unknown", Evidence: evidence, Causes: e.causes.forDevices(devices)})
	e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: false, Severity: sev, Message: "routing policy not modelled"})
	return true
}

// allowed finds an explicit relaxation of the unmodelled invariant for path.
func (e *evaluator) allowed(path string) (string, bool) {
	for _, r := range e.allow {
		if r.Matches(path) {
			return r.Reason, true
		}
	}
	return "", false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	// Objects start with protocol names that are acronyms.
	for _, w := range []string{"isis ", "bgp "} {
		if strings.HasPrefix(s, w) {
			return map[string]string{"isis ": "IS-IS", "bgp ": "BGP"}[w] + s[len(w)-1:]
		}
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// hijack reports devices that start originating p, or a more specific of
// it, inside the network: an internal origination of a critical or anycast
// prefix attracts the traffic meant for its real origin (longest match wins,
// and an equal one competes on the decision process). A subnet inside p on
// an interface of a router that held nothing of p before does the same
// without BGP: the router delivers that traffic to itself, and so does every
// router that learns the subnet through IS-IS (its distance beats iBGP's).
// The forwarding walk counts delivery on any connected subnet as arrival, so
// only the comparison with the running network can see it.
func (e *evaluator) hijack(inv *Invariant, obj string, p netip.Prefix) {
	before, after := e.in.Before.LocalOrigins(p), e.in.After.LocalOrigins(p)
	connB, connA := e.in.Before.ConnectedInside(p), e.in.After.ConnectedInside(p)
	held := map[string]bool{}
	for _, m := range []map[string]netip.Prefix{before, connB} {
		for k := range m {
			dev, _, _ := strings.Cut(k, "|")
			held[dev] = true
		}
	}
	var objs, devices, connected []string
	for k, q := range after {
		if q.Bits() < p.Bits() || !p.Contains(q.Addr()) {
			continue
		}
		if _, ok := before[k]; ok {
			continue
		}
		dev, _, _ := strings.Cut(k, "|")
		objs = append(objs, fmt.Sprintf("%s originates %s", dev, q))
		devices = append(devices, dev)
	}
	for k, q := range connA {
		dev, _, _ := strings.Cut(k, "|")
		if _, ok := connB[k]; ok || held[dev] {
			continue
		}
		connected = append(connected, fmt.Sprintf("%s has %s on an interface", dev, q))
		devices = append(devices, dev)
	}
	if len(objs)+len(connected) == 0 {
		return
	}
	slices.Sort(devices)
	devices = slices.Compact(devices)
	slices.Sort(objs)
	slices.Sort(connected)
	var summary, beforeS, afterS string
	switch {
	case len(connected) == 0:
		summary = fmt.Sprintf("The change makes %s originate %s (%s) or a more specific of it inside the network, which attracts the traffic meant for its real origin.",
			plural(len(devices), "device", "devices"), p, obj)
		beforeS, afterS = "not originated there", "originated"
	default:
		who := strings.Join(devices, ", ")
		if len(devices) > 3 {
			who = strings.Join(devices[:3], ", ") + fmt.Sprintf(" and %d more", len(devices)-3)
		}
		summary = fmt.Sprintf("The change puts addresses of %s on an interface of %s, which held none of it before: traffic meant for its real origin ends there instead, on that router and on every router that learns the subnet.",
			obj, who)
		beforeS, afterS = "not held there", "originated or on an interface"
	}
	objs = append(objs, connected...)
	e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity, Summary: summary,
		Objects: append([]string{obj}, objs...), Before: beforeS, After: afterS, Evidence: objs,
		Causes: e.causes.forDevices(devices)})
	e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj + " (new internal origination)", Passed: false, Severity: inv.Severity, Message: strings.Join(objs, "; ")})
}
