package emulate_test

import (
	"os"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/emulate"
	"github.com/backstop-net/backstop/internal/emulate/gen"
)

// Every generated network must be valid input for both the simulator and the
// renderer (no root needed).
func TestGeneratedNetworksRender(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		res, _, _, err := emulate.Simulate(gen.Network(seed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !res.Converged {
			t.Fatalf("seed %d: simulation does not converge: %v", seed, res.Notes)
		}
	}
}

func TestExceptionsFile(t *testing.T) {
	ex, err := emulate.Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ex {
		switch e.Status {
		case "frr-difference":
		default:
			t.Errorf("%s: status %q: a simulator bug is fixed, not excused; only frr-difference is listed", e.ID, e.Status)
		}
	}
}

// A small network on FRR, compared route by route with the simulation.
func TestEmulateSmallNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("emulation takes ~15 s; skipped with -short")
	}
	if err := emulate.Available(); err != nil {
		t.Skipf("FRR emulation unavailable here: %v", err)
	}
	ex, err := emulate.Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	out, err := emulate.Emulate("gen/5", gen.Network(5), emulate.Options{Exceptions: ex})
	if err != nil {
		t.Fatal(err)
	}
	c, e, x := out.Counts()
	t.Logf("conformance: %d routes compared, %d equal, %d known differences", c, e, x)
	if c == 0 {
		t.Fatal("nothing compared")
	}
	kinds := map[string]int{}
	for _, d := range out.Diffs {
		kinds[d.Kind]++
		if !d.Equal && d.Exception == "" {
			t.Errorf("%s", d)
		}
	}
	// What the verdict is computed from is compared too: what every external
	// speaker receives, and the anycast sites' health on FRR's forwarding.
	for _, k := range []string{"bgp", "isis", "fib", "session", "export", "anycast"} {
		if kinds[k] == 0 {
			t.Errorf("no %s entries compared: %v", k, kinds)
		}
	}
}

// docs/accuracy.md explains every exception to people.
func TestExceptionsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/accuracy.md")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := emulate.Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ex {
		if !strings.Contains(string(doc), "`"+e.ID+"`") {
			t.Errorf("exception %s is not in docs/accuracy.md", e.ID)
		}
	}
}
