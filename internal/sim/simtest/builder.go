// Package simtest builds small networks directly in the model for rule
// tests (sim's own and the policies'), so each test shows exactly the config
// it depends on.
package simtest

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

// Builder assembles small networks for rule tests directly in the model,
// so each test shows exactly the config it depends on.
type Builder struct {
	T       testing.TB
	Devs    map[string]*network.Device
	links   int
	ext     []extSpec
	Anycast []anycastSpec
}

type extSpec struct {
	device, addr, role string
	asn                uint32
	announces          []string
}

type anycastSpec struct {
	service, prefix string
	sites           []extSpec
	reach           []string
}

func New(t testing.TB) *Builder {
	return &Builder{T: t, Devs: map[string]*network.Device{}}
}

func Pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func Addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// router adds a router with loopback lo0 = lo/32, IS-IS level 2 (passive on
// lo0) and BGP in the given AS (as 0: no BGP).
func (b *Builder) Router(name string, as uint32, lo string) *network.Device {
	d := &network.Device{Name: name, Role: "backbone", Site: name,
		Policies: map[string]*network.Policy{}, PrefixSets: map[string]*network.PrefixSet{},
		CommunitySets: map[string]*network.CommunitySet{}, ASPathSets: map[string]*network.ASPathSet{}}
	d.Interfaces = append(d.Interfaces, network.Interface{Name: "lo0", Enabled: true, Loopback: true,
		Addresses: []netip.Prefix{netip.PrefixFrom(Addr(lo), 32)}})
	d.ISIS = &network.ISIS{Enabled: true, Levels: network.Level2, Areas: []string{"49.0001"},
		Interfaces: []network.ISISInterface{{Interface: "lo0", Enabled: true, Passive: true, Levels: network.Level12}}}
	d.ISIS.SystemID = fmt.Sprintf("0000.0000.%04x", len(b.Devs)+1) // a NET: IS-IS does not run without one
	if as != 0 {
		d.BGP = &network.BGP{AS: as, RouterID: Addr(lo)}
	}
	b.Devs[name] = d
	return d
}

// link connects a and c on a /31 from base (a gets base, c base+1) with an
// IS-IS level-2 metric on both ends (metric 0: no IS-IS on the link).
func (b *Builder) Link(a, c, base string, metric uint32) (string, string) {
	b.links++
	ifa, ifc := fmt.Sprintf("et-%d-%s", b.links, c), fmt.Sprintf("et-%d-%s", b.links, a)
	x := Addr(base)
	b.Iface(a, ifa, netip.PrefixFrom(x, 31), metric)
	b.Iface(c, ifc, netip.PrefixFrom(x.Next(), 31), metric)
	return ifa, ifc
}

func (b *Builder) Iface(dev, name string, p netip.Prefix, metric uint32) {
	d := b.Devs[dev]
	d.Interfaces = append(d.Interfaces, network.Interface{Name: name, Enabled: true, Addresses: []netip.Prefix{p}})
	if metric > 0 && d.ISIS != nil {
		d.ISIS.Interfaces = append(d.ISIS.Interfaces, network.ISISInterface{Interface: name, Enabled: true,
			Levels: network.Level12, Metric: [2]uint32{metric, metric}, PointToPoint: true})
	}
}

func (b *Builder) Loopback(dev string) netip.Addr {
	return b.Devs[dev].Interfaces[0].Addresses[0].Addr()
}

func (b *Builder) IfaceAddr(dev, name string) netip.Addr {
	for _, i := range b.Devs[dev].Interfaces {
		if i.Name == name {
			return i.Addresses[0].Addr()
		}
	}
	b.T.Fatalf("no interface %s on %s", name, dev)
	return netip.Addr{}
}

// neighbor adds a neighbor config with accept-all defaults for iBGP and
// explicit ACCEPT default policies for eBGP unless chains are given later.
func (b *Builder) Neighbor(dev string, peer netip.Addr, peerAS uint32, local netip.Addr) *network.Neighbor {
	d := b.Devs[dev]
	nb := network.Neighbor{Address: peer, PeerAS: peerAS, LocalAS: d.BGP.AS, Enabled: true, LocalAddress: local,
		IPv4Unicast: true,
		Import:      network.PolicyChain{Default: network.ResultAccept, DefaultSet: true},
		Export:      network.PolicyChain{Default: network.ResultAccept, DefaultSet: true}}
	d.BGP.Neighbors = append(d.BGP.Neighbors, nb)
	return &d.BGP.Neighbors[len(d.BGP.Neighbors)-1]
}

// ibgp peers a and c over their loopbacks.
func (b *Builder) Ibgp(a, c string) {
	la, lc := b.Loopback(a), b.Loopback(c)
	b.Neighbor(a, lc, b.Devs[c].BGP.AS, la)
	b.Neighbor(c, la, b.Devs[a].BGP.AS, lc)
}

// ebgp peers a and c over the link addresses of interfaces ia / ic.
func (b *Builder) Ebgp(a, ia, c, ic string) {
	b.Neighbor(a, b.IfaceAddr(c, ic), b.Devs[c].BGP.AS, netip.Addr{})
	b.Neighbor(c, b.IfaceAddr(a, ia), b.Devs[a].BGP.AS, netip.Addr{})
}

