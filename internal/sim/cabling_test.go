package sim

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/netgen"
	"github.com/backstop-net/backstop/internal/sim/simtest"
	"github.com/backstop-net/backstop/models/network"
)

// Links are inferred from shared subnets, which says nothing about where the
// cables run. A candidate keeps the running network's cables: an address
// moved to another port takes the link down instead of carrying it along.
func TestCablesPinnedFromRunning(t *testing.T) {
	build := func() *network.Network {
		b := simtest.New(t)
		b.Router("r1", 65000, "10.0.0.1")
		b.Router("r2", 65000, "10.0.0.2")
		b.Link("r1", "r2", "192.0.2.0", 10)
		b.Iface("r1", "et-spare", simtest.Pfx("198.51.100.1/24"), 0) // no link: a port facing nothing
		return b.Build()
	}
	iface := func(n *network.Network, dev, name string) *network.Interface {
		d := n.Device(dev)
		for i := range d.Interfaces {
			if d.Interfaces[i].Name == name {
				return &d.Interfaces[i]
			}
		}
		t.Fatalf("no %s on %s", name, dev)
		return nil
	}
	move := func(n *network.Network, to string) {
		d := n.Device("r1")
		from := iface(n, "r1", "et-1-r2")
		d.Interfaces = append(d.Interfaces, network.Interface{Name: to, Enabled: true, Addresses: from.Addresses})
		iface(n, "r1", "et-1-r2").Addresses = nil
	}
	cases := []struct {
		name   string
		edit   func(n *network.Network)
		up     bool
		reason string // part of the down reason
	}{
		{"unchanged", func(*network.Network) {}, true, ""},
		{"address moved to another port", func(n *network.Network) { move(n, "et-9") }, false, "no known cable between r1 et-9 and r2 et-1-r1"},
		{"address moved to a port that faces nothing", func(n *network.Network) {
			iface(n, "r1", "et-spare").Addresses = iface(n, "r1", "et-1-r2").Addresses
			iface(n, "r1", "et-1-r2").Addresses = nil
		}, false, "no known cable"},
		{"moved, and the inventory lists the new cable", func(n *network.Network) {
			move(n, "et-9")
			n.ExplicitLinks = append(n.ExplicitLinks, network.ExplicitLink{A: n.Device("r1").ID, AIface: "et-9", B: n.Device("r2").ID, BIface: "et-1-r1"})
		}, true, ""},
		{"a subinterface rides its parent's cable", func(n *network.Network) {
			d := n.Device("r1")
			from := iface(n, "r1", "et-1-r2")
			d.Interfaces = append(d.Interfaces, network.Interface{Name: "et-1-r2.100", Parent: "et-1-r2", Subif: 100, Enabled: true, Addresses: from.Addresses})
			from.Addresses = nil
		}, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			running, candidate := build(), build()
			tc.edit(candidate)
			PinCabling(running, candidate)
			res := Run(candidate)
			var links []Link
			for _, l := range res.Links {
				if l.A == "r1" && l.B == "r2" {
					links = append(links, l)
				}
			}
			if len(links) != 1 {
				t.Fatalf("links r1-r2: %+v, want one", links)
			}
			l := links[0]
			if l.Up != tc.up || !strings.Contains(l.Reason, tc.reason) {
				t.Fatalf("link %s up=%v (%q), want up=%v with %q", l.Key(), l.Up, l.Reason, tc.up, tc.reason)
			}
			if l.Cabled() == (tc.reason != "") {
				t.Fatalf("link %s Cabled()=%v, want %v", l.Key(), l.Cabled(), tc.reason == "")
			}
			if !tc.up && len(res.Adjacencies) != 0 {
				t.Fatalf("adjacencies %+v over a link without a cable", res.Adjacencies)
			}
		})
	}
}

// HasBestBGP answers what the policy stage used to read from Routes(device)
// (a best path for exactly p), for every device and prefix of a generated
// network and its drained candidate.
func TestHasBestBGPMatchesRoutes(t *testing.T) {
	run, cand := netgenNets(t, netgen.Options{Routers: 24, Seed: 3}, "drain-site")
	for _, n := range []*network.Network{run, cand} {
		r := Run(n)
		checked := 0
		for _, rs := range r.Routes("") {
			best := map[string]bool{}
			for _, br := range rs.BGP {
				best[br.Prefix] = len(br.Paths) > 0 && br.Paths[0].Best
			}
			for _, p := range r.bgp.prefixes {
				if got := r.HasBestBGP(rs.Device, p); got != best[p.String()] {
					t.Fatalf("%s %s: HasBestBGP %v, Routes says %v", rs.Device, p, got, best[p.String()])
				}
				checked++
			}
		}
		if checked == 0 {
			t.Fatal("nothing compared")
		}
	}
}
