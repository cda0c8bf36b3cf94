package sim

import (
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/backstop-net/backstop/models/network"
)

// Well-known communities (RFC 1997, RFC 7999).
const (
	CommunityNoExport          network.Community = 0xFFFFFF01
	CommunityNoAdvertise       network.Community = 0xFFFFFF02
	CommunityNoExportSubconfed network.Community = 0xFFFFFF03
	CommunityBlackhole         network.Community = 0xFFFF029A // 65535:666
)

// sessEnd is one end of an established session as seen from a node.
type sessEnd struct {
	s    int32
	side uint8 // 0: this node is the session's A end, 1: its B end
	peer int32 // the node at the other end
}

// nodeRIB is one node's paths for one prefix: Adj-RIB-In after import policy
// plus local originations, and the best path.
type nodeRIB struct {
	node   int32
	paths  []*Path
	keys   []int32 // per path: 2*session+side it arrived on, -1 local
	best   int32   // index into paths, -1 none
	multi  []int32 // multipath set (best included) when multipath is configured and more than one path qualifies
	reason string  // why the best path won against the runner-up
}

// prefixRIB is the outcome of propagating one prefix through the network.
type prefixRIB struct {
	nodes     []nodeRIB // sorted by node
	converged bool
	unknown   []PolicyUnknown // unknown statements the class's routes reached
	recv      []int32         // session ends (2*session+side) sent the route at the fixed point, before import policy
	// dropped: per receiving end of an external speaker, why it drops the
	// route it is sent (loop detection, next hop off its subnet).
	dropped map[int32]string
}

func (r *prefixRIB) at(node int32) *nodeRIB {
	i := sort.Search(len(r.nodes), func(i int) bool { return r.nodes[i].node >= node })
	if i < len(r.nodes) && r.nodes[i].node == node {
		return &r.nodes[i]
	}
	return nil
}

// bgpResult holds every prefix's RIBs.
type bgpResult struct {
	prefixes []netip.Prefix // sorted
	pid      map[netip.Prefix]int32
	lens     [129]bool    // prefix lengths present, to skip empty LPM probes
	fibLens  lengths      // state.fibLens and these prefixes' lengths: what lookup with BGP probes
	ribs     []*prefixRIB // per prefix; members of a class share one
	classes  int
}

func (s *state) nodeCount() int { return len(s.net.Devices) + len(s.external) }

func (s *state) isExternal(node int32) bool { return int(node) >= len(s.net.Devices) }

// neighborAt is the neighbor config of the node at the given end of session si.
func (s *state) neighborAt(si int32, side uint8) *network.Neighbor {
	ss := &s.sessions[si]
	if side == 0 {
		return &s.net.Devices[ss.a].BGP.Neighbors[ss.aNbr]
	}
	if ss.External {
		return nil
	}
	return &s.net.Devices[ss.b].BGP.Neighbors[ss.bNbr]
}

// localAddrAt is the address the node at the given end speaks from.
func (s *state) localAddrAt(si int32, side uint8) netip.Addr {
	ss := &s.sessions[si]
	if side == 0 {
		return ss.LocalAddr
	}
	return ss.Neighbor
}

func (s *state) nodeOf(si int32, side uint8) int32 {
	ss := &s.sessions[si]
	if side == 0 {
		return int32(ss.a)
	}
	if ss.External {
		return int32(len(s.net.Devices) + ss.externalNode)
	}
	return int32(ss.b)
}

func (s *state) buildSessionIndex() {
	s.nodeSess = make([][]sessEnd, s.nodeCount())
	for i := range s.sessions {
		ss := &s.sessions[i]
		if !ss.Established {
			continue
		}
		a, b := s.nodeOf(int32(i), 0), s.nodeOf(int32(i), 1)
		s.nodeSess[a] = append(s.nodeSess[a], sessEnd{int32(i), 0, b})
		s.nodeSess[b] = append(s.nodeSess[b], sessEnd{int32(i), 1, a})
	}
}

func (s *state) routerID(node int32) netip.Addr {
	if s.isExternal(node) {
		return s.external[int(node)-len(s.net.Devices)].addr
	}
	if b := s.net.Devices[node].BGP; b != nil {
		return b.RouterID
	}
	return netip.Addr{}
}

func (s *state) clusterID(d *network.Device) netip.Addr {
	if d.BGP.ClusterID.IsValid() {
		return d.BGP.ClusterID
	}
	return d.BGP.RouterID
}

