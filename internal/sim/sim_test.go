package sim

import (
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

func u32(v uint32) *uint32 { return &v }

func TestLinksInferredFromSharedSubnets(t *testing.T) {
	b := newNet(t)
	b.Router("r1", 0, "10.0.0.1")
	b.Router("r2", 0, "10.0.0.2")
	b.Router("r3", 0, "10.0.0.3")
	b.Link("r1", "r2", "192.0.2.0", 10)
	_, i3 := b.Link("r2", "r3", "192.0.2.2", 10)
	b.Devs["r3"].Interfaces[len(b.Devs["r3"].Interfaces)-1].Enabled = false
	// an address alone on its subnet makes no link
	b.Iface("r1", "stub", pfx("198.51.100.1/24"), 0)
	r := Run(b.Build())
	if len(r.Links) != 2 {
		t.Fatalf("links = %d, want 2: %+v", len(r.Links), r.Links)
	}
	if !r.Links[0].Up || r.Links[0].A != "r1" || r.Links[0].B != "r2" {
		t.Errorf("r1-r2 link: %+v", r.Links[0])
	}
	if r.Links[1].Up || !strings.Contains(r.Links[1].Reason, "r3 "+i3+" is disabled") {
		t.Errorf("r2-r3 link should be down because r3's interface is disabled: %+v", r.Links[1])
	}
}

// A port whose far end is administratively down has no carrier: its subnet
// leaves the RIB and IS-IS, as on a real router (and in FRR: the difference
// conformance found in dc-isolated). A wider subnet may be a LAN behind a
// switch and keeps carrier; so does a port with another link still up.
func TestDisabledFarEndTakesCarrier(t *testing.T) {
	b := newNet(t)
	b.Router("a", 0, "10.0.0.1")
	b.Router("b", 0, "10.0.0.2")
	b.Router("c", 0, "10.0.0.3")
	b.Link("a", "b", "192.0.2.0", 10)
	_, ic := b.Link("b", "c", "192.0.2.2", 10)
	b.Iface("b", "lan-b", pfx("198.51.100.1/24"), 10)
	b.Iface("c", "lan-c", pfx("198.51.100.2/24"), 10)
	n := b.Build()
	r := Run(n)
	for _, p := range []string{"192.0.2.2/31", "198.51.100.0/24"} {
		if isisRouteOf(t, r, "a", p) == nil {
			t.Fatalf("before: a has no IS-IS route to %s", p)
		}
	}
	c := n.Device("c")
	for i := range c.Interfaces {
		c.Interfaces[i].Enabled = c.Interfaces[i].Name != ic && c.Interfaces[i].Name != "lan-c"
	}
	r = Run(n)
	if rt := isisRouteOf(t, r, "a", "192.0.2.2/31"); rt != nil {
		t.Errorf("b's port towards c has no carrier, its /31 must leave IS-IS: %+v", rt)
	}
	if _, _, ok := r.topo.connectedRoute(n.Device("b").ID, addr("192.0.2.2")); ok {
		t.Error("b keeps a connected route on a port without carrier")
	}
	if isisRouteOf(t, r, "a", "198.51.100.0/24") == nil {
		t.Error("a /24 may be a LAN behind a switch: b's port keeps carrier and its subnet")
	}
	if ok, _, _ := r.Reaches("a", netip.PrefixFrom(addr("10.0.0.2"), 32)); !ok {
		t.Error("a still reaches b over their own link")
	}
}

func isisRouteOf(t *testing.T, r *Result, dev, p string) *ISISRoute {
	t.Helper()
	for _, rs := range r.Routes(dev) {
		for i := range rs.ISIS {
			if rs.ISIS[i].Prefix == p {
				return &rs.ISIS[i]
			}
		}
	}
	return nil
}

func TestISISShortestPathAndECMP(t *testing.T) {
	b := newNet(t)
	for i, n := range []string{"a", "b", "c", "d"} {
		b.Router(n, 0, "10.0.0."+string(rune('1'+i)))
	}
	b.Link("a", "b", "192.0.2.0", 10)
	b.Link("b", "d", "192.0.2.2", 10)
	b.Link("a", "c", "192.0.2.4", 10)
	b.Link("c", "d", "192.0.2.6", 10)
	b.Link("a", "d", "192.0.2.8", 50)
	r := Run(b.Build())
	rt := isisRouteOf(t, r, "a", "10.0.0.4/32")
	if rt == nil {
		t.Fatal("a has no IS-IS route to d's loopback")
	}
	// two equal paths of 20 (via b and via c) + d's loopback metric 10; the direct link costs 50.
	if rt.Metric != 30 || len(rt.NextHops) != 2 || rt.NextHops[0].Device != "b" || rt.NextHops[1].Device != "c" {
		t.Errorf("route to d: %+v", rt)
	}
	if isisRouteOf(t, r, "a", "10.0.0.1/32") != nil {
		t.Error("a's own loopback must not be an IS-IS route")
	}
}

func TestISISMetricChangeReroutes(t *testing.T) {
	b := newNet(t)
	b.Router("a", 0, "10.0.0.1")
	b.Router("b", 0, "10.0.0.2")
	b.Router("c", 0, "10.0.0.3")
	b.Link("a", "b", "192.0.2.0", 10)
	b.Link("a", "c", "192.0.2.2", 10)
	b.Link("c", "b", "192.0.2.4", 10)
	n := b.Build()
	if rt := isisRouteOf(t, Run(n), "a", "10.0.0.2/32"); rt == nil || rt.NextHops[0].Device != "b" {
		t.Fatalf("before: %+v", rt)
	}
	for i := range n.Device("a").ISIS.Interfaces {
		if strings.HasSuffix(n.Device("a").ISIS.Interfaces[i].Interface, "-b") {
			n.Device("a").ISIS.Interfaces[i].Metric = [2]uint32{100, 100}
		}
	}
	rt := isisRouteOf(t, Run(n), "a", "10.0.0.2/32")
	if rt == nil || rt.NextHops[0].Device != "c" || rt.Metric != 30 {
		t.Fatalf("after raising a-b to 100, a should go via c at 30: %+v", rt)
	}
}

func TestISISPassiveDisabledAndLevels(t *testing.T) {
	b := newNet(t)
	b.Router("a", 0, "10.0.0.1")
	b.Router("b", 0, "10.0.0.2")
	b.Router("c", 0, "10.0.0.3")
	b.Router("d", 0, "10.0.0.4")
	ia, _ := b.Link("a", "b", "192.0.2.0", 10)
	b.Link("a", "c", "192.0.2.2", 10)
	b.Link("a", "d", "192.0.2.4", 10)
	n := b.Build()
	for i, ii := range n.Device("a").ISIS.Interfaces {
		switch {
		case ii.Interface == ia:
			n.Device("a").ISIS.Interfaces[i].Passive = true
		case strings.HasSuffix(ii.Interface, "-c"):
			n.Device("a").ISIS.Interfaces[i].Enabled = false
		}
	}
	n.Device("d").ISIS.Levels = network.Level1 // a is level 2 only: no common level
	r := Run(n)
	if len(r.Adjacencies) != 0 {
		t.Fatalf("no adjacency expected (passive, disabled, level mismatch): %+v", r.Adjacencies)
	}
	// A passive interface still advertises its subnet; a disabled one does not.
	if len(r.igp.origins[2][pfx("192.0.2.0/31")]) == 0 {
		t.Error("passive interface subnet should be advertised")
	}
	if slices.ContainsFunc(r.igp.origins[2][pfx("192.0.2.2/31")], func(o isisOrigin) bool { return o.dev == n.Device("a").ID }) {
		t.Error("IS-IS-disabled interface subnet must not be advertised by a")
	}
}

// core is r1 - r2 - r3 in AS 65000 with IS-IS and iBGP r1<->r2, r2<->r3.
func core(t *testing.T) *netBuilder {
	b := newNet(t)
	b.Router("r1", 65000, "10.0.0.1")
	b.Router("r2", 65000, "10.0.0.2")
	b.Router("r3", 65000, "10.0.0.3")
	b.Link("r1", "r2", "192.0.2.0", 10)
	b.Link("r2", "r3", "192.0.2.2", 10)
	return b
}

func TestBGPSessionRules(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Ibgp("r1", "r3")
	b.Router("x", 65001, "10.0.0.9")
	ix, i1 := b.Link("x", "r1", "192.0.2.8", 0)
	b.Ebgp("x", ix, "r1", i1)
	n := b.Build()
	r := Run(n)
	for _, s := range r.Sessions {
		if !s.Established {
			t.Errorf("session %s→%s should be up: %s", s.Device, s.Peer, s.Reason)
		}
	}
	cases := []struct {
		name   string
		mutate func(n *network.Network)
		dev    string
		peer   string
		want   string
	}{
		{"neighbor disabled", func(n *network.Network) { nbrOf(n, "r1", "10.0.0.2").Enabled = false }, "r1", "10.0.0.2", "disabled"},
		{"AS mismatch", func(n *network.Network) { nbrOf(n, "r1", "10.0.0.2").PeerAS = 65009 }, "r1", "10.0.0.2", "expects AS 65009"},
		{"AFI disabled", func(n *network.Network) { nbrOf(n, "r2", "10.0.0.1").IPv4Unicast = false }, "r1", "10.0.0.2", "IPv4 unicast"},
		{"one end missing", func(n *network.Network) {
			d := n.Device("r2")
			d.BGP.Neighbors = slices.DeleteFunc(d.BGP.Neighbors, func(nb network.Neighbor) bool { return nb.Address == addr("10.0.0.1") })
		}, "r1", "10.0.0.2", "has no neighbor"},
		{"no IGP path for iBGP", func(n *network.Network) {
			for i := range n.Device("r3").Interfaces {
				if !n.Device("r3").Interfaces[i].Loopback {
					n.Device("r3").Interfaces[i].Enabled = false
				}
			}
		}, "r1", "10.0.0.3", "no IGP route"},
		{"single-hop eBGP needs an up link", func(n *network.Network) {
			for i := range n.Device("x").Interfaces {
				if !n.Device("x").Interfaces[i].Loopback {
					n.Device("x").Interfaces[i].Enabled = false
				}
			}
		}, "r1", "192.0.2.8", "that is down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := core(t)
			b.Ibgp("r1", "r2")
			b.Ibgp("r1", "r3")
			b.Router("x", 65001, "10.0.0.9")
			ix, i1 := b.Link("x", "r1", "192.0.2.8", 0)
			b.Ebgp("x", ix, "r1", i1)
			n := b.Build()
			c.mutate(n)
			s := session(t, Run(n), c.dev, addr(c.peer))
			if s.Established || !strings.Contains(s.Reason, c.want) {
				t.Errorf("session %s→%s: established=%v reason=%q, want reason containing %q", c.dev, c.peer, s.Established, s.Reason, c.want)
			}
		})
	}
}

