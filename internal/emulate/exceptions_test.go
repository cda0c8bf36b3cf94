package emulate

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/emulate/gen"
	"github.com/backstop-net/backstop/models/network"
)

// documented is each shipped exception's condition, written again from the
// network model alone (not from the predicates' code): a difference an
// exception excuses must satisfy it. The test below feeds every exception
// fabricated differences on every route of many generated networks and
// checks that none is excused outside its condition.
var documented = map[string]func(n *network.Network, c *Context, d Diff) bool{
	"redistributed-gateway-next-hop": func(n *network.Network, c *Context, d Diff) bool {
		nh, _ := netip.ParseAddr(d.FRR.NextHop)
		return slices.ContainsFunc(n.Devices, func(o *network.Device) bool {
			return slices.Contains(redistributedGateways(c, o, d.Prefix), nh)
		})
	},
	"redistributed-gateway-own-address": func(n *network.Network, c *Context, d Diff) bool {
		own := addressesOf(n.Device(d.Device))
		return slices.ContainsFunc(n.Devices, func(o *network.Device) bool {
			return o.Name != d.Device && slices.ContainsFunc(redistributedGateways(c, o, d.Prefix), func(a netip.Addr) bool { return own[a] })
		})
	},
	"redistributed-gateway-own-address-fib": func(n *network.Network, c *Context, d Diff) bool {
		own := addressesOf(n.Device(d.Device))
		return slices.ContainsFunc(n.Devices, func(o *network.Device) bool {
			return o.Name != d.Device && slices.ContainsFunc(redistributedGateways(c, o, d.Prefix), func(a netip.Addr) bool { return own[a] })
		})
	},
	"frr84-nht-self-resolution":     selfResolving,
	"frr84-nht-self-resolution-fib": selfResolving,
	"frr84-nht-self-resolution-ebgp": func(n *network.Network, c *Context, d Diff) bool {
		return selfResolvingElsewhere(n, c, d, []string{d.FRR.NextHop}) && slices.Equal(d.Sim.ASPath, d.FRR.ASPath)
	},
	"frr84-nht-self-resolution-ebgp-fib": func(n *network.Network, c *Context, d Diff) bool {
		return selfResolvingElsewhere(n, c, d, d.FRR.Hops)
	},
	"redistributed-gateway-next-hop-fib": func(n *network.Network, c *Context, d Diff) bool {
		// FRR's next hops lead towards some redistributed route's gateway.
		return slices.ContainsFunc(n.Devices, func(o *network.Device) bool {
			return slices.ContainsFunc(redistributedGateways(c, o, d.Prefix), func(g netip.Addr) bool {
				return slices.Equal(c.igpHops(d.Device, g), d.FRR.Hops)
			})
		})
	},
	"reflected-next-hop-self": func(n *network.Network, c *Context, d Diff) bool {
		p := c.best(d.Device, d.Prefix)
		if p == nil || p.Source != "ibgp" {
			return false
		}
		rr := n.Device(p.FromDevice)
		return rr != nil && slices.ContainsFunc(rr.BGP.Neighbors, func(nb network.Neighbor) bool { return nb.RRClient }) &&
			addressesOf(rr)[netip.MustParseAddr(d.Sim.NextHop)] && d.FRR.NextHop != d.Sim.NextHop
	},
	"frr84-aggregate-not-installed": func(n *network.Network, c *Context, d Diff) bool {
		nh, _ := netip.ParseAddr(d.FRR.NextHop)
		o := aggregateOrigin(n, c, d)
		if p := c.best(d.Device, d.Prefix); o != nil && p.Source == "ebgp" {
			return d.FRR.NextHop == d.Sim.NextHop && slices.Equal(d.FRR.ASPath, d.Sim.ASPath)
		}
		return o != nil && slices.ContainsFunc(n.Devices, func(x *network.Device) bool {
			return x != o && addressesOf(x)[nh] && aggregatesPrefix(x, d.Prefix)
		})
	},
	"frr84-aggregate-not-installed-fib": func(n *network.Network, c *Context, d Diff) bool {
		return aggregateOrigin(n, c, d) != nil && d.FRR.NextHop == "forward"
	},

	"frr84-aggregate-not-installed-export": func(n *network.Network, c *Context, d Diff) bool {
		return aggregateOrigin(n, c, d) != nil && slices.Equal(d.Sim.ASPath, d.FRR.ASPath)
	},
	"frr84-parallel-adjacency-next-hop": func(n *network.Network, c *Context, d Diff) bool {
		links := map[string]int{}
		for _, l := range c.res.Links {
			if l.Up && (l.A == d.Device || l.B == d.Device) {
				links[l.A+" "+l.B]++
			}
		}
		parallel := false
		for _, k := range links {
			parallel = parallel || k >= 2
		}
		return parallel && d.Sim.Metric == d.FRR.Metric
	},
	"frr84-parallel-adjacency-next-hop-fib": func(n *network.Network, c *Context, d Diff) bool {
		links := map[string]int{}
		for _, l := range c.res.Links {
			if l.Up && (l.A == d.Device || l.B == d.Device) {
				links[l.A+" "+l.B]++
			}
		}
		for _, k := range links {
			if k >= 2 {
				return true
			}
		}
		return false
	},
}

