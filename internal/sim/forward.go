package sim

import (
	"fmt"
	"net/netip"
	"slices"

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
	lens := s.fibLens.of(a)
	if withBGP && s.bgp != nil {
		lens = s.bgp.fibLens.of(a)
	}
	for _, bits := range lens {
		p, _ := a.Prefix(bits)
		if e, ok := s.fibAt(d, p, withBGP); ok {
			return e, true
		}
	}
	return fibEntry{}, false
}

// fibAt is d's forwarding entry for exactly p: the lowest administrative
// distance among the routes for p.
func (s *state) fibAt(d network.DeviceID, p netip.Prefix, withBGP bool) (fibEntry, bool) {
	bits := p.Bits()
	if bits < 0 { // the zero Prefix (an unset address): no route, not a panic
		return fibEntry{}, false
	}
	{
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
				sel := &s.staticSel[d][i]
				consider(fibEntry{prefix: p, kind: rkStatic, dist: int(sel.dist), static: &sel.route})
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

// Forwarding is how device forwards traffic for exactly prefix p (its FIB
// entry for p, not the longest match of an address), for comparison with
// another stack's FIB: "local" (connected), "discard" (an aggregate or a
// discard static), or "forward" with the directly connected next-hop
// addresses, BGP and static next hops resolved through the IGP as the
// forwarding walk resolves them (every path of a multipath set). ok is
// false when the device has no route for p.
func (r *Result) Forwarding(device string, p netip.Prefix) (kind string, hops []netip.Addr, ok bool) {
	dev := r.Net.Device(device)
	if dev == nil || r.state == nil {
		return "", nil, false
	}
	s := r.state
	d := dev.ID
	e, ok := s.fibAt(d, p, true)
	if !ok {
		return "", nil, false
	}
	resolve := func(nh netip.Addr) {
		if _, _, conn := s.topo.connectedRoute(d, nh); conn {
			hops = append(hops, nh)
		} else if rt, ok := s.igp.lookup(d, nh); ok {
			for _, h := range rt.Hops {
				hops = append(hops, h.addr)
			}
		}
	}
	switch e.kind {
	case rkConnected:
		return "local", nil, true
	case rkAggregate:
		return "discard", nil, true
	case rkStatic:
		for _, nh := range e.static.NextHops {
			switch {
			case nh.Discard:
				return "discard", nil, true
			case nh.Addr.IsValid():
				resolve(nh.Addr)
			}
		}
	case rkISIS:
		for _, h := range e.isis.Hops {
			hops = append(hops, h.addr)
		}
	case rkBGP:
		for _, bp := range s.multipathAt(e.prefix, d, e.bgp) {
			resolve(bp.NextHop)
		}
	}
	slices.SortFunc(hops, func(a, b netip.Addr) int { return a.Compare(b) })
	return "forward", slices.Compact(hops), true
}

// hopFail is one way a forwarding step fails: the device the trace ends
// at beyond the current one ("" for none), and why.
type hopFail struct {
	beyond, why string
}

// walkHops is the hop-by-hop forwarding walk of the anycast health rule and
// of reachability, over any forwarding: step says whether a device delivers
// the traffic, else where it forwards and how it fails. Every branch of an
// equal-cost split is walked and every one must arrive: a site whose traffic
// is partly black-holed is not healthy (fail closed). The trace names a path
// that arrived, or the first failure found.
func walkHops[K comparable](start K, name func(K) string, dst netip.Addr, step func(K) (bool, []K, []hopFail)) (bool, []string, string) {
	const (
		unseen = iota
		open
		good
		bad
	)
	st := map[K]int{}
	firstFail := ""
	var failTrace, okTrace []string
	arrivedSomewhere := false
	fail := func(trace []string, x hopFail) {
		if firstFail == "" {
			firstFail, failTrace = x.why, trace
			if x.beyond != "" {
				failTrace = append(append([]string(nil), trace...), x.beyond)
			}
		}
	}
	var visit func(d K, trace []string) bool
	visit = func(d K, trace []string) bool {
		switch st[d] {
		case good:
			return true
		case bad:
			return false
		case open:
			fail(trace, hopFail{"", fmt.Sprintf("forwarding from %s to %s loops at %s", name(start), dst, name(d))})
			return false
		}
		if len(trace) > 64 {
			fail(trace, hopFail{"", fmt.Sprintf("forwarding from %s to %s takes more than 64 hops", name(start), dst)})
			return false
		}
		st[d] = open
		arrived, next, fails := step(d)
		ok := arrived
		if arrived {
			arrivedSomewhere = true
			if okTrace == nil {
				okTrace = trace
			}
		} else {
			ok = len(next) > 0 && len(fails) == 0
			for _, x := range fails {
				fail(trace, x)
			}
			for _, n := range next {
				if !visit(n, append(append([]string(nil), trace...), name(n))) {
					ok = false
				}
			}
		}
		st[d] = bad
		if ok {
			st[d] = good
		}
		return ok
	}
	if visit(start, []string{name(start)}) {
		return true, okTrace, ""
	}
	if firstFail == "" {
		firstFail = fmt.Sprintf("forwarding from %s to %s goes nowhere", name(start), dst)
	}
	if arrivedSomewhere {
		firstFail = "traffic is split over equal-cost paths and not every branch arrives: " + firstFail
	}
	return false, failTrace, firstFail
}

// inside: q lies within p (equal or more specific).
func inside(q, p netip.Prefix) bool { return q.Bits() >= p.Bits() && p.Contains(q.Addr()) }

// bgpOrigin: d originates q into BGP itself (redistributed static or
// connected, aggregate). That is what makes a discard route the network's
// delivery point for q rather than a black hole.
func (s *state) bgpOrigin(d network.DeviceID, q netip.Prefix) bool {
	if s == nil || s.bgp == nil {
		return false
	}
	pid, ok := s.bgp.pid[q]
	if !ok {
		return false
	}
	bp := s.bestAt(pid, int32(d))
	return bp != nil && bp.Local
}

// walk is walkHops on the simulated forwarding, towards address a inside
// target (target's first address, or that of a more specific route inside
// it). Traffic is delivered on a connected subnet, or at a discard route
// (static or aggregate) that lies inside target and that the device
// originates into BGP: the network's own origination of it. Any other
// discard route is a black hole, and a static route forwards to its next
// hop, so a covering static (an edge's 0/0 towards a transit, a stray
// discard for a DC prefix on a backbone router) never counts as arrival.
func (s *state) walk(start network.DeviceID, a netip.Addr, target netip.Prefix, x Exit) (bool, []string, string) {
	name := func(d network.DeviceID) string { return s.net.Devices[d].Name }
	local := func(d network.DeviceID, what string) (bool, []network.DeviceID, []hopFail) {
		if x.Local {
			return true, nil, nil
		}
		return false, nil, []hopFail{{"", fmt.Sprintf("%s keeps traffic to %s inside the network (%s): it does not leave where it must", name(d), a, what)}}
	}
	return walkHops(start, name, a, func(d network.DeviceID) (bool, []network.DeviceID, []hopFail) {
		if d != start && x.into(name(d)) {
			return true, nil, nil
		}
		e, ok := s.lookup(d, a, true)
		if !ok {
			return false, nil, []hopFail{{"", fmt.Sprintf("%s has no route to %s", name(d), a)}}
		}
		var hops []hop
		switch e.kind {
		case rkConnected:
			return local(d, "connected "+e.prefix.String())
		case rkAggregate:
			if inside(e.prefix, target) && s.bgpOrigin(d, e.prefix) {
				return local(d, "aggregate "+e.prefix.String())
			}
			return false, nil, []hopFail{{"", fmt.Sprintf("%s drops traffic to %s: only its aggregate %s covers it", name(d), a, e.prefix)}}
		case rkStatic:
			var next []network.DeviceID
			var fails []hopFail
			handedOff := false
			for _, nh := range e.static.NextHops {
				switch {
				case nh.Discard:
					if inside(e.prefix, target) && s.bgpOrigin(d, e.prefix) {
						return local(d, "discard static "+e.prefix.String())
					}
					fails = append(fails, hopFail{"", fmt.Sprintf("%s drops traffic to %s: discard static route %s", name(d), a, e.prefix)})
				case nh.Addr.IsValid():
					if xi := s.externalAt(nh.Addr); xi >= 0 && x.out(s.external[xi].name) {
						handedOff = true
						continue
					}
					n, f := s.staticHop(d, e.prefix, nh.Addr, a)
					next, fails = append(next, n...), append(fails, f...)
				default:
					fails = append(fails, hopFail{"", fmt.Sprintf("%s forwards %s out of interface %s (static route %s): not followed by the simulation", name(d), a, nh.Interface, e.prefix)})
				}
			}
			if handedOff && len(next) == 0 && len(fails) == 0 {
				return true, nil, nil
			}
			return false, next, fails
		case rkISIS:
			hops = e.isis.Hops
		case rkBGP:
			// Every path of the multipath set is a branch of the walk.
			var fails []hopFail
			handedOff := false
			for _, bp := range s.multipathAt(e.prefix, d, e.bgp) {
				if bp.nhExternal && x.out(bp.FromDevice) {
					handedOff = true
					continue
				}
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
				return handedOff && len(fails) == 0, nil, fails
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
	if mutant == "health-always" {
		return true, nil, ""
	}
	return healthRule(s.net.Devices[x.device].Name, s.net.Anycast[x.service].ReachAny,
		func(p netip.Prefix) (bool, []string, string) { return s.walk(x.device, p.Addr(), p, Exit{Local: true}) })
}

// healthRule is the anycast health rule over a forwarding walk: healthy when
// the edge reaches any of reach; else the reason, from the first failure.
func healthRule(edge string, reach []netip.Prefix, walk func(netip.Prefix) (bool, []string, string)) (bool, []string, string) {
	var reasons []string
	var firstTrace []string
	for _, p := range reach {
		ok, tr, why := walk(p)
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
		// The site counts only when its edge accepts the announcement and
		// selects it (best path, or in the multipath set): an import policy
		// that rejects it takes the site out as surely as a withdrawal, and
		// an edge that prefers another site's route (a local-pref of 0 on
		// the announcer) sends the site no traffic and announces the other
		// site's route to the Internet in its place.
		accepted, selected := false, false
		var why string
		if pid, ok := s.bgp.pid[svc.Prefix.Masked()]; ok && sess >= 0 {
			if nr := s.bgp.ribs[pid].at(int32(x.device)); nr != nil {
				for i, p := range nr.paths {
					if p.session != sess {
						continue
					}
					accepted = true
					if int32(i) == nr.best || slices.Contains(nr.multi, int32(i)) {
						selected = true
					}
				}
				if accepted && !selected && nr.best >= 0 {
					why = fmt.Sprintf("%s prefers another route to %s (via %s, %s), so this site attracts no traffic",
						st.Device, svc.Prefix, nr.paths[nr.best].FromDevice, nr.reason)
				}
			}
		}
		st.Announcing = st.Healthy && st.SessionUp && selected
		switch {
		case st.Healthy && !st.SessionUp:
			st.Reason = "its BGP session to " + st.Device + " is down"
		case st.Healthy && !accepted:
			st.Reason = st.Device + "'s import policy rejects the announcement of " + svc.Prefix.String()
		case st.Healthy && !selected:
			st.Reason = why
			if why == "" {
				st.Reason = st.Device + " does not select the announcement of " + svc.Prefix.String()
			}
		}
		out = append(out, st)
	}
	return out
}

// staticHop follows a static route's next-hop address: to the device that
// owns it on a connected subnet, or recursively through the IGP; an address
// outside the network means the traffic leaves it.
func (s *state) staticHop(d network.DeviceID, q netip.Prefix, nh, a netip.Addr) ([]network.DeviceID, []hopFail) {
	name := s.net.Devices[d].Name
	if ref, ok := s.topo.owner[nh]; ok && ref.dev != d {
		if _, _, conn := s.topo.connectedRoute(d, nh); conn {
			return []network.DeviceID{ref.dev}, nil
		}
	}
	if _, _, conn := s.topo.connectedRoute(d, nh); conn {
		return nil, []hopFail{{nh.String(), fmt.Sprintf("%s forwards %s to %s (static route %s): it leaves the network", name, a, nh, q)}}
	}
	if rt, ok := s.igp.lookup(d, nh); ok {
		var next []network.DeviceID
		for _, h := range rt.Hops {
			next = append(next, h.dev)
		}
		return next, nil
	}
	return nil, []hopFail{{"", fmt.Sprintf("%s cannot resolve next hop %s of static route %s", name, nh, q)}}
}

// externalAt: the external speaker at address a, or -1.
func (s *state) externalAt(a netip.Addr) int {
	for i, x := range s.external {
		if x.addr == a {
			return i
		}
	}
	return -1
}

// staticsResolvedOutsideIGP refuses a static route whose next hop the routers
// would resolve through a route the simulator does not resolve statics over.
// The simulator installs a recursive static when its next hop is on a
// connected subnet or has an IS-IS route (indexStatics, before any BGP run).
// Where the longest match for the next hop in the converged table is instead
// a BGP route, an aggregate or another static, a router resolves the static
// through that (FRR's zebra and IOS resolve recursively over any route; Junos
// installs it only with `resolve`), so whether the route is installed, and
// where it sends traffic, differs by vendor and from what the simulator
// computed. That is the shape of a change that points a critical prefix at a
// BGP-learned address: the simulator would leave the static inactive and pass
// it. It is recorded as a disagreement naming the static, so a change that
// creates it blocks and a network that already has it is reported as already
// broken.
//
// A next hop that only a default route covers is refused the same way,
// whatever the default was learned from: FRR resolves no next hop through
// 0/0 without `ip nht resolve-via-default` (FRRouting/frr#7731) and Junos
// installs no unresolved static, but IOS resolves recursively through the
// default and installs it. The simulator leaves it inactive (or, through an
// IS-IS level-1 default, active), which is right for one family of routers
// and wrong for another; a typo'd next hop on an IOS edge points the prefix
// at the transit.
func (s *state) staticsResolvedOutsideIGP() {
	refuse := func(d *network.Device, st network.StaticRoute, reason string) {
		s.disagree(Disagreement{
			Kind: "static-route", Unsimulated: true,
			Object:  fmt.Sprintf("static route %s on %s", st.Prefix.Masked(), d.Name),
			Devices: []string{d.Name},
			Leaves:  []string{d.Name + " " + st.Path},
			Reason:  reason,
		})
	}
	for _, d := range s.net.Devices {
		for _, st := range d.Statics {
			for _, h := range st.NextHops {
				if h.Discard || !h.Addr.IsValid() {
					continue
				}
				if _, _, ok := s.topo.connectedRoute(d.ID, h.Addr); ok {
					continue
				}
				e, ok := s.lookup(d.ID, h.Addr, true)
				if !ok {
					continue
				}
				if e.prefix.Bits() == 0 {
					if e.kind == rkStatic && st.Prefix.Bits() == 0 {
						continue // the default itself: it never resolves through itself
					}
					refuse(d, st, fmt.Sprintf("its next hop %s is covered only by a default route (%s): routers differ on resolving a static through a default (IOS does, FRR only with ip nht resolve-via-default, Junos does not) and backstop does not model it",
						h.Addr, map[routeKind]string{rkBGP: "learned over BGP", rkAggregate: "a BGP aggregate", rkStatic: "a static route", rkISIS: "from IS-IS"}[e.kind]))
					continue
				}
				if e.kind == rkISIS || e.kind == rkConnected {
					continue
				}
				if e.kind == rkStatic && e.prefix == st.Prefix.Masked() {
					continue // its own prefix: never resolves itself, the IGP's answer stands
				}
				what := map[routeKind]string{rkBGP: "a BGP route", rkAggregate: "a BGP aggregate", rkStatic: "another static route"}[e.kind]
				refuse(d, st, fmt.Sprintf("its next hop %s resolves through %s (%s), not through a connected subnet or IS-IS: routers differ on resolving a static over it (FRR and IOS do, Junos only with resolve) and backstop does not model it",
					h.Addr, what, e.prefix))
			}
		}
	}
}

// sessionsOverBGP refuses a BGP session the simulator left down for want of
// a route to the peer when the converged table does have one, learned over
// BGP. The simulator brings sessions up over connected subnets, IS-IS and
// statics only (reachable); a router opens the TCP connection over whatever
// its FIB holds, and whether bgpd's next-hop tracking accepts a BGP route
// for the peer differs by vendor and release. Leaving such a session down in
// both running and candidate would hide whatever the change does to the
// routes it carries (loopbacks learned over an eBGP underlay, say), so the
// session is named instead.
func (s *state) sessionsOverBGP() {
	overBGP := func(d network.DeviceID, a netip.Addr) (netip.Prefix, bool) {
		if !a.IsValid() || s.reachable(d, a) {
			return netip.Prefix{}, false
		}
		e, ok := s.lookup(d, a, true)
		return e.prefix, ok && e.kind == rkBGP && e.prefix.Bits() > 0
	}
	for i := range s.sessions {
		ss := &s.sessions[i]
		if ss.Established || !ss.noRoute {
			continue
		}
		type end struct {
			dev  network.DeviceID
			addr netip.Addr
			nb   *network.Neighbor
		}
		da := s.net.Devices[ss.a]
		ends := []end{{ss.a, ss.Neighbor, &da.BGP.Neighbors[ss.aNbr]}}
		if ss.externalNode >= 0 {
			if !ends[0].nb.Multihop {
				continue // single-hop eBGP needs the shared subnet, whatever the FIB holds
			}
			ends[0].addr = s.external[ss.externalNode].addr
		} else if ss.bNbr >= 0 {
			db := s.net.Devices[ss.b]
			nb := &db.BGP.Neighbors[ss.bNbr]
			ends = append(ends, end{ss.b, nb.Address, nb})
		}
		for _, x := range ends {
			p, ok := overBGP(x.dev, x.addr)
			if !ok {
				continue
			}
			name := s.net.Devices[x.dev].Name
			devs := []string{ss.Device}
			if !ss.External {
				devs = append(devs, ss.Peer)
			}
			s.disagree(Disagreement{
				Kind: "bgp-session", Unsimulated: true,
				Object:  sessionObject(ss.Device, ss.Neighbor, ss.Peer, ss.LocalAddr),
				Devices: devs,
				Leaves:  []string{name + " " + x.nb.Path},
				Reason: fmt.Sprintf("%s reaches %s only through the BGP route %s: whether a session comes up over BGP "+
					"routes depends on the vendor's next-hop tracking, and backstop does not model it (it takes the "+
					"session as down)", name, x.addr, p),
			})
			break
		}
	}
}
