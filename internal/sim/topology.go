package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sort"

	"github.com/backstop-net/backstop/models/network"
)

type ifaceRef struct {
	dev   network.DeviceID
	iface int
}

// topology is the L3 view: who owns which address, which links exist.
type topology struct {
	net   *network.Network
	owner map[netip.Addr]ifaceRef // every configured address (up or down)
	// per device: index of subnets of operationally up interfaces (connected routes)
	connected []map[netip.Prefix]int // masked prefix -> interface index
	connLens  lengths                // the lengths of every device's connected prefixes
	// per device and interface: enabled, but its only link partners are
	// disabled, so it has no carrier (see carrierLost)
	noCarrier []map[int]bool
	links     []Link
	// per device: up links as (neighbor device, local iface, remote iface, remote addr)
	nbrs [][]linkEnd
	// parameters both ends of a link must agree on and do not (agree.go)
	disagree []Disagreement
}

type linkEnd struct {
	peer       network.DeviceID
	localIface int
	peerIface  int
	peerAddr   netip.Addr
	link       int
}

func buildTopology(n *network.Network) *topology {
	t := &topology{
		net:       n,
		owner:     map[netip.Addr]ifaceRef{},
		connected: make([]map[netip.Prefix]int, len(n.Devices)),
		noCarrier: make([]map[int]bool, len(n.Devices)),
		nbrs:      make([][]linkEnd, len(n.Devices)),
	}
	for _, d := range n.Devices {
		t.connected[d.ID] = map[netip.Prefix]int{}
		for i, ifc := range d.Interfaces {
			for _, a := range ifc.Addresses {
				if _, dup := t.owner[a.Addr()]; !dup {
					t.owner[a.Addr()] = ifaceRef{d.ID, i}
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range subnetPairs(n) {
		t.addLink(p.x, p.y, p.subnet, seen)
	}
	for _, el := range n.ExplicitLinks {
		a, b := n.Devices[el.A], n.Devices[el.B]
		ai, bi := ifaceIndex(a, el.AIface), ifaceIndex(b, el.BIface)
		if ai < 0 || bi < 0 {
			continue // compile reports unknown interfaces
		}
		t.addLink(ifaceRef{el.A, ai}, ifaceRef{el.B, bi}, netip.Prefix{}, seen)
	}
	// Both ends must agree (addresses, prefix length, MTU) or the link is
	// down, before carrier and neighbours are derived from the links.
	t.agreeLinks(seen)
	sort.Slice(t.links, func(i, j int) bool { return t.links[i].Key() < t.links[j].Key() })
	t.carrierLost()
	for _, d := range n.Devices {
		for i, ifc := range d.Interfaces {
			if !t.ifUp(d.ID, i) {
				continue
			}
			for _, a := range ifc.Addresses {
				t.connected[d.ID][a.Masked()] = i
				t.connLens.add(a.Masked())
			}
		}
	}
	for li, l := range t.links {
		if !l.Up {
			continue
		}
		ad, bd := n.Devices[l.a], n.Devices[l.b]
		ai, bi := ifaceIndex(ad, l.AIface), ifaceIndex(bd, l.BIface)
		t.nbrs[l.a] = append(t.nbrs[l.a], linkEnd{l.b, ai, bi, addrIn(bd.Interfaces[bi], l.Subnet), li})
		t.nbrs[l.b] = append(t.nbrs[l.b], linkEnd{l.a, bi, ai, addrIn(ad.Interfaces[ai], l.Subnet), li})
	}
	return t
}

type subnetPair struct {
	x, y   ifaceRef
	subnet netip.Prefix
}

// subnetPairs lists every two interfaces of different devices that share a
// subnet (loopbacks and host routes aside), enabled or not, in a stable
// order: the links the simulator infers from addresses.
func subnetPairs(n *network.Network) []subnetPair {
	subnets := map[netip.Prefix][]ifaceRef{}
	var order []netip.Prefix
	for _, d := range n.Devices {
		for i, ifc := range d.Interfaces {
			for _, a := range ifc.Addresses {
				if ifc.Loopback || a.Bits() == a.Addr().BitLen() {
					continue
				}
				m := a.Masked()
				if _, ok := subnets[m]; !ok {
					order = append(order, m)
				}
				subnets[m] = append(subnets[m], ifaceRef{d.ID, i})
			}
		}
	}
	sort.Slice(order, func(i, j int) bool { return prefixLess(order[i], order[j]) })
	var out []subnetPair
	for _, s := range order {
		refs := subnets[s]
		for i := 0; i < len(refs); i++ {
			for j := i + 1; j < len(refs); j++ {
				if refs[i].dev != refs[j].dev {
					out = append(out, subnetPair{refs[i], refs[j], s})
				}
			}
		}
	}
	return out
}

// cableKey is the cable a link between two interfaces needs: between their
// physical ports (a subinterface rides its parent's cable).
func cableKey(n *network.Network, x, y ifaceRef) string {
	port := func(r ifaceRef) string {
		ifc := n.Devices[r.dev].Interfaces[r.iface]
		return cmp.Or(ifc.Parent, ifc.Name)
	}
	return network.CableKey(n.Devices[x.dev].Name, port(x), n.Devices[y.dev].Name, port(y))
}

// PinCabling gives candidate the cables of running: the ports its inferred
// links join (up or down), and the links either inventory lists. Links are
// inferred from shared subnets, which says nothing about where a cable
// runs: moving a link's address to another port would otherwise carry the
// link along, while the real port stays dark (or faces another router).
func PinCabling(running, candidate *network.Network) {
	c := map[string]bool{}
	for _, p := range subnetPairs(running) {
		c[cableKey(running, p.x, p.y)] = true
	}
	for _, n := range []*network.Network{running, candidate} {
		for _, el := range n.ExplicitLinks {
			a, b := n.Devices[el.A], n.Devices[el.B]
			ai, bi := ifaceIndex(a, el.AIface), ifaceIndex(b, el.BIface)
			if ai >= 0 && bi >= 0 {
				c[cableKey(n, ifaceRef{el.A, ai}, ifaceRef{el.B, bi})] = true
			}
		}
	}
	candidate.Cables = c
}

func (t *topology) addLink(x, y ifaceRef, subnet netip.Prefix, seen map[string]bool) {
	n := t.net
	if n.Devices[x.dev].Name > n.Devices[y.dev].Name {
		x, y = y, x
	}
	dx, dy := n.Devices[x.dev], n.Devices[y.dev]
	ix, iy := dx.Interfaces[x.iface], dy.Interfaces[y.iface]
	l := Link{A: dx.Name, B: dy.Name, AIface: ix.Name, BIface: iy.Name, Subnet: subnet, a: x.dev, b: y.dev,
		Backbone: dx.Role == "backbone" && dy.Role == "backbone"}
	if seen[l.Key()] {
		return
	}
	seen[l.Key()] = true
	switch {
	case !ix.Enabled && !iy.Enabled:
		l.Reason = fmt.Sprintf("%s %s and %s %s are disabled", dx.Name, ix.Name, dy.Name, iy.Name)
	case !ix.Enabled:
		l.Reason = fmt.Sprintf("%s %s is disabled", dx.Name, ix.Name)
	case !iy.Enabled:
		l.Reason = fmt.Sprintf("%s %s is disabled", dy.Name, iy.Name)
	default:
		l.Up = true
	}
	if subnet.IsValid() && n.Cables != nil && !n.Cables[cableKey(n, x, y)] {
		l.uncabled = true
		if l.Up {
			l.Up = false
			l.Reason = fmt.Sprintf("no known cable between %s %s and %s %s: in the running network these ports "+
				"are not linked to each other, and a change cannot move a cable (list the link in the inventory "+
				"if one is laid)", dx.Name, cmp.Or(ix.Parent, ix.Name), dy.Name, cmp.Or(iy.Parent, iy.Name))
		}
	}
	t.links = append(t.links, l)
}

// pointToPoint reports whether a link is a cable between two ports: an
// explicit link, or a /30, /31 (/126, /127) subnet. A wider subnet with two
// modelled members may be a LAN behind a switch, which keeps carrier.
func (l Link) pointToPoint() bool {
	return !l.Subnet.IsValid() || l.Subnet.Addr().BitLen()-l.Subnet.Bits() <= 2
}

// carrierLost marks the enabled ends of point-to-point links whose far end is
// administratively down: the disabled port turns its laser off, so the
// enabled one goes operationally down, loses its connected route and stops
// advertising its subnet into IS-IS, as on every router (and in FRR, see
// docs/accuracy.md). An interface with another link still up keeps carrier.
func (t *topology) carrierLost() {
	up := map[ifaceRef]bool{}
	lost := map[ifaceRef]bool{}
	for _, l := range t.links {
		ad, bd := t.net.Devices[l.a], t.net.Devices[l.b]
		a := ifaceRef{l.a, ifaceIndex(ad, l.AIface)}
		b := ifaceRef{l.b, ifaceIndex(bd, l.BIface)}
		ae, be := ad.Interfaces[a.iface].Enabled, bd.Interfaces[b.iface].Enabled
		switch {
		case l.Up:
			up[a], up[b] = true, true
		case l.uncabled: // no cable: the far end's state does not reach this port
		case !l.pointToPoint():
		case ae && !be:
			lost[a] = true
		case be && !ae:
			lost[b] = true
		}
	}
	for r := range lost {
		if up[r] {
			continue
		}
		if t.noCarrier[r.dev] == nil {
			t.noCarrier[r.dev] = map[int]bool{}
		}
		t.noCarrier[r.dev][r.iface] = true
	}
}

// ifUp reports whether interface i of d is operationally up: enabled, and
// not cut off by a disabled far end.
func (t *topology) ifUp(d network.DeviceID, i int) bool {
	return t.net.Devices[d].Interfaces[i].Enabled && !t.noCarrier[d][i]
}

func ifaceIndex(d *network.Device, name string) int {
	for i := range d.Interfaces {
		if d.Interfaces[i].Name == name {
			return i
		}
	}
	return -1
}

// addrIn returns the interface's address inside subnet (or its first address).
func addrIn(ifc network.Interface, subnet netip.Prefix) netip.Addr {
	for _, a := range ifc.Addresses {
		if subnet.IsValid() && subnet.Contains(a.Addr()) {
			return a.Addr()
		}
	}
	if len(ifc.Addresses) > 0 {
		return ifc.Addresses[0].Addr()
	}
	return netip.Addr{}
}

// connectedRoute returns the enabled interface of d whose subnet holds a, and
// the subnet, preferring the longest.
func (t *topology) connectedRoute(d network.DeviceID, a netip.Addr) (netip.Prefix, int, bool) {
	for _, bits := range t.connLens.of(a) {
		p, _ := a.Prefix(bits)
		if i, ok := t.connected[d][p]; ok {
			return p, i, true
		}
	}
	return netip.Prefix{}, 0, false
}

// directPeer returns the up-link neighbor of d that owns address a on a shared
// subnet: the transport of a single-hop eBGP session.
func (t *topology) directPeer(d network.DeviceID, a netip.Addr) (network.DeviceID, bool) {
	for _, e := range t.nbrs[d] {
		if e.peerAddr == a {
			return e.peer, true
		}
		// the peer may own several addresses on the link
		if ref, ok := t.owner[a]; ok && ref.dev == e.peer && ref.iface == e.peerIface {
			return e.peer, true
		}
	}
	return 0, false
}

// addressEnabled reports whether a is configured on an operationally up interface of its owner.
func (t *topology) addressEnabled(a netip.Addr) (network.DeviceID, bool) {
	ref, ok := t.owner[a]
	if !ok {
		return 0, false
	}
	return ref.dev, t.ifUp(ref.dev, ref.iface)
}

func prefixLess(a, b netip.Prefix) bool {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c < 0
	}
	return a.Bits() < b.Bits()
}

// lengths is the set of prefix lengths a routing table holds, per address
// family, for longest-prefix matches that probe only those lengths (a
// handful) instead of every length from 32 or 128 down to 0: next-hop
// resolution and forwarding walks run such matches for every BGP import
// and every hop.
type lengths struct {
	desc [2][]int // per family (IPv4, then IPv6 and IPv4-mapped): longest first
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}

func (l *lengths) add(p netip.Prefix) {
	if !p.IsValid() {
		return
	}
	l.addLen(family(p.Addr()), p.Bits())
}

func (l *lengths) addLen(f, b int) {
	if i, found := slices.BinarySearchFunc(l.desc[f], b, func(x, b int) int { return b - x }); !found {
		l.desc[f] = slices.Insert(l.desc[f], i, b)
	}
}

func (l *lengths) addAll(o lengths) {
	for f := range o.desc {
		for _, b := range o.desc[f] {
			l.addLen(f, b)
		}
	}
}

func (l lengths) clone() lengths {
	return lengths{desc: [2][]int{slices.Clone(l.desc[0]), slices.Clone(l.desc[1])}}
}

// zeroOnly is what a match for the zero Addr probes: the full scan from its
// BitLen, 0, down to 0.
var zeroOnly = []int{0}

// of lists the lengths to probe for a, longest first: those of a's family,
// which are never longer than a.
func (l *lengths) of(a netip.Addr) []int {
	if !a.IsValid() {
		return zeroOnly
	}
	return l.desc[family(a)]
}
