package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/models/network"
)

// MaxIterations bounds the anycast/aggregate fixed point.
const MaxIterations = 16

type localOrigin struct {
	node int32
	path *Path
}

// state is one simulation run.
type state struct {
	net      *network.Network
	topo     *topology
	igp      *igp
	external []externalNode
	sessions []Session
	built    []Session // the sessions as buildSessions left them, before any prefix limit
	nodeSess [][]sessEnd

	staticIdx    []map[netip.Prefix][]int // per device: prefix -> static routes
	staticActive [][]bool
	// staticSel: per device and static route, the route as installed: the
	// usable next hops of the lowest preference (then metric), and that
	// preference as its administrative distance (floating statics).
	staticSel [][]installedStatic
	aggIdx    []map[netip.Prefix]int
	// fibLens: the lengths of every prefix lookup can find without BGP
	// (connected, static, aggregate, IS-IS, and 0 for the level-1 default).
	fibLens    lengths
	aggActive  [][]bool
	announcing []bool // per external node

	bgp   *bgpResult
	local [][]localOrigin // per prefix id
	// Prefixes with the same prefix-set membership on every device and the
	// same originations propagate identically: BGP runs once per class, and a
	// class computed in an earlier fixed-point iteration is reused.
	psSig     []string
	ownPrefix map[int]bool // prefixesHoldingNextHops
	ribCache  map[string]*prefixRIB
	// setIndex holds an index of every prefix-set too large to scan on each
	// policy evaluation; built before any evaluation and read-only after, so
	// the parallel class propagation shares it without locks.
	setIndex map[*network.PrefixSet]*network.RangeIndex

	nextHops nhTable       // BGP next hops resolved through the IGP, for the run
	workers  []*propagator // propagation's scratch, one per worker, kept across iterations

	bgpUnknown    *unknownSink   // statements BGP propagation could not interpret, taken per class
	localUnknown  *unknownSink   // same for redistribution, rebuilt by computeLocal
	disagreements []Disagreement // BGP sessions refused (sessions.go)
}

// Run simulates the network. It never fails: problems in the network are
// results (links down, sessions not established, non-convergence in Notes).
func Run(n *network.Network) *Result {
	s := &state{net: n, bgpUnknown: newUnknownSink()}
	s.topo = buildTopology(n)
	s.igp = buildIGP(s.topo)
	s.external = buildExternal(n)
	s.indexStatics()
	// Sessions check reachability through lookup, which reads aggActive.
	s.aggActive = make([][]bool, len(n.Devices))
	for _, d := range n.Devices {
		s.aggActive[d.ID] = make([]bool, len(d.Aggregates))
	}
	s.sessions = s.buildSessions()
	s.built = slices.Clone(s.sessions)
	s.buildSessionIndex()
	s.announcing = make([]bool, len(s.external))
	for i := range s.external {
		s.announcing[i] = true // announcers start healthy, as in steady state
	}
	s.indexPrefixes()
	prepareSets(s)

	res := &Result{adv: &advCache{}, Net: n, Links: s.topo.links, Adjacencies: s.igp.adjs, Sessions: s.sessions,
		igp: s.igp, topo: s.topo, external: s.external}
	var seen []string
	for it := 1; ; it++ {
		res.Iterations = it
		s.computeLocal()
		s.runBGP()
		for s.enforcePrefixLimits() {
			s.buildSessionIndex()
			s.ribCache = nil
			s.runBGP()
		}
		before := s.aggregateState()
		sig := s.updateDependents()
		s.revalidate(before)
		if len(seen) > 0 && sig == seen[len(seen)-1] {
			res.Converged = true
			break
		}
		if slices.Contains(seen, sig) {
			res.Notes = append(res.Notes, fmt.Sprintf(
				"anycast health and aggregates oscillate: the state after iteration %d repeats an earlier one", it))
			break
		}
		seen = append(seen, sig)
		if it >= MaxIterations {
			res.Notes = append(res.Notes, fmt.Sprintf("no fixed point after %d iterations", it))
			break
		}
	}
	s.workers = nil // the scratch is not part of the result
	s.staticsResolvedOutsideIGP()
	s.sessionsOverBGP()
	for pid, r := range s.bgp.ribs {
		if r != nil && !r.converged {
			res.Converged = false
			res.Notes = append(res.Notes, fmt.Sprintf("BGP for %s does not converge (route oscillation)", s.bgp.prefixes[pid]))
		}
	}
	res.Sessions = s.sessions // revalidate may have rebuilt them
	res.bgp = s.bgp
	res.Anycast = s.anycastStatus()
	res.state = s
	// Link and IS-IS refusals (agree.go, agree_isis.go) join whatever other
	// stages recorded; one sort keeps the list deterministic.
	res.Disagreements = append(res.Disagreements, s.disagreements...) // BGP sessions
	res.Disagreements = append(res.Disagreements, s.topo.disagree...)
	res.Disagreements = append(res.Disagreements, s.igp.disagree...)
	res.Disagreements = sortDisagreements(res.Disagreements)
	return res
}

