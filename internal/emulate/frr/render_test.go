package frr_test

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/emulate/frr"
	"github.com/backstop-net/backstop/internal/emulate/gen"
	"github.com/backstop-net/backstop/models/network"
)

var update = flag.Bool("update", false, "rewrite the golden FRR configs under testdata/")

func dump(c *frr.Config) string {
	var b strings.Builder
	for _, r := range c.Routers {
		var ds []string
		for d := range r.Files {
			ds = append(ds, d)
		}
		sort.Strings(ds)
		for _, d := range ds {
			fmt.Fprintf(&b, "==== %s %s.conf\n%s", r.Name, d, r.Files[d])
		}
		var ifs []string
		for oc, l := range r.IfMap {
			ifs = append(ifs, oc+" -> "+l)
		}
		sort.Strings(ifs)
		fmt.Fprintf(&b, "==== %s interfaces\n%s\n", r.Name, strings.Join(ifs, "\n"))
	}
	for _, s := range c.Speakers {
		fmt.Fprintf(&b, "==== speaker %s (%s on %s %s, announce %v)\n%s", s.Name, s.Addr, s.Device, s.Iface, s.Announce, s.Files["bgpd"])
	}
	return b.String()
}

// Golden configs for a few generated networks: route reflection, transit and
// anycast policies, aggregates, redistribution, customers in other ASes.
func TestGolden(t *testing.T) {
	for _, seed := range []uint64{5, 6, 8} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c, err := frr.Render(gen.Network(seed), frr.Options{Announcing: map[string]bool{"ntp@s01": false}})
			if err != nil {
				t.Fatal(err)
			}
			got := dump(c)
			file := filepath.Join("testdata", fmt.Sprintf("gen-%d.golden", seed))
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the rendering; rerun with -update and review the diff", file)
			}
		})
	}
}

func TestRefusesCallPolicy(t *testing.T) {
	n := gen.Network(5)
	d := n.Devices[0]
	d.Policies["CALLER"] = &network.Policy{Name: "CALLER", Statements: []network.Statement{{Name: "1",
		Conditions: network.Conditions{CallPolicy: "X"}}}}
	d.BGP.Neighbors[0].Import = network.PolicyChain{Policies: []string{"CALLER"}}
	_, err := frr.Render(n, frr.Options{})
	var fe *frr.Error
	if !errors.As(err, &fe) || fe.Device != d.Name || !strings.Contains(fe.Feature, "call-policy") {
		t.Fatalf("want a refusal naming %s and call-policy, got %v", d.Name, err)
	}
}

func TestRouteMapSemantics(t *testing.T) {
	lp := uint32(200)
	d := &network.Device{Name: "r1", Interfaces: []network.Interface{{Name: "lo0", Loopback: true, Enabled: true,
		Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}}},
		BGP: &network.BGP{AS: 65000, RouterID: netip.MustParseAddr("10.0.0.1"), Neighbors: []network.Neighbor{{
			Address: netip.MustParseAddr("192.0.2.1"), PeerAS: 65001, LocalAS: 65000, Enabled: true, IPv4Unicast: true,
			Import: network.PolicyChain{Policies: []string{"P"}}}}},
		PrefixSets: map[string]*network.PrefixSet{"S": {Name: "S", Entries: []network.PrefixRange{
			{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Min: 16, Max: 24}}}},
		Policies: map[string]*network.Policy{"P": {Name: "P", Statements: []network.Statement{
			{Name: "inv", Conditions: network.Conditions{PrefixSet: "S", PrefixSetMode: network.MatchInvert},
				Actions: network.Actions{SetLocalPref: &lp}},
			{Name: "acc", Conditions: network.Conditions{PrefixSet: "S"}, Actions: network.Actions{Result: network.ResultAccept}}}}}}
	c, err := frr.Render(&network.Network{Devices: []*network.Device{d}}, frr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `ip prefix-list PS-S seq 5 permit 10.0.0.0/8 ge 16 le 24
route-map IN-192.0.2.1 permit 10
 match ip address prefix-list PS-S
 on-match goto 30
route-map IN-192.0.2.1 permit 20
 set local-preference 200
 on-match next
route-map IN-192.0.2.1 permit 30
 match ip address prefix-list PS-S
route-map IN-192.0.2.1 deny 40
`
	if got := c.Routers[0].Files["bgpd"]; !strings.Contains(got, want) {
		t.Errorf("eBGP import chain with an INVERT statement and the implicit RFC 8212 reject:\n%s\nwant it to contain\n%s", got, want)
	}
}

