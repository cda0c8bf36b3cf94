package sim

import (
	"net/netip"
	"testing"

	"github.com/backstop-net/backstop/internal/sim/simtest"
	"github.com/backstop-net/backstop/models/network"
)

type netBuilder = simtest.Builder

func newNet(t *testing.T) *netBuilder { return simtest.New(t) }
func pfx(s string) netip.Prefix       { return simtest.Pfx(s) }
func addr(s string) netip.Addr        { return simtest.Addr(s) }

// addStatic gives dev a static route for prefix through one next hop.
func addStatic(n *network.Network, dev, prefix string, hop network.StaticNextHop) {
	d := n.Device(dev)
	d.Statics = append(d.Statics, network.StaticRoute{Prefix: pfx(prefix), NextHops: []network.StaticNextHop{hop}})
}

// best returns dev's best path for p, or nil.
func best(t *testing.T, r *Result, dev, p string) *PathOut {
	t.Helper()
	for _, rs := range r.Routes(dev) {
		for _, br := range rs.BGP {
			if br.Prefix == p && len(br.Paths) > 0 && br.Paths[0].Best {
				return &br.Paths[0]
			}
		}
	}
	return nil
}

func session(t *testing.T, r *Result, dev string, nbr netip.Addr) Session {
	t.Helper()
	for _, s := range r.Sessions {
		if (s.Device == dev && s.Neighbor == nbr) || (s.Peer == dev && s.LocalAddr == nbr) {
			return s
		}
	}
	t.Fatalf("no session %s → %s", dev, nbr)
	return Session{}
}
