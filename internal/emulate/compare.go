package emulate

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/emulate/frr"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
)

// Route is one compared route in a normalised form (both sides).
type Route struct {
	Present bool
	// BGP best path
	NextHop   string
	ASPath    []uint32
	LocalPref uint32
	MED       uint32 // a missing MED counts as 0 (FRR's and the simulator's decision process)
	Origin    string // igp | egp | incomplete
	// Communities: standard communities, "asn:value" with well-known ones in
	// numbers (65535:65281 is NO_EXPORT), sorted; nil when none.
	Communities []string
	// Multipath: the next hops of the paths installed together with the
	// best one (the best one's included), sorted; nil without multipath.
	Multipath []string
	// IS-IS
	Metric uint32
	Hops   []string // "address%interface", sorted
	// Text describes export and anycast entries; equal ignores it (the
	// explanation may differ where the outcome agrees).
	Text string
}

func (r Route) String() string {
	if r.Text != "" {
		return r.Text
	}
	if !r.Present {
		return "absent"
	}
	if r.Hops != nil {
		return fmt.Sprintf("metric %d via %s", r.Metric, strings.Join(r.Hops, ","))
	}
	s := fmt.Sprintf("nh %s as-path %v lp %d med %d origin %s", r.NextHop, r.ASPath, r.LocalPref, r.MED, r.Origin)
	if r.Communities != nil {
		s += " communities " + strings.Join(r.Communities, ",")
	}
	if r.Multipath != nil {
		s += " multipath " + strings.Join(r.Multipath, ",")
	}
	return s
}

func (r Route) equal(o Route) bool {
	return r.Present == o.Present && len(differing(r, o)) == 0
}

// Diff is one compared route.
type Diff struct {
	Network string
	Device  string
	Kind    string // bgp | isis | export (sent to an external speaker) | anycast (site health)
	Prefix  string
	Peer    string // export: the external speaker; anycast: service@site
	Sim     Route
	FRR     Route
	Equal   bool
	// Exception is the id of the exceptions entry that explains a difference.
	Exception string
}

func (d Diff) String() string {
	what := d.Prefix
	if d.Peer != "" {
		what += " " + d.Peer
	}
	s := fmt.Sprintf("%s %s %s %s\n    sim: %s\n    frr: %s", d.Network, d.Device, d.Kind, what, d.Sim, d.FRR)
	if d.Exception != "" {
		s += "\n    (exception " + d.Exception + ")"
	}
	return s
}

// SimRoutes extracts the compared routes from a simulation, with IS-IS next
// hops named by the lab's interface names.
func SimRoutes(res *sim.Result, cfg *frr.Config) map[string]map[string]Route {
	ifmap := map[string]map[string]string{}
	for _, r := range cfg.Routers {
		ifmap[r.Name] = r.IfMap
	}
	out := map[string]map[string]Route{}
	for _, rs := range res.Routes("") {
		m := map[string]Route{}
		for _, b := range rs.BGP {
			if len(b.Paths) == 0 || !b.Paths[0].Best {
				continue
			}
			p := b.Paths[0]
			r := Route{Present: true, NextHop: p.NextHop, ASPath: append([]uint32{}, p.ASPath...), LocalPref: p.LocalPref,
				Origin: p.Origin, Communities: sortedOrNil(p.Communities)}
			if p.MED != nil {
				r.MED = *p.MED
			}
			var mp []string
			for _, q := range b.Paths {
				if q.Multipath {
					mp = append(mp, q.NextHop)
				}
			}
			r.Multipath = multipathSet(p.NextHop, mp)
			m["bgp "+b.Prefix] = r
		}
		for _, is := range rs.ISIS {
			r := Route{Present: true, Metric: is.Metric, Hops: []string{}}
			for _, h := range is.NextHops {
				r.Hops = append(r.Hops, h.Address+"%"+ifmap[rs.Device][h.Interface])
			}
			sort.Strings(r.Hops)
			m["isis "+is.Prefix] = r
		}
		out[rs.Device] = m
	}
	return out
}

