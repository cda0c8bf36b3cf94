package compile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/oc"
)

// The leaves both ends of a link or adjacency must agree on are compiled into
// the model (the simulator compares them) and are no longer unmodelled/no-op.
func TestAgreementLeavesCompiled(t *testing.T) {
	const secret = "s3cr3t-do-not-print"
	js := obj(ifaces(`{"name":"et-0/0/1","config":{"name":"et-0/0/1","mtu":9100},"subinterfaces":{"subinterface":[{"index":0,"config":{"index":0},
	    "ipv4":{"config":{"mtu":9000},"addresses":{"address":[{"ip":"10.0.0.1","config":{"ip":"10.0.0.1","prefix-length":31}}]}}}]}}`),
		ni(isisProto(`{
	  "global":{"config":{"net":["49.0001.0000.0000.0001.00"],"level-capability":"LEVEL_2"},
	    "lsp-bit":{"overload-bit":{"config":{"set-bit":true,"set-bit-on-boot":true}}}},
	  "levels":{"level":[{"level-number":2,"config":{"level-number":2,"metric-style":"NARROW_METRIC"},
	    "authentication":{"config":{"enabled":true,"auth-mode":"MD5","auth-type":"SIMPLE_KEY","auth-password":"`+secret+`"}}}]},
	  "interfaces":{"interface":[
	    {"interface-id":"et-0/0/1","config":{"interface-id":"et-0/0/1","circuit-type":"POINT_TO_POINT"},
	     "authentication":{"config":{"auth-type":"KEYCHAIN","keychain":"ISIS-KEYS"}},
	     "levels":{"level":[{"level-number":2,"config":{"level-number":2},
	       "hello-authentication":{"config":{"enabled":true,"auth-mode":"TEXT","auth-password":"`+secret+`"}},
	       "afi-safi":{"af":[{"afi-name":"IPV4","safi-name":"UNICAST","config":{"afi-name":"IPV4","safi-name":"UNICAST","metric":63}}]}}]}}]}}`)))
	n, err := Compile(snap(t, map[string]string{"r1": js}))
	if err != nil {
		t.Fatal(err)
	}
	d := n.Devices[0]
	ifc := d.Interface("et-0/0/1")
	if ifc == nil || ifc.MTU != 9100 || ifc.IPv4MTU != 9000 || ifc.IfPath != "/interfaces/interface[name=et-0/0/1]" ||
		ifc.SubPath != "/interfaces/interface[name=et-0/0/1]/subinterfaces/subinterface[index=0]" {
		t.Errorf("interface MTU/paths: %+v", ifc)
	}
	is := d.ISIS
	if !is.Overload {
		t.Error("overload set-bit not compiled")
	}
	if is.MetricStyle != [2]string{"", "NARROW_METRIC"} {
		t.Errorf("metric style = %q", is.MetricStyle)
	}
	la := is.LevelAuth[1]
	if !la.Enabled || la.Mode != "MD5" || la.Type != "SIMPLE_KEY" || la.KeyHash == "" || !strings.HasSuffix(la.Path, "/levels/level[level-number=2]/authentication") {
		t.Errorf("level auth = %+v", la)
	}
	ii := is.Interfaces[0]
	if !ii.Auth.Enabled || ii.Auth.Keychain != "ISIS-KEYS" || ii.Auth.Type != "KEYCHAIN" {
		t.Errorf("interface auth (enabled unset, keychain given: configured) = %+v", ii.Auth)
	}
	if h := ii.HelloAuth[1]; !h.Enabled || h.Mode != "TEXT" || h.KeyHash != la.KeyHash || ii.Metric[1] != 63 {
		t.Errorf("hello auth / metric = %+v %v", h, ii.Metric)
	}
	if s := fmt.Sprintf("%+v %+v", d, n); strings.Contains(s, secret) {
		t.Error("the compiled model holds the authentication password in clear")
	}
	for _, u := range n.Unmodelled {
		if strings.Contains(u.Path, "mtu") || strings.Contains(u.Path, "overload-bit") || strings.Contains(u.Path, "authentication") ||
			strings.Contains(u.Path, "metric-style") {
			t.Errorf("modelled leaf reported as unmodelled: %s — %s", u.Path, u.Reason)
		}
	}
}

