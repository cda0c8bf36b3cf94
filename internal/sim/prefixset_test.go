package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
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

// linearPrefixSets is prepareSets without indexes: the signatures by
// scanning every entry of every distinct set for every prefix, and policy
// evaluation through PrefixSet.Matches alone (the code the indexes
// replaced), for the tests to compare against.
func linearPrefixSets(s *state) {
	s.setIndex = nil
	sets := s.distinctPrefixSets()
	s.psSig = make([]string, len(s.bgp.prefixes))
	buf := make([]byte, (len(sets)+7)/8)
	for pid, p := range s.bgp.prefixes {
		clear(buf)
		for i, ps := range sets {
			if ps.Matches(p) {
				buf[i/8] |= 1 << (i % 8)
			}
		}
		s.psSig[pid] = string(buf)
	}
}

// setsState is the part of a run's state that prefix-set matching reads:
// devices holding the sets, and the BGP prefixes to class.
func setsState(sets [][]*network.PrefixSet, prefixes []netip.Prefix) *state {
	n := &network.Network{}
	for i, ds := range sets {
		d := &network.Device{ID: network.DeviceID(i), Name: fmt.Sprint("r", i), PrefixSets: map[string]*network.PrefixSet{}}
		for _, ps := range ds {
			d.PrefixSets[ps.Name] = ps
		}
		n.Devices = append(n.Devices, d)
	}
	return &state{net: n, bgp: &bgpResult{prefixes: prefixes}}
}

// checkSetsAsLinear compares, for every prefix, the indexed state's
// signatures with the linear ones, and every set's indexed policy match
// (match-set-options ANY and INVERT) with PrefixSet.Matches.
func checkSetsAsLinear(t *testing.T, s *state) {
	t.Helper()
	s.indexPrefixSets()
	lin := &state{net: s.net, bgp: s.bgp}
	linearPrefixSets(lin)
	for pid, p := range s.bgp.prefixes {
		if s.psSig[pid] != lin.psSig[pid] {
			t.Errorf("%s: signature %x, linear %x", p, s.psSig[pid], lin.psSig[pid])
		}
		for _, d := range s.net.Devices {
			ctx := s.policyCtx(d, p)
			for name, ps := range d.PrefixSets {
				want := ps.Matches(p)
				for _, mode := range []network.MatchMode{network.MatchAny, network.MatchInvert} {
					got := matches(ctx, &network.Conditions{PrefixSet: name, PrefixSetMode: mode}, &Path{})
					if got != (want != (mode == network.MatchInvert)) {
						t.Errorf("%s %s mode %d: condition holds %v, linear set match %v", p, name, mode, got, want)
					}
				}
			}
		}
	}
}

