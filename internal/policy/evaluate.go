package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
)

// Input is what invariants are evaluated on.
type Input struct {
	Before, After *sim.Result
	Change        *change.ChangeSet
}

// Evaluate checks every invariant of f. A simulation that did not converge
// yields a blocking finding whatever the policy says: it must never pass.
func Evaluate(f *File, in Input) ([]Finding, []Check) {
	e := &evaluator{in: in, causes: classify(in)}
	for _, inv := range f.Invariants {
		if inv.Kind == KindUnmodelled {
			e.allow = append(e.allow, inv.Allow...)
		}
	}
	for _, r := range []struct {
		name string
		res  *sim.Result
	}{{"running", in.Before}, {"candidate", in.After}} {
		ok := r.res.Converged
		msg := ""
		if !ok {
			msg = strings.Join(r.res.Notes, "; ")
			e.add(Finding{Invariant: "simulation-converges", Kind: KindConvergence, Severity: Block,
				Summary: fmt.Sprintf("The simulation of the %s network did not reach a stable state, so nothing about it can be trusted.", r.name),
				Objects: []string{r.name + " network"}, Before: "stable", After: "not stable", Evidence: r.res.Notes,
				Causes: e.causes.all})
		}
		e.check(Check{Invariant: "simulation-converges", Kind: KindConvergence, Object: r.name, Passed: ok, Severity: Block, Message: msg})
	}
	for i := range f.Invariants {
		inv := &f.Invariants[i]
		switch inv.Kind {
		case KindCriticalPrefixes:
			e.criticalPrefixes(inv)
		case KindAnycast:
			e.anycast(inv)
		case KindBGPSessions:
			e.bgpSessions(inv)
		case KindBlastRadius:
			e.blastRadius(inv)
		case KindReachability:
			e.reachability(inv)
		case KindEgress:
			e.egress(inv)
		case KindUnmodelled:
			e.unmodelled(inv)
		case KindAgreement:
			e.agreement(inv)
		}
	}
	// Blocking first; within a severity, the consequences people feel first
	// (the service gone, prefixes withdrawn) before their mechanics.
	rank := map[string]int{KindConvergence: 0, KindAnycast: 1, KindCriticalPrefixes: 2, KindReachability: 3,
		KindEgress: 3, KindAgreement: 4, KindBGPSessions: 5, KindBlastRadius: 6, KindUnmodelled: 7}
	sort.SliceStable(e.findings, func(i, j int) bool {
		a, b := e.findings[i], e.findings[j]
		if a.Severity != b.Severity {
			return a.Severity == Block
		}
		return rank[a.Kind] < rank[b.Kind]
	})
	return e.findings, e.checks
}

type evaluator struct {
	in       Input
	causes   causeIndex
	allow    []AllowRule // explicit relaxations of unmodelled config
	findings []Finding
	checks   []Check
}

func (e *evaluator) add(f Finding) {
	if f.Severity == Ignore || f.Severity == "" {
		return
	}
	if f.Causes == nil {
		f.Causes = []change.Item{}
	}
	if f.Objects == nil {
		f.Objects = []string{} // the report schema: always an array
	}
	e.findings = append(e.findings, f)
}

