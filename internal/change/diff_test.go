package change

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/snapshot"
)

// diffBase is a small device exercising interfaces, IS-IS, BGP and policy.
const diffBase = `{
 "openconfig-interfaces:interfaces": {"interface": [
  {"name": "et-0/0/1", "config": {"name": "et-0/0/1", "enabled": true},
   "subinterfaces": {"subinterface": [{"index": 0, "config": {"index": 0},
    "ipv4": {"addresses": {"address": [{"ip": "10.0.0.1", "config": {"ip": "10.0.0.1", "prefix-length": 31}}]}}}]}}]},
 "openconfig-network-instance:network-instances": {"network-instance": [{"name": "DEFAULT", "config": {"name": "DEFAULT"},
  "protocols": {"protocol": [
   {"identifier": "ISIS", "name": "isis", "config": {"identifier": "ISIS", "name": "isis"},
    "isis": {"interfaces": {"interface": [{"interface-id": "et-0/0/1", "config": {"interface-id": "et-0/0/1"},
     "levels": {"level": [{"level-number": 2, "config": {"level-number": 2},
      "afi-safi": {"af": [{"afi-name": "IPV4", "safi-name": "UNICAST", "config": {"afi-name": "IPV4", "safi-name": "UNICAST", "metric": 10}}]}}]}}]}}},
   {"identifier": "BGP", "name": "bgp", "config": {"identifier": "BGP", "name": "bgp"},
    "bgp": {"global": {"config": {"as": 65000}},
     "neighbors": {"neighbor": [
      {"neighbor-address": "10.0.0.0", "config": {"neighbor-address": "10.0.0.0", "peer-as": 65001, "auth-password": "hunter2"}},
      {"neighbor-address": "203.0.113.1", "config": {"neighbor-address": "203.0.113.1", "peer-as": 64500},
       "apply-policy": {"config": {"export-policy": ["EXPORT"]}}}]}}}]}}]},
 "openconfig-routing-policy:routing-policy": {
  "defined-sets": {"prefix-sets": {"prefix-set": [{"name": "CRITICAL", "config": {"name": "CRITICAL"},
   "prefixes": {"prefix": [{"ip-prefix": "129.134.30.0/23", "masklength-range": "exact", "config": {"ip-prefix": "129.134.30.0/23", "masklength-range": "exact"}}]}}]}},
  "policy-definitions": {"policy-definition": [{"name": "EXPORT", "config": {"name": "EXPORT"},
   "statements": {"statement": [
    {"name": "10", "config": {"name": "10"}, "conditions": {"match-prefix-set": {"config": {"prefix-set": "CRITICAL"}}},
     "actions": {"config": {"policy-result": "ACCEPT_ROUTE"}}},
    {"name": "20", "config": {"name": "20"}, "actions": {"config": {"policy-result": "REJECT_ROUTE"}}}]}}]}}
}`

// edit returns diffBase with each old→new replacement applied once.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := diffBase
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("edit: %q not in base config", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func diffSnap(t *testing.T, configs map[string]string) *snapshot.Snapshot {
	t.Helper()
	s := &snapshot.Snapshot{Source: "test", Environment: &snapshot.Environment{}, Devices: map[string]*snapshot.DeviceConfig{}}
	for name, js := range configs {
		dc, err := snapshot.Decode(name, "configs/"+name+".json", []byte(js))
		if err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		s.Devices[name] = dc
	}
	return s
}

func mustDiff(t *testing.T, running, candidate map[string]string) *ChangeSet {
	t.Helper()
	cs, err := Diff(diffSnap(t, running), diffSnap(t, candidate))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// brief drops File/Line so the tables stay readable; they are tested apart.
func brief(items []Item) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		it.File, it.Line = "", 0
		out[i] = it
	}
	return out
}

