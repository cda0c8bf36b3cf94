// Package gen generates small random backbones (3–20 routers) directly in the
// network model for the conformance tests: IS-IS with random metrics (some
// asymmetric, some broadcast circuits), iBGP full mesh or route reflection,
// eBGP to routers of other ASes and to external transits, anycast announcers
// (some withdrawn by their health check), statics and connected/IS-IS routes
// redistributed by table-connections, local aggregates, a drained link (one
// or both ends disabled), and
// routing policies using every modelled match and action that the FRR
// renderer can express (call-policy excepted).
package gen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"sort"

	"github.com/backstop-net/backstop/models/network"
)

const coreAS = 65000

type builder struct {
	rng   *rand.Rand
	n     *network.Network
	links int
}

func ip4(a, b, c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a), byte(b), byte(c), byte(d)})
}
func u32(v int) *uint32         { x := uint32(v); return &x }
func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

var accept = network.PolicyChain{Default: network.ResultAccept, DefaultSet: true}

func (b *builder) chance(p float64) bool { return b.rng.Float64() < p }

func (b *builder) iface(d *network.Device, name string, a netip.Prefix) {
	d.Interfaces = append(d.Interfaces, network.Interface{Name: name, Enabled: true, Addresses: []netip.Prefix{a}})
}

func (b *builder) isis(d *network.Device, name string, metric uint32, passive, p2p bool) {
	d.ISIS.Interfaces = append(d.ISIS.Interfaces, network.ISISInterface{Interface: name, Enabled: true, Passive: passive,
		Levels: network.Level2, Metric: [2]uint32{metric, metric}, PointToPoint: p2p})
}

// link adds a /31 between a and b; IS-IS on it when both are core routers.
func (b *builder) link(a, c *network.Device, igp bool) (string, string) {
	k := b.links
	b.links++
	base := ip4(10, 1, (2*k)/256, (2*k)%256)
	na, nc := fmt.Sprintf("et-0/0/%d", k), fmt.Sprintf("et-0/0/%d", k)
	b.iface(a, na, netip.PrefixFrom(base, 31))
	b.iface(c, nc, netip.PrefixFrom(base.Next(), 31))
	if igp {
		m := uint32(1 + b.rng.IntN(100))
		m2 := m
		if b.chance(0.1) {
			m2 = uint32(1 + b.rng.IntN(100))
		}
		p2p := !b.chance(0.15)
		b.isis(a, na, m, false, p2p)
		b.isis(c, nc, m2, false, p2p)
	}
	return na, nc
}

func newDevice(i int, role string, as uint32) *network.Device {
	lo := ip4(10, 0, 0, i+1)
	d := &network.Device{ID: network.DeviceID(i), Name: fmt.Sprintf("r%02d", i), Role: role, Site: fmt.Sprintf("s%02d", i),
		Policies: map[string]*network.Policy{}, PrefixSets: map[string]*network.PrefixSet{},
		CommunitySets: map[string]*network.CommunitySet{}, ASPathSets: map[string]*network.ASPathSet{}}
	d.Interfaces = []network.Interface{{Name: "lo0", Enabled: true, Loopback: true, Addresses: []netip.Prefix{netip.PrefixFrom(lo, 32)}}}
	d.BGP = &network.BGP{AS: as, RouterID: lo}
	return d
}

func nbr(addr netip.Addr, peerAS, localAS uint32, local netip.Addr) network.Neighbor {
	return network.Neighbor{Address: addr, PeerAS: peerAS, LocalAS: localAS, Enabled: true, LocalAddress: local, IPv4Unicast: true}
}

func stmt(name string, c network.Conditions, a network.Actions) network.Statement {
	return network.Statement{Name: name, Conditions: c, Actions: a}
}

func comm(a, v int) network.Community { return network.Community(a<<16 | v) }