func (s *state) nodeName(node int32) string {
	if s.isExternal(node) {
		return s.external[int(node)-len(s.net.Devices)].name
	}
	return s.net.Devices[node].Name
}

// propagator is one worker's scratch for propagate, reused from class to
// class: a network of 1,000 routers propagates hundreds of classes over
// thousands of sessions, and per-class maps and a fresh path per export and
// per import were most of the simulator's time and allocations. Node and
// session-end state is dense, stamped with the class's generation instead of
// cleared; each advertisement is exported and imported into the two scratch
// paths, and only a path a RIB keeps is allocated.
type propagator struct {
	s       *state
	gen     uint32
	nodeGen []uint32  // per node: gen while rib[node] belongs to the class
	rib     []nodeRIB // per node
	touched []int32   // nodes with a RIB in the class
	inQueue []bool    // per node
	queue   []int32
	endGen  []uint32 // per session end: gen once sent[end] is written
	sent    []bool   // per receiving session end: advertised to it now
	ends    []int32  // session ends written in the class
	exp     Path     // what the sender exports
	imp     Path     // what the receiver makes of it
	intern  interner
	nextHop map[netip.Addr]*nhEntry // this worker's view of state.nextHops
	slab    []Path                  // where keep takes paths from
}

func (s *state) newPropagator() *propagator {
	nodes, ends := s.nodeCount(), 2*len(s.sessions)
	return &propagator{s: s, nodeGen: make([]uint32, nodes), rib: make([]nodeRIB, nodes), inQueue: make([]bool, nodes),
		endGen: make([]uint32, ends), sent: make([]bool, ends), nextHop: map[netip.Addr]*nhEntry{}}
}

// ribAt is node n's RIB in the class, or nil.
func (w *propagator) ribAt(n int32) *nodeRIB {
	if w.nodeGen[n] != w.gen {
		return nil
	}
	return &w.rib[n]
}

// get is node n's RIB in the class, started empty (keeping the scratch
// slices' arrays) on first use.
func (w *propagator) get(n int32) *nodeRIB {
	r := &w.rib[n]
	if w.nodeGen[n] != w.gen {
		w.nodeGen[n] = w.gen
		*r = nodeRIB{node: n, paths: r.paths[:0], keys: r.keys[:0], best: -1, multi: r.multi[:0]}
		w.touched = append(w.touched, n)
	}
	return r
}

func (w *propagator) push(n int32) {
	if !w.inQueue[n] {
		w.inQueue[n] = true
		w.queue = append(w.queue, n)
	}
}

func (w *propagator) setSent(end int32, v bool) {
	if w.endGen[end] != w.gen {
		w.endGen[end] = w.gen
		w.ends = append(w.ends, end)
	}
	w.sent[end] = v
}

// keep copies a scratch path for a RIB to hold. Nearly every path a class
// keeps is in its final RIBs (the worklist sends a route over a session
// about once), so paths are cut from slabs: millions of them per run on a
// 1,000-router network, one allocation per slab instead of per path.
func (w *propagator) keep(p *Path) *Path {
	if len(w.slab) == 0 {
		w.slab = make([]Path, 256)
	}
	c := &w.slab[0]
	w.slab = w.slab[1:]
	copyPath(c, p)
	return c
}

