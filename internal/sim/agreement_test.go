package sim

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

// Each case breaks one parameter on one end of an otherwise working session:
// the session must be down, and a bgp-session Disagreement must name both
// devices, the leaves, and never the password.
func TestSessionAgreement(t *testing.T) {
	build := func() (*netBuilder, string, string) {
		b := core(t)
		b.Ibgp("r1", "r2")
		b.Router("x", 65001, "10.0.0.9")
		ix, i1 := b.Link("x", "r1", "192.0.2.8", 0)
		b.Ebgp("x", ix, "r1", i1)
		return b, ix, i1
	}
	cases := []struct {
		name       string
		mutate     func(n *network.Network)
		dev, peer  string
		wantReason string
		wantLeaf   string
	}{
		{"local-as the peer does not expect", func(n *network.Network) { nbrOf(n, "x", "192.0.2.9").LocalAS = 65077 },
			"r1", "192.0.2.8", "expects AS 65001 but x speaks AS 65077", "config/local-as"},
		{"local-address the peer does not point at", func(n *network.Network) {
			nbrOf(n, "r1", "10.0.0.2").LocalAddress = addr("192.0.2.0")
			nbrOf(n, "r2", "10.0.0.1").LocalAddress = addr("192.0.2.1")
		}, "r1", "10.0.0.2", "speaks from", "transport/config/local-address"},
		// One explicit local-address the other end does not point at is
		// enough, even though the other direction could still connect.
		{"explicit local-address on one end only, not the peer's neighbor", func(n *network.Network) {
			nbrOf(n, "r1", "10.0.0.2").LocalAddress = addr("192.0.2.0")
		}, "r1", "10.0.0.2", "r1 speaks from 192.0.2.0 (transport/config/local-address) but r2's neighbor for it is 10.0.0.1", "transport/config/local-address"},
		{"iBGP over loopbacks without update-source on either end", func(n *network.Network) {
			nbrOf(n, "r1", "10.0.0.2").LocalAddress = netip.Addr{}
			nbrOf(n, "r2", "10.0.0.1").LocalAddress = netip.Addr{}
		}, "r1", "10.0.0.2", "no update-source", "transport/config/local-address"},
		{"both ends passive", func(n *network.Network) {
			nbrOf(n, "r1", "10.0.0.2").Passive = true
			nbrOf(n, "r2", "10.0.0.1").Passive = true
		}, "r1", "10.0.0.2", "both ends are passive", "transport/config/passive-mode"},
		{"port changed on one end", func(n *network.Network) { nbrOf(n, "r1", "10.0.0.2").Port = 1179 },
			"r1", "10.0.0.2", "TCP port 1179", "config/neighbor-port"},
		{"password on one end only", func(n *network.Network) { nbrOf(n, "r1", "10.0.0.2").AuthHash = "aa" },
			"r1", "10.0.0.2", "authentication password configured on r1 only", "config/auth-password"},
		{"passwords differ", func(n *network.Network) {
			nbrOf(n, "r1", "10.0.0.2").AuthHash = "aa"
			nbrOf(n, "r2", "10.0.0.1").AuthHash = "bb"
		}, "r1", "10.0.0.2", "authentication passwords differ", "config/auth-password"},
		{"IPv4 unicast on one end only", func(n *network.Network) { nbrOf(n, "r2", "10.0.0.1").IPv4Unicast = false },
			"r1", "10.0.0.2", "IPv4 unicast", "IPV4_UNICAST]/config/enabled"},
		{"the same router-id on both iBGP ends", func(n *network.Network) {
			for _, d := range []string{"r1", "r2"} {
				n.Device(d).BGP.RouterID, n.Device(d).BGP.RouterIDPath = addr("10.0.0.1"), "/bgp/global/config/router-id"
			}
		}, "r1", "10.0.0.2", "same router-id 10.0.0.1", "r2 /bgp/global/config/router-id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, _, _ := build()
			n := b.Build()
			r := Run(n)
			if s := session(t, r, c.dev, addr(c.peer)); !s.Established || len(r.Disagreements) != 0 {
				t.Fatalf("before: %+v %+v", s, r.Disagreements)
			}
			c.mutate(n)
			r = Run(n)
			s := session(t, r, c.dev, addr(c.peer))
			if s.Established || !strings.Contains(s.Reason, c.wantReason) {
				t.Errorf("established=%v reason=%q, want down with %q", s.Established, s.Reason, c.wantReason)
			}
			if len(r.Disagreements) != 1 {
				t.Fatalf("disagreements: %+v", r.Disagreements)
			}
			dg := r.Disagreements[0]
			if dg.Kind != "bgp-session" || len(dg.Devices) != 2 || !strings.Contains(strings.Join(dg.Leaves, "\n"), c.wantLeaf) {
				t.Errorf("disagreement: %+v", dg)
			}
			if strings.Contains(dg.Reason, "aa") || strings.Contains(dg.Reason, "bb") {
				t.Errorf("the password digest leaks: %q", dg.Reason)
			}
		})
	}
}

