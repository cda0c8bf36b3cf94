package sim

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

// The health walk arrives only where the health prefix is delivered: a
// connected subnet, or a discard route inside the prefix that the device
// originates into BGP. A covering or stray route on the way is not arrival:
// the site would announce while its traffic is dropped (issue: a discard
// static for the DC /16 on a core router, an edge's 0/0 towards a transit).
func TestHealthWalkArrivesOnlyAtTheOrigin(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(b *netBuilder, n *network.Network)
		healthy bool
		reason  string
	}{
		{"the DC originates the prefix", func(*netBuilder, *network.Network) {}, true, ""},
		{"a discard static for the DC prefix on a core router, not originated", func(b *netBuilder, n *network.Network) {
			d := n.Device("r2")
			d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx("10.200.0.0/16"), NextHops: []network.StaticNextHop{{Discard: true}}})
		}, false, "r2 drops traffic to 10.200.0.0: discard static route 10.200.0.0/16"},
		// Floating statics: the preference is the administrative distance.
		{"a floating discard static (preference 250) stays behind iBGP", func(b *netBuilder, n *network.Network) {
			d := n.Device("r2")
			d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx("10.200.0.0/16"), NextHops: []network.StaticNextHop{{Discard: true, Preference: 250}}})
		}, true, ""},
		{"a discard static of preference 150 beats iBGP's 200", func(b *netBuilder, n *network.Network) {
			d := n.Device("r2")
			d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx("10.200.0.0/16"), NextHops: []network.StaticNextHop{{Discard: true, Preference: 150}}})
		}, false, "r2 drops traffic to 10.200.0.0: discard static route 10.200.0.0/16"},
		{"only the next hops of the lowest usable preference are installed", func(b *netBuilder, n *network.Network) {
			d := n.Device("r2")
			d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx("10.200.0.0/16"), NextHops: []network.StaticNextHop{
				{Discard: true, Preference: 5}, {Addr: addr("192.0.2.99"), Preference: 1}}}) // unresolvable: the discard floats in
		}, false, "r2 drops traffic to 10.200.0.0: discard static route 10.200.0.0/16"},
		{"a discard static for a covering prefix on the edge", func(b *netBuilder, n *network.Network) {
			d := n.Device("r3")
			d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx("10.0.0.0/8"), NextHops: []network.StaticNextHop{{Discard: true}}})
			// r3 must lose the /16 for the /8 to be used: drop its session to r1.
			for i := range d.BGP.Neighbors {
				d.BGP.Neighbors[i].Enabled = false
			}
		}, false, "r3 drops traffic to 10.200.0.0"},
		{"the edge's static default towards the transit", func(b *netBuilder, n *network.Network) {
			d := n.Device("r3")
			d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx("0.0.0.0/0"), NextHops: []network.StaticNextHop{{Addr: addr("203.0.113.2")}}})
			for i := range d.BGP.Neighbors {
				if d.BGP.Neighbors[i].PeerAS == 65000 {
					d.BGP.Neighbors[i].Enabled = false
				}
			}
		}, false, "it leaves the network"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, n := anycastNet(t)
			tc.mutate(b, n)
			r := Run(n)
			a := r.Anycast[0]
			if a.Healthy != tc.healthy || (tc.reason != "" && !strings.Contains(a.Reason, tc.reason)) {
				t.Fatalf("healthy=%v reason %q; want healthy=%v with %q (path %v)", a.Healthy, a.Reason, tc.healthy, tc.reason, a.HealthPath)
			}
		})
	}
}

// Every equal-cost branch must arrive: one black-holing branch makes the
// destination unreachable from there (fail closed), and the reason says so.
func TestEveryECMPBranchMustArrive(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65000, "10.0.0.1")
	b.Router("m1", 65000, "10.0.0.2")
	b.Router("m2", 65000, "10.0.0.3")
	b.Router("z", 65000, "10.0.0.4")
	b.Link("a", "m1", "192.0.2.0", 10)
	b.Link("a", "m2", "192.0.2.2", 10)
	b.Link("m1", "z", "192.0.2.4", 10)
	b.Link("m2", "z", "192.0.2.6", 10)
	b.Ibgp("a", "z")
	b.Ibgp("a", "m1")
	b.Ibgp("a", "m2")
	b.Ibgp("z", "m1")
	b.Ibgp("z", "m2")
	b.Originate("z", "10.200.0.0/16")
	n := b.Build()
	target := pfx("10.200.0.0/16")
	if ok, tr, why := Run(n).Reaches("a", target); !ok {
		t.Fatalf("both branches arrive, want reachable: %v %s", tr, why)
	}
	m2 := n.Device("m2")
	m2.Statics = append(m2.Statics, network.StaticRoute{Prefix: pfx("10.200.0.0/16"), NextHops: []network.StaticNextHop{{Discard: true}}})
	ok, _, why := Run(n).Reaches("a", target)
	if ok || !strings.Contains(why, "not every branch arrives") || !strings.Contains(why, "m2 drops traffic") {
		t.Fatalf("one branch black-holes: reachable=%v, why %q", ok, why)
	}
}