// propagate computes one prefix's routing to a fixed point with a FIFO
// worklist: a node whose best path changes re-advertises to its peers.
func (w *propagator) propagate(pid int32) *prefixRIB {
	s := w.s
	prefix := s.bgp.prefixes[pid]
	w.gen++
	w.touched, w.ends, w.queue = w.touched[:0], w.ends[:0], w.queue[:0]
	w.intern.reset()
	var dropped map[int32]string // per receiving end of an external speaker: why it drops the route
	for _, lo := range s.local[pid] {
		r := w.get(lo.node)
		r.paths = append(r.paths, lo.path)
		r.keys = append(r.keys, -1)
		s.selectBest(r)
		w.push(lo.node)
	}
	limit := 64 * (s.nodeCount() + 1)
	steps := 0
	converged := true
	head := 0
	for head < len(w.queue) {
		n := w.queue[head]
		head++
		w.inQueue[n] = false
		if steps++; steps > limit {
			converged = false
			break
		}
		var best *Path
		var bestKey int32 = -2
		if r := w.ribAt(n); r != nil && r.best >= 0 {
			best, bestKey = r.paths[r.best], r.keys[r.best]
		}
		for _, e := range s.nodeSess[n] {
			var out *Path
			if best != nil && bestKey != 2*e.s+int32(e.side) && // never back to the sender
				s.export(w, n, e, best, bestKey, prefix, &w.exp) {
				out = &w.exp
			}
			m := e.peer
			var in *Path
			if out != nil && s.importPath(w, m, e, out, prefix, &w.imp) {
				in = &w.imp
			}
			key := 2*e.s + int32(1-e.side) // the end at which m receives
			w.setSent(key, out != nil)
			delete(dropped, key)
			if out != nil && in == nil && s.isExternal(m) {
				if dropped == nil {
					dropped = map[int32]string{}
				}
				dropped[key] = s.externalDrop(m, e, out)
			}
			if in == nil && w.ribAt(m) == nil {
				continue
			}
			rm := w.get(m)
			idx := slices.Index(rm.keys, key)
			if idx >= 0 && in != nil && pathEqual(rm.paths[idx], in) {
				continue
			}
			if idx < 0 && in == nil {
				continue
			}
			var prevBest *Path
			if rm.best >= 0 {
				prevBest = rm.paths[rm.best]
			}
			switch {
			case in == nil:
				rm.paths = slices.Delete(rm.paths, idx, idx+1)
				rm.keys = slices.Delete(rm.keys, idx, idx+1)
			case idx >= 0:
				rm.paths[idx] = w.keep(in)
			default:
				rm.paths = append(rm.paths, w.keep(in))
				rm.keys = append(rm.keys, key)
			}
			if s.isExternal(m) {
				continue // external speakers only record what they are sent
			}
			s.selectBest(rm)
			var nb *Path
			if rm.best >= 0 {
				nb = rm.paths[rm.best]
			}
			if nb != prevBest {
				w.push(m)
			}
		}
	}
	for _, n := range w.queue[head:] { // left by a class that does not converge
		w.inQueue[n] = false
	}
	out := &prefixRIB{converged: converged}
	// The RIBs leave the scratch: one array each for their paths, keys and
	// multipath sets, in node order.
	slices.Sort(w.touched)
	var nodes, paths, multi int
	for _, n := range w.touched {
		if r := &w.rib[n]; len(r.paths) > 0 {
			nodes, paths, multi = nodes+1, paths+len(r.paths), multi+len(r.multi)
		}
	}
	if nodes > 0 {
		out.nodes = make([]nodeRIB, 0, nodes)
		pa, ka, ma := make([]*Path, paths), make([]int32, paths), make([]int32, multi)
		for _, n := range w.touched {
			r := w.rib[n]
			k := len(r.paths)
			if k == 0 {
				continue
			}
			r.paths, pa = pa[:k:k], pa[k:]
			r.keys, ka = ka[:k:k], ka[k:]
			copy(r.paths, w.rib[n].paths)
			copy(r.keys, w.rib[n].keys)
			if k := len(w.rib[n].multi); k > 0 {
				r.multi, ma = ma[:k:k], ma[k:]
				copy(r.multi, w.rib[n].multi)
			} else {
				r.multi = nil
			}
			out.nodes = append(out.nodes, r)
		}
	}
	for _, k := range w.ends {
		if w.sent[k] {
			out.recv = append(out.recv, k)
		}
	}
	slices.Sort(out.recv)
	if len(dropped) > 0 {
		out.dropped = dropped
	}
	return out
}