// Network returns the generated network for a seed (deterministic).
func Network(seed uint64) *network.Network {
	b := &builder{rng: rand.New(rand.NewPCG(seed, 0xb5)), n: &network.Network{}}
	rng := b.rng
	total := 3 + rng.IntN(18)
	cust := 0
	if total >= 5 {
		cust = rng.IntN(3)
	}
	core := total - cust
	var devs []*network.Device
	for i := 0; i < core; i++ {
		d := newDevice(i, "backbone", coreAS)
		d.ISIS = &network.ISIS{Enabled: true, Levels: network.Level2, Areas: []string{"49.0001"}, SystemID: fmt.Sprintf("0000.0000.%04d", i+1)}
		lom := uint32(0)
		if b.chance(0.3) {
			lom = uint32(1 + rng.IntN(50))
		}
		b.isis(d, "lo0", lom, true, false)
		devs = append(devs, d)
	}
	for i := core; i < total; i++ {
		devs = append(devs, newDevice(i, "customer", uint32(65001+i-core)))
	}
	b.n.Devices = devs
	// core topology: a ring (a line for 2... core >= 3 here) and chords
	var coreLinks [][2]string
	var coreLinkDevs [][2]*network.Device
	addCore := func(x, y int) {
		a, c := b.link(devs[x], devs[y], true)
		coreLinks = append(coreLinks, [2]string{a, c})
		coreLinkDevs = append(coreLinkDevs, [2]*network.Device{devs[x], devs[y]})
	}
	for i := 0; i < core; i++ {
		if core == 3 || i < core-1 || core > 3 {
			j := (i + 1) % core
			if core == 2 && i == 1 {
				break
			}
			addCore(i, j)
		}
	}
	for k := rng.IntN(core/2 + 1); k > 0; k-- {
		x, y := rng.IntN(core), rng.IntN(core)
		if x != y && (x+1)%core != y && (y+1)%core != x {
			addCore(x, y)
		}
	}
	// roles among core routers: route reflectors, edges, data centres
	perm := rng.Perm(core)
	nEdge := 1 + rng.IntN(min(3, core-1))
	nDC := 1 + rng.IntN(min(3, core-nEdge))
	edges, dcs := perm[:nEdge], perm[nEdge:nEdge+nDC]
	for _, e := range edges {
		devs[e].Role = "edge"
	}
	for _, e := range dcs {
		devs[e].Role = "dc"
	}
	// iBGP
	var rrs []int
	if core > 3 && b.chance(0.6) {
		rrs = []int{0}
		if b.chance(0.5) {
			rrs = append(rrs, 1)
		}
	}
	isRR := func(i int) bool { return len(rrs) > 0 && (i == rrs[0] || len(rrs) > 1 && i == rrs[1]) }
	ibgpChain := func() network.PolicyChain {
		if b.chance(0.5) {
			return network.PolicyChain{}
		}
		return accept
	}
	for i := 0; i < core; i++ {
		for j := 0; j < core; j++ {
			if i == j || (len(rrs) > 0 && !isRR(i) && !isRR(j)) {
				continue
			}
			nb := nbr(devs[j].BGP.RouterID, coreAS, coreAS, devs[i].BGP.RouterID)
			nb.Import, nb.Export = ibgpChain(), ibgpChain()
			nb.RRClient = isRR(i) && !isRR(j)
			devs[i].BGP.Neighbors = append(devs[i].BGP.Neighbors, nb)
		}
	}
	// data centres: discard statics redistributed into BGP
	for k, i := range dcs {
		d := devs[i]
		d.Statics = append(d.Statics,
			network.StaticRoute{Prefix: netip.PrefixFrom(ip4(10, 200+k, 0, 0), 16), NextHops: []network.StaticNextHop{{Discard: true}}},
			network.StaticRoute{Prefix: netip.PrefixFrom(ip4(157, 240, k, 0), 24), NextHops: []network.StaticNextHop{{Discard: true}}})
		if b.chance(0.3) {
			// a static towards a neighbour's link address
			for _, ifc := range d.Interfaces {
				if !ifc.Loopback && len(ifc.Addresses) > 0 {
					a := ifc.Addresses[0]
					peer := a.Masked().Addr()
					if peer == a.Addr() {
						peer = peer.Next()
					}
					d.Statics = append(d.Statics, network.StaticRoute{Prefix: netip.PrefixFrom(ip4(10, 210+k, 1, 0), 24),
						NextHops: []network.StaticNextHop{{Addr: peer}}})
					break
				}
			}
		}
		tc := network.TableConnection{Src: network.ProtoStatic}
		if b.chance(0.6) {
			d.PrefixSets["DC-PREFIXES"] = &network.PrefixSet{Name: "DC-PREFIXES", Entries: []network.PrefixRange{
				{Prefix: pfx("10.192.0.0/10"), Min: 16, Max: 16}, {Prefix: pfx("157.240.0.0/16"), Min: 24, Max: 24}}}
			acts := network.Actions{Result: network.ResultAccept, Community: &network.CommunityAction{Method: network.CommunityAdd,
				Communities: []network.Community{comm(coreAS, 900+k)}}}
			if b.chance(0.4) {
				acts.SetMED = u32(rng.IntN(50))
			}
			if b.chance(0.3) {
				acts.SetLocalPref = u32(100 + rng.IntN(100))
			}
			d.Policies["DC-ORIGINATE"] = &network.Policy{Name: "DC-ORIGINATE", Statements: []network.Statement{
				stmt("proto", network.Conditions{InstallProtocol: network.ProtoStatic}, network.Actions{Community: &network.CommunityAction{
					Method: network.CommunityAdd, Communities: []network.Community{comm(coreAS, 1)}}}),
				stmt("dc", network.Conditions{PrefixSet: "DC-PREFIXES"}, acts)}}
			tc.Import = network.PolicyChain{Policies: []string{"DC-ORIGINATE"}, Default: network.ResultReject, DefaultSet: true}
		}
		d.TableConnections = append(d.TableConnections, tc)
	}
	// a router redistributing connected loopbacks or IS-IS routes
	if b.chance(0.3) {
		d := devs[perm[core-1]]
		if len(d.TableConnections) == 0 {
			src := network.ProtoConnected
			if b.chance(0.4) {
				src = network.ProtoISIS
			}
			d.PrefixSets["LOOPBACKS"] = &network.PrefixSet{Name: "LOOPBACKS", Entries: []network.PrefixRange{{Prefix: pfx("10.0.0.0/24"), Min: 32, Max: 32}}}
			d.Policies["LO-TO-BGP"] = &network.Policy{Name: "LO-TO-BGP", Statements: []network.Statement{
				stmt("lo", network.Conditions{PrefixSet: "LOOPBACKS"}, network.Actions{Result: network.ResultAccept, SetMED: u32(7)})}}
			d.TableConnections = append(d.TableConnections, network.TableConnection{Src: src,
				Import: network.PolicyChain{Policies: []string{"LO-TO-BGP"}, Default: network.ResultReject, DefaultSet: true}})
		}
	}
	// edges: transit, anycast announcers, aggregate, next-hop handling
	dns := network.AnycastService{Service: "dns", Prefix: pfx("129.134.30.0/23")}
	for k := range dcs {
		if k == 0 || b.chance(0.5) {
			dns.ReachAny = append(dns.ReachAny, netip.PrefixFrom(ip4(10, 200+k, 0, 0), 16))
		}
	}
	ntp := network.AnycastService{Service: "ntp", Prefix: pfx("129.134.40.0/24"), ReachAny: []netip.Prefix{pfx("10.250.0.0/16")}}
	withNTP := b.chance(0.3)
	transitASNs := []uint32{3356, 174, 64601, 3356}
	extPool := []netip.Prefix{pfx("198.51.100.0/24"), pfx("198.51.101.0/25"), pfx("203.0.114.0/24"), pfx("192.0.2.0/24")}
	for k, i := range edges {
		d := devs[i]
		// transit
		ta := ip4(203, 0, 113, 4*k)
		b.iface(d, "xe-1/0/0", netip.PrefixFrom(ta.Next(), 30))
		asn := transitASNs[rng.IntN(len(transitASNs))]
		ann := []netip.Prefix{pfx("0.0.0.0/0")}
		for _, p := range extPool {
			if b.chance(0.5) {
				ann = append(ann, p)
			}
		}
		b.n.External = append(b.n.External, network.ExternalPeer{Name: fmt.Sprintf("transit%d", k), Device: d.ID,
			Neighbor: ta.Next().Next(), ASN: asn, Role: "transit", Announces: ann})
		tn := nbr(ta.Next().Next(), asn, coreAS, netip.Addr{})
		tn.Import = b.transitIn(d, k)
		tn.Export = b.transitOut(d)
		d.BGP.Neighbors = append(d.BGP.Neighbors, tn)
		if b.chance(0.3) {
			b.isis(d, "xe-1/0/0", 0, true, false)
		}
		// anycast announcers
		aa := ip4(10, 9, k, 0)
		b.iface(d, "xe-2/0/0", netip.PrefixFrom(aa.Next(), 30))
		dns.Sites = append(dns.Sites, network.AnycastSite{Site: d.Site, Device: d.ID, Neighbor: aa.Next().Next(), ASN: 65100})
		d.PrefixSets["ANYCAST"] = &network.PrefixSet{Name: "ANYCAST", Entries: []network.PrefixRange{
			{Prefix: pfx("129.134.0.0/16"), Min: 23, Max: 24}}}
		d.Policies["ANYCAST-IN"] = &network.Policy{Name: "ANYCAST-IN", Statements: []network.Statement{
			stmt("10", network.Conditions{PrefixSet: "ANYCAST"}, network.Actions{Result: network.ResultAccept})}}
		an := nbr(aa.Next().Next(), 65100, coreAS, netip.Addr{})
		an.Import = network.PolicyChain{Policies: []string{"ANYCAST-IN"}, Default: network.ResultReject, DefaultSet: true}
		d.BGP.Neighbors = append(d.BGP.Neighbors, an)
		if withNTP {
			na := ip4(10, 9, 100+k, 0)
			b.iface(d, "xe-3/0/0", netip.PrefixFrom(na.Next(), 30))
			ntp.Sites = append(ntp.Sites, network.AnycastSite{Site: d.Site, Device: d.ID, Neighbor: na.Next().Next(), ASN: 65101})
			nn := nbr(na.Next().Next(), 65101, coreAS, netip.Addr{})
			nn.Import = an.Import
			d.BGP.Neighbors = append(d.BGP.Neighbors, nn)
		}
		// aggregate of the DC service /24s, redistributed
		if b.chance(0.7) {
			d.Aggregates = append(d.Aggregates, network.Aggregate{Prefix: pfx("157.240.0.0/16"), Discard: true})
			tc := network.TableConnection{Src: network.ProtoLocalAggregate}
			if b.chance(0.5) {
				d.Policies["AGG"] = &network.Policy{Name: "AGG", Statements: []network.Statement{
					stmt("10", network.Conditions{InstallProtocol: network.ProtoLocalAggregate}, network.Actions{
						Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{comm(coreAS, 157)}}}),
					stmt("20", network.Conditions{}, network.Actions{Result: network.ResultAccept})}}
				tc.Import = network.PolicyChain{Policies: []string{"AGG"}, Default: network.ResultReject, DefaultSet: true}
			}
			d.TableConnections = append(d.TableConnections, tc)
		}
		b.edgeIBGPExport(d)
	}
	b.n.Anycast = []network.AnycastService{dns}
	if withNTP {
		b.n.Anycast = append(b.n.Anycast, ntp)
	}
	// customers: other ASes over single-hop eBGP
	for c := core; c < total; c++ {
		cd := devs[c]
		up := []int{rng.IntN(core)}
		if b.chance(0.5) && core > 1 {
			if o := rng.IntN(core); o != up[0] {
				up = append(up, o)
			}
		}
		cd.Statics = append(cd.Statics, network.StaticRoute{Prefix: netip.PrefixFrom(ip4(100, 64, c, 0), 24), NextHops: []network.StaticNextHop{{Discard: true}}})
		cd.TableConnections = append(cd.TableConnections, network.TableConnection{Src: network.ProtoStatic})
		b.customerPolicies(cd)
		for _, u := range up {
			ud := devs[u]
			ci, ui := b.link(cd, ud, false)
			ca, ua := cd.Interface(ci).Addresses[0].Addr(), ud.Interface(ui).Addresses[0].Addr()
			cn := nbr(ua, coreAS, cd.BGP.AS, netip.Addr{})
			cn.Import = network.PolicyChain{Policies: []string{"FROM-CORE"}, Default: network.ResultAccept, DefaultSet: true}
			cn.Export = accept
			cd.BGP.Neighbors = append(cd.BGP.Neighbors, cn)
			un := nbr(ca, cd.BGP.AS, coreAS, netip.Addr{})
			b.coreCustomerPolicies(ud)
			un.Import = network.PolicyChain{Policies: []string{"CUST-IN"}, Default: network.ResultReject, DefaultSet: true}
			un.Export = network.PolicyChain{Policies: []string{"CUST-OUT"}, Default: network.ResultReject, DefaultSet: true}
			ud.BGP.Neighbors = append(ud.BGP.Neighbors, un)
			if b.chance(0.6) {
				b.isis(ud, ui, 0, true, false)
			} else {
				b.edgeIBGPExport(ud)
			}
		}
	}
	// a stub interface with an address and no link
	if b.chance(0.3) {
		d := devs[rng.IntN(core)]
		b.iface(d, "et-9/9/9", netip.PrefixFrom(ip4(10, 77, int(d.ID), 1), 24))
		b.isis(d, "et-9/9/9", 0, b.chance(0.5), true)
	}
	// a drained link: both ends disabled, or one (the far end then loses
	// carrier: the simulator's carrier rule)
	if b.chance(0.35) && len(coreLinks) > 0 {
		k := rng.IntN(len(coreLinks))
		oneEnd := b.chance(0.5)
		for s, d := range coreLinkDevs[k] {
			if oneEnd && s == 1 {
				continue
			}
			for i := range d.Interfaces {
				if d.Interfaces[i].Name == coreLinks[k][s] {
					d.Interfaces[i].Enabled = false
				}
			}
		}
	}
	// Added last, from their own random stream, so that the networks of
	// earlier releases stay what they were where these do not apply.
	x := &builder{rng: rand.New(rand.NewPCG(seed, 0x3ed)), n: b.n, links: b.links}
	if len(rrs) == 2 && x.chance(0.5) {
		x.sharedClusterID(devs, rrs, append(append([]int{}, edges...), dcs...))
	}
	if cust >= 2 && x.chance(0.6) {
		x.medAcrossASes(devs[core], devs[core+1], devs)
	}
	for _, d := range devs {
		sort.Slice(d.Interfaces, func(i, j int) bool { return d.Interfaces[i].Name < d.Interfaces[j].Name })
		sort.Slice(d.BGP.Neighbors, func(i, j int) bool { return d.BGP.Neighbors[i].Address.Less(d.BGP.Neighbors[j].Address) })
		if d.ISIS != nil {
			sort.Slice(d.ISIS.Interfaces, func(i, j int) bool { return d.ISIS.Interfaces[i].Interface < d.ISIS.Interfaces[j].Interface })
		}
	}
	return b.n
}