func nbrOf(n *network.Network, dev, peer string) *network.Neighbor {
	d := n.Device(dev)
	for i := range d.BGP.Neighbors {
		if d.BGP.Neighbors[i].Address == addr(peer) {
			return &d.BGP.Neighbors[i]
		}
	}
	return nil
}

func TestIBGPNextHopResolutionAndNextHopSelf(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.External("r1", "203.0.113.0", 64600, "transit", "0.0.0.0/0")
	n := b.Build()
	r := Run(n)
	p := best(t, r, "r1", "0.0.0.0/0")
	if p == nil || p.NextHop != "203.0.113.2" || p.Source != "ebgp" {
		t.Fatalf("r1 best default: %+v", p)
	}
	// r2 learns it with the external next hop, which the IGP does not carry:
	// present but not valid.
	var r2paths []PathOut
	for _, rs := range r.Routes("r2") {
		for _, br := range rs.BGP {
			if br.Prefix == "0.0.0.0/0" {
				r2paths = br.Paths
			}
		}
	}
	if len(r2paths) != 1 || r2paths[0].Valid || r2paths[0].Best || r2paths[0].NextHop != "203.0.113.2" {
		t.Fatalf("r2 should hold one invalid path via 203.0.113.2: %+v", r2paths)
	}
	// next-hop-self through the export policy makes it valid at IGP cost 20.
	b.Policy("r1", "NHS", network.Statement{Name: "10", Actions: network.Actions{NextHop: &network.NextHopAction{Self: true}, Result: network.ResultAccept}})
	nbrOf(n, "r1", "10.0.0.2").Export.Policies = []string{"NHS"}
	r = Run(n)
	p = best(t, r, "r2", "0.0.0.0/0")
	if p == nil || p.NextHop != "10.0.0.1" || p.IGPCost == nil || *p.IGPCost != 20 {
		t.Fatalf("with next-hop self r2 best: %+v", p)
	}
	// The path r2 holds is r1's copy with a new next hop: forwarding goes to
	// r1 and only r1 hands the traffic to the transit (a stale "external next
	// hop" from r1's copy once ended the walk at r2).
	ok, trace, why := r.Delivers("r2", pfx("0.0.0.0/0"), Exit{Out: func(peer string) bool { return strings.HasPrefix(peer, "r1/") }})
	if !ok || len(trace) != 2 || trace[1] != "r1" {
		t.Fatalf("r2 → transit: ok=%v trace %v (%s)", ok, trace, why)
	}
	if ok, _, _ := r.Delivers("r2", pfx("0.0.0.0/0"), Exit{Local: true}); ok {
		t.Errorf("traffic handed to a transit is not delivered inside the network")
	}
}

