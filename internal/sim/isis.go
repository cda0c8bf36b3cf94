package sim

import (
	"container/heap"
	"math"
	"net/netip"
	"slices"
	"sort"
	"sync"

	"github.com/backstop-net/backstop/models/network"
)

const inf = math.MaxUint32

// hop is one IGP next hop: the next router, the local interface and the
// neighbor's address on the link.
type hop struct {
	dev        network.DeviceID
	localIface int
	addr       netip.Addr
}

type isisEdge struct {
	to     network.DeviceID
	metric uint32
	h      hop
}

type isisOrigin struct {
	dev    network.DeviceID
	metric uint32
}

type spfTree struct {
	dist  []uint32
	first [][]hop
}

// igp holds IS-IS adjacencies, SPF trees and advertised prefixes per level
// (index 1 and 2; 0 unused).
type igp struct {
	t       *topology
	levels  []network.Level // effective instance levels, 0 when IS-IS is off
	adj     [3][][]isisEdge
	spf     [3][]*spfTree
	origins [3]map[netip.Prefix][]isisOrigin
	// prefixes: every origin's prefix of both levels, sorted, once
	prefixes []netip.Prefix
	lens     lengths // of the origins' prefixes, and 0 (the level-1 default)
	// attached: L1/L2 routers with an L2 adjacency (set the ATT bit)
	attached []bool
	// overloaded: the overload bit is set (ISO 10589 §7.2.8.1, RFC 3787
	// §9): SPF does not go through the router, its own prefixes stay reachable
	overloaded []bool
	adjs       []Adjacency
	// IS-IS parameters both ends of an adjacency must agree on and do not,
	// missing NETs, duplicate system IDs (agree_isis.go)
	disagree []Disagreement
}

type costVal struct {
	cost uint32
	ok   bool
}

func isisIface(d *network.Device, name string) *network.ISISInterface {
	if d.ISIS == nil {
		return nil
	}
	for i := range d.ISIS.Interfaces {
		if d.ISIS.Interfaces[i].Interface == name {
			return &d.ISIS.Interfaces[i]
		}
	}
	return nil
}

func sharesArea(a, b *network.ISIS) bool {
	for _, x := range a.Areas {
		for _, y := range b.Areas {
			if x == y {
				return true
			}
		}
	}
	return false
}

func metricOf(ii *network.ISISInterface, level int) uint32 {
	if m := ii.Metric[level-1]; m != 0 {
		return m
	}
	return 10
}

