package bench

import (
	"testing"

	backstop "github.com/backstop-net/backstop"
	"github.com/backstop-net/backstop/internal/policy"
)

func defaultPolicy(t testing.TB) *policy.File {
	t.Helper()
	pol, err := policy.Parse(backstop.DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestMeasureScratch(t *testing.T) {
	dir := t.TempDir()
	g, err := InterimGenerator.Generate(dir, 40)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Measure(g.Running, g.Candidate, defaultPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
}
