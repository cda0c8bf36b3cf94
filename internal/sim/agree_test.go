package sim

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

func isisIfc(b *netBuilder, dev, name string) *network.ISISInterface {
	ii := isisIface(b.Devs[dev], name)
	if ii == nil {
		b.T.Fatalf("no IS-IS interface %s on %s", name, dev)
	}
	return ii
}

// disagreements of one kind.
func disagreementsOf(r *Result, kind string) []Disagreement {
	var out []Disagreement
	for _, d := range r.Disagreements {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

func linkOf(t *testing.T, r *Result, a, b string) Link {
	t.Helper()
	for _, l := range r.Links {
		if l.A == a && l.B == b {
			return l
		}
	}
	t.Fatalf("no link %s—%s in %+v", a, b, r.Links)
	return Link{}
}

// checkDisagreement asserts exactly one disagreement of kind on object, whose
// leaves include every want substring.
func checkDisagreement(t *testing.T, r *Result, kind, object string, devices []string, leaves ...string) Disagreement {
	t.Helper()
	ds := disagreementsOf(r, kind)
	if len(ds) != 1 {
		t.Fatalf("%s disagreements = %d, want 1: %+v", kind, len(ds), r.Disagreements)
	}
	d := ds[0]
	if d.Object != object {
		t.Errorf("object = %q, want %q", d.Object, object)
	}
	if strings.Join(d.Devices, ",") != strings.Join(devices, ",") {
		t.Errorf("devices = %v, want %v", d.Devices, devices)
	}
	all := strings.Join(d.Leaves, "\n")
	for _, l := range leaves {
		if !strings.Contains(all, l) {
			t.Errorf("leaves %q do not name %q", d.Leaves, l)
		}
	}
	if d.Reason == "" {
		t.Error("no reason")
	}
	return d
}

// Both ends of a link must agree on addresses, prefix length and MTU; a
// disagreement takes the link down (and its IS-IS adjacency with it) and is
// recorded with the leaves of both ends.
func TestLinkAgreement(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(b *netBuilder, i1, i2 string)
		kind   string   // "" = the link stays up, no disagreement
		leaves []string // substrings of the disagreeing leaves
	}{
		{name: "same MTU", mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).MTU, b.Ifc("r2", i2).MTU = 9192, 9192
		}},
		{name: "MTU mismatch", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).MTU, b.Ifc("r2", i2).MTU = 9192, 1500
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/config/mtu", "r2 /interfaces/interface[name=et-1-r1]/config/mtu"}},
		{name: "MTU on one end only", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r2", i2).MTU = 9000
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/config/mtu"}},
		{name: "same forced speed and duplex", mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).PortSpeed, b.Ifc("r2", i2).PortSpeed = "SPEED_100GB", "SPEED_100GB"
			b.Ifc("r1", i1).Duplex, b.Ifc("r2", i2).Duplex = "FULL", "FULL"
			b.Ifc("r1", i1).AutoNeg, b.Ifc("r2", i2).AutoNeg = "false", "false"
		}},
		{name: "forced speeds differ", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).PortSpeed, b.Ifc("r2", i2).PortSpeed = "SPEED_10GB", "SPEED_100GB"
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/ethernet/config/port-speed", "r2 /interfaces/interface[name=et-1-r1]/ethernet/config/port-speed"}},
		{name: "auto-negotiation on one end, off on the other", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).AutoNeg, b.Ifc("r2", i2).AutoNeg = "true", "false"
		}, leaves: []string{"r2 /interfaces/interface[name=et-1-r1]/ethernet/config/auto-negotiate"}},
		{name: "duplex differs", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).Duplex, b.Ifc("r2", i2).Duplex = "HALF", "FULL"
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/ethernet/config/duplex-mode"}},
		{name: "IPv4 MTU mismatch", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r1", i1).IPv4MTU, b.Ifc("r2", i2).IPv4MTU = 9000, 8000
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/subinterfaces/subinterface[index=0]/ipv4/config/mtu"}},
		{name: "/31 vs /30", kind: KindLink, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r2", i2).Addresses = []netip.Prefix{pfx("192.0.2.1/30")}
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=192.0.2.0]/config/prefix-length",
			"r2 /interfaces/interface[name=et-1-r1]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=192.0.2.1]/config/prefix-length"}},
		{name: "same address on both ends", kind: KindAddress, mutate: func(b *netBuilder, i1, i2 string) {
			b.Ifc("r2", i2).Addresses = []netip.Prefix{pfx("192.0.2.0/31")}
		}, leaves: []string{"r1 /interfaces/interface[name=et-1-r2]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=192.0.2.0]",
			"r2 /interfaces/interface[name=et-1-r1]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=192.0.2.0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newNet(t)
			b.Router("r1", 0, "10.0.0.1")
			b.Router("r2", 0, "10.0.0.2")
			i1, i2 := b.Link("r1", "r2", "192.0.2.0", 10)
			for _, d := range []string{"r1", "r2"} {
				for i := range b.Devs[d].Interfaces {
					b.Devs[d].Interfaces[i].Parent = b.Devs[d].Interfaces[i].Name
				}
			}
			tc.mutate(b, i1, i2)
			r := Run(b.Build())
			l := linkOf(t, r, "r1", "r2")
			reach, _, _ := r.Reaches("r1", netip.PrefixFrom(addr("10.0.0.2"), 32))
			if tc.kind == "" {
				if !l.Up || len(r.Disagreements) != 0 || len(r.Adjacencies) != 1 || !reach {
					t.Fatalf("agreeing ends: link %+v, adjacencies %d, disagreements %+v, reach %v", l, len(r.Adjacencies), r.Disagreements, reach)
				}
				return
			}
			if l.Up || l.Reason == "" {
				t.Errorf("link must be down with a reason: %+v", l)
			}
			if len(r.Adjacencies) != 0 || reach {
				t.Errorf("no IS-IS adjacency and no path over a refused link: %+v, reach %v", r.Adjacencies, reach)
			}
			obj := "link r1 " + i1 + " — r2 " + i2
			if tc.kind == KindAddress {
				obj = "address 192.0.2.0"
			}
			checkDisagreement(t, r, tc.kind, obj, []string{"r1", "r2"}, tc.leaves...)
		})
	}
}

