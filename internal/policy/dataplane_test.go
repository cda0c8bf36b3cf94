package policy

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/sim/simtest"
	"github.com/backstop-net/backstop/models/network"
)

// edgeAndDC: an edge r1 with a transit announcing 0/0, and a DC router r2
// that originates 157.240.0.0/16; iBGP between them with next-hop-self on
// the edge. change edits the candidate.
func edgeAndDC(t *testing.T, change func(b *simtest.Builder)) (before, after *sim.Result) {
	build := func(edit bool) *sim.Result {
		b := simtest.New(t)
		b.Router("r1", 65000, "10.0.0.1").Role = "edge"
		b.Router("r2", 65000, "10.0.0.2").Role = "dc"
		b.Link("r1", "r2", "192.0.2.0", 10)
		b.Ibgp("r1", "r2")
		b.External("r1", "203.0.113.0", 3356, "transit", "0.0.0.0/0")
		b.Originate("r2", "157.240.0.0/16")
		b.Policy("r1", "NHS", network.Statement{Name: "10", Actions: network.Actions{NextHop: &network.NextHopAction{Self: true}, Result: network.ResultAccept}})
		b.Nbr("r1", b.Loopback("r2")).Export.Policies = []string{"NHS"}
		if edit {
			change(b)
		}
		return sim.Run(b.Build())
	}
	return build(false), build(true)
}

func discard(b *simtest.Builder, dev, p string) {
	d := b.Devs[dev]
	d.Statics = append(d.Statics, network.StaticRoute{Prefix: simtest.Pfx(p), NextHops: []network.StaticNextHop{{Discard: true}}})
}

// Internet-bound traffic must still leave at a transit from every router:
// a 0/0 discard on the edge strands it while every session stays up.
func TestEgress(t *testing.T) {
	pol := "  - {name: egress, kind: egress, severity: block, from: [\"*\"]}\n"
	cases := []struct {
		name   string
		change func(b *simtest.Builder)
		lost   []string
	}{
		{"unchanged", func(*simtest.Builder) {}, nil},
		{"0/0 discard on the edge", func(b *simtest.Builder) { discard(b, "r1", "0.0.0.0/0") }, []string{"r1", "r2"}},
		{"a floating 0/0 discard waits behind the transit's default", func(b *simtest.Builder) {
			discard(b, "r1", "0.0.0.0/0")
			b.Devs["r1"].Statics[len(b.Devs["r1"].Statics)-1].NextHops[0].Preference = 250
		}, nil},
		{"the default stops reaching the DC", func(b *simtest.Builder) { b.Nbr("r1", b.Loopback("r2")).Enabled = false }, []string{"r2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, after := edgeAndDC(t, tc.change)
			f := mustPolicy(t, pol)
			if err := f.Validate(before); err != nil {
				t.Fatal(err)
			}
			findings, _ := Evaluate(f, Input{Before: before, After: after})
			blocks := blocking(findings, "egress")
			if len(tc.lost) == 0 {
				if len(findings) > 0 {
					t.Fatalf("findings %+v, want none", findings)
				}
				return
			}
			if len(blocks) != 1 || strings.Join(blocks[0].Objects[1:], ",") != strings.Join(tc.lost, ",") {
				t.Fatalf("findings %+v, want one blocking egress finding for %v", findings, tc.lost)
			}
		})
	}
}

