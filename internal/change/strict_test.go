package change

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
)

// A SetRequest's JSON values and its result are held to the same strictness
// as a candidate file: each bad input is exit 4 naming the gNMI path.
func TestSetRequestStrictValues(t *testing.T) {
	run := setFleet(t)
	ifUpdate := func(val string) string {
		return `prefix: {target: "r001"}
update: {
  path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}}}
  val: {json_ietf_val: '` + val + `'}
}`
	}
	nbr := func(val string) string {
		return `prefix: {target: "r001"}
update: {
  path: {` + setBGP + ` elem: {name: "neighbors"}}
  val: {json_ietf_val: '` + val + `'}
}`
	}
	cases := []struct {
		name, body string
		want       []string
	}{
		{"duplicate member", ifUpdate(`{"name": "et-0/0/0", "config": {"name": "et-0/0/0", "enabled": true,\n "enabled": false}}`),
			[]string{"r001", "/interfaces/interface[name=et-0/0/0]/config", `duplicate member "enabled"`, "line 2 of the value"}},
		{"duplicate list entry", nbr(`{"neighbor": [{"neighbor-address": "192.0.2.9", "config": {"neighbor-address": "192.0.2.9", "peer-as": 1}},\n {"neighbor-address": "192.0.2.9", "config": {"neighbor-address": "192.0.2.9", "peer-as": 2}}]}`),
			[]string{"/bgp/neighbors/neighbor[neighbor-address=192.0.2.9]", "duplicate list entry"}},
		{"fraction in peer-as", nbr(`{"neighbor": [{"neighbor-address": "192.0.2.9", "config": {"neighbor-address": "192.0.2.9", "peer-as": 3356.5}}]}`),
			[]string{"neighbor[neighbor-address=192.0.2.9]/config/peer-as", "3356.5 is not an integer"}},
		{"invalid UTF-8", ifUpdate("{\"name\": \"et-0/0/0\", \"config\": {\"description\": \"\\377\"}}"),
			[]string{"/interfaces/interface[name=et-0/0/0]", "invalid UTF-8"}},
		{"prefix-length 0 as a scalar update", `prefix: {target: "r001"}
update: {
  path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}}
    elem: {name: "subinterfaces"} elem: {name: "subinterface" key: {key: "index" value: "0"}}
    elem: {name: "ipv4"} elem: {name: "addresses"} elem: {name: "address" key: {key: "ip" value: "192.0.2.200"}}
    elem: {name: "config"}}
  val: {json_ietf_val: '{"ip": "192.0.2.200", "prefix-length": 0}'}
}`, []string{"address[ip=192.0.2.200]/config/prefix-length", "prefix-length 0 on an interface address"}},
		{"prefix-length 0 as a uint leaf", `prefix: {target: "r001"}
update: {
  path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}}
    elem: {name: "subinterfaces"} elem: {name: "subinterface" key: {key: "index" value: "0"}}
    elem: {name: "ipv4"} elem: {name: "addresses"} elem: {name: "address" key: {key: "ip" value: "192.0.2.200"}}
    elem: {name: "config"} elem: {name: "prefix-length"}}
  val: {uint_val: 0}
}`, []string{"address[ip=192.0.2.200]/config/prefix-length", "prefix-length 0 on an interface address"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := setApplyFile(t, run, tc.body, "")
			if err == nil || fault.KindOf(err) != fault.BadInput {
				t.Fatalf("err = %v, want bad input", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