func (b *Builder) Nbr(dev string, peer netip.Addr) *network.Neighbor {
	for i := range b.Devs[dev].BGP.Neighbors {
		if b.Devs[dev].BGP.Neighbors[i].Address == peer {
			return &b.Devs[dev].BGP.Neighbors[i]
		}
	}
	b.T.Fatalf("%s has no neighbor %s", dev, peer)
	return nil
}

// originate makes dev originate p: a discard static redistributed into BGP.
func (b *Builder) Originate(dev, p string) {
	d := b.Devs[dev]
	d.Statics = append(d.Statics, network.StaticRoute{Prefix: Pfx(p), NextHops: []network.StaticNextHop{{Discard: true}}})
	for _, tc := range d.TableConnections {
		if tc.Src == network.ProtoStatic {
			return
		}
	}
	d.TableConnections = append(d.TableConnections, network.TableConnection{Src: network.ProtoStatic})
}

// external adds an external eBGP speaker on a /30 towards dev.
func (b *Builder) External(dev, base string, asn uint32, role string, announces ...string) netip.Addr {
	x := Addr(base)
	b.links++
	b.Iface(dev, fmt.Sprintf("ext-%d", b.links), netip.PrefixFrom(x.Next(), 30), 0)
	peer := x.Next().Next()
	nb := b.Neighbor(dev, peer, asn, netip.Addr{})
	nb.Import = network.PolicyChain{Default: network.ResultAccept, DefaultSet: true}
	b.ext = append(b.ext, extSpec{device: dev, addr: peer.String(), role: role, asn: asn, announces: announces})
	return peer
}

func (b *Builder) Policy(dev, name string, st ...network.Statement) {
	b.Devs[dev].Policies[name] = &network.Policy{Name: name, Statements: st}
}

func (b *Builder) PrefixSet(dev, name string, entries ...network.PrefixRange) {
	b.Devs[dev].PrefixSets[name] = &network.PrefixSet{Name: name, Entries: entries}
}

func (b *Builder) AsPathSet(dev, name string, res ...string) {
	s := &network.ASPathSet{Name: name, Text: res}
	for _, r := range res {
		s.Members = append(s.Members, regexp.MustCompile(r))
	}
	b.Devs[dev].ASPathSets[name] = s
}

func (b *Builder) Build() *network.Network {
	n := &network.Network{}
	var names []string
	for name := range b.Devs {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		d := b.Devs[name]
		d.ID = network.DeviceID(i)
		sort.Slice(d.Interfaces, func(x, y int) bool { return d.Interfaces[x].Name < d.Interfaces[y].Name })
		if d.BGP != nil {
			sort.Slice(d.BGP.Neighbors, func(x, y int) bool { return d.BGP.Neighbors[x].Address.Less(d.BGP.Neighbors[y].Address) })
		}
		n.Devices = append(n.Devices, d)
	}
	for _, e := range b.ext {
		p := network.ExternalPeer{Device: n.Device(e.device).ID, Neighbor: Addr(e.addr), ASN: e.asn, Role: e.role}
		for _, a := range e.announces {
			p.Announces = append(p.Announces, Pfx(a))
		}
		n.External = append(n.External, p)
	}
	for _, a := range b.Anycast {
		svc := network.AnycastService{Service: a.service, Prefix: Pfx(a.prefix)}
		for _, r := range a.reach {
			svc.ReachAny = append(svc.ReachAny, Pfx(r))
		}
		for _, s := range a.sites {
			svc.Sites = append(svc.Sites, network.AnycastSite{Site: s.device, Device: n.Device(s.device).ID,
				Neighbor: Addr(s.addr), ASN: s.asn})
		}
		n.Anycast = append(n.Anycast, svc)
	}
	return n
}

// announcer adds an anycast announcer for service on a /30 towards dev.
func (b *Builder) Announcer(service, prefix, dev, base string, asn uint32, reach ...string) {
	x := Addr(base)
	b.links++
	b.Iface(dev, "dns-"+dev, netip.PrefixFrom(x.Next(), 30), 0)
	peer := x.Next().Next()
	b.Neighbor(dev, peer, asn, netip.Addr{})
	for i := range b.Anycast {
		if b.Anycast[i].service == service {
			b.Anycast[i].sites = append(b.Anycast[i].sites, extSpec{device: dev, addr: peer.String(), asn: asn})
			return
		}
	}
	b.Anycast = append(b.Anycast, anycastSpec{service: service, prefix: prefix, reach: reach,
		sites: []extSpec{{device: dev, addr: peer.String(), asn: asn}}})
}

// Ifc returns dev's interface name, for tests that edit it.
func (b *Builder) Ifc(dev, name string) *network.Interface {
	for i := range b.Devs[dev].Interfaces {
		if b.Devs[dev].Interfaces[i].Name == name {
			return &b.Devs[dev].Interfaces[i]
		}
	}
	b.T.Fatalf("no interface %s on %s", name, dev)
	return nil
}