func (e *evaluator) check(c Check) {
	if c.Passed {
		c.Severity = ""
	}
	e.checks = append(e.checks, c)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// announcements of prefix p to the selected peers. A route sent with
// NO_EXPORT (or NO_ADVERTISE / NO_EXPORT_SUBCONFED) stops at the peer and one
// sent with BLACKHOLE (RFC 7999) makes the peer drop the traffic: neither
// reaches the Internet, so neither counts as announced.
func announcements(r *sim.Result, p netip.Prefix, peers []SessionSelector) map[string]sim.Advertisement {
	out := map[string]sim.Advertisement{}
	for _, a := range r.Announced(p) {
		if anyAdvertisement(r.Net, peers, a) && reachesInternet(a) {
			out[a.Device+"|"+a.Neighbor.String()] = a
		}
	}
	return out
}

// perAS counts announcements per receiving AS.
func perAS(m map[string]sim.Advertisement) map[uint32]int {
	out := map[uint32]int{}
	for _, a := range m {
		out[a.PeerAS]++
	}
	return out
}

// selectedASes: the peer ASes of the sessions the selectors pick in r.
func selectedASes(r *sim.Result, peers []SessionSelector) []uint32 {
	var out []uint32
	for _, s := range r.Sessions {
		if s.IBGP || !anySession(r.Net, peers, s) {
			continue
		}
		if asn := sessionPeerAS(r, peers, s); !slices.Contains(out, asn) {
			out = append(out, asn)
		}
	}
	slices.Sort(out)
	return out
}

// sessionPeerAS: the AS of the selected peer at the far end of s (the
// session's A end when that is the selected inventoried router).
func sessionPeerAS(r *sim.Result, peers []SessionSelector, s sim.Session) uint32 {
	if !s.External && slices.ContainsFunc(peers, func(sel SessionSelector) bool { return sel.selectsRouter(r.Net, s.Device) }) {
		return deviceAS(r.Net, s.Device)
	}
	return s.PeerAS
}

func reachesInternet(a sim.Advertisement) bool { return !a.NoExport && !a.Blackhole }

func sitesOf(m map[string]sim.Advertisement) []string {
	return distinct(m, func(a sim.Advertisement) string { return a.Site })
}

// distinct: the sorted distinct values of field over the advertisements.
func distinct(m map[string]sim.Advertisement, field func(sim.Advertisement) string) []string {
	var out []string
	for _, a := range m {
		if v := field(a); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func (e *evaluator) criticalPrefixes(inv *Invariant) {
	roles := peersLabel(inv.ToPeers)
	ases := selectedASes(e.in.Before, inv.ToPeers)
	for _, p := range inv.Prefixes {
		before := announcements(e.in.Before, p, inv.ToPeers)
		after := announcements(e.in.After, p, inv.ToPeers)
		var lost []string
		for k := range before {
			if _, ok := after[k]; !ok {
				lost = append(lost, k)
			}
		}
		sort.Strings(lost)
		sitesA := sitesOf(after)
		below := len(after) < inv.MinSessions || len(sitesA) < inv.MinSites
		obj := "prefix " + p.String()
		if e.unknownRouting(inv, obj, p, false) {
			continue
		}
		e.hijack(inv, obj, p)
		if sitesB := sitesOf(before); len(before) < inv.MinSessions || len(sitesB) < inv.MinSites {
			e.baseline(inv, obj, fmt.Sprintf("announced to %s at %s, the policy wants at least %d sessions at %d sites",
				plural(len(before), roles+" session", roles+" sessions"),
				plural(len(sitesB), "site", "sites"), inv.MinSessions, inv.MinSites), nil)
		}
		// Each selected peer AS must keep receiving the prefix: enough
		// sessions overall can still leave one transit with none.
		var shortAS []string
		if inv.MinSessionsPerAS > 0 {
			nb, na := perAS(before), perAS(after)
			for _, asn := range ases {
				switch {
				case nb[asn] < inv.MinSessionsPerAS:
					e.baseline(inv, obj+" to "+peerAS(asn), fmt.Sprintf("announced on %s to %s, the policy wants at least %d",
						plural(nb[asn], "session", "sessions"), peerAS(asn), inv.MinSessionsPerAS), nil)
				case na[asn] < inv.MinSessionsPerAS:
					shortAS = append(shortAS, fmt.Sprintf("%s (%d of %d sessions left)", peerAS(asn), na[asn], nb[asn]))
				}
			}
			below = below || len(shortAS) > 0
		}
		e.delivered(inv, obj, p, after)
		if len(lost) == 0 {
			e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: true})
			continue
		}
		sev := inv.OnAnyLoss
		if below {
			sev = inv.Severity
		}
		var summary string
		switch {
		case len(after) == 0:
			summary = fmt.Sprintf("%s is no longer announced to any %s peer: the Internet loses every route to it.", p, roles)
		default:
			summary = fmt.Sprintf("%s stops being announced to %s; it stays announced to %s at %s.", p,
				plural(len(lost), roles+" session", roles+" sessions"), plural(len(after), "session", "sessions"),
				plural(len(sitesA), "site", "sites"))
		}
		if len(shortAS) > 0 && len(after) > 0 {
			summary += fmt.Sprintf(" Below %d per peer AS: %s.", inv.MinSessionsPerAS, strings.Join(shortAS, ", "))
		}
		f := Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: sev, Summary: summary,
			Objects: []string{obj},
			Before:  fmt.Sprintf("announced on %s at %s", plural(len(before), "session", "sessions"), plural(len(sitesOf(before)), "site", "sites")),
			After:   fmt.Sprintf("announced on %s at %s (policy: at least %d sessions at %d sites)", plural(len(after), "session", "sessions"), plural(len(sitesA), "site", "sites"), inv.MinSessions, inv.MinSites),
		}
		var devices []string
		for _, k := range lost {
			a := before[k]
			f.Objects = append(f.Objects, fmt.Sprintf("peer %s (%s %s)", a.Peer, a.Device, a.Neighbor))
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s no longer sends %s to %s: %s", a.Device, p, a.Peer, e.whyNotSent(a, p)))
			devices = append(devices, a.Device)
		}
		f.Causes = e.causes.forDevices(devices)
		e.add(f)
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: sev == Ignore || sev == "", Severity: sev, Message: summary})
	}
}

