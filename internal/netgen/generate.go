package netgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
)

// Style picks the kind of network Generate builds.
type Style int

const (
	// Conformance: a small random network (3–20 routers unless Routers is
	// set) that exercises every modelled feature, for the conformance runs.
	Conformance Style = iota
	// Backbone: a realistic backbone of any size (sites, route reflectors,
	// data-centre sites, edges with transits and DNS anycast).
	Backbone
)

// Options of Generate.
type Options struct {
	Style   Style
	Seed    uint64
	Routers int // Conformance: 0 picks 3–20; Backbone: required (≥ 8)
	// Backbone: prefixes per router originated inside (by DC routers) and
	// announced by transits; 0 means the defaults, 40 and 10.
	InternalPerRouter int
	ExternalPerRouter int
}

// CoreAS is the AS of the generated networks' own routers.
const CoreAS = 65000

// AnnouncerASN is the AS of the DNS anycast announcers.
const AnnouncerASN = 65100

// DNSPrefix is the DNS anycast prefix of generated networks.
var DNSPrefix = netip.MustParsePrefix("129.134.30.0/23")

// Generate builds a topology; the same Options give the same topology.
func Generate(o Options) (*Topology, error) {
	switch o.Style {
	case Conformance:
		if o.Routers != 0 && (o.Routers < 3 || o.Routers > 40) {
			return nil, fmt.Errorf("netgen: conformance networks have 3 to 40 routers, not %d", o.Routers)
		}
		return small(o), nil
	case Backbone:
		if o.Routers < 8 {
			return nil, fmt.Errorf("netgen: a backbone needs at least 8 routers, not %d", o.Routers)
		}
		if o.Routers > 60000 {
			return nil, fmt.Errorf("netgen: at most 60000 routers (loopback plan), not %d", o.Routers)
		}
		return backbone(o), nil
	}
	return nil, fmt.Errorf("netgen: unknown style %d", o.Style)
}

func ip4(a, b, c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a), byte(b), byte(c), byte(d)})
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func exact(p netip.Prefix) PrefixRange { return PrefixRange{Prefix: p, Min: p.Bits(), Max: p.Bits()} }

type smallGen struct {
	rng   *rand.Rand
	t     *Topology
	links int
	port  map[*Router]int
}

func (g *smallGen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *smallGen) ifname(r *Router) string {
	n := g.port[r]
	g.port[r]++
	return fmt.Sprintf("et-0/0/%d", n)
}

func newRouter(i int, name, role, site string, as uint32, lo netip.Addr) *Router {
	r := &Router{Name: name, Role: role, Site: site, RouterID: lo}
	r.Interfaces = []*Interface{{Name: "lo0", Loopback: true, Enabled: true, Addr: netip.PrefixFrom(lo, 32)}}
	r.BGP = &BGP{AS: as, RouterID: lo}
	return r
}

// link adds a /31 between a and c, with IS-IS when igp.
func (g *smallGen) link(a, c *Router, igp bool) (*Interface, *Interface) {
	k := g.links
	g.links++
	base := ip4(10, 1, (2*k)/256, (2*k)%256)
	ia := &Interface{Name: g.ifname(a), Enabled: true, Addr: netip.PrefixFrom(base, 31), Peer: c.Name, MTU: 9000}
	ic := &Interface{Name: g.ifname(c), Enabled: true, Addr: netip.PrefixFrom(base.Next(), 31), Peer: a.Name, MTU: 9000}
	a.Interfaces = append(a.Interfaces, ia)
	c.Interfaces = append(c.Interfaces, ic)
	if igp {
		m := uint32(1 + g.rng.IntN(100))
		m2 := m
		if g.chance(0.1) {
			m2 = uint32(1 + g.rng.IntN(100)) // asymmetric metrics
		}
		p2p := !g.chance(0.15)
		ia.ISIS = &ISISInterface{PointToPoint: p2p, Metric: m}
		ic.ISIS = &ISISInterface{PointToPoint: p2p, Metric: m2}
	}
	return ia, ic
}

