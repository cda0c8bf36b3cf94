package netgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// Site layout of a realistic backbone: sites of eight routers. Positions 0
// and 1 are the site's two backbone routers (two planes); the others hang
// off both. Every third site is a data-centre site (six DC routers); the
// others are POPs with two edge routers, two DC routers and two aggregation
// routers. The first two sites' backbone routers are the route reflectors
// (each pair shares a cluster ID).
const siteSize = 8

type bbGen struct {
	rng   *rand.Rand
	t     *Topology
	links int
}

func loopback(i int) netip.Addr { return ip4(10, (i+1)>>16, ((i+1)>>8)&0xff, (i+1)&0xff) }

// internalPrefix is the k-th internal /24 (20.0.0.0 upwards).
func internalPrefix(k int) netip.Prefix {
	return netip.PrefixFrom(ip4(20+k>>16, (k>>8)&0xff, k&0xff, 0), 24)
}

// externalPrefix is the k-th external /24 (120.0.0.0 upwards).
func externalPrefix(k int) netip.Prefix {
	return netip.PrefixFrom(ip4(120+k>>16, (k>>8)&0xff, k&0xff, 0), 24)
}

func (g *bbGen) link(a, c *Router, metric uint32) {
	k := g.links
	g.links++
	base := 2 * k
	sub := ip4(100, 64+base>>16, (base>>8)&0xff, base&0xff)
	ia := &Interface{Name: fmt.Sprintf("et-0/0/%d", len(a.Interfaces)), Enabled: true, MTU: 9192, Addr: netip.PrefixFrom(sub, 31),
		Peer: c.Name, Desc: "to " + c.Name, ISIS: &ISISInterface{PointToPoint: true, Metric: metric}}
	ic := &Interface{Name: fmt.Sprintf("et-0/0/%d", len(c.Interfaces)), Enabled: true, MTU: 9192, Addr: netip.PrefixFrom(sub.Next(), 31),
		Peer: a.Name, Desc: "to " + a.Name, ISIS: &ISISInterface{PointToPoint: true, Metric: metric}}
	a.Interfaces = append(a.Interfaces, ia)
	c.Interfaces = append(c.Interfaces, ic)
}

// ServiceAggregate is the public service aggregate the edges of a backbone
// announce to their transits (policies/default.yaml names it critical).
var ServiceAggregate = netip.MustParsePrefix("157.240.0.0/16")

var transitASNs = []uint32{3356, 174, 1299, 2914, 6453, 6762, 3257, 6939}