const (
	bgpP   = "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=bgp]/bgp"
	isisP  = "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=isis]/isis"
	policy = "/routing-policy/policy-definitions/policy-definition[name=EXPORT]"
	pset   = "/routing-policy/defined-sets/prefix-sets/prefix-set[name=CRITICAL]"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name      string
		candidate string
		want      []Item
		text      string
	}{
		{
			name:      "interface disabled",
			candidate: edit(t, `"enabled": true}`, `"enabled": false}`),
			want: []Item{{Device: "r1", Path: "/interfaces/interface[name=et-0/0/1]/config/enabled", Object: "interface et-0/0/1",
				Leaf: "enabled", Before: "true", After: "false", Op: OpChange}},
			text: "r1  interface et-0/0/1  enabled: true → false\n",
		},
		{
			name:      "isis metric change",
			candidate: edit(t, `"metric": 10`, `"metric": 1000`),
			want: []Item{{Device: "r1", Path: isisP + "/interfaces/interface[interface-id=et-0/0/1]/levels/level[level-number=2]/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/metric",
				Object: "isis interface et-0/0/1", Leaf: "metric (level 2)", Before: "10", After: "1000", Op: OpChange}},
			text: "r1  isis interface et-0/0/1  metric (level 2): 10 → 1000\n",
		},
		{
			name: "policy statement removed",
			candidate: edit(t, `,
    {"name": "20", "config": {"name": "20"}, "actions": {"config": {"policy-result": "REJECT_ROUTE"}}}`, ``),
			want: []Item{
				{Device: "r1", Path: policy + "/statements/@order", Object: "policy EXPORT", Leaf: "statement order", Before: "[10, 20]", After: "[10]", Op: OpChange},
				{Device: "r1", Path: policy + "/statements/statement[name=20]", Object: "policy EXPORT statement 20", Op: OpDelete},
				{Device: "r1", Path: policy + "/statements/statement[name=20]/actions/config/policy-result", Object: "policy EXPORT statement 20",
					Leaf: "actions policy-result", Before: "REJECT_ROUTE", Op: OpDelete},
			},
			text: "r1  policy EXPORT  statement order: [10, 20] → [10]\n" +
				"r1  - policy EXPORT statement 20  actions policy-result=REJECT_ROUTE\n",
		},
		{
			name: "prefix added to a set",
			candidate: edit(t, `"prefixes": {"prefix": [`, `"prefixes": {"prefix": [
				{"ip-prefix": "10.0.0.0/8", "masklength-range": "16..24", "config": {"ip-prefix": "10.0.0.0/8", "masklength-range": "16..24"}},`),
			want: []Item{{Device: "r1", Path: pset + "/prefixes/prefix[ip-prefix=10.0.0.0/8][masklength-range=16..24]",
				Object: "prefix-set CRITICAL", Leaf: "prefix 10.0.0.0/8 16..24", Op: OpAdd}},
			text: "r1  + prefix-set CRITICAL  prefix 10.0.0.0/8 16..24\n",
		},
		{
			name: "neighbor deleted",
			candidate: edit(t, `
      {"neighbor-address": "10.0.0.0", "config": {"neighbor-address": "10.0.0.0", "peer-as": 65001, "auth-password": "hunter2"}},`, ``),
			want: []Item{
				{Device: "r1", Path: bgpP + "/neighbors/neighbor[neighbor-address=10.0.0.0]", Object: "bgp neighbor 10.0.0.0", Op: OpDelete},
				{Device: "r1", Path: bgpP + "/neighbors/neighbor[neighbor-address=10.0.0.0]/config/auth-password", Object: "bgp neighbor 10.0.0.0",
					Leaf: "auth-password", Before: diffRedacted, Op: OpDelete},
				{Device: "r1", Path: bgpP + "/neighbors/neighbor[neighbor-address=10.0.0.0]/config/peer-as", Object: "bgp neighbor 10.0.0.0",
					Leaf: "peer-as", Before: "65001", Op: OpDelete},
			},
			text: "r1  - bgp neighbor 10.0.0.0  auth-password=<redacted>, peer-as=65001\n",
		},
		{
			name:      "export policy list changed",
			candidate: edit(t, `"export-policy": ["EXPORT"]`, `"export-policy": ["EXPORT", "EXPORT"]`),
			want: []Item{{Device: "r1", Path: bgpP + "/neighbors/neighbor[neighbor-address=203.0.113.1]/apply-policy/config/export-policy",
				Object: "bgp neighbor 203.0.113.1", Leaf: "apply-policy export-policy", Before: "[EXPORT]", After: "[EXPORT, EXPORT]", Op: OpChange}},
		},
		{
			name:      "leaf added to an existing object",
			candidate: edit(t, `"peer-as": 64500}`, `"peer-as": 64500, "local-as": 64999}`),
			want: []Item{{Device: "r1", Path: bgpP + "/neighbors/neighbor[neighbor-address=203.0.113.1]/config/local-as",
				Object: "bgp neighbor 203.0.113.1", Leaf: "local-as", After: "64999", Op: OpAdd}},
			text: "r1  bgp neighbor 203.0.113.1  local-as: (unset) → 64999\n",
		},
		{
			name:      "secret changed",
			candidate: edit(t, `hunter2`, `correct-horse`),
			want: []Item{{Device: "r1", Path: bgpP + "/neighbors/neighbor[neighbor-address=10.0.0.0]/config/auth-password",
				Object: "bgp neighbor 10.0.0.0", Leaf: "auth-password", Before: diffRedacted, After: diffRedacted, Op: OpChange}},
		},
		{
			name:      "reformatted, same config",
			candidate: strings.ReplaceAll(diffBase, "\n", "\n  "),
			want:      []Item{},
			text:      "no changes\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := mustDiff(t, map[string]string{"r1": diffBase, "r2": diffBase}, map[string]string{"r1": tc.candidate, "r2": diffBase})
			if got := brief(cs.Items); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("items:\n got %s\nwant %s", dump(got), dump(tc.want))
			}
			if len(tc.want) > 0 && !reflect.DeepEqual(cs.Devices, []string{"r1"}) {
				t.Errorf("devices = %v, want [r1]", cs.Devices)
			}
			if tc.text != "" && cs.Text() != tc.text {
				t.Errorf("text:\n got %q\nwant %q", cs.Text(), tc.text)
			}
			if strings.Contains(cs.Text(), "hunter2") || strings.Contains(dump(cs.Items), "hunter2") {
				t.Error("secret leaked")
			}
		})
	}
}