// whyNotSent explains why device stopped advertising p to an external peer.
func (e *evaluator) whyNotSent(a sim.Advertisement, p netip.Prefix) string {
	r := e.in.After
	for _, x := range r.Announced(p) {
		if x.Device == a.Device && x.Neighbor == a.Neighbor {
			switch {
			case x.Blackhole:
				return "it is still sent, but tagged BLACKHOLE (RFC 7999): the peer drops the traffic"
			case x.NoExport:
				return "it is still sent, but with a well-known community (NO_EXPORT, NO_ADVERTISE or NO_EXPORT_SUBCONFED) that keeps it from the Internet"
			}
		}
	}
	for _, s := range r.Sessions {
		if s.Device == a.Device && s.Neighbor == a.Neighbor && !s.Established {
			return "the session is down (" + s.Reason + ")"
		}
	}
	if why := r.ExternalDrop(a.Device, a.Neighbor, p); why != "" {
		return "it is still sent, but " + why
	}
	if r.HasBestBGP(a.Device, p) {
		return "it still has a route, but its export policy to that peer rejects it"
	}
	return a.Device + " has no route to it any more"
}

func (e *evaluator) anycast(inv *Invariant) {
	type svc struct {
		prefix        netip.Prefix
		before, after []sim.AnycastSite
	}
	svcs := map[string]*svc{}
	var names []string
	collect := func(list []sim.AnycastSite, after bool) {
		for _, s := range list {
			if inv.Service != "" && s.Service != inv.Service {
				continue
			}
			v := svcs[s.Service]
			if v == nil {
				v = &svc{prefix: s.Prefix}
				svcs[s.Service] = v
				names = append(names, s.Service)
			}
			if after {
				v.after = append(v.after, s)
			} else {
				v.before = append(v.before, s)
			}
		}
	}
	collect(e.in.Before.Anycast, false)
	collect(e.in.After.Anycast, true)
	sort.Strings(names)
	for _, name := range names {
		v := svcs[name]
		if e.anycastUnknown(inv, name, v.prefix) {
			continue
		}
		e.hijack(inv, name+" anycast "+v.prefix.String(), v.prefix)
		// The health rule's prefixes decide whether a site announces: a
		// change that makes another router hold them fakes or breaks the
		// health of every site that reaches it (the 2021 mechanism).
		for _, svc := range e.in.Before.Net.Anycast {
			if svc.Service != name {
				continue
			}
			for _, h := range svc.ReachAny {
				e.hijack(inv, name+" health prefix "+h.String(), h)
			}
		}
		if n := countAnnouncing(v.before); n < inv.MinHealthySites {
			e.baseline(inv, name+" anycast", fmt.Sprintf("%s of %d announce %s, the policy wants at least %d",
				plural(n, "site", "sites"), len(v.before), v.prefix, inv.MinHealthySites), siteReasons(v.before))
		}
		var lost, lostSites, healthyAfter []string
		var failed []int // indexes in e.checks of the lost sites
		var evidence []string
		var devices []string
		for _, b := range v.before {
			var a *sim.AnycastSite
			for i := range v.after {
				if v.after[i].Device == b.Device && v.after[i].Neighbor == b.Neighbor {
					a = &v.after[i]
				}
			}
			obj := fmt.Sprintf("%s site %s", name, b.Site)
			if a != nil && a.Announcing {
				healthyAfter = append(healthyAfter, b.Site)
			}
			if b.Announcing && (a == nil || !a.Announcing) {
				lost = append(lost, obj)
				lostSites = append(lostSites, b.Site)
				reason := "removed from the network"
				if a != nil {
					reason = a.Reason
				}
				evidence = append(evidence, fmt.Sprintf("site %s (%s) withdraws %s: %s", b.Site, b.Device, v.prefix, reason))
				devices = append(devices, b.Device)
				failed = append(failed, len(e.checks))
				e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: false, Severity: inv.OnAnyLoss, Message: reason})
			} else {
				e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: true})
			}
		}
		visible := func(r *sim.Result) int {
			n := 0
			for _, a := range r.Announced(v.prefix) {
				if strings.HasPrefix(a.Role, "anycast:") || !reachesInternet(a) {
					continue
				}
				if len(inv.ToPeers) > 0 && !anyAdvertisement(r.Net, inv.ToPeers, a) ||
					len(inv.ToPeers) == 0 && a.Inventoried && a.Role != "transit" {
					continue
				}
				n++
			}
			return n
		}
		visB, visA := visible(e.in.Before), visible(e.in.After)
		gone := visB > 0 && visA == 0
		if len(lost) == 0 && !gone {
			continue
		}
		sev := inv.OnAnyLoss
		if len(healthyAfter) < inv.MinHealthySites || gone {
			sev = inv.Severity
			// The lost sites' checks carry the finding's severity: JUnit
			// and SARIF must not show a blocking loss as a warning.
			for _, i := range failed {
				e.checks[i].Severity = sev
			}
		}
		var summary string
		if len(lost) == 0 {
			summary = fmt.Sprintf("Every %s anycast site still announces %s to the network.", name, v.prefix)
		} else if len(healthyAfter) == 0 {
			summary = fmt.Sprintf("All %d %s anycast sites (%s) lose their path to the data centres and withdraw %s, exactly as designed; nothing announces it any more.",
				len(v.before), name, strings.Join(lostSites, ", "), v.prefix)
		} else {
			verb := "stops"
			if len(lost) != 1 {
				verb = "stop"
			}
			summary = fmt.Sprintf("%s (%s) %s announcing %s; %s keep announcing it.",
				plural(len(lost), name+" anycast site", name+" anycast sites"), strings.Join(lostSites, ", "), verb, v.prefix,
				plural(len(healthyAfter), "site", "sites"))
		}
		if gone {
			summary += fmt.Sprintf(" %s disappears from every external peer: %s is unreachable from the Internet.", v.prefix, name)
		}
		objs := lost
		if len(objs) == 0 { // every site still announces, but no peer sees the prefix
			objs = []string{name + " anycast " + v.prefix.String()}
		}
		f := Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: sev, Summary: summary, Objects: objs,
			Before: fmt.Sprintf("%d sites announcing; prefix seen by %s", countAnnouncing(v.before), plural(visB, "external session", "external sessions")),
			After: fmt.Sprintf("%d sites announcing; prefix seen by %s (policy: at least %d sites)", len(healthyAfter),
				plural(visA, "external session", "external sessions"), inv.MinHealthySites),
			Evidence: evidence, Causes: e.causes.forDevices(devices)}
		e.add(f)
	}
}