// RFC 6286 makes the BGP Identifier unique within an AS only: eBGP ends may
// share one, and a router-id nobody configured is never compared.
func TestSameRouterIDOutsideIBGPKeepsSessions(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	b.Router("x", 65001, "10.0.0.9")
	ix, i1 := b.Link("x", "r1", "192.0.2.8", 0)
	b.Ebgp("x", ix, "r1", i1)
	n := b.Build()
	for _, d := range []string{"x", "r1"} {
		n.Device(d).BGP.RouterID, n.Device(d).BGP.RouterIDPath = addr("10.0.0.1"), "/bgp/global/config/router-id"
	}
	n.Device("r2").BGP.RouterID, n.Device("r2").BGP.RouterIDPath = addr("10.0.0.1"), "" // derived, not configured
	r := Run(n)
	for _, peer := range []string{"192.0.2.8", "10.0.0.2"} {
		if s := session(t, r, "r1", addr(peer)); !s.Established {
			t.Errorf("r1 - %s: %s", peer, s.Reason)
		}
	}
}

// Update-source on one end is enough: that end opens the connection from the
// loopback the other end expects (FRR brings such a session up).
func TestUpdateSourceOnOneEndSuffices(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	n := b.Build()
	nbrOf(n, "r2", "10.0.0.1").LocalAddress = netip.Addr{}
	r := Run(n)
	if s := session(t, r, "r1", addr("10.0.0.2")); !s.Established || len(r.Disagreements) != 0 {
		t.Fatalf("session should be up: %+v %+v", s, r.Disagreements)
	}
}

// The peer's address renumbered: the object names both configured ends, the
// same as in the running network.
func TestRenumberedPeerAddressIsADisagreement(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r2")
	n := b.Build()
	r2 := n.Device("r2")
	for i := range r2.Interfaces {
		if r2.Interfaces[i].Loopback {
			r2.Interfaces[i].Addresses = []netip.Prefix{pfx("10.0.0.22/32")}
		}
	}
	nbrOf(n, "r2", "10.0.0.1").LocalAddress = addr("10.0.0.22")
	r := Run(n)
	if s := session(t, r, "r1", addr("10.0.0.2")); s.Established {
		t.Fatalf("session should be down: %+v", s)
	}
	if len(r.Disagreements) != 1 || r.Disagreements[0].Object != "bgp session r1 10.0.0.2 — r2 10.0.0.1" {
		t.Fatalf("disagreements: %+v", r.Disagreements)
	}
}

// Next hops and multihop sessions never resolve through a default route.
func TestSessionIgnoresDefaultRoute(t *testing.T) {
	b := core(t)
	b.Ibgp("r1", "r3")
	n := b.Build()
	// r3 loses IS-IS on its links but has a static default towards r2.
	r3 := n.Device("r3")
	r3.ISIS.Interfaces = r3.ISIS.Interfaces[:1]
	r3.Statics = append(r3.Statics, network.StaticRoute{Prefix: pfx("0.0.0.0/0"),
		NextHops: []network.StaticNextHop{{Addr: addr("192.0.2.2")}}})
	r := Run(n)
	if s := session(t, r, "r1", addr("10.0.0.3")); s.Established {
		t.Fatalf("an iBGP session must not ride on a default route: %+v", s)
	}
}

