package netgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
)

// load writes t as a snapshot folder and reads it back through backstop's
// normal path: snapshot.Load (the binding), schema validation, compile, sim.
// Schema validation (ygot's, leafrefs included) takes about a second per
// small device, so it runs on the networks where validate is set.
func load(tb testing.TB, t *Topology, validate bool) *sim.Result {
	tb.Helper()
	files, err := RenderOpenConfig(t)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := WriteFiles(dir, files); err != nil {
		tb.Fatal(err)
	}
	s, err := snapshot.Load(dir)
	if err != nil {
		tb.Fatalf("%s: load: %v", t.Name, err)
	}
	for _, n := range s.Names() {
		d := s.Devices[n]
		if len(d.Ignored) > 0 {
			tb.Errorf("%s %s: members the binding does not know: %v", t.Name, n, d.Ignored)
		}
		if !validate {
			continue
		}
		if err := oc.Validate(d.Tree); err != nil {
			tb.Errorf("%s %s: schema validation: %v", t.Name, n, err)
		}
	}
	net, err := compile.Compile(s)
	if err != nil {
		tb.Fatalf("%s: compile: %v", t.Name, err)
	}
	for _, u := range net.Unmodelled {
		tb.Errorf("%s: unmodelled %s %s: %s", t.Name, u.Device, u.Path, u.Reason)
	}
	res := sim.Run(net)
	if !res.Converged {
		tb.Errorf("%s: does not converge: %v", t.Name, res.Notes)
	}
	return res
}

// faulty reports whether a session or adjacency of device may be down
// because of a breakage the generator put there on purpose.
func faultyNames(t *Topology) map[string]bool {
	m := map[string]bool{}
	for _, f := range t.Faults {
		for _, w := range strings.Fields(f) {
			m[w] = true
		}
	}
	return m
}

