package frr_test

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
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