// A speed forced on one end only: whether the link comes up depends on the
// optics, so the link keeps its state and is named as not simulated.
func TestPortSpeedOnOneEndIsNotSimulated(t *testing.T) {
	b := newNet(t)
	b.Router("r1", 0, "10.0.0.1")
	b.Router("r2", 0, "10.0.0.2")
	i1, i2 := b.Link("r1", "r2", "192.0.2.0", 10)
	b.Ifc("r2", i2).PortSpeed = "SPEED_10GB"
	r := Run(b.Build())
	if l := linkOf(t, r, "r1", "r2"); !l.Up {
		t.Errorf("the link must keep its state: %+v", l)
	}
	if len(r.Disagreements) != 1 || !r.Disagreements[0].Unsimulated || r.Disagreements[0].Object != "link r1 "+i1+" — r2 "+i2 ||
		!strings.Contains(r.Disagreements[0].Reason, "SPEED_10GB is set on r2") {
		t.Errorf("want one not-simulated disagreement naming r2's speed, got %+v", r.Disagreements)
	}
}

// The same address on two enabled interfaces anywhere (an RR loopback also
// configured on another router) is recorded; a disabled interface's address
// is not a duplicate.
func TestDuplicateAddressAnywhere(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		b := newNet(t)
		b.Router("r1", 0, "10.0.0.1")
		b.Router("r2", 0, "10.0.0.2")
		b.Router("r3", 0, "10.0.0.3")
		b.Link("r1", "r2", "192.0.2.0", 10)
		b.Link("r2", "r3", "192.0.2.2", 10)
		b.Devs["r3"].Interfaces = append(b.Devs["r3"].Interfaces, network.Interface{Name: "lo1", Parent: "lo1", Enabled: enabled,
			Loopback: true, Addresses: []netip.Prefix{pfx("10.0.0.1/32")}})
		r := Run(b.Build())
		if !enabled {
			if len(r.Disagreements) != 0 {
				t.Errorf("disabled interface: %+v", r.Disagreements)
			}
			continue
		}
		d := checkDisagreement(t, r, KindAddress, "address 10.0.0.1", []string{"r1", "r3"},
			"r1 /interfaces/interface[name=lo0]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=10.0.0.1]",
			"r3 /interfaces/interface[name=lo1]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=10.0.0.1]")
		if !strings.Contains(d.Reason, "r1 lo0 and r3 lo1") {
			t.Errorf("reason = %q", d.Reason)
		}
		for _, l := range r.Links {
			if !l.Up {
				t.Errorf("links not involved stay up: %+v", l)
			}
		}
	}
}

