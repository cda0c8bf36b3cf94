package sim

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

// netBuilder assembles small networks for rule tests directly in the model,
// so each test shows exactly the config it depends on.
type netBuilder struct {
	t       *testing.T
	devs    map[string]*network.Device
	links   int
	ext     []extSpec
	anycast []anycastSpec
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

func newNet(t *testing.T) *netBuilder {
	return &netBuilder{t: t, devs: map[string]*network.Device{}}
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// router adds a router with loopback lo0 = lo/32, IS-IS level 2 (passive on
// lo0) and BGP in the given AS (as 0: no BGP).
func (b *netBuilder) router(name string, as uint32, lo string) *network.Device {
	d := &network.Device{Name: name, Role: "backbone", Site: name,
		Policies: map[string]*network.Policy{}, PrefixSets: map[string]*network.PrefixSet{},
		CommunitySets: map[string]*network.CommunitySet{}, ASPathSets: map[string]*network.ASPathSet{}}
	d.Interfaces = append(d.Interfaces, network.Interface{Name: "lo0", Enabled: true, Loopback: true,
		Addresses: []netip.Prefix{netip.PrefixFrom(addr(lo), 32)}})
	d.ISIS = &network.ISIS{Enabled: true, Levels: network.Level2, Areas: []string{"49.0001"},
		Interfaces: []network.ISISInterface{{Interface: "lo0", Enabled: true, Passive: true, Levels: network.Level12}}}
	d.ISIS.SystemID = fmt.Sprintf("0000.0000.%04x", len(b.devs)+1) // a NET: IS-IS does not run without one
	if as != 0 {
		d.BGP = &network.BGP{AS: as, RouterID: addr(lo)}
	}
	b.devs[name] = d
	return d
}

// link connects a and c on a /31 from base (a gets base, c base+1) with an
// IS-IS level-2 metric on both ends (metric 0: no IS-IS on the link).
func (b *netBuilder) link(a, c, base string, metric uint32) (string, string) {
	b.links++
	ifa, ifc := fmt.Sprintf("et-%d-%s", b.links, c), fmt.Sprintf("et-%d-%s", b.links, a)
	x := addr(base)
	b.iface(a, ifa, netip.PrefixFrom(x, 31), metric)
	b.iface(c, ifc, netip.PrefixFrom(x.Next(), 31), metric)
	return ifa, ifc
}

func (b *netBuilder) iface(dev, name string, p netip.Prefix, metric uint32) {
	d := b.devs[dev]
	d.Interfaces = append(d.Interfaces, network.Interface{Name: name, Enabled: true, Addresses: []netip.Prefix{p}})
	if metric > 0 && d.ISIS != nil {
		d.ISIS.Interfaces = append(d.ISIS.Interfaces, network.ISISInterface{Interface: name, Enabled: true,
			Levels: network.Level12, Metric: [2]uint32{metric, metric}, PointToPoint: true})
	}
}

func (b *netBuilder) loopback(dev string) netip.Addr {
	return b.devs[dev].Interfaces[0].Addresses[0].Addr()
}

func (b *netBuilder) ifaceAddr(dev, name string) netip.Addr {
	for _, i := range b.devs[dev].Interfaces {
		if i.Name == name {
			return i.Addresses[0].Addr()
		}
	}
	b.t.Fatalf("no interface %s on %s", name, dev)
	return netip.Addr{}
}

// neighbor adds a neighbor config with accept-all defaults for iBGP and
// explicit ACCEPT default policies for eBGP unless chains are given later.
func (b *netBuilder) neighbor(dev string, peer netip.Addr, peerAS uint32, local netip.Addr) *network.Neighbor {
	d := b.devs[dev]
	nb := network.Neighbor{Address: peer, PeerAS: peerAS, LocalAS: d.BGP.AS, Enabled: true, LocalAddress: local,
		IPv4Unicast: true,
		Import:      network.PolicyChain{Default: network.ResultAccept, DefaultSet: true},
		Export:      network.PolicyChain{Default: network.ResultAccept, DefaultSet: true}}
	d.BGP.Neighbors = append(d.BGP.Neighbors, nb)
	return &d.BGP.Neighbors[len(d.BGP.Neighbors)-1]
}

// ibgp peers a and c over their loopbacks.
func (b *netBuilder) ibgp(a, c string) {
	la, lc := b.loopback(a), b.loopback(c)
	b.neighbor(a, lc, b.devs[c].BGP.AS, la)
	b.neighbor(c, la, b.devs[a].BGP.AS, lc)
}

// ebgp peers a and c over the link addresses of interfaces ia / ic.
func (b *netBuilder) ebgp(a, ia, c, ic string) {
	b.neighbor(a, b.ifaceAddr(c, ic), b.devs[c].BGP.AS, netip.Addr{})
	b.neighbor(c, b.ifaceAddr(a, ia), b.devs[a].BGP.AS, netip.Addr{})
}

func (b *netBuilder) nbr(dev string, peer netip.Addr) *network.Neighbor {
	for i := range b.devs[dev].BGP.Neighbors {
		if b.devs[dev].BGP.Neighbors[i].Address == peer {
			return &b.devs[dev].BGP.Neighbors[i]
		}
	}
	b.t.Fatalf("%s has no neighbor %s", dev, peer)
	return nil
}

// originate makes dev originate p: a discard static redistributed into BGP.
func (b *netBuilder) originate(dev, p string) {
	d := b.devs[dev]
	d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx(p), NextHops: []network.StaticNextHop{{Discard: true}}})
	for _, tc := range d.TableConnections {
		if tc.Src == network.ProtoStatic {
			return
		}
	}
	d.TableConnections = append(d.TableConnections, network.TableConnection{Src: network.ProtoStatic})
}