func TestConformanceNetworksLoad(t *testing.T) {
	features := map[string]int{}
	for seed := uint64(1); seed <= 25; seed++ {
		top, err := Generate(Options{Style: Conformance, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		countFeatures(top, features)
		// seeds 5 and 7 redistribute connected routes (a table whose leafref needs
		// a DIRECTLY_CONNECTED protocol instance)
		res := load(t, top, seed <= 5 || seed == 7)
		if len(top.Faults) == 0 {
			for _, d := range res.Disagreements {
				t.Errorf("%s: no fault was generated, yet %s: %s", top.Name, d.Object, d.Reason)
			}
			for _, s := range res.Sessions {
				if s.IBGP && !s.Established {
					t.Errorf("%s: iBGP session %s → %s down without a generated fault: %s", top.Name, s.Device, s.Neighbor, s.Reason)
				}
			}
		}
		up := 0
		for _, s := range res.Sessions {
			if s.Established {
				up++
			}
		}
		if up == 0 {
			t.Errorf("%s: no BGP session is established", top.Name)
		}
	}
	// Every feature the description can express appears in 25 seeds: a
	// generator change that stops producing one must be noticed.
	for _, f := range allFeatures {
		if features[f] == 0 {
			t.Errorf("feature %s never generated in seeds 1..25", f)
		}
	}
}

func TestConformanceDeterministic(t *testing.T) {
	a, _ := Generate(Options{Style: Conformance, Seed: 7})
	b, _ := Generate(Options{Style: Conformance, Seed: 7})
	fa, _ := RenderOpenConfig(a)
	fb, _ := RenderOpenConfig(b)
	if len(fa) != len(fb) {
		t.Fatalf("file counts differ: %d vs %d", len(fa), len(fb))
	}
	for k := range fa {
		if string(fa[k]) != string(fb[k]) {
			t.Errorf("%s differs between two generations of the same seed", k)
		}
	}
}

func TestBackboneNetworksLoad(t *testing.T) {
	for _, c := range []struct {
		routers int
		seed    uint64
	}{{8, 1}, {30, 2}, {64, 3}} {
		t.Run(fmt.Sprintf("%d-%d", c.routers, c.seed), func(t *testing.T) {
			top, err := Generate(Options{Style: Backbone, Routers: c.routers, Seed: c.seed})
			if err != nil {
				t.Fatal(err)
			}
			if len(top.Routers) != c.routers {
				t.Fatalf("%d routers, want %d", len(top.Routers), c.routers)
			}
			res := load(t, top, c.routers <= 8)
			for _, d := range res.Disagreements {
				t.Errorf("disagreement %s: %s", d.Object, d.Reason)
			}
			for _, s := range res.Sessions {
				if !s.Established {
					t.Errorf("session %s → %s (%s) down: %s", s.Device, s.Neighbor, s.Peer, s.Reason)
				}
			}
			if len(res.Anycast) == 0 {
				t.Fatal("no anycast site")
			}
			for _, a := range res.Anycast {
				if !a.Announcing {
					t.Errorf("anycast %s@%s not announcing: %s", a.Service, a.Site, a.Reason)
				}
			}
			// Every router has the internal and external prefixes: 40 + 10 per router, plus the default.
			rs := res.Routes("")
			want := c.routers*50 + 1
			for _, r := range rs {
				if got := len(r.BGP); got < want {
					t.Errorf("%s: %d BGP prefixes, want at least %d", r.Device, got, want)
					break
				}
			}
		})
	}
}

var allFeatures = []string{
	"route-reflector", "shared-cluster-id", "multipath", "multipath-relax", "two-transits", "local-as", "max-prefix",
	"bgp-password", "prefix-set-invert", "community-all", "community-invert", "as-path-invert", "route-type-internal",
	"route-type-external", "set-route-origin", "set-next-hop-self", "set-next-hop-addr", "community-remove",
	"community-replace", "prepend", "prepend-own-as", "med", "local-pref", "install-protocol", "no-export",
	"aggregate", "redistribute-static", "redistribute-connected", "redistribute-isis", "static-next-hop",
	"isis-broadcast", "isis-hello-auth", "isis-overload", "max-metric", "mtu-mismatch", "drained-link", "ntp",
}

func countFeatures(t *Topology, f map[string]int) {
	for _, r := range t.Routers {
		g := r.BGP
		for _, pg := range g.Groups {
			if pg.RRClient {
				f["route-reflector"]++
			}
		}
		if g.ClusterID.IsValid() {
			f["shared-cluster-id"]++
		}
		for _, pg := range g.Groups {
			if pg.ClusterID.IsValid() {
				f["shared-cluster-id"]++
			}
		}
		if g.Multipath != nil {
			f["multipath"]++
			if g.Multipath.AllowMultipleAS {
				f["multipath-relax"]++
			}
		}
		transits := 0
		for _, nb := range g.Neighbors {
			if nb.LocalAS != 0 {
				f["local-as"]++
			}
			if nb.MaxPrefix != 0 {
				f["max-prefix"]++
			}
			if nb.Password != "" {
				f["bgp-password"]++
			}
			if strings.HasPrefix(nb.Desc, "transit") {
				transits++
			}
		}
		if transits > 1 {
			f["two-transits"]++
		}
		for _, p := range r.Policies {
			for _, s := range p.Statements {
				if s.PrefixMode == MatchInvert {
					f["prefix-set-invert"]++
				}
				switch s.CommunityMode {
				case MatchAll:
					f["community-all"]++
				case MatchInvert:
					f["community-invert"]++
				}
				if s.ASPathMode == MatchInvert {
					f["as-path-invert"]++
				}
				if s.RouteType != "" {
					f["route-type-"+strings.ToLower(s.RouteType)]++
				}
				if s.Origin != "" {
					f["set-route-origin"]++
				}
				if s.NextHopSelf {
					f["set-next-hop-self"]++
				}
				if s.NextHop.IsValid() {
					f["set-next-hop-addr"]++
				}
				if c := s.Community; c != nil {
					f["community-"+strings.ToLower(c.Method)]++
					for _, v := range c.Values {
						if v == "65535:65281" {
							f["no-export"]++
						}
					}
				}
				if s.Prepend != nil {
					f["prepend"]++
					if s.Prepend.ASN != 0 && s.Prepend.ASN != 64999 {
						f["prepend-own-as"]++ // the transit's AS: loop at the receiver
					}
				}
				if s.MED != nil {
					f["med"]++
				}
				if s.LocalPref != nil {
					f["local-pref"]++
				}
				if s.Protocol != "" {
					f["install-protocol"]++
				}
			}
		}
		if len(r.Aggregates) > 0 {
			f["aggregate"]++
		}
		for _, tc := range r.Redistribute {
			f["redistribute-"+map[string]string{"STATIC": "static", "DIRECTLY_CONNECTED": "connected", "ISIS": "isis", "LOCAL_AGGREGATE": "aggregate"}[tc.From]]++
		}
		for _, s := range r.Statics {
			if s.NextHop.IsValid() {
				f["static-next-hop"]++
			}
		}
		for _, i := range r.Interfaces {
			if i.ISIS != nil && !i.ISIS.PointToPoint && !i.ISIS.Passive && !i.Loopback {
				f["isis-broadcast"]++
			}
			if i.ISIS != nil && i.ISIS.HelloAuth != "" {
				f["isis-hello-auth"]++
			}
		}
		if r.ISIS != nil && r.ISIS.Overload {
			f["isis-overload"]++
		}
	}
	for _, x := range t.Faults {
		switch strings.Fields(x)[0] {
		case "max-metric":
			f["max-metric"]++
		case "mtu-mismatch":
			f["mtu-mismatch"]++
		case "drained":
			f["drained-link"]++
		}
	}
	if len(t.Anycast) > 1 {
		f["ntp"]++
	}
}