func dump(items []Item) string {
	b, _ := json.MarshalIndent(items, "", "  ")
	return string(b)
}

func TestDiffUnchangedDeviceSkipped(t *testing.T) {
	run := diffSnap(t, map[string]string{"r1": diffBase})
	cand := diffSnap(t, map[string]string{"r1": diffBase})
	cs, err := Diff(run, cand)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Items) != 0 || len(cs.Devices) != 0 {
		t.Errorf("unchanged device produced %+v", cs)
	}
	// Same bytes with a different tree would be a loader bug; Raw equality is
	// the contract, so the trees are not even walked.
	cand.Devices["r1"].Tree = nil
	if cs, err = Diff(run, cand); err != nil || len(cs.Items) != 0 {
		t.Errorf("identical Raw was diffed: %v %+v", err, cs)
	}
}

func TestDiffDevicesAddedRemovedAndOrder(t *testing.T) {
	run := map[string]string{"a": diffBase, "b": diffBase, "c": diffBase}
	cand := map[string]string{
		"a": edit(t, `"enabled": true}`, `"enabled": false}`, `"metric": 10`, `"metric": 20`),
		"c": edit(t, `"peer-as": 64500}`, `"peer-as": 64501}`),
		"d": diffBase,
	}
	var first string
	for i := 0; i < 5; i++ {
		cs := mustDiff(t, run, cand)
		if !reflect.DeepEqual(cs.Devices, []string{"a", "b", "c", "d"}) {
			t.Fatalf("devices = %v", cs.Devices)
		}
		for j := 1; j < len(cs.Items); j++ {
			p, q := cs.Items[j-1], cs.Items[j]
			if p.Device > q.Device || p.Device == q.Device && p.Path >= q.Path {
				t.Errorf("items out of order at %d: %s %s / %s %s", j, p.Device, p.Path, q.Device, q.Path)
			}
		}
		out := dump(cs.Items) + cs.Text()
		if i == 0 {
			first = out
			want := "a  interface et-0/0/1  enabled: true → false\n" +
				"a  isis interface et-0/0/1  metric (level 2): 10 → 20\n\n" +
				"b  - device (config removed)\n\n" +
				"c  bgp neighbor 203.0.113.1  peer-as: 64500 → 64501\n\n" +
				"d  + device (new config)\n"
			if cs.Text() != want {
				t.Errorf("text:\n%s\nwant:\n%s", cs.Text(), want)
			}
		} else if out != first {
			t.Fatal("Diff is not deterministic")
		}
	}
}