// TestPrefixSetCasesAsLinear pins the masklength-range cases by hand, on
// sets small enough to be scanned and large enough to be indexed, and checks
// the indexed classing and policy matching against the linear definition.
func TestPrefixSetCasesAsLinear(t *testing.T) {
	pr := netip.MustParsePrefix
	rng := func(p string, lo, hi uint8) network.PrefixRange {
		return network.PrefixRange{Prefix: pr(p), Min: lo, Max: hi}
	}
	sets := map[string][]network.PrefixRange{
		"EMPTY":         nil,
		"DEFAULT-EXACT": {rng("0.0.0.0/0", 0, 0)},
		"ANY4":          {rng("0.0.0.0/0", 0, 32)},
		"HOST":          {rng("192.0.2.1/32", 32, 32)},
		"GE16-LE24":     {rng("10.0.0.0/8", 16, 24)},
		"GE24":          {rng("10.0.0.0/8", 24, 32)},
		"LE20":          {rng("172.16.0.0/12", 12, 20)},
		"OVERLAP":       {rng("10.0.0.0/8", 8, 8), rng("10.1.0.0/16", 16, 32), rng("10.1.2.0/24", 24, 24), rng("10.1.0.0/16", 16, 32)},
		"BELOW":         {rng("198.18.0.0/15", 8, 20)}, // window starting below the entry's length
		"EMPTY-WINDOW":  {rng("100.64.0.0/10", 12, 11)},
		"UNMASKED":      {rng("172.16.5.0/16", 16, 16)},
		"V6":            {rng("2001:db8::/32", 32, 48), rng("::/0", 0, 0)},
		"MAPPED":        {rng("::ffff:0:0/96", 96, 128)},
	}
	cases := []struct {
		set, prefix string
		want        bool
	}{
		{"EMPTY", "0.0.0.0/0", false}, {"EMPTY", "10.0.0.0/8", false},
		{"DEFAULT-EXACT", "0.0.0.0/0", true}, {"DEFAULT-EXACT", "0.0.0.0/1", false}, {"DEFAULT-EXACT", "::/0", false},
		{"ANY4", "0.0.0.0/0", true}, {"ANY4", "192.0.2.1/32", true}, {"ANY4", "2001:db8::/32", false},
		{"HOST", "192.0.2.1/32", true}, {"HOST", "192.0.2.0/31", false}, {"HOST", "192.0.2.0/32", false},
		{"GE16-LE24", "10.0.0.0/8", false}, {"GE16-LE24", "10.0.0.0/15", false}, {"GE16-LE24", "10.0.0.0/16", true},
		{"GE16-LE24", "10.255.255.0/24", true}, {"GE16-LE24", "10.0.0.0/25", false}, {"GE16-LE24", "11.0.0.0/16", false},
		{"GE24", "10.1.2.0/23", false}, {"GE24", "10.1.2.0/24", true}, {"GE24", "10.1.2.3/32", true},
		{"LE20", "172.16.0.0/12", true}, {"LE20", "172.16.0.0/20", true}, {"LE20", "172.16.0.0/21", false}, {"LE20", "172.0.0.0/11", false},
		{"OVERLAP", "10.0.0.0/8", true}, {"OVERLAP", "10.0.0.0/16", false}, {"OVERLAP", "10.1.0.0/16", true},
		{"OVERLAP", "10.1.2.0/24", true}, {"OVERLAP", "10.1.2.3/32", true}, {"OVERLAP", "10.2.0.0/24", false},
		{"BELOW", "198.18.0.0/15", true}, {"BELOW", "198.19.0.0/20", true}, {"BELOW", "198.19.0.0/21", false}, {"BELOW", "198.0.0.0/8", false},
		{"EMPTY-WINDOW", "100.64.0.0/10", false}, {"EMPTY-WINDOW", "100.64.0.0/12", false},
		{"UNMASKED", "172.16.0.0/16", true}, {"UNMASKED", "172.16.5.0/24", false},
		{"V6", "2001:db8::/32", true}, {"V6", "2001:db8:1::/48", true}, {"V6", "2001:db8::/64", false}, {"V6", "::/0", true}, {"V6", "0.0.0.0/0", false},
		{"MAPPED", "::ffff:10.0.0.0/104", true}, {"MAPPED", "10.0.0.0/8", false},
	}
	var prefixes []netip.Prefix
	seen := map[netip.Prefix]bool{}
	for _, c := range cases {
		if p := pr(c.prefix); !seen[p] {
			seen[p] = true
			prefixes = append(prefixes, p)
		}
	}
	slices.SortFunc(prefixes, func(a, b netip.Prefix) int {
		if prefixLess(a, b) {
			return -1
		}
		return 1
	})
	// Device 0 holds the sets as they are (all small enough to scan);
	// device 1 holds each padded past linearSetMax with entries that match
	// none of the prefixes, so the same questions take the indexed path;
	// device 2 holds the sets again, entries reversed: equal sets on two
	// devices share a signature bit, reordered ones do not.
	var small, padded, reversed []*network.PrefixSet
	for name, entries := range sets {
		small = append(small, &network.PrefixSet{Name: name, Entries: entries})
		pad := slices.Clone(entries)
		for i := 0; len(pad) <= linearSetMax; i++ {
			pad = append(pad, rng(fmt.Sprintf("203.0.113.%d/32", i), 32, 32))
		}
		padded = append(padded, &network.PrefixSet{Name: name, Entries: pad})
		rev := slices.Clone(entries)
		slices.Reverse(rev)
		reversed = append(reversed, &network.PrefixSet{Name: name, Entries: rev})
	}
	s := setsState([][]*network.PrefixSet{small, padded, reversed}, prefixes)
	checkSetsAsLinear(t, s)
	if len(s.setIndex) != len(sets) {
		t.Fatalf("%d sets indexed, want the %d padded ones", len(s.setIndex), len(sets))
	}
	for _, d := range s.net.Devices {
		for _, c := range cases {
			ps := d.PrefixSets[c.set]
			if got := ps.Matches(pr(c.prefix)); got != c.want {
				t.Errorf("%s %s %s: linear match %v, want %v", d.Name, c.set, c.prefix, got, c.want)
			}
			ctx := s.policyCtx(d, pr(c.prefix))
			if got := ctx.prefixSetMatches(ps); got != c.want {
				t.Errorf("%s %s %s: match %v, want %v", d.Name, c.set, c.prefix, got, c.want)
			}
		}
	}
}