func backbone(o Options) *Topology {
	g := &bbGen{rng: rand.New(rand.NewPCG(o.Seed, 0x626221)), t: &Topology{Name: fmt.Sprintf("backbone-%d-%d", o.Routers, o.Seed)}}
	inPer, exPer := o.InternalPerRouter, o.ExternalPerRouter
	if inPer == 0 {
		inPer = 40
	}
	if exPer == 0 {
		exPer = 10
	}
	n := o.Routers
	sites := (n + siteSize - 1) / siteSize
	type site struct {
		name   string
		bb     [2]*Router
		leaves []*Router
	}
	var ss []*site
	var dcs, edges []*Router
	for s := 0; s < sites; s++ {
		st := &site{name: fmt.Sprintf("s%03d", s)}
		dcSite := s%3 == 2
		for p := 0; p < siteSize && s*siteSize+p < n; p++ {
			i := s*siteSize + p
			role, name := "backbone", ""
			switch {
			case p < 2:
				name = fmt.Sprintf("bb%d.%s", p+1, st.name)
			case dcSite:
				role, name = "dc", fmt.Sprintf("dc%d.%s", p-1, st.name)
			case p < 4:
				role, name = "edge", fmt.Sprintf("edge%d.%s", p-1, st.name)
			case p < 6:
				role, name = "dc", fmt.Sprintf("dc%d.%s", p-3, st.name)
			default:
				name = fmt.Sprintf("agg%d.%s", p-5, st.name)
			}
			r := newRouter(i, name, role, st.name, CoreAS, loopback(i))
			r.ISIS = &ISIS{Area: "49.0001", SystemID: fmt.Sprintf("0000.%04x.%04x", (i+1)>>16, (i+1)&0xffff), Levels: Level2}
			r.Interfaces[0].ISIS = &ISISInterface{Passive: true}
			g.t.Routers = append(g.t.Routers, r)
			if p < 2 {
				st.bb[p] = r
			} else {
				st.leaves = append(st.leaves, r)
			}
			switch role {
			case "dc":
				dcs = append(dcs, r)
			case "edge":
				edges = append(edges, r)
			}
		}
		ss = append(ss, st)
	}
	// Links: the site pair, leaves dual-homed and chained, both planes in a
	// ring of sites, and chords across the ring.
	for _, st := range ss {
		if st.bb[1] != nil {
			g.link(st.bb[0], st.bb[1], 10)
		}
		for k, l := range st.leaves {
			g.link(l, st.bb[0], 10)
			g.link(l, st.bb[1], 20)
			if k > 0 {
				g.link(st.leaves[k-1], l, 50)
			}
		}
	}
	if len(ss) > 1 {
		for s := range ss {
			next := ss[(s+1)%len(ss)]
			if len(ss) == 2 && s == 1 {
				break
			}
			m := uint32(100 + 50*g.rng.IntN(9))
			for p := 0; p < 2; p++ {
				if ss[s].bb[p] != nil && next.bb[p] != nil {
					g.link(ss[s].bb[p], next.bb[p], m)
				}
			}
		}
		for k := 0; k < len(ss)/2; k++ {
			a, b := g.rng.IntN(len(ss)), g.rng.IntN(len(ss))
			if a != b && ss[a].bb[0] != nil && ss[b].bb[1] != nil {
				g.link(ss[a].bb[0], ss[b].bb[1], uint32(200+50*g.rng.IntN(8)))
			}
		}
	}
	// Route reflectors.
	var rrs []*Router
	for s := 0; s < 2 && s < len(ss); s++ {
		for p := 0; p < 2; p++ {
			if r := ss[s].bb[p]; r != nil {
				rrs = append(rrs, r)
			}
		}
	}
	isRR := map[*Router]bool{}
	for k, rr := range rrs {
		isRR[rr] = true
		rr.Role, rr.Tags = "rr", []string{"route-reflector"}
		rr.BGP.Groups = append(rr.BGP.Groups,
			PeerGroup{Name: "RR-CLIENTS", PeerAS: CoreAS, LocalAddr: rr.RouterID, RRClient: true, ClusterID: ip4(10, 255, 0, 1+k/2)},
			PeerGroup{Name: "RR-MESH", PeerAS: CoreAS, LocalAddr: rr.RouterID})
		rr.BGP.Multipath = &Multipath{IBGP: 4}
	}
	for _, r := range g.t.Routers {
		if isRR[r] {
			for _, o := range g.t.Routers {
				if o == r {
					continue
				}
				grp := "RR-CLIENTS"
				if isRR[o] {
					grp = "RR-MESH"
				}
				r.BGP.Neighbors = append(r.BGP.Neighbors, Neighbor{Addr: o.RouterID, Group: grp})
			}
			continue
		}
		r.BGP.Groups = append(r.BGP.Groups, PeerGroup{Name: "RR", PeerAS: CoreAS, LocalAddr: r.RouterID})
		for _, rr := range rrs {
			r.BGP.Neighbors = append(r.BGP.Neighbors, Neighbor{Addr: rr.RouterID, Group: "RR", Desc: rr.Name})
		}
	}
	// Data centres: internal prefixes as discard statics, a prefix-set of
	// exactly those, redistributed with a site community.
	total := n * inPer
	own := make([][]netip.Prefix, len(dcs))
	for k := 0; k < total; k++ {
		own[k%len(dcs)] = append(own[k%len(dcs)], internalPrefix(k))
	}
	for k, r := range dcs {
		ps := PrefixSet{Name: "DC-PREFIXES"}
		// Each DC also originates one public service /24 inside
		// ServiceAggregate, which the edges aggregate and announce.
		svc := netip.PrefixFrom(ip4(157, 240, k%256, 0), 24)
		r.Statics = append(r.Statics, Static{Prefix: svc, Discard: true})
		ps.Entries = append(ps.Entries, exact(svc))
		for _, p := range own[k] {
			r.Statics = append(r.Statics, Static{Prefix: p, Discard: true})
			ps.Entries = append(ps.Entries, exact(p))
		}
		r.PrefixSets = append(r.PrefixSets, ps)
		r.Policies = append(r.Policies, Policy{Name: "DC-ORIGINATE", Statements: []Statement{
			{Name: "10-dc-prefixes", PrefixSet: "DC-PREFIXES", Origin: "IGP",
				Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(1000 + k%1000)}}, Result: ResultAccept},
			{Name: "99-reject", Result: ResultReject}}})
		r.Redistribute = append(r.Redistribute, Redistribution{From: "STATIC", Import: []string{"DC-ORIGINATE"}, DefImport: ResultReject})
	}
	// The internal space, aggregated at the edges.
	internalAggs := []netip.Prefix{ServiceAggregate}
	for a := 0; a <= (total-1)>>16; a++ {
		internalAggs = append(internalAggs, netip.PrefixFrom(ip4(20+a, 0, 0, 0), 8))
	}
	ext := make([][]netip.Prefix, len(edges))
	for k := 0; k < n*exPer; k++ {
		ext[k%len(edges)] = append(ext[k%len(edges)], externalPrefix(k))
	}
	dns := Anycast{Service: "dns", Prefix: DNSPrefix}
	for k := 0; k < 4 && k < len(dcs); k++ {
		dns.ReachAny = append(dns.ReachAny, own[k][0])
	}
	for k, r := range edges {
		tr, an := ip4(198, 18, k/64, (k%64)*4), ip4(198, 19, k/64, (k%64)*4)
		r.Interfaces = append(r.Interfaces,
			&Interface{Name: "xe-1/0/0", Desc: "transit", Enabled: true, MTU: 1500, Addr: netip.PrefixFrom(tr.Next(), 30)},
			&Interface{Name: "xe-2/0/0", Desc: "dns announcer", Enabled: true, MTU: 1500, Addr: netip.PrefixFrom(an.Next(), 30)})
		asn := transitASNs[k%len(transitASNs)]
		r.PrefixSets = append(r.PrefixSets,
			PrefixSet{Name: "DEFAULT-ROUTE", Entries: []PrefixRange{exact(pfx("0.0.0.0/0"))}},
			PrefixSet{Name: "BOGONS", Entries: []PrefixRange{{Prefix: pfx("10.0.0.0/8"), Min: 8, Max: 32},
				{Prefix: pfx("100.64.0.0/10"), Min: 10, Max: 32}, {Prefix: pfx("192.168.0.0/16"), Min: 16, Max: 32}}},
			PrefixSet{Name: "DNS-ANYCAST", Entries: []PrefixRange{exact(DNSPrefix)}},
			PrefixSet{Name: "INTERNAL-AGGREGATES", Entries: prefixRanges(internalAggs)},
		)
		r.CommunitySets = append(r.CommunitySets, CommunitySet{Name: "INTERNAL", Members: []string{"65000:1..."}})
		r.Aggregates = append(r.Aggregates, internalAggs...)
		r.Policies = append(r.Policies,
			Policy{Name: "AGGREGATE-TO-BGP", Statements: []Statement{
				{Name: "10", PrefixSet: "INTERNAL-AGGREGATES", Result: ResultAccept},
				{Name: "99", Result: ResultReject}}},
			Policy{Name: "ANYCAST-DNS-IN", Statements: []Statement{
				{Name: "10", PrefixSet: "DNS-ANYCAST", Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(53)}}, Result: ResultAccept},
				{Name: "99", Result: ResultReject}}},
			Policy{Name: "IBGP-OUT", Statements: []Statement{{Name: "10-nhs", RouteType: "EXTERNAL", NextHopSelf: true, Result: ResultAccept}}},
			Policy{Name: "TRANSIT-IN", Statements: []Statement{
				{Name: "10-bogons", PrefixSet: "BOGONS", Result: ResultReject},
				{Name: "20-default", PrefixSet: "DEFAULT-ROUTE", LocalPref: u32(50), Result: ResultAccept},
				{Name: "30-rest", Community: &CommunityAction{Method: CommunityAdd, Values: []string{comm(3000)}}, LocalPref: u32(80), Result: ResultAccept}}},
			Policy{Name: "TRANSIT-OUT", Statements: []Statement{
				{Name: "10-scrub", Community: &CommunityAction{Method: CommunityRemove, SetRef: "INTERNAL"}},
				{Name: "20-dns", PrefixSet: "DNS-ANYCAST", Result: ResultAccept},
				{Name: "30-aggregates", PrefixSet: "INTERNAL-AGGREGATES", Prepend: &Prepend{Repeat: uint8(k % 3)}, Result: ResultAccept},
				{Name: "99", Result: ResultReject}}},
		)
		if k%3 == 0 {
			// no prepend on this edge: drop the action again
			r.Policies[len(r.Policies)-1].Statements[2].Prepend = nil
		}
		r.Redistribute = append(r.Redistribute, Redistribution{From: "LOCAL_AGGREGATE", Import: []string{"AGGREGATE-TO-BGP"}, DefImport: ResultReject})
		for i := range r.BGP.Groups {
			r.BGP.Groups[i].Export = []string{"IBGP-OUT"}
		}
		r.BGP.Groups = append(r.BGP.Groups,
			PeerGroup{Name: "TRANSIT", Import: []string{"TRANSIT-IN"}, Export: []string{"TRANSIT-OUT"}, DefImport: ResultReject, DefExport: ResultReject},
			PeerGroup{Name: "ANYCAST", PeerAS: AnnouncerASN, Import: []string{"ANYCAST-DNS-IN"}, DefImport: ResultReject, DefExport: ResultReject})
		r.BGP.Neighbors = append(r.BGP.Neighbors,
			Neighbor{Addr: tr.Next().Next(), PeerAS: asn, Group: "TRANSIT", Desc: fmt.Sprintf("transit AS%d", asn)},
			Neighbor{Addr: an.Next().Next(), PeerAS: AnnouncerASN, Group: "ANYCAST", Desc: "dns announcer"})
		g.t.Transits = append(g.t.Transits, Transit{Name: fmt.Sprintf("transit-%s", r.Name), Router: r.Name, Addr: tr.Next().Next(),
			ASN: asn, Role: "transit", Announces: append([]netip.Prefix{pfx("0.0.0.0/0")}, ext[k]...)})
		dns.Sites = append(dns.Sites, AnycastSite{Site: r.Site, Router: r.Name, Addr: an.Next().Next(), ASN: AnnouncerASN})
	}
	g.t.Anycast = []Anycast{dns}
	g.t.finish()
	return g.t
}

func prefixRanges(ps []netip.Prefix) []PrefixRange {
	var out []PrefixRange
	for _, p := range ps {
		out = append(out, exact(p))
	}
	return out
}