// anycastUnknown: the service's own prefix and the prefixes its health check
// needs (reach_any) must not reach routing policy backstop does not model,
// or the health of every site is a guess.
func (e *evaluator) anycastUnknown(inv *Invariant, name string, p netip.Prefix) bool {
	obj := name + " anycast"
	if e.unknownRouting(inv, obj, p, false) {
		return true
	}
	for _, svc := range e.in.Before.Net.Anycast {
		if svc.Service != name {
			continue
		}
		for _, q := range svc.ReachAny {
			if e.unknownRouting(inv, obj+" health ("+q.String()+")", q, true) {
				return true
			}
		}
	}
	return false
}

func siteReasons(l []sim.AnycastSite) []string {
	var out []string
	for _, s := range l {
		if !s.Announcing {
			out = append(out, fmt.Sprintf("site %s (%s): %s", s.Site, s.Device, s.Reason))
		}
	}
	return out
}

func countAnnouncing(l []sim.AnycastSite) int {
	n := 0
	for _, s := range l {
		if s.Announcing {
			n++
		}
	}
	return n
}

func sessionName(s sim.Session) string {
	return fmt.Sprintf("session %s → %s (%s)", s.Device, s.Peer, s.Neighbor)
}

func (e *evaluator) bgpSessions(inv *Invariant) {
	before := map[string]sim.Session{}
	for _, s := range e.in.Before.Sessions {
		before[s.Key()] = s
		if !s.Established && anySession(e.in.Before.Net, inv.Critical, s) {
			e.baseline(inv, sessionName(s), "the critical session is down ("+s.Reason+")", nil)
		}
	}
	var lostAll []sim.Session
	var lostCritical []string
	var evidence []string
	var devices []string
	for _, a := range e.in.After.Sessions {
		b, ok := before[a.Key()]
		delete(before, a.Key())
		if !ok || !b.Established {
			continue
		}
		critical := anySession(e.in.Before.Net, inv.Critical, b)
		if !a.Established {
			lostAll = append(lostAll, a)
			if critical {
				lostCritical = append(lostCritical, sessionName(a))
				evidence = append(evidence, sessionName(a)+": "+a.Reason)
				devices = append(devices, a.Device)
			}
		}
		if critical {
			e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: sessionName(b), Passed: a.Established,
				Severity: inv.Severity, Message: a.Reason})
		}
	}
	// sessions whose config disappeared altogether
	var gone []sim.Session
	for _, b := range before {
		if b.Established {
			gone = append(gone, b)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].Key() < gone[j].Key() })
	for _, b := range gone {
		lostAll = append(lostAll, b)
		critical := anySession(e.in.Before.Net, inv.Critical, b)
		if critical {
			lostCritical = append(lostCritical, sessionName(b))
			evidence = append(evidence, sessionName(b)+": its configuration is removed")
			devices = append(devices, b.Device)
			e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: sessionName(b), Passed: false, Severity: inv.Severity,
				Message: "configuration removed"})
		}
	}
	if len(lostCritical) > 0 {
		e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
			Summary: fmt.Sprintf("%s stop being established.", plural(len(lostCritical), "critical BGP session", "critical BGP sessions")),
			Objects: lostCritical, Before: "established", After: "down", Evidence: evidence,
			Causes: e.causes.forDevices(devices)})
	}
	if inv.MinEstablishedPerAS > 0 {
		e.sessionsPerAS(inv)
	}
	if inv.MaxLost != nil {
		ok := len(lostAll) <= *inv.MaxLost
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: "sessions lost", Passed: ok, Severity: inv.Severity,
			Message: fmt.Sprintf("%d lost, at most %d allowed", len(lostAll), *inv.MaxLost)})
		if !ok {
			var objs []string
			for _, s := range lostAll {
				objs = append(objs, sessionName(s))
			}
			e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
				Summary: fmt.Sprintf("The change takes down %s (at most %d allowed).", plural(len(lostAll), "BGP session", "BGP sessions"), *inv.MaxLost),
				Objects: objs, Before: "established", After: fmt.Sprintf("%d down", len(lostAll)), Causes: e.causes.all})
		}
	}
}