// sharedClusterID gives both route reflectors one cluster ID and takes one
// client (an edge or a DC router, which originate routes) off the second
// reflector: the second reflector then receives that client's routes only
// reflected by the first, with its own cluster ID in the cluster list, and
// drops them (RFC 4456 section 8) — a classic surprise of shared cluster IDs.
func (b *builder) sharedClusterID(devs []*network.Device, rrs, originators []int) {
	cid := ip4(10, 255, 255, 1)
	r1, r2 := devs[rrs[0]], devs[rrs[1]]
	r1.BGP.ClusterID, r2.BGP.ClusterID = cid, cid
	var cands []int
	for _, i := range originators {
		if i != rrs[0] && i != rrs[1] {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return
	}
	c := devs[cands[b.rng.IntN(len(cands))]]
	drop := func(d *network.Device, peer netip.Addr) {
		d.BGP.Neighbors = slices.DeleteFunc(d.BGP.Neighbors, func(n network.Neighbor) bool { return n.Address == peer })
	}
	drop(c, r2.BGP.RouterID)
	drop(r2, c.BGP.RouterID)
}

// medAcrossASes makes two customers of different ASes announce one prefix
// to the same core router with different MEDs, the higher MED from the lower
// router ID: MED is compared only between paths from the same neighbouring
// AS (RFC 4271 9.1.2.2 c), so the router ID decides, and a simulator that
// compared MED across ASes would choose the other path.
func (b *builder) medAcrossASes(c1, c2 *network.Device, devs []*network.Device) {
	var u *network.Device
	for _, n := range c1.BGP.Neighbors {
		for _, d := range devs {
			if d.BGP.AS == coreAS && slices.ContainsFunc(d.Interfaces, func(i network.Interface) bool {
				return len(i.Addresses) > 0 && i.Addresses[0].Addr() == n.Address
			}) {
				u = d
			}
		}
		if u != nil {
			break
		}
	}
	if u == nil {
		return
	}
	attached := false
	for _, n := range c2.BGP.Neighbors {
		for _, i := range u.Interfaces {
			attached = attached || len(i.Addresses) > 0 && i.Addresses[0].Addr() == n.Address
		}
	}
	if !attached {
		ci, ui := b.link(c2, u, false)
		ca, ua := c2.Interface(ci).Addresses[0].Addr(), u.Interface(ui).Addresses[0].Addr()
		cn := nbr(ua, coreAS, c2.BGP.AS, netip.Addr{})
		cn.Import = network.PolicyChain{Policies: []string{"FROM-CORE"}, Default: network.ResultAccept, DefaultSet: true}
		cn.Export = accept
		c2.BGP.Neighbors = append(c2.BGP.Neighbors, cn)
		b.coreCustomerPolicies(u)
		un := nbr(ca, c2.BGP.AS, coreAS, netip.Addr{})
		un.Import = network.PolicyChain{Policies: []string{"CUST-IN"}, Default: network.ResultReject, DefaultSet: true}
		un.Export = network.PolicyChain{Policies: []string{"CUST-OUT"}, Default: network.ResultReject, DefaultSet: true}
		u.BGP.Neighbors = append(u.BGP.Neighbors, un)
	}
	shared := pfx("100.64.250.0/24")
	for k, c := range []*network.Device{c1, c2} {
		c.Statics = append(c.Statics, network.StaticRoute{Prefix: shared, NextHops: []network.StaticNextHop{{Discard: true}}})
		c.PrefixSets["SHARED"] = &network.PrefixSet{Name: "SHARED", Entries: []network.PrefixRange{{Prefix: shared, Min: 24, Max: 24}}}
		c.Policies["SHARED-MED"] = &network.Policy{Name: "SHARED-MED", Statements: []network.Statement{
			stmt("med", network.Conditions{PrefixSet: "SHARED"}, network.Actions{SetMED: u32(50 - 40*k)})}}
		for i := range c.BGP.Neighbors {
			c.BGP.Neighbors[i].Export = network.PolicyChain{Policies: []string{"SHARED-MED"}, Default: network.ResultAccept, DefaultSet: true}
		}
	}
}

// edgeIBGPExport sets next-hop handling towards iBGP peers (once per device).
func (b *builder) edgeIBGPExport(d *network.Device) {
	if _, done := d.Policies["IBGP-OUT"]; done {
		return
	}
	act := network.Actions{Result: network.ResultAccept}
	switch {
	case b.chance(0.7):
		act.NextHop = &network.NextHopAction{Self: true}
	case b.chance(0.6):
		act.NextHop = &network.NextHopAction{Addr: d.BGP.RouterID}
	default:
		act = network.Actions{} // no next-hop change: external next hops may not resolve
	}
	sts := []network.Statement{}
	if b.chance(0.4) {
		sts = append(sts, stmt("static", network.Conditions{InstallProtocol: network.ProtoBGP}, network.Actions{
			Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{comm(coreAS, 2)}}}))
	}
	sts = append(sts, stmt("nhs", network.Conditions{}, act))
	d.Policies["IBGP-OUT"] = &network.Policy{Name: "IBGP-OUT", Statements: sts}
	for i := range d.BGP.Neighbors {
		if d.BGP.Neighbors[i].IBGP() {
			d.BGP.Neighbors[i].Export = network.PolicyChain{Policies: []string{"IBGP-OUT"}, Default: network.ResultAccept, DefaultSet: true}
		}
	}
}