func comm(v int) string { return fmt.Sprintf("%d:%d", CoreAS, v) }

// small builds a conformance network. Every random choice comes from the
// seed, so a difference found on seed N is reproduced by seed N.
func small(o Options) *Topology {
	g := &smallGen{rng: rand.New(rand.NewPCG(o.Seed, 0x6e6574)), port: map[*Router]int{}}
	rng := g.rng
	g.t = &Topology{Name: fmt.Sprintf("gen-%d", o.Seed)}
	total := o.Routers
	if total == 0 {
		total = 3 + rng.IntN(18)
	}
	cust := 0
	if total >= 5 {
		cust = rng.IntN(3)
	}
	core := total - cust
	var rs []*Router
	for i := 0; i < core; i++ {
		r := newRouter(i, fmt.Sprintf("r%02d", i), "backbone", fmt.Sprintf("s%02d", i), CoreAS, ip4(10, 0, 0, i+1))
		r.ISIS = &ISIS{Area: "49.0001", SystemID: fmt.Sprintf("0000.0000.%04d", i+1), Levels: Level2}
		r.Interfaces[0].ISIS = &ISISInterface{Passive: true}
		if g.chance(0.3) {
			r.Interfaces[0].ISIS.Metric = uint32(1 + rng.IntN(50))
		}
		rs = append(rs, r)
	}
	for i := core; i < total; i++ {
		rs = append(rs, newRouter(i, fmt.Sprintf("r%02d", i), "customer", fmt.Sprintf("s%02d", i), uint32(65001+i-core), ip4(10, 0, 0, i+1)))
	}
	g.t.Routers = rs

	// Core: a ring and chords.
	type coreLink struct{ a, c *Interface }
	var coreLinks []coreLink
	addCore := func(x, y int) {
		a, c := g.link(rs[x], rs[y], true)
		coreLinks = append(coreLinks, coreLink{a, c})
	}
	for i := 0; i < core; i++ {
		addCore(i, (i+1)%core)
	}
	for k := rng.IntN(core/2 + 1); k > 0; k-- {
		x, y := rng.IntN(core), rng.IntN(core)
		if x != y && (x+1)%core != y && (y+1)%core != x {
			addCore(x, y)
		}
	}

	// Roles.
	perm := rng.Perm(core)
	nEdge := 1 + rng.IntN(min(3, core-1))
	nDC := 1 + rng.IntN(min(3, core-nEdge))
	edges, dcs := perm[:nEdge], perm[nEdge:nEdge+nDC]
	for _, e := range edges {
		rs[e].Role = "edge"
	}
	for _, e := range dcs {
		rs[e].Role = "dc"
	}

	// iBGP: a full mesh, or one or two route reflectors (which may share a
	// cluster ID: each then drops what the other reflects, RFC 4456 §8).
	var rrs []int
	if core > 3 && g.chance(0.6) {
		rrs = []int{0}
		if g.chance(0.5) {
			rrs = append(rrs, 1)
		}
	}
	isRR := func(i int) bool { return len(rrs) > 0 && (i == rrs[0] || len(rrs) > 1 && i == rrs[1]) }
	var cluster netip.Addr
	if len(rrs) == 2 && g.chance(0.5) {
		cluster = ip4(10, 255, 255, 1)
	}
	for i := 0; i < core; i++ {
		r := rs[i]
		r.BGP.Groups = append(r.BGP.Groups, PeerGroup{Name: "IBGP", PeerAS: CoreAS, LocalAddr: r.RouterID})
		if isRR(i) {
			r.Role = "rr"
			r.Tags = []string{"route-reflector"}
			r.BGP.Groups = append(r.BGP.Groups, PeerGroup{Name: "RR-CLIENTS", PeerAS: CoreAS, LocalAddr: r.RouterID,
				RRClient: true, ClusterID: cluster})
		}
		if g.chance(0.4) {
			r.BGP.Multipath = &Multipath{EBGP: uint32(2 + rng.IntN(3)), IBGP: uint32(2 + rng.IntN(3)), AllowMultipleAS: g.chance(0.5)}
		}
		for j := 0; j < core; j++ {
			if i == j || (len(rrs) > 0 && !isRR(i) && !isRR(j)) {
				continue
			}
			nb := Neighbor{Addr: rs[j].RouterID, Group: "IBGP", Desc: rs[j].Name}
			if isRR(i) && !isRR(j) {
				nb.Group = "RR-CLIENTS"
			}
			if g.chance(0.3) {
				nb.DefImport, nb.DefExport = ResultAccept, ResultAccept
			}
			r.BGP.Neighbors = append(r.BGP.Neighbors, nb)
		}
	}

	// Data centres: discard statics redistributed into BGP, a NO_EXPORT
	// prefix, an origin rewrite.
	for k, i := range dcs {
		r := rs[i]
		dcp, svc, local := netip.PrefixFrom(ip4(10, 200+k, 0, 0), 16), netip.PrefixFrom(ip4(157, 240, k, 0), 24), netip.PrefixFrom(ip4(10, 220+k, 0, 0), 24)
		r.Statics = append(r.Statics, Static{Prefix: dcp, Discard: true}, Static{Prefix: svc, Discard: true})
		if g.chance(0.3) {
			// a floating static behind the discard: never installed
			r.Statics = append(r.Statics, Static{Prefix: local, Discard: true})
		}
		if g.chance(0.3) {
			for _, ifc := range r.Interfaces {
				if !ifc.Loopback {
					peer := ifc.Addr.Masked().Addr()
					if peer == ifc.Addr.Addr() {
						peer = peer.Next()
					}
					r.Statics = append(r.Statics, Static{Prefix: netip.PrefixFrom(ip4(10, 210+k, 1, 0), 24), NextHop: peer})
					break
				}
			}
		}
		tc := Redistribution{From: "STATIC"}
		if g.chance(0.7) {
			r.PrefixSets = append(r.PrefixSets, PrefixSet{Name: "DC-PREFIXES", Entries: []PrefixRange{
				{Prefix: pfx("10.192.0.0/10"), Min: 16, Max: 16}, {Prefix: pfx("157.240.0.0/16"), Min: 24, Max: 24}}},
				PrefixSet{Name: "DC-LOCAL", Entries: []PrefixRange{{Prefix: pfx("10.208.0.0/12"), Min: 24, Max: 24}}})
			acts := Statement{Name: "dc", PrefixSet: "DC-PREFIXES", Result: ResultAccept,
				Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(900 + k)}}}
			if g.chance(0.4) {
				acts.MED = u32(rng.IntN(50))
			}
			if g.chance(0.3) {
				acts.LocalPref = u32(100 + rng.IntN(100))
			}
			if g.chance(0.5) {
				acts.Origin = []string{"IGP", "EGP", "INCOMPLETE"}[rng.IntN(3)]
			}
			local := Statement{Name: "local", PrefixSet: "DC-LOCAL", Result: ResultAccept,
				Community: &CommunityAction{Method: CommunityAdd, Values: []string{"65535:65281"}}} // NO_EXPORT
			r.Policies = append(r.Policies, Policy{Name: "DC-ORIGINATE", Statements: []Statement{
				{Name: "proto", Protocol: "STATIC", Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(1)}}},
				acts, local}})
			tc.Import, tc.DefImport = []string{"DC-ORIGINATE"}, ResultReject
		}
		r.Redistribute = append(r.Redistribute, tc)
	}
	// A router redistributing connected loopbacks or IS-IS routes.
	if last := rs[perm[core-1]]; g.chance(0.3) && len(last.Redistribute) == 0 {
		src := "DIRECTLY_CONNECTED"
		if g.chance(0.4) {
			src = "ISIS"
		}
		last.PrefixSets = append(last.PrefixSets, PrefixSet{Name: "LOOPBACKS", Entries: []PrefixRange{{Prefix: pfx("10.0.0.0/24"), Min: 32, Max: 32}}})
		last.Policies = append(last.Policies, Policy{Name: "LO-TO-BGP", Statements: []Statement{
			{Name: "lo", PrefixSet: "LOOPBACKS", MED: u32(7), Result: ResultAccept}}})
		last.Redistribute = append(last.Redistribute, Redistribution{From: src, Import: []string{"LO-TO-BGP"}, DefImport: ResultReject})
	}

	// Edges: transits (two of different ASes on some edges, announcing the
	// same prefixes: MED ties and MED across ASes), anycast announcers, the
	// service aggregate, next-hop handling towards iBGP.
	dns := Anycast{Service: "dns", Prefix: DNSPrefix}
	for k := range dcs {
		if k == 0 || g.chance(0.5) {
			dns.ReachAny = append(dns.ReachAny, netip.PrefixFrom(ip4(10, 200+k, 0, 0), 16))
		}
	}
	ntp := Anycast{Service: "ntp", Prefix: pfx("129.134.40.0/24"), ReachAny: []netip.Prefix{pfx("10.250.0.0/16")}}
	withNTP := g.chance(0.3)
	transitASNs := []uint32{3356, 174, 64601, 1299}
	extPool := []netip.Prefix{pfx("198.51.100.0/24"), pfx("198.51.101.0/25"), pfx("203.0.114.0/24"), pfx("192.0.2.0/24")}
	for k, i := range edges {
		r := rs[i]
		nTransit := 1
		if g.chance(0.5) {
			nTransit = 2
		}
		var ann []netip.Prefix
		ann = append(ann, pfx("0.0.0.0/0"))
		for _, p := range extPool {
			if g.chance(0.5) {
				ann = append(ann, p)
			}
		}
		first := rng.IntN(len(transitASNs))
		for t := 0; t < nTransit; t++ {
			sub := ip4(203, 0, 113, 4*(2*k+t))
			ifc := &Interface{Name: fmt.Sprintf("xe-1/0/%d", t), Enabled: true, MTU: 1500, Addr: netip.PrefixFrom(sub.Next(), 30)}
			if g.chance(0.3) {
				ifc.ISIS = &ISISInterface{Passive: true}
			}
			r.Interfaces = append(r.Interfaces, ifc)
			asn := transitASNs[(first+t)%len(transitASNs)]
			g.t.Transits = append(g.t.Transits, Transit{Name: fmt.Sprintf("transit%d-%d", k, t), Router: r.Name,
				Addr: sub.Next().Next(), ASN: asn, Role: "transit", Announces: ann})
			nb := Neighbor{Addr: sub.Next().Next(), PeerAS: asn, Desc: fmt.Sprintf("transit AS%d", asn),
				Import: []string{g.transitIn(r, k, t)}, DefImport: ResultReject,
				Export: []string{g.transitOut(r, asn)}, DefExport: ResultReject}
			r.BGP.Neighbors = append(r.BGP.Neighbors, nb)
		}
		// anycast announcers
		aa := ip4(10, 9, k, 0)
		r.Interfaces = append(r.Interfaces, &Interface{Name: "xe-2/0/0", Enabled: true, Addr: netip.PrefixFrom(aa.Next(), 30)})
		dns.Sites = append(dns.Sites, AnycastSite{Site: r.Site, Router: r.Name, Addr: aa.Next().Next(), ASN: AnnouncerASN})
		r.PrefixSets = append(r.PrefixSets, PrefixSet{Name: "ANYCAST", Entries: []PrefixRange{{Prefix: pfx("129.134.0.0/16"), Min: 23, Max: 24}}})
		r.Policies = append(r.Policies, Policy{Name: "ANYCAST-IN", Statements: []Statement{{Name: "10", PrefixSet: "ANYCAST", Result: ResultAccept}}})
		r.BGP.Neighbors = append(r.BGP.Neighbors, Neighbor{Addr: aa.Next().Next(), PeerAS: AnnouncerASN, Desc: "dns announcer",
			Import: []string{"ANYCAST-IN"}, DefImport: ResultReject})
		if withNTP {
			na := ip4(10, 9, 100+k, 0)
			r.Interfaces = append(r.Interfaces, &Interface{Name: "xe-3/0/0", Enabled: true, Addr: netip.PrefixFrom(na.Next(), 30)})
			ntp.Sites = append(ntp.Sites, AnycastSite{Site: r.Site, Router: r.Name, Addr: na.Next().Next(), ASN: AnnouncerASN + 1})
			r.BGP.Neighbors = append(r.BGP.Neighbors, Neighbor{Addr: na.Next().Next(), PeerAS: AnnouncerASN + 1, Desc: "ntp announcer",
				Import: []string{"ANYCAST-IN"}, DefImport: ResultReject})
		}
		if g.chance(0.7) {
			r.Aggregates = append(r.Aggregates, pfx("157.240.0.0/16"))
			tc := Redistribution{From: "LOCAL_AGGREGATE"}
			if g.chance(0.5) {
				r.Policies = append(r.Policies, Policy{Name: "AGG", Statements: []Statement{
					{Name: "10", Protocol: "LOCAL_AGGREGATE", Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(157)}}},
					{Name: "20", Result: ResultAccept}}})
				tc.Import, tc.DefImport = []string{"AGG"}, ResultReject
			}
			r.Redistribute = append(r.Redistribute, tc)
		}
		g.ibgpExport(r)
	}
	g.t.Anycast = []Anycast{dns}
	if withNTP {
		g.t.Anycast = append(g.t.Anycast, ntp)
	}

	// Customers: other ASes over single-hop eBGP.
	for c := core; c < total; c++ {
		cr := rs[c]
		ups := []int{rng.IntN(core)}
		if g.chance(0.5) && core > 1 {
			if u := rng.IntN(core); u != ups[0] {
				ups = append(ups, u)
			}
		}
		cr.Statics = append(cr.Statics, Static{Prefix: netip.PrefixFrom(ip4(100, 64, c, 0), 24), Discard: true})
		if g.chance(0.3) {
			cr.Statics = append(cr.Statics, Static{Prefix: netip.PrefixFrom(ip4(100, 65, c, 0), 24), Discard: true})
		}
		cr.Redistribute = append(cr.Redistribute, Redistribution{From: "STATIC"})
		g.customerPolicies(cr)
		for _, u := range ups {
			ur := rs[u]
			ci, ui := g.link(cr, ur, false)
			ci.MTU, ui.MTU = 1500, 1500
			coreAS := uint32(CoreAS)
			localAS := uint32(0)
			if g.chance(0.2) {
				// local-as: the customer sees AS 64512 (then 65000) in paths
				localAS, coreAS = 64512, 64512
			}
			pw := ""
			if g.chance(0.2) {
				pw = fmt.Sprintf("cust-%d", c)
			}
			cn := Neighbor{Addr: ui.Addr.Addr(), PeerAS: coreAS, Desc: ur.Name, Password: pw,
				Import: []string{"FROM-CORE"}, DefImport: ResultAccept, DefExport: ResultAccept}
			cr.BGP.Neighbors = append(cr.BGP.Neighbors, cn)
			g.coreCustomerPolicies(ur)
			un := Neighbor{Addr: ci.Addr.Addr(), PeerAS: cr.BGP.AS, LocalAS: localAS, Desc: cr.Name, Password: pw,
				Import: []string{"CUST-IN"}, DefImport: ResultReject, Export: []string{"CUST-OUT"}, DefExport: ResultReject}
			if g.chance(0.3) {
				un.MaxPrefix = uint32(1 + rng.IntN(2)) // may tear the session down
				g.t.Faults = append(g.t.Faults, fmt.Sprintf("max-prefix %d %s %s", un.MaxPrefix, ur.Name, un.Addr))
			}
			ur.BGP.Neighbors = append(ur.BGP.Neighbors, un)
			if g.chance(0.6) {
				ui.ISIS = &ISISInterface{Passive: true}
			} else {
				g.ibgpExport(ur)
			}
		}
	}

	// IS-IS features and faults on core links.
	for _, l := range coreLinks {
		switch {
		case g.chance(0.12):
			l.a.ISIS.HelloAuth, l.c.ISIS.HelloAuth = "isis-key", "isis-key"
		case g.chance(0.03):
			l.a.ISIS.HelloAuth = "isis-key" // on one end only: no adjacency
			g.fault("isis-auth-mismatch", l.a)
		case g.chance(0.04):
			l.a.MTU = 1500 // MTU mismatch: hello padding takes the adjacency down
			g.fault("mtu-mismatch", l.a)
		case g.chance(0.04):
			l.a.ISIS.PointToPoint, l.c.ISIS.PointToPoint = true, false // circuit-type mismatch
			g.fault("circuit-type-mismatch", l.a)
		case g.chance(0.05):
			l.a.ISIS.Metric, l.c.ISIS.Metric = 16777215, 16777215 // drained by max metric (RFC 5305 §3.7)
			g.fault("max-metric", l.a)
		}
	}
	if g.chance(0.1) {
		r := rs[perm[rng.IntN(core)]]
		r.ISIS.Overload = true
		g.t.Faults = append(g.t.Faults, "overload "+r.Name)
	}
	// A stub subnet with no far end.
	if g.chance(0.3) {
		r := rs[rng.IntN(core)]
		r.Interfaces = append(r.Interfaces, &Interface{Name: "et-9/9/9", Enabled: true,
			Addr: netip.PrefixFrom(ip4(10, 77, 0, 1), 24), ISIS: &ISISInterface{Passive: g.chance(0.5), PointToPoint: true}})
	}
	// A drained link: both ends disabled, or one (the far end loses carrier).
	if g.chance(0.35) && len(coreLinks) > 0 {
		l := coreLinks[rng.IntN(len(coreLinks))]
		l.a.Enabled = false
		if g.chance(0.5) {
			l.c.Enabled = false
		}
		g.fault("drained", l.a)
	}
	g.t.finish()
	return g.t
}

