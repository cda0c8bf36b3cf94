package verdict

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// end is one side of a refused link, adjacency or session: a device of the
// inventory (leaf: the finding must show a leaf path on it) or an external
// peer named as in environment.yaml (leaf: false, it has no config here).
type end struct {
	name string
	leaf bool
}

func dev(name string) end  { return end{name, true} }
func peer(name string) end { return end{name, false} }

// outageCase is one outage-class scenario: the verdict and invariants the
// default policy must give, and for agreement-class changes the pairs of ends
// a both-ends-agree finding must name (device and leaf on each end).
type outageCase struct {
	name     string
	class    string
	verdict  Verdict
	findings []string
	ends     [][2]end
}

var outageCases = []outageCase{
	// IS-IS adjacencies real routers refuse.
	{"isis-circuit-type-mismatch", "isis", Block, []string{"both-ends-agree"}, [][2]end{{dev("bb1.ams"), dev("bb1.fra")}}},
	{"isis-net-removed", "isis", Block, []string{"both-ends-agree", "internet-egress"}, [][2]end{{dev("bb1.lhr"), dev("bb2.lhr")}}},
	{"isis-duplicate-system-id", "isis", Block, []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
		[][2]end{{dev("bb1.sin"), dev("bb2.sin")}}},
	{"isis-level-mismatch", "isis", Block, []string{"both-ends-agree", "internet-egress"}, [][2]end{{dev("bb1.sjc"), dev("bb2.sjc")}, {dev("bb1.sjc"), dev("dc1.prn")}}},
	{"isis-metric-style-narrow", "isis", Block, []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
		[][2]end{{dev("edge1.sin"), dev("bb1.sin")}, {dev("edge1.sin"), dev("bb2.sin")}}},
	{"isis-mtu-one-end", "isis", Block, []string{"both-ends-agree"}, [][2]end{{dev("bb1.iad"), dev("bb1.lhr")}}},
	{"isis-auth-key-mismatch", "isis", Block, []string{"both-ends-agree"}, [][2]end{{dev("bb1.ams"), dev("bb1.lhr")}}},
	{"isis-overload-backbone", "isis", Block, []string{"bgp-sessions", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"}, nil},
	{"isis-max-metric-drain", "isis", Block, []string{"bgp-sessions", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"}, nil},
	// BGP sessions real routers refuse.
	{"bgp-local-as-unexpected", "bgp-session", Block, []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
		[][2]end{{dev("edge1.sin"), dev("bb1.fra")}, {dev("edge1.sin"), dev("bb1.iad")}}},
	{"bgp-local-address-mismatch", "bgp-session", Block, []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
		[][2]end{{dev("edge1.iad"), dev("bb1.fra")}, {dev("edge1.iad"), dev("bb1.iad")}}},
	{"bgp-rr-loopback-renumbered", "bgp-session", Block, []string{"bgp-sessions", "both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
		[][2]end{{dev("bb1.fra"), dev("bb1.iad")}, {dev("bb1.fra"), dev("edge1.ams")}}},
	{"bgp-both-passive", "bgp-session", Block, []string{"both-ends-agree"}, [][2]end{{dev("edge1.ams"), dev("bb1.iad")}}},
	{"bgp-port-one-end", "bgp-session", Block, []string{"both-ends-agree"}, [][2]end{{dev("bb1.fra"), dev("bb1.iad")}}},
	{"bgp-transit-auth-password", "bgp-session", Block, []string{"bgp-sessions", "both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
		[][2]end{{dev("edge1.ams"), peer("lumen-ams")}, {dev("edge1.sin"), peer("transita-sin")}}},
	{"bgp-max-prefix-below-received", "bgp-session", Block, []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
		[][2]end{{dev("bb1.fra"), dev("edge1.ams")}, {dev("bb1.iad"), dev("edge1.iad")}}},
	{"bgp-update-source-removed", "bgp-session", Block, []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
		[][2]end{{dev("edge1.sin"), dev("bb1.fra")}, {dev("edge1.sin"), dev("bb1.iad")}}},
	{"bgp-local-as-transit", "bgp-session", Block, []string{"bgp-sessions", "both-ends-agree", "critical-prefixes-to-transit"},
		[][2]end{{dev("edge1.iad"), peer("cogent-iad")}, {dev("edge1.iad"), peer("transitb-iad")}}},
	// BGP semantics.
	{"no-export-to-transit", "bgp-semantics", Block, []string{"critical-prefixes-to-transit", "dns-anycast"}, nil},
	{"blackhole-to-transit", "bgp-semantics", Block, []string{"critical-prefixes-to-transit", "dns-anycast"}, nil},
	{"prepend-transit-own-as", "bgp-semantics", Block, []string{"critical-prefixes-to-transit", "dns-anycast"}, nil},
	{"local-pref-zero-anycast", "bgp-semantics", Block, []string{"dns-anycast"}, nil},
	{"route-type-transit-out", "bgp-semantics", Block, []string{"critical-prefixes-to-transit"}, nil},
	{"dns-more-specific-hijack", "bgp-semantics", Block, []string{"critical-prefixes-to-transit", "dns-anycast"}, nil},
	{"ebgp-next-hop-off-subnet", "bgp-semantics", Block, []string{"critical-prefixes-to-transit", "dns-anycast"}, nil},
	{"bgp-next-hop-via-default", "bgp-semantics", Block, []string{"critical-prefixes-to-transit"}, nil},
	{"origin-incomplete-anycast", "bgp-semantics", Block, []string{"dns-anycast"}, nil},
	{"bgp-multipath-transit", "bgp-semantics", Pass, nil, nil},
	{"deterministic-med", "bgp-semantics", Pass, nil, nil},
	// Forwarding and health.
	{"dc-discard-static-backbone", "forwarding", Block, []string{"critical-prefixes-to-transit", "dns-anycast"}, nil},
	{"ecmp-branch-blackholed", "forwarding", Block, []string{"critical-prefixes-to-transit"}, nil},
	{"edge-default-discard", "forwarding", Block, []string{"internet-egress"}, nil},
	{"rr-loopback-duplicate", "forwarding", Block, []string{"both-ends-agree"}, [][2]end{{dev("bb1.fra"), dev("bb2.fra")}}},
	{"link-same-address", "forwarding", Block, []string{"both-ends-agree"}, [][2]end{{dev("bb1.sjc"), dev("bb1.iad")}}},
}

// outageNames: for scenarios whose point is where the traffic is lost, what
// one blocking finding must say (in its summary, objects or evidence) and the
// device and config path its causes must name. ecmp-branch-blackholed: edge1.ams splits its
// traffic for 157.240.1.0/24 over bb1.ams and bb2.ams, and only bb1.ams has
// the discard route.
var outageNames = map[string]struct {
	text              []string
	device, causePath string
}{
	"ecmp-branch-blackholed": {[]string{"157.240.0.0/16", "edge1.ams", "157.240.1.0/24", "not every branch arrives",
		"bb1.ams drops traffic to 157.240.1.0: discard static route 157.240.1.0/24"}, "bb1.ams", "static[prefix=157.240.1.0/24]"},
}

// TestOutageScenarios judges every outage-class scenario twice, from its
// candidate files and from its SetRequest (change.json applied to running):
// both must give the table's verdict and exactly its invariants, and for
// agreement-class changes a both-ends-agree finding must name both ends,
// with a leaf path on each end that is in the inventory. The table also
// pins scenario.yaml, so the generator and this test cannot drift apart.
func TestOutageScenarios(t *testing.T) {
	root := "../../testdata"
	running, err := snapshot.Load(filepath.Join(root, "backbone"))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Load("../../policies/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, oc := range outageCases {
		t.Run(oc.name, func(t *testing.T) {
			dir := filepath.Join(root, "scenarios", oc.name)
			spec := readSpec(t, dir)
			want := slices.Clone(oc.findings)
			slices.Sort(want)
			if spec.Expect != oc.verdict || !slices.Equal(spec.ExpectFindings, want) {
				t.Fatalf("scenario.yaml expects %s %v, the table %s %v", spec.Expect, spec.ExpectFindings, oc.verdict, want)
			}
			if slices.Contains(want, "both-ends-agree") != (len(oc.ends) > 0) {
				t.Fatalf("agreement-class scenarios (and only they) list the ends to name")
			}
			for _, form := range candidateForms(t, running, dir, "change.json") {
				rep, err := Check(Input{Running: running, Candidate: form.cand, Policy: pol, Version: "test"})
				if err != nil {
					t.Fatalf("%s: %v", form.name, err)
				}
				checkOutage(t, form.name, oc, want, rep)
			}
		})
	}
}

func checkOutage(t *testing.T, form string, oc outageCase, want []string, rep *Report) {
	t.Helper()
	if rep.Verdict != oc.verdict {
		t.Errorf("%s: verdict %s, want %s\n%s", form, rep.Verdict, oc.verdict, rep.Headline)
	}
	var fired []string
	for _, f := range rep.Findings {
		if !f.Baseline && !slices.Contains(fired, f.Invariant) {
			fired = append(fired, f.Invariant)
		}
	}
	slices.Sort(fired)
	if !slices.Equal(fired, want) {
		t.Errorf("%s: findings from %v, want %v", form, fired, want)
	}
	if t.Failed() {
		for _, f := range rep.Findings {
			t.Logf("  %s: %s %s: %s", form, f.Severity, f.Invariant, f.Summary)
		}
	}
	if want, ok := outageNames[oc.name]; ok && !namesAll(rep.Findings, want.text, want.device, want.causePath) {
		t.Errorf("%s: no blocking finding says all of %q with a cause on %s %s", form, want.text, want.device, want.causePath)
	}
	for _, pair := range oc.ends {
		if !namesBothEnds(rep.Findings, pair) {
			t.Errorf("%s: no both-ends-agree finding names both %s and %s (device in the objects or summary, and a leaf path on each inventoried end)",
				form, pair[0].name, pair[1].name)
			for _, f := range rep.Findings {
				if f.Invariant == "both-ends-agree" {
					t.Logf("  objects %q evidence %q", f.Objects, f.Evidence)
				}
			}
		}
	}
}

// namesBothEnds: some blocking both-ends-agree finding names both ends in
// its objects or summary and, for each end in the inventory, shows a leaf
// of that device ("<device> /path" in the evidence, or a cause on it).
func namesBothEnds(findings []policy.Finding, pair [2]end) bool {
	for _, f := range findings {
		if f.Invariant != "both-ends-agree" || f.Baseline || f.Severity != policy.Block {
			continue
		}
		text := " " + strings.Join(f.Objects, " ") + " " + f.Summary + " "
		ok := true
		for _, e := range pair {
			if !mentions(text, e.name) {
				ok = false
				break
			}
			if e.leaf && !hasLeaf(f, e.name) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// namesAll: some blocking finding contains every one of text in its
// summary, objects or evidence, and has a cause on device whose path
// contains path.
func namesAll(findings []policy.Finding, text []string, device, path string) bool {
	for _, f := range findings {
		if f.Baseline || f.Severity != policy.Block {
			continue
		}
		all := f.Summary + "\n" + strings.Join(f.Objects, "\n") + "\n" + strings.Join(f.Evidence, "\n")
		if slices.ContainsFunc(text, func(s string) bool { return !strings.Contains(all, s) }) {
			continue
		}
		if slices.ContainsFunc(f.Causes, func(c change.Item) bool { return c.Device == device && strings.Contains(c.Path, path) }) {
			return true
		}
	}
	return false
}

// mentions: name appears as a whole word (bb1.fra must not match in xbb1.fra).
func mentions(text, name string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], name)
		if j < 0 {
			return false
		}
		j += i
		before, after := text[j-1], byte(' ')
		if k := j + len(name); k < len(text) {
			after = text[k]
			if after == '.' && (k+1 == len(text) || !isNameByte(text[k+1])) {
				after = ' ' // a full stop ends the sentence, not the name
			}
		}
		if !isNameByte(before) && !isNameByte(after) {
			return true
		}
		i = j + 1
	}
}

func isNameByte(b byte) bool {
	return b == '.' || b == '-' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func hasLeaf(f policy.Finding, device string) bool {
	for _, e := range f.Evidence {
		if strings.HasPrefix(strings.TrimSpace(e), device+" /") {
			return true
		}
	}
	for _, c := range f.Causes {
		if c.Device == device && c.Path != "" {
			return true
		}
	}
	return false
}
