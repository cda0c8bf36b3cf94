package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"path/filepath"
	"reflect"
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
	PinCabling(run, cand)
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

// TestLookupsAsFullScan checks the longest-prefix matches that probe only
// the lengths a table holds (lengths) against the scan of every length they
// replaced, on generated networks, for every device and addresses on and
// around every prefix the network knows.
func TestLookupsAsFullScan(t *testing.T) {
	var nets []*network.Network
	for _, seed := range []uint64{1, 2} {
		run, cand := netgenNets(t, netgen.Options{Style: netgen.Backbone, Seed: seed, Routers: 16}, "drain-all")
		nets = append(nets, run, cand)
	}
	for seed := uint64(1); seed <= 8; seed++ {
		run, _ := netgenNets(t, netgen.Options{Style: netgen.Conformance, Seed: seed}, "")
		nets = append(nets, run)
	}
	for _, n := range nets {
		s := Run(n).state
		addrs := []netip.Addr{{}, netip.IPv4Unspecified(), netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("2001:db8::1"),
			netip.MustParseAddr("::ffff:10.0.0.1")}
		for a := range s.topo.owner {
			addrs = append(addrs, a, a.Next(), a.Prev())
		}
		for _, p := range s.bgp.prefixes {
			addrs = append(addrs, p.Addr(), p.Addr().Prev())
		}
		for _, d := range n.Devices {
			for _, a := range addrs {
				p, i, ok := s.topo.connectedRoute(d.ID, a)
				var wp netip.Prefix
				var wi int
				var wok bool
				for bits := a.BitLen(); bits >= 0 && !wok; bits-- {
					wp, _ = a.Prefix(bits)
					wi, wok = s.topo.connected[d.ID][wp]
				}
				if !wok {
					wp = netip.Prefix{}
				}
				if p != wp || i != wi || ok != wok {
					t.Fatalf("%s connectedRoute(%s) = %s %d %v, full scan %s %d %v", d.Name, a, p, i, ok, wp, wi, wok)
				}
				rt, ok := s.igp.lookup(d.ID, a)
				var wrt isisRoute
				wok = false
				for bits := a.BitLen(); bits >= 0 && !wok; bits-- {
					q, _ := a.Prefix(bits)
					wrt, wok = s.igp.route(d.ID, q)
				}
				if !reflect.DeepEqual(rt, wrt) || ok != wok {
					t.Fatalf("%s igp.lookup(%s) = %+v %v, full scan %+v %v", d.Name, a, rt, ok, wrt, wok)
				}
				for _, withBGP := range []bool{false, true} {
					e, ok := s.lookup(d.ID, a, withBGP)
					var we fibEntry
					wok = false
					for bits := a.BitLen(); bits >= 0 && !wok; bits-- {
						q, _ := a.Prefix(bits)
						we, wok = s.fibAt(d.ID, q, withBGP)
					}
					if !reflect.DeepEqual(e, we) || ok != wok {
						t.Fatalf("%s lookup(%s, bgp %v) = %+v %v, full scan %+v %v", d.Name, a, withBGP, e, ok, we, wok)
					}
				}
			}
		}
	}
}
