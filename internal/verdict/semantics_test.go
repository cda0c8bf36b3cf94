package verdict

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// TestOutageSemantics pins, on the simulated routing of the scenario's
// candidate (both forms), the BGP semantic each outage-class scenario is
// about, so that a scenario cannot keep its verdict for another reason
// (bgp-multipath-transit and deterministic-med PASS either way: only this
// test shows that multipath, or the grouping by neighbouring AS, took effect).
func TestOutageSemantics(t *testing.T) {
	root := "../../testdata"
	running, err := snapshot.Load(filepath.Join(root, "backbone"))
	if err != nil {
		t.Fatal(err)
	}
	netB, err := compile.Compile(running)
	if err != nil {
		t.Fatal(err)
	}
	paths := func(r *sim.Result, dev, prefix string) []sim.PathOut {
		for _, rs := range r.Routes(dev) {
			for _, br := range rs.BGP {
				if br.Prefix == prefix {
					return br.Paths
				}
			}
		}
		return nil
	}
	session := func(r *sim.Result, dev, nbr string) *sim.SessionOut {
		for _, rs := range r.Routes(dev) {
			for i := range rs.Sessions {
				if rs.Sessions[i].Neighbor == nbr {
					return &rs.Sessions[i]
				}
			}
		}
		return nil
	}
	cases := []struct {
		scenario string
		check    func(t *testing.T, r *sim.Result)
	}{
		{"bgp-multipath-transit", func(t *testing.T, r *sim.Result) {
			// edge1.ams installs both transits' defaults (AS3356 and AS174).
			var from []string
			for _, p := range paths(r, "edge1.ams", "0.0.0.0/0") {
				if p.Multipath && p.Source == "ebgp" {
					from = append(from, p.From)
				}
			}
			if strings.Join(from, ",") != "203.0.113.1,203.0.113.5" && strings.Join(from, ",") != "203.0.113.5,203.0.113.1" {
				t.Errorf("edge1.ams 0.0.0.0/0 multipath set from %v, want both transits", from)
			}
		}},
		{"deterministic-med", func(t *testing.T, r *sim.Result) {
			// edge1.ams groups its four defaults by neighbouring AS: within
			// AS3356 Lumen via edge1.fra (MED 0) beats lumen-ams (MED 100),
			// within AS174 cogent-ams beats Cogent via edge1.iad, and
			// cogent-ams wins as eBGP over iBGP. A pairwise scan in path
			// order ends at Lumen via edge1.fra (cycle: lumen-ams > cogent-ams
			// on the tie-break, cogent-ams > lumen-fra, lumen-fra > lumen-ams).
			ps := paths(r, "edge1.ams", "0.0.0.0/0")
			var lumenAMS, lumenFRA *sim.PathOut
			for i := range ps {
				switch {
				case ps[i].From == "203.0.113.1":
					lumenAMS = &ps[i]
				case ps[i].Source == "ibgp" && ps[i].NextHop == "10.0.0.32":
					lumenFRA = &ps[i]
				}
			}
			if len(ps) != 4 || !ps[0].Best || ps[0].From != "203.0.113.5" || ps[0].FromDevice != "cogent-ams" ||
				ps[0].SelectionReason != "ebgp over ibgp" {
				t.Errorf("edge1.ams 0.0.0.0/0: best %+v, want cogent-ams (203.0.113.5) on ebgp over ibgp", ps)
			}
			if lumenAMS == nil || lumenAMS.Best || lumenAMS.MED == nil || *lumenAMS.MED != 100 {
				t.Errorf("edge1.ams lumen-ams path: %+v, want MED 100, not best", lumenAMS)
			}
			if lumenFRA == nil || lumenFRA.Best || lumenFRA.MED != nil || !slices.Equal(lumenFRA.ASPath, []uint32{3356}) {
				t.Errorf("edge1.ams Lumen-via-edge1.fra path: %+v, want AS3356 without MED, not best", lumenFRA)
			}
		}},
		{"origin-incomplete-anycast", func(t *testing.T, r *sim.Result) {
			// edge1.fra's own announcer path now has origin incomplete and loses
			// to the iBGP copy (origin igp) on the origin step.
			ps := paths(r, "edge1.fra", "129.134.30.0/23")
			var own *sim.PathOut
			for i := range ps {
				if ps[i].From == "10.9.1.2" {
					own = &ps[i]
				}
			}
			if len(ps) == 0 || own == nil || own.Origin != "incomplete" || own.Best ||
				ps[0].Source != "ibgp" || ps[0].Origin != "igp" {
				t.Errorf("edge1.fra 129.134.30.0/23: %+v", ps)
			}
		}},
		{"bgp-next-hop-via-default", func(t *testing.T, r *sim.Result) {
			// edge1.iad reaches the route reflector bb1.iad only through its
			// static default: the session stays down although bb1.iad has a
			// static route back to edge1.iad's loopback.
			s := session(r, "edge1.iad", "10.0.0.7")
			if s == nil || s.Established || !strings.Contains(s.Reason, "edge1.iad has no IGP route to 10.0.0.7") {
				t.Errorf("edge1.iad - bb1.iad session: %+v", s)
			}
		}},
		{"ecmp-branch-blackholed", func(t *testing.T, r *sim.Result) {
			// edge1.ams still splits 157.240.1.0/24 over bb1.ams and bb2.ams;
			// bb1.ams discards it, bb2.ams forwards it on to dc1.frc. The
			// Amsterdam DNS site stays healthy (its health walk to the DC /16s
			// does not touch the /24).
			svc := netip.MustParsePrefix("157.240.1.0/24")
			if kind, hops, ok := r.Forwarding("edge1.ams", svc); !ok || kind != "forward" || len(hops) != 2 {
				t.Errorf("edge1.ams %s: %s %v, want two equal-cost next hops", svc, kind, hops)
			}
			if kind, _, _ := r.Forwarding("bb1.ams", svc); kind != "discard" {
				t.Errorf("bb1.ams %s: %s, want discard", svc, kind)
			}
			if kind, _, _ := r.Forwarding("bb2.ams", svc); kind != "forward" {
				t.Errorf("bb2.ams %s: %s, want forward", svc, kind)
			}
			if ok, _, _ := r.DeliversAddr("edge1.ams", svc.Addr(), netip.MustParsePrefix("157.240.0.0/16"), sim.Exit{Local: true}); ok {
				t.Errorf("edge1.ams delivers %s although one branch discards it", svc)
			}
			for _, a := range r.Anycast {
				if a.Site == "ams" && (!a.Healthy || !a.Announcing) {
					t.Errorf("the ams DNS site: %+v, want healthy and announcing", a)
				}
			}
		}},
		{"ebgp-next-hop-off-subnet", func(t *testing.T, r *sim.Result) {
			// The transit sessions stay up and edge1.ams still has the route;
			// only the transit's connected check drops it.
			if s := session(r, "edge1.ams", "203.0.113.1"); s == nil || !s.Established {
				t.Errorf("edge1.ams - lumen-ams session: %+v", s)
			}
			if ps := paths(r, "edge1.ams", "157.240.0.0/16"); len(ps) == 0 || !ps[0].Best {
				t.Errorf("edge1.ams has no 157.240.0.0/16: %+v", ps)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			for _, form := range candidateForms(t, running, filepath.Join(root, "scenarios", c.scenario), "change.json") {
				netA, err := compile.Compile(form.cand)
				if err != nil {
					t.Fatal(err)
				}
				sim.PinExternalPeers(netB, netA)
				t.Run(form.name, func(t *testing.T) { c.check(t, sim.Run(netA)) })
			}
		})
	}
}