func TestIBGPSplitHorizonAndRouteReflection(t *testing.T) {
	build := func(rr bool) *Result {
		b := core(t)
		b.Ibgp("r1", "r2")
		b.Ibgp("r2", "r3")
		b.Originate("r1", "198.51.100.0/24")
		n := b.Build()
		if rr {
			nbrOf(n, "r2", "10.0.0.1").RRClient = true
			nbrOf(n, "r2", "10.0.0.3").RRClient = true
		}
		return Run(n)
	}
	if p := best(t, build(false), "r3", "198.51.100.0/24"); p != nil {
		t.Fatalf("without route reflection r2 must not pass an iBGP route to r3: %+v", p)
	}
	p := best(t, build(true), "r3", "198.51.100.0/24")
	if p == nil || p.OriginatorID != "10.0.0.1" || !slices.Equal(p.ClusterList, []string{"10.0.0.2"}) || p.NextHop != "10.0.0.1" {
		t.Fatalf("reflected path at r3: %+v", p)
	}
}

func TestRouteReflectorClusterLoopPrevention(t *testing.T) {
	// Two RRs in the same cluster both reflecting r1's route: each rejects the
	// copy reflected by the other (its cluster id is in the cluster list).
	b := newNet(t)
	b.Router("c1", 65000, "10.0.0.1")
	b.Router("rr1", 65000, "10.0.0.2")
	b.Router("rr2", 65000, "10.0.0.3")
	b.Link("c1", "rr1", "192.0.2.0", 10)
	b.Link("c1", "rr2", "192.0.2.2", 10)
	b.Link("rr1", "rr2", "192.0.2.4", 10)
	b.Ibgp("c1", "rr1")
	b.Ibgp("c1", "rr2")
	b.Ibgp("rr1", "rr2")
	b.Originate("c1", "198.51.100.0/24")
	n := b.Build()
	for _, rr := range []string{"rr1", "rr2"} {
		n.Device(rr).BGP.ClusterID = addr("10.255.255.255")
		for i := range n.Device(rr).BGP.Neighbors {
			if n.Device(rr).BGP.Neighbors[i].Address == addr("10.0.0.1") {
				n.Device(rr).BGP.Neighbors[i].RRClient = true
			}
		}
	}
	r := Run(n)
	for _, rs := range r.Routes("rr1") {
		for _, br := range rs.BGP {
			if len(br.Paths) != 1 || br.Paths[0].From != "10.0.0.1" {
				t.Errorf("rr1 should hold only c1's path: %+v", br.Paths)
			}
		}
	}
	if !r.Converged {
		t.Error("should converge")
	}
}

func TestASPathLoopPrevention(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	b.Router("c", 65001, "10.0.0.3") // same AS as a, not connected to it
	ia, ib := b.Link("a", "b", "192.0.2.0", 0)
	jb, jc := b.Link("b", "c", "192.0.2.2", 0)
	b.Ebgp("a", ia, "b", ib)
	b.Ebgp("b", jb, "c", jc)
	b.Originate("a", "198.51.100.0/24")
	r := Run(b.Build())
	if p := best(t, r, "b", "198.51.100.0/24"); p == nil || !slices.Equal(p.ASPath, []uint32{65001}) {
		t.Fatalf("b: %+v", p)
	}
	if p := best(t, r, "c", "198.51.100.0/24"); p != nil {
		t.Fatalf("c must drop a path containing its own AS: %+v", p)
	}
}

func TestDecisionProcess(t *testing.T) {
	base := func() *Path {
		return &Path{LocalPref: 100, ASPath: []uint32{1, 2}, Origin: OriginIGP, IGPCost: 10,
			PeerRID: addr("10.0.0.5"), FromPeer: addr("10.0.0.5")}
	}
	cases := []struct {
		reason string
		better func(p *Path)
	}{
		{"locally originated", func(p *Path) { p.Local = true; p.LocalPref = 50 }},
		{"local-pref", func(p *Path) { p.LocalPref = 200; p.ASPath = []uint32{1, 2, 3, 4} }},
		{"as-path length", func(p *Path) { p.ASPath = []uint32{1}; p.Origin = OriginIncomplete }},
		{"origin", func(p *Path) { p.Origin = OriginIGP - 0; p.MED = 500 }},
		{"med", func(p *Path) { p.MED = 5 }},
		{"ebgp over ibgp", func(p *Path) { p.EBGP = true; p.IGPCost = 99 }},
		{"igp cost", func(p *Path) { p.IGPCost = 1 }},
		{"router-id", func(p *Path) { p.PeerRID = addr("10.0.0.1"); p.FromPeer = addr("10.0.0.9") }},
		{"cluster-list length", func(p *Path) {}},
		{"neighbor address", func(p *Path) { p.FromPeer = addr("10.0.0.1") }},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			a, b := base(), base()
			switch c.reason {
			case "origin":
				b.Origin = OriginIncomplete
			case "med":
				b.MED = 10
			case "cluster-list length":
				b.ClusterList = []netip.Addr{addr("10.0.0.7")}
			}
			c.better(a)
			got, why := compare(a, b)
			if got >= 0 || why != c.reason {
				t.Errorf("compare = %d (%s), want a better by %s", got, why, c.reason)
			}
			if got2, _ := compare(b, a); got2 <= 0 {
				t.Errorf("compare is not antisymmetric")
			}
		})
	}
	// MED is only compared between paths from the same neighbouring AS.
	a, b := base(), base()
	a.ASPath, a.MED = []uint32{7, 2}, 1000
	b.MED = 1
	if _, why := compare(a, b); why == "med" {
		t.Error("MED must not be compared across neighbouring ASes")
	}
}

func TestEBGPDefaultPolicyRejectsWithoutPolicy(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	ia, ib := b.Link("a", "b", "192.0.2.0", 0)
	b.Ebgp("a", ia, "b", ib)
	b.Originate("a", "198.51.100.0/24")
	n := b.Build()
	// RFC 8212: an eBGP session without any policy exchanges nothing.
	nbrOf(n, "a", "192.0.2.1").Export = network.PolicyChain{}
	if p := best(t, Run(n), "b", "198.51.100.0/24"); p != nil {
		t.Fatalf("eBGP without export policy must not announce: %+v", p)
	}
}

