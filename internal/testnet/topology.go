// Package testnet generates the realistic test backbone used across backstop's
// tests and demos, and the change scenarios judged against policies/default.yaml.
//
// The network is described here as plain Go data (devices, links, sessions,
// policies), rendered to RFC 7951 JSON, then loaded and re-rendered through
// models/oc so the committed files are exactly what the binding emits. Each
// scenario is a gNMI SetRequest (per device); its candidate configs are that
// SetRequest applied to running with ygot's ytypes, so change.json and
// candidate/<device>.json cannot drift apart. `go run ./internal/testnet/gen -out .`
// rewrites testdata/backbone and testdata/scenarios; the package test checks the
// committed files equal a fresh generation.
package testnet

import (
	"fmt"
	"net/netip"
	"sort"
)

// AS is the network's own autonomous system.
const AS = 65000

// Well-known prefixes of the test network.
var (
	DNSPrefix       = netip.MustParsePrefix("129.134.30.0/23")
	ServiceAgg      = netip.MustParsePrefix("157.240.0.0/16")
	AnnouncerASN    = uint32(65100)
	RouteReflectors = []string{"bb1.fra", "bb1.iad"}
)

// Regions of the backbone, in ring order: ams-fra-sin-sjc-iad-lhr-ams.
var Regions = []string{"ams", "fra", "sin", "sjc", "iad", "lhr"}

// regionOrder is the order devices are numbered in (loopbacks, NETs).
var regionOrder = []string{"ams", "fra", "lhr", "iad", "sjc", "sin"}

// DC is a data-centre site.
type DC struct {
	Site    string
	N       int       // 0..3: originates 10.20N.0.0/16 and 157.240.N.0/24
	Uplinks [2]string // backbone routers, in different regions
	City    string
}

// DCs are the four data-centre sites.
var DCs = []DC{
	{Site: "prn", N: 0, Uplinks: [2]string{"bb1.sjc", "bb2.iad"}, City: "Prineville"},
	{Site: "frc", N: 1, Uplinks: [2]string{"bb1.iad", "bb2.lhr"}, City: "Forest City"},
	{Site: "lla", N: 2, Uplinks: [2]string{"bb1.ams", "bb2.fra"}, City: "Lulea"},
	{Site: "odn", N: 3, Uplinks: [2]string{"bb1.fra", "bb2.ams"}, City: "Odense"},
}

// Transit is one transit provider session at a POP.
type Transit struct {
	Name string
	ASN  uint32
}

// POP is a DNS point of presence with an edge router.
type POP struct {
	Site     string
	N        int // 0..3: announcer link 10.9.N.0/30
	Uplinks  [2]string
	Transits []Transit
}

// POPs are the four DNS POPs.
var POPs = []POP{
	{Site: "ams", N: 0, Uplinks: [2]string{"bb1.ams", "bb2.ams"}, Transits: []Transit{{"Lumen", 3356}, {"Cogent", 174}}},
	{Site: "fra", N: 1, Uplinks: [2]string{"bb1.fra", "bb2.fra"}, Transits: []Transit{{"Lumen", 3356}, {"TransitA", 64601}}},
	{Site: "sin", N: 2, Uplinks: [2]string{"bb1.sin", "bb2.sin"}, Transits: []Transit{{"TransitA", 64601}}},
	{Site: "iad", N: 3, Uplinks: [2]string{"bb1.iad", "bb2.iad"}, Transits: []Transit{{"Cogent", 174}, {"TransitB", 64602}}},
}

// DCPrefix is the data-centre prefix of DC n (10.20n.0.0/16).
func DCPrefix(n int) netip.Prefix { return netip.MustParsePrefix(fmt.Sprintf("10.20%d.0.0/16", n)) }

// ServicePrefix is the public service prefix of DC n (157.240.n.0/24).
func ServicePrefix(n int) netip.Prefix {
	return netip.MustParsePrefix(fmt.Sprintf("157.240.%d.0/24", n))
}

