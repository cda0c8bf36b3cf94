package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/lab"
)

// Paths into the shipped backbone used by the fail-closed cases below.
const (
	transitOut = `elem: {name: "routing-policy"} elem: {name: "policy-definitions"}
  elem: {name: "policy-definition" key: {key: "name" value: "TRANSIT-OUT"}} elem: {name: "statements"}
  elem: {name: "statement" key: {key: "name" value: "10-critical"}}`
	transitNbr = `elem: {name: "network-instances"} elem: {name: "network-instance" key: {key: "name" value: "DEFAULT"}}
  elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "BGP"} key: {key: "name" value: "BGP"}}
  elem: {name: "bgp"} elem: {name: "neighbors"} elem: {name: "neighbor" key: {key: "neighbor-address" value: "203.0.113.9"}}`
	bbIface = `elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}} elem: {name: "config"}`
)

// hijackOps: a discard static for a /24 of the DNS anycast /23 on a DC router,
// admitted by its redistribution policy.
const hijackOps = `update: {path: {elem: {name: "network-instances"} elem: {name: "network-instance" key: {key: "name" value: "DEFAULT"}}
  elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "STATIC"} key: {key: "name" value: "STATIC"}}
  elem: {name: "static-routes"} elem: {name: "static" key: {key: "prefix" value: "129.134.30.0/24"}}}
  val: {json_ietf_val: '{"prefix": "129.134.30.0/24", "config": {"prefix": "129.134.30.0/24"}, "next-hops": {"next-hop": [{"index": "DISCARD", "config": {"index": "DISCARD", "next-hop": "openconfig-local-routing:DROP"}}]}}'}}
update: {path: {elem: {name: "routing-policy"} elem: {name: "defined-sets"} elem: {name: "prefix-sets"} elem: {name: "prefix-set" key: {key: "name" value: "DC-PREFIXES"}}
  elem: {name: "prefixes"} elem: {name: "prefix" key: {key: "ip-prefix" value: "129.134.30.0/24"} key: {key: "masklength-range" value: "exact"}}}
  val: {json_ietf_val: '{"ip-prefix": "129.134.30.0/24", "masklength-range": "exact", "config": {"ip-prefix": "129.134.30.0/24", "masklength-range": "exact"}}'}}`

func setCommunity(c string) string {
	return `update: {path: {` + transitOut + ` elem: {name: "actions"}} val: {json_ietf_val: '{"openconfig-bgp-policy:bgp-actions": {"set-community": {"config": {"method": "INLINE", "options": "ADD"}, "inline": {"config": {"communities": ["` + c + `"]}}}}}'}}`
}

// Changes that real routers turn into an outage, or that backstop cannot
// judge, must never PASS; each case names what the report must say.
func TestFailClosedChanges(t *testing.T) {
	cases := []struct {
		name, target, ops string
		code              int
		want              []string
	}{
		{"MTU changed on one end of a backbone link", "bb1.ams",
			`update: {path: {` + bbIface + ` elem: {name: "mtu"}} val: {uint_val: 1500}}`,
			3, []string{"both-ends-agree", "mtu"}},
		{"NO_EXPORT on the critical prefixes towards two transits", "edge1.fra",
			setCommunity("openconfig-bgp-types:NO_EXPORT"),
			0, []string{"WARN", "keeps it from the Internet"}},
		{"BLACKHOLE on the critical prefixes towards two transits", "edge1.fra",
			setCommunity("65535:666"),
			0, []string{"WARN", "BLACKHOLE"}},
		{"a policy condition backstop does not model", "edge1.fra",
			`update: {path: {` + transitOut + ` elem: {name: "conditions"}} val: {json_ietf_val: '{"openconfig-bgp-policy:bgp-conditions": {"config": {"next-hop-in": ["192.0.2.1"]}}}'}}`,
			3, []string{"cannot judge", "next-hop-in", "TRANSIT-OUT"}},
		{"a DC originates a more specific of the DNS anycast prefix", "dc1.frc", hijackOps,
			3, []string{"dns-anycast", "critical-prefixes-to-transit", "dc1.frc originates 129.134.30.0/24"}},
		{"a password towards a transit on our end only", "edge1.fra",
			`update: {path: {` + transitNbr + ` elem: {name: "config"} elem: {name: "auth-password"}} val: {string_val: "n3w-s3cret"}}`,
			3, []string{"both-ends-agree", "authentication password configured on edge1.fra only", "lumen-fra is outside the inventory", "config/auth-password"}},
		{"a new local AS towards a transit", "edge1.fra",
			`update: {path: {` + transitNbr + ` elem: {name: "config"} elem: {name: "local-as"}} val: {uint_val: 65010}}`,
			3, []string{"local-as"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := writeChange(t, "prefix: {target: \""+tc.target+"\"}\n"+tc.ops+"\n")
			code, out, stderr := runCLI(t, "check", "--running", td+"/backbone", "--change", f)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %.3000s\nstderr: %s", code, tc.code, out, stderr)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("output lacks %q:\n%.3000s", w, out)
				}
			}
		})
	}
}

