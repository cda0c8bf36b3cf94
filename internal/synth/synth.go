// Package synth builds large synthetic backbones directly in the network
// model, for benchmarks of the simulator at the size it is designed for
// (1,000 routers, ~4,000 links, 50k prefixes) without going through
// OpenConfig. It is deterministic for a given Options.
package synth

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"

	"github.com/backstop-net/backstop/models/network"
)

// Options size the network.
type Options struct {
	Routers          int // total routers
	LinksPerRouter   int // average degree / 2 (links ≈ Routers × LinksPerRouter)
	InternalPrefixes int // originated by data-centre routers
	ExternalPrefixes int // announced by transit peers (besides the default route)
	Seed             uint64
}

// Default is the size the simulator is designed for.
var Default = Options{Routers: 1000, LinksPerRouter: 4, InternalPrefixes: 40000, ExternalPrefixes: 10000, Seed: 1}

const asn = 65000

func ip4(a, b, c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a), byte(b), byte(c), byte(d)})
}

// Backbone builds the network. Roles: 4 route reflectors, 10% edge routers
// (each with a transit peer and a DNS announcer), 25% data-centre routers
// (originating the internal prefixes as discard statics redistributed into
// BGP), the rest backbone. Every non-RR router is a client of every RR.
func Backbone(o Options) *network.Network {
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	n := &network.Network{}
	for i := 0; i < o.Routers; i++ {
		role := "backbone"
		switch {
		case i < 4:
			role = "rr"
		case i%10 == 5:
			role = "edge"
		case i%4 == 2:
			role = "dc"
		}
		lo := ip4(10, 0, i/256, i%256)
		d := &network.Device{ID: network.DeviceID(i), Name: fmt.Sprintf("r%04d", i), Role: role, Site: fmt.Sprintf("s%03d", i/8),
			Policies: map[string]*network.Policy{}, PrefixSets: map[string]*network.PrefixSet{},
			CommunitySets: map[string]*network.CommunitySet{}, ASPathSets: map[string]*network.ASPathSet{}}
		d.Interfaces = []network.Interface{{Name: "lo0", Enabled: true, Loopback: true, Addresses: []netip.Prefix{netip.PrefixFrom(lo, 32)}}}
		d.ISIS = &network.ISIS{Enabled: true, Levels: network.Level2, Areas: []string{"49.0001"},
			Interfaces: []network.ISISInterface{{Interface: "lo0", Enabled: true, Passive: true, Levels: network.Level2}}}
		d.ISIS.SystemID = fmt.Sprintf("0000.%04x.%04x", i/65536, i%65536) // without a NET IS-IS does not run
		d.BGP = &network.BGP{AS: asn, RouterID: lo}
		n.Devices = append(n.Devices, d)
	}
	// Links: a ring for connectivity, then random chords.
	type pair struct{ a, b int }
	seen := map[pair]bool{}
	var links []pair
	add := func(a, b int) {
		if a == b {
			return
		}
		if a > b {
			a, b = b, a
		}
		if !seen[pair{a, b}] {
			seen[pair{a, b}] = true
			links = append(links, pair{a, b})
		}
	}
	for i := 0; i < o.Routers; i++ {
		add(i, (i+1)%o.Routers)
	}
	for len(links) < o.Routers*o.LinksPerRouter {
		add(rng.IntN(o.Routers), rng.IntN(o.Routers))
	}
	for k, l := range links {
		base := 2 * k
		a := ip4(100, 64+base>>16, (base>>8)&0xff, base&0xff)
		metric := uint32(10 + rng.IntN(90))
		for side, dev := range []int{l.a, l.b} {
			d := n.Devices[dev]
			name := fmt.Sprintf("et-%d", k)
			addr := a
			if side == 1 {
				addr = a.Next()
			}
			d.Interfaces = append(d.Interfaces, network.Interface{Name: name, Enabled: true, Addresses: []netip.Prefix{netip.PrefixFrom(addr, 31)}})
			d.ISIS.Interfaces = append(d.ISIS.Interfaces, network.ISISInterface{Interface: name, Enabled: true, Levels: network.Level2,
				Metric: [2]uint32{metric, metric}, PointToPoint: true})
		}
	}
	accept := network.PolicyChain{Default: network.ResultAccept, DefaultSet: true}
	// iBGP: every non-RR router peers with the four RRs; RRs mesh.
	for _, d := range n.Devices {
		for r := 0; r < 4; r++ {
			if int(d.ID) == r {
				continue
			}
			rr := n.Devices[r]
			d.BGP.Neighbors = append(d.BGP.Neighbors, network.Neighbor{Address: rr.BGP.RouterID, PeerAS: asn, LocalAS: asn, Enabled: true,
				LocalAddress: d.BGP.RouterID, IPv4Unicast: true, Import: accept, Export: accept})
			if d.ID >= 4 {
				rr.BGP.Neighbors = append(rr.BGP.Neighbors, network.Neighbor{Address: d.BGP.RouterID, PeerAS: asn, LocalAS: asn, Enabled: true,
					LocalAddress: rr.BGP.RouterID, IPv4Unicast: true, RRClient: true, Import: accept, Export: accept})
			}
		}
	}
	// Internal prefixes on data-centre routers.
	var dcs, edges []*network.Device
	for _, d := range n.Devices {
		switch d.Role {
		case "dc":
			dcs = append(dcs, d)
		case "edge":
			edges = append(edges, d)
		}
	}
	for i := 0; i < o.InternalPrefixes; i++ {
		d := dcs[i%len(dcs)]
		p := netip.PrefixFrom(ip4(20+i>>16, (i>>8)&0xff, i&0xff, 0), 24)
		d.Statics = append(d.Statics, network.StaticRoute{Prefix: p, NextHops: []network.StaticNextHop{{Discard: true}}})
	}
	for _, d := range dcs {
		d.TableConnections = []network.TableConnection{{Src: network.ProtoStatic}}
	}
	// Edges: one transit each (default + a share of the external prefixes),
	// next-hop-self towards the RRs, and a DNS announcer.
	ext := make([][]netip.Prefix, len(edges))
	for i := 0; i < o.ExternalPrefixes; i++ {
		ext[i%len(edges)] = append(ext[i%len(edges)], netip.PrefixFrom(ip4(120+i>>16, (i>>8)&0xff, i&0xff, 0), 24))
	}
	svc := network.AnycastService{Service: "dns", Prefix: netip.MustParsePrefix("129.134.30.0/23")}
	for k := 0; k < 4 && k < len(dcs); k++ {
		svc.ReachAny = append(svc.ReachAny, dcs[k].Statics[0].Prefix)
	}
	for k, d := range edges {
		d.Policies["NHS"] = &network.Policy{Name: "NHS", Statements: []network.Statement{{Name: "10",
			Actions: network.Actions{NextHop: &network.NextHopAction{Self: true}, Result: network.ResultAccept}}}}
		for i := range d.BGP.Neighbors {
			d.BGP.Neighbors[i].Export = network.PolicyChain{Policies: []string{"NHS"}, Default: network.ResultAccept, DefaultSet: true}
		}
		tr := ip4(198, 18, k/64, (k%64)*4)
		an := ip4(198, 19, k/64, (k%64)*4)
		d.Interfaces = append(d.Interfaces,
			network.Interface{Name: "transit", Enabled: true, Addresses: []netip.Prefix{netip.PrefixFrom(tr.Next(), 30)}},
			network.Interface{Name: "dns", Enabled: true, Addresses: []netip.Prefix{netip.PrefixFrom(an.Next(), 30)}})
		for _, peer := range []struct {
			a   netip.Addr
			asn uint32
		}{{tr.Next().Next(), 64600 + uint32(k%50)}, {an.Next().Next(), 65100}} {
			d.BGP.Neighbors = append(d.BGP.Neighbors, network.Neighbor{Address: peer.a, PeerAS: peer.asn, LocalAS: asn, Enabled: true,
				IPv4Unicast: true, Import: accept, Export: accept})
		}
		n.External = append(n.External, network.ExternalPeer{Device: d.ID, Neighbor: tr.Next().Next(), ASN: 64600 + uint32(k%50),
			Role: "transit", Announces: append([]netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}, ext[k]...)})
		svc.Sites = append(svc.Sites, network.AnycastSite{Site: d.Site, Device: d.ID, Neighbor: an.Next().Next(), ASN: 65100})
	}
	n.Anycast = []network.AnycastService{svc}
	for _, d := range n.Devices {
		sort.Slice(d.Interfaces, func(i, j int) bool { return d.Interfaces[i].Name < d.Interfaces[j].Name })
		sort.Slice(d.BGP.Neighbors, func(i, j int) bool { return d.BGP.Neighbors[i].Address.Less(d.BGP.Neighbors[j].Address) })
	}
	return n
}

// DrainBackbone returns a copy-on-write variant of n with every interface of
// the first `count` backbone routers disabled: the 2021 change at scale.
func DrainBackbone(n *network.Network, count int) *network.Network {
	c := *n
	c.Devices = make([]*network.Device, len(n.Devices))
	drained := 0
	for i, d := range n.Devices {
		if d.Role == "backbone" && drained < count {
			dd := *d
			dd.Interfaces = append([]network.Interface(nil), d.Interfaces...)
			for k := range dd.Interfaces {
				if !dd.Interfaces[k].Loopback {
					dd.Interfaces[k].Enabled = false
				}
			}
			c.Devices[i] = &dd
			drained++
			continue
		}
		c.Devices[i] = d
	}
	return &c
}
