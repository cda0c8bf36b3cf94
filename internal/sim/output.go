package sim

import (
	"net/netip"
	"slices"
	"sort"

	"github.com/backstop-net/backstop/models/network"
)

// RouteSet is one device's routing state as `backstop routes --json` prints it
// (schema: docs/routes-schema.md). Field order and sorting are stable.
type RouteSet struct {
	Device   string       `json:"device"`
	RouterID string       `json:"router_id,omitempty"`
	AS       uint32       `json:"as,omitempty"`
	BGP      []BGPRoute   `json:"bgp"`
	ISIS     []ISISRoute  `json:"isis"`
	Sessions []SessionOut `json:"sessions"`
}

// BGPRoute is one prefix in a device's BGP RIB.
type BGPRoute struct {
	Prefix string    `json:"prefix"`
	Paths  []PathOut `json:"paths"` // best first, then the others in decision order
}

// PathOut is one BGP path.
type PathOut struct {
	Best            bool     `json:"best"`
	Multipath       bool     `json:"multipath,omitempty"` // in the multipath set (installed with the best path)
	Valid           bool     `json:"valid"`               // next hop resolves
	SelectionReason string   `json:"selection_reason,omitempty"`
	NextHop         string   `json:"next_hop"` // 0.0.0.0 for locally originated
	ASPath          []uint32 `json:"as_path"`
	Origin          string   `json:"origin"`
	LocalPref       uint32   `json:"local_pref"`
	MED             *uint32  `json:"med,omitempty"`
	Communities     []string `json:"communities,omitempty"`
	Source          string   `json:"source"` // local, ibgp, ebgp
	Protocol        string   `json:"protocol"`
	From            string   `json:"from,omitempty"` // neighbor address
	FromDevice      string   `json:"from_device,omitempty"`
	OriginatorID    string   `json:"originator_id,omitempty"`
	ClusterList     []string `json:"cluster_list,omitempty"`
	IGPCost         *uint32  `json:"igp_cost,omitempty"`
}

// ISISRoute is one IS-IS route.
type ISISRoute struct {
	Prefix   string   `json:"prefix"`
	Metric   uint32   `json:"metric"`
	Level    int      `json:"level"`
	NextHops []HopOut `json:"next_hops"`
}

// HopOut is one IGP next hop.
type HopOut struct {
	Device    string `json:"device"`
	Interface string `json:"interface"` // local outgoing interface
	Address   string `json:"address"`   // neighbor's address on the link
}

// SessionOut is a BGP session as seen from this device.
type SessionOut struct {
	Neighbor    string `json:"neighbor"`
	Peer        string `json:"peer"`
	PeerAS      uint32 `json:"peer_as"`
	Type        string `json:"type"` // ibgp or ebgp
	Role        string `json:"role,omitempty"`
	Established bool   `json:"established"`
	Reason      string `json:"reason,omitempty"`
}

// Routes returns the routing state of every device (or just the named one).
func (r *Result) Routes(device string) []RouteSet {
	var out []RouteSet
	for _, d := range r.Net.Devices {
		if device != "" && d.Name != device {
			continue
		}
		out = append(out, r.routeSet(d))
	}
	return out
}