func TestAgreementLeavesClassified(t *testing.T) {
	is := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=i]/isis"
	for _, tc := range []struct {
		path     string
		modelled bool
	}{
		{"/interfaces/interface[name=e]/config/mtu", true},
		{"/interfaces/interface[name=e]/subinterfaces/subinterface[index=0]/ipv4/config/mtu", true},
		{is + "/global/lsp-bit/overload-bit/config/set-bit", true},
		{is + "/global/lsp-bit/overload-bit/config/set-bit-on-boot", true}, // no-op: steady state
		{is + "/levels/level[level-number=2]/authentication/config/auth-password", true},
		{is + "/interfaces/interface[interface-id=e]/authentication/config/keychain", true},
		{is + "/interfaces/interface[interface-id=e]/levels/level[level-number=2]/hello-authentication/config/auth-mode", true},
		{is + "/levels/level[level-number=2]/authentication/config/disable-lsp", false},
		{is + "/global/lsp-bit/overload-bit/config/advertise-high-metric", false},
	} {
		l := leafOf(t, tc.path)
		if got := Classify(&l) == ""; got != tc.modelled {
			t.Errorf("%s: modelled = %v, want %v (%q)", tc.path, got, tc.modelled, Classify(&l))
		}
	}
}

// leafOf builds a Leaf from a gNMI-style path (keys in [k=v]).
func leafOf(t *testing.T, path string) oc.Leaf {
	t.Helper()
	var elems []oc.PathElem
	for _, part := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		name, rest, _ := strings.Cut(part, "[")
		e := oc.PathElem{Name: name}
		for rest != "" {
			kv, after, _ := strings.Cut(rest, "]")
			k, v, _ := strings.Cut(kv, "=")
			e.Keys = append(e.Keys, oc.KeyValue{Name: k, Value: v})
			rest = strings.TrimPrefix(after, "[")
		}
		elems = append(elems, e)
	}
	return oc.Leaf{Path: path, Elems: elems}
}

// Metric range checks: a metric above the style's maximum is bad input
// naming the device and the path, never a metric that wraps around in SPF.
func TestISISMetricRange(t *testing.T) {
	cfg := func(style string, metric uint64) string {
		lv := ""
		if style != "" {
			lv = `"levels":{"level":[{"level-number":2,"config":{"level-number":2,"metric-style":"` + style + `"}}]},`
		}
		return obj(ifaces(isisIfaces), ni(isisProto(`{
	  "global":{"config":{"net":["49.0001.0000.0000.0001.00"]}},`+lv+`
	  "interfaces":{"interface":[{"interface-id":"et-0/0/1","config":{"interface-id":"et-0/0/1"},
	     "levels":{"level":[{"level-number":2,"config":{"level-number":2},
	       "afi-safi":{"af":[{"afi-name":"IPV4","safi-name":"UNICAST","config":{"afi-name":"IPV4","safi-name":"UNICAST","metric":`+fmt.Sprint(metric)+`}}]}}]}}]}}`)))
	}
	mpath := "/interfaces/interface[interface-id=et-0/0/1]/levels/level[level-number=2]/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/metric"
	for _, tc := range []struct {
		style  string
		metric uint64
		ok     bool
	}{
		{"WIDE_METRIC", 16777215, true},
		{"WIDE_METRIC", 16777216, false},
		{"", 16777216, false},
		{"", 4294967295, false},
		{"NARROW_METRIC", 63, true},
		{"NARROW_METRIC", 64, false},
	} {
		t.Run(fmt.Sprintf("%s-%d", tc.style, tc.metric), func(t *testing.T) {
			if tc.ok {
				d := compileOne(t, cfg(tc.style, tc.metric))
				if d.ISIS.Interfaces[0].Metric[1] != uint32(tc.metric) {
					t.Errorf("metric = %d", d.ISIS.Interfaces[0].Metric[1])
				}
				return
			}
			compileErr(t, cfg(tc.style, tc.metric), "r1", mpath, fmt.Sprint(tc.metric))
		})
	}
}