func (g *smallGen) fault(kind string, i *Interface) {
	g.t.Faults = append(g.t.Faults, fmt.Sprintf("%s %s-%s %s", kind, i.Peer, i.Name, i.Addr))
}

// finish sorts what renders in order (interfaces, neighbors, routers).
func (t *Topology) finish() {
	for _, r := range t.Routers {
		sort.Slice(r.Interfaces, func(i, j int) bool { return r.Interfaces[i].Name < r.Interfaces[j].Name })
		if r.BGP != nil {
			sort.Slice(r.BGP.Neighbors, func(i, j int) bool { return r.BGP.Neighbors[i].Addr.Less(r.BGP.Neighbors[j].Addr) })
		}
	}
	sort.Slice(t.Routers, func(i, j int) bool { return t.Routers[i].Name < t.Routers[j].Name })
}

// ibgpExport gives r's iBGP neighbors one export policy (once per router):
// next-hop-self for eBGP-learned routes (route-type EXTERNAL), a fixed
// next hop, or nothing (external next hops may then not resolve).
func (g *smallGen) ibgpExport(r *Router) {
	if r.hasPolicy("IBGP-OUT") {
		return
	}
	var sts []Statement
	if g.chance(0.4) {
		sts = append(sts, Statement{Name: "bgp", Protocol: "BGP", Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(2)}}})
	}
	switch {
	case g.chance(0.35):
		sts = append(sts, Statement{Name: "nhs", NextHopSelf: true, Result: ResultAccept})
	case g.chance(0.5):
		sts = append(sts, Statement{Name: "nhs-external", RouteType: "EXTERNAL", NextHopSelf: true, Result: ResultAccept})
	case g.chance(0.6):
		sts = append(sts, Statement{Name: "nh-loopback", NextHop: r.RouterID, Result: ResultAccept})
	}
	r.Policies = append(r.Policies, Policy{Name: "IBGP-OUT", Statements: sts})
	for i := range r.BGP.Groups {
		if r.BGP.Groups[i].PeerAS == CoreAS {
			r.BGP.Groups[i].Export, r.BGP.Groups[i].DefExport = []string{"IBGP-OUT"}, ResultAccept
		}
	}
}