// redistributedGateways: the gateways of o's static or IS-IS route for
// prefix when o redistributes that protocol into BGP.
func redistributedGateways(c *Context, o *network.Device, prefix string) []netip.Addr {
	var out []netip.Addr
	for _, tc := range o.TableConnections {
		switch tc.Src {
		case network.ProtoStatic:
			for _, s := range o.Statics {
				for _, h := range s.NextHops {
					if s.Prefix.String() == prefix && h.Addr.IsValid() {
						out = append(out, h.Addr)
					}
				}
			}
		case network.ProtoISIS:
			if r := c.isis[o.Name][prefix]; r != nil {
				for _, h := range r.NextHops {
					out = append(out, netip.MustParseAddr(h.Address))
				}
			}
		}
	}
	return out
}

func addressesOf(d *network.Device) map[netip.Addr]bool {
	out := map[netip.Addr]bool{}
	if d == nil {
		return out
	}
	for _, ifc := range d.Interfaces {
		for _, a := range ifc.Addresses {
			out[a.Addr()] = true
		}
	}
	return out
}

func aggregatesPrefix(d *network.Device, prefix string) bool {
	return slices.ContainsFunc(d.Aggregates, func(a network.Aggregate) bool { return a.Prefix.String() == prefix })
}

// aggregateOrigin: the aggregator whose local aggregate is the simulated
// best path at d.Device (itself, or the router the path came from), when at
// least one other router aggregates the prefix too.
func aggregateOrigin(n *network.Network, c *Context, d Diff) *network.Device {
	p := c.best(d.Device, d.Prefix)
	if p == nil {
		return nil
	}
	if p.Source == "ebgp" && p.FromDevice != "" && p.FromDevice != d.Device {
		up := d
		up.Device = p.FromDevice
		return aggregateOrigin(n, c, up)
	}
	var others int
	var origin *network.Device
	for _, x := range n.Devices {
		if !aggregatesPrefix(x, d.Prefix) {
			continue
		}
		others++
		xp := c.best(x.Name, d.Prefix)
		if xp == nil || xp.Protocol != "aggregate" {
			continue
		}
		if (p.Source == "local" && x.Name == d.Device) || (x.BGP != nil && p.OriginatorID == x.BGP.RouterID.String()) ||
			(p.Source == "ibgp" && p.OriginatorID == "" && p.FromDevice == x.Name) {
			origin = x
		}
	}
	if others < 2 {
		return nil
	}
	return origin
}

