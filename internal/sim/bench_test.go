package sim

import (
	"testing"

	"github.com/backstop-net/backstop/internal/synth"
	"github.com/backstop-net/backstop/models/network"
)

// BenchmarkRunDefault simulates the design-size backbone (1,000 routers,
// ~4,000 links, 50k prefixes) once per iteration; figures go to docs/performance.md.
func BenchmarkRunDefault(b *testing.B) {
	n := synth.Backbone(synth.Default)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Run(n)
		if !r.Converged {
			b.Fatal(r.Notes)
		}
		b.ReportMetric(float64(r.bgp.classes), "classes")
	}
}

func BenchmarkRunSmall(b *testing.B) {
	n := synth.Backbone(synth.Options{Routers: 100, LinksPerRouter: 4, InternalPrefixes: 5000, ExternalPrefixes: 1000, Seed: 1})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := Run(n); !r.Converged {
			b.Fatal(r.Notes)
		}
	}
}

// withDCPrefixSets gives every router that originates statics a prefix-set of
// them (exact and "le 32" entries), as data-centre routers carry: the shape
// that made prefix classing quadratic (issue 11).
func withDCPrefixSets(n *network.Network) *network.Network {
	for _, d := range n.Devices {
		if len(d.Statics) == 0 {
			continue
		}
		ps := &network.PrefixSet{Name: "DC-" + d.Name}
		for i, st := range d.Statics {
			max := uint8(st.Prefix.Bits())
			if i%2 == 1 {
				max = 32
			}
			ps.Entries = append(ps.Entries, network.PrefixRange{Prefix: st.Prefix, Min: uint8(st.Prefix.Bits()), Max: max})
		}
		d.PrefixSets[ps.Name] = ps
	}
	return n
}

// BenchmarkPrefixSetSignatures classes the prefixes of a 300-router network
// whose data-centre routers carry prefix-sets of their prefixes: "indexed"
// is the simulator's path, "linear" the scan of every entry it replaced.
func BenchmarkPrefixSetSignatures(b *testing.B) {
	n := withDCPrefixSets(synth.Backbone(synth.Options{Routers: 300, LinksPerRouter: 4, InternalPrefixes: 12000, ExternalPrefixes: 3000, Seed: 1}))
	s := &state{net: n}
	s.topo = buildTopology(n)
	s.external = buildExternal(n)
	s.indexStatics()
	s.aggActive = make([][]bool, len(n.Devices))
	for _, d := range n.Devices {
		s.aggActive[d.ID] = make([]bool, len(d.Aggregates))
	}
	s.indexPrefixes()
	sets, entries := 0, 0
	for _, d := range n.Devices {
		for _, ps := range d.PrefixSets {
			sets++
			entries += len(ps.Entries)
		}
	}
	b.Logf("%d prefixes, %d prefix-sets, %d entries", len(s.bgp.prefixes), sets, entries)
	b.Run("indexed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.prefixSetSignatures()
		}
	})
	b.Run("linear", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var all []*network.PrefixSet
			for _, d := range n.Devices {
				for _, ps := range d.PrefixSets {
					all = append(all, ps)
				}
			}
			for _, p := range s.bgp.prefixes {
				for _, ps := range all {
					_ = ps.Matches(p)
				}
			}
		}
	})
}