func (g *smallGen) transitIn(r *Router, k, t int) string {
	if !r.hasPrefixSet("DEFAULT") {
		r.PrefixSets = append(r.PrefixSets,
			PrefixSet{Name: "DEFAULT", Entries: []PrefixRange{exact(pfx("0.0.0.0/0"))}},
			PrefixSet{Name: "BOGONS", Entries: []PrefixRange{{Prefix: pfx("10.0.0.0/8"), Min: 8, Max: 32}, {Prefix: pfx("192.0.2.0/24"), Min: 24, Max: 32}}})
	}
	var sts []Statement
	if g.chance(0.5) {
		sts = append(sts, Statement{Name: "bogons", PrefixSet: "BOGONS", Result: ResultReject})
	}
	sts = append(sts, Statement{Name: "tag", Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(100 + k), comm(3000)}}})
	if g.chance(0.5) {
		sts = append(sts, Statement{Name: "default-lp", PrefixSet: "DEFAULT", LocalPref: u32(50 + g.rng.IntN(3)*25)})
	}
	// MED from a small range so that paths from two transits of different
	// ASes often tie on MED, and often do not.
	sts = append(sts, Statement{Name: "others", PrefixSet: "DEFAULT", PrefixMode: MatchInvert, MED: u32(10 * g.rng.IntN(3))})
	if g.chance(0.4) {
		if !r.hasASPathSet("LONG") {
			r.ASPathSets = append(r.ASPathSets, ASPathSet{Name: "LONG", Members: []string{"^3356_", "_174$"}})
		}
		sts = append(sts, Statement{Name: "aspath", ASPathSet: "LONG", MED: u32(40), LocalPref: u32(90)})
	}
	if g.chance(0.3) {
		sts = append(sts, Statement{Name: "origin", Origin: []string{"IGP", "EGP", "INCOMPLETE"}[g.rng.IntN(3)]})
	}
	if g.chance(0.3) {
		sts = append(sts, Statement{Name: "prepend", Prepend: &Prepend{ASN: 64999, Repeat: uint8(1 + g.rng.IntN(2))}})
	}
	sts = append(sts, Statement{Name: "end", Result: ResultAccept})
	name := fmt.Sprintf("TRANSIT%d-IN", t)
	r.Policies = append(r.Policies, Policy{Name: name, Statements: sts})
	return name
}

