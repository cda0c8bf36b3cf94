package network

import (
	"net/netip"
	"slices"
)

// RangeIndex answers "which prefix ranges match this prefix" without scanning
// every range: a prefix-set of a data-centre router holds thousands of entries
// and a network holds thousands of prefixes, so a linear scan per lookup made
// policy evaluation and prefix classing quadratic in network size.
//
// A range matches p only when its prefix contains p, that is when its prefix
// equals p masked to the range's own length (PrefixRange.Matches). So the
// index keys ranges by their masked prefix and a lookup masks p to each
// distinct range length of p's family that is not longer than p: one map
// lookup per distinct length (usually a handful), then the masklength window
// (OpenConfig masklength-range "exact" or "A..B", compiled to Min..Max) is
// checked on the few ranges found. The answers are those of
// PrefixRange.Matches exactly; TestRangeIndexMatchesLinear compares both on
// random sets.
type RangeIndex struct {
	byPrefix     map[netip.Prefix][]indexedRange
	lens4, lens6 []int // distinct range lengths per family, ascending
}

type indexedRange struct {
	min, max uint8
	id       int32
}

// Add indexes r under id (ids need not be distinct: a set indexes all its
// entries under one id). An invalid range prefix matches nothing, as in
// PrefixRange.Matches, and is not indexed.
func (x *RangeIndex) Add(r PrefixRange, id int32) {
	if !r.Prefix.IsValid() || r.Min > r.Max {
		return
	}
	if x.byPrefix == nil {
		x.byPrefix = map[netip.Prefix][]indexedRange{}
	}
	k := r.Prefix.Masked()
	x.byPrefix[k] = append(x.byPrefix[k], indexedRange{min: r.Min, max: r.Max, id: id})
	lens := &x.lens6
	if k.Addr().Is4() {
		lens = &x.lens4
	}
	if i, found := slices.BinarySearch(*lens, k.Bits()); !found {
		*lens = slices.Insert(*lens, i, k.Bits())
	}
}

// Match calls fn with the id of every range that matches p (an id once per
// matching range) until fn returns false.
func (x *RangeIndex) Match(p netip.Prefix, fn func(id int32) bool) {
	a, l := p.Addr(), p.Bits()
	// netip.Prefix.Contains never matches a zoned address; l < 0 is an
	// invalid prefix.
	if l < 0 || a.Zone() != "" || len(x.byPrefix) == 0 {
		return
	}
	lens := x.lens6
	if a.Is4() {
		lens = x.lens4
	}
	for _, n := range lens {
		if n > l {
			break
		}
		k, err := a.Prefix(n)
		if err != nil {
			continue
		}
		for _, r := range x.byPrefix[k] {
			if l >= int(r.min) && l <= int(r.max) && !fn(r.id) {
				return
			}
		}
	}
}

// Any reports whether any indexed range matches p.
func (x *RangeIndex) Any(p netip.Prefix) bool {
	found := false
	x.Match(p, func(int32) bool { found = true; return false })
	return found
}

// Index returns a new index of the set's entries, all under id 0. Building
// it costs more than a scan of a few entries; callers index the large sets
// once and keep using Matches for the rest.
func (s *PrefixSet) Index() *RangeIndex {
	x := &RangeIndex{}
	for _, e := range s.Entries {
		x.Add(e, 0)
	}
	return x
}
