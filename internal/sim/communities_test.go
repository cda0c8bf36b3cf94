package sim

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

// commNet: a (AS 65000) originates a prefix to its iBGP peer b, which has an
// eBGP transit; a's export policy to b tags the route with c.
func commNet(t *testing.T, c network.Community) *Result {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Originate("r1", "198.51.100.0/24")
	b.External("r2", "203.0.113.0", 64600, "transit")
	n := b.Build()
	if c != 0 {
		b.Policy("r1", "TAG", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
			Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{c}}}})
		nbrOf(n, "r1", "10.0.0.2").Export.Policies = []string{"TAG"}
	}
	return Run(n)
}

func TestWellKnownCommunitiesOnExport(t *testing.T) {
	cases := []struct {
		name              string
		c                 network.Community
		atR2, toTransit   bool
		noExport, blackhl bool
	}{
		{"none", 0, true, true, false, false},
		{"NO_EXPORT stays in the AS", CommunityNoExport, true, false, false, false},
		{"NO_EXPORT_SUBCONFED is NO_EXPORT without confederations", CommunityNoExportSubconfed, true, false, false, false},
		{"NO_ADVERTISE goes to no peer", CommunityNoAdvertise, true, false, false, false},
		{"BLACKHOLE is sent but marked", CommunityBlackhole, true, true, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := commNet(t, c.c)
			if got := best(t, r, "r2", "198.51.100.0/24") != nil; got != c.atR2 {
				t.Errorf("r2 has the route: %v, want %v", got, c.atR2)
			}
			adv := r.AdvertisedPrefix(pfx("198.51.100.0/24"))
			if (len(adv) > 0) != c.toTransit {
				t.Fatalf("advertised to the transit: %+v, want %v", adv, c.toTransit)
			}
			if len(adv) > 0 && (adv[0].NoExport != c.noExport || adv[0].Blackhole != c.blackhl) {
				t.Errorf("advertisement flags: %+v", adv[0])
			}
		})
	}
	// r2 itself must not re-advertise a NO_ADVERTISE route over iBGP either.
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Ibgp("r2", "r3")
	b.Originate("r1", "198.51.100.0/24")
	n := b.Build()
	nbrOf(n, "r2", "10.0.0.3").RRClient = true
	nbrOf(n, "r2", "10.0.0.1").RRClient = true
	b.Policy("r1", "TAG", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
		Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{CommunityNoAdvertise}}}})
	nbrOf(n, "r1", "10.0.0.2").Export.Policies = []string{"TAG"}
	if p := best(t, Run(n), "r3", "198.51.100.0/24"); p != nil {
		t.Errorf("a NO_ADVERTISE route must not be reflected: %+v", p)
	}
}

// An external peer drops a path that already carries its AS: prepending the
// transit's own AS withdraws the prefix from it.
func TestExternalPeerLoopDetection(t *testing.T) {
	b := core(t)
	b.Originate("r2", "198.51.100.0/24")
	b.External("r2", "203.0.113.0", 64600, "transit")
	n := b.Build()
	if adv := Run(n).AdvertisedPrefix(pfx("198.51.100.0/24")); len(adv) != 1 {
		t.Fatalf("before: %+v", adv)
	}
	b.Policy("r2", "PRE", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
		Prepend: &network.Prepend{ASN: 64600, Repeat: 1}}})
	nbrOf(n, "r2", "203.0.113.2").Export.Policies = []string{"PRE"}
	r := Run(n)
	if adv := r.AdvertisedPrefix(pfx("198.51.100.0/24")); len(adv) != 0 {
		t.Fatalf("the transit must drop a path with its own AS: %+v", adv)
	}
	if why := r.ExternalDrop("r2", addr("203.0.113.2"), pfx("198.51.100.0/24")); !strings.Contains(why, "its own AS 64600 is in the AS path") {
		t.Errorf("drop reason %q", why)
	}
}

// LOCAL_PREF 0 set by policy stays 0 across iBGP (it is the least preferred
// value, not "unset").
func TestLocalPrefZeroIsAValue(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.External("r1", "203.0.113.0", 64600, "transit", "198.51.100.0/24")
	n := b.Build()
	b.Policy("r1", "LP0", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
		SetLocalPref: u32(0), NextHop: &network.NextHopAction{Self: true}}})
	nbrOf(n, "r1", "10.0.0.2").Export.Policies = []string{"LP0"}
	p := best(t, Run(n), "r2", "198.51.100.0/24")
	if p == nil || p.LocalPref != 0 {
		t.Fatalf("r2's path must keep LOCAL_PREF 0: %+v", p)
	}
}