func (g *smallGen) transitOut(r *Router, asn uint32) string {
	name := fmt.Sprintf("TRANSIT-OUT-%d", asn)
	if r.hasPolicy(name) {
		return name
	}
	if !r.hasPrefixSet("CRITICAL") {
		r.PrefixSets = append(r.PrefixSets, PrefixSet{Name: "CRITICAL", Entries: []PrefixRange{
			{Prefix: pfx("129.134.0.0/16"), Min: 23, Max: 24}, {Prefix: pfx("157.240.0.0/16"), Min: 16, Max: 16},
			{Prefix: pfx("100.64.0.0/15"), Min: 24, Max: 24}, {Prefix: pfx("10.220.0.0/14"), Min: 24, Max: 24}}})
		r.CommunitySets = append(r.CommunitySets, CommunitySet{Name: "INTERNAL", Members: []string{comm(1), "65000:9.."}})
	}
	sts := []Statement{
		{Name: "not-critical", PrefixSet: "CRITICAL", PrefixMode: MatchInvert, Result: ResultReject},
		{Name: "scrub", Community: &CommunityAction{Method: CommunityRemove, SetRef: "INTERNAL"}},
	}
	switch {
	case g.chance(0.1):
		// the transit's own AS in the path: it drops the route (loop detection)
		sts = append(sts, Statement{Name: "poison", PrefixSet: "CRITICAL", Prepend: &Prepend{ASN: asn, Repeat: 1}})
		g.t.Faults = append(g.t.Faults, fmt.Sprintf("as-path-loop %s AS%d", r.Name, asn))
	case g.chance(0.5):
		sts = append(sts, Statement{Name: "prepend", PrefixSet: "CRITICAL", Prepend: &Prepend{Repeat: uint8(1 + g.rng.IntN(3))}, MED: u32(g.rng.IntN(100))})
	}
	sts = append(sts, Statement{Name: "ok", Result: ResultAccept})
	r.Policies = append(r.Policies, Policy{Name: name, Statements: sts})
	return name
}