func writePolicy(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A policy that names nothing in the running network would pass every
// change: it is bad input (exit 4) naming the file, the line and the typo.
func TestVacuousPolicyIsBadInput(t *testing.T) {
	cases := []struct{ name, inv, want string }{
		{"role typo", "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.240.0.0/16], to_roles: [transits], min_sites: 1, min_sessions: 1}",
			`line 3: invariant "cp": to_peers: no BGP peer matches {role transits} (peer roles: anycast:dns, transit`},
		{"service typo", "  - {name: dns, kind: anycast, severity: block, service: dnss, min_healthy_sites: 1}",
			`line 3: invariant "dns": service "dnss" is not declared`},
		{"prefix not in the network", "  - {name: cp, kind: critical_prefixes, severity: block, prefixes: [157.241.0.0/16], to_roles: [transit], min_sites: 1, min_sessions: 1}",
			"prefix 157.241.0.0/16 is not originated or carried anywhere"},
		{"unknown device in a selector", "  - {name: s, kind: bgp_sessions, severity: block, critical: [{device: edge9.fra}]}",
			`device "edge9.fra" is not in the inventory`},
		{"unknown role in reachability", "  - {name: r, kind: reachability, severity: block, from: [role:spine], to: [10.200.0.0/16]}",
			`from: "role:spine" matches no device`},
		{"negative minimum", "  - {name: dns, kind: anycast, severity: block, service: dns, min_healthy_sites: -5}", "line 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pol := writePolicy(t, "version: 1\ninvariants:\n"+tc.inv+"\n")
			code, out, stderr := runCLI(t, "check", "--running", td+"/backbone", "--candidate", td+"/scenarios/cosmetic/candidate", "--policy", pol)
			if code != 4 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, pol) {
				t.Errorf("exit %d, want 4 with %q and the file name in stderr\nstdout: %.300s\nstderr: %s", code, tc.want, out, stderr)
			}
		})
	}
}

// Without environment.yaml the default policy's critical_prefixes and
// anycast invariants have nothing to check: exit 4 saying what to add.
func TestMissingEnvironmentIsBadInput(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(td, "backbone"), dir)
	if err := os.Remove(filepath.Join(dir, "environment.yaml")); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "check", "--running", dir, "--candidate", td+"/scenarios/drain-backbone/candidate")
	if code != 4 || !strings.Contains(stderr, "add external_peers") {
		t.Errorf("exit %d, want 4 saying to add external_peers\nstdout: %.300s\nstderr: %s", code, out, stderr)
	}
}

// A running network that already violates the policy is reported as
// already broken (WARN), never as passed, and not blamed on the change.
func TestBaselineIsJudged(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(td, "backbone"), dir)
	copyTree(t, filepath.Join(td, "scenarios/drain-backbone/candidate"), filepath.Join(dir, "configs"))
	for _, failOn := range []struct {
		flag string
		code int
	}{{"block", 0}, {"warn", 3}} {
		code, out, stderr := runCLI(t, "check", "--running", dir, "--candidate", dir, "--fail-on", failOn.flag)
		if code != failOn.code {
			t.Fatalf("--fail-on %s: exit %d, want %d\n%.2000s\n%s", failOn.flag, code, failOn.code, out, stderr)
		}
		flat := strings.Join(strings.Fields(out), " ")
		for _, w := range []string{"WARN", "already broken in the running network", "dns anycast", "prefix 157.240.0.0/16"} {
			if !strings.Contains(flat, w) {
				t.Errorf("output lacks %q:\n%.3000s", w, out)
			}
		}
	}
}