func (e *evaluator) blastRadius(inv *Invariant) {
	if inv.MaxBackboneLinksPct != nil {
		up := map[string]bool{}
		total := 0
		for _, l := range e.in.Before.Links {
			if l.Backbone && l.Up {
				up[l.Key()] = true
				total++
			}
		}
		var lost []string
		for _, l := range e.in.After.Links {
			if up[l.Key()] && !l.Up {
				lost = append(lost, fmt.Sprintf("link %s %s — %s %s", l.A, l.AIface, l.B, l.BIface))
			}
		}
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(len(lost)) / float64(total)
		}
		ok := pct <= *inv.MaxBackboneLinksPct
		msg := fmt.Sprintf("%d of %d backbone links down (%.0f%%), at most %.0f%% allowed", len(lost), total, pct, *inv.MaxBackboneLinksPct)
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: "backbone links", Passed: ok, Severity: inv.Severity, Message: msg})
		if !ok {
			summary := fmt.Sprintf("The change takes down %d of %d backbone links (%.0f%%).", len(lost), total, pct)
			if len(lost) == total {
				summary = fmt.Sprintf("The change takes down every backbone link (%d of %d).", len(lost), total)
			}
			e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity, Summary: summary, Objects: lost,
				Before: fmt.Sprintf("%d backbone links up", total), After: fmt.Sprintf("%d up", total-len(lost)),
				Causes: e.causes.linkItems})
		}
	}
	if inv.MaxDevicesRemoved != nil {
		gone := removedDevices(e.in.Before, e.in.After)
		ok := len(gone) <= *inv.MaxDevicesRemoved
		msg := fmt.Sprintf("%d devices lose all routing config, at most %d allowed", len(gone), *inv.MaxDevicesRemoved)
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: "devices removed", Passed: ok, Severity: inv.Severity, Message: msg})
		if !ok {
			e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
				Summary: fmt.Sprintf("The change removes the whole routing config of %s (%s): every interface, IS-IS and BGP session on it goes away.",
					plural(len(gone), "device", "devices"), strings.Join(gone, ", ")),
				Objects: gone, Before: "configured", After: "no interfaces, no IS-IS, no BGP", Causes: e.causes.forDevices(gone)})
		}
	}
	if inv.MaxDevices != nil && e.in.Change != nil {
		n := len(e.in.Change.Devices)
		ok := n <= *inv.MaxDevices
		msg := fmt.Sprintf("%d devices changed, at most %d allowed", n, *inv.MaxDevices)
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: "devices changed", Passed: ok, Severity: inv.Severity, Message: msg})
		if !ok {
			e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
				Summary: fmt.Sprintf("One change touches %d devices (at most %d allowed).", n, *inv.MaxDevices),
				Objects: e.in.Change.Devices, Before: "-", After: fmt.Sprintf("%d devices changed", n), Causes: e.causes.all})
		}
	}
}

