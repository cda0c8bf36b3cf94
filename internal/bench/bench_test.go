package bench

import (
	"io"
	"strings"
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

// backstop bench's path on a small backbone: it simulates, drains and
// reaches a verdict (timing is what the benchmark is for, not this test).
func TestRunSmall(t *testing.T) {
	pol, err := policy.Parse(backstop.DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r, err := Run(&out, synth.Options{Routers: 40, LinksPerRouter: 4, InternalPrefixes: 400, ExternalPrefixes: 100, Seed: 1}, pol)
	if err != nil {
		t.Fatal(err)
	}
	if r.Routers != 40 || r.Links == 0 || r.Classes == 0 || r.Verdict == "" {
		t.Fatalf("result: %+v", r)
	}
	if !strings.Contains(out.String(), "verdict on the drain:") {
		t.Errorf("output:\n%s", out.String())
	}
}