// A BGP next hop covered only by a default route does not resolve.
func TestNextHopIgnoresDefaultRoute(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.External("r1", "203.0.113.0", 64600, "transit", "198.51.100.0/24")
	n := b.Build()
	addStatic(n, "r2", "0.0.0.0/0", network.StaticNextHop{Addr: addr("192.0.2.0")})
	if p := best(t, Run(n), "r2", "198.51.100.0/24"); p != nil {
		t.Fatalf("next hop 203.0.113.2 must not resolve through r2's default: %+v", p)
	}
}

// local-as: the peer sees local-as then the global AS; routes received on the
// session get local-as prepended (FRR defaults).
func TestLocalASPrependsBoth(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	ia, ib := b.Link("a", "b", "192.0.2.0", 0)
	b.Ebgp("a", ia, "b", ib)
	b.Originate("a", "198.51.100.0/24")
	b.Originate("b", "198.51.101.0/24")
	n := b.Build()
	nbrOf(n, "a", "192.0.2.1").LocalAS = 65100
	nbrOf(n, "b", "192.0.2.0").PeerAS = 65100
	r := Run(n)
	if p := best(t, r, "b", "198.51.100.0/24"); p == nil || len(p.ASPath) != 2 || p.ASPath[0] != 65100 || p.ASPath[1] != 65001 {
		t.Fatalf("b must see 65100 65001: %+v", p)
	}
	if p := best(t, r, "a", "198.51.101.0/24"); p == nil || len(p.ASPath) != 2 || p.ASPath[0] != 65100 || p.ASPath[1] != 65002 {
		t.Fatalf("a must see 65100 65002: %+v", p)
	}
}

// max-prefix below what the simulation says is received tears the session
// down (unless prevent-teardown), for internal and external peers alike.
func TestMaxPrefixTearsDown(t *testing.T) {
	cases := []struct {
		name     string
		max      uint32
		prevent  bool
		wantUp   bool
		internal bool
	}{
		{"external above limit", 2, false, false, false},
		{"external at limit", 3, false, true, false},
		{"external prevent-teardown", 1, true, true, false},
		{"internal above limit", 1, false, false, true},
		{"internal at limit", 2, false, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := core(t)
			b.Ibgp("r1", "r2")
			b.Originate("r1", "198.51.100.0/24")
			b.Originate("r1", "198.51.101.0/24")
			x := b.External("r2", "203.0.113.0", 64600, "transit", "192.0.2.128/25", "198.18.0.0/15", "198.51.102.0/24")
			n := b.Build()
			nb, peer := nbrOf(n, "r2", x.String()), x
			if c.internal {
				nb, peer = nbrOf(n, "r2", "10.0.0.1"), addr("10.0.0.1")
			}
			nb.MaxPrefixes, nb.PreventTeardown = c.max, c.prevent
			r := Run(n)
			s := session(t, r, "r2", peer)
			if s.Established != c.wantUp {
				t.Fatalf("established=%v (%s), want %v", s.Established, s.Reason, c.wantUp)
			}
			// The lab waits on this record before it enters the limit
			// (emulate.Lab.WaitReceived): it must name the receiving end.
			want := (*PrefixLimit)(nil)
			if !c.wantUp {
				want = &PrefixLimit{Device: "r2", Neighbor: peer, Received: 3, Max: c.max}
				if c.internal {
					want.Received = 2
				}
			}
			if (want == nil) != (s.Limit == nil) || want != nil && *want != *s.Limit {
				t.Errorf("Limit = %+v, want %+v", s.Limit, want)
			}
			if !c.wantUp && (len(r.Disagreements) != 1 || !strings.Contains(r.Disagreements[0].Leaves[0], "max-prefixes")) {
				t.Errorf("disagreements: %+v", r.Disagreements)
			}
			if !c.wantUp && c.internal && best(t, r, "r2", "198.51.100.0/24") != nil {
				t.Error("routes of a torn-down session must be gone")
			}
		})
	}
}