func (b *builder) transitIn(d *network.Device, k int) network.PolicyChain {
	var sts []network.Statement
	d.PrefixSets["DEFAULT"] = &network.PrefixSet{Name: "DEFAULT", Entries: []network.PrefixRange{{Prefix: pfx("0.0.0.0/0"), Min: 0, Max: 0}}}
	d.PrefixSets["BOGONS"] = &network.PrefixSet{Name: "BOGONS", Entries: []network.PrefixRange{
		{Prefix: pfx("10.0.0.0/8"), Min: 8, Max: 32}, {Prefix: pfx("192.0.2.0/24"), Min: 24, Max: 32}}}
	if b.chance(0.5) {
		sts = append(sts, stmt("bogons", network.Conditions{PrefixSet: "BOGONS"}, network.Actions{Result: network.ResultReject}))
	}
	sts = append(sts, stmt("tag", network.Conditions{}, network.Actions{Community: &network.CommunityAction{Method: network.CommunityAdd,
		Communities: []network.Community{comm(coreAS, 100+k), comm(coreAS, 3000)}}}))
	if b.chance(0.5) {
		sts = append(sts, stmt("default-lp", network.Conditions{PrefixSet: "DEFAULT"}, network.Actions{SetLocalPref: u32(50 + b.rng.IntN(3)*25)}))
	}
	if b.chance(0.5) {
		sts = append(sts, stmt("others-lp", network.Conditions{PrefixSet: "DEFAULT", PrefixSetMode: network.MatchInvert},
			network.Actions{SetLocalPref: u32(80 + b.rng.IntN(60)), SetMED: u32(b.rng.IntN(30))}))
	}
	if b.chance(0.4) {
		d.ASPathSets["LONG"] = &network.ASPathSet{Name: "LONG", Text: []string{"^3356_", "_174$"},
			Members: []*regexp.Regexp{regexp.MustCompile(`^3356(?:^|$| )`), regexp.MustCompile(`(?:^|$| )174$`)}}
		sts = append(sts, stmt("aspath", network.Conditions{ASPathSet: "LONG"}, network.Actions{SetMED: u32(40), SetLocalPref: u32(90)}))
	}
	if b.chance(0.3) {
		sts = append(sts, stmt("prepend", network.Conditions{}, network.Actions{Prepend: &network.Prepend{ASN: 64999, Repeat: uint8(1 + b.rng.IntN(2))}}))
	}
	sts = append(sts, stmt("end", network.Conditions{}, network.Actions{Result: network.ResultAccept}))
	name := "TRANSIT-IN"
	d.Policies[name] = &network.Policy{Name: name, Statements: sts}
	return network.PolicyChain{Policies: []string{name}, Default: network.ResultReject, DefaultSet: true}
}