func (s *state) indexStatics() {
	n := s.net
	s.staticIdx = make([]map[netip.Prefix][]int, len(n.Devices))
	s.staticActive = make([][]bool, len(n.Devices))
	s.aggIdx = make([]map[netip.Prefix]int, len(n.Devices))
	for _, d := range n.Devices {
		s.staticIdx[d.ID] = map[netip.Prefix][]int{}
		s.staticActive[d.ID] = make([]bool, len(d.Statics))
		for i, st := range d.Statics {
			s.staticIdx[d.ID][st.Prefix.Masked()] = append(s.staticIdx[d.ID][st.Prefix.Masked()], i)
		}
		s.aggIdx[d.ID] = map[netip.Prefix]int{}
		for i, a := range d.Aggregates {
			s.aggIdx[d.ID][a.Prefix.Masked()] = i
		}
	}
	s.fibLens = s.topo.connLens.clone()
	for _, d := range n.Devices {
		for p := range s.staticIdx[d.ID] {
			s.fibLens.add(p)
		}
		for p := range s.aggIdx[d.ID] {
			s.fibLens.add(p)
		}
	}
	if s.igp != nil { // IS-IS origins, and 0 for the level-1 default
		s.fibLens.addAll(s.igp.lens)
	}
	// A static route is usable when one of its next hops is: a discard, or
	// an address on an up connected subnet (or reachable through the IGP:
	// recursive statics), or an up interface. Of the usable next hops only
	// those of the lowest preference (the administrative distance; 0 is the
	// default, 1) are installed, then the lowest metric: a floating static
	// (preference 250 behind a BGP default) waits until the others are gone,
	// and when installed it competes with other protocols by that distance.
	s.staticSel = make([][]installedStatic, len(n.Devices))
	for _, d := range n.Devices {
		s.staticSel[d.ID] = make([]installedStatic, len(d.Statics))
		for i, st := range d.Statics {
			sel := &s.staticSel[d.ID][i]
			sel.route = network.StaticRoute{Prefix: st.Prefix, Path: st.Path}
			for _, h := range st.NextHops {
				if !s.staticHopUsable(d, h) {
					continue
				}
				pref := max(h.Preference, 1)
				switch {
				case len(sel.route.NextHops) == 0 || pref < sel.dist || pref == sel.dist && h.Metric < sel.metric:
					sel.route.NextHops = []network.StaticNextHop{h}
					sel.dist, sel.metric = pref, h.Metric
				case pref == sel.dist && h.Metric == sel.metric:
					sel.route.NextHops = append(sel.route.NextHops, h)
				}
			}
			s.staticActive[d.ID][i] = len(sel.route.NextHops) > 0
		}
	}
}

type installedStatic struct {
	route  network.StaticRoute
	dist   uint32
	metric uint32
}

func (s *state) staticHopUsable(d *network.Device, h network.StaticNextHop) bool {
	switch {
	case h.Discard:
		return true
	case h.Addr.IsValid():
		if _, _, ok := s.topo.connectedRoute(d.ID, h.Addr); ok {
			return true
		}
		rt, ok := s.igp.lookup(d.ID, h.Addr)
		return ok && len(rt.Hops) > 0
	case h.Interface != "":
		k := ifaceIndex(d, h.Interface)
		return k >= 0 && s.topo.ifUp(d.ID, k)
	}
	return false
}