// The peer of an external session is outside the inventory: pinned to what
// our end was in running, a one-sided change of ours takes the session down
// and names our leaf and the peer.
func TestExternalPeerPinnedToRunning(t *testing.T) {
	build := func() (*network.Network, netip.Addr) {
		b := core(t)
		peer := b.External("r1", "203.0.113.0", 3356, "transit", "0.0.0.0/0")
		return b.Build(), peer
	}
	for _, tc := range []struct {
		name   string
		change func(nb *network.Neighbor, d *network.Device)
		want   string // "" : stays up
	}{
		{"unchanged", func(*network.Neighbor, *network.Device) {}, ""},
		{"password added on our end", func(nb *network.Neighbor, _ *network.Device) { nb.AuthHash = "abc" }, "authentication password configured on r1 only"},
		{"local-as changed", func(nb *network.Neighbor, _ *network.Device) { nb.LocalAS = 65010 }, "expects AS 65000 but r1 now speaks AS 65010"},
		{"port changed", func(nb *network.Neighbor, _ *network.Device) { nb.Port = 1179 }, "now connects to TCP port 1179"},
		{"passive", func(nb *network.Neighbor, _ *network.Device) { nb.Passive = true }, "r1 becomes passive"},
		{"source renumbered", func(nb *network.Neighbor, d *network.Device) {
			for i := range d.Interfaces {
				for k, a := range d.Interfaces[i].Addresses {
					if a.Contains(addr("203.0.113.2")) {
						d.Interfaces[i].Addresses[k] = netip.PrefixFrom(addr("203.0.113.3"), a.Bits())
					}
				}
			}
		}, "now speaks from 203.0.113.3, but r1/203.0.113.2's neighbor for it is 203.0.113.1"},
		{"address moved to another port", func(_ *network.Neighbor, d *network.Device) {
			for i := range d.Interfaces {
				if a := d.Interfaces[i].Addresses; len(a) > 0 && a[0].Contains(addr("203.0.113.2")) {
					d.Interfaces = append(d.Interfaces, network.Interface{Name: "et-new", Enabled: true, Addresses: a})
					d.Interfaces[i].Addresses = nil
					return
				}
			}
		}, "cable is on r1 "},
		{"address moved to a subinterface of the same port", func(_ *network.Neighbor, d *network.Device) {
			for i := range d.Interfaces {
				if a := d.Interfaces[i].Addresses; len(a) > 0 && a[0].Contains(addr("203.0.113.2")) {
					d.Interfaces = append(d.Interfaces, network.Interface{Name: d.Interfaces[i].Name + ".7",
						Parent: d.Interfaces[i].Name, Subif: 7, Enabled: true, Addresses: a})
					d.Interfaces[i].Addresses = nil
					return
				}
			}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			running, peer := build()
			cand, _ := build()
			tc.change(nbrOf(cand, "r1", peer.String()), cand.Device("r1"))
			PinExternalPeers(running, cand)
			r := Run(cand)
			s := session(t, r, "r1", peer)
			if tc.want == "" {
				if !s.Established || len(r.Disagreements) != 0 {
					t.Fatalf("session %+v, disagreements %+v", s, r.Disagreements)
				}
				return
			}
			if s.Established || !strings.Contains(s.Reason, tc.want) {
				t.Fatalf("established=%v reason %q, want down with %q", s.Established, s.Reason, tc.want)
			}
			dg := disagreementsOf(r, "bgp-session")
			if len(dg) != 1 || dg[0].Devices[1] != s.Peer || !strings.Contains(strings.Join(dg[0].Leaves, " "), "r1 ") {
				t.Fatalf("disagreement %+v", dg)
			}
		})
	}
}