func (g *smallGen) customerPolicies(r *Router) {
	r.ASPathSets = append(r.ASPathSets, ASPathSet{Name: "VIA-3356", Members: []string{"_3356_"}})
	r.CommunitySets = append(r.CommunitySets, CommunitySet{Name: "TRANSIT", Members: []string{comm(3000)}})
	var sts []Statement
	if g.chance(0.5) {
		sts = append(sts, Statement{Name: "no-3356", ASPathSet: "VIA-3356", ASPathMode: MatchInvert, LocalPref: u32(120)})
	} else {
		sts = append(sts, Statement{Name: "3356", ASPathSet: "VIA-3356", LocalPref: u32(70)})
	}
	if g.chance(0.5) {
		sts = append(sts, Statement{Name: "transit", CommunitySet: "TRANSIT", MED: u32(5)})
	}
	r.Policies = append(r.Policies, Policy{Name: "FROM-CORE", Statements: sts})
}

func (g *smallGen) coreCustomerPolicies(r *Router) {
	if r.hasPolicy("CUST-IN") {
		return
	}
	r.PrefixSets = append(r.PrefixSets, PrefixSet{Name: "CUSTOMERS", Entries: []PrefixRange{{Prefix: pfx("100.64.0.0/15"), Min: 20, Max: 24}}})
	in := Statement{Name: "10", PrefixSet: "CUSTOMERS", Result: ResultAccept, LocalPref: u32(150),
		Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(500)}}}
	if g.chance(0.3) {
		in.Origin = "IGP"
	}
	r.Policies = append(r.Policies, Policy{Name: "CUST-IN", Statements: []Statement{in}})
	r.CommunitySets = append(r.CommunitySets, CommunitySet{Name: "ANY-TRANSIT", Members: []string{comm(3000), comm(100)}})
	var sts []Statement
	switch g.rng.IntN(3) {
	case 0:
		sts = append(sts, Statement{Name: "all", CommunitySet: "ANY-TRANSIT", CommunityMode: MatchAll, Prepend: &Prepend{Repeat: 2}})
	case 1:
		sts = append(sts, Statement{Name: "notransit", CommunitySet: "ANY-TRANSIT", CommunityMode: MatchInvert,
			Community: &CommunityAction{Method: CommunityReplace, Values: []string{comm(7)}}})
	default:
		sts = append(sts, Statement{Name: "any", CommunitySet: "ANY-TRANSIT", MED: u32(33)})
	}
	if g.chance(0.5) {
		sts = append(sts, Statement{Name: "internal", RouteType: "INTERNAL", MED: u32(20)})
	}
	sts = append(sts, Statement{Name: "ok", Result: ResultAccept})
	r.Policies = append(r.Policies, Policy{Name: "CUST-OUT", Statements: sts})
}