func TestDiffWholeEntryAddedFolds(t *testing.T) {
	cand := edit(t, `"policy-definitions": {"policy-definition": [`, `"policy-definitions": {"policy-definition": [
	  {"name": "NEW", "config": {"name": "NEW"}, "statements": {"statement": [{"name": "1", "config": {"name": "1"},
	    "actions": {"config": {"policy-result": "ACCEPT_ROUTE"}}}]}},`)
	cs := mustDiff(t, map[string]string{"r1": diffBase}, map[string]string{"r1": cand})
	want := "r1  + policy NEW  statement order=[1]\n" +
		"r1  + policy NEW statement 1  actions policy-result=ACCEPT_ROUTE\n"
	if cs.Text() != want {
		t.Errorf("text:\n%s\nwant:\n%s", cs.Text(), want)
	}
}

func TestDiffFileLine(t *testing.T) {
	cand := edit(t, `"metric": 10`, `"metric": 30`)
	cs := mustDiff(t, map[string]string{"r1": diffBase}, map[string]string{"r1": cand})
	if len(cs.Items) != 1 {
		t.Fatalf("items: %s", dump(cs.Items))
	}
	it := cs.Items[0]
	wantLine := 1 + strings.Count(cand[:strings.Index(cand, `"metric": 30`)], "\n")
	if it.File != "configs/r1.json" || it.Line != wantLine {
		t.Errorf("file:line = %s:%d, want configs/r1.json:%d", it.File, it.Line, wantLine)
	}
}

func TestDiffName(t *testing.T) {
	for path, want := range map[string][2]string{
		"/interfaces/interface[name=et-0/0/1]/subinterfaces/subinterface[index=0]/config/enabled": {"subinterface et-0/0/1.0", "enabled"},
		bgpP + "/peer-groups/peer-group[peer-group-name=RR-CLIENTS]/ebgp-multihop/config/enabled": {"bgp peer-group RR-CLIENTS", "ebgp-multihop enabled"},
		"/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=STATIC][name=s]/static-routes/static[prefix=10.0.0.0/8]/next-hops/next-hop[index=0]/config/next-hop": {
			"static route 10.0.0.0/8", "next-hop (next-hop 0)"},
		"/network-instances/network-instance[name=DEFAULT]/table-connections/table-connection[src-protocol=STATIC][dst-protocol=BGP][address-family=IPV4]/config/import-policy": {
			"table-connection STATIC→BGP", "import-policy"},
		"/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=LOCAL_AGGREGATE][name=a]/local-aggregates/aggregate[prefix=10.0.0.0/8]/config/discard": {
			"aggregate 10.0.0.0/8", "discard"},
		"/routing-policy/defined-sets/bgp-defined-sets/community-sets/community-set[community-set-name=NOEXP]/config/community-member": {"community-set NOEXP", "community-member"},
		bgpP + "/neighbors/neighbor[neighbor-address=10.0.0.1]/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/apply-policy/config/import-policy": {
			"bgp neighbor 10.0.0.1", "apply-policy import-policy (afi-safi IPV4_UNICAST)"},
		"/system/config/hostname": {"/system/config", "hostname"},
		"/network-instances/network-instance[name=CUST]/protocols/protocol[identifier=BGP][name=bgp]/bgp/neighbors/neighbor[neighbor-address=10.0.0.1]/config/peer-as": {
			"network-instance CUST bgp neighbor 10.0.0.1", "peer-as"},
	} {
		obj, leaf := diffName(diffElems(path), true)
		if obj != want[0] || leaf != want[1] {
			t.Errorf("%s:\n got %q / %q\nwant %q / %q", path, obj, leaf, want[0], want[1])
		}
	}
}