func (r *Result) routeSet(d *network.Device) RouteSet {
	rs := RouteSet{Device: d.Name, BGP: []BGPRoute{}, ISIS: []ISISRoute{}, Sessions: []SessionOut{}}
	if d.BGP != nil {
		rs.AS = d.BGP.AS
		if d.BGP.RouterID.IsValid() {
			rs.RouterID = d.BGP.RouterID.String()
		}
	}
	for pid, p := range r.bgp.prefixes {
		rib := r.bgp.ribs[pid]
		if rib == nil {
			continue
		}
		nr := rib.at(int32(d.ID))
		if nr == nil || len(nr.paths) == 0 {
			continue
		}
		br := BGPRoute{Prefix: p.String()}
		order := make([]int, len(nr.paths))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(i, j int) bool {
			a, b := order[i], order[j]
			if (a == int(nr.best)) != (b == int(nr.best)) {
				return a == int(nr.best)
			}
			if eligible(nr.paths[a]) != eligible(nr.paths[b]) {
				return eligible(nr.paths[a])
			}
			c, _ := compare(nr.paths[a], nr.paths[b])
			if c != 0 {
				return c < 0
			}
			return nr.keys[a] < nr.keys[b]
		})
		for _, i := range order {
			po := pathOut(nr.paths[i])
			if i == int(nr.best) {
				po.Best, po.SelectionReason = true, nr.reason
			}
			po.Multipath = slices.Contains(nr.multi, int32(i))
			br.Paths = append(br.Paths, po)
		}
		rs.BGP = append(rs.BGP, br)
	}
	for _, rt := range r.igp.routes(d.ID) {
		ir := ISISRoute{Prefix: rt.Prefix.String(), Metric: rt.Metric, Level: rt.Level, NextHops: []HopOut{}}
		for _, h := range rt.Hops {
			ir.NextHops = append(ir.NextHops, HopOut{Device: r.Net.Devices[h.dev].Name,
				Interface: d.Interfaces[h.localIface].Name, Address: h.addr.String()})
		}
		rs.ISIS = append(rs.ISIS, ir)
	}
	for _, s := range r.Sessions {
		switch {
		case s.a == d.ID:
			rs.Sessions = append(rs.Sessions, SessionOut{Neighbor: s.Neighbor.String(), Peer: s.Peer, PeerAS: s.PeerAS,
				Type: sessType(s.IBGP), Role: s.Role, Established: s.Established, Reason: s.Reason})
		case !s.External && s.b == d.ID && s.bNbr >= 0:
			nb := d.BGP.Neighbors[s.bNbr]
			rs.Sessions = append(rs.Sessions, SessionOut{Neighbor: nb.Address.String(), Peer: s.Device, PeerAS: nb.PeerAS,
				Type: sessType(s.IBGP), Role: s.Role, Established: s.Established, Reason: s.Reason})
		}
	}
	sort.Slice(rs.Sessions, func(i, j int) bool {
		a, _ := netip.ParseAddr(rs.Sessions[i].Neighbor)
		b, _ := netip.ParseAddr(rs.Sessions[j].Neighbor)
		return a.Less(b)
	})
	return rs
}

func sessType(ibgp bool) string {
	if ibgp {
		return "ibgp"
	}
	return "ebgp"
}

func pathOut(p *Path) PathOut {
	po := PathOut{Valid: eligible(p), ASPath: append([]uint32{}, p.ASPath...), Origin: p.Origin.String(),
		LocalPref: p.LocalPref, Protocol: p.Source.String()}
	if p.NextHop.IsValid() {
		po.NextHop = p.NextHop.String()
	} else {
		po.NextHop = "0.0.0.0"
	}
	if p.HasMED {
		m := p.MED
		po.MED = &m
	}
	for _, c := range p.Communities {
		po.Communities = append(po.Communities, communityString(c))
	}
	switch {
	case p.Local:
		po.Source = "local"
	case p.EBGP:
		po.Source = "ebgp"
	default:
		po.Source = "ibgp"
	}
	if !p.Local {
		po.From, po.FromDevice = p.FromPeer.String(), p.FromDevice
		if p.IGPCost != inf {
			c := p.IGPCost
			po.IGPCost = &c
		}
	}
	if p.OriginatorID.IsValid() {
		po.OriginatorID = p.OriginatorID.String()
	}
	for _, c := range p.ClusterList {
		po.ClusterList = append(po.ClusterList, c.String())
	}
	return po
}