// export builds in p what node n advertises over session end e, and reports
// false when its rules or its export policy suppress the route.
func (s *state) export(w *propagator, n int32, e sessEnd, best *Path, bestKey int32, prefix netip.Prefix, p *Path) bool {
	ss := &s.sessions[e.s]
	if s.isExternal(n) {
		// External speakers advertise only what they originate.
		if !best.Local {
			return false
		}
		x := s.external[int(n)-len(s.net.Devices)]
		*p = Path{NextHop: x.addr, ASPath: w.intern.prepend(nil, x.asn), Origin: OriginIGP}
		return true
	}
	d := s.net.Devices[n]
	nb := s.neighborAt(e.s, e.side)
	ibgp := ss.IBGP
	// RFC 1997 well-known communities, checked on the route as selected
	// (before export policy), as FRR does: NO_ADVERTISE goes to no peer,
	// NO_EXPORT to no eBGP peer, and NO_EXPORT_SUBCONFED is NO_EXPORT in a
	// network without confederations.
	if slices.Contains(best.Communities, CommunityNoAdvertise) {
		return false
	}
	if !ibgp && (slices.Contains(best.Communities, CommunityNoExport) || slices.Contains(best.Communities, CommunityNoExportSubconfed)) {
		return false
	}
	learnedIBGP := !best.Local && !best.EBGP
	if ibgp && learnedIBGP {
		// RFC 4456: a route reflector reflects client routes to everyone and
		// non-client routes to clients only; others never re-advertise iBGP routes.
		from := s.neighborAt(best.session, sideOf(bestKey))
		fromClient := from != nil && from.RRClient
		if !fromClient && !nb.RRClient {
			return false
		}
	}
	copyPath(p, best)
	ctx := s.policyCtx(d, prefix)
	implicit := network.ResultReject // RFC 8212 for eBGP
	if ibgp {
		implicit = network.ResultAccept
	}
	if !applyChain(ctx, nb.Export, implicit, p) {
		return false
	}
	local := s.localAddrAt(e.s, e.side)
	if ibgp {
		switch {
		case ctx.nhAddr.IsValid():
			p.NextHop = ctx.nhAddr
		case best.Local || ctx.nhSelf || !p.NextHop.IsValid():
			p.NextHop = local
		}
		// LOCAL_PREF 0 is a real value (the least preferred), not "unset":
		// every path already carries one (100 at eBGP import and at
		// origination), so nothing is defaulted here.
		if learnedIBGP {
			if !p.OriginatorID.IsValid() {
				p.OriginatorID = best.PeerRID
			}
			p.ClusterList = w.intern.cluster(s.clusterID(d), p.ClusterList)
		}
	} else {
		// local-as: the peer sees local-as then the global AS, FRR's and
		// Cisco's default (OpenConfig has no no-prepend / replace-as).
		if nb.LocalAS != d.BGP.AS && d.BGP.AS != 0 {
			p.ASPath = w.intern.prepend(w.intern.prepend(p.ASPath, d.BGP.AS), nb.LocalAS)
		} else {
			p.ASPath = w.intern.prepend(p.ASPath, nb.LocalAS)
		}
		if ctx.nhAddr.IsValid() {
			p.NextHop = ctx.nhAddr
		} else {
			p.NextHop = local
		}
		p.LocalPref = 0
		// MED is non-transitive (RFC 4271 5.1.4): only a locally set or locally
		// originated MED crosses an AS boundary.
		if !ctx.medSet && !best.Local {
			p.MED, p.HasMED = 0, false
		}
		p.OriginatorID, p.ClusterList = netip.Addr{}, nil
	}
	return true
}

func sideOf(key int32) uint8 { return uint8(key & 1) }

// importPath applies the receiving node's checks and import policy to an
// advertisement, building in p (not in) what the receiver holds; false means
// rejected.
func (s *state) importPath(w *propagator, m int32, e sessEnd, in *Path, prefix netip.Prefix, p *Path) bool {
	ss := &s.sessions[e.s]
	side := 1 - e.side
	copyPath(p, in)
	p.session, p.fromB = e.s, side == 0
	p.Source, p.EBGP, p.Local = network.ProtoBGP, !ss.IBGP, false
	n := s.nodeOf(e.s, e.side) // the sender (e is its end of the session)
	p.FromDevice = s.nodeName(n)
	p.PeerRID = s.routerID(n)
	p.FromPeer = s.localAddrAt(e.s, e.side)
	if s.isExternal(m) {
		// External speakers run AS-path loop detection too (RFC 4271 9.1.2):
		// prepending a transit's own AS makes it drop the route.
		return s.externalDrop(m, e, p) == ""
	}
	d := s.net.Devices[m]
	nb := s.neighborAt(e.s, side)
	p.PeerAS = nb.PeerAS
	// AS-path loop detection (RFC 4271 9.1.2) runs on every received route,
	// iBGP too: FRR 8.4 drops an iBGP route carrying its own AS (scenario
	// ibgp-own-as-prepend, confirmed on FRR), as Junos does without `loops`.
	// Nothing prepends on iBGP by itself, but an export policy can.
	if slices.Contains(p.ASPath, nb.LocalAS) || slices.Contains(p.ASPath, d.BGP.AS) {
		return false
	}
	if ss.IBGP {
		// RFC 4456 loop prevention; an unset router-id matches nothing.
		if id := d.BGP.RouterID; id.IsValid() && p.OriginatorID == id {
			return false
		}
		if cid := s.clusterID(d); cid.IsValid() && slices.Contains(p.ClusterList, cid) && mutant != "cluster-loop-off" {
			return false
		}
	} else {
		// Routes received on a local-as session carry the local-as too
		// (FRR's default without no-prepend).
		if nb.LocalAS != d.BGP.AS && d.BGP.AS != 0 {
			p.ASPath = w.intern.prepend(p.ASPath, nb.LocalAS)
		}
		p.LocalPref = 100
	}
	ctx := s.policyCtx(d, prefix)
	implicit := network.ResultReject
	if ss.IBGP {
		implicit = network.ResultAccept
	}
	if !applyChain(ctx, nb.Import, implicit, p) {
		return false
	}
	if ctx.nhAddr.IsValid() {
		p.NextHop = ctx.nhAddr
	}
	s.resolveNextHop(w, network.DeviceID(m), p)
	if p.IGPCost != inf && s.resolvesThroughItself(network.DeviceID(m), p.NextHop, prefix) {
		p.IGPCost = inf
	}
	// Single-hop eBGP: the next hop must be on a subnet shared with the
	// receiver (FRR's connected check, RFC 4271 5.1.3); a third-party next
	// hop elsewhere leaves the route unusable, even if the IGP could reach it.
	if !ss.IBGP && !nb.Multihop && p.IGPCost != inf {
		if _, _, ok := s.topo.connectedRoute(network.DeviceID(m), p.NextHop); !ok {
			p.IGPCost = inf
		}
	}
	return true
}

