package sim

import (
	"fmt"
	"net/netip"

	"github.com/backstop-net/backstop/models/network"
)

type routeKind uint8

const (
	rkConnected routeKind = iota
	rkStatic
	rkAggregate
	rkISIS
	rkBGP
)

func (k routeKind) String() string {
	return [...]string{"connected", "static", "aggregate", "isis", "bgp"}[k]
}

// Administrative distances, as FRR and most vendors use them. Local aggregates
// take Junos's 130.
const (
	distConnected = 0
	distStatic    = 1
	distEBGP      = 20
	distISIS      = 115
	distAggregate = 130
	distIBGP      = 200
)

type fibEntry struct {
	prefix netip.Prefix
	kind   routeKind
	dist   int
	static *network.StaticRoute
	isis   isisRoute
	bgp    *Path
}

// lookup is d's forwarding decision for a: longest prefix first, then the
// lowest administrative distance. withBGP=false gives the non-BGP view used to
// bring up sessions and resolve next hops.
func (s *state) lookup(d network.DeviceID, a netip.Addr, withBGP bool) (fibEntry, bool) {
	dev := s.net.Devices[d]
	for bits := a.BitLen(); bits >= 0; bits-- {
		p, _ := a.Prefix(bits)
		var best fibEntry
		found := false
		consider := func(e fibEntry) {
			if !found || e.dist < best.dist {
				best, found = e, true
			}
		}
		if _, ok := s.topo.connected[d][p]; ok {
			consider(fibEntry{prefix: p, kind: rkConnected, dist: distConnected})
		}
		for _, i := range s.staticIdx[d][p] {
			if s.staticActive[d][i] {
				consider(fibEntry{prefix: p, kind: rkStatic, dist: distStatic, static: &dev.Statics[i]})
				break
			}
		}
		if i, ok := s.aggIdx[d][p]; ok && s.aggActive[d][i] {
			consider(fibEntry{prefix: p, kind: rkAggregate, dist: distAggregate})
		}
		if len(s.igp.origins[1][p]) > 0 || len(s.igp.origins[2][p]) > 0 || bits == 0 {
			if rt, ok := s.igp.route(d, p); ok {
				consider(fibEntry{prefix: p, kind: rkISIS, dist: distISIS, isis: rt})
			}
		}
		if withBGP && s.bgp != nil && s.bgp.lens[bits] {
			if pid, ok := s.bgp.pid[p]; ok {
				// Locally originated BGP routes are already in the table as
				// their source route.
				if bp := s.bestAt(pid, int32(d)); bp != nil && !bp.Local {
					dist := distIBGP
					if bp.EBGP {
						dist = distEBGP
					}
					consider(fibEntry{prefix: p, kind: rkBGP, dist: dist, bgp: bp})
				}
			}
		}
		if found {
			return best, true
		}
	}
	return fibEntry{}, false
}

// hopFail is one way a forwarding step fails: the device the trace ends
// at beyond the current one ("" for none), and why.
type hopFail struct {
	beyond, why string
}

// walkHops is the hop-by-hop walk of the anycast health rule, over any
// forwarding: step says whether a device arrives (originates a route
// covering the address), else where it forwards and how it fails. Any
// branch that arrives is enough; the trace names the path taken, or the
// first failure found.
func walkHops[K comparable](start K, name func(K) string, dst netip.Addr, step func(K) (bool, []K, []hopFail)) (bool, []string, string) {
	type frame struct {
		d     K
		trace []string
	}
	visited := map[K]bool{}
	stack := []frame{{start, []string{name(start)}}}
	firstFail := ""
	var failTrace []string
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if visited[f.d] || len(f.trace) > 64 {
			continue
		}
		visited[f.d] = true
		arrived, next, fails := step(f.d)
		if arrived {
			return true, f.trace, ""
		}
		for _, x := range fails {
			if firstFail == "" {
				firstFail, failTrace = x.why, f.trace
				if x.beyond != "" {
					failTrace = append(append([]string(nil), f.trace...), x.beyond)
				}
			}
		}
		for i := len(next) - 1; i >= 0; i-- {
			tr := append(append([]string(nil), f.trace...), name(next[i]))
			stack = append(stack, frame{next[i], tr})
		}
	}
	if firstFail == "" {
		firstFail = fmt.Sprintf("forwarding from %s to %s loops", name(start), dst)
	}
	return false, failTrace, firstFail
}