// Advertisement is a prefix a device sends to an external peer.
type Advertisement struct {
	Device   string
	Neighbor netip.Addr
	Peer     string // external peer name
	Role     string
	Site     string // the device's site
	Prefix   netip.Prefix
	ASPath   []uint32
	// Communities as sent. NoExport: the route carries NO_EXPORT (or
	// NO_EXPORT_SUBCONFED / NO_ADVERTISE), so the peer keeps it to itself and
	// it does not reach the Internet through that peer. Blackhole: RFC 7999
	// BLACKHOLE, the peer drops traffic to it. Policies must not count
	// either as "announced to the Internet".
	Communities []network.Community
	NoExport    bool
	Blackhole   bool
	// PeerAS: the receiver's AS. Inventoried: the receiver is a router of
	// the inventory in another AS (a transit or peer modelled as a device),
	// which received the prefix over eBGP from Device; see Announced.
	PeerAS      uint32
	Inventoried bool
}

// withCommunities sets the communities as sent and what they mean for the
// receiver (NoExport, Blackhole).
func (a Advertisement) withCommunities(cs []network.Community) Advertisement {
	a.Communities = cs
	a.NoExport = slices.ContainsFunc(cs, func(c network.Community) bool {
		return c == CommunityNoExport || c == CommunityNoExportSubconfed || c == CommunityNoAdvertise
	})
	a.Blackhole = slices.Contains(cs, CommunityBlackhole)
	return a
}

// Key identifies the (peer, prefix) pair.
func (a Advertisement) Key() string {
	return a.Device + "|" + a.Neighbor.String() + "|" + a.Prefix.String()
}

// Advertised lists what the network announces to every external speaker
// (external peers and anycast announcers), sorted by device, neighbor and
// prefix. It is computed once per Result; callers must not modify it.
func (r *Result) Advertised() []Advertisement {
	c := r.adv
	if c == nil { // a Result not made by Run or Observe
		c = &advCache{}
	}
	c.once.Do(func() {
		if r.obs != nil {
			c.list = r.observedAdvertised()
		} else {
			c.list = r.advertised()
		}
	})
	return c.list
}

func (r *Result) advertised() []Advertisement {
	var out []Advertisement
	for pid := range r.bgp.prefixes {
		out = r.appendAdvertised(out, int32(pid))
	}
	sortAdvertisements(out)
	return out
}

// AdvertisedPrefix is Advertised for one prefix, without listing the others:
// what the policies ask about critical and anycast prefixes.
func (r *Result) AdvertisedPrefix(p netip.Prefix) []Advertisement {
	var out []Advertisement
	if r.obs != nil {
		for _, a := range r.Advertised() {
			if a.Prefix == p {
				out = append(out, a)
			}
		}
		return out
	}
	if pid, ok := r.bgp.pid[p.Masked()]; ok && p == p.Masked() {
		out = r.appendAdvertised(out, pid)
	}
	sortAdvertisements(out)
	return out
}

func (r *Result) appendAdvertised(out []Advertisement, pid int32) []Advertisement {
	rib := r.bgp.ribs[pid]
	if rib == nil {
		return out
	}
	nd := len(r.Net.Devices)
	p := r.bgp.prefixes[pid]
	for _, nr := range rib.nodes {
		if int(nr.node) < nd {
			continue
		}
		x := r.external[int(nr.node)-nd]
		for _, path := range nr.paths {
			if path.session < 0 {
				continue // what the speaker itself announces
			}
			ss := r.Sessions[path.session]
			out = append(out, Advertisement{Device: ss.Device, Neighbor: ss.Neighbor, Peer: x.name, Role: x.role, PeerAS: x.asn,
				Site: r.Net.Devices[x.device].Site, Prefix: p, ASPath: path.ASPath}.withCommunities(path.Communities))
		}
	}
	return out
}