// externalDrop says why external speaker m drops path p sent over session
// end e, or "" when it keeps it.
func (s *state) externalDrop(m int32, e sessEnd, p *Path) string {
	x := &s.external[int(m)-len(s.net.Devices)]
	if slices.Contains(p.ASPath, x.asn) {
		return fmt.Sprintf("%s drops it: its own AS %d is in the AS path (loop detection)", x.name, x.asn)
	}
	// A single-hop external speaker applies the connected check too (RFC
	// 4271 5.1.3; FRR without disable-connected-check): a next hop off the
	// subnet it shares with us leaves the route unusable there, so it
	// neither uses nor passes it on. Its subnet is the running network's
	// (PinExternalPeers): the speaker's interface does not change with
	// our candidate.
	sub := netip.Prefix{}
	if x.expect != nil {
		sub = x.expect.Subnet
	} else if nb := s.neighborAt(e.s, e.side); nb != nil {
		sub = speakerSubnet(s.net.Devices[s.sessions[e.s].a], nb)
	}
	if sub.IsValid() && !sub.Contains(p.NextHop) {
		return fmt.Sprintf("%s cannot use it: next hop %s is not on the subnet %s it shares with %s (single-hop eBGP connected check)",
			x.name, p.NextHop, sub, s.net.Devices[s.sessions[e.s].a].Name)
	}
	return ""
}

// resolveNextHop fills the IGP cost and the owner of the next hop. An
// unresolvable next hop leaves the path ineligible (IGPCost = inf).
func (s *state) resolveNextHop(w *propagator, d network.DeviceID, p *Path) {
	// A path copied from a peer carries the peer's resolution: a route
	// learned from an external speaker and re-advertised with next-hop-self
	// must not stay "external" here.
	p.IGPCost, p.nhExternal, p.nhDevice = inf, false, 0
	nh := p.NextHop
	e := w.nextHop[nh]
	if e == nil {
		e = s.nextHops.entry(s, nh)
		w.nextHop[nh] = e
	}
	if e.owned {
		p.nhDevice = e.owner
		if e.owner == d {
			return // our own address: never a usable next hop
		}
	} else {
		p.nhExternal = true
	}
	c := e.cost[d].Load()
	if c == 0 {
		cv := s.nextHopCost(d, nh)
		if c = costUnresolved; cv.ok {
			c = cv.cost + costBase
		}
		// The first answer of the run stands, as the cache this replaces
		// kept it: a later fixed-point iteration reuses it.
		if !e.cost[d].CompareAndSwap(0, c) {
			c = e.cost[d].Load()
		}
	}
	if c >= costBase {
		p.IGPCost = c - costBase
	}
}

// nhTable holds, for the whole run, what every device's IGP makes of every
// BGP next hop: a network has few distinct next hops (loopbacks and session
// addresses, 918 on a 1,000-router netgen backbone) but millions of imports,
// and a map keyed by (device, address) behind a sync.Map cost more than the
// rest of the import. Workers look an address up in their own map and share
// its entry; the per-device costs are atomic cells.
type nhTable struct {
	mu      sync.Mutex
	entries map[netip.Addr]*nhEntry
}

type nhEntry struct {
	owner network.DeviceID // the device whose address it is, when owned
	owned bool
	cost  []atomic.Uint32 // per device: 0 not asked yet, costUnresolved, or costBase + IGP cost
}