func TestRoutingPolicyMatchesAndActions(t *testing.T) {
	setup := func() (*netBuilder, *network.Network) {
		b := newNet(t)
		b.Router("a", 65001, "10.0.0.1")
		b.Router("b", 65002, "10.0.0.2")
		ia, ib := b.Link("a", "b", "192.0.2.0", 0)
		b.Ebgp("a", ia, "b", ib)
		b.Originate("a", "198.51.100.0/24")
		b.Originate("a", "198.51.100.0/25")
		b.Originate("a", "203.0.113.0/24")
		return b, nil
	}
	t.Run("prefix-set masklength range", func(t *testing.T) {
		b, _ := setup()
		b.PrefixSet("a", "PS", network.PrefixRange{Prefix: pfx("198.51.100.0/24"), Min: 24, Max: 24})
		b.Policy("a", "OUT", network.Statement{Conditions: network.Conditions{PrefixSet: "PS"}, Actions: network.Actions{Result: network.ResultAccept}},
			network.Statement{Actions: network.Actions{Result: network.ResultReject}})
		n := b.Build()
		nbrOf(n, "a", "192.0.2.1").Export.Policies = []string{"OUT"}
		r := Run(n)
		if best(t, r, "b", "198.51.100.0/24") == nil || best(t, r, "b", "198.51.100.0/25") != nil || best(t, r, "b", "203.0.113.0/24") != nil {
			t.Error("only the exact /24 should pass")
		}
		b.Devs["a"].PrefixSets["PS"].Entries[0].Max = 25
		if best(t, Run(n), "b", "198.51.100.0/25") == nil {
			t.Error("24..25 should pass the /25")
		}
	})
	t.Run("invert, local-pref, med, prepend, community", func(t *testing.T) {
		b, _ := setup()
		b.PrefixSet("b", "PS", network.PrefixRange{Prefix: pfx("203.0.113.0/24"), Min: 24, Max: 24})
		b.Devs["b"].CommunitySets["TAG"] = &network.CommunitySet{Name: "TAG", Members: []network.CommunityMatcher{{Value: 65002<<16 | 7}}}
		b.Policy("b", "IN",
			network.Statement{Conditions: network.Conditions{PrefixSet: "PS", PrefixSetMode: network.MatchInvert},
				Actions: network.Actions{SetLocalPref: u32(250), SetMED: u32(33),
					Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{65002<<16 | 7}}}},
			network.Statement{Conditions: network.Conditions{CommunitySet: "TAG"}, Actions: network.Actions{Result: network.ResultAccept}},
			network.Statement{Actions: network.Actions{Result: network.ResultReject}})
		b.Policy("a", "OUT", network.Statement{Actions: network.Actions{Prepend: &network.Prepend{Repeat: 2}, Result: network.ResultAccept}})
		n := b.Build()
		nbrOf(n, "b", "192.0.2.0").Import.Policies = []string{"IN"}
		nbrOf(n, "a", "192.0.2.1").Export.Policies = []string{"OUT"}
		r := Run(n)
		p := best(t, r, "b", "198.51.100.0/24")
		if p == nil || p.LocalPref != 250 || p.MED == nil || *p.MED != 33 || !slices.Equal(p.Communities, []string{"65002:7"}) ||
			!slices.Equal(p.ASPath, []uint32{65001, 65001, 65001}) {
			t.Errorf("b's path: %+v", p)
		}
		if best(t, r, "b", "203.0.113.0/24") != nil {
			t.Error("203.0.113.0/24 gets no community and must be rejected")
		}
	})
	t.Run("as-path-set and call-policy", func(t *testing.T) {
		b, _ := setup()
		b.AsPathSet("b", "FROM-A", "^65001$")
		b.Policy("b", "SUB", network.Statement{Conditions: network.Conditions{ASPathSet: "FROM-A"}, Actions: network.Actions{SetLocalPref: u32(300), Result: network.ResultAccept}})
		b.Policy("b", "IN", network.Statement{Conditions: network.Conditions{CallPolicy: "SUB"}, Actions: network.Actions{Result: network.ResultAccept}},
			network.Statement{Actions: network.Actions{Result: network.ResultReject}})
		n := b.Build()
		nbrOf(n, "b", "192.0.2.0").Import.Policies = []string{"IN"}
		if p := best(t, Run(n), "b", "198.51.100.0/24"); p == nil || p.LocalPref != 300 {
			t.Errorf("called policy should accept and set local-pref 300: %+v", p)
		}
		b.Devs["b"].ASPathSets["FROM-A"].Members[0] = regexpMust("^65009$")
		if p := best(t, Run(n), "b", "198.51.100.0/24"); p != nil {
			t.Errorf("no as-path match: rejected, got %+v", p)
		}
	})
}

func TestRedistributionPolicyAndAggregates(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Originate("r1", "198.51.100.0/25")
	b.PrefixSet("r1", "ONLY", network.PrefixRange{Prefix: pfx("198.51.100.0/24"), Min: 24, Max: 32})
	b.Policy("r1", "REDIST", network.Statement{Conditions: network.Conditions{PrefixSet: "ONLY", InstallProtocol: network.ProtoStatic},
		Actions: network.Actions{Result: network.ResultAccept}})
	d := b.Devs["r2"]
	d.Aggregates = []network.Aggregate{{Prefix: pfx("198.51.100.0/23"), Discard: true}}
	d.TableConnections = []network.TableConnection{{Src: network.ProtoLocalAggregate}}
	b.Devs["r1"].TableConnections[0].Import = network.PolicyChain{Policies: []string{"REDIST"}, Default: network.ResultReject, DefaultSet: true}
	b.Originate("r1", "192.0.2.128/25") // outside ONLY: not redistributed
	n := b.Build()
	r := Run(n)
	p := best(t, r, "r2", "198.51.100.0/25")
	if p == nil || p.Origin != "incomplete" {
		t.Fatalf("r2 should learn the redistributed static: %+v", p)
	}
	if best(t, r, "r2", "192.0.2.128/25") != nil {
		t.Error("the static outside the redistribution policy must not be in BGP")
	}
	if a := best(t, r, "r1", "198.51.100.0/23"); a == nil || a.FromDevice != "r2" {
		t.Fatalf("r2's aggregate should be active (contributor 198.51.100.0/25) and reach r1: %+v", a)
	}
	// Without the contributor, the aggregate is inactive.
	n.Device("r1").Statics = n.Device("r1").Statics[1:]
	if a := best(t, Run(n), "r1", "198.51.100.0/23"); a != nil {
		t.Fatalf("aggregate without a contributing route must not be announced: %+v", a)
	}
}

// anycastNet: a DC originating 10.200.0.0/16 behind core r1-r2-r3, an edge
// (r3) with a transit default route and a DNS announcer.
func anycastNet(t *testing.T) (*netBuilder, *network.Network) {
	b := core(t)
	b.Ibgp("r1", "r3")
	b.Ibgp("r1", "r2") // hop-by-hop forwarding: transit routers need the routes too
	b.Originate("r1", "10.200.0.0/16")
	b.Announcer("dns", "129.134.30.0/23", "r3", "10.9.0.0", 65100, "10.200.0.0/16")
	b.External("r3", "203.0.113.0", 64600, "transit", "0.0.0.0/0")
	n := b.Build()
	return b, n
}

