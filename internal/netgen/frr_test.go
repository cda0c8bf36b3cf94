package netgen

import (
	"maps"
	"net/netip"
	"strings"
	"testing"
)

// frrRouter is a two-router network whose first router carries the feature
// under test; it returns that router's daemon files.
func frrFiles(t *testing.T, edit func(r *Router)) map[string]string {
	t.Helper()
	a := newRouter(0, "a", "edge", "s0", CoreAS, ip4(10, 0, 0, 1))
	a.ISIS = &ISIS{Area: "49.0001", SystemID: "0000.0000.0001", Levels: Level2}
	a.Interfaces = append(a.Interfaces,
		&Interface{Name: "et-0/0/0", Enabled: true, Addr: pfx("10.1.0.0/31"), ISIS: &ISISInterface{PointToPoint: true, Metric: 30}},
		&Interface{Name: "xe-1/0/0", Enabled: true, Addr: pfx("203.0.113.1/30")})
	a.BGP.Groups = []PeerGroup{{Name: "IBGP", PeerAS: CoreAS, LocalAddr: a.RouterID}}
	a.BGP.Neighbors = []Neighbor{{Addr: ip4(10, 0, 0, 2), Group: "IBGP"},
		{Addr: ip4(203, 0, 113, 2), PeerAS: 174, DefImport: ResultAccept, DefExport: ResultAccept}}
	edit(a)
	top := &Topology{Routers: []*Router{a},
		Transits: []Transit{{Name: "t", Router: "a", Addr: ip4(203, 0, 113, 2), ASN: 174, Announces: []netip.Prefix{pfx("0.0.0.0/0")}}}}
	cfg, err := RenderFRR(top, FRROptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantAS := uint32(CoreAS)
	if l := a.BGP.Neighbors[1].LocalAS; l != 0 {
		wantAS = l // the speaker peers with the AS the session speaks
	}
	if len(cfg.Speakers) != 1 || cfg.Speakers[0].PeerAddr != ip4(203, 0, 113, 1) || cfg.Speakers[0].PeerAS != wantAS {
		t.Fatalf("speaker: %+v", cfg.Speakers)
	}
	files := maps.Clone(cfg.Routers[0].Files)
	if d := cfg.Routers[0].Deferred; len(d) > 0 {
		files["deferred"] = strings.Join(d, "\n") + "\n" // entered after convergence
	}
	return files
}

func TestRenderFRRFeatures(t *testing.T) {
	for _, c := range []struct {
		name   string
		daemon string
		edit   func(r *Router)
		want   []string
		absent []string
	}{
		{"isis", "isisd", func(r *Router) { r.ISIS.Overload = true; r.Interfaces[1].ISIS.HelloAuth = "k1" },
			[]string{" net 49.0001.0000.0000.0001.00\n", " is-type level-2-only\n", " set-overload-bit\n",
				"interface et-0_0_0\n ip router isis CORE\n isis network point-to-point\n isis circuit-type level-2-only\n isis metric level-1 30\n isis metric level-2 30\n",
				" isis password clear k1\n"}, nil},
		{"isis-broadcast-default-metric", "isisd", func(r *Router) { r.Interfaces[1].ISIS = &ISISInterface{} },
			[]string{"interface et-0_0_0\n ip router isis CORE\n isis circuit-type level-2-only\n isis metric level-1 10\n"}, nil},
		{"statics", "staticd", func(r *Router) {
			r.Statics = []Static{{Prefix: pfx("10.200.0.0/16"), Discard: true}, {Prefix: pfx("10.210.1.0/24"), NextHop: ip4(10, 1, 0, 1), Distance: 250}}
		}, []string{"ip route 10.200.0.0/16 blackhole\n", "ip route 10.210.1.0/24 10.1.0.1 250\n"}, nil},
		{"peer-group-inheritance", "bgpd", func(r *Router) {},
			[]string{" neighbor 10.0.0.2 remote-as 65000\n neighbor 10.0.0.2 update-source 10.0.0.1\n",
				// an eBGP neighbor's import map tags what it learns (route-type EXTERNAL on export)
				"route-map IN-203.0.113.2 permit 10\n set tag 6\n on-match next\nroute-map IN-203.0.113.2 permit 20\n"},
			[]string{"route-map IN-10.0.0.2", "route-map OUT-10.0.0.2"}},
		{"rr-cluster-multipath", "bgpd", func(r *Router) {
			r.BGP.Groups[0].RRClient, r.BGP.Groups[0].ClusterID = true, ip4(10, 255, 255, 1)
			r.BGP.Multipath = &Multipath{EBGP: 4, IBGP: 2, AllowMultipleAS: true}
		}, []string{" bgp cluster-id 10.255.255.1\n", " bgp route-reflector allow-outbound-policy\n", " bgp bestpath as-path multipath-relax\n",
			"  maximum-paths 4\n  maximum-paths ibgp 2\n", "  neighbor 10.0.0.2 route-reflector-client\n"}, nil},
		{"local-as-password-max-prefix", "bgpd", func(r *Router) {
			r.BGP.Neighbors[1].LocalAS, r.BGP.Neighbors[1].Password, r.BGP.Neighbors[1].MaxPrefix = 64512, "pw", 3
		}, []string{" neighbor 203.0.113.2 local-as 64512\n", " neighbor 203.0.113.2 password pw\n", "  neighbor 203.0.113.2 soft-reconfiguration inbound\n"}, []string{"maximum-prefix"}},
		{"max-prefix-after-convergence", "deferred", func(r *Router) { r.BGP.Neighbors[1].MaxPrefix = 3 },
			[]string{"router bgp 65000\naddress-family ipv4 unicast\nneighbor 203.0.113.2 maximum-prefix 3 force\n"}, nil},
		{"policy-actions", "bgpd", func(r *Router) {
			r.PrefixSets = []PrefixSet{{Name: "P", Entries: []PrefixRange{{Prefix: pfx("10.0.0.0/8"), Min: 16, Max: 24}, exact(pfx("0.0.0.0/0"))}}}
			r.CommunitySets = []CommunitySet{{Name: "C", Members: []string{"65000:1", "65000:9.."}}}
			r.ASPathSets = []ASPathSet{{Name: "A", Members: []string{"_174$"}}}
			r.Policies = []Policy{{Name: "IN", Statements: []Statement{
				{Name: "1", PrefixSet: "P", PrefixMode: MatchInvert, Result: ResultReject},
				{Name: "2", ASPathSet: "A", LocalPref: u32(90), MED: u32(5), Origin: "EGP"},
				{Name: "3", Community: &CommunityAction{Method: CommunityRemove, SetRef: "C"}, Prepend: &Prepend{ASN: 64999, Repeat: 2}},
				{Name: "4", CommunitySet: "C", Community: &CommunityAction{Method: CommunityReplace, Values: []string{"65000:7"}}, Result: ResultAccept}}}}
			r.BGP.Neighbors[1].Import = []string{"IN"}
			r.BGP.Neighbors[1].DefImport = ResultReject
		}, []string{"ip prefix-list PS-P seq 5 permit 10.0.0.0/8 ge 16 le 24\n", "ip prefix-list PS-P seq 10 permit 0.0.0.0/0\n",
			"bgp as-path access-list AP-A seq 5 permit _174$\n",
			"bgp community-list expanded CD-IN-3 seq 10 permit (^| )(65000:9[0-9][0-9])( |$)\n",
			// INVERT: a skip entry past the reject
			"route-map IN-203.0.113.2 permit 20\n match ip address prefix-list PS-P\n on-match goto 40\nroute-map IN-203.0.113.2 deny 30\n",
			" match as-path AP-A\n set local-preference 90\n set metric 5\n set origin egp\n on-match next\n",
			" set as-path prepend 64999 64999\n set comm-list CD-IN-3 delete\n on-match next\n",
			" match community CS-C\n set community 65000:7\n",
			"route-map IN-203.0.113.2 deny 70\n!\n"}, nil},
		{"route-type-and-protocol-on-export", "bgpd", func(r *Router) {
			r.Redistribute = []Redistribution{{From: "STATIC"}}
			r.Policies = []Policy{{Name: "OUT", Statements: []Statement{
				{Name: "ext", RouteType: "EXTERNAL", NextHopSelf: true, Result: ResultAccept},
				{Name: "int", RouteType: "INTERNAL", MED: u32(20)},
				{Name: "static", Protocol: "STATIC", NextHop: ip4(10, 0, 0, 1), Result: ResultAccept}}}}
			r.BGP.Groups[0].Export = []string{"OUT"}
		}, []string{"route-map OUT-10.0.0.2 permit 10\n match tag 6\n set ip next-hop peer-address\n",
			"route-map OUT-10.0.0.2 permit 20\n match tag 2\n on-match goto 50\nroute-map OUT-10.0.0.2 permit 30\n match tag 6\n on-match goto 50\nroute-map OUT-10.0.0.2 permit 40\n set metric 20\n on-match next\n",
			"route-map OUT-10.0.0.2 permit 50\n match tag 2\n set ip next-hop 10.0.0.1\n",
			"route-map TC-STATIC permit 10\n set tag 2\n set metric 0\n on-match next\n", "  redistribute static route-map TC-STATIC\n"}, nil},
		{"route-type-on-import-is-static", "bgpd", func(r *Router) {
			r.Policies = []Policy{{Name: "IN", Statements: []Statement{
				{Name: "int", RouteType: "INTERNAL", LocalPref: u32(1)}, {Name: "ext", RouteType: "EXTERNAL", LocalPref: u32(2)}}}}
			r.BGP.Neighbors[1].Import = []string{"IN"}
		}, []string{" set local-preference 2\n"}, []string{" set local-preference 1\n"}},
		{"aggregate", "bgpd", func(r *Router) {
			r.Aggregates = []netip.Prefix{pfx("157.240.0.0/16")}
			r.Redistribute = []Redistribution{{From: "LOCAL_AGGREGATE"}}
		}, []string{"  aggregate-address 157.240.0.0/16 origin incomplete route-map TC-LOCAL_AGGREGATE\n",
			"route-map TC-LOCAL_AGGREGATE permit 10\n set tag 5\n on-match next\nroute-map TC-LOCAL_AGGREGATE permit 20\n!\n"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := frrFiles(t, c.edit)[c.daemon]
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s lacks\n%s\n--- %s:\n%s", c.daemon, w, c.daemon, text)
				}
			}
			for _, w := range c.absent {
				if strings.Contains(text, w) {
					t.Errorf("%s has %q", c.daemon, w)
				}
			}
		})
	}
}

func TestRenderFRRGenerated(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		top, _ := Generate(Options{Style: Conformance, Seed: seed})
		cfg, err := RenderFRR(top, FRROptions{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(cfg.Routers) != len(top.Routers) {
			t.Fatalf("seed %d: %d routers rendered of %d", seed, len(cfg.Routers), len(top.Routers))
		}
		n := len(top.Transits)
		for _, a := range top.Anycast {
			n += len(a.Sites)
		}
		if len(cfg.Speakers) != n {
			t.Errorf("seed %d: %d speakers, want %d", seed, len(cfg.Speakers), n)
		}
	}
}