// A single-hop eBGP next hop off the shared subnet is unusable, even when the
// receiver's IGP reaches it.
func TestEBGPNextHopMustBeOnSubnet(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65001, "10.0.0.1")
	b.Router("b", 65002, "10.0.0.2")
	ia, ib := b.Link("a", "b", "192.0.2.0", 10)
	b.Ebgp("a", ia, "b", ib)
	b.Originate("a", "198.51.100.0/24")
	n := b.Build()
	if p := best(t, Run(n), "b", "198.51.100.0/24"); p == nil {
		t.Fatal("before: b has no route")
	}
	// a sets its loopback as next hop: b reaches it through IS-IS, but it is
	// not on their shared /31.
	b.Policy("a", "NH", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
		NextHop: &network.NextHopAction{Addr: addr("10.0.0.1")}}})
	nbrOf(n, "a", "192.0.2.1").Export.Policies = []string{"NH"}
	if p := best(t, Run(n), "b", "198.51.100.0/24"); p != nil {
		t.Fatalf("a next hop off the shared subnet must not be usable: %+v", p)
	}
	nbrOf(n, "b", "192.0.2.0").Multihop = true
	if p := best(t, Run(n), "b", "198.51.100.0/24"); p == nil {
		t.Fatal("with ebgp-multihop the next hop resolves through the IGP")
	}
}

// Deterministic MED: the best path does not depend on the order paths arrived
// in (a pairwise scan gives A for one order and C for another here).
func TestDeterministicMED(t *testing.T) {
	mk := func(as uint32, med, igp uint32, rid string) *Path {
		return &Path{LocalPref: 100, ASPath: []uint32{as}, MED: med, HasMED: true, IGPCost: igp,
			PeerRID: addr(rid), FromPeer: addr(rid)}
	}
	a := mk(1, 100, 1, "10.0.0.1")
	b := mk(2, 0, 5, "10.0.0.2")
	c := mk(1, 50, 10, "10.0.0.3")
	perms := [][]*Path{{a, b, c}, {a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}}
	s := &state{}
	for _, perm := range perms {
		r := &nodeRIB{paths: perm, keys: []int32{0, 2, 4}}
		s.selectBest(r)
		if r.best < 0 || r.paths[r.best] != b {
			t.Errorf("order %v: best %+v, want the AS 2 path (C beats A on MED, B beats C on IGP cost)", perm, r.paths[r.best])
		}
	}
}

// Multipath: two eBGP paths equal up to the IGP cost are both installed when
// maximum-paths allows, and both are walked by forwarding; different AS paths
// need allow-multiple-as.
func TestEBGPMultipath(t *testing.T) {
	build := func(maxPaths uint32, allowMultAS bool, asB uint32) *Result {
		b := newNet(t)
		b.Router("a", 65001, "10.0.0.1")
		b.Router("b", 65002, "10.0.0.2")
		b.Router("c", asB, "10.0.0.3")
		ia, ib := b.Link("a", "b", "192.0.2.0", 0)
		ja, jc := b.Link("a", "c", "192.0.2.2", 0)
		b.Ebgp("a", ia, "b", ib)
		b.Ebgp("a", ja, "c", jc)
		b.Originate("b", "198.51.100.0/24")
		b.Originate("c", "198.51.100.0/24")
		n := b.Build()
		n.Device("a").BGP.MaxPathsEBGP, n.Device("a").BGP.AllowMultipleAS = maxPaths, allowMultAS
		return Run(n)
	}
	count := func(r *Result) int {
		k := 0
		for _, rs := range r.Routes("a") {
			for _, br := range rs.BGP {
				for _, p := range br.Paths {
					if br.Prefix == "198.51.100.0/24" && p.Multipath {
						k++
					}
				}
			}
		}
		return k
	}
	if k := count(build(1, false, 65002)); k != 0 {
		t.Errorf("maximum-paths 1: %d multipath paths", k)
	}
	if k := count(build(2, false, 65002)); k != 2 {
		t.Errorf("same AS path, maximum-paths 2: %d multipath paths, want 2", k)
	}
	if k := count(build(2, false, 65003)); k != 0 {
		t.Errorf("different AS paths without allow-multiple-as: %d multipath paths", k)
	}
	if k := count(build(2, true, 65003)); k != 2 {
		t.Errorf("allow-multiple-as: %d multipath paths, want 2", k)
	}
	// The FIB forwards over every path of the set (what conformance compares
	// with FRR's RIB), and over the best one alone without multipath.
	pfx := netip.MustParsePrefix("198.51.100.0/24")
	for _, c := range []struct {
		max  uint32
		want int
	}{{2, 2}, {1, 1}} {
		kind, hops, ok := build(c.max, false, 65002).Forwarding("a", pfx)
		if !ok || kind != "forward" || len(hops) != c.want {
			t.Errorf("maximum-paths %d: Forwarding = %s %v %v, want %d next hops", c.max, kind, hops, ok, c.want)
		}
	}
}

