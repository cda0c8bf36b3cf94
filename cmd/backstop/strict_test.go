package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeChange(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "change.textproto")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const isisPath = `elem: {name: "network-instances"} elem: {name: "network-instance" key: {key: "name" value: "DEFAULT"}}
  elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "ISIS"} key: {key: "name" value: "ISIS"}}`

var verdictLine = regexp.MustCompile(`(?m)^(PASS|WARN|BLOCK)\b`)

// Whole-device and whole-protocol SetRequests go through the whole check:
// a verdict (exit 0 or 3) with a report, never a crash or an internal error.
// Wildcards are bad input (exit 4) naming the path.
func TestCheckWholeDeviceSetRequests(t *testing.T) {
	cases := []struct {
		name, ops string
		code      int // 0 means "a verdict": 0 or 3; 3: BLOCK (a wiped router)
		stderr    string
	}{
		{"delete /", `delete: {}`, 3, ""},
		{"replace / with {}", `replace: {path: {} val: {json_ietf_val: '{}'}}`, 3, ""},
		{"delete a keyed protocol", `delete: {` + isisPath + `}`, 0, ""},
		{"delete a keyed protocol, module-qualified", `delete: {` + strings.Replace(isisPath, `value: "ISIS"`, `value: "openconfig-policy-types:ISIS"`, 1) + `}`, 0, ""},
		{"replace a protocol with {}", `replace: {path: {` + isisPath + `} val: {json_ietf_val: '{}'}}`, 0, ""},
		{"delete the IS-IS global container", `delete: {` + isisPath + ` elem: {name: "isis"} elem: {name: "global"}}`, 0, ""},
		{"wildcard", `update: {path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "*"}} elem: {name: "config"} elem: {name: "enabled"}} val: {bool_val: false}}`,
			4, `bb1.ams: update /interfaces/interface[name=*]/config/enabled: wildcard "*"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := writeChange(t, "prefix: {target: \"bb1.ams\"}\n"+tc.ops+"\n")
			code, out, stderr := runCLI(t, "check", "--running", td+"/backbone", "--change", f)
			if tc.code == 4 {
				if code != 4 || !strings.Contains(stderr, tc.stderr) {
					t.Errorf("exit %d, want 4 with %q in stderr:\n%s", code, tc.stderr, stderr)
				}
				return
			}
			if (code != 0 && code != 3) || (tc.code == 3 && code != 3) || !verdictLine.MatchString(out) {
				t.Errorf("exit %d, want a verdict (0 or 3)\nstdout: %.400s\nstderr: %s", code, out, stderr)
			}
		})
	}
}