func (b *builder) transitOut(d *network.Device) network.PolicyChain {
	d.PrefixSets["CRITICAL"] = &network.PrefixSet{Name: "CRITICAL", Entries: []network.PrefixRange{
		{Prefix: pfx("129.134.0.0/16"), Min: 23, Max: 24}, {Prefix: pfx("157.240.0.0/16"), Min: 16, Max: 16}, {Prefix: pfx("100.64.0.0/16"), Min: 24, Max: 24}}}
	d.CommunitySets["INTERNAL"] = &network.CommunitySet{Name: "INTERNAL", Members: []network.CommunityMatcher{
		{Value: comm(coreAS, 1), Text: "65000:1"}, {Regex: regexp.MustCompile(`^(?:65000:9..)$`), Text: "65000:9.."}}}
	var sts []network.Statement
	sts = append(sts, stmt("not-critical", network.Conditions{PrefixSet: "CRITICAL", PrefixSetMode: network.MatchInvert},
		network.Actions{Result: network.ResultReject}))
	sts = append(sts, stmt("scrub", network.Conditions{}, network.Actions{Community: &network.CommunityAction{Method: network.CommunityRemove, SetRef: "INTERNAL"}}))
	if b.chance(0.5) {
		sts = append(sts, stmt("prepend", network.Conditions{PrefixSet: "CRITICAL"}, network.Actions{Prepend: &network.Prepend{Repeat: uint8(1 + b.rng.IntN(3))}, SetMED: u32(b.rng.IntN(100))}))
	}
	sts = append(sts, stmt("ok", network.Conditions{}, network.Actions{Result: network.ResultAccept}))
	d.Policies["TRANSIT-OUT"] = &network.Policy{Name: "TRANSIT-OUT", Statements: sts}
	return network.PolicyChain{Policies: []string{"TRANSIT-OUT"}, Default: network.ResultReject, DefaultSet: true}
}