// Announced is what leaves the network with prefix p: AdvertisedPrefix (the
// external speakers of environment.yaml) plus, for every router of the
// inventory that received p over eBGP, an advertisement from the router that
// sent it (Inventoried, Role = the receiver's inventory role). Transit and
// peering routers are often inventoried themselves (another AS, role
// transit); invariants that look only at environment.yaml would match nothing
// for them and pass every change.
func (r *Result) Announced(p netip.Prefix) []Advertisement {
	out := r.AdvertisedPrefix(p)
	for si := range r.Sessions {
		ss := &r.Sessions[si]
		if ss.External || ss.IBGP || ss.bNbr < 0 {
			continue
		}
		for _, fromB := range []bool{false, true} {
			if !r.receivedOver(si, fromB, p) {
				continue
			}
			recv, send := ss.b, ss.a
			nbr := ss.Neighbor // the sender's address for the receiver
			if fromB {
				recv, send = ss.a, ss.b
				nbr = r.Net.Devices[ss.b].BGP.Neighbors[ss.bNbr].Address
			}
			rd, sd := r.Net.Devices[recv], r.Net.Devices[send]
			a := Advertisement{Device: sd.Name, Neighbor: nbr, Peer: rd.Name, Role: rd.Role, Site: sd.Site,
				Prefix: p, Inventoried: true}
			if rd.BGP != nil {
				a.PeerAS = rd.BGP.AS
			}
			if path := r.receivedPath(si, fromB, p); path != nil {
				a.ASPath = path.ASPath
				a = a.withCommunities(path.Communities)
			}
			out = append(out, a)
		}
	}
	sortAdvertisements(out)
	return out
}

// ExternalDrop says why the external speaker at device's neighbor drops p
// although device sends it (loop detection, a next hop off the speaker's
// subnet), or "" when it does not drop it or is not sent it.
func (r *Result) ExternalDrop(device string, neighbor netip.Addr, p netip.Prefix) string {
	pid, ok := r.bgp.pid[p.Masked()]
	if !ok || p != p.Masked() || r.bgp.ribs[pid] == nil || r.obs != nil {
		return ""
	}
	for si := range r.Sessions {
		if ss := &r.Sessions[si]; ss.External && ss.Device == device && ss.Neighbor == neighbor {
			return r.bgp.ribs[pid].dropped[2*int32(si)+1]
		}
	}
	return ""
}

// receivedOver: the receiving end of session si (its A end when fromB) holds
// p from the other end, after its import policy.
func (r *Result) receivedOver(si int, fromB bool, p netip.Prefix) bool {
	if r.obs != nil {
		ss := &r.Sessions[si]
		dev, nbr := ss.Device, ss.Neighbor
		if !fromB {
			dev = r.Net.Devices[ss.b].Name
			nbr = r.Net.Devices[ss.b].BGP.Neighbors[ss.bNbr].Address
		}
		return slices.Contains(r.obs.o.Received[dev][nbr], p)
	}
	return r.receivedPath(si, fromB, p) != nil
}

func (r *Result) receivedPath(si int, fromB bool, p netip.Prefix) *Path {
	pid, ok := r.bgp.pid[p.Masked()]
	if !ok || p != p.Masked() {
		return nil
	}
	rib := r.bgp.ribs[pid]
	if rib == nil {
		return nil
	}
	ss := &r.Sessions[si]
	recv := ss.b
	if fromB {
		recv = ss.a
	}
	nr := rib.at(int32(recv))
	if nr == nil {
		return nil
	}
	for _, path := range nr.paths {
		if int(path.session) == si && path.fromB == fromB {
			return path
		}
	}
	return nil
}

// sortAdvertisements orders by Key without building the key strings: with
// 50k prefixes the string keys were most of a check's time.
func sortAdvertisements(l []Advertisement) {
	sort.Slice(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Device != b.Device {
			return a.Device < b.Device
		}
		if c := a.Neighbor.Compare(b.Neighbor); c != 0 {
			return c < 0
		}
		return prefixLess(a.Prefix, b.Prefix)
	})
}

// Reaches reports whether forwarding from device delivers traffic for
// target (its first address): on a connected subnet, or at a device that
// originates target or a more specific of it, along every equal-cost branch;
// with the path, or the reason it does not.
func (r *Result) Reaches(device string, target netip.Prefix) (bool, []string, string) {
	return r.Delivers(device, target, Exit{Local: true})
}