const (
	costUnresolved = 1
	costBase       = 2 // IGP costs are at most maxPathMetric, far from overflowing
)

func (t *nhTable) entry(s *state, a netip.Addr) *nhEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.entries[a]; e != nil {
		return e
	}
	e := &nhEntry{cost: make([]atomic.Uint32, len(s.net.Devices))}
	if ref, ok := s.topo.owner[a]; ok {
		e.owner, e.owned = ref.dev, true
	}
	if t.entries == nil {
		t.entries = map[netip.Addr]*nhEntry{}
	}
	t.entries[a] = e
	return e
}

// nextHopCost resolves next hop nh through d's IGP.
func (s *state) nextHopCost(d network.DeviceID, nh netip.Addr) costVal {
	cv := costVal{}
	if _, _, ok := s.topo.connectedRoute(d, nh); ok {
		cv = costVal{0, true}
	} else if e, ok := s.lookup(d, nh, false); ok && e.prefix.Bits() > 0 {
		// A default route never resolves a BGP next hop (FRR without
		// `ip nht resolve-via-default`; see reachable).
		switch e.kind {
		case rkISIS:
			cv = costVal{e.isis.Metric, true}
		case rkStatic:
			for _, h := range e.static.NextHops {
				if !h.Discard {
					cv = costVal{0, true}
				}
			}
		}
	}
	return cv
}

// resolvesThroughItself reports whether next hop nh would be resolved
// through the route for prefix itself: a loopback /32 redistributed into BGP
// that reaches the other routers with its own address as next hop. FRR's
// next-hop tracking refuses that (bgpd: a next hop is not resolved via the
// route it is the next hop of) and never selects the path, even though the
// IGP's route for the same prefix would resolve it; Junos and IOS resolve it
// over the IGP. The simulator takes FRR's rule: a path it cannot be sure of
// is not used (fail closed), and conformance then needs no exception for
// this and its knock-on effects (what a reflector or an eBGP neighbour passes
// on, which other originator wins).
func (s *state) resolvesThroughItself(d network.DeviceID, nh netip.Addr, prefix netip.Prefix) bool {
	if !prefix.Contains(nh) {
		return false
	}
	if r, _, ok := s.topo.connectedRoute(d, nh); ok {
		return r == prefix
	}
	e, ok := s.lookup(d, nh, false)
	return ok && e.prefix == prefix
}

// copyPath copies a path for export, import or a RIB. Its slices (AS path,
// communities, cluster list) are shared, not copied: they are immutable once
// built — every policy action and every prepend builds a new slice
// (applyActions, setCommunities, interner) — and copying them on every
// advertisement was the largest allocation of propagation. Clip keeps that
// safe should a future change append to one: with no spare capacity, append
// copies instead of writing into the shared array.
func copyPath(dst, src *Path) {
	*dst = *src
	dst.ASPath = slices.Clip(src.ASPath)
	dst.Communities = slices.Clip(src.Communities)
	dst.ClusterList = slices.Clip(src.ClusterList)
}

// interner shares the slices exports prepend to: a route reflector prepends
// its cluster id to the same (usually empty) list for every client, and an
// eBGP speaker its AS to the same path for every peer. Slices are never
// modified in place (copyPath), so a slice and its length name its contents,
// and equal prepends can return one slice. The maps are emptied per class
// (reset) so they do not grow with the run.
type interner struct {
	clusters map[clusterKey][]netip.Addr
	asPaths  map[asPathKey][]uint32
}

type clusterKey struct {
	id   netip.Addr
	tail *netip.Addr // the list prepended to: its first element, nil when empty
	n    int
}

type asPathKey struct {
	as   uint32
	tail *uint32
	n    int
}

func (x *interner) reset() {
	clear(x.clusters)
	clear(x.asPaths)
}

// cluster is [id] + list.
func (x *interner) cluster(id netip.Addr, list []netip.Addr) []netip.Addr {
	k := clusterKey{id: id, n: len(list)}
	if len(list) > 0 {
		k.tail = &list[0]
	}
	if v, ok := x.clusters[k]; ok {
		return v
	}
	v := make([]netip.Addr, 1+len(list))
	v[0] = id
	copy(v[1:], list)
	if x.clusters == nil {
		x.clusters = map[clusterKey][]netip.Addr{}
	}
	x.clusters[k] = v
	return v
}

