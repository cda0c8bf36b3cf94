package policy

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/sim/simtest"
)

// A subnet inside a critical prefix on a router that held none of it before
// takes the traffic meant for the real origin, with or without BGP: the
// router delivers it to itself, and IS-IS carries the subnet to every other
// router with a distance that beats iBGP. The forwarding walk counts
// delivery on any connected subnet as arrival, so only the comparison with
// running catches it. The real origin numbering more of its own prefix is
// not a hijack.
func TestConnectedSubnetHijacks(t *testing.T) {
	pol := "  - {name: critical, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_peers: [{role: transit}]}\n"
	cases := []struct {
		name   string
		change func(b *simtest.Builder)
		want   string // the evidence of the one finding, "" for none
	}{
		{"unchanged", func(*simtest.Builder) {}, ""},
		{"a loopback inside it on the edge, in IS-IS", func(b *simtest.Builder) {
			b.Iface("r1", "lo9", simtest.Pfx("157.240.0.1/24"), 10)
		}, "r1 has 157.240.0.0/24 on an interface"},
		{"the same subnet, not in IS-IS", func(b *simtest.Builder) {
			b.Iface("r1", "lo9", simtest.Pfx("157.240.7.1/16"), 0)
		}, "r1 has 157.240.0.0/16 on an interface"},
		{"the origin numbers another of its own subnets", func(b *simtest.Builder) {
			b.Iface("r2", "lo9", simtest.Pfx("157.240.5.1/24"), 10)
		}, ""},
		{"a covering subnet loses to the longer BGP route", func(b *simtest.Builder) {
			b.Iface("r1", "lo9", simtest.Pfx("157.0.0.1/8"), 10)
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, after := edgeAndDC(t, tc.change)
			f := mustPolicy(t, pol)
			findings, _ := Evaluate(f, Input{Before: before, After: after})
			var got []string
			for _, x := range blocking(findings, "critical") {
				if strings.Contains(x.Summary, "held none of it before") {
					got = append(got, strings.Join(x.Evidence, "; "))
				}
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Fatalf("hijack findings %q, want none", got)
			case tc.want != "" && (len(got) != 1 || got[0] != tc.want):
				t.Fatalf("hijack findings %q, want one with evidence %q (all findings: %+v)", got, tc.want, findings)
			}
		})
	}
}