// Exit says where a forwarding walk may end. Local: delivery inside the
// network counts (a connected subnet, or a discard route inside the target
// that the device originates into BGP). Into: entering one of these
// inventoried routers counts (a transit provider's router). Out: handing the
// traffic to one of these external speakers counts (a transit, or the
// anycast announcers that originate the target). Any other end is a failure.
type Exit struct {
	Local bool
	Into  func(device string) bool
	Out   func(peer string) bool
}

func (x Exit) into(name string) bool { return x.Into != nil && x.Into(name) }
func (x Exit) out(peer string) bool  { return x.Out != nil && x.Out(peer) }

// Delivers is Reaches with the ends of the walk given by x: "traffic for a
// critical prefix arriving at an edge reaches an originator", "Internet-bound
// traffic from a DC leaves at a transit".
func (r *Result) Delivers(device string, target netip.Prefix, x Exit) (bool, []string, string) {
	return r.DeliversAddr(device, target.Addr(), target, x)
}

// DeliversAddr is Delivers for traffic to address a inside target (the
// first address of a more specific route inside it): the walk follows a,
// and arrives where target or a prefix inside it is originated, as for
// target itself.
func (r *Result) DeliversAddr(device string, a netip.Addr, target netip.Prefix, x Exit) (bool, []string, string) {
	d := r.Net.Device(device)
	if d == nil {
		return false, nil, "unknown device " + device
	}
	if r.obs != nil {
		return r.observedWalk(device, a, target, x)
	}
	return r.state.walk(d.ID, a, target, x)
}

// RoutesDoc is the top level of `backstop routes --json`.
type RoutesDoc struct {
	Converged bool       `json:"converged"`
	Notes     []string   `json:"notes,omitempty"`
	Devices   []RouteSet `json:"devices"`
}

// Stats are sizes of a simulation, for benchmarks.
type Stats struct {
	Prefixes int // BGP prefixes
	Classes  int // prefix equivalence classes actually propagated
}

// Stats reports the simulation's sizes.
func (r *Result) Stats() Stats { return Stats{Prefixes: len(r.bgp.prefixes), Classes: r.bgp.classes} }

// MoreSpecifics lists the prefixes strictly inside p that some device has a
// route for: BGP prefixes, static routes, local aggregates and connected
// subnets (for an observed result, the observed forwarding entries too),
// sorted, each once. Traffic for p is traffic for each of them as well, and
// each may be forwarded elsewhere: a walk to p's first address alone does not
// see a data centre's /24 inside a service aggregate that is dropped on the
// way.
func (r *Result) MoreSpecifics(p netip.Prefix) []netip.Prefix {
	p = p.Masked()
	var out []netip.Prefix
	add := func(q netip.Prefix) {
		if q = q.Masked(); q.Bits() > p.Bits() && p.Contains(q.Addr()) {
			out = append(out, q)
		}
	}
	if r.bgp != nil {
		for _, q := range r.bgp.prefixes {
			add(q)
		}
	}
	for _, d := range r.Net.Devices {
		for _, st := range d.Statics {
			add(st.Prefix)
		}
		for _, ag := range d.Aggregates {
			add(ag.Prefix)
		}
		for _, ifc := range d.Interfaces {
			for _, a := range ifc.Addresses {
				add(a)
			}
		}
	}
	if r.obs != nil {
		for _, routes := range r.obs.fib {
			for _, rt := range routes {
				add(rt.Prefix)
			}
		}
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if prefixLess(a, b) {
			return -1
		}
		if prefixLess(b, a) {
			return 1
		}
		return 0
	})
	return slices.Compact(out)
}

// Originators: the external speakers (environment.yaml peers and anycast
// announcers) that announce p or a prefix covering it, by name: where
// traffic for p may leave the network and still be delivered.
func (r *Result) Originators(p netip.Prefix) []string {
	var out []string
	for _, x := range r.external {
		for _, q := range x.announces {
			if q.Bits() > 0 && inside(p, q) {
				out = append(out, x.name)
				break
			}
		}
	}
	return out
}
