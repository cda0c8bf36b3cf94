package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/netgen"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
)

// netgenNets compiles what `backstop gen` writes for o and change (running,
// and the candidate when change is not ""), as `backstop check` does: the
// simulator's equality tests run on the networks users and the benchmarks
// see, not only on hand-built ones.
func netgenNets(t testing.TB, o netgen.Options, change string) (run, cand *network.Network) {
	t.Helper()
	dir := t.TempDir()
	if _, _, err := netgen.Write(dir, o, change); err != nil {
		t.Fatal(err)
	}
	rs, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if run, err = compile.Compile(rs); err != nil {
		t.Fatal(err)
	}
	if change == "" {
		return run, nil
	}
	cs, err := snapshot.LoadCandidate(rs, filepath.Join(dir, "candidate"))
	if err != nil {
		t.Fatal(err)
	}
	if cand, err = compile.Compile(cs); err != nil {
		t.Fatal(err)
	}
	PinExternalPeers(run, cand)
	return run, cand
}

// resultDigest serializes to JSON everything a Result exposes to the stages
// after it and returns a digest per part (per device for the routes): two
// runs with the same digests gave every later stage the same answers, and a
// difference names where it is. The JSON is hashed as it is written; a
// 24-router network's routes alone are 30 MB.
func resultDigest(t testing.TB, r *Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	put := func(part string, v any) {
		h := sha256.New()
		if err := json.NewEncoder(h).Encode(v); err != nil {
			t.Fatal(err)
		}
		out[part] = hex.EncodeToString(h.Sum(nil))
	}
	put("links", r.Links)
	put("adjacencies", r.Adjacencies)
	put("sessions", r.Sessions)
	put("anycast", r.Anycast)
	put("converged", []any{r.Converged, r.Iterations, r.Notes})
	put("disagreements", r.Disagreements)
	put("stats", r.Stats())
	put("advertised", r.Advertised())
	put("policy-unknowns", r.AllPolicyUnknowns())
	type fwd struct {
		Prefix, Kind string
		Hops         []netip.Addr
	}
	for _, d := range r.Net.Devices {
		put("routes "+d.Name, r.Routes(d.Name))
		var fw []fwd
		for _, p := range r.bgp.prefixes {
			if k, hops, ok := r.Forwarding(d.Name, p); ok {
				fw = append(fw, fwd{p.String(), k, hops})
			}
		}
		put("forwarding "+d.Name, fw)
	}
	return out
}

// TestIndexedSetsRunAsLinear runs generated networks (backbones with their
// data-centre prefix-sets, running and drained, and the conformance
// networks, which exercise every modelled policy feature) with the prefix-set
// indexes and with the linear scans they replaced: every part of the results
// must be byte-identical.
func TestIndexedSetsRunAsLinear(t *testing.T) {
	type net struct {
		name string
		n    *network.Network
	}
	var nets []net
	for _, seed := range []uint64{1, 2, 3} {
		run, cand := netgenNets(t, netgen.Options{Style: netgen.Backbone, Seed: seed, Routers: 16}, "drain-all")
		nets = append(nets, net{fmt.Sprintf("backbone-%d", seed), run}, net{fmt.Sprintf("backbone-%d-drained", seed), cand})
	}
	for seed := uint64(1); seed <= 12; seed++ {
		run, _ := netgenNets(t, netgen.Options{Style: netgen.Conformance, Seed: seed}, "")
		nets = append(nets, net{fmt.Sprintf("conformance-%d", seed), run})
	}
	indexed := 0
	for _, c := range nets {
		want := resultDigest(t, Run(c.n))
		prepareSets = linearPrefixSets
		got := resultDigest(t, Run(c.n))
		prepareSets = (*state).indexPrefixSets
		for _, part := range slices.Sorted(maps.Keys(want)) {
			if got[part] != want[part] {
				t.Errorf("%s: %s differs between the indexed and the linear run", c.name, part)
			}
		}
		for _, d := range c.n.Devices {
			for _, ps := range d.PrefixSets {
				if len(ps.Entries) > linearSetMax {
					indexed++
				}
			}
		}
	}
	if indexed == 0 {
		t.Fatal("no prefix-set large enough to be indexed: the comparison shows nothing")
	}
}