func TestAnycastHealthFollowsForwarding(t *testing.T) {
	_, n := anycastNet(t)
	r := Run(n)
	if len(r.Anycast) != 1 || !r.Anycast[0].Announcing || !r.Converged {
		t.Fatalf("site should announce: %+v", r.Anycast)
	}
	if !slices.Equal(r.Anycast[0].HealthPath, []string{"r3", "r2", "r1"}) {
		t.Errorf("health path: %v", r.Anycast[0].HealthPath)
	}
	var toTransit bool
	for _, a := range r.Advertised() {
		if a.Prefix == pfx("129.134.30.0/23") && a.Role == "transit" {
			toTransit = true
		}
	}
	if !toTransit {
		t.Error("the DNS prefix should be announced to transit")
	}
	// Drain r2's links: r3 still has the transit default route, but forwarding
	// to the DC leaves the network, so the announcer withdraws.
	for i := range n.Device("r2").Interfaces {
		if !n.Device("r2").Interfaces[i].Loopback {
			n.Device("r2").Interfaces[i].Enabled = false
		}
	}
	r = Run(n)
	a := r.Anycast[0]
	if a.Healthy || a.Announcing || !strings.Contains(a.Reason, "leaves the network") {
		t.Fatalf("site should withdraw because forwarding leaves via transit: %+v", a)
	}
	for _, ad := range r.Advertised() {
		if ad.Prefix == pfx("129.134.30.0/23") {
			t.Errorf("DNS prefix still advertised: %+v", ad)
		}
	}
	if !r.Converged || r.Iterations < 2 {
		t.Errorf("converged=%v iterations=%d", r.Converged, r.Iterations)
	}
}