// removedDevices: devices that route in running and have no routing config
// (no addressed interface, no IS-IS, no BGP) or no config at all in the
// candidate.
func removedDevices(before, after *sim.Result) []string {
	routes := func(d *network.Device) bool {
		return d != nil && (len(d.Interfaces) > 0 || d.ISIS != nil || d.BGP != nil)
	}
	var out []string
	for _, d := range before.Net.Devices {
		if routes(d) && !routes(after.Net.Device(d.Name)) {
			out = append(out, d.Name)
		}
	}
	return out
}

func (e *evaluator) reachability(inv *Invariant) {
	from := fromDevices(e.in.Before.Net, inv.From)
	// Traffic from a selected peer enters where its session lands: the
	// inventoried end of a session to an external peer, or the peer's own
	// router when it is in the inventory.
	net := e.in.Before.Net
	for _, s := range e.in.Before.Sessions {
		if s.IBGP || !anySession(net, inv.FromPeers, s) {
			continue
		}
		entry := s.Device
		if !s.External {
			entry = s.Peer
			if slices.ContainsFunc(inv.FromPeers, func(sel SessionSelector) bool { return sel.selectsRouter(net, s.Device) }) {
				entry = s.Device
			}
		}
		if !slices.Contains(from, entry) {
			from = append(from, entry)
		}
	}
	unknown := map[netip.Prefix]bool{}
	for _, p := range inv.To {
		unknown[p] = e.unknownRouting(inv, "reachability of "+p.String(), p, true)
	}
	for _, dev := range from {
		for _, p := range inv.To {
			if unknown[p] {
				continue
			}
			obj := fmt.Sprintf("%s → %s", dev, p)
			okB, _, whyB := e.in.Before.Reaches(dev, p)
			okA, _, why := e.in.After.Reaches(dev, p)
			if !okB {
				e.baseline(inv, obj, "unreachable", []string{whyB})
			}
			lost := okB && !okA
			e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: !lost, Severity: inv.Severity, Message: why})
			if lost {
				e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
					Summary: fmt.Sprintf("%s can no longer reach %s.", dev, p), Objects: []string{obj},
					Before: "reachable", After: "unreachable", Evidence: []string{why}, Causes: e.causes.forDevices([]string{dev})})
			}
		}
	}
}

func (e *evaluator) unmodelled(inv *Invariant) {
	type key struct{ dev, path string }
	seen := map[key]bool{}
	var touched, present, allowed []string
	var causes []change.Item
	for _, r := range []*sim.Result{e.in.Before, e.in.After} {
		for _, u := range r.Net.Unmodelled {
			k := key{u.Device, u.Path}
			if seen[k] {
				continue
			}
			seen[k] = true
			hit := false
			if e.in.Change != nil {
				for _, it := range e.in.Change.Items {
					if it.Device == u.Device && pathOverlaps(it.Path, u.Path) {
						hit = true
						if !slices.ContainsFunc(causes, func(c change.Item) bool { return c.Device == it.Device && c.Path == it.Path }) {
							causes = append(causes, it)
						}
					}
				}
			}
			if hit {
				if reason, ok := e.allowed(u.Path); ok {
					allowed = append(allowed, u.Device+" "+u.Path+" — allowed by policy: "+reason)
				} else {
					touched = append(touched, u.Device+" "+u.Path)
				}
			} else {
				present = append(present, u.Device+" "+u.Path)
			}
		}
	}
	if len(touched) > 0 && inv.Changed != Ignore {
		e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Changed,
			Summary: fmt.Sprintf("The change touches %s the simulator does not model; its effect is unknown.", plural(len(touched), "setting", "settings")),
			Objects: touched, Before: "-", After: "unmodelled config changed", Causes: causes})
	}
	// An explicit relaxation still shows, with its reason, in every report:
	// whoever reads the verdict must see what backstop did not judge.
	if len(allowed) > 0 && inv.Changed != Ignore {
		e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: Warn,
			Summary: fmt.Sprintf("The change touches %s the simulator does not model, relaxed by an allow rule of the policy.", plural(len(allowed), "setting", "settings")),
			Objects: allowed, Before: "-", After: "unmodelled config changed (allowed)", Causes: causes})
	}
	e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: "unmodelled config changed", Passed: len(touched) == 0 || inv.Changed == Ignore,
		Severity: inv.Changed, Message: strings.Join(touched, "; ")})
	if len(present) > 0 && inv.Present != Ignore {
		e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Present,
			Summary: fmt.Sprintf("%s the simulator does not model are present.", plural(len(present), "setting", "settings")),
			Objects: present, Before: "-", After: "-"})
	}
}