// Traffic for a critical prefix entering where it is announced must reach
// an originator: a stray discard for it at the edge keeps the announcement
// and black-holes the traffic.
func TestCriticalPrefixDelivered(t *testing.T) {
	pol := "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_roles: [transit], min_sessions: 1, min_sites: 1}\n"
	before, after := edgeAndDC(t, func(b *simtest.Builder) { discard(b, "r1", "157.240.0.0/16") })
	f := mustPolicy(t, pol)
	if err := f.Validate(before); err != nil {
		t.Fatal(err)
	}
	findings, _ := Evaluate(f, Input{Before: before, After: after})
	blocks := blocking(findings, "cp")
	if len(blocks) != 1 || !strings.Contains(blocks[0].Summary, "stays announced at r1, but traffic for it entering there is dropped") ||
		!strings.Contains(strings.Join(blocks[0].Evidence, " "), "discard static route 157.240.0.0/16") {
		t.Fatalf("findings %+v", findings)
	}
	// The same discard as a floating static (behind iBGP's 200) is harmless.
	before, after = edgeAndDC(t, func(b *simtest.Builder) {
		discard(b, "r1", "157.240.0.0/16")
		b.Devs["r1"].Statics[len(b.Devs["r1"].Statics)-1].NextHops[0].Preference = 250
	})
	if findings, _ := Evaluate(f, Input{Before: before, After: after}); len(findings) != 0 {
		t.Fatalf("floating discard: findings %+v", findings)
	}
}

// Traffic for a critical prefix is also traffic for every more specific
// route inside it, and each must arrive along every equal-cost branch: the
// edge r1 splits traffic for the DC's 157.240.1.0/24 over b1 and b2, and a
// discard for that /24 on b1 alone (not originated) drops half of it while
// the prefix's first address, 157.240.0.0, is still delivered everywhere.
func TestCriticalPrefixMoreSpecificOneBranch(t *testing.T) {
	build := func(change func(b *simtest.Builder)) *sim.Result {
		b := simtest.New(t)
		b.Router("r1", 65000, "10.0.0.1").Role = "edge"
		b.Router("b1", 65000, "10.0.0.11").Role = "backbone"
		b.Router("b2", 65000, "10.0.0.12").Role = "backbone"
		b.Router("r2", 65000, "10.0.0.2").Role = "dc"
		b.Link("r1", "b1", "192.0.2.0", 10)
		b.Link("r1", "b2", "192.0.2.2", 10)
		b.Link("b1", "r2", "192.0.2.4", 10)
		b.Link("b2", "r2", "192.0.2.6", 10)
		for _, x := range []string{"r1", "b1", "b2"} {
			b.Ibgp(x, "r2")
		}
		b.External("r1", "203.0.113.0", 3356, "transit", "0.0.0.0/0")
		b.Originate("r2", "157.240.0.0/16")
		b.Originate("r2", "157.240.1.0/24")
		change(b)
		return sim.Run(b.Build())
	}
	pol := "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_roles: [transit], min_sessions: 1, min_sites: 1}\n"
	f := mustPolicy(t, pol)
	before := build(func(*simtest.Builder) {})
	if err := f.Validate(before); err != nil {
		t.Fatal(err)
	}
	if _, hops, _ := before.Forwarding("r1", simtest.Pfx("157.240.1.0/24")); len(hops) != 2 {
		t.Fatalf("r1 forwards 157.240.1.0/24 over %v, want both b1 and b2", hops)
	}
	after := build(func(b *simtest.Builder) { discard(b, "b1", "157.240.1.0/24") })
	findings, _ := Evaluate(f, Input{Before: before, After: after})
	blocks := blocking(findings, "cp")
	ev := ""
	if len(blocks) == 1 {
		ev = strings.Join(blocks[0].Evidence, " ")
	}
	if len(blocks) != 1 || !strings.Contains(blocks[0].Summary, "stays announced at r1, but traffic for 157.240.1.0/24 inside it") ||
		!strings.Contains(ev, "not every branch arrives") || !strings.Contains(ev, "b1 drops traffic to 157.240.1.0: discard static route 157.240.1.0/24") {
		t.Fatalf("findings %+v", findings)
	}
	// Behind iBGP (preference 250) the same discard is harmless.
	after = build(func(b *simtest.Builder) {
		discard(b, "b1", "157.240.1.0/24")
		b.Devs["b1"].Statics[len(b.Devs["b1"].Statics)-1].NextHops[0].Preference = 250
	})
	if findings, _ := Evaluate(f, Input{Before: before, After: after}); len(findings) != 0 {
		t.Fatalf("floating discard: findings %+v", findings)
	}
}
