package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/backstop-net/backstop/internal/sim/simtest"
	"github.com/backstop-net/backstop/models/network"
)

// TestLargePrefixSetsAsLinear runs policies on prefix-sets large enough to be
// indexed (more than linearSetMax entries) and checks every originated prefix
// against the linear definition (PrefixSet.Matches): exported by a's policy
// (ANY) exactly when a's set matches, and accepted by b's import (INVERT)
// exactly when b's set does not. It also checks the prefix classing: the
// prefixes share classes by set membership, so a wrong signature would give
// a class-mate's answer.
func TestLargePrefixSetsAsLinear(t *testing.T) {
	for _, seed := range []uint64{1, 7, 99, 2026} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			randRange := func() network.PrefixRange {
				bits := 16 + r.IntN(13)
				p, _ := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), 0}).Prefix(bits)
				lo := bits + r.IntN(3)
				return network.PrefixRange{Prefix: p, Min: uint8(lo), Max: uint8(min(32, lo+r.IntN(6)))}
			}
			b := simtest.New(t)
			b.Router("a", 65001, "10.255.0.1")
			b.Router("b", 65002, "10.255.0.2")
			ia, ib := b.Link("a", "b", "192.0.2.0", 0)
			b.Ebgp("a", ia, "b", ib)
			var out, in []network.PrefixRange
			for i := 0; i < 60; i++ {
				out, in = append(out, randRange()), append(in, randRange())
			}
			b.PrefixSet("a", "OUT-SET", out...)
			b.PrefixSet("b", "IN-SET", in...)
			if len(out) <= linearSetMax {
				t.Fatal("sets too small to take the indexed path")
			}
			b.Policy("a", "OUT", network.Statement{Conditions: network.Conditions{PrefixSet: "OUT-SET"}, Actions: network.Actions{Result: network.ResultAccept}},
				network.Statement{Actions: network.Actions{Result: network.ResultReject}})
			b.Policy("b", "IN", network.Statement{Conditions: network.Conditions{PrefixSet: "IN-SET", PrefixSetMode: network.MatchInvert}, Actions: network.Actions{Result: network.ResultAccept}},
				network.Statement{Actions: network.Actions{Result: network.ResultReject}})
			var origin []netip.Prefix
			seen := map[netip.Prefix]bool{}
			for len(origin) < 300 {
				var p netip.Prefix
				if r.IntN(2) == 0 { // inside or near a set entry
					e := out[r.IntN(len(out))]
					if r.IntN(2) == 0 {
						e = in[r.IntN(len(in))]
					}
					p, _ = netip.AddrFrom4(e.Prefix.Addr().As4()).Prefix(min(32, e.Prefix.Bits()+r.IntN(8)))
				} else {
					p, _ = netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))}).Prefix(16 + r.IntN(17))
				}
				if !seen[p] {
					seen[p] = true
					origin = append(origin, p)
					b.Originate("a", p.String())
				}
			}
			n := b.Build()
			nbrOf(n, "a", "192.0.2.1").Export.Policies = []string{"OUT"}
			nbrOf(n, "b", "192.0.2.0").Import.Policies = []string{"IN"}
			res := Run(n)
			outSet, inSet := n.Device("a").PrefixSets["OUT-SET"], n.Device("b").PrefixSets["IN-SET"]
			for _, p := range origin {
				want := outSet.Matches(p) && !inSet.Matches(p)
				if got := best(t, res, "b", p.String()) != nil; got != want {
					t.Errorf("%s: b has it %v, want %v (a's set %v, b's set %v)", p, got, want, outSet.Matches(p), inSet.Matches(p))
				}
			}
		})
	}
}
