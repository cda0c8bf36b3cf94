package sim

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/backstop-net/backstop/models/network"
)

// externalNode is a BGP speaker outside the inventory: a listed external peer
// or an anycast announcer.
type externalNode struct {
	name      string
	role      string
	asn       uint32
	addr      netip.Addr
	device    network.DeviceID
	announces []netip.Prefix
	service   int // index into Network.Anycast, -1 for plain peers
	site      int
}

func buildExternal(n *network.Network) []externalNode {
	var out []externalNode
	for _, p := range n.External {
		name := p.Name
		if name == "" {
			name = fmt.Sprintf("%s/%s", n.Devices[p.Device].Name, p.Neighbor)
		}
		out = append(out, externalNode{name: name, role: p.Role, asn: p.ASN, addr: p.Neighbor, device: p.Device,
			announces: p.Announces, service: -1})
	}
	for si, svc := range n.Anycast {
		for k, s := range svc.Sites {
			out = append(out, externalNode{
				name: fmt.Sprintf("%s@%s", svc.Service, s.Site), role: "anycast:" + svc.Service,
				asn: s.ASN, addr: s.Neighbor, device: s.Device, announces: []netip.Prefix{svc.Prefix},
				service: si, site: k,
			})
		}
	}
	return out
}

// sourceAddr is the address d uses towards neighbor nb, when it can be known
// from config alone: transport local-address, its interface, or the address of
// the interface sharing a subnet with the neighbor.
func (t *topology) sourceAddr(d *network.Device, nb *network.Neighbor) netip.Addr {
	if nb.LocalAddress.IsValid() {
		return nb.LocalAddress
	}
	if nb.LocalIface != "" {
		if i := ifaceIndex(d, nb.LocalIface); i >= 0 && len(d.Interfaces[i].Addresses) > 0 {
			for _, a := range d.Interfaces[i].Addresses {
				if a.Addr().Is4() == nb.Address.Is4() {
					return a.Addr()
				}
			}
		}
		return netip.Addr{}
	}
	for _, ifc := range d.Interfaces {
		for _, a := range ifc.Addresses {
			if a.Masked().Contains(nb.Address) && a.Addr() != nb.Address && a.Bits() < a.Addr().BitLen() {
				return a.Addr()
			}
		}
	}
	return netip.Addr{}
}

// reachable reports whether d can send packets to a without BGP: a connected
// subnet, an IS-IS route or a static route with a next hop. BGP sessions never
// ride on BGP routes here, as on every router by default.
func (s *state) reachable(d network.DeviceID, a netip.Addr) bool {
	e, ok := s.lookup(d, a, false)
	if !ok {
		return false
	}
	switch e.kind {
	case rkConnected, rkISIS:
		return true
	case rkStatic:
		for _, nh := range e.static.NextHops {
			if !nh.Discard {
				return true
			}
		}
	}
	return false
}