// indexPrefixes collects every prefix BGP may carry: what redistribution can
// originate and what external speakers announce.
func (s *state) indexPrefixes() {
	set := map[netip.Prefix]bool{}
	for _, d := range s.net.Devices {
		if d.BGP == nil {
			continue
		}
		for _, tc := range d.TableConnections {
			for _, p := range s.sourceRoutes(d, tc.Src, true) {
				set[p] = true
			}
		}
	}
	for _, x := range s.external {
		for _, p := range x.announces {
			set[p.Masked()] = true
		}
	}
	b := &bgpResult{pid: map[netip.Prefix]int32{}}
	for p := range set {
		b.prefixes = append(b.prefixes, p)
	}
	sort.Slice(b.prefixes, func(i, j int) bool { return prefixLess(b.prefixes[i], b.prefixes[j]) })
	b.fibLens = s.fibLens.clone()
	for i, p := range b.prefixes {
		b.pid[p] = int32(i)
		b.lens[p.Bits()] = true
		b.fibLens.add(p)
	}
	b.ribs = make([]*prefixRIB, len(b.prefixes))
	s.bgp = b
	s.local = make([][]localOrigin, len(b.prefixes))
}

// sourceRoutes lists d's routes of a protocol that redistribution can take.
// all=true lists aggregates whatever their state (for indexing).
func (s *state) sourceRoutes(d *network.Device, proto network.Protocol, all bool) []netip.Prefix {
	var out []netip.Prefix
	switch proto {
	case network.ProtoConnected:
		for p := range s.topo.connected[d.ID] {
			out = append(out, p)
		}
	case network.ProtoStatic:
		for i, st := range d.Statics {
			if s.staticActive[d.ID][i] {
				out = append(out, st.Prefix.Masked())
			}
		}
	case network.ProtoLocalAggregate:
		for i, a := range d.Aggregates {
			if all || s.aggActive[d.ID][i] {
				out = append(out, a.Prefix.Masked())
			}
		}
	case network.ProtoISIS:
		for _, rt := range s.igp.routes(d.ID) {
			out = append(out, rt.Prefix)
		}
	}
	sort.Slice(out, func(i, j int) bool { return prefixLess(out[i], out[j]) })
	return slices.Compact(out)
}

// computeLocal rebuilds every prefix's local originations for the current
// aggregate and announcer state.
func (s *state) computeLocal() {
	s.localUnknown = newUnknownSink()
	for i := range s.local {
		s.local[i] = s.local[i][:0]
	}
	for _, d := range s.net.Devices {
		if d.BGP == nil {
			continue
		}
		taken := map[netip.Prefix]bool{}
		for _, tc := range d.TableConnections {
			for _, p := range s.sourceRoutes(d, tc.Src, false) {
				if taken[p] {
					continue
				}
				path := &Path{Origin: OriginIncomplete, LocalPref: 100, Local: true, Source: tc.Src, session: -1,
					HasMED: tc.Src != network.ProtoLocalAggregate}
				ctx := &policyCtx{dev: d, prefix: p, unknown: s.localUnknown, sets: s.setIndex}
				if !applyChain(ctx, tc.Import, network.ResultAccept, path) {
					continue
				}
				taken[p] = true
				pid := s.bgp.pid[p]
				s.local[pid] = append(s.local[pid], localOrigin{int32(d.ID), path})
			}
		}
	}
	for i, x := range s.external {
		if !s.announcing[i] {
			continue
		}
		node := int32(len(s.net.Devices) + i)
		for _, p := range x.announces {
			pid := s.bgp.pid[p.Masked()]
			s.local[pid] = append(s.local[pid], localOrigin{node, &Path{Local: true, Origin: OriginIGP, session: -1}})
		}
	}
}

