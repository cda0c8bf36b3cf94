package policy

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/sim/simtest"
	"github.com/backstop-net/backstop/models/network"
)

// inventoriedTransits: an edge in AS 65000 originating 157.240.0.0/16 to two
// transit providers that are routers of the inventory (role transit, AS 3356
// and AS 174), which also peer with each other. change edits the candidate.
func inventoriedTransits(t *testing.T, change func(b *simtest.Builder)) (before, after *sim.Result) {
	build := func(edit bool) *sim.Result {
		b := simtest.New(t)
		b.Router("edge", 65000, "10.0.0.1").Role = "edge"
		b.Router("t1", 3356, "10.0.0.2").Role = "transit"
		b.Router("t2", 174, "10.0.0.3").Role = "transit"
		e1, x1 := b.Link("edge", "t1", "192.0.2.0", 0)
		e2, x2 := b.Link("edge", "t2", "192.0.2.2", 0)
		y1, y2 := b.Link("t1", "t2", "192.0.2.4", 0)
		b.Ebgp("edge", e1, "t1", x1)
		b.Ebgp("edge", e2, "t2", x2)
		b.Ebgp("t1", y1, "t2", y2)
		b.Originate("edge", "157.240.0.0/16")
		if edit {
			change(b)
		}
		return sim.Run(b.Build())
	}
	return build(false), build(true)
}

func mustPolicy(t *testing.T, yaml string) *File {
	t.Helper()
	f, err := Parse([]byte("version: 1\ninvariants:\n" + yaml))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func blocking(findings []Finding, invariant string) []Finding {
	var out []Finding
	for _, f := range findings {
		if f.Invariant == invariant && f.Severity == Block && !f.Baseline {
			out = append(out, f)
		}
	}
	return out
}

// Transit providers kept in the inventory (role transit, another AS) are
// peers like the external ones: a policy selecting {role: transit} or an AS
// number must see what they receive, and "each transit" must hold per AS even
// when the other transit still passes the prefix on.
func TestInventoriedTransitSelectors(t *testing.T) {
	stopToT2 := func(b *simtest.Builder) {
		b.Nbr("edge", b.IfaceAddr("t2", "et-2-edge")).Export = network.PolicyChain{Default: network.ResultReject, DefaultSet: true}
	}
	cases := []struct {
		name, policy string
		change       func(b *simtest.Builder)
		block        bool
		want         string
	}{
		{"per-AS minimum by role", "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_peers: [{role: transit}], min_sessions: 1, min_sites: 1, min_sessions_per_as: 1}\n",
			stopToT2, true, "AS174 (0 of 1 sessions left)"},
		{"by AS number", "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_peers: [{asn: 174}], min_sessions: 1, min_sites: 1}\n",
			stopToT2, true, "no longer announced to any asn 174 peer"},
		{"the other transit's copy does not count", "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_roles: [transit], min_sessions: 2, min_sites: 1}\n",
			stopToT2, true, "stops being announced to 1 transit session"},
		{"unchanged passes", "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_peers: [{role: transit}], min_sessions: 2, min_sites: 1, min_sessions_per_as: 1}\n",
			func(*simtest.Builder) {}, false, ""},
		{"a session to each transit", "  - {name: s, kind: bgp_sessions, severity: block, critical: [{role: transit}], min_established_per_as: 1}\n",
			func(b *simtest.Builder) { b.Nbr("edge", b.IfaceAddr("t2", "et-2-edge")).Enabled = false }, true, "AS174 is left with 0 established"},
		{"transit to transit sessions are not ours", "  - {name: s, kind: bgp_sessions, severity: block, critical: [{role: transit}], min_established_per_as: 1}\n",
			func(b *simtest.Builder) { b.Nbr("t1", b.IfaceAddr("t2", "et-3-t1")).Enabled = false }, true, "session t1 → t2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, after := inventoriedTransits(t, tc.change)
			f := mustPolicy(t, tc.policy)
			if err := f.Validate(before); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			findings, _ := Evaluate(f, Input{Before: before, After: after})
			blocks := blocking(findings, f.Invariants[0].Name)
			if (len(blocks) > 0) != tc.block {
				t.Fatalf("blocking findings %+v, want block=%v", findings, tc.block)
			}
			if tc.block {
				var text string
				for _, b := range blocks {
					text += b.Summary + " " + strings.Join(b.Objects, " ") + " " + strings.Join(b.Evidence, " ") + "\n"
				}
				if !strings.Contains(text, tc.want) {
					t.Errorf("finding %q does not mention %q", text, tc.want)
				}
			}
		})
	}
}

// A selector that matches no peer would make the invariant vacuous.
func TestSelectorsMustMatch(t *testing.T) {
	before, _ := inventoriedTransits(t, func(*simtest.Builder) {})
	for _, tc := range []struct{ policy, want string }{
		{"  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_peers: [{asn: 64999}]}\n", "to_peers: no BGP peer matches {asn 64999} (peer roles: edge, transit; peer ASes: 174, 3356, 65000)"},
		{"  - {name: s, kind: bgp_sessions, severity: block, critical: [{role: transits}]}\n", "critical: no BGP peer matches {role transits}"},
		{"  - {name: r, kind: reachability, severity: block, from_peers: [{role: ix}], to: [157.240.0.0/16]}\n", "from_peers: no BGP peer matches {role ix}"},
	} {
		err := mustPolicy(t, tc.policy).Validate(before)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want %q", err, tc.want)
		}
	}
	if _, err := Parse([]byte("version: 1\ninvariants:\n  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_peers: [{}]}\n")); err == nil || !strings.Contains(err.Error(), "empty selector") {
		t.Errorf("an empty selector must be refused: %v", err)
	}
}

// from_peers: traffic entering at an inventoried transit router.
func TestReachabilityFromPeers(t *testing.T) {
	before, after := inventoriedTransits(t, func(b *simtest.Builder) {
		b.Nbr("edge", b.IfaceAddr("t2", "et-2-edge")).Export = network.PolicyChain{Default: network.ResultReject, DefaultSet: true}
		b.Nbr("t1", b.IfaceAddr("t2", "et-3-t1")).Enabled = false
	})
	f := mustPolicy(t, "  - {name: r, kind: reachability, severity: block, from_peers: [{asn: 174}], to: [157.240.0.0/16]}\n")
	if err := f.Validate(before); err != nil {
		t.Fatal(err)
	}
	findings, checks := Evaluate(f, Input{Before: before, After: after})
	if len(blocking(findings, "r")) != 1 || !strings.Contains(findings[0].Summary, "t2 can no longer reach 157.240.0.0/16") {
		t.Fatalf("findings %+v\nchecks %+v", findings, checks)
	}
}