// pathOverlaps: one gNMI path is the other or an ancestor of it.
func pathOverlaps(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}

// sessionsPerAS: every peer AS among the critical sessions keeps at least
// MinEstablishedPerAS of them established ("a session to each transit").
func (e *evaluator) sessionsPerAS(inv *Invariant) {
	count := func(r *sim.Result) map[uint32][]sim.Session {
		out := map[uint32][]sim.Session{}
		for _, s := range r.Sessions {
			if s.IBGP || !anySession(r.Net, inv.Critical, s) {
				continue
			}
			asn := sessionPeerAS(r, inv.Critical, s)
			out[asn] = append(out[asn], s)
		}
		return out
	}
	established := func(l []sim.Session) int {
		n := 0
		for _, s := range l {
			if s.Established {
				n++
			}
		}
		return n
	}
	before, after := count(e.in.Before), count(e.in.After)
	ases := make([]uint32, 0, len(before))
	for asn := range before {
		ases = append(ases, asn)
	}
	slices.Sort(ases)
	for _, asn := range ases {
		obj := "sessions to " + peerAS(asn)
		nb, na := established(before[asn]), established(after[asn])
		if nb < inv.MinEstablishedPerAS {
			e.baseline(inv, obj, fmt.Sprintf("%d of %d established, the policy wants at least %d", nb, len(before[asn]), inv.MinEstablishedPerAS), nil)
			continue
		}
		ok := na >= inv.MinEstablishedPerAS
		msg := fmt.Sprintf("%d established, at least %d wanted", na, inv.MinEstablishedPerAS)
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: ok, Severity: inv.Severity, Message: msg})
		if ok {
			continue
		}
		var objs, evidence, devices []string
		for _, s := range before[asn] {
			if !s.Established {
				continue
			}
			objs = append(objs, sessionName(s))
			reason := "its configuration is removed"
			for _, a := range after[asn] {
				if a.Key() == s.Key() {
					reason = a.Reason
				}
			}
			if reason != "" {
				evidence = append(evidence, sessionName(s)+": "+reason)
			}
			devices = append(devices, s.Device)
		}
		e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity,
			Summary: fmt.Sprintf("%s is left with %d established BGP sessions (policy: at least %d per peer AS).", peerAS(asn), na, inv.MinEstablishedPerAS),
			Objects: objs, Before: fmt.Sprintf("%d established", nb), After: fmt.Sprintf("%d established", na),
			Evidence: evidence, Causes: e.causes.forDevices(devices)})
	}
}