// oneNeighbor is a one-router network with one neighbor (eBGP unless peerAS
// is the router's own AS), for per-neighbor rendering rules.
func oneNeighbor(peerAS uint32, edit func(*network.BGP, *network.Neighbor)) *network.Network {
	d := &network.Device{Name: "r1", Interfaces: []network.Interface{{Name: "lo0", Loopback: true, Enabled: true,
		Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}}},
		BGP: &network.BGP{AS: 65000, RouterID: netip.MustParseAddr("10.0.0.1"), Neighbors: []network.Neighbor{{
			Address: netip.MustParseAddr("192.0.2.1"), PeerAS: peerAS, LocalAS: 65000, Enabled: true, IPv4Unicast: true}}},
		PrefixSets: map[string]*network.PrefixSet{}, Policies: map[string]*network.Policy{}}
	edit(d.BGP, &d.BGP.Neighbors[0])
	return &network.Network{Devices: []*network.Device{d}}
}

// afterConvergence separates the start-up file from Router.Deferred.
const afterConvergence = "--- after convergence\n"

func TestNeighborRendering(t *testing.T) {
	cases := []struct {
		name      string
		peerAS    uint32
		edit      func(*network.BGP, *network.Neighbor)
		want      []string // lines the bgpd config must contain
		absent    []string
		refusedOn string // a refusal naming this feature instead
	}{
		{"eBGP local-as, FRR's default prepend", 65001, func(_ *network.BGP, nb *network.Neighbor) { nb.LocalAS = 65010 },
			[]string{" neighbor 192.0.2.1 remote-as 65001\n neighbor 192.0.2.1 local-as 65010\n"}, []string{"no-prepend", "replace-as"}, ""},
		{"no local-as when it is the global AS", 65001, func(*network.BGP, *network.Neighbor) {},
			nil, []string{"local-as"}, ""},
		{"iBGP local-as refused", 65000, func(_ *network.BGP, nb *network.Neighbor) { nb.LocalAS = 65010 },
			nil, nil, "local-as 65010 on an iBGP session"},
		{"max-prefixes tears down, counting every received prefix", 65001, func(_ *network.BGP, nb *network.Neighbor) { nb.MaxPrefixes = 3 },
			[]string{"  neighbor 192.0.2.1 soft-reconfiguration inbound\n", afterConvergence + "router bgp 65000\naddress-family ipv4 unicast\nneighbor 192.0.2.1 maximum-prefix 3 force\n"},
			[]string{"warning-only", "  neighbor 192.0.2.1 maximum-prefix"}, ""},
		{"prevent-teardown only warns", 65000, func(_ *network.BGP, nb *network.Neighbor) { nb.MaxPrefixes, nb.PreventTeardown = 3, true },
			[]string{afterConvergence + "router bgp 65000\naddress-family ipv4 unicast\nneighbor 192.0.2.1 maximum-prefix 3 warning-only force\n"}, nil, ""},
		{"no limit", 65001, func(*network.BGP, *network.Neighbor) {}, nil, []string{"maximum-prefix"}, ""},
		{"password as a stand-in from its hash", 65001, func(_ *network.BGP, nb *network.Neighbor) { nb.AuthHash = strings.Repeat("ab", 32) },
			[]string{" neighbor 192.0.2.1 password kabababababababababab\n"}, nil, ""},
		{"passive", 65001, func(_ *network.BGP, nb *network.Neighbor) { nb.Passive = true },
			[]string{" neighbor 192.0.2.1 passive\n"}, nil, ""},
		{"no password, not passive", 65001, func(*network.BGP, *network.Neighbor) {}, nil, []string{"password", "passive"}, ""},
		{"another port refused", 65001, func(_ *network.BGP, nb *network.Neighbor) { nb.Port = 1179 }, nil, nil, "port 1179"},
		{"single path and deterministic MED by default", 65001, func(*network.BGP, *network.Neighbor) {},
			[]string{" bgp deterministic-med\n", "  maximum-paths 1\n  maximum-paths ibgp 1\n"}, []string{"multipath-relax"}, ""},
		{"multipath", 65001, func(b *network.BGP, _ *network.Neighbor) {
			b.MaxPathsEBGP, b.MaxPathsIBGP, b.AllowMultipleAS = 4, 2, true
		},
			[]string{" bgp bestpath as-path multipath-relax\n", "  maximum-paths 4\n  maximum-paths ibgp 2\n"}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := frr.Render(oneNeighbor(c.peerAS, c.edit), frr.Options{})
			if c.refusedOn != "" {
				var fe *frr.Error
				if !errors.As(err, &fe) || !strings.Contains(fe.Feature, c.refusedOn) {
					t.Fatalf("want a refusal naming %q, got %v", c.refusedOn, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Routers[0].Files["bgpd"]
			if d := cfg.Routers[0].Deferred; len(d) > 0 {
				got += afterConvergence + strings.Join(d, "\n") + "\n"
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(got, a) {
					t.Errorf("unexpected %q in\n%s", a, got)
				}
			}
		})
	}
}

func TestSetOrigin(t *testing.T) {
	for o, want := range map[network.Origin]string{network.OriginIGP: "igp", network.OriginEGP: "egp", network.OriginIncomplete: "incomplete"} {
		n := oneNeighbor(65001, func(_ *network.BGP, nb *network.Neighbor) { nb.Export = network.PolicyChain{Policies: []string{"P"}} })
		n.Devices[0].Policies["P"] = &network.Policy{Name: "P", Statements: []network.Statement{{Name: "1",
			Actions: network.Actions{SetOrigin: o, Result: network.ResultAccept}}}}
		cfg, err := frr.Render(n, frr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Routers[0].Files["bgpd"]; !strings.Contains(got, "route-map OUT-192.0.2.1 permit 10\n set origin "+want+"\n") {
			t.Errorf("origin %s:\n%s", want, got)
		}
	}
}

// An external speaker pinned to the running network is configured with the
// running end's AS, password and source address, and waits passively when
// our end was active: FRR then refuses a one-sided change as the real peer.
func TestPinnedSpeaker(t *testing.T) {
	n := oneNeighbor(174, func(b *network.BGP, nb *network.Neighbor) {
		nb.LocalAS, nb.AuthHash = 65010, strings.Repeat("cd", 32) // the candidate's end
	})
	n.Devices[0].Interfaces = append(n.Devices[0].Interfaces, network.Interface{Name: "xe-0/0/0", Enabled: true,
		Addresses: []netip.Prefix{netip.MustParsePrefix("192.0.2.2/30")}})
	n.External = []network.ExternalPeer{{Name: "transit", Device: 0, Neighbor: netip.MustParseAddr("192.0.2.1"), ASN: 174,
		Expect: &network.PeerExpect{AS: 65000, AuthHash: strings.Repeat("ab", 32), Source: netip.MustParseAddr("192.0.2.2")}}}
	cfg, err := frr.Render(n, frr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Speakers[0].Files["bgpd"]
	for _, w := range []string{" neighbor 192.0.2.2 remote-as 65000\n", " neighbor 192.0.2.2 password kabababababababababab\n", " neighbor 192.0.2.2 passive\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("speaker config lacks %q:\n%s", w, got)
		}
	}
	if r := cfg.Routers[0].Files["bgpd"]; !strings.Contains(r, "password kcdcdcdcdcdcdcdcdcdcd") || !strings.Contains(r, "local-as 65010") {
		t.Errorf("router keeps its candidate end:\n%s", r)
	}
}

// A staged network starts its withdrawn announcers announcing and withdraws
// them after the limits; an unstaged one renders them withdrawn from the start.
func TestStageWithdrawals(t *testing.T) {
	render := func(s *frr.Speaker) string { return fmt.Sprintf("announce %v", s.Announce) }
	mk := func(deferred []string) *frr.Config {
		p := netip.MustParsePrefix("129.134.30.0/23")
		return &frr.Config{Routers: []frr.Router{{Name: "rr", Deferred: deferred}},
			Speakers: []frr.Speaker{
				{Name: "dns@ams", ASN: 65301, Announces: []netip.Prefix{p}, Announce: false, Files: map[string]string{"bgpd": "announce false"}},
				{Name: "dns@sin", ASN: 65302, Announces: []netip.Prefix{p}, Announce: true, Files: map[string]string{"bgpd": "announce true"}},
			}}
	}
	c := mk([]string{"router bgp 65000", "address-family ipv4 unicast", "neighbor 10.0.0.1 maximum-prefix 2 force"})
	c.StageWithdrawals(render)
	ams, sin := c.Speakers[0], c.Speakers[1]
	if ams.Files["bgpd"] != "announce true" || ams.Announce {
		t.Errorf("withdrawn announcer of a staged network: file %q, Announce %v; want it announcing at start-up and Announce (the final state) false", ams.Files["bgpd"], ams.Announce)
	}
	if want := []string{"router bgp 65301", "address-family ipv4 unicast", "no network 129.134.30.0/23"}; !slices.Equal(ams.Deferred, want) {
		t.Errorf("deferred %q, want %q", ams.Deferred, want)
	}
	if sin.Deferred != nil {
		t.Errorf("an announcing speaker got deferred lines %q", sin.Deferred)
	}
	c = mk(nil)
	c.StageWithdrawals(render)
	if c.Speakers[0].Files["bgpd"] != "announce false" || c.Speakers[0].Deferred != nil {
		t.Errorf("unstaged network: %+v", c.Speakers[0])
	}
}