func buildIGP(t *topology) *igp {
	n := t.net
	g := &igp{t: t, levels: make([]network.Level, len(n.Devices)), attached: make([]bool, len(n.Devices)),
		overloaded: make([]bool, len(n.Devices))}
	g.instanceLevels()
	for _, d := range n.Devices {
		g.overloaded[d.ID] = g.levels[d.ID] != 0 && d.ISIS.Overload
	}
	for l := 1; l <= 2; l++ {
		g.adj[l] = make([][]isisEdge, len(n.Devices))
		g.origins[l] = map[netip.Prefix][]isisOrigin{}
	}
	// Adjacencies: an up link whose two ends run IS-IS, not passive, on a common level.
	for li, lk := range t.links {
		if !lk.Up {
			continue
		}
		da, db := n.Devices[lk.a], n.Devices[lk.b]
		ia, ib := isisIface(da, lk.AIface), isisIface(db, lk.BIface)
		if ia == nil || ib == nil || !ia.Enabled || !ib.Enabled || ia.Passive || ib.Passive {
			continue
		}
		if g.levels[lk.a] == 0 || g.levels[lk.b] == 0 {
			g.notRunning(&t.links[li], da, db, ia, ib)
			continue
		}
		common := g.adjacencyLevels(&t.links[li], da, db, ia, ib)
		ai, bi := ifaceIndex(da, lk.AIface), ifaceIndex(db, lk.BIface)
		for l := 1; l <= 2; l++ {
			if !common.Has(l) {
				continue
			}
			mab, mba := metricOf(ia, l), metricOf(ib, l)
			if mutant == "isis-metric-plus-one" {
				mab, mba = mab+1, mba+1
			}
			g.adjs = append(g.adjs, Adjacency{A: lk.A, B: lk.B, AIface: lk.AIface, BIface: lk.BIface, Level: l, MetricAB: mab, MetricBA: mba})
			// RFC 5305 §3.7: a link at the maximum wide metric MUST NOT be
			// used in SPF. The adjacency stays up (it is a drain, not a
			// failure), but the link carries nothing in either direction:
			// the two-way check fails once one direction is left out.
			if mab >= maxWideMetric || mba >= maxWideMetric {
				continue
			}
			g.adj[l][lk.a] = append(g.adj[l][lk.a], isisEdge{lk.b, mab, hop{lk.b, ai, addrIn(db.Interfaces[bi], lk.Subnet)}})
			g.adj[l][lk.b] = append(g.adj[l][lk.b], isisEdge{lk.a, mba, hop{lk.a, bi, addrIn(da.Interfaces[ai], lk.Subnet)}})
			if l == 2 {
				g.attached[lk.a], g.attached[lk.b] = true, true
			}
		}
	}
	// Advertised prefixes: the subnets of every IS-IS interface that is up, passive included.
	for _, d := range n.Devices {
		if g.levels[d.ID] == 0 {
			continue
		}
		for k := range d.ISIS.Interfaces {
			ii := &d.ISIS.Interfaces[k]
			idx := ifaceIndex(d, ii.Interface)
			if !ii.Enabled || idx < 0 || !t.ifUp(d.ID, idx) {
				continue
			}
			for _, a := range d.Interfaces[idx].Addresses {
				for l := 1; l <= 2; l++ {
					if (g.levels[d.ID] & ii.Levels).Has(l) {
						g.origins[l][a.Masked()] = append(g.origins[l][a.Masked()], isisOrigin{d.ID, metricOf(ii, l)})
					}
				}
			}
		}
	}
	g.runSPF(1)
	// L1/L2 routers carry their level-1 prefixes into level 2 (the default
	// behaviour of every IS-IS implementation without a leak policy).
	for _, d := range n.Devices {
		if g.levels[d.ID] != network.Level12 {
			continue
		}
		for p, os := range g.origins[1] {
			best := uint64(inf)
			for _, o := range os {
				if dd := g.spf[1][d.ID].dist[o.dev]; dd != inf {
					if c := uint64(dd) + uint64(o.metric); c <= maxPathMetric && c < best {
						best = c
					}
				}
			}
			if best != inf {
				g.origins[2][p] = append(g.origins[2][p], isisOrigin{d.ID, uint32(best)})
			}
		}
	}
	g.runSPF(2)
	for l := 1; l <= 2; l++ {
		for p := range g.origins[l] {
			g.lens.add(p)
			g.prefixes = append(g.prefixes, p)
		}
	}
	// Sorted once, so routes (asked once per device by the policy stage
	// and the route dump) neither builds a set nor sorts per device.
	slices.SortFunc(g.prefixes, func(a, b netip.Prefix) int {
		if prefixLess(a, b) {
			return -1
		}
		if prefixLess(b, a) {
			return 1
		}
		return 0
	})
	g.prefixes = slices.Compact(g.prefixes)
	g.lens.add(netip.PrefixFrom(netip.IPv4Unspecified(), 0))
	g.lens.add(netip.PrefixFrom(netip.IPv6Unspecified(), 0))
	sort.Slice(g.adjs, func(i, j int) bool {
		a, b := g.adjs[i], g.adjs[j]
		if a.A+a.AIface != b.A+b.AIface {
			return a.A+a.AIface < b.A+b.AIface
		}
		return a.Level < b.Level
	})
	return g
}

func (g *igp) runSPF(level int) {
	n := len(g.t.net.Devices)
	g.spf[level] = make([]*spfTree, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for s := 0; s < n; s++ {
		if !g.levels[s].Has(level) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(s int) {
			defer wg.Done()
			g.spf[level][s] = dijkstra(g.adj[level], network.DeviceID(s), g.overloaded)
			<-sem
		}(s)
	}
	wg.Wait()
}

type pqItem struct {
	dev  network.DeviceID
	dist uint32
}
type pq []pqItem

func (q pq) Len() int { return len(q) }
func (q pq) Less(i, j int) bool {
	if q[i].dist != q[j].dist {
		return q[i].dist < q[j].dist
	}
	return q[i].dev < q[j].dev
}
func (q pq) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)   { *q = append(*q, x.(pqItem)) }
func (q *pq) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// dijkstra computes distances and the ECMP set of first hops to every router.
// An overloaded router is reached but not gone through (unless it is the
// source: its own routes are unaffected). Path metrics are summed in 64 bits
// and a path above MAX_PATH_METRIC is not used, so nothing wraps around.
func dijkstra(adj [][]isisEdge, src network.DeviceID, overloaded []bool) *spfTree {
	n := len(adj)
	t := &spfTree{dist: make([]uint32, n), first: make([][]hop, n)}
	for i := range t.dist {
		t.dist[i] = inf
	}
	t.dist[src] = 0
	done := make([]bool, n)
	q := &pq{{src, 0}}
	for q.Len() > 0 {
		it := heap.Pop(q).(pqItem)
		u := it.dev
		if done[u] || it.dist != t.dist[u] {
			continue
		}
		done[u] = true
		if u != src && overloaded != nil && overloaded[u] {
			continue
		}
		for _, e := range adj[u] {
			sum := uint64(t.dist[u]) + uint64(e.metric)
			if sum > maxPathMetric {
				continue
			}
			nd := uint32(sum)
			var fh []hop
			if u == src {
				fh = []hop{e.h}
			} else {
				fh = t.first[u]
			}
			switch {
			case nd < t.dist[e.to]:
				t.dist[e.to] = nd
				t.first[e.to] = append([]hop(nil), fh...)
				heap.Push(q, pqItem{e.to, nd})
			case nd == t.dist[e.to] && !done[e.to]:
				t.first[e.to] = mergeHops(t.first[e.to], fh)
			}
		}
	}
	return t
}