func (b *builder) customerPolicies(d *network.Device) {
	d.ASPathSets["VIA-3356"] = &network.ASPathSet{Name: "VIA-3356", Text: []string{"_3356_"}, Members: []*regexp.Regexp{regexp.MustCompile(`(?:^|$| )3356(?:^|$| )`)}}
	d.CommunitySets["TRANSIT"] = &network.CommunitySet{Name: "TRANSIT", Members: []network.CommunityMatcher{{Value: comm(coreAS, 3000), Text: "65000:3000"}}}
	var sts []network.Statement
	if b.chance(0.5) {
		sts = append(sts, stmt("no-3356", network.Conditions{ASPathSet: "VIA-3356", ASPathMode: network.MatchInvert}, network.Actions{SetLocalPref: u32(120)}))
	} else {
		sts = append(sts, stmt("3356", network.Conditions{ASPathSet: "VIA-3356"}, network.Actions{SetLocalPref: u32(70)}))
	}
	if b.chance(0.5) {
		sts = append(sts, stmt("transit", network.Conditions{CommunitySet: "TRANSIT"}, network.Actions{SetMED: u32(5)}))
	}
	d.Policies["FROM-CORE"] = &network.Policy{Name: "FROM-CORE", Statements: sts}
}

func (b *builder) coreCustomerPolicies(d *network.Device) {
	if _, done := d.Policies["CUST-IN"]; done {
		return
	}
	d.PrefixSets["CUSTOMERS"] = &network.PrefixSet{Name: "CUSTOMERS", Entries: []network.PrefixRange{{Prefix: pfx("100.64.0.0/16"), Min: 20, Max: 24}}}
	d.Policies["CUST-IN"] = &network.Policy{Name: "CUST-IN", Statements: []network.Statement{
		stmt("10", network.Conditions{PrefixSet: "CUSTOMERS"}, network.Actions{Result: network.ResultAccept, SetLocalPref: u32(150),
			Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{comm(coreAS, 500)}}})}}
	d.CommunitySets["ANY-TRANSIT"] = &network.CommunitySet{Name: "ANY-TRANSIT", Members: []network.CommunityMatcher{
		{Value: comm(coreAS, 3000), Text: "65000:3000"}, {Value: comm(coreAS, 100), Text: "65000:100"}}}
	var sts []network.Statement
	switch b.rng.IntN(3) {
	case 0:
		sts = append(sts, stmt("all", network.Conditions{CommunitySet: "ANY-TRANSIT", CommunityMode: network.MatchAll}, network.Actions{Prepend: &network.Prepend{Repeat: 2}}))
	case 1:
		sts = append(sts, stmt("notransit", network.Conditions{CommunitySet: "ANY-TRANSIT", CommunityMode: network.MatchInvert},
			network.Actions{Community: &network.CommunityAction{Method: network.CommunityReplace, Communities: []network.Community{comm(coreAS, 7)}}}))
	default:
		sts = append(sts, stmt("any", network.Conditions{CommunitySet: "ANY-TRANSIT"}, network.Actions{SetMED: u32(33)}))
	}
	sts = append(sts, stmt("ok", network.Conditions{}, network.Actions{Result: network.ResultAccept}))
	d.Policies["CUST-OUT"] = &network.Policy{Name: "CUST-OUT", Statements: sts}
}