// Device is one router of the test network.
type Device struct {
	Name     string
	Role     string // backbone, dc, edge
	Site     string
	Num      int // loopback 10.0.0.Num, NET system id 0000.0000.00Num
	Loopback netip.Addr
	Ifaces   []*Iface
	BGP      []*Neighbor
	Groups   []*PeerGroup
	nextPort int
}

// Iface is a physical interface with one IPv4 address on subinterface 0.
type Iface struct {
	Name     string
	Desc     string
	MTU      int
	Addr     netip.Prefix // address/length of this end
	Loopback bool
	ISIS     bool   // IS-IS point-to-point (or passive for loopbacks)
	Metric   uint32 // level-2 metric
	Peer     string // device at the far end ("" for external)
	PeerIf   string
}

// Neighbor is a BGP neighbor.
type Neighbor struct {
	Addr      netip.Addr
	PeerAS    uint32
	Group     string
	Desc      string
	LocalAddr netip.Addr // zero: not set (directly connected eBGP)
	Import    []string
	Export    []string
	DefImport string
	DefExport string
	RRClient  bool
	External  bool
	Role      string // transit, anycast, ibgp
}

// PeerGroup is a BGP peer-group.
type PeerGroup struct {
	Name     string
	PeerAS   uint32
	Desc     string
	RRClient bool
}

// Link is a point-to-point link between two inventoried routers.
type Link struct {
	A, B     string
	AIf, BIf string
	Subnet   netip.Prefix
	Metric   uint32
	Kind     string // backbone, dc, edge
	Circuit  string
}

// Network is the whole generated test network.
type Network struct {
	Devices []*Device // sorted by name
	Links   []*Link
	byName  map[string]*Device
}

// Device returns the named device.
func (n *Network) Device(name string) *Device { return n.byName[name] }

// LinkBetween returns the first link between a and b (in link order).
func (n *Network) LinkBetween(a, b string) *Link {
	for _, l := range n.Links {
		if (l.A == a && l.B == b) || (l.A == b && l.B == a) {
			return l
		}
	}
	return nil
}

// End returns the interface of l on device d.
func (l *Link) End(d string) string {
	if l.A == d {
		return l.AIf
	}
	return l.BIf
}

func (d *Device) port() string {
	p := fmt.Sprintf("et-0/0/%d", d.nextPort)
	d.nextPort++
	return p
}

// Iface returns the named interface.
func (d *Device) Iface(name string) *Iface {
	for _, i := range d.Ifaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}