// TestRandomPrefixSetsAsLinear checks the indexed classing and policy
// matching against the linear scan on random sets (empty, small and indexed
// ones, overlapping, on several devices, some shared) and random prefixes
// around their entries.
func TestRandomPrefixSetsAsLinear(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 11, 2026} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 17))
			randPrefix := func() netip.Prefix {
				if r.IntN(8) == 0 {
					a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(r.IntN(4)), 15: byte(r.IntN(256))})
					p, _ := a.Prefix(r.IntN(129))
					return p
				}
				a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(4) * 64), byte(r.IntN(256))})
				p, _ := a.Prefix(r.IntN(33))
				return p
			}
			randRange := func() network.PrefixRange {
				p := randPrefix()
				max := p.Addr().BitLen()
				lo := p.Bits()
				if r.IntN(4) == 0 {
					lo = r.IntN(max + 1)
				}
				return network.PrefixRange{Prefix: p, Min: uint8(lo), Max: uint8(min(max, lo+r.IntN(10)))}
			}
			var devs [][]*network.PrefixSet
			var shared *network.PrefixSet
			for d := 0; d < 6; d++ {
				var ds []*network.PrefixSet
				for k := 0; k < 5; k++ {
					ps := &network.PrefixSet{Name: fmt.Sprint("S", k)}
					for range []int{0, 2, 8, 9, 40}[r.IntN(5)] {
						ps.Entries = append(ps.Entries, randRange())
					}
					if k == 0 && shared != nil {
						ps = shared
					}
					shared = ps
					ds = append(ds, ps)
				}
				devs = append(devs, ds)
			}
			seen := map[netip.Prefix]bool{}
			var prefixes []netip.Prefix
			add := func(p netip.Prefix) {
				if p = p.Masked(); !seen[p] {
					seen[p] = true
					prefixes = append(prefixes, p)
				}
			}
			for _, ds := range devs {
				for _, ps := range ds {
					for _, e := range ps.Entries {
						add(e.Prefix)
						add(netip.PrefixFrom(e.Prefix.Addr(), int(e.Min)))
						add(netip.PrefixFrom(e.Prefix.Addr(), min(int(e.Max)+1, e.Prefix.Addr().BitLen())))
					}
				}
			}
			for i := 0; i < 500; i++ {
				add(randPrefix())
			}
			add(netip.MustParsePrefix("0.0.0.0/0"))
			add(netip.MustParsePrefix("::/0"))
			slices.SortFunc(prefixes, func(a, b netip.Prefix) int {
				if prefixLess(a, b) {
					return -1
				}
				return 1
			})
			checkSetsAsLinear(t, setsState(devs, prefixes))
		})
	}
}