// updateDependents recomputes aggregate activity and anycast announcements
// from the current routing, and returns a signature of that state.
func (s *state) updateDependents() string {
	var b strings.Builder
	for _, d := range s.net.Devices {
		for i, a := range d.Aggregates {
			s.aggActive[d.ID][i] = s.hasContributor(d, a.Prefix.Masked())
			b.WriteByte("01"[btoi(s.aggActive[d.ID][i])])
		}
	}
	b.WriteByte('|')
	for i, x := range s.external {
		if x.service >= 0 {
			ok, _, _ := s.healthy(x)
			s.announcing[i] = ok
		}
		b.WriteByte("01"[btoi(s.announcing[i])])
	}
	return b.String()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// hasContributor: an aggregate is active while the device has a more specific
// route inside it from any source other than the aggregate itself.
func (s *state) hasContributor(d *network.Device, agg netip.Prefix) bool {
	inside := func(p netip.Prefix) bool { return p.Bits() > agg.Bits() && agg.Contains(p.Addr()) }
	for p := range s.topo.connected[d.ID] {
		if inside(p) {
			return true
		}
	}
	for i, st := range d.Statics {
		if s.staticActive[d.ID][i] && inside(st.Prefix.Masked()) {
			return true
		}
	}
	for l := 1; l <= 2; l++ {
		for p := range s.igp.origins[l] {
			if inside(p) {
				if _, ok := s.igp.route(d.ID, p); ok {
					return true
				}
			}
		}
	}
	for pid, p := range s.bgp.prefixes {
		if inside(p) && s.bestAt(int32(pid), int32(d.ID)) != nil {
			return true
		}
	}
	return false
}

// aggregateState copies which aggregates are active, for revalidate.
func (s *state) aggregateState() [][]bool {
	out := make([][]bool, len(s.aggActive))
	for d, a := range s.aggActive {
		out[d] = slices.Clone(a)
	}
	return out
}

// revalidate drops what an iteration worked out from the FIB without BGP
// when aggregates changed state under it. Session reachability and the IGP
// cost of every BGP next hop are looked up while the aggregates still hold
// the previous iteration's state (all inactive in the first), and both are
// kept across iterations. An aggregate that becomes active (or goes) and is
// the longest match for a peer address or a next hop changes the answer: its
// discard route, not the IGP, then resolves it, and the path is unusable.
// Keeping the first answer would simulate a network that never exists, so
// the sessions are rebuilt and the next-hop table and the per-class RIBs are
// dropped when, and only when, such an answer changes; the next iteration
// then computes them under the new state (a flip always makes one more
// iteration: it changes the signature).
func (s *state) revalidate(before [][]bool) {
	var flipped []network.DeviceID
	for d := range before {
		if !slices.Equal(before[d], s.aggActive[d]) {
			flipped = append(flipped, network.DeviceID(d))
		}
	}
	if len(flipped) == 0 {
		return
	}
	stale := false
	// Prefix limits tear sessions down during the run; compare with the
	// sessions as built, and let the next iteration enforce the limits again.
	if rebuilt := s.buildSessions(); !sameEstablishment(rebuilt, s.built) {
		s.sessions, s.built = rebuilt, slices.Clone(rebuilt)
		s.buildSessionIndex()
		s.workers = nil // sized by the sessions
		stale = true
	}
	for _, d := range flipped {
		if stale {
			break
		}
		var changed []netip.Prefix
		for i, a := range s.net.Devices[d].Aggregates {
			if before[d][i] != s.aggActive[d][i] {
				changed = append(changed, a.Prefix.Masked())
			}
		}
		for a, e := range s.nextHops.entries {
			if e.cost[d].Load() == 0 || !slices.ContainsFunc(changed, func(p netip.Prefix) bool { return p.Contains(a) }) {
				continue
			}
			now, _ := s.lookup(d, a, false)
			cur := s.aggActive[d]
			s.aggActive[d] = before[d]
			then, _ := s.lookup(d, a, false)
			s.aggActive[d] = cur
			// The cost and resolvesThroughItself both follow from the
			// matched route's prefix and kind.
			if now.prefix != then.prefix || now.kind != then.kind {
				stale = true
				break
			}
		}
	}
	if stale {
		s.nextHops = nhTable{}
		for _, w := range s.workers {
			clear(w.nextHop)
		}
		s.ribCache = nil
	}
}

func sameEstablishment(a, b []Session) bool {
	return slices.EqualFunc(a, b, func(x, y Session) bool {
		return x.Device == y.Device && x.Neighbor == y.Neighbor && x.Established == y.Established && x.Reason == y.Reason
	})
}