func TestBadGadgetDoesNotConverge(t *testing.T) {
	// Griffin's BAD GADGET: three ASes around an origin, each preferring the
	// path through its clockwise neighbour. No stable solution exists.
	b := newNet(t)
	b.Router("o", 65000, "10.0.0.10")
	as := map[string]uint32{"a": 65001, "b": 65002, "c": 65003}
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	b.Router("c", 65003, "10.0.0.3")
	base := 0
	next := func() string { base += 2; return "192.0.2." + itoa(base) }
	for _, x := range []string{"a", "b", "c"} {
		i1, i2 := b.Link("o", x, next(), 0)
		b.Ebgp("o", i1, x, i2)
	}
	for _, pr := range [][2]string{{"a", "b"}, {"b", "c"}, {"c", "a"}} {
		i1, i2 := b.Link(pr[0], pr[1], next(), 0)
		b.Ebgp(pr[0], i1, pr[1], i2)
	}
	b.Originate("o", "198.51.100.0/24")
	cw := map[string]string{"a": "b", "b": "c", "c": "a"}
	for _, x := range []string{"a", "b", "c"} {
		y := cw[x]
		b.AsPathSet(x, "VIA-CW", "^"+itoa(int(as[y]))+" 65000$")
		b.AsPathSet(x, "DIRECT", "^65000$")
		b.Policy(x, "IN",
			network.Statement{Conditions: network.Conditions{ASPathSet: "VIA-CW"}, Actions: network.Actions{SetLocalPref: u32(200), Result: network.ResultAccept}},
			network.Statement{Conditions: network.Conditions{ASPathSet: "DIRECT"}, Actions: network.Actions{Result: network.ResultAccept}},
			network.Statement{Actions: network.Actions{Result: network.ResultReject}})
	}
	n := b.Build()
	for _, x := range []string{"a", "b", "c"} {
		for i := range n.Device(x).BGP.Neighbors {
			n.Device(x).BGP.Neighbors[i].Import.Policies = []string{"IN"}
		}
	}
	r := Run(n)
	if r.Converged {
		t.Fatal("BAD GADGET must be reported as not converging")
	}
	if !slices.ContainsFunc(r.Notes, func(s string) bool { return strings.Contains(s, "198.51.100.0/24 does not converge") }) {
		t.Errorf("notes: %v", r.Notes)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

func TestAnycastAnnouncementRejectedAtImport(t *testing.T) {
	_, n := anycastNet(t)
	d := n.Device("r3")
	d.Policies["DROP"] = &network.Policy{Name: "DROP", Statements: []network.Statement{{Actions: network.Actions{Result: network.ResultReject}}}}
	nbrOf(n, "r3", "10.9.0.2").Import.Policies = []string{"DROP"}
	a := Run(n).Anycast[0]
	if !a.Healthy || a.Announcing || !strings.Contains(a.Reason, "import policy rejects") {
		t.Fatalf("a healthy site whose route is rejected at import does not announce: %+v", a)
	}
}

// Observe evaluates sessions, advertisements, forwarding and the anycast
// health rule on another stack's routing state (FRR's, in internal/emulate).
func TestObserveUsesTheObservedRouting(t *testing.T) {
	_, n := anycastNet(t)
	r := Run(n)
	var transit, dns netip.Addr
	est := map[string]map[netip.Addr]bool{}
	for _, s := range r.Sessions {
		if est[s.Device] == nil {
			est[s.Device] = map[netip.Addr]bool{}
		}
		est[s.Device][s.Neighbor] = s.Established
		switch s.Role {
		case "transit":
			transit = s.Neighbor
		case "anycast:dns":
			dns = s.Neighbor
		}
	}
	if !transit.IsValid() || !dns.IsValid() {
		t.Fatalf("sessions: %+v", r.Sessions)
	}
	dc := pfx("10.200.0.0/16")
	obs := func(r2HasRoute bool) *Observation {
		o := &Observation{Source: "FRR", Converged: true, Established: est,
			Received:   map[string]map[netip.Addr][]netip.Prefix{"r3": {dns: {pfx("129.134.30.0/23")}}},
			Advertised: []Advertisement{{Device: "r3", Neighbor: transit, Prefix: pfx("129.134.30.0/23"), ASPath: []uint32{0, 65100}}},
			FIB: map[string][]FIBRoute{
				"r1": {{Prefix: dc, Originates: true, Protocol: "static"}},
				"r3": {{Prefix: pfx("0.0.0.0/0"), Protocol: "bgp", NextHops: []netip.Addr{transit}},
					{Prefix: dc, Protocol: "bgp", NextHops: []netip.Addr{addr("192.0.2.2")}},
					{Prefix: pfx("129.134.30.0/23"), Protocol: "bgp", NextHops: []netip.Addr{dns}}},
			}}
		if r2HasRoute {
			o.FIB["r2"] = []FIBRoute{{Prefix: dc, Protocol: "bgp", NextHops: []netip.Addr{addr("192.0.2.0")}}}
		} else {
			o.FIB["r2"] = []FIBRoute{{Prefix: pfx("0.0.0.0/0"), Protocol: "bgp", NextHops: []netip.Addr{addr("192.0.2.3")}}}
		}
		return o
	}
	x := r.Observe(obs(true))
	if a := x.Anycast[0]; !a.Announcing || !slices.Equal(a.HealthPath, []string{"r3", "r2", "r1"}) {
		t.Fatalf("observed site should announce via r3 r2 r1: %+v", a)
	}
	adv := x.Advertised()
	if len(adv) != 1 || adv[0].Role != "transit" || adv[0].PeerAS != 64600 || adv[0].Site != r.Net.Device("r3").Site {
		t.Fatalf("observed advertisements: %+v", adv)
	}

	x = r.Observe(obs(false))
	a := x.Anycast[0]
	if a.Healthy || a.Announcing || !strings.Contains(a.Reason, "forwarding from r3 to 10.200.0.0 loops") {
		t.Fatalf("r2 sends the DC prefix back to r3: a loop, the site must be unhealthy: %+v", a)
	}
	o := obs(true)
	o.FIB["r3"] = o.FIB["r3"][:1]
	if a := r.Observe(o).Anycast[0]; a.Healthy || !strings.Contains(a.Reason, "r3 forwards 10.200.0.0 to") ||
		!strings.Contains(a.Reason, "leaves the network") {
		t.Fatalf("r3 sends the DC prefix to transit: %+v", a)
	}
	if !r.Anycast[0].Announcing {
		t.Fatal("Observe changed the simulation it was called on")
	}

	o = obs(true)
	o.Received = nil
	o.Established = map[string]map[netip.Addr]bool{}
	x = r.Observe(o)
	if a := x.Anycast[0]; a.Announcing || a.SessionUp || !strings.Contains(a.Reason, "down in FRR") {
		t.Fatalf("announcer session down in the observation: %+v", a)
	}
	for _, s := range x.Sessions {
		if s.Established {
			t.Errorf("session %s established although the observation has none", s.Key())
		}
	}
}

// AdvertisedPrefix is Advertised filtered to one prefix, simulated or observed.
func TestAdvertisedPrefixMatchesAdvertised(t *testing.T) {
	_, n := anycastNet(t)
	r := Run(n)
	for _, p := range []netip.Prefix{pfx("129.134.30.0/23"), pfx("10.200.0.0/16"), pfx("192.0.2.99/32")} {
		var want []Advertisement
		for _, a := range r.Advertised() {
			if a.Prefix == p {
				want = append(want, a)
			}
		}
		if d := cmp.Diff(want, r.AdvertisedPrefix(p), cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); d != "" {
			t.Errorf("%s: AdvertisedPrefix differs from Advertised filtered (-want +got):\n%s", p, d)
		}
	}
	if len(r.AdvertisedPrefix(pfx("129.134.30.0/23"))) == 0 {
		t.Fatal("the anycast prefix should be advertised to transit")
	}
}

// A session is checked before aggregates are known: an iBGP neighbour whose
// loopback falls only under a local aggregate must not crash the lookup.
func TestAggregateDoesNotBreakSessionCheck(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r3")
	n := b.Build()
	n.Device("r1").Aggregates = []network.Aggregate{{Prefix: pfx("10.0.0.0/8"), Discard: true}}
	r3 := n.Device("r3")
	for i := range r3.Interfaces {
		r3.Interfaces[i].Enabled = r3.Interfaces[i].Loopback
	}
	r := Run(n)
	if s := session(t, r, "r1", addr("10.0.0.3")); s.Established {
		t.Errorf("r3 is cut off, the session must be down: %+v", s)
	}
}

// A device without a router-id (compile leaves it unset when none is
// configured) still accepts iBGP routes: a zero ORIGINATOR_ID is not its own.
func TestZeroRouterIDAcceptsIBGPRoutes(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Originate("r1", "198.51.100.0/24")
	n := b.Build()
	n.Device("r1").BGP.RouterID = netip.Addr{}
	n.Device("r2").BGP.RouterID = netip.Addr{}
	r := Run(n)
	if p := best(t, r, "r2", "198.51.100.0/24"); p == nil {
		t.Fatal("r2 has no route to r1's prefix")
	}
}

// Each level has its own metric: a level-2 SPF uses the level-2 value.
func TestISISPerLevelMetric(t *testing.T) {
	b := newNet(t)
	b.Router("a", 0, "10.0.0.1")
	b.Router("b", 0, "10.0.0.2")
	b.Router("c", 0, "10.0.0.3")
	b.Link("a", "b", "192.0.2.0", 10)
	b.Link("a", "c", "192.0.2.2", 10)
	b.Link("c", "b", "192.0.2.4", 10)
	n := b.Build()
	for i, ii := range n.Device("a").ISIS.Interfaces {
		if strings.HasSuffix(ii.Interface, "-b") {
			// cheap at level 1 (unused: the routers are level 2), dear at level 2
			n.Device("a").ISIS.Interfaces[i].Metric = [2]uint32{1, 100}
		}
	}
	rt := isisRouteOf(t, Run(n), "a", "10.0.0.2/32")
	if rt == nil || rt.Level != 2 || rt.NextHops[0].Device != "c" || rt.Metric != 30 {
		t.Fatalf("a must route to b via c at level 2 (metric 30), ignoring the level-1 metric: %+v", rt)
	}
}

// RFC 8212 on import too: an eBGP session without an import policy accepts
// nothing, while iBGP without any policy accepts everything.
func TestImplicitImportDefaults(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	b.Router("c", 65002, "10.0.0.3")
	ia, ib := b.Link("a", "b", "192.0.2.0", 0)
	b.Link("b", "c", "192.0.2.2", 10)
	b.Ebgp("a", ia, "b", ib)
	b.Ibgp("b", "c")
	b.Originate("a", "198.51.100.0/24")
	b.Originate("b", "203.0.113.0/24")
	n := b.Build()
	for _, d := range []string{"b", "c"} {
		for i := range n.Device(d).BGP.Neighbors {
			nb := &n.Device(d).BGP.Neighbors[i]
			if nb.IBGP() {
				nb.Import, nb.Export = network.PolicyChain{}, network.PolicyChain{}
			}
		}
	}
	r := Run(n)
	if p := best(t, r, "c", "203.0.113.0/24"); p == nil {
		t.Error("iBGP without policies must accept b's route at c")
	}
	if best(t, r, "b", "198.51.100.0/24") == nil {
		t.Fatal("with its import policy b accepts a's route")
	}
	nbrOf(n, "b", "192.0.2.0").Import = network.PolicyChain{}
	if p := best(t, Run(n), "b", "198.51.100.0/24"); p != nil {
		t.Fatalf("eBGP without import policy must accept nothing: %+v", p)
	}
}

// A route that reaches a statement the simulator cannot interpret is recorded
// as unknown for its prefix (the policy stage refuses to judge it), and the
// statement is not run as if its unknown condition were absent.
func TestUnknownStatementIsRecordedNotGuessed(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	ia, ib := b.Link("a", "b", "192.0.2.0", 0)
	b.Ebgp("a", ia, "b", ib)
	b.Originate("a", "198.51.100.0/24")
	b.Originate("a", "203.0.113.0/24")
	b.PrefixSet("a", "ONLY", network.PrefixRange{Prefix: pfx("198.51.100.0/24"), Min: 24, Max: 24})
	b.Policy("a", "OUT",
		network.Statement{Name: "drop-tagged", Path: "/rp/OUT/10", Conditions: network.Conditions{PrefixSet: "ONLY"},
			Actions: network.Actions{Result: network.ResultReject}, Unknown: []string{"/rp/OUT/10/conditions/match-tag-set/config/tag-set: tag-sets are not simulated"}},
		network.Statement{Name: "rest", Actions: network.Actions{Result: network.ResultAccept}})
	n := b.Build()
	nbrOf(n, "a", "192.0.2.1").Export.Policies = []string{"OUT"}
	r := Run(n)
	u := r.PolicyUnknowns(pfx("198.51.100.0/24"))
	if len(u) != 1 || u[0].Device != "a" || u[0].Statement != "drop-tagged" || len(u[0].Leaves) != 1 {
		t.Fatalf("unknowns for 198.51.100.0/24: %+v", u)
	}
	if got := r.PolicyUnknowns(pfx("203.0.113.0/24")); len(got) != 0 {
		t.Errorf("203.0.113.0/24 never reaches the unknown statement (its prefix-set does not match): %+v", got)
	}
	if got := r.PolicyUnknownsCovering(pfx("198.51.100.128/25")); len(got) != 1 {
		t.Errorf("covering lookup: %+v", got)
	}
	// Not guessed as "reject everything in ONLY": the statement is skipped.
	if best(t, r, "b", "198.51.100.0/24") == nil {
		t.Error("the unknown statement must not decide the route")
	}
}

// route-type, origin-eq, med-eq, local-pref-eq and set-route-origin.
func TestBGPConditionsAndSetOrigin(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	b.Router("c", 65002, "10.0.0.3")
	ia, ib := b.Link("a", "b", "192.0.2.0", 0)
	b.Link("b", "c", "192.0.2.2", 10)
	b.Ebgp("a", ia, "b", ib)
	b.Ibgp("b", "c")
	b.Originate("a", "198.51.100.0/24")
	b.Policy("a", "OUT", network.Statement{Actions: network.Actions{SetOrigin: network.OriginEGP, SetMED: u32(7), Result: network.ResultAccept}})
	// b tags what it learned over eBGP, and only that, with local-pref 300
	// when origin is EGP and MED 7.
	b.Policy("b", "IN", network.Statement{Conditions: network.Conditions{RouteType: network.RouteExternal, OriginEq: network.OriginEGP, MEDEq: u32(7)},
		Actions: network.Actions{SetLocalPref: u32(300), Result: network.ResultAccept}})
	// towards c: internal routes are rejected, external ones get NHS.
	b.Policy("b", "TO-C",
		network.Statement{Conditions: network.Conditions{RouteType: network.RouteInternal}, Actions: network.Actions{Result: network.ResultReject}},
		network.Statement{Conditions: network.Conditions{LocalPrefEq: u32(300)}, Actions: network.Actions{NextHop: &network.NextHopAction{Self: true}, Result: network.ResultAccept}})
	n := b.Build()
	nbrOf(n, "a", "192.0.2.1").Export.Policies = []string{"OUT"}
	nbrOf(n, "b", "192.0.2.0").Import.Policies = []string{"IN"}
	nbrOf(n, "b", "10.0.0.3").Export.Policies = []string{"TO-C"}
	r := Run(n)
	p := best(t, r, "b", "198.51.100.0/24")
	if p == nil || p.Origin != "egp" || p.LocalPref != 300 {
		t.Fatalf("b: %+v", p)
	}
	pc := best(t, r, "c", "198.51.100.0/24")
	if pc == nil || pc.NextHop != "10.0.0.2" {
		t.Fatalf("c should get the external route with next-hop-self: %+v", pc)
	}
	// origin-eq IGP no longer matches: the default (accept) applies, without local-pref 300.
	b.Devs["b"].Policies["IN"].Statements[0].Conditions.OriginEq = network.OriginIGP
	if p := best(t, Run(n), "b", "198.51.100.0/24"); p == nil || p.LocalPref != 100 {
		t.Errorf("origin-eq IGP must not match an EGP route: %+v", p)
	}
}

// TestNextHopResolvedThroughItself pins FRR's next-hop tracking rule: a BGP
// path whose next hop would be resolved through the route for the path's
// own prefix (a loopback redistributed into BGP, reaching the other routers
// with its own address as next hop) is not usable, while a covering prefix
// whose next hop resolves through a longer route is.
func TestNextHopResolvedThroughItself(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Ibgp("r1", "r3")
	b.Ibgp("r2", "r3")
	b.Devs["r1"].TableConnections = append(b.Devs["r1"].TableConnections, network.TableConnection{Src: network.ProtoConnected})
	b.Originate("r1", "10.0.0.0/24")
	// A second connected /32 of r1, redistributed with the same attributes:
	// the simulator propagates such prefixes as one class, so the rule must
	// keep the two apart.
	b.Iface("r1", "lo1", pfx("10.0.0.101/32"), 0)
	r := Run(b.Build())
	if p := best(t, r, "r1", "10.0.0.1/32"); p == nil {
		t.Fatal("r1 should originate its loopback (connected redistribution)")
	}
	for _, dev := range []string{"r2", "r3"} {
		if p := best(t, r, dev, "10.0.0.1/32"); p != nil {
			t.Errorf("%s: 10.0.0.1/32 via 10.0.0.1 resolves only through 10.0.0.1/32 itself: not usable, got %+v", dev, p)
		}
		if p := best(t, r, dev, "10.0.0.101/32"); p == nil || p.NextHop != "10.0.0.1" {
			t.Errorf("%s: 10.0.0.101/32 via 10.0.0.1 resolves through 10.0.0.1/32: usable, got %+v", dev, p)
		}
		if p := best(t, r, dev, "10.0.0.0/24"); p == nil || p.NextHop != "10.0.0.1" {
			t.Errorf("%s: 10.0.0.0/24 via 10.0.0.1 resolves through 10.0.0.1/32 (another prefix): usable, got %+v", dev, p)
		}
	}
}

// An aggregate is inactive in the first fixed-point iteration (its
// contributors are only counted after it) and active from the second. Session
// reachability and next-hop costs looked up in the first iteration must not
// outlive it: where the active aggregate is the longest match for a peer
// address or a BGP next hop, its discard route decides, as in the network
// that exists once the aggregate is up. Each case runs with and without the
// aggregate, so the test fails whichever way the answer is stuck.
func TestAggregateActivatedLaterIsSeenByResolution(t *testing.T) {
	withAggregate := func(n *network.Network, dev, agg, contributor string) {
		d := n.Device(dev)
		d.Aggregates = append(d.Aggregates, network.Aggregate{Prefix: pfx(agg), Discard: true})
		addStatic(n, dev, contributor, network.StaticNextHop{Discard: true})
	}
	t.Run("next hop", func(t *testing.T) {
		build := func() *network.Network {
			b := core(t)
			b.Ibgp("r1", "r2")
			b.External("r1", "203.0.113.0", 64600, "transit", "0.0.0.0/0")
			n := b.Build()
			// r2 reaches the transit's address through a static /24 towards r1.
			addStatic(n, "r2", "203.0.113.0/24", network.StaticNextHop{Addr: addr("10.0.0.1")})
			return n
		}
		if p := best(t, Run(build()), "r2", "0.0.0.0/0"); p == nil || p.NextHop != "203.0.113.2" {
			t.Fatalf("without the aggregate r2 resolves 203.0.113.2 through its static: %+v", p)
		}
		n := build()
		withAggregate(n, "r2", "203.0.113.0/25", "203.0.113.64/26")
		r := Run(n)
		if !r.Converged {
			t.Fatalf("no fixed point: %v", r.Notes)
		}
		if p := best(t, r, "r2", "0.0.0.0/0"); p != nil {
			t.Fatalf("r2's active aggregate 203.0.113.0/25 is the longest match for 203.0.113.2: the path must be unusable, got %+v", p)
		}
	})
	t.Run("session", func(t *testing.T) {
		build := func() *network.Network {
			b := core(t)
			// r3 has an address that IS-IS carries as a /24; r1 peers with it.
			b.Iface("r3", "lo1", pfx("10.50.0.1/24"), 10)
			b.Neighbor("r1", addr("10.50.0.1"), 65000, addr("10.0.0.1"))
			b.Neighbor("r3", addr("10.0.0.1"), 65000, addr("10.50.0.1"))
			return b.Build()
		}
		if s := session(t, Run(build()), "r1", addr("10.50.0.1")); !s.Established {
			t.Fatalf("without the aggregate the session is up: %+v", s)
		}
		n := build()
		withAggregate(n, "r1", "10.50.0.0/25", "10.50.0.64/26")
		r := Run(n)
		if s := session(t, r, "r1", addr("10.50.0.1")); s.Established {
			t.Fatalf("r1's active aggregate 10.50.0.0/25 is the longest match for 10.50.0.1: the session must be down, got %+v", s)
		}
	})
}

// A recursive static is installed by the simulator through a connected subnet
// or IS-IS only. Where the converged table's longest match for its next hop
// is a BGP route, an aggregate or another static, routers differ and the
// simulator refuses it by name; IS-IS, connected and default-only next hops
// are simulated as before.
func TestStaticResolvedOutsideIGPIsRefused(t *testing.T) {
	cases := []struct {
		name, nextHop string
		extra         []network.StaticRoute
		want          string // part of the reason, "" for no refusal
		noDefault     bool   // the transit sends no default
	}{
		{name: "through BGP", nextHop: "198.18.5.5", want: "resolves through a BGP route (198.18.0.0/15)"},
		{name: "through another static", nextHop: "100.70.0.1",
			extra: []network.StaticRoute{{Prefix: pfx("100.70.0.0/24"), NextHops: []network.StaticNextHop{{Addr: addr("10.0.0.3")}}, Path: "/s/100.70.0.0/24"}},
			want:  "resolves through another static route (100.70.0.0/24)"},
		{name: "through IS-IS", nextHop: "10.0.0.3"},
		{name: "connected", nextHop: "192.0.2.1"},
		// IOS resolves through a default, FRR and Junos do not: refused too.
		{name: "BGP default only", nextHop: "8.8.8.8", want: "covered only by a default route (learned over BGP)"},
		{name: "static default only", nextHop: "8.8.8.8",
			extra: []network.StaticRoute{{Prefix: pfx("0.0.0.0/0"), NextHops: []network.StaticNextHop{{Addr: addr("10.0.0.3")}}, Path: "/s/0.0.0.0/0"}},
			want:  "covered only by a default route (a static route)"},
		{name: "no route at all", nextHop: "8.8.8.8", noDefault: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := core(t)
			announced := []string{"198.18.0.0/15", "0.0.0.0/0"}
			if tc.noDefault {
				announced = announced[:1]
			}
			b.External("r1", "203.0.113.0", 64600, "transit", announced...)
			n := b.Build()
			r1 := n.Device("r1")
			r1.Statics = append(r1.Statics, tc.extra...)
			r1.Statics = append(r1.Statics, network.StaticRoute{Prefix: pfx("100.64.0.0/24"),
				NextHops: []network.StaticNextHop{{Addr: addr(tc.nextHop)}}, Path: "/s/100.64.0.0/24"})
			r := Run(n)
			var got []Disagreement
			for _, d := range r.Disagreements {
				if d.Kind == "static-route" {
					got = append(got, d)
				}
			}
			if tc.want == "" {
				if len(got) > 0 {
					t.Fatalf("no refusal expected, got %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Object != "static route 100.64.0.0/24 on r1" ||
				!strings.Contains(got[0].Reason, tc.want) || !slices.Equal(got[0].Leaves, []string{"r1 /s/100.64.0.0/24"}) {
				t.Fatalf("want one refusal of r1's 100.64.0.0/24 saying %q, got %+v", tc.want, got)
			}
		})
	}
}

// A session the simulator leaves down for want of an IGP route is refused by
// name when the converged table reaches the peer over BGP: routers differ on
// bringing a session up over BGP routes, and a session down on both sides
// would hide what the change does to its routes.
func TestSessionOverBGPIsRefused(t *testing.T) {
	build := func(lo1Metric uint32) *network.Network {
		b := core(t)
		// r3's lo1 is in IS-IS only with a metric; r2 learns its /24 from a transit.
		b.Iface("r3", "lo1", pfx("10.60.0.1/24"), lo1Metric)
		b.External("r2", "203.0.113.0", 64600, "transit", "10.60.0.0/24")
		b.Neighbor("r2", addr("10.60.0.1"), 65000, addr("10.0.0.2"))
		b.Neighbor("r3", addr("10.0.0.2"), 65000, addr("10.60.0.1"))
		return b.Build()
	}
	refusals := func(r *Result) []Disagreement {
		var out []Disagreement
		for _, d := range r.Disagreements {
			if d.Unsimulated {
				out = append(out, d)
			}
		}
		return out
	}
	r := Run(build(0))
	if s := session(t, r, "r2", addr("10.60.0.1")); s.Established {
		t.Fatalf("the simulator takes the session as down: %+v", s)
	}
	got := refusals(r)
	if len(got) != 1 || got[0].Kind != "bgp-session" || !strings.Contains(got[0].Reason, "r2 reaches 10.60.0.1 only through the BGP route 10.60.0.0/24") {
		t.Fatalf("want the r2-r3 session refused, got %+v", got)
	}
	r = Run(build(10))
	if s := session(t, r, "r2", addr("10.60.0.1")); !s.Established {
		t.Fatalf("with lo1 in IS-IS the session is up: %+v", s)
	}
	if got := refusals(r); len(got) != 0 {
		t.Fatalf("nothing to refuse when IS-IS reaches the peer: %+v", got)
	}
}