// Build constructs the test network. It is a pure function: the same network
// every time.
func Build() *Network {
	n := &Network{byName: map[string]*Device{}}
	add := func(name, role, site string, num int) *Device {
		d := &Device{Name: name, Role: role, Site: site, Num: num,
			Loopback: netip.AddrFrom4([4]byte{10, 0, 0, byte(num)})}
		d.Ifaces = append(d.Ifaces, &Iface{Name: "lo0", Desc: "router-id, iBGP source", Loopback: true,
			Addr: netip.PrefixFrom(d.Loopback, 32), ISIS: true})
		n.Devices = append(n.Devices, d)
		n.byName[name] = d
		return d
	}
	num := 1
	for _, r := range regionOrder {
		for _, i := range []int{1, 2} {
			add(fmt.Sprintf("bb%d.%s", i, r), "backbone", r, num)
			num++
		}
	}
	for i, dc := range DCs {
		add("dc1."+dc.Site, "dc", dc.Site, 21+i)
	}
	for i, p := range POPs {
		add("edge1."+p.Site, "edge", p.Site, 31+i)
	}

	// Point-to-point links, numbered from a /24 pool per kind.
	pools := map[string]int{}
	base := map[string]byte{"backbone": 1, "dc": 2, "edge": 3}
	link := func(a, b string, metric uint32, kind, circuit string) {
		k := pools[kind]
		pools[kind]++
		sub := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, base[kind], 0, byte(2 * k)}), 31)
		da, db := n.byName[a], n.byName[b]
		l := &Link{A: a, B: b, AIf: da.port(), BIf: db.port(), Subnet: sub, Metric: metric, Kind: kind, Circuit: circuit}
		n.Links = append(n.Links, l)
		mtu := 9192
		ia := &Iface{Name: l.AIf, MTU: mtu, Addr: netip.PrefixFrom(sub.Addr(), 31), ISIS: true, Metric: metric, Peer: b, PeerIf: l.BIf}
		ib := &Iface{Name: l.BIf, MTU: mtu, Addr: netip.PrefixFrom(sub.Addr().Next(), 31), ISIS: true, Metric: metric, Peer: a, PeerIf: l.AIf}
		tag := map[string]string{"backbone": "BB", "dc": "DC-UPLINK", "edge": "POP-UPLINK"}[kind]
		ia.Desc = fmt.Sprintf("%s: %s %s [%s]", tag, b, l.BIf, circuit)
		ib.Desc = fmt.Sprintf("%s: %s %s [%s]", tag, a, l.AIf, circuit)
		da.Ifaces = append(da.Ifaces, ia)
		db.Ifaces = append(db.Ifaces, ib)
	}
	circ := 0
	cid := func(a, b string) string {
		circ++
		return fmt.Sprintf("BSTP-%s-%s-%04d", upper(a), upper(b), 1000+circ)
	}
	// Intra-region pairs.
	for _, r := range regionOrder {
		link("bb1."+r, "bb2."+r, 10, "backbone", cid(r, r))
	}
	// The ring, both planes: bb1-bb1 and bb2-bb2 between adjacent regions.
	ringMetric := map[string]uint32{"ams-fra": 100, "fra-sin": 400, "sin-sjc": 350, "sjc-iad": 200, "iad-lhr": 300, "lhr-ams": 100}
	for i, r := range Regions {
		next := Regions[(i+1)%len(Regions)]
		m := ringMetric[r+"-"+next]
		link("bb1."+r, "bb1."+next, m, "backbone", cid(r, next))
		link("bb2."+r, "bb2."+next, m, "backbone", cid(r, next))
	}
	// Two chords.
	link("bb2.fra", "bb2.iad", 320, "backbone", cid("fra", "iad"))
	link("bb1.lhr", "bb1.sin", 380, "backbone", cid("lhr", "sin"))
	// Data-centre uplinks.
	for _, dc := range DCs {
		for i, up := range dc.Uplinks {
			link("dc1."+dc.Site, up, uint32(10+10*i), "dc", cid(dc.Site, n.byName[up].Site))
		}
	}
	// POP uplinks.
	for _, p := range POPs {
		for i, up := range p.Uplinks {
			link("edge1."+p.Site, up, uint32(10+10*i), "edge", cid(p.Site, n.byName[up].Site))
		}
	}

	// External links at the POPs: the anycast announcer and the transits.
	tnum := 0
	for _, p := range POPs {
		e := n.byName["edge1."+p.Site]
		ann := netip.AddrFrom4([4]byte{10, 9, byte(p.N), 1})
		e.Ifaces = append(e.Ifaces, &Iface{Name: e.port(), MTU: 1500,
			Desc: fmt.Sprintf("DNS: anycast announcer dns1.%s (AS%d)", p.Site, AnnouncerASN), Addr: netip.PrefixFrom(ann, 30)})
		for _, t := range p.Transits {
			sub := netip.AddrFrom4([4]byte{203, 0, 113, byte(4 * tnum)})
			tnum++
			local := sub.Next().Next()
			e.Ifaces = append(e.Ifaces, &Iface{Name: e.port(), MTU: 1500,
				Desc: fmt.Sprintf("TRANSIT: %s AS%d [%s]", t.Name, t.ASN, cid(p.Site, "ext")), Addr: netip.PrefixFrom(local, 30)})
		}
	}

	// BGP sessions.
	for _, d := range n.Devices {
		isRR := contains(RouteReflectors, d.Name)
		if isRR {
			d.Groups = append(d.Groups,
				&PeerGroup{Name: "RR-CLIENTS", PeerAS: AS, Desc: "route-reflector clients", RRClient: true},
				&PeerGroup{Name: "RR-MESH", PeerAS: AS, Desc: "other route reflectors (non-client)"})
			for _, o := range n.Devices {
				if o == d {
					continue
				}
				nb := &Neighbor{Addr: o.Loopback, PeerAS: AS, LocalAddr: d.Loopback, Desc: o.Name,
					DefImport: "ACCEPT_ROUTE", DefExport: "ACCEPT_ROUTE", Role: "ibgp"}
				if contains(RouteReflectors, o.Name) {
					nb.Group = "RR-MESH"
				} else {
					nb.Group, nb.RRClient = "RR-CLIENTS", true
				}
				d.BGP = append(d.BGP, nb)
			}
			continue
		}
		d.Groups = append(d.Groups, &PeerGroup{Name: "RR", PeerAS: AS, Desc: "route reflectors"})
		for _, rr := range RouteReflectors {
			o := n.byName[rr]
			nb := &Neighbor{Addr: o.Loopback, PeerAS: AS, LocalAddr: d.Loopback, Group: "RR", Desc: rr + " (RR)",
				DefImport: "ACCEPT_ROUTE", DefExport: "ACCEPT_ROUTE", Role: "ibgp"}
			if d.Role == "edge" {
				nb.Export = []string{"IBGP-OUT"}
			}
			d.BGP = append(d.BGP, nb)
		}
	}
	tnum = 0
	for _, p := range POPs {
		e := n.byName["edge1."+p.Site]
		e.Groups = append(e.Groups,
			&PeerGroup{Name: "ANYCAST", PeerAS: AnnouncerASN, Desc: "DNS anycast announcers"},
			&PeerGroup{Name: "TRANSIT", Desc: "transit providers"})
		e.BGP = append(e.BGP, &Neighbor{Addr: netip.AddrFrom4([4]byte{10, 9, byte(p.N), 2}), PeerAS: AnnouncerASN,
			Group: "ANYCAST", Desc: "dns1." + p.Site + " anycast announcer", Import: []string{"ANYCAST-DNS-IN"},
			DefImport: "REJECT_ROUTE", DefExport: "REJECT_ROUTE", External: true, Role: "anycast"})
		for _, t := range p.Transits {
			peer := netip.AddrFrom4([4]byte{203, 0, 113, byte(4*tnum + 1)})
			tnum++
			e.BGP = append(e.BGP, &Neighbor{Addr: peer, PeerAS: t.ASN, Group: "TRANSIT",
				Desc: fmt.Sprintf("%s AS%d", t.Name, t.ASN), Import: []string{"TRANSIT-IN"}, Export: []string{"TRANSIT-OUT"},
				DefImport: "REJECT_ROUTE", DefExport: "REJECT_ROUTE", External: true, Role: "transit"})
		}
	}
	for _, d := range n.Devices {
		sort.Slice(d.BGP, func(i, j int) bool { return d.BGP[i].Addr.Less(d.BGP[j].Addr) })
	}
	sort.Slice(n.Devices, func(i, j int) bool { return n.Devices[i].Name < n.Devices[j].Name })
	return n
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// DC returns the data-centre description of a dc device, or nil.
func dcOf(d *Device) *DC {
	for i := range DCs {
		if "dc1."+DCs[i].Site == d.Name {
			return &DCs[i]
		}
	}
	return nil
}

func popOf(d *Device) *POP {
	for i := range POPs {
		if "edge1."+POPs[i].Site == d.Name {
			return &POPs[i]
		}
	}
	return nil
}
