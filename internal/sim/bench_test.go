package sim

import (
	"testing"

	"github.com/backstop-net/backstop/internal/synth"
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
