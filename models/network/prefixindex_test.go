package network

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// randPrefix draws prefixes from a small address pool so that random sets
// and random queries overlap often (contain, equal, are contained), over both
// families, IPv4-mapped IPv6 and unmasked forms.
func randPrefix(r *rand.Rand) netip.Prefix {
	var a netip.Addr
	switch r.IntN(6) {
	case 0, 1, 2:
		a = netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(4) * 64), byte(r.IntN(256))})
	case 3:
		var b [16]byte
		b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
		b[4], b[15] = byte(r.IntN(4)), byte(r.IntN(256))
		a = netip.AddrFrom16(b)
	case 4:
		a = netip.AddrFrom16(netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), 0, byte(r.IntN(256))}).As16())
	default:
		a = netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), 0, 0})
	}
	bits := r.IntN(a.BitLen() + 1)
	p := netip.PrefixFrom(a, bits)
	if r.IntN(3) > 0 {
		p = p.Masked()
	}
	return p
}

func randRange(r *rand.Rand) PrefixRange {
	p := randPrefix(r)
	max := p.Addr().BitLen()
	switch r.IntN(4) {
	case 0: // "exact", as compile writes it
		return PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Bits())}
	case 1: // "A..B" from the prefix length
		return PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Bits() + r.IntN(max-p.Bits()+1))}
	default: // any window, including ones below the prefix length and empty ones
		a, b := r.IntN(max+1), r.IntN(max+1)
		if r.IntN(5) > 0 && a > b {
			a, b = b, a
		}
		return PrefixRange{Prefix: p, Min: uint8(a), Max: uint8(b)}
	}
}

// TestRangeIndexMatchesLinear checks the index against PrefixRange.Matches,
// the linear definition, for many random sets and queries on several seeds:
// the set of matching ids must be the same, not just "some match".
func TestRangeIndexMatchesLinear(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 42, 2026} {
		r := rand.New(rand.NewPCG(seed, seed*7919))
		for round := 0; round < 40; round++ {
			var ranges []PrefixRange
			var idx RangeIndex
			n := 1 + r.IntN(300)
			for i := 0; i < n; i++ {
				e := randRange(r)
				ranges = append(ranges, e)
				idx.Add(e, int32(i))
			}
			queries := make([]netip.Prefix, 0, 400)
			for i := 0; i < 300; i++ {
				queries = append(queries, randPrefix(r))
			}
			for i := 0; i < 100; i++ { // entry prefixes themselves and their neighbours
				e := ranges[r.IntN(len(ranges))].Prefix
				queries = append(queries, e, netip.PrefixFrom(e.Addr(), min(e.Bits()+1, e.Addr().BitLen())))
			}
			set := &PrefixSet{Entries: ranges}
			setIdx := set.Index()
			queries = append(queries, netip.Prefix{}, netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"))
			for _, q := range queries {
				var want, got []int32
				for i, e := range ranges {
					if e.Matches(q) {
						want = append(want, int32(i))
					}
				}
				idx.Match(q, func(id int32) bool { got = append(got, id); return true })
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d round %d: %s: index %v, linear %v", seed, round, q, got, want)
				}
				if setIdx.Any(q) != set.Matches(q) {
					t.Fatalf("seed %d round %d: %s: Index().Any != Matches", seed, round, q)
				}
			}
		}
	}
}

// TestRangeIndexSemantics pins the OpenConfig masklength-range cases by hand.
func TestRangeIndexSemantics(t *testing.T) {
	pr := netip.MustParsePrefix
	set := &PrefixSet{Entries: []PrefixRange{
		{Prefix: pr("10.0.0.0/8"), Min: 8, Max: 8},       // exact
		{Prefix: pr("192.168.0.0/16"), Min: 24, Max: 32}, // 24..32
		{Prefix: pr("2001:db8::/32"), Min: 32, Max: 48},  // v6 32..48
		{Prefix: pr("172.16.5.0/16"), Min: 16, Max: 16},  // unmasked entry prefix
		{Prefix: pr("100.64.0.0/10"), Min: 12, Max: 11},  // empty window
		{Prefix: pr("::ffff:0:0/96"), Min: 96, Max: 128}, // IPv4-mapped space
		{Prefix: pr("198.18.0.0/15"), Min: 8, Max: 20},   // window starting below the length
	}}
	idx := set.Index()
	for _, c := range []struct {
		p    string
		want bool
	}{
		{"10.0.0.0/8", true}, {"10.1.0.0/16", false}, {"10.0.0.0/7", false},
		{"192.168.0.0/16", false}, {"192.168.1.0/24", true}, {"192.168.1.1/32", true}, {"192.168.0.0/23", false},
		{"2001:db8::/32", true}, {"2001:db8:1::/48", true}, {"2001:db8::/64", false}, {"2001:db9::/32", false},
		{"172.16.0.0/16", true}, {"172.16.5.0/24", false},
		{"100.64.0.0/12", false},
		{"::ffff:10.0.0.0/104", true}, {"10.0.0.0/8", true},
		{"198.18.0.0/15", true}, {"198.0.0.0/8", false}, {"198.19.0.0/20", true}, {"198.19.0.0/21", false},
		{"0.0.0.0/0", false}, {"::/0", false},
	} {
		p := pr(c.p)
		if got := idx.Any(p); got != c.want || set.Matches(p) != c.want {
			t.Errorf("%s: index %v, linear %v, want %v", c.p, got, set.Matches(p), c.want)
		}
	}
}