// fabricated lists differences one route could show: missing on either
// side, another next hop (every address of the network), another next hop
// together with another MED or AS path, other IS-IS or forwarding next hops.
func fabricated(r Route, kind string, addrs []string) []Route {
	var out []Route
	out = append(out, Route{}) // missing in FRR (as the FRR side) / only in FRR (swapped by the caller)
	if kind == "bgp" {
		for _, a := range addrs {
			x := r
			x.NextHop = a
			out = append(out, x)
			y := x
			y.MED++
			out = append(out, y)
			z := x
			z.ASPath = append([]uint32{64999}, x.ASPath...)
			out = append(out, z)
			v := x
			v.Communities = nil
			out = append(out, v)
			w := x
			w.Origin = "incomplete"
			if r.Origin == "incomplete" {
				w.Origin = "igp"
			}
			out = append(out, w)
		}
		return out
	}
	if kind == "export" {
		x := r
		x.Communities = nil
		y := r
		y.Communities = append(slices.Clone(r.Communities), "65000:9999")
		z := r
		z.ASPath = append([]uint32{64999}, r.ASPath...)
		return append(out, x, y, z)
	}
	if kind == "fib" {
		for _, a := range addrs {
			x := r
			x.NextHop, x.Hops = "forward", []string{a}
			out = append(out, x)
		}
		return out
	}
	iface := ""
	if len(r.Hops) > 0 {
		_, iface, _ = strings.Cut(r.Hops[0], "%")
	}
	for _, a := range addrs {
		x := r
		x.Hops = []string{a + "%" + iface}
		out = append(out, x)
		y := x
		y.Metric++
		out = append(out, y)
	}
	return out
}

// No shipped exception excuses a difference outside its condition: run on
// the real exceptions file, over every BGP and IS-IS route of 120 generated
// networks, with every fabricated difference. Each exception must also
// excuse something (a predicate that matches nothing proves nothing).
func TestExceptionsStayInsideTheirConditions(t *testing.T) {
	ex, err := Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ex {
		if documented[e.ID] == nil {
			t.Fatalf("%s: no documented condition in this test", e.ID)
		}
	}
	seeds := uint64(120)
	if testing.Short() {
		seeds = 40
	}
	matched := map[string]int{}
	for seed := uint64(1); seed <= seeds; seed++ {
		n := gen.Network(seed)
		res, cfg, _, err := Simulate(n)
		if err != nil {
			t.Fatal(err)
		}
		c := NewContext(res)
		var addrs []string
		for _, d := range n.Devices {
			for a := range addressesOf(d) {
				addrs = append(addrs, a.String())
			}
		}
		slices.Sort(addrs)
		all := SimRoutes(res, cfg)
		for dev, routes := range all {
			for key, r := range routes {
				if kind, pfx, _ := strings.Cut(key, " "); kind == "bgp" && r.NextHop != "0.0.0.0" {
					if k, hops, ok := res.Forwarding(dev, netip.MustParsePrefix(pfx)); ok {
						routes["fib "+pfx] = fibRoute(k, hops)
					}
				}
			}
		}
		type entry struct {
			dev, kind, pfx, peer string
			r                    Route
		}
		var entries []entry
		for dev, routes := range all {
			for key, r := range routes {
				kind, pfx, _ := strings.Cut(key, " ")
				entries = append(entries, entry{dev, kind, pfx, "", r})
			}
		}
		for _, a := range res.Advertised() {
			entries = append(entries, entry{a.Device, "export", a.Prefix.String(), a.Peer,
				Route{Present: true, ASPath: a.ASPath, Communities: communityStrings(a.Communities)}})
		}
		// Routes only FRR has where the simulation has none: every BGP
		// prefix of the network at every device that lacks it.
		var missing []Diff
		for dev, routes := range all {
			for _, other := range all {
				for key, r := range other {
					if _, ok := routes[key]; ok || !r.Present {
						continue
					}
					if kind, pfx, _ := strings.Cut(key, " "); kind == "bgp" || kind == "fib" {
						missing = append(missing, Diff{Network: "gen", Device: dev, Kind: kind, Prefix: pfx, FRR: r})
					}
				}
			}
		}
		entries = append(entries, entry{}) // the routes only FRR has
		for _, e := range entries {
			dev, kind, pfx, r := e.dev, e.kind, e.pfx, e.r
			fs := fabricated(r, kind, addrs)
			var ds0 []Diff
			for i, f := range fs {
				d := Diff{Network: "gen", Device: dev, Kind: kind, Prefix: pfx, Peer: e.peer, Sim: r, FRR: f}
				if i == 0 && seed%2 == 0 {
					d.Sim, d.FRR = f, r // only in FRR
				}
				ds0 = append(ds0, d)
			}
			if e.dev == "" {
				ds0 = missing
			}
			{
				for _, d := range ds0 {
					ds := []Diff{d}
					Explain(ds, ex, c)
					id := ds[0].Exception
					if id == "" {
						continue
					}
					matched[id]++
					if !documented[id](n, c, ds[0]) {
						t.Errorf("gen/%d: %s excuses a difference outside its condition:\n%s", seed, id, ds[0])
					}
				}
			}
		}
	}
	for _, e := range ex {
		t.Logf("%s: %d fabricated differences excused", e.ID, matched[e.ID])
		if matched[e.ID] == 0 {
			t.Errorf("%s excused no fabricated difference on %d networks: its predicate is never true, so the test shows nothing", e.ID, seeds)
		}
	}
}