// prepend is [as] + path.
func (x *interner) prepend(path []uint32, as uint32) []uint32 {
	k := asPathKey{as: as, n: len(path)}
	if len(path) > 0 {
		k.tail = &path[0]
	}
	if v, ok := x.asPaths[k]; ok {
		return v
	}
	v := make([]uint32, 1+len(path))
	v[0] = as
	copy(v[1:], path)
	if x.asPaths == nil {
		x.asPaths = map[asPathKey][]uint32{}
	}
	x.asPaths[k] = v
	return v
}

func pathEqual(a, b *Path) bool {
	return a.NextHop == b.NextHop && slices.Equal(a.ASPath, b.ASPath) && a.Origin == b.Origin &&
		a.LocalPref == b.LocalPref && a.MED == b.MED && a.HasMED == b.HasMED &&
		slices.Equal(a.Communities, b.Communities) && a.OriginatorID == b.OriginatorID &&
		slices.Equal(a.ClusterList, b.ClusterList) && a.IGPCost == b.IGPCost && a.FromPeer == b.FromPeer &&
		a.session == b.session && a.fromB == b.fromB
}

// runBGP propagates every prefix class not computed yet, in parallel: classes
// are independent once sessions and the IGP are fixed.
func (s *state) runBGP() {
	if s.ribCache == nil {
		s.ribCache = map[string]*prefixRIB{}
	}
	keys := make([]string, len(s.bgp.prefixes))
	var todo []int32
	pending := map[string]bool{}
	if s.ownPrefix == nil {
		s.ownPrefix = s.prefixesHoldingNextHops()
	}
	for pid := range s.bgp.prefixes {
		k := s.psSig[pid] + "|" + s.originKey(int32(pid))
		if s.ownPrefix[pid] {
			// resolvesThroughItself depends on the prefix itself: it
			// cannot share its propagation with other prefixes.
			k += "|" + s.bgp.prefixes[pid].String()
		}
		keys[pid] = k
		if _, done := s.ribCache[k]; !done && !pending[k] {
			pending[k] = true
			todo = append(todo, int32(pid))
		}
	}
	out := make([]*prefixRIB, len(todo))
	var wg sync.WaitGroup
	work := make(chan int)
	for len(s.workers) < runtime.GOMAXPROCS(0) {
		s.workers = append(s.workers, s.newPropagator())
	}
	for _, w := range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = s.propagateClass(w, todo[i])
			}
		}()
	}
	for i := range todo {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, pid := range todo {
		s.ribCache[keys[pid]] = out[i]
	}
	for pid := range s.bgp.prefixes {
		s.bgp.ribs[pid] = s.ribCache[keys[pid]]
	}
	s.bgp.classes = len(s.ribCache)
}

// prefixesHoldingNextHops marks the BGP prefixes that contain an address of
// the network (an interface, a loopback, an external speaker's end): only
// their paths can have a next hop inside their own prefix.
func (s *state) prefixesHoldingNextHops() map[int]bool {
	out := map[int]bool{}
	for a := range s.topo.owner {
		for bits := a.BitLen(); bits >= 0; bits-- {
			p, _ := a.Prefix(bits)
			if i, ok := s.bgp.pid[p]; ok {
				out[int(i)] = true
			}
		}
	}
	return out
}

// originKey describes a prefix's local originations (who, with which attributes).
func (s *state) originKey(pid int32) string {
	var b strings.Builder
	for _, lo := range s.local[pid] {
		p := lo.path
		fmt.Fprintf(&b, "%d:%d:%d:%t:%d:%v:%v:%d;", lo.node, p.LocalPref, p.MED, p.HasMED, p.Source, p.Communities, p.ASPath, p.Origin)
	}
	return b.String()
}

// prefixSetSignatures gives each prefix a string of its membership in every
// distinct prefix-set of the network (identical sets on many devices count
// once). One index over the entries of all sets answers each prefix with the
// sets that match it: scanning every entry of every set for every prefix was
// quadratic in network size (data-centre sets grow with the prefixes).
func (s *state) prefixSetSignatures() []string {
	sets := s.distinctPrefixSets()
	var idx network.RangeIndex
	for i, ps := range sets {
		for _, e := range ps.Entries {
			idx.Add(e, int32(i))
		}
	}
	sig := make([]string, len(s.bgp.prefixes))
	buf := make([]byte, (len(sets)+7)/8)
	for pid, p := range s.bgp.prefixes {
		clear(buf)
		idx.Match(p, func(i int32) bool {
			buf[i/8] |= 1 << (i % 8)
			return true
		})
		sig[pid] = string(buf)
	}
	return sig
}

