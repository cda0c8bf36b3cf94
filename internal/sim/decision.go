package sim

import (
	"net/netip"
	"slices"

	"github.com/backstop-net/backstop/models/network"
)

// The BGP decision process as a chain of small comparisons, each returning
// which path wins (-1: a, +1: b, 0: tie) so the reason can be reported, as
// FRR's selectionReason and GoBGP's BestPathReason do.

type step struct {
	reason string
	cmp    func(a, b *Path) int
}

func cmpBool(a, b bool) int { // true wins
	switch {
	case a && !b:
		return -1
	case b && !a:
		return 1
	}
	return 0
}

func cmpLow[T ~uint32 | ~uint8 | ~int](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func firstAS(p *Path) uint32 {
	if len(p.ASPath) == 0 {
		return 0
	}
	return p.ASPath[0]
}

var decision = []step{
	// Locally originated routes win first: FRR and Cisco give them weight 32768.
	{"locally originated", func(a, b *Path) int { return cmpBool(a.Local, b.Local) }},
	{"local-pref", func(a, b *Path) int {
		if mutant == "local-pref-ignored" {
			return 0
		}
		return -cmpLow(a.LocalPref, b.LocalPref)
	}},
	{"as-path length", func(a, b *Path) int {
		if mutant == "as-path-ignored" {
			return 0
		}
		return cmpLow(len(a.ASPath), len(b.ASPath))
	}},
	{"origin", func(a, b *Path) int { return cmpLow(a.Origin, b.Origin) }},
	{"med", func(a, b *Path) int {
		// Compared only between paths from the same neighbouring AS (RFC 4271 9.1.2.2).
		if firstAS(a) != firstAS(b) && mutant != "med-across-as" {
			return 0
		}
		return cmpLow(a.MED, b.MED)
	}},
	{"ebgp over ibgp", func(a, b *Path) int {
		if mutant == "ebgp-ibgp-swapped" {
			return -cmpBool(a.EBGP, b.EBGP)
		}
		return cmpBool(a.EBGP, b.EBGP)
	}},
	{"igp cost", func(a, b *Path) int {
		if mutant == "igp-cost-reversed" {
			return -cmpLow(a.IGPCost, b.IGPCost)
		}
		return cmpLow(a.IGPCost, b.IGPCost)
	}},
	{"router-id", func(a, b *Path) int {
		ra, rb := a.PeerRID, b.PeerRID
		if a.OriginatorID.IsValid() {
			ra = a.OriginatorID
		}
		if b.OriginatorID.IsValid() {
			rb = b.OriginatorID
		}
		return ra.Compare(rb)
	}},
	{"cluster-list length", func(a, b *Path) int { return cmpLow(len(a.ClusterList), len(b.ClusterList)) }},
	{"neighbor address", func(a, b *Path) int { return a.FromPeer.Compare(b.FromPeer) }},
}

// compare returns <0 when a is better, >0 when b is, and the deciding step.
func compare(a, b *Path) (int, string) {
	for _, st := range decision {
		if c := st.cmp(a, b); c != 0 {
			return c, st.reason
		}
	}
	return 0, "identical"
}

// eligible: a path whose next hop does not resolve cannot be used.
func eligible(p *Path) bool { return p.Local || p.IGPCost != inf }

// selectBest picks the best eligible path and records the step that beat the
// runner-up. Paths identical in every step fall back to arrival key order, so
// the result never depends on map or goroutine order.
//
// MED is comparable only between paths from the same neighbouring AS, so a
// pairwise scan is not transitive and its result depends on path order.
// Deterministic MED (FRR's `bgp deterministic-med`, Cisco's
// `bgp deterministic-med`, Junos's default): the best of each neighbouring AS
// first, then the best of those winners.
func (s *state) selectBest(r *nodeRIB) {
	better := func(i, j int) bool {
		c, _ := compare(r.paths[i], r.paths[j])
		return c < 0 || (c == 0 && r.keys[i] < r.keys[j])
	}
	// The best of each neighbouring AS, kept in AS order: a node has a
	// handful of paths, so a small slice beats a map (this runs on every
	// RIB change of propagation).
	type group struct {
		as   uint32
		best int
	}
	var buf [8]group
	groups := buf[:0]
	for i, p := range r.paths {
		if !eligible(p) {
			continue
		}
		as := firstAS(p)
		k, found := slices.BinarySearchFunc(groups, as, func(g group, as uint32) int { return cmpLow(g.as, as) })
		if !found {
			groups = slices.Insert(groups, k, group{as, i})
			continue
		}
		if better(i, groups[k].best) {
			groups[k].best = i
		}
	}
	best := -1
	for _, g := range groups {
		if best < 0 || better(g.best, best) {
			best = g.best
		}
	}
	runner := -1
	for i, p := range r.paths {
		if i == best || !eligible(p) {
			continue
		}
		if runner < 0 || better(i, runner) {
			runner = i
		}
	}
	r.best, r.reason, r.multi = int32(best), "", r.multi[:0] // reuses propagate's scratch
	if best >= 0 && s.net != nil && !s.isExternal(r.node) {
		s.multipath(r, best)
	}
	switch {
	case best < 0:
	case runner < 0:
		r.reason = "only path"
	default:
		_, r.reason = compare(r.paths[best], r.paths[runner])
	}
}

// multiStep is the last decision step multipath ignores: paths that tie with
// the best through the IGP cost are equal-cost (RFC 4271 9.1.2.2 ends there;
// router-id and the later steps only break ties).
var multiSteps = map[string]bool{"router-id": true, "cluster-list length": true, "neighbor address": true, "identical": true}

// multipath fills r.multi: FRR's rules. Paths equal to the best up to the IGP
// cost, of the same kind (eBGP or iBGP), with the same AS path unless
// allow-multiple-as (then any AS path of the same length), at most maximum-paths of them (the best first, then in
// decision order).
func (s *state) multipath(r *nodeRIB, best int) {
	b := s.net.Devices[r.node].BGP
	bp := r.paths[best]
	if b == nil || bp.Local {
		return
	}
	max := b.MaxPathsIBGP
	if bp.EBGP {
		max = b.MaxPathsEBGP
	}
	if max < 2 {
		return
	}
	var set []int
	for i, p := range r.paths {
		if i == best || !eligible(p) || p.Local || p.EBGP != bp.EBGP {
			continue
		}
		if c, why := compare(bp, p); c != 0 && !multiSteps[why] {
			continue
		}
		// Without allow-multiple-as (FRR's multipath-relax) the whole AS
		// path must match, FRR's and Cisco's default.
		if !b.AllowMultipleAS && !slices.Equal(p.ASPath, bp.ASPath) {
			continue
		}
		set = append(set, i)
	}
	if len(set) == 0 {
		return
	}
	slices.SortFunc(set, func(i, j int) int {
		if c, _ := compare(r.paths[i], r.paths[j]); c != 0 {
			return c
		}
		return int(r.keys[i] - r.keys[j])
	})
	r.multi = append(r.multi, int32(best))
	for _, i := range set {
		if uint32(len(r.multi)) >= max {
			break
		}
		r.multi = append(r.multi, int32(i))
	}
}

// multipathAt is the set of paths d forwards prefix p over: the multipath set,
// or just the best path.
func (s *state) multipathAt(p netip.Prefix, d network.DeviceID, best *Path) []*Path {
	pid, ok := s.bgp.pid[p]
	if !ok || s.bgp.ribs[pid] == nil {
		return []*Path{best}
	}
	nr := s.bgp.ribs[pid].at(int32(d))
	if nr == nil || len(nr.multi) == 0 {
		return []*Path{best}
	}
	out := make([]*Path, len(nr.multi))
	for i, k := range nr.multi {
		out[i] = nr.paths[k]
	}
	return out
}