// Announced lists what inventoried routers of another AS receive over eBGP,
// with the receiver's role and AS, alongside the external speakers.
func TestAnnouncedIncludesInventoriedPeers(t *testing.T) {
	b := newNet(t)
	b.Router("edge", 65000, "10.0.0.1").Role = "edge"
	b.Router("t1", 3356, "10.0.0.2").Role = "transit"
	e1, x1 := b.Link("edge", "t1", "192.0.2.0", 0)
	b.Ebgp("edge", e1, "t1", x1)
	b.Originate("edge", "157.240.0.0/16")
	b.Policy("edge", "MARK", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
		Community: &network.CommunityAction{Method: network.CommunityAdd, Communities: []network.Community{CommunityNoExport}}}})
	b.Nbr("edge", b.IfaceAddr("t1", x1)).Export.Policies = []string{"MARK"}
	b.External("edge", "203.0.113.0", 174, "transit")
	r := Run(b.Build())
	got := r.Announced(pfx("157.240.0.0/16"))
	if len(got) != 2 {
		t.Fatalf("announced %+v, want the external speaker and t1", got)
	}
	var inv Advertisement
	for _, a := range got {
		if a.Inventoried {
			inv = a
		}
	}
	if inv.Peer != "t1" || inv.Device != "edge" || inv.Role != "transit" || inv.PeerAS != 3356 ||
		inv.Neighbor != b.IfaceAddr("t1", x1) || !inv.NoExport || len(inv.ASPath) != 1 || inv.ASPath[0] != 65000 {
		t.Errorf("inventoried advertisement %+v", inv)
	}
	if n := len(r.AdvertisedPrefix(pfx("157.240.0.0/16"))); n != 1 {
		t.Errorf("AdvertisedPrefix lists %d, want only the external speaker", n)
	}
}

// An external single-hop speaker (a transit of environment.yaml) applies the
// connected check as well: a next hop that our export policy sets off the
// subnet it shares with us leaves the route unusable there, so it does not
// count as announced; pinned to running, the speaker keeps its subnet.
func TestExternalPeerNextHopMustBeOnSubnet(t *testing.T) {
	build := func(nh string) *network.Network {
		b := core(t)
		b.Originate("r2", "198.51.100.0/24")
		b.External("r2", "203.0.113.0", 64600, "transit")
		n := b.Build()
		if nh != "" {
			b.Policy("r2", "NH", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
				NextHop: &network.NextHopAction{Addr: addr(nh)}}})
			nbrOf(n, "r2", "203.0.113.2").Export.Policies = []string{"NH"}
		}
		return n
	}
	for _, c := range []struct {
		name, nh string
		want     bool
	}{
		{"our own address on the subnet", "", true},
		{"third party on the shared /30", "203.0.113.3", true},
		{"our loopback", "10.0.0.2", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := build(c.nh)
			PinExternalPeers(build(""), n)
			r := Run(n)
			if got := len(r.AdvertisedPrefix(pfx("198.51.100.0/24"))) == 1; got != c.want {
				t.Fatalf("announced to the transit: %v, want %v", got, c.want)
			}
			why := r.ExternalDrop("r2", addr("203.0.113.2"), pfx("198.51.100.0/24"))
			if c.want != (why == "") || !c.want && !strings.Contains(why, "next hop 10.0.0.2 is not on the subnet 203.0.113.0/30 it shares with r2") {
				t.Errorf("drop reason %q", why)
			}
		})
	}
}

// AS-path loop detection runs on iBGP too: a route arriving over iBGP with the
// receiver's own AS in its path is dropped (FRR 8.4, confirmed by scenario
// ibgp-own-as-prepend; Junos without `loops`). Another AS in the path is not a
// loop.
func TestIBGPOwnASInPathIsDropped(t *testing.T) {
	for _, c := range []struct {
		asn      uint32
		wantBest bool
	}{{0, false}, {65000, false}, {64999, true}} {
		b := core(t)
		b.Ibgp("r1", "r2")
		b.Originate("r1", "198.51.100.0/24")
		b.Policy("r1", "PREPEND", network.Statement{Name: "10", Actions: network.Actions{Result: network.ResultAccept,
			Prepend: &network.Prepend{ASN: c.asn, Repeat: 1}}})
		n := b.Build()
		nbrOf(n, "r1", "10.0.0.2").Export.Policies = []string{"PREPEND"}
		if got := best(t, Run(n), "r2", "198.51.100.0/24") != nil; got != c.wantBest {
			t.Errorf("prepend %d on iBGP export: r2 has a route %v, want %v", c.asn, got, c.wantBest)
		}
	}
}