// An explicit relaxation turns a blocking unmodelled change into a warning
// that carries the reason in the report.
func TestAllowRuleShowsItsReason(t *testing.T) {
	pol := writePolicy(t, `version: 1
invariants:
  - name: unmodelled-config
    kind: unmodelled
    changed: block
    present: ignore
    allow:
      - {path: "/acl/*", reason: "ingress filters reviewed by the security team"}
`)
	code, out, stderr := runCLI(t, append(scenario("unmodelled-change"), "--policy", pol)...)
	flat := strings.Join(strings.Fields(out), " ")
	if code != 0 || !strings.Contains(flat, "WARN") || !strings.Contains(flat, "ingress filters reviewed by the security team") {
		t.Errorf("exit %d, want 0 (WARN) with the allow reason\nstdout: %.2000s\nstderr: %s", code, out, stderr)
	}
	code, _, _ = runCLI(t, scenario("unmodelled-change")...)
	if code != 3 {
		t.Errorf("without the allow rule: exit %d, want 3 (the default policy blocks unmodelled changes)", code)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A change that carries a password and fails to apply must not print the
// password: exit-4 messages end up in CI logs and pull-request comments.
func TestSecretsStayOutOfErrors(t *testing.T) {
	const secret = "Sup3rS3cret-9f2"
	nbr := `elem: {name: "network-instances"} elem: {name: "network-instance" key: {key: "name" value: "DEFAULT"}}
  elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "BGP"} key: {key: "name" value: "BGP"}}
  elem: {name: "bgp"} elem: {name: "neighbors"} elem: {name: "neighbor" key: {key: "neighbor-address" value: "203.0.113.9"}} elem: {name: "config"}`
	cases := []struct{ name, ops string }{
		{"unknown leaf next to the password", `update: {path: {` + nbr + `} val: {json_ietf_val: '{"auth-password": "` + secret + `", "bogus-leaf": 1}'}}`},
		{"wrong type next to the password", `update: {path: {` + nbr + `} val: {json_ietf_val: '{"auth-password": "` + secret + `", "peer-as": "x"}'}}`},
		{"password as a typed value of the wrong type", `update: {path: {` + nbr + ` elem: {name: "auth-password"}} val: {ascii_val: "` + secret + `"}} update: {path: {` + nbr + ` elem: {name: "peer-as"}} val: {string_val: "` + secret + `"}}`},
		{"password in invalid JSON", `update: {path: {` + nbr + `} val: {json_ietf_val: '{"auth-password": "` + secret + `",'}}`},
		{"replace with a bad payload", `replace: {path: {` + nbr + `} val: {json_ietf_val: '{"auth-password": "` + secret + `", "peer-as": 4294967296}'}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := writeChange(t, "prefix: {target: \"edge1.fra\"}\n"+tc.ops+"\n")
			code, out, stderr := runCLI(t, "check", "--running", td+"/backbone", "--change", f)
			if code != 4 {
				t.Errorf("exit %d, want 4\nstdout: %.300s\nstderr: %s", code, out, stderr)
			}
			if strings.Contains(stderr+out, secret) {
				t.Errorf("the password is printed:\n%s", stderr)
			}
			if !strings.Contains(stderr, "neighbor-address=203.0.113.9") {
				t.Errorf("the error does not name the path:\n%s", stderr)
			}
		})
	}
}

// pull without an environment says that check will need one, and writes no
// empty environment.yaml that would look like a deliberate declaration.
func TestPullWithoutEnvironmentWarns(t *testing.T) {
	s, err := lab.Fleet(3, 0)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	dir := t.TempDir()
	inv, err := l.Inventory().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	invPath := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(invPath, inv, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "snap")
	code, stdout, stderr := runCLI(t, "pull", "--inventory", invPath, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "warning: no environment") || !strings.Contains(stderr, "exit 4") {
		t.Errorf("no warning about the missing environment:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "environment.yaml")); err == nil {
		t.Errorf("an empty environment.yaml was written")
	}
}

// A value change inside a vendor augmentation is a change of the device:
// backstop cannot read it, so the default policy blocks it.
func TestVendorAugmentationValueChangeBlocks(t *testing.T) {
	withAug := func(dir, value string) {
		p := filepath.Join(dir, "configs", "edge1.fra.json")
		var tree map[string]any
		b, err := os.ReadFile(filepath.Join(td, "backbone/configs/edge1.fra.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &tree); err != nil {
			t.Fatal(err)
		}
		tree["acme-bgp:tuning"] = map[string]any{"hold-time": value, "peers": []any{"203.0.113.9"}}
		out, _ := json.MarshalIndent(tree, "", "  ")
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run, cand := t.TempDir(), t.TempDir()
	copyTree(t, filepath.Join(td, "backbone"), run)
	withAug(run, "90")
	os.MkdirAll(filepath.Join(cand, "configs"), 0o755)
	withAug(cand, "3")
	code, out, stderr := runCLI(t, "check", "--running", run, "--candidate", filepath.Join(cand, "configs"))
	flat := strings.Join(strings.Fields(out), " ")
	if code != 3 || !strings.Contains(flat, "acme-bgp:tuning") || !strings.Contains(flat, "unmodelled-config") {
		t.Errorf("exit %d, want 3 (BLOCK) by unmodelled-config naming acme-bgp:tuning\nstdout: %.2000s\nstderr: %s", code, out, stderr)
	}
	// The same augmentation with the same value is no change at all.
	withAug(cand, "90")
	code, out, _ = runCLI(t, "check", "--running", run, "--candidate", filepath.Join(cand, "configs"), "-o", "json")
	var rep struct {
		Summary struct {
			DevicesChanged int `json:"devices_changed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Summary.DevicesChanged != 0 {
		t.Errorf("unchanged augmentation: exit %d, %d devices changed (%v)", code, rep.Summary.DevicesChanged, err)
	}
}

// A change that applies and sets a password never shows it in any report.
func TestSecretsStayOutOfReports(t *testing.T) {
	const secret = "Sup3rS3cret-77a"
	ops := `update: {path: {` + transitNbr + ` elem: {name: "config"} elem: {name: "auth-password"}} val: {string_val: "` + secret + `"}}`
	f := writeChange(t, "prefix: {target: \"edge1.fra\"}\n"+ops+"\n")
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "check", "--running", td+"/backbone", "--change", f, "--report-dir", dir)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (a one-sided password towards a transit)\n%.1000s\n%s", code, out, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) < 5 {
		t.Fatalf("report-dir holds %d files", len(files))
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s prints the password", filepath.Base(p))
		}
	}
	if strings.Contains(out+stderr, secret) {
		t.Error("the text report prints the password")
	}
}
