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
	out, err := emulate.Emulate("gen/5", gen.Network(5), emulate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	emulate.Explain(out.Diffs, ex)
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
	for _, k := range []string{"bgp", "isis", "export", "anycast"} {
		if kinds[k] == 0 {
			t.Errorf("no %s entries compared: %v", k, kinds)
		}
	}
}

// An exception is as narrow as it says: a next-hop exception does not hide a
// wrong AS path, a sim-only one does not hide an FRR-only route.
func TestExplainIsNarrow(t *testing.T) {
	ex := []emulate.Exception{
		{ID: "nh", Kind: "bgp", When: "both", Differs: []string{"next_hop"}, Prefixes: []string{"10.0.*/24"}},
		{ID: "gone", Kind: "bgp", When: "sim-only", Networks: []string{"gen/*"}},
	}
	r := func(nh string, path ...uint32) emulate.Route {
		return emulate.Route{Present: true, NextHop: nh, ASPath: path, LocalPref: 100}
	}
	cases := []struct {
		name string
		d    emulate.Diff
		want string
	}{
		{"next hop only", emulate.Diff{Network: "x", Kind: "bgp", Prefix: "10.0.1.0/24", Sim: r("1.1.1.1"), FRR: r("2.2.2.2")}, "nh"},
		{"next hop and as-path", emulate.Diff{Network: "x", Kind: "bgp", Prefix: "10.0.1.0/24", Sim: r("1.1.1.1", 1), FRR: r("2.2.2.2", 2)}, ""},
		{"other prefix", emulate.Diff{Network: "x", Kind: "bgp", Prefix: "10.1.1.0/24", Sim: r("1.1.1.1"), FRR: r("2.2.2.2")}, ""},
		{"missing in FRR", emulate.Diff{Network: "gen/4", Kind: "bgp", Prefix: "10.1.1.0/24", Sim: r("1.1.1.1")}, "gone"},
		{"missing in the simulation", emulate.Diff{Network: "gen/4", Kind: "bgp", Prefix: "10.1.1.0/24", FRR: r("1.1.1.1")}, ""},
		{"other network", emulate.Diff{Network: "scenario/x", Kind: "bgp", Prefix: "10.1.1.0/24", Sim: r("1.1.1.1")}, ""},
		{"other kind", emulate.Diff{Network: "gen/4", Kind: "isis", Prefix: "10.1.1.0/24", Sim: r("1.1.1.1")}, ""},
	}
	for _, c := range cases {
		d := []emulate.Diff{c.d}
		emulate.Explain(d, ex)
		if d[0].Exception != c.want {
			t.Errorf("%s: exception %q, want %q", c.name, d[0].Exception, c.want)
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