// external adds an external eBGP speaker on a /30 towards dev.
func (b *netBuilder) external(dev, base string, asn uint32, role string, announces ...string) netip.Addr {
	x := addr(base)
	b.links++
	b.iface(dev, fmt.Sprintf("ext-%d", b.links), netip.PrefixFrom(x.Next(), 30), 0)
	peer := x.Next().Next()
	nb := b.neighbor(dev, peer, asn, netip.Addr{})
	nb.Import = network.PolicyChain{Default: network.ResultAccept, DefaultSet: true}
	b.ext = append(b.ext, extSpec{device: dev, addr: peer.String(), role: role, asn: asn, announces: announces})
	return peer
}

func (b *netBuilder) policy(dev, name string, st ...network.Statement) {
	b.devs[dev].Policies[name] = &network.Policy{Name: name, Statements: st}
}

func (b *netBuilder) prefixSet(dev, name string, entries ...network.PrefixRange) {
	b.devs[dev].PrefixSets[name] = &network.PrefixSet{Name: name, Entries: entries}
}

func (b *netBuilder) asPathSet(dev, name string, res ...string) {
	s := &network.ASPathSet{Name: name, Text: res}
	for _, r := range res {
		s.Members = append(s.Members, regexp.MustCompile(r))
	}
	b.devs[dev].ASPathSets[name] = s
}

func (b *netBuilder) build() *network.Network {
	n := &network.Network{}
	var names []string
	for name := range b.devs {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		d := b.devs[name]
		d.ID = network.DeviceID(i)
		sort.Slice(d.Interfaces, func(x, y int) bool { return d.Interfaces[x].Name < d.Interfaces[y].Name })
		if d.BGP != nil {
			sort.Slice(d.BGP.Neighbors, func(x, y int) bool { return d.BGP.Neighbors[x].Address.Less(d.BGP.Neighbors[y].Address) })
		}
		n.Devices = append(n.Devices, d)
	}
	for _, e := range b.ext {
		p := network.ExternalPeer{Device: n.Device(e.device).ID, Neighbor: addr(e.addr), ASN: e.asn, Role: e.role}
		for _, a := range e.announces {
			p.Announces = append(p.Announces, pfx(a))
		}
		n.External = append(n.External, p)
	}
	for _, a := range b.anycast {
		svc := network.AnycastService{Service: a.service, Prefix: pfx(a.prefix)}
		for _, r := range a.reach {
			svc.ReachAny = append(svc.ReachAny, pfx(r))
		}
		for _, s := range a.sites {
			svc.Sites = append(svc.Sites, network.AnycastSite{Site: s.device, Device: n.Device(s.device).ID,
				Neighbor: addr(s.addr), ASN: s.asn})
		}
		n.Anycast = append(n.Anycast, svc)
	}
	return n
}

// best returns dev's best path for p, or nil.
func best(t *testing.T, r *Result, dev, p string) *PathOut {
	t.Helper()
	for _, rs := range r.Routes(dev) {
		for _, br := range rs.BGP {
			if br.Prefix == p && len(br.Paths) > 0 && br.Paths[0].Best {
				return &br.Paths[0]
			}
		}
	}
	return nil
}

func session(t *testing.T, r *Result, dev string, nbr netip.Addr) Session {
	t.Helper()
	for _, s := range r.Sessions {
		if (s.Device == dev && s.Neighbor == nbr) || (s.Peer == dev && s.LocalAddr == nbr) {
			return s
		}
	}
	t.Fatalf("no session %s → %s", dev, nbr)
	return Session{}
}