// FRRRoutes extracts the compared routes from one router's FRR state.
func FRRRoutes(st *RouterState) (map[string]Route, error) {
	tab, err := st.tables()
	if err != nil {
		return nil, err
	}
	m := map[string]Route{}
	for p, paths := range tab.BGP {
		var mp []string
		for _, x := range paths {
			if x.Multipath && len(x.Nexthops) > 0 {
				mp = append(mp, x.Nexthops[0].IP)
			}
		}
		for _, x := range paths {
			if !x.best() {
				continue
			}
			r := Route{Present: true, ASPath: parseASPath(x.ASPath.String), LocalPref: 100,
				Origin: strings.ToLower(x.Origin), Communities: x.communities()}
			if x.LocPrf != nil {
				r.LocalPref = *x.LocPrf
			}
			if x.Metric != nil {
				r.MED = *x.Metric
			}
			if len(x.Nexthops) > 0 {
				r.NextHop = x.Nexthops[0].IP
			}
			if r.NextHop == "::" {
				r.NextHop = "0.0.0.0" // FRR prints aggregates' next hop as "::"
			}
			r.Multipath = multipathSet(r.NextHop, mp)
			m["bgp "+p.String()] = r
		}
	}
	for p, ents := range tab.RIB {
		if slices.ContainsFunc(ents, func(e ribEntry) bool { return e.Protocol == "connected" || e.Protocol == "local" }) {
			continue
		}
		for _, e := range ents {
			if e.Protocol != "isis" {
				continue
			}
			r := Route{Present: true, Metric: e.Metric, Hops: []string{}}
			for _, h := range e.Nexthops {
				r.Hops = append(r.Hops, h.IP+"%"+h.InterfaceName)
			}
			sort.Strings(r.Hops)
			r.Hops = slices.Compact(r.Hops)
			m["isis "+p.String()] = r
		}
	}
	return m, nil
}

// multipathSet normalises a multipath set on both sides: the best path's
// next hop and those of the paths flagged multipath, sorted and unique; nil
// when that is a single next hop (no multipath).
func multipathSet(best string, flagged []string) []string {
	if len(flagged) == 0 {
		return nil
	}
	set := slices.Compact(slices.Sorted(slices.Values(append([]string{best}, flagged...))))
	if len(set) < 2 {
		return nil
	}
	return set
}

func sortedOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(s))
}

// Compare compares every router's routes. network names the network in diffs.
func Compare(network string, res *sim.Result, cfg *frr.Config, conv *Converged) ([]Diff, error) {
	simR := SimRoutes(res, cfg)
	var out []Diff
	for _, r := range cfg.Routers {
		st := conv.States[r.Name]
		if st == nil {
			return nil, fmt.Errorf("%s: no FRR state", r.Name)
		}
		fr, err := FRRRoutes(st)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		keys := map[string]bool{}
		for k := range simR[r.Name] {
			keys[k] = true
		}
		for k := range fr {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			kind, pfx, _ := strings.Cut(k, " ")
			s, f := simR[r.Name][k], fr[k]
			out = append(out, Diff{Network: network, Device: r.Name, Kind: kind, Prefix: pfx, Sim: s, FRR: f, Equal: s.equal(f)})
		}
		out = append(out, compareSessions(network, r.Name, res, st)...)
		out = append(out, compareForwarding(network, r.Name, res, st, simR[r.Name], fr)...)
	}
	return out, nil
}

// compareForwarding compares, for every prefix either side has a BGP route
// for, how the router forwards it: delivered locally, discarded, or the
// directly connected next hops its FIB resolves the route to (every path of
// a multipath set). Two stacks can agree on the BGP best path and still
// forward differently (a next hop resolved through another route).
func compareForwarding(network, dev string, res *sim.Result, st *RouterState, simR, frrR map[string]Route) []Diff {
	tab, err := st.tables()
	if err != nil {
		return nil // FRRRoutes has reported it
	}
	prefixes := map[string]bool{}
	for k, r := range simR {
		if kind, pfx, _ := strings.Cut(k, " "); kind == "bgp" && r.NextHop != "0.0.0.0" {
			prefixes[pfx] = true
		}
	}
	for k, r := range frrR {
		if kind, pfx, _ := strings.Cut(k, " "); kind == "bgp" && r.NextHop != "0.0.0.0" {
			prefixes[pfx] = true
		}
	}
	var out []Diff
	for _, ps := range slices.Sorted(maps.Keys(prefixes)) {
		p, err := netip.ParsePrefix(ps)
		if err != nil {
			continue
		}
		var s, f Route
		if kind, hops, ok := res.Forwarding(dev, p); ok {
			s = fibRoute(kind, hops)
		} else {
			s.Text = "no route"
		}
		f.Text = "no route"
		for _, e := range tab.RIB[p] {
			if e.Selected {
				f = frrFIBRoute(e)
				break
			}
		}
		out = append(out, Diff{Network: network, Device: dev, Kind: "fib", Prefix: ps, Sim: s, FRR: f, Equal: s.equal(f)})
	}
	return out
}

func fibRoute(kind string, hops []netip.Addr) Route {
	r := Route{Present: true, NextHop: kind, Hops: []string{}}
	for _, h := range hops {
		r.Hops = append(r.Hops, h.String())
	}
	r.Text = kind
	if kind == "forward" {
		r.Text = "forward via " + strings.Join(r.Hops, ",")
	}
	return r
}

