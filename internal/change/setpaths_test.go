package change

import (
	"strings"
	"sync"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/snapshot"
)

var (
	backboneOnce sync.Once
	backboneSnap *snapshot.Snapshot
	backboneErr  error
)

func backbone(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	backboneOnce.Do(func() { backboneSnap, backboneErr = snapshot.Load("../../testdata/backbone") })
	if backboneErr != nil {
		t.Fatal(backboneErr)
	}
	return backboneSnap
}

const (
	bbNI   = `elem: {name: "network-instances"} elem: {name: "network-instance" key: {key: "name" value: "DEFAULT"}}`
	bbISIS = bbNI + ` elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "ISIS"} key: {key: "name" value: "ISIS"}}`
)

// Set paths: wildcards are refused; keyed protocol deletes and whole-device
// or whole-protocol deletes and replaces apply (the device accepts them; the
// simulation judges them) and never crash.
func TestSetRequestPaths(t *testing.T) {
	run := backbone(t)
	cases := []struct {
		name string
		ops  string
		want []string // in the error; nil: applies
		// for applied requests: a path that must be gone from bb1.ams's candidate
		gone string
	}{
		{"wildcard key value", `update: {path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "*"}} elem: {name: "config"} elem: {name: "enabled"}} val: {bool_val: false}}`,
			[]string{"bb1.ams", "/interfaces/interface[name=*]/config/enabled", `wildcard "*" as the value of key name`}, ""},
		{"wildcard element", `delete: {elem: {name: "interfaces"} elem: {name: "*"}}`,
			[]string{"delete /interfaces/*", `wildcard "*" as a path element`}, ""},
		{"ellipsis element", `replace: {path: {elem: {name: "..."} elem: {name: "config"}} val: {json_ietf_val: '{}'}}`,
			[]string{"replace /.../config", `wildcard "..."`}, ""},
		{"wildcard in a delete key", `delete: {` + bbNI + ` elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "*"} key: {key: "name" value: "ISIS"}}}`,
			[]string{`wildcard "*" as the value of key identifier`}, ""},
		{"key in the value contradicts the path", `update: {path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}}} val: {json_ietf_val: '{"name": "et-9/9/9", "config": {"name": "et-9/9/9"}}'}}`,
			[]string{"/interfaces/interface[name=et-0/0/0]", "key name=et-9/9/9 contradicts the path"}, ""},
		{"delete a keyed protocol", `delete: {` + bbISIS + `}`, nil, "/protocols/protocol[identifier=ISIS]"},
		{"delete a keyed protocol, identity with module", `delete: {` + strings.Replace(bbISIS, `value: "ISIS"`, `value: "openconfig-policy-types:ISIS"`, 1) + `}`, nil, "/protocols/protocol[identifier=ISIS]"},
		{"delete BGP", `delete: {` + strings.ReplaceAll(bbISIS, "ISIS", "BGP") + `}`, nil, "/protocols/protocol[identifier=BGP]"},
		{"replace a protocol with {}", `replace: {path: {` + bbISIS + `} val: {json_ietf_val: '{}'}}`, nil, "/isis/"},
		{"delete all protocols", `delete: {` + bbNI + ` elem: {name: "protocols"}}`, nil, "/protocols/"},
		{"delete the network instance", `delete: {` + bbNI + `}`, nil, "/network-instances/"},
		{"delete /", `delete: {}`, nil, "/"},
		{"replace / with {}", `replace: {path: {} val: {json_ietf_val: '{}'}}`, nil, "/"},
		{"replace / with {} as json_val", `replace: {path: {} val: {json_val: '{}'}}`, nil, "/"},
		{"delete the IS-IS global container", `delete: {` + bbISIS + ` elem: {name: "isis"} elem: {name: "global"}}`, nil, "/isis/global/"},
		{"delete interfaces still referenced by IS-IS", `delete: {elem: {name: "interfaces"}}`,
			[]string{"violates the schema", "delete /interfaces"}, ""},
		{"list without keys", `delete: {elem: {name: "interfaces"} elem: {name: "interface"}}`,
			[]string{"delete /interfaces/interface", "key name is not found"}, ""},
		{"null value", `update: {path: {elem: {name: "interfaces"}} val: {json_ietf_val: 'null'}}`,
			[]string{"update /interfaces", "must be a JSON object"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := "prefix: {target: \"bb1.ams\"}\n" + tc.ops + "\n"
			cand, err := setApplyFile(t, run, body, "")
			if tc.want != nil {
				if err == nil || fault.KindOf(err) != fault.BadInput {
					t.Fatalf("err = %v, want bad input", err)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			cs, err := Diff(run, cand)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, it := range cs.Items {
				if it.Device == "bb1.ams" && it.Op == OpDelete && strings.Contains(it.Path, tc.gone) {
					found = true
				}
			}
			if !found {
				t.Errorf("no delete item containing %q in the diff (%d items)", tc.gone, len(cs.Items))
			}
		})
	}
}

// A config container inside an ordered list entry (a policy statement) has
// no struct of its own in the binding: its update and replace merge into
// the existing statement, in place, instead of failing on "unable to append
// new ordered map element" (a valid change refused as bad input).
func TestSetRequestConfigInOrderedList(t *testing.T) {
	run := backbone(t)
	st := `elem: {name: "routing-policy"} elem: {name: "policy-definitions"} elem: {name: "policy-definition" key: {key: "name" value: "TRANSIT-OUT"}} elem: {name: "statements"} elem: {name: "statement" key: {key: "name" value: "10-critical"}} elem: {name: "actions"} elem: {name: "config"}`
	for _, op := range []string{"update", "replace"} {
		t.Run(op, func(t *testing.T) {
			body := "prefix: {target: \"edge1.ams\"}\n" + op + `: {path: {` + st + `} val: {json_ietf_val: '{"policy-result": "REJECT_ROUTE"}'}}` + "\n"
			cand, err := setApplyFile(t, run, body, "")
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			cs, err := Diff(run, cand)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range cs.Items {
				got = append(got, it.Device+" "+it.Path+" "+it.Before+" → "+it.After)
			}
			want := "edge1.ams /routing-policy/policy-definitions/policy-definition[name=TRANSIT-OUT]/statements/statement[name=10-critical]/actions/config/policy-result ACCEPT_ROUTE → REJECT_ROUTE"
			if len(got) != 1 || got[0] != want {
				t.Fatalf("diff %q, want only %q", got, want)
			}
		})
	}
}