// delivered: traffic for p that enters where p is announced must reach an
// originator. An announcement whose traffic is dropped on the way (a stray
// discard route, a broken next hop, a loop) is worse than a withdrawal: the
// Internet keeps sending, and the network black-holes it. Traffic for p is
// also traffic for every more specific route inside it (a data centre's /24
// inside the service aggregate), which may take another path: each is
// walked too, along every equal-cost branch, and must arrive where p or a
// prefix inside it is originated.
func (e *evaluator) delivered(inv *Invariant, obj string, p netip.Prefix, after map[string]sim.Advertisement) {
	exit := func(r *sim.Result) sim.Exit {
		orig := r.Originators(p)
		return sim.Exit{Local: true, Out: func(peer string) bool { return slices.Contains(orig, peer) }}
	}
	exB, exA := exit(e.in.Before), exit(e.in.After)
	targets := append([]netip.Prefix{p}, e.in.After.MoreSpecifics(p)...)
	var lost, evidence []string
	var parts []netip.Prefix // the prefixes (p or inside it) whose traffic is dropped
	for _, d := range distinct(after, func(a sim.Advertisement) string { return a.Device }) {
		for _, q := range targets {
			okA, trace, why := e.in.After.DeliversAddr(d, q.Addr(), p, exA)
			if okA {
				continue
			}
			what := obj + " entering at " + d
			if q != p {
				what = "traffic for " + q.String() + " (inside " + p.String() + ") entering at " + d
			}
			if e.in.Before.Net.Device(d) != nil {
				if okB, _, whyB := e.in.Before.DeliversAddr(d, q.Addr(), p, exB); !okB {
					e.baseline(inv, what, "announced there but not delivered", []string{whyB})
					continue
				}
			}
			lost = append(lost, d)
			if !slices.Contains(parts, q) {
				parts = append(parts, q)
			}
			ev := why
			if q != p {
				ev = "traffic for " + q.String() + ": " + why
			}
			if len(trace) > 1 {
				ev += " (path " + strings.Join(trace, " → ") + ")"
			}
			evidence = append(evidence, d+": "+ev)
			break
		}
	}
	if len(lost) == 0 {
		return
	}
	// "traffic for it", "traffic for 157.240.1.0/24 inside it", or both.
	var inner []string
	for _, q := range parts {
		if q != p {
			inner = append(inner, q.String())
		}
	}
	slices.Sort(inner)
	what := "traffic for it"
	switch {
	case len(inner) > 0 && slices.Contains(parts, p):
		what = "traffic for it and for " + strings.Join(inner, ", ") + " inside it"
	case len(inner) > 0:
		what = "traffic for " + strings.Join(inner, ", ") + " inside it"
	}
	summary := fmt.Sprintf("%s stays announced at %s, but %s entering there is dropped before it reaches an originator: a black hole the Internet keeps sending to.",
		p, strings.Join(lost, ", "), what)
	e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity, Summary: summary,
		Objects: append([]string{obj}, lost...), Before: "delivered to an originator", After: "dropped",
		Evidence: evidence, Causes: e.causes.all})
	e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj + " delivered", Passed: false, Severity: inv.Severity, Message: summary})
}

// egress: traffic from each from device to destinations outside the network
// must still leave at one of the selected peers (an external transit, or an
// inventoried transit router), along every equal-cost branch. A static 0/0
// discard on the edges, or a default that stops being propagated, strands
// the whole network's Internet-bound traffic while every session stays up.
func (e *evaluator) egress(inv *Invariant) {
	exit := func(r *sim.Result) sim.Exit {
		var peers []string
		for _, s := range r.Sessions {
			if s.External && anySession(r.Net, inv.ViaPeers, s) {
				peers = append(peers, s.Peer)
			}
		}
		return sim.Exit{
			Out: func(peer string) bool { return slices.Contains(peers, peer) },
			Into: func(dev string) bool {
				return slices.ContainsFunc(inv.ViaPeers, func(sel SessionSelector) bool { return sel.selectsRouter(r.Net, dev) })
			},
		}
	}
	exB, exA := exit(e.in.Before), exit(e.in.After)
	for _, p := range inv.To {
		obj := "Internet-bound traffic to " + p.String()
		var lost, evidence []string
		for _, dev := range fromDevices(e.in.Before.Net, inv.From) {
			if exB.Into(dev) {
				continue // a provider's own router
			}
			okB, _, whyB := e.in.Before.Delivers(dev, p, exB)
			if !okB {
				e.baseline(inv, obj+" from "+dev, "it does not leave at a "+peersLabel(inv.ViaPeers)+" peer", []string{whyB})
				continue
			}
			okA, trace, why := e.in.After.Delivers(dev, p, exA)
			if okA {
				continue
			}
			lost = append(lost, dev)
			if len(trace) > 1 {
				why += " (path " + strings.Join(trace, " → ") + ")"
			}
			evidence = append(evidence, dev+": "+why)
		}
		passed := len(lost) == 0
		msg := ""
		if !passed {
			msg = fmt.Sprintf("%s no longer leaves the network at a %s peer from %s.", obj, peersLabel(inv.ViaPeers), plural(len(lost), "device", "devices"))
			e.add(Finding{Invariant: inv.Name, Kind: inv.Kind, Severity: inv.Severity, Summary: msg,
				Objects: append([]string{obj}, lost...), Before: "leaves at a " + peersLabel(inv.ViaPeers) + " peer",
				After: "dropped or looping inside the network", Evidence: evidence, Causes: e.causes.all})
		}
		e.check(Check{Invariant: inv.Name, Kind: inv.Kind, Object: obj, Passed: passed, Severity: inv.Severity, Message: msg})
	}
}