// IS-IS parameters both ends of an adjacency must agree on: a disagreement
// leaves the L3 link up but brings no adjacency at the refused level.
func TestISISAdjacencyAgreement(t *testing.T) {
	auth := func(mode, key string) network.ISISAuth {
		return network.ISISAuth{Enabled: true, Mode: mode, Type: "SIMPLE_KEY", KeyHash: key, Path: "x"}
	}
	for _, tc := range []struct {
		name   string
		mutate func(b *netBuilder, i1, i2 string)
		levels []int    // adjacency levels that come up
		leaves []string // "" leaves: no disagreement expected
		reason string
	}{
		{name: "agree", levels: []int{2}},
		{name: "circuit type", mutate: func(b *netBuilder, i1, i2 string) {
			isisIfc(b, "r2", i2).PointToPoint = false
		}, leaves: []string{"r1 /isis/interfaces/interface[interface-id=et-1-r2]/config/circuit-type"}, reason: "point-to-point on r1"},
		{name: "L1 only vs L2 only", mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r1"].ISIS.Levels = network.Level1
		}, leaves: []string{"r1 /isis/global/config/level-capability", "r2 /isis/global/config/level-capability"}, reason: "r1 is level-1 only and r2 is level-2 only"},
		{name: "L1 same area", levels: []int{1}, mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r1"].ISIS.Levels, b.Devs["r2"].ISIS.Levels = network.Level1, network.Level1
		}},
		{name: "L1 areas differ", mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r1"].ISIS.Levels, b.Devs["r2"].ISIS.Levels = network.Level1, network.Level1
			b.Devs["r2"].ISIS.Areas = []string{"49.0002"}
		}, leaves: []string{"r1 /isis/global/config/net", "r2 /isis/global/config/net"}, reason: "areas differ"},
		{name: "L1L2 areas differ: L2 only", levels: []int{2}, mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r1"].ISIS.Levels, b.Devs["r2"].ISIS.Levels = network.Level12, network.Level12
			b.Devs["r2"].ISIS.Areas = []string{"49.0002"}
		}},
		{name: "L2 needs no common area", levels: []int{2}, mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r2"].ISIS.Areas = []string{"49.0002"}
		}},
		{name: "metric style", mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r1"].ISIS.MetricStyle[1] = "NARROW_METRIC"
			b.Devs["r2"].ISIS.MetricStyle[1] = "WIDE_METRIC"
		}, leaves: []string{"r1 /isis/levels/level[level-number=2]/config/metric-style"}, reason: "narrow on r1 vs wide on r2"},
		{name: "metric style set on one end", mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r2"].ISIS.MetricStyle[1] = "WIDE_METRIC"
		}, leaves: []string{"r2 /isis/levels/level[level-number=2]/config/metric-style"}},
		{name: "same authentication", levels: []int{2}, mutate: func(b *netBuilder, i1, i2 string) {
			isisIfc(b, "r1", i1).Auth, isisIfc(b, "r2", i2).Auth = auth("MD5", "k1"), auth("MD5", "k1")
		}},
		{name: "interface authentication on one end", mutate: func(b *netBuilder, i1, i2 string) {
			isisIfc(b, "r1", i1).Auth = auth("MD5", "k1")
		}, leaves: []string{"r1 /isis/interfaces/interface[interface-id=et-1-r2]/authentication/config"}, reason: "configured on r1 only"},
		{name: "hello authentication keys differ", mutate: func(b *netBuilder, i1, i2 string) {
			isisIfc(b, "r1", i1).HelloAuth[1], isisIfc(b, "r2", i2).HelloAuth[1] = auth("MD5", "k1"), auth("MD5", "k2")
		}, leaves: []string{"r2 /isis/interfaces/interface[interface-id=et-1-r1]/levels/level[level-number=2]/hello-authentication/config"},
			reason: "authentication keys differ"},
		{name: "level authentication modes differ", mutate: func(b *netBuilder, i1, i2 string) {
			b.Devs["r1"].ISIS.LevelAuth[1], b.Devs["r2"].ISIS.LevelAuth[1] = auth("MD5", "k1"), auth("TEXT", "k1")
		}, leaves: []string{"r1 /isis/levels/level[level-number=2]/authentication/config"}, reason: "modes differ (MD5 vs TEXT)"},
		{name: "passive end: nothing to negotiate", mutate: func(b *netBuilder, i1, i2 string) {
			isisIfc(b, "r2", i2).Passive = true
			isisIfc(b, "r2", i2).PointToPoint = false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newNet(t)
			b.Router("r1", 0, "10.0.0.1")
			b.Router("r2", 0, "10.0.0.2")
			i1, i2 := b.Link("r1", "r2", "192.0.2.0", 10)
			for _, d := range []string{"r1", "r2"} {
				b.Devs[d].ISIS.Path = "/isis"
				for i := range b.Devs[d].ISIS.Interfaces {
					ii := &b.Devs[d].ISIS.Interfaces[i]
					ii.Path = "/isis/interfaces/interface[interface-id=" + ii.Interface + "]"
				}
			}
			if tc.mutate != nil {
				tc.mutate(b, i1, i2)
			}
			r := Run(b.Build())
			if l := linkOf(t, r, "r1", "r2"); !l.Up {
				t.Errorf("an IS-IS disagreement leaves the L3 link up: %+v", l)
			}
			var levels []int
			for _, a := range r.Adjacencies {
				levels = append(levels, a.Level)
			}
			if !equalInts(levels, tc.levels) {
				t.Errorf("adjacency levels = %v, want %v", levels, tc.levels)
			}
			if reach, _, _ := r.Reaches("r1", netip.PrefixFrom(addr("10.0.0.2"), 32)); reach != (len(tc.levels) > 0) {
				t.Errorf("r1 reaches r2's loopback = %v", reach)
			}
			if len(tc.leaves) == 0 {
				if len(r.Disagreements) != 0 {
					t.Errorf("unexpected disagreements: %+v", r.Disagreements)
				}
				return
			}
			d := checkDisagreement(t, r, KindISISAdjacency, "isis adjacency r1 "+i1+" — r2 "+i2, []string{"r1", "r2"}, tc.leaves...)
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("reason %q does not say %q", d.Reason, tc.reason)
			}
			for _, secret := range []string{"k1", "k2"} {
				if strings.Contains(d.Reason, secret) || strings.Contains(strings.Join(d.Leaves, " "), secret) {
					t.Errorf("a key (hash) is printed: %+v", d)
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// No NET: IS-IS does not run. Duplicate system IDs: both routers are left
// out of SPF and the disagreement names both.
func TestISISInstanceRules(t *testing.T) {
	t.Run("missing NET", func(t *testing.T) {
		b := newNet(t)
		b.Router("r1", 0, "10.0.0.1")
		b.Router("r2", 0, "10.0.0.2")
		b.Link("r1", "r2", "192.0.2.0", 10)
		b.Devs["r2"].ISIS.SystemID = ""
		b.Devs["r2"].ISIS.Path = "/isis"
		r := Run(b.Build())
		if len(r.Adjacencies) != 0 {
			t.Errorf("adjacencies = %+v", r.Adjacencies)
		}
		checkDisagreement(t, r, KindISISInstance, "isis instance r2", []string{"r2"}, "r2 /isis/global/config/net")
	})
	t.Run("duplicate system ID", func(t *testing.T) {
		b := newNet(t)
		for _, n := range []string{"a", "b", "c"} {
			b.Router(n, 0, map[string]string{"a": "10.0.0.1", "b": "10.0.0.2", "c": "10.0.0.3"}[n])
		}
		b.Link("a", "b", "192.0.2.0", 10)
		b.Link("b", "c", "192.0.2.2", 10)
		b.Link("a", "c", "192.0.2.4", 10)
		b.Devs["c"].ISIS.SystemID = b.Devs["a"].ISIS.SystemID
		r := Run(b.Build())
		for _, a := range r.Adjacencies {
			if a.A == "a" || a.B == "a" || a.A == "c" || a.B == "c" {
				t.Errorf("a router with a duplicate system ID forms an adjacency: %+v", a)
			}
		}
		if reach, _, _ := r.Reaches("b", netip.PrefixFrom(addr("10.0.0.1"), 32)); reach {
			t.Error("b still reaches a through IS-IS")
		}
		d := checkDisagreement(t, r, KindISISInstance, "isis system-id "+b.Devs["a"].ISIS.SystemID, []string{"a", "c"}, "a ", "c ")
		if !strings.Contains(d.Reason, "a and c") {
			t.Errorf("reason = %q", d.Reason)
		}
	})
}

// RFC 5305 §3.7: a link at the maximum wide metric is not used in SPF (a
// drain by metric): traffic takes the other path, and with no other path the
// far end is unreachable; the adjacency itself stays up.
func TestISISMaxMetricExcluded(t *testing.T) {
	for _, alt := range []bool{true, false} {
		b := newNet(t)
		b.Router("a", 0, "10.0.0.1")
		b.Router("b", 0, "10.0.0.2")
		b.Router("c", 0, "10.0.0.3")
		b.Link("a", "b", "192.0.2.0", maxWideMetric)
		if alt {
			b.Link("a", "c", "192.0.2.2", 10)
			b.Link("c", "b", "192.0.2.4", 10)
		}
		r := Run(b.Build())
		rt := isisRouteOf(t, r, "a", "10.0.0.2/32")
		if !alt {
			if rt != nil {
				t.Errorf("b is reachable only over a max-metric link: %+v", rt)
			}
			if len(r.Adjacencies) != 1 {
				t.Errorf("the drained adjacency stays up: %+v", r.Adjacencies)
			}
			continue
		}
		if rt == nil || rt.Metric != 30 || len(rt.NextHops) != 1 || rt.NextHops[0].Device != "c" {
			t.Errorf("a → b must go via c at metric 20 (+10 for the loopback): %+v", rt)
		}
	}
}

// The overload bit: nobody routes through the router, but its own prefixes
// stay reachable and its own routes are unaffected.
func TestISISOverload(t *testing.T) {
	b := newNet(t)
	for i, n := range []string{"a", "b", "c", "d"} {
		b.Router(n, 0, "10.0.0."+string(rune('1'+i)))
	}
	b.Link("a", "b", "192.0.2.0", 10)
	b.Link("b", "c", "192.0.2.2", 10)
	b.Link("a", "d", "192.0.2.4", 50)
	b.Link("d", "c", "192.0.2.6", 50)
	b.Devs["b"].ISIS.Overload = true
	n := b.Build()
	r := Run(n)
	if rt := isisRouteOf(t, r, "a", "10.0.0.3/32"); rt == nil || rt.Metric != 110 || rt.NextHops[0].Device != "d" {
		t.Errorf("a → c must avoid overloaded b: %+v", rt)
	}
	if rt := isisRouteOf(t, r, "a", "10.0.0.2/32"); rt == nil || rt.Metric != 20 {
		t.Errorf("b's own loopback stays reachable: %+v", rt)
	}
	if rt := isisRouteOf(t, r, "b", "10.0.0.3/32"); rt == nil || rt.Metric != 20 {
		t.Errorf("b's own routes are unaffected: %+v", rt)
	}
	// Without the detour, c is unreachable from a.
	n.Device("d").ISIS.Interfaces = n.Device("d").ISIS.Interfaces[:1]
	r = Run(n)
	if rt := isisRouteOf(t, r, "a", "10.0.0.3/32"); rt != nil {
		t.Errorf("a reaches c only through overloaded b: %+v", rt)
	}
}

// Path metrics are summed without wrapping: a path above MAX_PATH_METRIC is
// not used (with 32-bit sums, 0x80000000 + 0x80000000 wrapped to 0).
func TestSPFNoWrap(t *testing.T) {
	for _, tc := range []struct {
		m1, m2 uint32
		reach  bool
	}{
		{0x7F000000, 0x7F000000, true}, // exactly MAX_PATH_METRIC
		{0x7F000000, 0x7F000001, false},
		{0x80000000, 0x80000000, false},
	} {
		adj := [][]isisEdge{
			{{to: 1, metric: tc.m1, h: hop{dev: 1}}},
			{{to: 2, metric: tc.m2, h: hop{dev: 2}}},
			nil,
		}
		tr := dijkstra(adj, 0, nil)
		if got := tr.dist[2] != inf; got != tc.reach {
			t.Errorf("%#x + %#x: reachable = %v (dist %#x), want %v", tc.m1, tc.m2, got, tr.dist[2], tc.reach)
		}
		if tc.reach && uint64(tr.dist[2]) != uint64(tc.m1)+uint64(tc.m2) {
			t.Errorf("dist = %#x", tr.dist[2])
		}
	}
}