// walk is walkHops on the simulated forwarding.
func (s *state) walk(start network.DeviceID, a netip.Addr) (bool, []string, string) {
	name := func(d network.DeviceID) string { return s.net.Devices[d].Name }
	return walkHops(start, name, a, func(d network.DeviceID) (bool, []network.DeviceID, []hopFail) {
		e, ok := s.lookup(d, a, true)
		if !ok {
			return false, nil, []hopFail{{"", fmt.Sprintf("%s has no route to %s", name(d), a)}}
		}
		var hops []hop
		switch e.kind {
		case rkConnected, rkStatic, rkAggregate:
			return true, nil, nil
		case rkISIS:
			hops = e.isis.Hops
		case rkBGP:
			// Every path of the multipath set is a branch of the walk.
			var fails []hopFail
			for _, bp := range s.multipathAt(e.prefix, d, e.bgp) {
				if bp.nhExternal {
					fails = append(fails, hopFail{bp.FromDevice, fmt.Sprintf("%s forwards %s to %s (route %s via %s): it leaves the network",
						name(d), a, bp.FromDevice, e.prefix, bp.NextHop)})
					continue
				}
				nh := bp.NextHop
				if _, _, ok := s.topo.connectedRoute(d, nh); ok {
					hops = append(hops, hop{dev: bp.nhDevice})
				} else if rt, ok := s.igp.lookup(d, nh); ok {
					hops = append(hops, rt.Hops...)
				} else {
					fails = append(fails, hopFail{"", fmt.Sprintf("%s cannot resolve next hop %s of %s", name(d), nh, e.prefix)})
				}
			}
			if len(hops) == 0 {
				return false, nil, fails
			}
			next := make([]network.DeviceID, len(hops))
			for i, h := range hops {
				next[i] = h.dev
			}
			return false, next, fails
		}
		next := make([]network.DeviceID, len(hops))
		for i, h := range hops {
			next[i] = h.dev
		}
		return false, next, nil
	})
}

// healthy evaluates an anycast announcer's health rule at its edge router.
func (s *state) healthy(x externalNode) (bool, []string, string) {
	return healthRule(s.net.Devices[x.device].Name, s.net.Anycast[x.service].ReachAny,
		func(a netip.Addr) (bool, []string, string) { return s.walk(x.device, a) })
}

// healthRule is the anycast health rule over a forwarding walk: healthy when
// the edge reaches any of reach; else the reason, from the first failure.
func healthRule(edge string, reach []netip.Prefix, walk func(netip.Addr) (bool, []string, string)) (bool, []string, string) {
	var reasons []string
	var firstTrace []string
	for _, p := range reach {
		ok, tr, why := walk(p.Addr())
		if ok {
			return true, tr, ""
		}
		if firstTrace == nil {
			firstTrace = tr
		}
		reasons = append(reasons, why)
	}
	msg := edge + " reaches none of the health prefixes"
	if len(reasons) > 0 {
		msg += ": " + reasons[0]
		if len(reasons) > 1 {
			msg += fmt.Sprintf(" (and %d more alike)", len(reasons)-1)
		}
	}
	return false, firstTrace, msg
}

func (s *state) anycastStatus() []AnycastSite {
	var out []AnycastSite
	for i, x := range s.external {
		if x.service < 0 {
			continue
		}
		svc := s.net.Anycast[x.service]
		site := svc.Sites[x.site]
		st := AnycastSite{Service: svc.Service, Prefix: svc.Prefix, Site: site.Site,
			Device: s.net.Devices[x.device].Name, Neighbor: x.addr}
		sess := int32(-1)
		for k, ss := range s.sessions {
			if ss.externalNode == i && ss.Established {
				st.SessionUp, sess = true, int32(k)
			}
		}
		st.Healthy, st.HealthPath, st.Reason = s.healthy(x)
		// The site only counts when its edge router accepts the announcement:
		// an import policy that rejects it takes the site out as surely as a
		// withdrawal does.
		accepted := false
		if pid, ok := s.bgp.pid[svc.Prefix.Masked()]; ok && sess >= 0 {
			if nr := s.bgp.ribs[pid].at(int32(x.device)); nr != nil {
				for _, p := range nr.paths {
					if p.session == sess {
						accepted = true
					}
				}
			}
		}
		st.Announcing = st.Healthy && st.SessionUp && accepted
		switch {
		case st.Healthy && !st.SessionUp:
			st.Reason = "its BGP session to " + st.Device + " is down"
		case st.Healthy && !accepted:
			st.Reason = st.Device + "'s import policy rejects the announcement of " + svc.Prefix.String()
		}
		out = append(out, st)
	}
	return out
}