// Traffic for a more specific inside a target follows its own route but
// arrives where the target or anything inside it is originated (z's /24 and
// its /16 alike); MoreSpecifics lists the routes strictly inside the target,
// each once. One branch black-holing the /24 is seen only by walking the /24.
func TestDeliversAddrInsideTarget(t *testing.T) {
	b := newNet(t)
	b.Router("a", 65000, "10.0.0.1")
	b.Router("m1", 65000, "10.0.0.2")
	b.Router("m2", 65000, "10.0.0.3")
	b.Router("z", 65000, "10.0.0.4")
	b.Link("a", "m1", "192.0.2.0", 10)
	b.Link("a", "m2", "192.0.2.2", 10)
	b.Link("m1", "z", "192.0.2.4", 10)
	b.Link("m2", "z", "192.0.2.6", 10)
	for _, x := range []string{"a", "m1", "m2"} {
		b.Ibgp(x, "z")
	}
	b.Originate("z", "157.240.0.0/16")
	b.Originate("z", "157.240.1.0/24")
	n := b.Build()
	target, q := pfx("157.240.0.0/16"), pfx("157.240.1.0/24")
	r := Run(n)
	if got := r.MoreSpecifics(target); len(got) != 1 || got[0] != q {
		t.Fatalf("MoreSpecifics(%s) = %v, want [%s]", target, got, q)
	}
	if ok, tr, why := r.DeliversAddr("a", q.Addr(), target, Exit{Local: true}); !ok {
		t.Fatalf("the /24 is delivered at z: %v %s", tr, why)
	}
	m2 := n.Device("m2")
	m2.Statics = append(m2.Statics, network.StaticRoute{Prefix: q, NextHops: []network.StaticNextHop{{Discard: true}}})
	r = Run(n)
	if ok, tr, why := r.Delivers("a", target, Exit{Local: true}); !ok {
		t.Fatalf("the /16's first address is untouched: %v %s", tr, why)
	}
	ok, _, why := r.DeliversAddr("a", q.Addr(), target, Exit{Local: true})
	if ok || !strings.Contains(why, "not every branch arrives") || !strings.Contains(why, "m2 drops traffic to 157.240.1.0") {
		t.Fatalf("one branch black-holes the /24: delivered=%v, why %q", ok, why)
	}
}

// A site counts as announcing only when its edge selects its route: with
// local-pref 0 on the announcer, the edge prefers another site's route, sends
// this site no traffic and announces the other site's route instead.
func TestAnycastSiteMustBeSelected(t *testing.T) {
	build := func(zero bool) *Result {
		b, _ := anycastNet(t)
		b.Announcer("dns", "129.134.30.0/23", "r1", "10.9.1.0", 65100, "10.200.0.0/16")
		b.Policy("r1", "NHS", network.Statement{Name: "10", Actions: network.Actions{NextHop: &network.NextHopAction{Self: true}, Result: network.ResultAccept}})
		b.Nbr("r1", addr("10.0.0.3")).Export.Policies = []string{"NHS"}
		if zero {
			lp := uint32(0)
			b.Policy("r3", "LP0", network.Statement{Name: "10", Actions: network.Actions{SetLocalPref: &lp, Result: network.ResultAccept}})
			b.Nbr("r3", addr("10.9.0.2")).Import.Policies = []string{"LP0"}
		}
		return Run(b.Build())
	}
	site := func(r *Result, dev string) AnycastSite {
		for _, a := range r.Anycast {
			if a.Device == dev {
				return a
			}
		}
		t.Fatalf("no site at %s: %+v", dev, r.Anycast)
		return AnycastSite{}
	}
	if a := site(build(false), "r3"); !a.Announcing {
		t.Fatalf("r3's site should announce: %+v", a)
	}
	a := site(build(true), "r3")
	if a.Announcing || !a.Healthy || !strings.Contains(a.Reason, "r3 prefers another route to 129.134.30.0/23") {
		t.Fatalf("r3's site with local-pref 0: %+v", a)
	}
}
