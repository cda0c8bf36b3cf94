package bench

import (
	"io"
	"testing"

	backstop "github.com/backstop-net/backstop"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/synth"
)

// BenchmarkRun300 is `backstop bench` at 300 routers: simulation of both
// sides and the policy evaluation of the verdict.
func BenchmarkRun300(b *testing.B) {
	pol, err := policy.Parse(backstop.DefaultPolicy)
	if err != nil {
		b.Fatal(err)
	}
	o := synth.Options{Routers: 300, LinksPerRouter: 4, InternalPrefixes: 12000, ExternalPrefixes: 3000, Seed: 1}
	for i := 0; i < b.N; i++ {
		if _, err := Run(io.Discard, o, pol); err != nil {
			b.Fatal(err)
		}
	}
}