func mergeHops(a, b []hop) []hop {
	for _, h := range b {
		dup := false
		for _, x := range a {
			if x.dev == h.dev && x.localIface == h.localIface {
				dup = true
				break
			}
		}
		if !dup {
			a = append(a, h)
		}
	}
	sort.Slice(a, func(i, j int) bool {
		if a[i].dev != a[j].dev {
			return a[i].dev < a[j].dev
		}
		return a[i].localIface < a[j].localIface
	})
	return a
}

// isisRoute is router r's IS-IS route to prefix p: metric, level and next hops.
type isisRoute struct {
	Prefix netip.Prefix
	Metric uint32
	Level  int
	Hops   []hop
}

// route returns r's IS-IS route for exactly p. A router's own connected
// prefixes are not IS-IS routes. Its hops may be the SPF tree's own slice
// (clipped, so an append copies): callers only read them, and next-hop
// resolution asks for tens of thousands of routes per run.
func (g *igp) route(r network.DeviceID, p netip.Prefix) (isisRoute, bool) {
	if g.levels[r] == 0 {
		return isisRoute{}, false
	}
	if _, own := g.t.connected[r][p]; own {
		return isisRoute{}, false
	}
	for _, l := range []int{1, 2} { // level 1 routes are preferred over level 2
		if !g.levels[r].Has(l) {
			continue
		}
		tree := g.spf[l][r]
		best := uint32(inf)
		var hops []hop
		owned := false // hops is a copy, not the tree's (clipped) slice
		for _, o := range g.origins[l][p] {
			if o.dev == r || tree.dist[o.dev] == inf {
				continue
			}
			sum := uint64(tree.dist[o.dev]) + uint64(o.metric)
			if sum > maxPathMetric {
				continue
			}
			c := uint32(sum)
			switch {
			case c < best:
				best, hops, owned = c, slices.Clip(tree.first[o.dev]), false
			case c == best:
				if !owned {
					hops, owned = slices.Clone(hops), true
				}
				hops = mergeHops(hops, tree.first[o.dev])
			}
		}
		if best != inf && len(hops) > 0 {
			return isisRoute{p, best, l, hops}, true
		}
	}
	// A level-1-only router reaches the rest of the domain through the nearest
	// attached L1/L2 router (the ATT bit default route).
	if p.Bits() == 0 && g.levels[r] == network.Level1 {
		tree := g.spf[1][r]
		best := uint32(inf)
		var hops []hop
		owned := false
		for d, att := range g.attached {
			// An overloaded L1/L2 router is not a way out of the area: the
			// default route would transit it (fail closed).
			if !att || g.overloaded[d] || network.DeviceID(d) == r || tree.dist[d] == inf {
				continue
			}
			c := tree.dist[d]
			switch {
			case c < best:
				best, hops, owned = c, slices.Clip(tree.first[d]), false
			case c == best:
				if !owned {
					hops, owned = slices.Clone(hops), true
				}
				hops = mergeHops(hops, tree.first[d])
			}
		}
		if best != inf {
			return isisRoute{p, best, 1, hops}, true
		}
	}
	return isisRoute{}, false
}

// routes lists every IS-IS route of r, sorted by prefix.
func (g *igp) routes(r network.DeviceID) []isisRoute {
	var out []isisRoute
	def := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	hasDef := false
	for _, p := range g.prefixes {
		hasDef = hasDef || p == def
		if rt, ok := g.route(r, p); ok {
			out = append(out, rt)
		}
	}
	if !hasDef {
		// The level-1 default (ATT bit) has no origin of its own.
		if rt, ok := g.route(r, def); ok {
			out = append(out, rt)
			sort.Slice(out, func(i, j int) bool { return prefixLess(out[i].Prefix, out[j].Prefix) })
		}
	}
	return out
}

// lookup is the longest-prefix IS-IS route of r covering a.
func (g *igp) lookup(r network.DeviceID, a netip.Addr) (isisRoute, bool) {
	for _, bits := range g.lens.of(a) {
		p, _ := a.Prefix(bits)
		if len(g.origins[1][p]) == 0 && len(g.origins[2][p]) == 0 && bits != 0 {
			continue
		}
		if rt, ok := g.route(r, p); ok {
			return rt, true
		}
	}
	return isisRoute{}, false
}