// frrFIBRoute reads a selected RIB entry as fibRoute does the simulation's.
func frrFIBRoute(e ribEntry) Route {
	if e.Protocol == "connected" || e.Protocol == "local" {
		return fibRoute("local", nil)
	}
	var hops []netip.Addr
	for _, h := range e.Nexthops {
		if h.Blackhole || h.Unreachable {
			return fibRoute("discard", nil)
		}
		if !h.Active || h.Recursive || h.IP == "" {
			continue
		}
		if a, err := netip.ParseAddr(h.IP); err == nil {
			hops = append(hops, a)
		}
	}
	slices.SortFunc(hops, func(a, b netip.Addr) int { return a.Compare(b) })
	return fibRoute("forward", slices.Compact(hops))
}

// compareSessions compares the state of every BGP session a router has in
// either the simulation or FRR: established or not. Prefix holds the
// neighbor address.
func compareSessions(network, dev string, res *sim.Result, st *RouterState) []Diff {
	type side struct{ sim, frr Route }
	m := map[string]*side{}
	get := func(a string) *side {
		if m[a] == nil {
			m[a] = &side{Route{Text: "not configured"}, Route{Text: "not configured"}}
		}
		return m[a]
	}
	for _, rs := range res.Routes(dev) {
		for _, s := range rs.Sessions {
			x := get(s.Neighbor)
			x.sim = Route{Present: s.Established, Text: "established"}
			if !s.Established {
				x.sim.Text = "not established: " + s.Reason
			}
		}
	}
	for a, state := range st.Sessions {
		x := get(a)
		x.frr = Route{Present: state == "Established", Text: strings.ToLower(state)}
	}
	var out []Diff
	for _, a := range slices.Sorted(maps.Keys(m)) {
		x := m[a]
		out = append(out, Diff{Network: network, Device: dev, Kind: "session", Prefix: a, Sim: x.sim, FRR: x.frr,
			Equal: x.sim.Present == x.frr.Present})
	}
	return out
}

// heldBySpeaker is what an FRR external speaker holds for a route sent with
// communities cs: RFC 7999 3.2 says a receiver of a BLACKHOLE route SHOULD
// add NO_EXPORT (or NO_ADVERTISE) so it does not propagate, and bgpd adds
// NO_EXPORT on every eBGP session. The lab reads the speaker's table, so the
// simulated side (communities as sent) gets the same addition; NO_EXPORT
// already present is not added twice.
func heldBySpeaker(cs []network.Community) []network.Community {
	if !slices.Contains(cs, sim.CommunityBlackhole) || slices.Contains(cs, sim.CommunityNoExport) {
		return cs
	}
	return append(slices.Clip(cs), sim.CommunityNoExport)
}

// CompareObserved compares what the verdict is computed from: every prefix
// each external speaker receives (with its AS path) and every anycast site's
// health, between the simulation and the same simulation observed through
// FRR (Observe).
func CompareObserved(network string, simRes, obs *sim.Result) []Diff {
	type key struct{ dev, peer, prefix string }
	exp := map[key][2]Route{}
	for side, r := range []*sim.Result{simRes, obs} {
		for _, a := range r.Advertised() {
			k := key{a.Device, a.Peer, a.Prefix.String()}
			v := exp[k]
			cs := a.Communities
			if side == 0 {
				cs = heldBySpeaker(cs)
			}
			css := communityStrings(cs)
			v[side] = Route{Present: true, ASPath: append([]uint32{}, a.ASPath...), Communities: css,
				Text: fmt.Sprintf("sent, as-path %v communities %v", a.ASPath, css)}
			exp[k] = v
		}
	}
	var out []Diff
	for k, v := range exp {
		for i := range v {
			if !v[i].Present {
				v[i].Text = "not sent"
			}
		}
		out = append(out, Diff{Network: network, Device: k.dev, Kind: "export", Prefix: k.prefix, Peer: k.peer,
			Sim: v[0], FRR: v[1], Equal: v[0].equal(v[1])})
	}
	for i, a := range simRes.Anycast {
		b := obs.Anycast[i]
		st := func(s sim.AnycastSite) Route {
			if s.Announcing {
				return Route{Present: true, Text: "announcing, healthy via " + strings.Join(s.HealthPath, " ")}
			}
			return Route{Text: "not announcing: " + s.Reason}
		}
		x, y := st(a), st(b)
		out = append(out, Diff{Network: network, Device: a.Device, Kind: "anycast", Prefix: a.Prefix.String(),
			Peer: a.Service + "@" + a.Site, Sim: x, FRR: y, Equal: x.equal(y)})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Device != b.Device {
			return a.Device < b.Device
		}
		if a.Peer != b.Peer {
			return a.Peer < b.Peer
		}
		return a.Prefix < b.Prefix
	})
	return out
}
