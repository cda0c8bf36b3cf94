package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

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
	expect    *network.PeerExpect
}

func buildExternal(n *network.Network) []externalNode {
	var out []externalNode
	for _, p := range n.External {
		name := p.Name
		if name == "" {
			name = fmt.Sprintf("%s/%s", n.Devices[p.Device].Name, p.Neighbor)
		}
		out = append(out, externalNode{name: name, role: p.Role, asn: p.ASN, addr: p.Neighbor, device: p.Device,
			announces: p.Announces, service: -1, expect: p.Expect})
	}
	for si, svc := range n.Anycast {
		for k, s := range svc.Sites {
			out = append(out, externalNode{
				name: fmt.Sprintf("%s@%s", svc.Service, s.Site), role: "anycast:" + svc.Service,
				asn: s.ASN, addr: s.Neighbor, device: s.Device, announces: []netip.Prefix{svc.Prefix},
				service: si, site: k, expect: s.Expect,
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
// ride on BGP routes here, as on every router by default. A default route
// (0/0) does not count: FRR resolves neither BGP next hops nor multihop
// session addresses through a default unless `ip nht resolve-via-default` is
// configured, and most stacks behave the same; counting it would keep a
// session "up" through an edge's 0/0 towards a transit.
func (s *state) reachable(d network.DeviceID, a netip.Addr) bool {
	e, ok := s.lookup(d, a, false)
	if !ok || e.prefix.Bits() == 0 {
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
	// Pair internal neighbors whose addresses agree first, so that an entry
	// with a mismatch (paired in the second pass to the counterpart left over)
	// never takes the counterpart of a session that agrees.
	pairs := map[[2]int]int{}
	claimed := map[[2]int]bool{}
	for pass := 0; pass < 2; pass++ {
		for _, d := range n.Devices {
			if d.BGP == nil {
				continue
			}
			for ni := range d.BGP.Neighbors {
				key := [2]int{int(d.ID), ni}
				if claimed[key] {
					continue
				}
				nb := &d.BGP.Neighbors[ni]
				ref, ok := t.owner[nb.Address]
				if !ok || n.Devices[ref.dev].BGP == nil || ref.dev == d.ID {
					continue
				}
				if bi := s.counterpart(d, nb, n.Devices[ref.dev], claimed, pass == 1); bi >= 0 {
					pairs[key] = bi
					claimed[[2]int{int(ref.dev), bi}] = true
					claimed[key] = true
				}
			}
		}
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
				bi, paired := pairs[[2]int{int(d.ID), ni}]
				if !paired {
					bi = -1
				}
				s.pairInternal(&ss, d, nb, ref.dev, bi, done)
			} else if xi, ok := extByKey[fmt.Sprintf("%d|%s", d.ID, nb.Address)]; ok {
				s.pairExternal(&ss, d, nb, xi)
			} else {
				ss.External = true
				ss.Peer = nb.Address.String()
				ss.Reason = "the neighbor address belongs to no inventoried device and is not in environment.yaml"
				s.orphan(d, ni, claimed)
			}
			done[[2]int{int(d.ID), ni}] = true
			out = append(out, ss)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// counterpart finds pd's neighbor entry for d's neighbor nb: one pointing at
// an address of d. Strictly (first pass) its address must be the source d
// speaks from, and nb's address the source pd speaks from, where those are
// known from config; loosely (second pass) any unclaimed entry towards d, so
// that a session whose ends disagree on addresses is still one session whose
// disagreement is reported.
func (s *state) counterpart(d *network.Device, nb *network.Neighbor, pd *network.Device, claimed map[[2]int]bool, loose bool) int {
	t := s.topo
	src := t.sourceAddr(d, nb)
	for k := range pd.BGP.Neighbors {
		if claimed[[2]int{int(pd.ID), k}] {
			continue
		}
		cand := pd.BGP.Neighbors[k].Address
		if ref, ok := t.owner[cand]; !ok || ref.dev != d.ID {
			continue
		}
		if loose {
			return k
		}
		if src.IsValid() && cand != src {
			continue
		}
		if psrc := t.sourceAddr(pd, &pd.BGP.Neighbors[k]); psrc.IsValid() && psrc != nb.Address {
			continue
		}
		return k
	}
	return -1
}

// orphan handles d's neighbor whose address belongs to no device: when one
// device still has an unpaired session pointing at d and speaking the AS this
// neighbor expects, that device is the intended peer and its address was
// renumbered (or mistyped) under the session: a disagreement of both ends.
func (s *state) orphan(d *network.Device, ni int, claimed map[[2]int]bool) {
	nb := &d.BGP.Neighbors[ni]
	if !nb.Enabled {
		return
	}
	type cand struct {
		pd *network.Device
		k  int
	}
	var found []cand
	for _, pd := range s.net.Devices {
		if pd.BGP == nil || pd.ID == d.ID {
			continue
		}
		for k := range pd.BGP.Neighbors {
			pn := &pd.BGP.Neighbors[k]
			if claimed[[2]int{int(pd.ID), k}] || !pn.Enabled || pn.LocalAS != nb.PeerAS || pn.PeerAS != nb.LocalAS {
				continue
			}
			if ref, ok := s.topo.owner[pn.Address]; ok && ref.dev == d.ID {
				found = append(found, cand{pd, k})
			}
		}
	}
	if len(found) != 1 {
		return
	}
	pd, pn := found[0].pd, &found[0].pd.BGP.Neighbors[found[0].k]
	s.disagree(Disagreement{Kind: "bgp-session", Object: sessionObject(d.Name, nb.Address, pd.Name, pn.Address),
		Devices: []string{d.Name, pd.Name},
		Leaves:  []string{d.Name + " " + nb.Path, pd.Name + " " + pn.LeafPath("transport/config/local-address")},
		Reason: fmt.Sprintf("%s's neighbor %s is no address of %s (or of any device), while %s still peers with %s: the session cannot come up",
			d.Name, nb.Address, pd.Name, pd.Name, d.Name)})
}

func (s *state) pairInternal(ss *Session, d *network.Device, nb *network.Neighbor, peer network.DeviceID, bi int, done map[[2]int]bool) {
	n := s.net
	pd := n.Devices[peer]
	ss.Peer, ss.b = pd.Name, peer
	if pd.BGP == nil {
		ss.Reason = pd.Name + " does not run BGP"
		return
	}
	if bi < 0 {
		if src := ss.LocalAddr; src.IsValid() {
			ss.Reason = fmt.Sprintf("%s has no neighbor %s (the address %s speaks from)", pd.Name, src, d.Name)
		} else {
			ss.Reason = fmt.Sprintf("%s has no neighbor pointing at %s", pd.Name, d.Name)
		}
		return
	}
	pn := &pd.BGP.Neighbors[bi]
	done[[2]int{int(peer), bi}] = true
	ss.bNbr, ss.PeerPath = bi, pn.Path
	switch {
	case !nb.Enabled:
		ss.Reason = fmt.Sprintf("neighbor %s is disabled on %s", nb.Address, d.Name)
	case !pn.Enabled:
		ss.Reason = fmt.Sprintf("neighbor %s is disabled on %s", pn.Address, pd.Name)
	default:
		why, local := s.agreement(d, nb, pd, pn)
		if local.IsValid() {
			ss.LocalAddr = local
		}
		if why != "" {
			ss.Reason = why
			break
		}
		ss.Reason, ss.noRoute = s.transportDown(d, nb, pd, pn)
		ss.Established = ss.Reason == ""
	}
	if !ss.LocalAddr.IsValid() {
		ss.LocalAddr = pn.Address
	}
}

// connectSource is the source address d's TCP connection towards nb takes:
// the configured local-address (or its interface), the address on a subnet
// shared with the neighbor, else the address of the interface the IGP route
// to the neighbor leaves by (what a router without update-source does for an
// iBGP session over loopbacks). Zero when unknown (no route): transportDown
// then says why.
func (s *state) connectSource(d *network.Device, nb *network.Neighbor) (netip.Addr, string) {
	if a := s.topo.sourceAddr(d, nb); a.IsValid() {
		switch {
		case nb.LocalAddress.IsValid():
			return a, "transport/config/local-address"
		case nb.LocalIface != "":
			return a, "the address of local-address interface " + nb.LocalIface
		}
		return a, "its address on the shared subnet"
	}
	if nb.LocalIface != "" {
		return netip.Addr{}, ""
	}
	rt, ok := s.igp.lookup(d.ID, nb.Address)
	if !ok || len(rt.Hops) == 0 {
		return netip.Addr{}, ""
	}
	ifc := d.Interfaces[rt.Hops[0].localIface]
	for _, a := range ifc.Addresses {
		if a.Addr().Is4() == nb.Address.Is4() {
			return a.Addr(), "no update-source (transport/config/local-address): the address of outgoing interface " + ifc.Name
		}
	}
	return netip.Addr{}, ""
}

// disagree records a both-ends-must-agree failure once per Object.
func (s *state) disagree(dg Disagreement) {
	for _, x := range s.disagreements {
		if x.Object == dg.Object {
			return
		}
	}
	sort.Strings(dg.Devices)
	dg.Devices = slices.Compact(dg.Devices)
	s.disagreements = append(s.disagreements, dg)
}

// sessionObject names a configured session by both ends' devices and the
// neighbor addresses they configure: stable between running and candidate
// even when an address changes under it.
func sessionObject(d string, a netip.Addr, pd string, b netip.Addr) string {
	x, y := d+" "+a.String(), pd+" "+b.String()
	if pd < d {
		x, y = y, x
	}
	return "bgp session " + x + " — " + y
}

// agreement checks what both ends of an internal session must agree on. It
// returns why the session is refused ("" when they agree) and records a
// Disagreement naming the leaves of both ends.
func (s *state) agreement(d *network.Device, nb *network.Neighbor, pd *network.Device, pn *network.Neighbor) (string, netip.Addr) {
	var why, leaves []string
	leaf := func(dev *network.Device, n *network.Neighbor, l string) {
		leaves = append(leaves, dev.Name+" "+n.LeafPath(l))
	}
	if nb.PeerAS != pn.LocalAS {
		why = append(why, fmt.Sprintf("%s expects AS %d but %s speaks AS %d", d.Name, nb.PeerAS, pd.Name, pn.LocalAS))
		leaf(d, nb, "config/peer-as")
		leaf(pd, pn, "config/local-as")
	}
	if pn.PeerAS != nb.LocalAS {
		why = append(why, fmt.Sprintf("%s expects AS %d but %s speaks AS %d", pd.Name, pn.PeerAS, d.Name, nb.LocalAS))
		leaf(pd, pn, "config/peer-as")
		leaf(d, nb, "config/local-as")
	}
	// RFC 6286 2.2: the BGP Identifier is unique within an AS, and an OPEN
	// from an internal peer carrying our own identifier gets a Bad BGP
	// Identifier notification (FRR since 7.4; a router-id template pushed
	// to a site takes its iBGP sessions down). eBGP peers may share one.
	if nb.IBGP() && pn.IBGP() && d.BGP.RouterIDPath != "" && pd.BGP.RouterIDPath != "" && d.BGP.RouterID == pd.BGP.RouterID {
		why = append(why, fmt.Sprintf("%s and %s have the same router-id %s: an internal peer with our own BGP identifier is refused (Bad BGP Identifier, RFC 6286)", d.Name, pd.Name, d.BGP.RouterID))
		leaves = append(leaves, d.Name+" "+d.BGP.RouterIDPath, pd.Name+" "+pd.BGP.RouterIDPath)
	}
	// RFC 2385 TCP MD5 (and TCP-AO): segments whose signature does not verify
	// are dropped, so the TCP connection never opens. Never print the value.
	if nb.AuthHash != pn.AuthHash {
		switch {
		case pn.AuthHash == "":
			why = append(why, "authentication password configured on "+d.Name+" only")
		case nb.AuthHash == "":
			why = append(why, "authentication password configured on "+pd.Name+" only")
		default:
			why = append(why, "authentication passwords differ")
		}
		leaf(d, nb, "config/auth-password")
		leaf(pd, pn, "config/auth-password")
	}
	if !nb.IPv4Unicast || !pn.IPv4Unicast {
		// FRR does not even start a peer with no address family activated,
		// and a peer whose only family the other end lacks carries no IPv4
		// routes: for routing both are a session without IPv4 unicast.
		why = append(why, "IPv4 unicast is not enabled on both ends")
		leaf(d, nb, "afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/config/enabled")
		leaf(pd, pn, "afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/config/enabled")
	}
	// OpenConfig has no listening port: every router listens on 179. A
	// neighbor-port other than 179 on either end points a connection at a
	// port nobody listens on; fail closed and call the session down even if
	// the other end could still open it.
	for _, e := range []struct {
		dev, peer *network.Device
		n, pn     *network.Neighbor
	}{{d, pd, nb, pn}, {pd, d, pn, nb}} {
		if e.n.Port != 0 && e.n.Port != 179 {
			why = append(why, fmt.Sprintf("%s connects to TCP port %d on %s, which listens on 179", e.dev.Name, e.n.Port, e.peer.Name))
			leaf(e.dev, e.n, "config/neighbor-port")
			leaves = append(leaves, e.peer.Name+" "+e.pn.Path) // the end that listens on 179
		}
	}
	// An explicit update-source (transport/local-address) that is not the
	// address the other end points at: FRR would still bring the session up
	// from the other direction, Junos and IOS-XR accept connections only on
	// the configured local address. Fail closed: down, naming both ends.
	explicit := map[*network.Neighbor]bool{}
	for _, e := range []struct {
		dev, peer *network.Device
		n, pn     *network.Neighbor
	}{{d, pd, nb, pn}, {pd, d, pn, nb}} {
		if !e.n.LocalAddress.IsValid() && e.n.LocalIface == "" {
			continue
		}
		if src, how := s.connectSource(e.dev, e.n); src.IsValid() && src != e.pn.Address {
			why = append(why, fmt.Sprintf("%s speaks from %s (%s) but %s's neighbor for it is %s",
				e.dev.Name, src, how, e.peer.Name, e.pn.Address))
			leaf(e.dev, e.n, "transport/config/local-address")
			leaves = append(leaves, e.peer.Name+" "+e.pn.Path)
			explicit[e.n] = true
		}
	}
	// The TCP connection: one end opens it (unless passive) from its source
	// address, and the other end accepts it only when that source is the
	// neighbor address it has configured.
	srcA, howA := s.connectSource(d, nb)
	srcB, howB := s.connectSource(pd, pn)
	okA := !nb.Passive && (!srcA.IsValid() || srcA == pn.Address)
	okB := !pn.Passive && (!srcB.IsValid() || srcB == nb.Address)
	local := netip.Addr{}
	switch {
	case okA && srcA.IsValid():
		local = srcA
	case okB && srcB.IsValid():
		local = pn.Address
	}
	if !okA && !okB {
		if nb.Passive && pn.Passive {
			why = append(why, "both ends are passive (transport/config/passive-mode): neither opens the connection")
			leaf(d, nb, "transport/config/passive-mode")
			leaf(pd, pn, "transport/config/passive-mode")
		} else {
			for _, e := range []struct {
				dev, peer *network.Device
				n, pn     *network.Neighbor
				src       netip.Addr
				how       string
			}{{d, pd, nb, pn, srcA, howA}, {pd, d, pn, nb, srcB, howB}} {
				if e.n.Passive {
					why = append(why, e.dev.Name+" is passive")
					leaf(e.dev, e.n, "transport/config/passive-mode")
					continue
				}
				if explicit[e.n] {
					continue // said above
				}
				why = append(why, fmt.Sprintf("%s connects from %s (%s) but %s's neighbor for it is %s",
					e.dev.Name, e.src, e.how, e.peer.Name, e.pn.Address))
				leaf(e.dev, e.n, "transport/config/local-address")
				leaves = append(leaves, e.peer.Name+" "+e.pn.Path)
			}
		}
	}
	if len(why) == 0 {
		return "", local
	}
	reason := strings.Join(why, "; ")
	s.disagree(Disagreement{Kind: "bgp-session", Object: sessionObject(d.Name, nb.Address, pd.Name, pn.Address),
		Devices: []string{d.Name, pd.Name}, Leaves: leaves, Reason: reason})
	return reason, local
}

// transportDown says why the TCP session cannot come up, or "".
func (s *state) transportDown(d *network.Device, nb *network.Neighbor, pd *network.Device, pn *network.Neighbor) (why string, noRoute bool) {
	t := s.topo
	if owner, en := t.addressEnabled(nb.Address); !en || owner != pd.ID {
		return fmt.Sprintf("%s is on an interface of %s that is down", nb.Address, pd.Name), false
	}
	if owner, en := t.addressEnabled(pn.Address); !en || owner != d.ID {
		return fmt.Sprintf("%s is on an interface of %s that is down", pn.Address, d.Name), false
	}
	if !nb.IBGP() && !nb.Multihop {
		// Single-hop eBGP: the neighbor must sit on a link that is up.
		if p, ok := t.directPeer(d.ID, nb.Address); !ok || p != pd.ID {
			return fmt.Sprintf("single-hop eBGP: %s is not on an up link from %s", nb.Address, d.Name), false
		}
		return "", false
	}
	if !s.reachable(d.ID, nb.Address) {
		return fmt.Sprintf("%s has no IGP route to %s", d.Name, nb.Address), true
	}
	if !s.reachable(pd.ID, pn.Address) {
		return fmt.Sprintf("%s has no IGP route to %s", pd.Name, pn.Address), true
	}
	return "", false
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
		up := false
		if _, i, ok := t.connectedRoute(d.ID, x.addr); ok {
			if !ss.LocalAddr.IsValid() {
				ss.LocalAddr = addrIn(d.Interfaces[i], netip.PrefixFrom(x.addr, 0))
				for _, a := range d.Interfaces[i].Addresses {
					if a.Masked().Contains(x.addr) {
						ss.LocalAddr = a.Addr()
					}
				}
			}
			up = true
		} else if nb.Multihop && s.reachable(d.ID, x.addr) {
			up = true
		}
		if !up {
			ss.Reason, ss.noRoute = fmt.Sprintf("%s has no up interface on the subnet of %s", d.Name, x.addr), true
			return
		}
		if why := s.externalAgreement(ss, d, nb, x); why != "" {
			ss.Reason = why
			return
		}
		ss.Established = true
	}
}

// externalAgreement: our end of a session to an external speaker against
// what the speaker's end expects (PeerExpect, pinned to the running
// network). Same rules as between two inventoried routers; the speaker has
// no leaves to name, so the finding names it and our leaves.
func (s *state) externalAgreement(ss *Session, d *network.Device, nb *network.Neighbor, x externalNode) string {
	e := x.expect
	if e == nil {
		return ""
	}
	var why, leaves []string
	leaf := func(l string) { leaves = append(leaves, d.Name+" "+nb.LeafPath(l)) }
	if nb.LocalAS != e.AS {
		why = append(why, fmt.Sprintf("%s expects AS %d but %s now speaks AS %d", x.name, e.AS, d.Name, nb.LocalAS))
		leaf("config/local-as")
		if d.BGP != nil {
			leaves = append(leaves, d.Name+" "+d.BGP.Path+"/global/config/as")
		}
	}
	if nb.AuthHash != e.AuthHash {
		switch {
		case e.AuthHash == "":
			why = append(why, "authentication password configured on "+d.Name+" only ("+x.name+" signs nothing)")
		case nb.AuthHash == "":
			why = append(why, x.name+" signs with an authentication password that "+d.Name+" no longer has")
		default:
			why = append(why, "authentication password on "+d.Name+" differs from the one "+x.name+" uses")
		}
		leaf("config/auth-password")
	}
	if nb.Port != e.Port {
		why = append(why, fmt.Sprintf("%s now connects to TCP port %d, %s listens where the running session connected (%d)", d.Name, portOr179(nb.Port), x.name, portOr179(e.Port)))
		leaf("config/neighbor-port")
	}
	if nb.Passive && !e.Passive {
		why = append(why, d.Name+" becomes passive; "+x.name+" may be passive too (it never had to open the connection)")
		leaf("transport/config/passive-mode")
	}
	if e.Source.IsValid() && ss.LocalAddr.IsValid() && ss.LocalAddr != e.Source {
		why = append(why, fmt.Sprintf("%s now speaks from %s, but %s's neighbor for it is %s", d.Name, ss.LocalAddr, x.name, e.Source))
		leaf("transport/config/local-address")
	}
	// The speaker's cable stays on the port it was on: PinCabling's rule
	// for links between inventoried routers.
	if _, ifc := speakerIface(d, nb); e.Iface != "" && ifc != nil && port(ifc) != e.Iface {
		why = append(why, fmt.Sprintf("%s's cable is on %s %s, but the change moves the address towards it to %s",
			x.name, d.Name, e.Iface, port(ifc)))
		leaves = append(leaves, d.Name+" "+cmp.Or(ifc.SubPath, ifc.Path))
	}
	if len(why) == 0 {
		return ""
	}
	reason := strings.Join(why, "; ") + " (" + x.name + " is outside the inventory: its end stays as in the running network)"
	s.disagree(Disagreement{Kind: "bgp-session", Object: sessionObject(d.Name, nb.Address, x.name, e.Source),
		Devices: []string{d.Name, x.name}, Leaves: leaves, Reason: reason})
	return reason
}

// speakerSubnet is the subnet a single-hop external speaker shares with d
// (the longest of d's enabled interface subnets holding its address), zero
// for a multihop session or when no interface holds it.
func speakerSubnet(d *network.Device, nb *network.Neighbor) netip.Prefix {
	p, _ := speakerIface(d, nb)
	return p
}

// speakerIface is speakerSubnet and the interface that holds it (nil for
// none).
func speakerIface(d *network.Device, nb *network.Neighbor) (netip.Prefix, *network.Interface) {
	if nb.Multihop {
		return netip.Prefix{}, nil
	}
	var best netip.Prefix
	var at *network.Interface
	for i, ifc := range d.Interfaces {
		if !ifc.Enabled {
			continue
		}
		for _, a := range ifc.Addresses {
			if m := a.Masked(); m.Contains(nb.Address) && a.Addr() != nb.Address && a.Bits() < a.Addr().BitLen() &&
				(!best.IsValid() || m.Bits() > best.Bits()) {
				best, at = m, &d.Interfaces[i]
			}
		}
	}
	return best, at
}

// port is the physical port of an interface: a subinterface rides its
// parent's cable.
func port(ifc *network.Interface) string {
	if ifc == nil {
		return ""
	}
	return cmp.Or(ifc.Parent, ifc.Name)
}

func portOr179(p uint16) uint16 {
	if p == 0 {
		return 179
	}
	return p
}

// PinExternalPeers sets, on candidate, what each external speaker (peer or
// anycast announcer of environment.yaml) expects of our end: the values our
// end had in running, where the session was configured. The speakers are
// outside the inventory; nothing in a change can show that they change too.
func PinExternalPeers(running, candidate *network.Network) {
	t := &topology{net: running} // sourceAddr reads config only
	expect := func(dev network.DeviceID, peer netip.Addr) *network.PeerExpect {
		d := running.Devices[dev]
		if d.BGP == nil {
			return nil
		}
		for i := range d.BGP.Neighbors {
			nb := &d.BGP.Neighbors[i]
			if nb.Address != peer {
				continue
			}
			sub, ifc := speakerIface(d, nb)
			return &network.PeerExpect{AS: nb.LocalAS, AuthHash: nb.AuthHash, Port: nb.Port, Passive: nb.Passive,
				Source: t.sourceAddr(d, nb), Subnet: sub, Iface: port(ifc)}
		}
		return nil
	}
	find := func(name string) (network.DeviceID, bool) {
		if d := running.Device(name); d != nil {
			return d.ID, true
		}
		return 0, false
	}
	for i := range candidate.External {
		p := &candidate.External[i]
		if id, ok := find(candidate.Devices[p.Device].Name); ok {
			p.Expect = expect(id, p.Neighbor)
		}
	}
	for i := range candidate.Anycast {
		for k := range candidate.Anycast[i].Sites {
			site := &candidate.Anycast[i].Sites[k]
			if id, ok := find(candidate.Devices[site.Device].Name); ok {
				site.Expect = expect(id, site.Neighbor)
			}
		}
	}
}