// The shape rules hold for the shipped exceptions: attributes outside
// Differs, and the wrong side missing, are never excused, whatever the
// condition says.
func TestExceptionShapes(t *testing.T) {
	ex, err := Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ex {
		base := Route{Present: true, NextHop: "10.0.0.1", ASPath: []uint32{1}, LocalPref: 100, Origin: "igp", Metric: 10, Hops: []string{"10.1.0.1%eth0"}}
		other := base
		other.Communities = []string{"65000:1"} // only an exception that lists communities lets them differ
		d := Diff{Kind: e.Kind, Sim: base, FRR: other}
		if !slices.Contains(e.Differs, "communities") && e.covers(&Context{}, d) {
			t.Errorf("%s excuses a community difference", e.ID)
		}
		if e.Kind == "bgp" {
			if e.covers(&Context{}, Diff{Kind: "isis", Sim: base}) {
				t.Errorf("%s excuses an IS-IS difference", e.ID)
			}
		}
		for _, k := range []string{"session", "export", "anycast"} {
			if k == e.Kind {
				continue
			}
			if e.covers(&Context{}, Diff{Kind: k, Sim: base}) {
				t.Errorf("%s excuses a %s difference", e.ID, k)
			}
		}
	}
}

// Unknown fields (the old network/device/prefix globs) and ids without a
// predicate are refused.
func TestExceptionsFileIsStrict(t *testing.T) {
	for _, bad := range []string{
		"exceptions:\n  - id: reflected-next-hop-self\n    status: frr-difference\n    kind: bgp\n    when: both\n    differs: [next_hop]\n    condition: c\n    reason: r\n    prefixes: [\"*\"]\n",
		"exceptions:\n  - id: made-up\n    status: frr-difference\n    kind: bgp\n    when: sim-only\n    condition: c\n    reason: r\n",
		"exceptions:\n  - id: reflected-next-hop-self\n    status: frr-difference\n    kind: bgp\n    when: both\n    condition: c\n    reason: r\n",
	} {
		if _, err := parseExceptions([]byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}

// selfResolving: the simulation has no route for the prefix at this device,
// and some device that originates it locally owns an address inside it.
func selfResolving(n *network.Network, c *Context, d Diff) bool {
	if d.Sim.Present {
		return false
	}
	q := netip.MustParsePrefix(d.Prefix)
	return slices.ContainsFunc(n.Devices, func(o *network.Device) bool {
		inside := false
		for a := range addressesOf(o) {
			inside = inside || q.Contains(a)
		}
		p := c.best(o.Name, d.Prefix)
		return inside && p != nil && p.Source == "local"
	})
}

// selfResolvingElsewhere: the simulated path here is eBGP, and every one of
// hops belongs to one router of the sender's AS (not the sender) that has no
// simulated route for the prefix while an originator owns an address inside it.
func selfResolvingElsewhere(n *network.Network, c *Context, d Diff, hops []string) bool {
	p := c.best(d.Device, d.Prefix)
	if p == nil || p.Source != "ebgp" || len(hops) == 0 {
		return false
	}
	sender := n.Device(p.FromDevice)
	for _, o := range n.Devices {
		if o == sender || sender == nil || o.BGP == nil || sender.BGP == nil || o.BGP.AS != sender.BGP.AS {
			continue
		}
		own := addressesOf(o)
		all := true
		for _, h := range hops {
			a, err := netip.ParseAddr(h)
			all = all && err == nil && own[a]
		}
		if all && c.best(o.Name, d.Prefix) == nil && selfResolving(n, c, Diff{Device: o.Name, Prefix: d.Prefix}) {
			return true
		}
	}
	return false
}