// buildSessions pairs configured neighbors into sessions and decides which
// are established.
func (s *state) buildSessions() []Session {
	n, t := s.net, s.topo
	var out []Session
	done := map[[2]int]bool{} // (device, neighbor index) already part of a session
	extByKey := map[string]int{}
	for i, x := range s.external {
		extByKey[fmt.Sprintf("%d|%s", x.device, x.addr)] = i
	}
	for _, d := range n.Devices {
		if d.BGP == nil {
			continue
		}
		for ni := range d.BGP.Neighbors {
			if done[[2]int{int(d.ID), ni}] {
				continue
			}
			nb := &d.BGP.Neighbors[ni]
			ss := Session{Device: d.Name, Neighbor: nb.Address, PeerAS: nb.PeerAS, LocalAS: nb.LocalAS,
				IBGP: nb.IBGP(), Path: nb.Path, a: d.ID, aNbr: ni, bNbr: -1, externalNode: -1,
				LocalAddr: t.sourceAddr(d, nb)}
			if ss.IBGP {
				ss.Role = "ibgp"
			} else {
				ss.Role = "ebgp"
			}
			if ref, ok := t.owner[nb.Address]; ok {
				s.pairInternal(&ss, d, nb, ref.dev, done)
			} else if xi, ok := extByKey[fmt.Sprintf("%d|%s", d.ID, nb.Address)]; ok {
				s.pairExternal(&ss, d, nb, xi)
			} else {
				ss.External = true
				ss.Peer = nb.Address.String()
				ss.Reason = "the neighbor address belongs to no inventoried device and is not in environment.yaml"
			}
			done[[2]int{int(d.ID), ni}] = true
			out = append(out, ss)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

func (s *state) pairInternal(ss *Session, d *network.Device, nb *network.Neighbor, peer network.DeviceID, done map[[2]int]bool) {
	n, t := s.net, s.topo
	pd := n.Devices[peer]
	ss.Peer, ss.b = pd.Name, peer
	if pd.BGP == nil {
		ss.Reason = pd.Name + " does not run BGP"
		return
	}
	// The peer's matching neighbor points at one of d's addresses, and at the
	// source d uses when that is known.
	src := ss.LocalAddr
	bi := -1
	for k := range pd.BGP.Neighbors {
		cand := pd.BGP.Neighbors[k].Address
		if ref, ok := t.owner[cand]; !ok || ref.dev != d.ID {
			continue
		}
		if src.IsValid() && cand != src {
			continue
		}
		psrc := t.sourceAddr(pd, &pd.BGP.Neighbors[k])
		if psrc.IsValid() && psrc != nb.Address {
			continue
		}
		bi = k
		break
	}
	if bi < 0 {
		if src.IsValid() {
			ss.Reason = fmt.Sprintf("%s has no neighbor %s (the address %s speaks from)", pd.Name, src, d.Name)
		} else {
			ss.Reason = fmt.Sprintf("%s has no neighbor pointing at %s", pd.Name, d.Name)
		}
		return
	}
	pn := &pd.BGP.Neighbors[bi]
	done[[2]int{int(peer), bi}] = true
	ss.bNbr, ss.PeerPath = bi, pn.Path
	if !ss.LocalAddr.IsValid() {
		ss.LocalAddr = pn.Address
	}
	switch {
	case !nb.Enabled:
		ss.Reason = fmt.Sprintf("neighbor %s is disabled on %s", nb.Address, d.Name)
	case !pn.Enabled:
		ss.Reason = fmt.Sprintf("neighbor %s is disabled on %s", pn.Address, pd.Name)
	case nb.PeerAS != pn.LocalAS:
		ss.Reason = fmt.Sprintf("%s expects AS %d but %s speaks AS %d", d.Name, nb.PeerAS, pd.Name, pn.LocalAS)
	case pn.PeerAS != nb.LocalAS:
		ss.Reason = fmt.Sprintf("%s expects AS %d but %s speaks AS %d", pd.Name, pn.PeerAS, d.Name, nb.LocalAS)
	case !nb.IPv4Unicast || !pn.IPv4Unicast:
		ss.Reason = "IPv4 unicast is not enabled on both ends"
	default:
		ss.Reason = s.transportDown(d, nb, pd, pn)
		ss.Established = ss.Reason == ""
	}
}

// transportDown says why the TCP session cannot come up, or "".
func (s *state) transportDown(d *network.Device, nb *network.Neighbor, pd *network.Device, pn *network.Neighbor) string {
	t := s.topo
	if owner, en := t.addressEnabled(nb.Address); !en || owner != pd.ID {
		return fmt.Sprintf("%s is on an interface of %s that is down", nb.Address, pd.Name)
	}
	if owner, en := t.addressEnabled(pn.Address); !en || owner != d.ID {
		return fmt.Sprintf("%s is on an interface of %s that is down", pn.Address, d.Name)
	}
	if !nb.IBGP() && !nb.Multihop {
		// Single-hop eBGP: the neighbor must sit on a link that is up.
		if p, ok := t.directPeer(d.ID, nb.Address); !ok || p != pd.ID {
			return fmt.Sprintf("single-hop eBGP: %s is not on an up link from %s", nb.Address, d.Name)
		}
		return ""
	}
	if !s.reachable(d.ID, nb.Address) {
		return fmt.Sprintf("%s has no IGP route to %s", d.Name, nb.Address)
	}
	if !s.reachable(pd.ID, pn.Address) {
		return fmt.Sprintf("%s has no IGP route to %s", pd.Name, pn.Address)
	}
	return ""
}

func (s *state) pairExternal(ss *Session, d *network.Device, nb *network.Neighbor, xi int) {
	x := s.external[xi]
	ss.External, ss.Peer, ss.Role, ss.externalNode = true, x.name, x.role, xi
	t := s.topo
	switch {
	case !nb.Enabled:
		ss.Reason = fmt.Sprintf("neighbor %s is disabled on %s", nb.Address, d.Name)
	case nb.PeerAS != x.asn:
		ss.Reason = fmt.Sprintf("%s expects AS %d but %s is AS %d", d.Name, nb.PeerAS, x.name, x.asn)
	case !nb.IPv4Unicast:
		ss.Reason = "IPv4 unicast is not enabled on " + d.Name
	default:
		if _, i, ok := t.connectedRoute(d.ID, x.addr); ok {
			if !ss.LocalAddr.IsValid() {
				ss.LocalAddr = addrIn(d.Interfaces[i], netip.PrefixFrom(x.addr, 0))
				for _, a := range d.Interfaces[i].Addresses {
					if a.Masked().Contains(x.addr) {
						ss.LocalAddr = a.Addr()
					}
				}
			}
			ss.Established = true
			return
		}
		if nb.Multihop && s.reachable(d.ID, x.addr) {
			ss.Established = true
			return
		}
		ss.Reason = fmt.Sprintf("%s has no up interface on the subnet of %s", d.Name, x.addr)
	}
}
