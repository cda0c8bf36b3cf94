package change

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/lab"
	"github.com/backstop-net/backstop/internal/snapshot"
)

func setFleet(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := lab.Fleet(4, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func setWrite(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func setApplyFile(t *testing.T, running *snapshot.Snapshot, body, target string) (*snapshot.Snapshot, error) {
	t.Helper()
	name := "change.textproto"
	if b := strings.TrimSpace(body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		name = "change.json"
	}
	reqs, err := LoadSetRequests(setWrite(t, name, body), target)
	if err != nil {
		return nil, err
	}
	return ApplySetRequests(running, reqs)
}

const setBGP = `elem: {name: "network-instances"} elem: {name: "network-instance" key: {key: "name" value: "DEFAULT"}}
  elem: {name: "protocols"} elem: {name: "protocol" key: {key: "identifier" value: "BGP"} key: {key: "name" value: "BGP"}}
  elem: {name: "bgp"}`

func TestSetRequestDisableInterface(t *testing.T) {
	run := setFleet(t)
	cand, err := setApplyFile(t, run, `
prefix: {origin: "openconfig" target: "r001"}
update: {
  path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "et-0/0/0"}} elem: {name: "config"} elem: {name: "enabled"}}
  val: {bool_val: false}
}`, "")
	if err != nil {
		t.Fatal(err)
	}
	got := cand.Devices["r001"].Tree.GetInterface("et-0/0/0").GetEnabled()
	if got {
		t.Errorf("candidate et-0/0/0 still enabled")
	}
	if !run.Devices["r001"].Tree.GetInterface("et-0/0/0").GetEnabled() {
		t.Errorf("running was modified")
	}
	if cand.Devices["r002"] != run.Devices["r002"] {
		t.Errorf("untouched device not shared")
	}
	if !strings.Contains(string(cand.Devices["r001"].Raw), `"enabled": false`) {
		t.Errorf("Raw not re-rendered")
	}
	if cand.Devices["r001"].File == "" {
		t.Errorf("File not set")
	}
}

func TestSetRequestSubtreeReplaceAndDelete(t *testing.T) {
	run := setFleet(t)
	// r003 has two reflector sessions and a transit session. Replace the
	// neighbors sub-tree with one session, in protobuf JSON.
	cand, err := setApplyFile(t, run, `{
  "prefix": {"target": "r003"},
  "replace": [{
    "path": {"elem": [{"name": "network-instances"}, {"name": "network-instance", "key": {"name": "DEFAULT"}},
      {"name": "protocols"}, {"name": "protocol", "key": {"identifier": "BGP", "name": "BGP"}}, {"name": "bgp"}, {"name": "neighbors"}]},
    "val": {"jsonIetfVal": "`+b64(`{"neighbor": [{"neighbor-address": "10.255.0.1", "config": {"neighbor-address": "10.255.0.1", "peer-group": "IBGP"}}]}`)+`"}
  }]
}`, "")
	if err != nil {
		t.Fatal(err)
	}
	bgp := cand.Devices["r003"].Tree.GetNetworkInstance("DEFAULT")
	var n int
	for _, p := range bgp.Protocol {
		if p.Bgp != nil {
			n = len(p.Bgp.Neighbor)
		}
	}
	if n != 1 {
		t.Errorf("after replace: %d neighbors, want 1", n)
	}

	// Delete one reflector session with a textproto and the --target flag.
	cand, err = setApplyFile(t, run, `delete: {`+setBGP+` elem: {name: "neighbors"} elem: {name: "neighbor" key: {key: "neighbor-address" value: "10.255.0.2"}}}`, "r003")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cand.Devices["r003"].Tree.GetNetworkInstance("DEFAULT").Protocol {
		if p.Bgp != nil {
			if _, ok := p.Bgp.Neighbor["10.255.0.2"]; ok {
				t.Errorf("neighbor 10.255.0.2 not deleted")
			}
			if len(p.Bgp.Neighbor) != 2 {
				t.Errorf("after delete: %d neighbors, want 2", len(p.Bgp.Neighbor))
			}
		}
	}
}

func TestSetRequestList(t *testing.T) {
	run := setFleet(t)
	upd := func(dev string) string {
		return `{"prefix": {"target": "` + dev + `"}, "update": [{"path": {"elem": [{"name": "interfaces"}, {"name": "interface", "key": {"name": "lo0"}}, {"name": "config"}, {"name": "description"}]}, "val": {"stringVal": "changed"}}]}`
	}
	cand, err := setApplyFile(t, run, "["+upd("r000")+","+upd("r002")+"]", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"r000", "r002"} {
		if got := cand.Devices[d].Tree.GetInterface("lo0").GetDescription(); got != "changed" {
			t.Errorf("%s description %q", d, got)
		}
	}
}

func TestSetRequestFailures(t *testing.T) {
	run := setFleet(t)
	cases := []struct {
		name, body, target string
		want               []string
	}{
		{"bad leafref", `prefix: {target: "r002"}
update: {path: {` + setBGP + ` elem: {name: "neighbors"} elem: {name: "neighbor" key: {key: "neighbor-address" value: "10.255.0.1"}} elem: {name: "config"} elem: {name: "peer-group"}}
  val: {string_val: "NO-SUCH-GROUP"}}`, "", []string{"r002", "peer-group", "NO-SUCH-GROUP"}},
		{"unknown device", `prefix: {target: "r999"} delete: {elem: {name: "interfaces"}}`, "", []string{"r999"}},
		{"unknown path", `prefix: {target: "r001"} delete: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "lo0"}} elem: {name: "frobnicate"}}`, "", []string{"r001", "/interfaces/interface[name=lo0]/frobnicate"}},
		{"bad value", `prefix: {target: "r001"} update: {path: {elem: {name: "interfaces"} elem: {name: "interface" key: {key: "name" value: "lo0"}} elem: {name: "config"} elem: {name: "mtu"}} val: {string_val: "big"}}`, "", []string{"r001", "/interfaces/interface[name=lo0]/config/mtu"}},
		{"no target", `delete: {elem: {name: "interfaces"}}`, "", []string{"--target"}},
		{"target mismatch", `prefix: {target: "r001"} delete: {elem: {name: "interfaces"}}`, "r002", []string{"r001", "r002"}},
		{"garbage", `this is not a SetRequest`, "r001", []string{"textproto"}},
		{"empty", `prefix: {target: "r001"}`, "", []string{"changes nothing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := setApplyFile(t, run, c.body, c.target)
			if err == nil {
				t.Fatal("applied")
			}
			if fault.ExitCode(err) != 4 {
				t.Errorf("exit code %d, want 4: %v", fault.ExitCode(err), err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