// distinctPrefixSets is one set per distinct entry list in the network, in
// a stable order: the bit positions of the signatures.
func (s *state) distinctPrefixSets() []*network.PrefixSet {
	uniq := map[string]*network.PrefixSet{}
	for _, d := range s.net.Devices {
		for _, ps := range d.PrefixSets {
			uniq[fmt.Sprint(ps.Entries)] = ps
		}
	}
	keys := make([]string, 0, len(uniq))
	for k := range uniq {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sets := make([]*network.PrefixSet, len(keys))
	for i, k := range keys {
		sets[i] = uniq[k]
	}
	return sets
}

// prepareSets readies prefix-set matching for a run. It is a variable so
// that tests can swap in the linear scans the indexes replaced and compare
// whole runs (TestIndexedSetsRunAsLinear).
var prepareSets = (*state).indexPrefixSets

// indexPrefixSets computes the prefix classes' set signatures and indexes
// the prefix-sets too large to scan per evaluation (network.PrefixSet.Index).
func (s *state) indexPrefixSets() {
	s.psSig = s.prefixSetSignatures()
	s.setIndex = map[*network.PrefixSet]*network.RangeIndex{}
	for _, d := range s.net.Devices {
		for _, ps := range d.PrefixSets {
			if len(ps.Entries) > linearSetMax {
				s.setIndex[ps] = ps.Index()
			}
		}
	}
}

// linearSetMax is the set size up to which a scan is as fast as a lookup in
// an index (one map probe per distinct entry length).
const linearSetMax = 8

// bestAt is device d's best path for prefix id pid, or nil.
func (s *state) bestAt(pid int32, node int32) *Path {
	r := s.bgp.ribs[pid]
	if r == nil {
		return nil
	}
	nr := r.at(node)
	if nr == nil || nr.best < 0 {
		return nil
	}
	return nr.paths[nr.best]
}

// enforcePrefixLimits tears down every established session on which a router
// receives more prefixes than its max-prefixes allows (counted before import
// policy, as Junos does and as fails closed: FRR counts after it), unless
// prevent-teardown is set. A torn-down session stays down, as on a real
// router until it is cleared, so this only ever removes sessions and the
// caller's loop ends. It reports whether anything was torn down.
func (s *state) enforcePrefixLimits() bool {
	limited := false
	for i := range s.sessions {
		if !s.sessions[i].Established { // unpaired sessions have no B-end neighbor
			continue
		}
		for side := uint8(0); side < 2; side++ {
			if nb := s.neighborAt(int32(i), side); nb != nil && nb.MaxPrefixes > 0 && !nb.PreventTeardown {
				limited = true
			}
		}
	}
	if !limited {
		return false
	}
	count := map[int32]uint32{}
	for _, rib := range s.bgp.ribs {
		if rib == nil {
			continue
		}
		for _, k := range rib.recv {
			count[k]++
		}
	}
	changed := false
	for i := range s.sessions {
		ss := &s.sessions[i]
		if !ss.Established {
			continue
		}
		for side := uint8(0); side < 2; side++ {
			nb := s.neighborAt(int32(i), side)
			got := count[2*int32(i)+int32(side)]
			if nb == nil || nb.MaxPrefixes == 0 || nb.PreventTeardown || got <= nb.MaxPrefixes {
				continue
			}
			recv, from := s.nodeName(s.nodeOf(int32(i), side)), s.nodeName(s.nodeOf(int32(i), 1-side))
			ss.Established = false
			ss.Reason = fmt.Sprintf("%s receives %d prefixes from %s, above its max-prefixes %d: the session is torn down",
				recv, got, from, nb.MaxPrefixes)
			ss.Limit = &PrefixLimit{Device: recv, Neighbor: nb.Address, Received: got, Max: nb.MaxPrefixes}
			const pl = "afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/ipv4-unicast/prefix-limit/config/max-prefixes"
			dg := Disagreement{Kind: "bgp-session", Devices: []string{recv}, Reason: ss.Reason,
				Leaves: []string{recv + " " + nb.LeafPath(pl)}}
			if other := s.neighborAt(int32(i), 1-side); other != nil {
				dg.Devices = append(dg.Devices, from)
				dg.Leaves = append(dg.Leaves, from+" "+other.Path)
				dg.Object = sessionObject(recv, nb.Address, from, other.Address)
			} else {
				dg.Object = "bgp session " + recv + " " + nb.Address.String() + " — " + from
			}
			s.disagree(dg)
			changed = true
			break
		}
	}
	return changed
}
