package compile

import (
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

func subif(idx int, v4 ...string) string {
	var addrs []string
	for _, a := range v4 {
		ip, plen, _ := strings.Cut(a, "/")
		addrs = append(addrs, `{"ip":"`+ip+`","config":{"ip":"`+ip+`","prefix-length":`+plen+`}}`)
	}
	i := itoa(idx)
	return `{"index":` + i + `,"config":{"index":` + i + `},"ipv4":{"addresses":{"address":[` + strings.Join(addrs, ",") + `]}}}`
}

func itoa(i int) string { return strconv.Itoa(i) }

func iface(name, config string, subs ...string) string {
	return `{"name":"` + name + `","config":{"name":"` + name + `"` + config + `},"subinterfaces":{"subinterface":[` + strings.Join(subs, ",") + `]}}`
}

func TestInterfaces(t *testing.T) {
	js := obj(ifaces(strings.Join([]string{
		iface("et-0/0/1", `,"description":"to bb2","mtu":9192`, subif(0, "10.0.0.1/31")),
		iface("et-0/0/2", `,"enabled":false`, subif(0, "10.0.0.3/31"), `{"index":5,"config":{"index":5,"enabled":true},"ipv4":{"addresses":{"address":[{"ip":"10.0.5.1","config":{"ip":"10.0.5.1","prefix-length":30}}]}}}`),
		iface("et-0/0/3", ``, `{"index":0,"config":{"index":0,"enabled":false},"ipv4":{"addresses":{"address":[{"ip":"10.0.0.5","config":{"ip":"10.0.0.5","prefix-length":31}}]}},"ipv6":{"addresses":{"address":[{"ip":"2001:db8::1","config":{"ip":"2001:db8::1","prefix-length":127}}]}}}`),
		iface("et-0/0/4", ``), // no L3: not in the model
		iface("lo0", ``, subif(0, "192.0.2.1/32")),
		iface("sys0", `,"type":"iana-if-type:softwareLoopback"`),
	}, ",")))
	d := compileOne(t, js)
	want := []network.Interface{
		{Name: "et-0/0/1", Parent: "et-0/0/1", Enabled: true, Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/31")}, Path: "/interfaces/interface[name=et-0/0/1]", MTU: 9192, IfPath: "/interfaces/interface[name=et-0/0/1]", SubPath: "/interfaces/interface[name=et-0/0/1]/subinterfaces/subinterface[index=0]"},
		{Name: "et-0/0/2", Parent: "et-0/0/2", Enabled: false, Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.3/31")}, Path: "/interfaces/interface[name=et-0/0/2]", IfPath: "/interfaces/interface[name=et-0/0/2]", SubPath: "/interfaces/interface[name=et-0/0/2]/subinterfaces/subinterface[index=0]"},
		{Name: "et-0/0/2.5", Parent: "et-0/0/2", Subif: 5, Enabled: false, Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.5.1/30")}, Path: "/interfaces/interface[name=et-0/0/2]/subinterfaces/subinterface[index=5]", IfPath: "/interfaces/interface[name=et-0/0/2]", SubPath: "/interfaces/interface[name=et-0/0/2]/subinterfaces/subinterface[index=5]"},
		{Name: "et-0/0/3", Parent: "et-0/0/3", Enabled: false, Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/31"), netip.MustParsePrefix("2001:db8::1/127")}, Path: "/interfaces/interface[name=et-0/0/3]", IfPath: "/interfaces/interface[name=et-0/0/3]", SubPath: "/interfaces/interface[name=et-0/0/3]/subinterfaces/subinterface[index=0]"},
		{Name: "lo0", Parent: "lo0", Enabled: true, Loopback: true, Addresses: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}, Path: "/interfaces/interface[name=lo0]", IfPath: "/interfaces/interface[name=lo0]", SubPath: "/interfaces/interface[name=lo0]/subinterfaces/subinterface[index=0]"},
		{Name: "sys0", Parent: "sys0", Enabled: true, Loopback: true, Path: "/interfaces/interface[name=sys0]", IfPath: "/interfaces/interface[name=sys0]"},
	}
	if !reflect.DeepEqual(d.Interfaces, want) {
		t.Errorf("interfaces:\n got %+v\nwant %+v", d.Interfaces, want)
	}
	if d.Role != "backbone" || d.Site != "fra" || d.ID != 0 {
		t.Errorf("inventory fields: %+v", d)
	}
}

const isisIfaces = `{"name":"et-0/0/1","subinterfaces":{"subinterface":[{"index":0,"ipv4":{"addresses":{"address":[{"ip":"10.0.0.1","config":{"ip":"10.0.0.1","prefix-length":31}}]}}}]}}`

func isisProto(body string) string {
	return `{"identifier":"openconfig-policy-types:ISIS","name":"isis","config":{"identifier":"openconfig-policy-types:ISIS","name":"isis"},"isis":` + body + `}`
}

func TestISIS(t *testing.T) {
	js := obj(ifaces(isisIfaces), ni(isisProto(`{
	  "global":{"config":{"net":["49.0001.0000.0000.0001.00"],"level-capability":"LEVEL_2"}},
	  "interfaces":{"interface":[
	    {"interface-id":"et-0/0/1.0","config":{"interface-id":"et-0/0/1.0","enabled":true,"circuit-type":"POINT_TO_POINT"},
	     "levels":{"level":[{"level-number":2,"config":{"level-number":2,"enabled":true},
	       "afi-safi":{"af":[{"afi-name":"IPV4","safi-name":"UNICAST","config":{"afi-name":"IPV4","safi-name":"UNICAST","metric":100}}]}}]}},
	    {"interface-id":"lo0","config":{"interface-id":"lo0","passive":true}},
	    {"interface-id":"xe-1","config":{"interface-id":"xe-1","enabled":false},"interface-ref":{"config":{"interface":"et-0/0/9","subinterface":7}},
	     "levels":{"level":[{"level-number":1,"config":{"level-number":1,"enabled":false}}]}}
	  ]}}`)))
	d := compileOne(t, js)
	is := d.ISIS
	if is == nil {
		t.Fatal("no IS-IS")
	}
	base := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=isis]/isis"
	want := &network.ISIS{Enabled: true, Levels: network.Level2, Areas: []string{"49.0001"}, SystemID: "0000.0000.0001", Path: base,
		Interfaces: []network.ISISInterface{
			{Interface: "et-0/0/1", Enabled: true, Levels: network.Level2, Metric: [2]uint32{10, 100}, PointToPoint: true, Path: base + "/interfaces/interface[interface-id=et-0/0/1.0]"},
			// enabled is absent: false, the model's default.
			{Interface: "lo0", Enabled: false, Passive: true, Levels: network.Level2, Metric: [2]uint32{10, 10}, Path: base + "/interfaces/interface[interface-id=lo0]"},
			{Interface: "et-0/0/9.7", Enabled: false, Levels: 0, Metric: [2]uint32{10, 10}, Path: base + "/interfaces/interface[interface-id=xe-1]"},
		}}
	if !reflect.DeepEqual(is, want) {
		t.Errorf("isis:\n got %+v\nwant %+v", is, want)
	}
}

func TestISISDisabledProtocol(t *testing.T) {
	js := obj(ni(`{"identifier":"ISIS","name":"1","config":{"identifier":"ISIS","name":"1","enabled":false},"isis":{"global":{"config":{"net":["49.0001.1921.6800.1001.00"]}}}}`))
	d := compileOne(t, js)
	if d.ISIS == nil || d.ISIS.Enabled || d.ISIS.Levels != network.Level12 || d.ISIS.SystemID != "1921.6800.1001" {
		t.Errorf("isis = %+v", d.ISIS)
	}
}

func bgpProto(body string) string {
	return `{"identifier":"BGP","name":"bgp","config":{"identifier":"BGP","name":"bgp"},"bgp":` + body + `}`
}

const policies = `"policy-definitions":{"policy-definition":[
  {"name":"IMP-PG","config":{"name":"IMP-PG"}},
  {"name":"EXP-PG","config":{"name":"EXP-PG"}},
  {"name":"IMP-N","config":{"name":"IMP-N"}},
  {"name":"IMP-AF","config":{"name":"IMP-AF"}}]}`

func TestBGPInheritance(t *testing.T) {
	js := obj(ifaces(`{"name":"lo0","subinterfaces":{"subinterface":[{"index":0,"ipv4":{"addresses":{"address":[{"ip":"192.0.2.1","config":{"ip":"192.0.2.1","prefix-length":32}}]}}}]}}`),
		rp(policies),
		ni(bgpProto(`{
	  "global":{"config":{"as":65000,"router-id":"192.0.2.1"},
	            "apply-policy":{"config":{"default-export-policy":"REJECT_ROUTE"}}},
	  "peer-groups":{"peer-group":[{"peer-group-name":"RR","config":{"peer-group-name":"RR","peer-as":65000,"description":"clients"},
	      "transport":{"config":{"local-address":"lo0"}},
	      "route-reflector":{"config":{"route-reflector-client":true,"route-reflector-cluster-id":"192.0.2.100"}},
	      "apply-policy":{"config":{"import-policy":["IMP-PG"],"export-policy":["EXP-PG"],"default-import-policy":"ACCEPT_ROUTE"}}},
	    {"peer-group-name":"TRANSIT","config":{"peer-group-name":"TRANSIT","local-as":64999},
	      "ebgp-multihop":{"config":{"enabled":true,"multihop-ttl":3}},
	      "afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST","enabled":true},
	        "apply-policy":{"config":{"import-policy":["IMP-AF"]}}}]}}]},
	  "neighbors":{"neighbor":[
	    {"neighbor-address":"192.0.2.2","config":{"neighbor-address":"192.0.2.2","peer-group":"RR"}},
	    {"neighbor-address":"192.0.2.10","config":{"neighbor-address":"192.0.2.10","peer-group":"RR","enabled":false},
	      "transport":{"config":{"local-address":"192.0.2.1"}},
	      "apply-policy":{"config":{"import-policy":["IMP-N"]}}},
	    {"neighbor-address":"203.0.113.1","config":{"neighbor-address":"203.0.113.1","peer-group":"TRANSIT","peer-as":64500},
	      "afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST"}}]}},
	    {"neighbor-address":"198.51.100.1","config":{"neighbor-address":"198.51.100.1","peer-as":64600},
	      "afi-safis":{"afi-safi":[{"afi-safi-name":"IPV6_UNICAST","config":{"afi-safi-name":"IPV6_UNICAST","enabled":true}}]}}
	  ]}}`)))
	d := compileOne(t, js)
	b := d.BGP
	if b == nil {
		t.Fatal("no BGP")
	}
	if b.AS != 65000 || b.RouterID != netip.MustParseAddr("192.0.2.1") || b.ClusterID != netip.MustParseAddr("192.0.2.100") {
		t.Errorf("global: %+v", b)
	}
	base := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=bgp]/bgp/neighbors/neighbor"
	want := []network.Neighbor{
		{Address: netip.MustParseAddr("192.0.2.2"), PeerAS: 65000, LocalAS: 65000, PeerGroup: "RR", Enabled: true,
			LocalIface: "lo0", RRClient: true, IPv4Unicast: true,
			Import: network.PolicyChain{Policies: []string{"IMP-PG"}, Default: network.ResultAccept, DefaultSet: true},
			Export: network.PolicyChain{Policies: []string{"EXP-PG"}, Default: network.ResultReject, DefaultSet: true},
			Path:   base + "[neighbor-address=192.0.2.2]"},
		{Address: netip.MustParseAddr("192.0.2.10"), PeerAS: 65000, LocalAS: 65000, PeerGroup: "RR", Enabled: false,
			LocalAddress: netip.MustParseAddr("192.0.2.1"), RRClient: true, IPv4Unicast: true,
			Import: network.PolicyChain{Policies: []string{"IMP-N"}, Default: network.ResultAccept, DefaultSet: true},
			Export: network.PolicyChain{Policies: []string{"EXP-PG"}, Default: network.ResultReject, DefaultSet: true},
			Path:   base + "[neighbor-address=192.0.2.10]"},
		// afi-safi listed without enabled: the peer-group's enabled=true applies.
		{Address: netip.MustParseAddr("198.51.100.1"), PeerAS: 64600, LocalAS: 65000, Enabled: true, IPv4Unicast: false,
			Export: network.PolicyChain{Default: network.ResultReject, DefaultSet: true},
			Path:   base + "[neighbor-address=198.51.100.1]"},
		{Address: netip.MustParseAddr("203.0.113.1"), PeerAS: 64500, LocalAS: 64999, PeerGroup: "TRANSIT", Enabled: true,
			Multihop: true, MultihopTTL: 3, IPv4Unicast: true,
			Import: network.PolicyChain{Policies: []string{"IMP-AF"}},
			Export: network.PolicyChain{Default: network.ResultReject, DefaultSet: true},
			Path:   base + "[neighbor-address=203.0.113.1]"},
	}
	if len(b.Neighbors) != len(want) {
		t.Fatalf("got %d neighbors, want %d: %+v", len(b.Neighbors), len(want), b.Neighbors)
	}
	for i := range want {
		got := b.Neighbors[i]
		got.Leaves = nil // TestNeighborLeafPaths checks them
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("neighbor %d:\n got %+v\nwant %+v", i, b.Neighbors[i], want[i])
		}
	}
}

func TestBGPDefaults(t *testing.T) {
	// No afi-safi anywhere: IPv4 unicast is on. No default policy anywhere: DefaultSet false.
	js := obj(ni(bgpProto(`{"global":{"config":{"as":65000}},"neighbors":{"neighbor":[
	  {"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":65001}},
	  {"neighbor-address":"10.0.0.4","config":{"neighbor-address":"10.0.0.4","peer-type":"INTERNAL"}}]}}`)))
	d := compileOne(t, js)
	n := d.BGP.Neighbors
	if !n[0].IPv4Unicast || !n[0].Enabled || n[0].Import.DefaultSet || n[0].Export.DefaultSet || n[0].IBGP() {
		t.Errorf("defaults: %+v", n[0])
	}
	if n[1].PeerAS != 65000 || !n[1].IBGP() {
		t.Errorf("peer-type INTERNAL without peer-as: %+v", n[1])
	}
	if d.BGP.RouterID.IsValid() {
		t.Errorf("router-id = %v, want unset", d.BGP.RouterID)
	}
}

func TestStaticsAggregatesTableConnections(t *testing.T) {
	js := obj(rp(`"policy-definitions":{"policy-definition":[{"name":"REDIST","config":{"name":"REDIST"}}]}`),
		ni(`{"identifier":"STATIC","name":"static","config":{"identifier":"STATIC","name":"static"},"static-routes":{"static":[
		  {"prefix":"10.200.0.0/16","config":{"prefix":"10.200.0.0/16"},"next-hops":{"next-hop":[{"index":"0","config":{"index":"0","next-hop":"openconfig-local-routing:DROP"}}]}},
		  {"prefix":"0.0.0.0/0","config":{"prefix":"0.0.0.0/0"},"next-hops":{"next-hop":[
		    {"index":"a","config":{"index":"a","next-hop":"203.0.113.1","metric":5,"preference":250}},
		    {"index":"b","config":{"index":"b"},"interface-ref":{"config":{"interface":"et-0/0/1","subinterface":0}}}]}}]}},
		  {"identifier":"LOCAL_AGGREGATE","name":"agg","config":{"identifier":"LOCAL_AGGREGATE","name":"agg"},"local-aggregates":{"aggregate":[
		    {"prefix":"129.134.30.0/23","config":{"prefix":"129.134.30.0/23","discard":true}},
		    {"prefix":"10.0.0.0/8","config":{"prefix":"10.0.0.0/8"}}]}}`,
			`"table-connections":{"table-connection":[
		  {"src-protocol":"STATIC","dst-protocol":"BGP","address-family":"IPV4","config":{"src-protocol":"STATIC","dst-protocol":"BGP","address-family":"IPV4","import-policy":["REDIST"],"default-import-policy":"REJECT_ROUTE"}},
		  {"src-protocol":"LOCAL_AGGREGATE","dst-protocol":"BGP","address-family":"IPV4","config":{"src-protocol":"LOCAL_AGGREGATE","dst-protocol":"BGP","address-family":"IPV4"}},
		  {"src-protocol":"BGP","dst-protocol":"ISIS","address-family":"IPV4","config":{"src-protocol":"BGP","dst-protocol":"ISIS","address-family":"IPV4"}}]}`))
	n, err := Compile(snap(t, map[string]string{"r1": js}))
	if err != nil {
		t.Fatal(err)
	}
	d := n.Devices[0]
	sp := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=STATIC][name=static]/static-routes/static"
	wantS := []network.StaticRoute{
		{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Path: sp + "[prefix=0.0.0.0/0]", NextHops: []network.StaticNextHop{
			{Addr: netip.MustParseAddr("203.0.113.1"), Metric: 5, Preference: 250}, {Interface: "et-0/0/1"}}},
		{Prefix: netip.MustParsePrefix("10.200.0.0/16"), Path: sp + "[prefix=10.200.0.0/16]", NextHops: []network.StaticNextHop{{Discard: true}}},
	}
	if !reflect.DeepEqual(d.Statics, wantS) {
		t.Errorf("statics:\n got %+v\nwant %+v", d.Statics, wantS)
	}
	ap := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=LOCAL_AGGREGATE][name=agg]/local-aggregates/aggregate"
	wantA := []network.Aggregate{
		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Path: ap + "[prefix=10.0.0.0/8]"},
		{Prefix: netip.MustParsePrefix("129.134.30.0/23"), Discard: true, Path: ap + "[prefix=129.134.30.0/23]"},
	}
	if !reflect.DeepEqual(d.Aggregates, wantA) {
		t.Errorf("aggregates:\n got %+v\nwant %+v", d.Aggregates, wantA)
	}
	tp := "/network-instances/network-instance[name=DEFAULT]/table-connections/table-connection"
	wantT := []network.TableConnection{
		{Src: network.ProtoLocalAggregate, Path: tp + "[src-protocol=LOCAL_AGGREGATE][dst-protocol=BGP][address-family=IPV4]"},
		{Src: network.ProtoStatic, Import: network.PolicyChain{Policies: []string{"REDIST"}, Default: network.ResultReject, DefaultSet: true},
			Path: tp + "[src-protocol=STATIC][dst-protocol=BGP][address-family=IPV4]"},
	}
	if !reflect.DeepEqual(d.TableConnections, wantT) {
		t.Errorf("table connections:\n got %+v\nwant %+v", d.TableConnections, wantT)
	}
	if !hasUnmodelled(n, tp+"[src-protocol=BGP][dst-protocol=ISIS][address-family=IPV4]/config/src-protocol", "redistribution from BGP into ISIS") {
		t.Errorf("BGP→ISIS table-connection not reported: %+v", n.Unmodelled)
	}
	// A floating static that is also redistributed into BGP competes with
	// BGP for its own announcement: not simulated, so it stays unmodelled.
	if !hasUnmodelled(n, sp+"[prefix=0.0.0.0/0]/next-hops/next-hop[index=a]/config/preference", "floating static route (preference 250) redistributed into BGP") {
		t.Errorf("redistributed floating static not reported: %+v", n.Unmodelled)
	}
}

// Floating statics that are not redistributed are simulated: the preference
// leaf is modelled.
func TestFloatingStaticModelled(t *testing.T) {
	js := obj(ni(`{"identifier":"STATIC","name":"static","config":{"identifier":"STATIC","name":"static"},"static-routes":{"static":[
		  {"prefix":"0.0.0.0/0","config":{"prefix":"0.0.0.0/0"},"next-hops":{"next-hop":[
		    {"index":"a","config":{"index":"a","next-hop":"openconfig-local-routing:DROP","preference":250}}]}}]}}`))
	n, err := Compile(snap(t, map[string]string{"r1": js}))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Devices[0].Statics[0].NextHops[0].Preference; got != 250 {
		t.Errorf("preference %d, want 250", got)
	}
	for _, u := range n.Unmodelled {
		if strings.HasSuffix(u.Path, "/config/preference") {
			t.Errorf("preference reported unmodelled: %+v", u)
		}
	}
}

// Preference 255 is "never install" on IOS, IOS-XR, EOS and FRR and an
// ordinary value on Junos: refused by name, and 254 is still simulated.
func TestStaticPreferenceInfinite(t *testing.T) {
	for _, pref := range []int{254, 255, 100000} {
		js := obj(ni(`{"identifier":"STATIC","name":"static","config":{"identifier":"STATIC","name":"static"},"static-routes":{"static":[
		  {"prefix":"0.0.0.0/0","config":{"prefix":"0.0.0.0/0"},"next-hops":{"next-hop":[
		    {"index":"a","config":{"index":"a","next-hop":"openconfig-local-routing:DROP","preference":` + itoa(pref) + `}}]}}]}}`))
		n, err := Compile(snap(t, map[string]string{"r1": js}))
		if err != nil {
			t.Fatal(err)
		}
		got := hasUnmodelled(n, "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=STATIC][name=static]/static-routes/static[prefix=0.0.0.0/0]/next-hops/next-hop[index=a]/config/preference", "never install")
		if got != (pref >= 255) {
			t.Errorf("preference %d: reported unmodelled = %v, want %v (%+v)", pref, got, pref >= 255, n.Unmodelled)
		}
	}
}

func hasUnmodelled(n *network.Network, path, reason string) bool {
	for _, u := range n.Unmodelled {
		if u.Path == path && strings.Contains(u.Reason, reason) {
			return true
		}
	}
	return false
}

const policyJSON = `
"defined-sets":{
  "prefix-sets":{"prefix-set":[{"name":"CRITICAL","config":{"name":"CRITICAL","mode":"IPV4"},"prefixes":{"prefix":[
    {"ip-prefix":"129.134.30.0/23","masklength-range":"exact","config":{"ip-prefix":"129.134.30.0/23","masklength-range":"exact"}},
    {"ip-prefix":"10.0.0.0/8","masklength-range":"16..24","config":{"ip-prefix":"10.0.0.0/8","masklength-range":"16..24"}}]}}]},
  "openconfig-bgp-policy:bgp-defined-sets":{
    "community-sets":{"community-set":[{"community-set-name":"BLACKHOLE","config":{"community-set-name":"BLACKHOLE",
        "community-member":["65000:666","NO_EXPORT","65000:1[0-9]+"],"match-set-options":"ALL"}}]},
    "as-path-sets":{"as-path-set":[{"as-path-set-name":"CUST","config":{"as-path-set-name":"CUST","as-path-set-member":["_64500_","^64501$"]}}]}}},
"policy-definitions":{"policy-definition":[
  {"name":"SUB","config":{"name":"SUB"}},
  {"name":"EXPORT","config":{"name":"EXPORT"},"statements":{"statement":[
    {"name":"20","config":{"name":"20"},
     "conditions":{"config":{"install-protocol-eq":"STATIC","call-policy":"SUB"},
       "match-prefix-set":{"config":{"prefix-set":"CRITICAL","match-set-options":"INVERT"}},
       "openconfig-bgp-policy:bgp-conditions":{
         "match-community-set":{"config":{"community-set":"BLACKHOLE"}},
         "match-as-path-set":{"config":{"as-path-set":"CUST","match-set-options":"ANY"}}}},
     "actions":{"config":{"policy-result":"REJECT_ROUTE"}}},
    {"name":"10","config":{"name":"10"},
     "actions":{"config":{"policy-result":"ACCEPT_ROUTE"},
       "openconfig-bgp-policy:bgp-actions":{"config":{"set-local-pref":200,"set-med":50,"set-next-hop":"SELF"},
         "set-as-path-prepend":{"config":{"asn":65000,"repeat-n":3}},
         "set-community":{"config":{"method":"INLINE","options":"REPLACE"},"inline":{"config":{"communities":["65000:100","NO_EXPORT"]}}}}}},
    {"name":"30","config":{"name":"30"},
     "actions":{"openconfig-bgp-policy:bgp-actions":{"config":{"set-med":"+10","set-next-hop":"192.0.2.9"},
         "set-as-path-prepend":{"config":{}},
         "set-community":{"config":{"method":"REFERENCE","options":"REMOVE"},"reference":{"config":{"community-set-ref":"BLACKHOLE"}}}}}}
  ]}}]}`

func TestRoutingPolicy(t *testing.T) {
	n, err := Compile(snap(t, map[string]string{"r1": obj(rp(policyJSON))}))
	if err != nil {
		t.Fatal(err)
	}
	d := n.Devices[0]
	ps := d.PrefixSets["CRITICAL"]
	wantPS := &network.PrefixSet{Name: "CRITICAL", Entries: []network.PrefixRange{
		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Min: 16, Max: 24},
		{Prefix: netip.MustParsePrefix("129.134.30.0/23"), Min: 23, Max: 23},
	}}
	if !reflect.DeepEqual(ps, wantPS) {
		t.Errorf("prefix-set: got %+v want %+v", ps, wantPS)
	}
	for p, want := range map[string]bool{"10.1.0.0/16": true, "10.1.2.0/24": true, "10.0.0.0/8": false, "10.1.2.0/25": false,
		"129.134.30.0/23": true, "129.134.30.0/24": false} {
		if got := ps.Matches(netip.MustParsePrefix(p)); got != want {
			t.Errorf("CRITICAL.Matches(%s) = %v", p, got)
		}
	}
	cs := d.CommunitySets["BLACKHOLE"]
	if len(cs.Members) != 3 || cs.Members[0].Value != 65000<<16|666 || cs.Members[1].Value != 0xFFFFFF01 ||
		cs.Members[2].Regex == nil || !cs.Members[2].Regex.MatchString("65000:100") || cs.Members[2].Regex.MatchString("165000:100") {
		t.Errorf("community-set: %+v", cs)
	}
	as := d.ASPathSets["CUST"]
	for path, want := range map[string]bool{"64500": true, "1 64500 2": true, "164500": false, "64500 1": true, "645001": false} {
		if got := as.Members[0].MatchString(path); got != want {
			t.Errorf("_64500_ on %q = %v", path, got)
		}
	}
	p := d.Policies["EXPORT"]
	if len(p.Statements) != 3 || p.Statements[0].Name != "20" || p.Statements[1].Name != "10" {
		t.Fatalf("statements out of order: %+v", p.Statements)
	}
	wantC := network.Conditions{PrefixSet: "CRITICAL", PrefixSetMode: network.MatchInvert, CommunitySet: "BLACKHOLE",
		CommunityMode: network.MatchAll, ASPathSet: "CUST", ASPathMode: network.MatchAny, InstallProtocol: network.ProtoStatic, CallPolicy: "SUB"}
	if p.Statements[0].Conditions != wantC || p.Statements[0].Actions.Result != network.ResultReject {
		t.Errorf("statement 20: %+v", p.Statements[0])
	}
	lp, med := uint32(200), uint32(50)
	wantA := network.Actions{Result: network.ResultAccept, SetLocalPref: &lp, SetMED: &med,
		Community: &network.CommunityAction{Method: network.CommunityReplace, Communities: []network.Community{65000<<16 | 100, 0xFFFFFF01}},
		Prepend:   &network.Prepend{ASN: 65000, Repeat: 3}, NextHop: &network.NextHopAction{Self: true}}
	if !reflect.DeepEqual(p.Statements[1].Actions, wantA) {
		t.Errorf("statement 10 actions:\n got %+v\nwant %+v", p.Statements[1].Actions, wantA)
	}
	a := p.Statements[2].Actions
	if a.SetMED != nil || a.Prepend == nil || a.Prepend.Repeat != 1 || a.Prepend.ASN != 0 ||
		a.Community == nil || a.Community.SetRef != "BLACKHOLE" || a.Community.Method != network.CommunityRemove ||
		a.NextHop == nil || a.NextHop.Addr != netip.MustParseAddr("192.0.2.9") {
		t.Errorf("statement 30 actions: %+v", a)
	}
	medPath := "/routing-policy/policy-definitions/policy-definition[name=EXPORT]/statements/statement[name=30]/actions/bgp-actions/config/set-med"
	if !hasUnmodelled(n, medPath, "set-med +10") {
		t.Errorf("set-med +10 not reported: %+v", n.Unmodelled)
	}
}

func TestErrors(t *testing.T) {
	neighbor := func(extra string) string {
		return obj(rp(`"policy-definitions":{"policy-definition":[{"name":"OK","config":{"name":"OK"}}]}`),
			ni(bgpProto(`{"global":{"config":{"as":65000}},"neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":1}`+extra+`}]}}`)))
	}
	statement := func(body string) string {
		return obj(rp(`"policy-definitions":{"policy-definition":[{"name":"P","config":{"name":"P"},"statements":{"statement":[{"name":"1","config":{"name":"1"},` + body + `}]}}]}`))
	}
	tests := []struct {
		name string
		js   string
		want []string
	}{
		{"missing import policy", neighbor(`,"apply-policy":{"config":{"import-policy":["OK","NOPE"]}}`),
			[]string{"r1", "neighbor[neighbor-address=10.0.0.2]/apply-policy/config/import-policy", `"NOPE"`}},
		{"missing export policy via afi-safi", neighbor(`,"afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST"},"apply-policy":{"config":{"export-policy":["GONE"]}}}]}`),
			[]string{"afi-safi[afi-safi-name=IPV4_UNICAST]/apply-policy/config/export-policy", `"GONE"`}},
		{"missing peer-group", obj(ni(bgpProto(`{"global":{"config":{"as":65000}},"neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":1,"peer-group":"PG"}}]}}`))),
			[]string{"config/peer-group", `"PG"`}},
		{"router-id 0.0.0.0", obj(ni(bgpProto(`{"global":{"config":{"as":65000,"router-id":"0.0.0.0"}},"neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":1}}]}}`))),
			[]string{"bgp/global/config/router-id", "must be non-zero"}},
		{"hold-time 2 on a neighbor", obj(ni(bgpProto(`{"global":{"config":{"as":65000}},"neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":1},"timers":{"config":{"hold-time":2}}}]}}`))),
			[]string{"neighbor[neighbor-address=10.0.0.2]/timers/config/hold-time", "hold-time 2", "RFC 4271"}},
		{"hold-time 1 on a peer-group", obj(ni(bgpProto(`{"global":{"config":{"as":65000}},"peer-groups":{"peer-group":[{"peer-group-name":"PG","config":{"peer-group-name":"PG"},"timers":{"config":{"hold-time":1}}}]},"neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":1,"peer-group":"PG"}}]}}`))),
			[]string{"peer-group[peer-group-name=PG]/timers/config/hold-time", "hold-time 1"}},
		{"no peer-as", obj(ni(bgpProto(`{"global":{"config":{"as":65000}},"neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2"}}]}}`))),
			[]string{"neighbor-address=10.0.0.2", "peer-as"}},
		{"missing prefix-set", statement(`"conditions":{"match-prefix-set":{"config":{"prefix-set":"MISSING"}}}`),
			[]string{"r1", "statement[name=1]/conditions/match-prefix-set/config/prefix-set", `"MISSING"`}},
		{"missing community-set", statement(`"conditions":{"openconfig-bgp-policy:bgp-conditions":{"match-community-set":{"config":{"community-set":"C"}}}}`),
			[]string{"match-community-set", `"C"`}},
		{"missing call-policy", statement(`"conditions":{"config":{"call-policy":"X"}}`), []string{"call-policy", `"X"`}},
		{"call-policy loop", statement(`"conditions":{"config":{"call-policy":"P"}}`), []string{"call-policy loop", "P → P"}},
		{"missing table-connection policy", obj(ni(``, `"table-connections":{"table-connection":[{"src-protocol":"STATIC","dst-protocol":"BGP","address-family":"IPV4","config":{"src-protocol":"STATIC","dst-protocol":"BGP","address-family":"IPV4","import-policy":["NONE"]}}]}`)),
			[]string{"table-connection[src-protocol=STATIC][dst-protocol=BGP][address-family=IPV4]/config/import-policy", `"NONE"`}},
		{"bad static prefix", obj(ni(`{"identifier":"STATIC","name":"s","static-routes":{"static":[{"prefix":"10.0.0.1/8","config":{"prefix":"10.0.0.1/8"},"next-hops":{"next-hop":[{"index":"0","config":{"index":"0","next-hop":"10.1.1.1"}}]}}]}}`)),
			[]string{"static[prefix=10.0.0.1/8]", "host bits"}},
		{"bad next-hop", obj(ni(`{"identifier":"STATIC","name":"s","static-routes":{"static":[{"prefix":"10.0.0.0/8","config":{"prefix":"10.0.0.0/8"},"next-hops":{"next-hop":[{"index":"0","config":{"index":"0","next-hop":"not-an-ip"}}]}}]}}`)),
			[]string{"next-hop[index=0]/config/next-hop", "not-an-ip"}},
		{"bad prefix-set prefix", obj(rp(`"defined-sets":{"prefix-sets":{"prefix-set":[{"name":"S","prefixes":{"prefix":[{"ip-prefix":"10.0.0.0/33","masklength-range":"exact","config":{"ip-prefix":"10.0.0.0/33","masklength-range":"exact"}}]}}]}}`)),
			[]string{"prefix-set[name=S]", "10.0.0.0/33"}},
		{"bad masklength-range", obj(rp(`"defined-sets":{"prefix-sets":{"prefix-set":[{"name":"S","prefixes":{"prefix":[{"ip-prefix":"10.0.0.0/8","masklength-range":"24..16","config":{"ip-prefix":"10.0.0.0/8","masklength-range":"24..16"}}]}}]}}`)),
			[]string{"masklength-range", "24..16"}},
		{"prefix-set mode IPV6 with an IPv4 entry", obj(rp(`"defined-sets":{"prefix-sets":{"prefix-set":[{"name":"S","config":{"name":"S","mode":"IPV6"},"prefixes":{"prefix":[{"ip-prefix":"10.0.0.0/8","masklength-range":"exact","config":{"ip-prefix":"10.0.0.0/8","masklength-range":"exact"}}]}}]}}`)),
			[]string{"prefix-set[name=S]/config/mode", "mode IPV6 but holds 10.0.0.0/8"}},
		{"prefix-set mode IPV4 with an IPv6 entry", obj(rp(`"defined-sets":{"prefix-sets":{"prefix-set":[{"name":"S","config":{"name":"S","mode":"IPV4"},"prefixes":{"prefix":[{"ip-prefix":"2001:db8::/32","masklength-range":"exact","config":{"ip-prefix":"2001:db8::/32","masklength-range":"exact"}}]}}]}}`)),
			[]string{"mode IPV4 but holds 2001:db8::/32"}},
		{"bad community regex", obj(rp(`"defined-sets":{"openconfig-bgp-policy:bgp-defined-sets":{"community-sets":{"community-set":[{"community-set-name":"BAD","config":{"community-set-name":"BAD","community-member":["65000:(1"]}}]}}}`)),
			[]string{"r1", "community-set BAD", "65000:(1"}},
		{"bad as-path regex", obj(rp(`"defined-sets":{"openconfig-bgp-policy:bgp-defined-sets":{"as-path-sets":{"as-path-set":[{"as-path-set-name":"ASP","config":{"as-path-set-name":"ASP","as-path-set-member":["[64500"]}}]}}}`)),
			[]string{"r1", "as-path-set ASP", "[64500"}},
		{"bad interface address", obj(ifaces(`{"name":"et-1","subinterfaces":{"subinterface":[{"index":0,"ipv4":{"addresses":{"address":[{"ip":"10.0.0.1","config":{"ip":"10.0.0.1"}}]}}}]}}`)),
			[]string{"address[ip=10.0.0.1]", "prefix-length"}},
		{"bad NET", obj(ni(isisProto(`{"global":{"config":{"net":["49.0001.zzzz.0000.0001.00"]}}}`))), []string{"global/config/net", "zzzz"}},
		{"bad local-address", neighbor(`,"transport":{"config":{"local-address":"lo99"}}`), []string{"transport/config/local-address", "lo99"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { compileErr(t, tc.js, tc.want...) })
	}
}

func TestUnmodelled(t *testing.T) {
	js := obj(
		ifaces(iface("et-0/0/1", `,"description":"uplink","mtu":9000,"type":"iana-if-type:ethernetCsmacd"`, subif(0, "10.0.0.1/31"))),
		`"openconfig-acl:acl":{"acl-sets":{"acl-set":[{"name":"EDGE","type":"ACL_IPV4","config":{"name":"EDGE","type":"ACL_IPV4","description":"filter"}}]}}`,
		`"openconfig-system:system":{"config":{"hostname":"r1"}}`,
		ni(bgpProto(`{"global":{"config":{"as":65000},"route-selection-options":{"config":{"always-compare-med":true}}},
		  "neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":1,"auth-password":"secret","description":"peer"},
		    "timers":{"config":{"hold-time":30}}}]}}`)+
			`,{"identifier":"OSPF","name":"o","config":{"identifier":"OSPF","name":"o"}}`),
	)
	js = strings.TrimSuffix(js, "}") + `, "openconfig-network-instance:network-instances-extra": 1, "acme:vendor": {"x": 1}}`
	// network-instances-extra is not in the schema either: both are reported as ignored.
	s := snap(t, map[string]string{"r1": js})
	// A non-DEFAULT network instance.
	vrf, err := snapshot.Decode("r2", "r2.json", []byte(obj(`"openconfig-network-instance:network-instances":{"network-instance":[{"name":"CUST","config":{"name":"CUST","description":"x"}}]}`)))
	if err != nil {
		t.Fatal(err)
	}
	s.Devices["r2"] = vrf
	s.Inventory.Devices = append(s.Inventory.Devices, inventory.Device{Name: "r2"})
	n, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	nb := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=bgp]/bgp"
	want := []network.Unmodelled{
		{Device: "r1", Path: "/acl/acl-sets/acl-set[name=EDGE][type=ACL_IPV4]/config/name", Reason: "ACLs (packet filters) are not simulated"},
		{Device: "r1", Path: "/acl/acl-sets/acl-set[name=EDGE][type=ACL_IPV4]/config/type", Reason: "ACLs (packet filters) are not simulated"},
		{Device: "r1", Path: "/acme:vendor", Reason: ReasonNotInBinding},
		{Device: "r1", Path: nb + "/global/route-selection-options/config/always-compare-med", Reason: "BGP best-path options are not simulated (the decision process is the documented default)"},
		{Device: "r1", Path: "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=OSPF][name=o]/config/identifier", Reason: "protocol OSPF is not simulated"},
		{Device: "r1", Path: "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=OSPF][name=o]/config/name", Reason: "protocol OSPF is not simulated"},
		{Device: "r1", Path: "/openconfig-network-instance:network-instances-extra", Reason: ReasonNotInBinding},
		{Device: "r2", Path: "/network-instances/network-instance[name=CUST]/config/name", Reason: "only the DEFAULT network instance is simulated (network-instance CUST)"},
	}
	if !reflect.DeepEqual(n.Unmodelled, want) {
		t.Errorf("unmodelled:\n got %s\nwant %s", fmtU(n.Unmodelled), fmtU(want))
	}
}

func fmtU(us []network.Unmodelled) string {
	var b strings.Builder
	for _, u := range us {
		b.WriteString("\n  " + u.Device + " " + u.Path + " — " + u.Reason)
	}
	return b.String()
}

func TestEnvironmentAndLinks(t *testing.T) {
	s := snap(t, map[string]string{"b": "{}", "a": "{}"})
	s.Inventory.Links = []inventory.Link{{A: "b", AIface: "et-0/0/1.0", B: "a", BIface: "et-1/0/0"}}
	s.Environment = &snapshot.Environment{
		ExternalPeers: []snapshot.ExternalPeer{{Device: "b", Neighbor: netip.MustParseAddr("203.0.113.1"), ASN: 64601, Role: "transit",
			Announces: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}},
		Anycast: []snapshot.Anycast{{Service: "dns", Prefix: netip.MustParsePrefix("129.134.30.0/23"),
			Sites:  []snapshot.AnycastSite{{Site: "ams", Device: "a", Neighbor: netip.MustParseAddr("10.9.0.2"), ASN: 65100}},
			Health: snapshot.AnycastHealth{ReachAny: []netip.Prefix{netip.MustParsePrefix("10.200.0.0/16")}}}},
	}
	n, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if n.Devices[0].Name != "a" || n.Devices[1].ID != 1 || n.Device("b") != n.Devices[1] {
		t.Errorf("devices not sorted by name: %v, %v", n.Devices[0].Name, n.Devices[1].Name)
	}
	if want := []network.ExplicitLink{{A: 1, B: 0, AIface: "et-0/0/1", BIface: "et-1/0/0"}}; !reflect.DeepEqual(n.ExplicitLinks, want) {
		t.Errorf("links = %+v", n.ExplicitLinks)
	}
	if len(n.External) != 1 || n.External[0].Name != "b/203.0.113.1" || n.External[0].Device != 1 || n.External[0].Role != "transit" {
		t.Errorf("external = %+v", n.External)
	}
	if len(n.Anycast) != 1 || n.Anycast[0].Sites[0].Device != 0 || len(n.Anycast[0].ReachAny) != 1 {
		t.Errorf("anycast = %+v", n.Anycast)
	}
}

func TestLeavesSpeed(t *testing.T) {
	// A ~90 KB config: 300 addressed interfaces plus IS-IS on each.
	var ifs, isis []string
	for i := 0; i < 300; i++ {
		name := "et-0/0/" + itoa(i)
		ifs = append(ifs, iface(name, `,"description":"some link description","mtu":9192`, subif(0, "10.0.0.1/31")))
		isis = append(isis, `{"interface-id":"`+name+`","config":{"interface-id":"`+name+`","circuit-type":"POINT_TO_POINT"},"levels":{"level":[{"level-number":2,"config":{"level-number":2},"afi-safi":{"af":[{"afi-name":"IPV4","safi-name":"UNICAST","config":{"afi-name":"IPV4","safi-name":"UNICAST","metric":100}}]}}]}}`)
	}
	js := obj(ifaces(strings.Join(ifs, ",")), ni(isisProto(`{"interfaces":{"interface":[`+strings.Join(isis, ",")+`]}}`)))
	t.Logf("config size %d bytes", len(js))
	s := snap(t, map[string]string{"r1": js})
	start := time.Now()
	if _, err := Compile(s); err != nil {
		t.Fatal(err)
	}
	// Generous bound: this guards against an accidental quadratic walk, not a benchmark.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Compile took %v", d)
	}
	if n := len(oc.Leaves(s.Devices["r1"].Tree)); n < 3000 {
		t.Errorf("only %d leaves", n)
	}
}

func BenchmarkCompile90KB(b *testing.B) {
	var ifs []string
	for i := 0; i < 300; i++ {
		name := "et-0/0/" + itoa(i)
		ifs = append(ifs, iface(name, `,"description":"some link description","mtu":9192`, subif(0, "10.0.0.1/31")))
	}
	s := snap(b, map[string]string{"r1": obj(ifaces(strings.Join(ifs, ",")), rp(policyJSON))})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Compile(s); err != nil {
			b.Fatal(err)
		}
	}
}

// A statement with a condition or action outside the modelled subset must
// never compile as if that part were absent (it would then match or act on
// every route): it is compiled as unknown, naming the leaf. Modelled BGP
// conditions and set-route-origin compile to their values.
func TestUnknownStatements(t *testing.T) {
	st := func(name, conds, acts string) string {
		return `{"name":"` + name + `","config":{"name":"` + name + `"},"conditions":` + conds + `,"actions":` + acts + `}`
	}
	accept := `{"config":{"policy-result":"ACCEPT_ROUTE"}}`
	js := obj(rp(`"defined-sets":{"tag-sets":{"tag-set":[{"name":"T","config":{"name":"T","tag-value":[7]}}]}},
"policy-definitions":{"policy-definition":[{"name":"P","config":{"name":"P"},"statements":{"statement":[` +
		st("tag", `{"match-tag-set":{"config":{"tag-set":"T"}}}`, accept) + `,` +
		st("rt", `{"openconfig-bgp-policy:bgp-conditions":{"config":{"route-type":"INTERNAL","origin-eq":"EGP","med-eq":5,"local-pref-eq":0}}}`, accept) + `,` +
		st("origin", `{}`, `{"config":{"policy-result":"ACCEPT_ROUTE"},"openconfig-bgp-policy:bgp-actions":{"config":{"set-route-origin":"INCOMPLETE"}}}`) + `,` +
		st("nhin", `{"openconfig-bgp-policy:bgp-conditions":{"config":{"next-hop-in":["192.0.2.1"]}}}`, accept) + `,` +
		st("install", `{"config":{"install-protocol-eq":"openconfig-policy-types:OSPF"}}`, accept) +
		`]}}]}`))
	d := compileOne(t, js)
	sts := d.Policies["P"].Statements
	byName := map[string]network.Statement{}
	for _, s := range sts {
		byName[s.Name] = s
	}
	for _, c := range []struct{ name, leaf string }{
		{"tag", "/conditions/match-tag-set/config/tag-set"},
		{"nhin", "/conditions/bgp-conditions/config/next-hop-in"},
		{"install", "/conditions/config/install-protocol-eq"},
	} {
		s := byName[c.name]
		if len(s.Unknown) == 0 || !strings.Contains(strings.Join(s.Unknown, ";"), s.Path+c.leaf) {
			t.Errorf("statement %s: Unknown = %q, want the leaf %s", c.name, s.Unknown, c.leaf)
		}
	}
	rt := byName["rt"]
	if len(rt.Unknown) != 0 || rt.Conditions.RouteType != network.RouteInternal || rt.Conditions.OriginEq != network.OriginEGP ||
		rt.Conditions.MEDEq == nil || *rt.Conditions.MEDEq != 5 || rt.Conditions.LocalPrefEq == nil || *rt.Conditions.LocalPrefEq != 0 {
		t.Errorf("bgp-conditions: %+v unknown %q", rt.Conditions, rt.Unknown)
	}
	if o := byName["origin"]; len(o.Unknown) != 0 || o.Actions.SetOrigin != network.OriginIncomplete {
		t.Errorf("set-route-origin: %+v unknown %q", o.Actions, o.Unknown)
	}
}

// The effective value's leaf is named where it was set (neighbor, peer-group,
// or the global AS), so a finding points at the leaf to change.
func TestNeighborLeafPaths(t *testing.T) {
	nb := network.Neighbor{Path: "/n", Leaves: map[string]string{"config/peer-as": "/pg/config/peer-as"}}
	if got := nb.LeafPath("config/peer-as"); got != "/pg/config/peer-as" {
		t.Errorf("inherited leaf: %s", got)
	}
	if got := nb.LeafPath("config/auth-password"); got != "/n/config/auth-password" {
		t.Errorf("unset leaf: %s", got)
	}
}

// Session parameters both ends must agree on, inherited from peer-groups;
// the password enters the model only as a digest.
func TestBGPSessionParameters(t *testing.T) {
	js := obj(ni(bgpProto(`{
	  "global":{"config":{"as":65000,"router-id":"192.0.2.1"},
	    "use-multiple-paths":{"config":{"enabled":true},"ebgp":{"config":{"maximum-paths":4,"allow-multiple-as":true}},
	      "ibgp":{"config":{"maximum-paths":2}}}},
	  "peer-groups":{"peer-group":[{"peer-group-name":"PG","config":{"peer-group-name":"PG","peer-as":65000,"auth-password":"s3cret"},
	      "transport":{"config":{"passive-mode":true}},
	      "afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST","enabled":true},
	        "ipv4-unicast":{"prefix-limit":{"config":{"max-prefixes":100,"prevent-teardown":true}}}}]}}]},
	  "neighbors":{"neighbor":[
	    {"neighbor-address":"192.0.2.2","config":{"neighbor-address":"192.0.2.2","peer-group":"PG","neighbor-port":1179}}]}}`)))
	d := compileOne(t, js)
	b := d.BGP
	if b.MaxPathsEBGP != 4 || b.MaxPathsIBGP != 2 || !b.AllowMultipleAS {
		t.Errorf("multipath: %+v", b)
	}
	nb := b.Neighbors[0]
	if !nb.Passive || nb.Port != 1179 || nb.MaxPrefixes != 100 || !nb.PreventTeardown || nb.AuthHash == "" {
		t.Errorf("neighbor: %+v", nb)
	}
	if strings.Contains(fmt.Sprintf("%+v", nb), "s3cret") {
		t.Error("the password is in the model")
	}
	if p := nb.LeafPath("config/auth-password"); !strings.Contains(p, "peer-group[peer-group-name=PG]/config/auth-password") {
		t.Errorf("auth leaf path: %s", p)
	}
	for _, l := range []string{"transport/config/passive-mode", "config/neighbor-port"} {
		if _, ok := nb.Leaves[l]; !ok {
			t.Errorf("no leaf path for %s: %v", l, nb.Leaves)
		}
	}
}

// Settings whose routing effect differs by vendor, or that move the instance
// out of the global table, are named as unmodelled instead of read one way.
func TestAmbiguousSettingsRefused(t *testing.T) {
	const (
		niBase = "/network-instances/network-instance[name=DEFAULT]"
		gAF    = niBase + "/protocols/protocol[identifier=BGP][name=bgp]/bgp/global/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/config/enabled"
	)
	af := func(en string) string {
		if en == "" {
			return ""
		}
		return `,"afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST","enabled":` + en + `}}]}`
	}
	bgp := func(global, group, nbr string) string {
		return bgpProto(`{"global":{"config":{"as":65000}` + af(global) + `},
		  "peer-groups":{"peer-group":[{"peer-group-name":"RR","config":{"peer-group-name":"RR","peer-as":65000}` + af(group) + `}]},
		  "neighbors":{"neighbor":[
		    {"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-group":"RR"}` + af(nbr) + `},
		    {"neighbor-address":"10.0.0.3","config":{"neighbor-address":"10.0.0.3","peer-group":"RR"}` + af(nbr) + `}]}}`)
	}
	cases := []struct {
		name     string
		js       string
		wantPath string // "" for nothing reported
		wantV4   bool   // the neighbors' IPv4 unicast
	}{
		{"instance typed L3VRF", strings.Replace(obj(ni(bgp("", "", ""))), `"config": {"name": "DEFAULT"}`,
			`"config": {"name": "DEFAULT", "type": "openconfig-network-instance-types:L3VRF"}`, 1), niBase + "/config/type", true},
		{"instance typed DEFAULT_INSTANCE", strings.Replace(obj(ni(bgp("", "", ""))), `"config": {"name": "DEFAULT"}`,
			`"config": {"name": "DEFAULT", "type": "openconfig-network-instance-types:DEFAULT_INSTANCE"}`, 1), "", true},
		{"global off, neighbor on", obj(ni(bgp("false", "", "true"))), gAF, true},
		{"global off, peer-group on", obj(ni(bgp("false", "true", ""))), gAF, true},
		{"global off alone", obj(ni(bgp("false", "", ""))), "", false},
		{"peer-group off, neighbor on", obj(ni(bgp("true", "false", "true"))), "", true},
		{"peer-type EXTERNAL with our own peer-as", obj(ni(strings.Replace(bgp("", "", ""), `"peer-as":65000}`, `"peer-as":65000,"peer-type":"EXTERNAL"}`, 1))),
			niBase + "/protocols/protocol[identifier=BGP][name=bgp]/bgp/peer-groups/peer-group[peer-group-name=RR]/config/peer-type", true},
		{"peer-type INTERNAL with our own peer-as", obj(ni(strings.Replace(bgp("", "", ""), `"peer-as":65000}`, `"peer-as":65000,"peer-type":"INTERNAL"}`, 1))), "", true},
		// One finding for a peer-group leaf both neighbors inherit.
		{"max-prefixes 0 on the peer-group", obj(ni(strings.Replace(bgp("", "", ""), `"peer-as":65000}`,
			`"peer-as":65000},"afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST","enabled":true},"ipv4-unicast":{"prefix-limit":{"config":{"max-prefixes":0}}}}]}`, 1))),
			niBase + "/protocols/protocol[identifier=BGP][name=bgp]/bgp/peer-groups/peer-group[peer-group-name=RR]/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/ipv4-unicast/prefix-limit/config/max-prefixes", true},
		{"max-prefixes 1", obj(ni(strings.Replace(bgp("", "", ""), `"peer-as":65000}`,
			`"peer-as":65000},"afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST","enabled":true},"ipv4-unicast":{"prefix-limit":{"config":{"max-prefixes":1}}}}]}`, 1))), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := Compile(snap(t, map[string]string{"r1": c.js}))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range n.Unmodelled {
				got = append(got, u.Path)
			}
			if want := []string{c.wantPath}; c.wantPath == "" && len(got) > 0 || c.wantPath != "" && !reflect.DeepEqual(got, want) {
				t.Errorf("unmodelled %q, want %q", got, c.wantPath)
			}
			for _, nb := range n.Devices[0].BGP.Neighbors {
				if nb.IPv4Unicast != c.wantV4 {
					t.Errorf("%s IPv4 unicast %v, want %v", nb.Address, nb.IPv4Unicast, c.wantV4)
				}
			}
		})
	}
}

// Forced speed, duplex and auto-negotiation are read for the link agreement
// (internal/sim).
func TestEthernetSettings(t *testing.T) {
	js := obj(ifaces(`{"name":"et-0/0/1","config":{"name":"et-0/0/1"},
	  "openconfig-if-ethernet:ethernet":{"config":{"port-speed":"openconfig-if-ethernet:SPEED_100GB","duplex-mode":"FULL","auto-negotiate":false}},
	  "subinterfaces":{"subinterface":[` + subif(0, "10.0.0.1/31") + `]}},` + iface("et-0/0/2", "", subif(0, "10.0.0.3/31"))))
	d := compileOne(t, js)
	got := map[string][3]string{}
	for _, i := range d.Interfaces {
		got[i.Name] = [3]string{i.PortSpeed, i.Duplex, i.AutoNeg}
	}
	want := map[string][3]string{"et-0/0/1": {"SPEED_100GB", "FULL", "false"}, "et-0/0/2": {"", "", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("speed, duplex, auto-negotiate: %v, want %v", got, want)
	}
}

// Absent enabled leaves read as the model says: false where openconfig-isis
// and openconfig-bgp give false as the default (an IS-IS interface, its
// levels, the instance's levels, BGP's global afi-safi), and refused where
// the model gives no default (an IS-IS IPv4 address-family entry). A change
// deleting any of them used to read as "still on" and pass.
func TestAbsentEnabledFollowsTheModel(t *testing.T) {
	const base = "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=isis]/isis"
	af := `"afi-safi":{"af":[{"afi-name":"IPV4","safi-name":"UNICAST","config":{"afi-name":"IPV4","safi-name":"UNICAST"%s}}]}`
	isis := func(globalLevel, ifEnabled, ifLevel, ifAF string) string {
		return obj(ifaces(isisIfaces), ni(isisProto(`{
		  "global":{"config":{"net":["49.0001.0000.0000.0001.00"],"level-capability":"LEVEL_2"},`+fmt.Sprintf(af, `,"enabled":true`)+`},
		  "levels":{"level":[{"level-number":2,"config":{"level-number":2`+globalLevel+`}}]},
		  "interfaces":{"interface":[{"interface-id":"et-0/0/1","config":{"interface-id":"et-0/0/1"`+ifEnabled+`},`+fmt.Sprintf(af, ifAF)+`,
		     "levels":{"level":[{"level-number":2,"config":{"level-number":2`+ifLevel+`}}]}}]}}`)))
	}
	on := `,"enabled":true`
	cases := []struct {
		name       string
		js         string
		levels     network.Level // the instance's
		ifOn       bool
		ifLevels   network.Level
		unmodelled string
	}{
		{"all set", isis(on, on, on, on), network.Level2, true, network.Level2, ""},
		{"interface enabled absent", isis(on, "", on, on), network.Level2, false, network.Level2, ""},
		{"interface level enabled absent", isis(on, on, "", on), network.Level2, true, 0, ""},
		{"instance level enabled absent", isis("", on, on, on), 0, true, network.Level2, ""},
		{"interface address family enabled absent", isis(on, on, on, ""), network.Level2, true, network.Level2,
			base + "/interfaces/interface[interface-id=et-0/0/1]/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/enabled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Compile(snap(t, map[string]string{"r1": tc.js}))
			if err != nil {
				t.Fatal(err)
			}
			is := n.Devices[0].ISIS
			ii := is.Interfaces[0]
			if is.Levels != tc.levels || ii.Enabled != tc.ifOn || ii.Levels != tc.ifLevels {
				t.Errorf("instance levels %v, interface enabled %v levels %v; want %v, %v, %v", is.Levels, ii.Enabled, ii.Levels, tc.levels, tc.ifOn, tc.ifLevels)
			}
			var got []string
			for _, u := range n.Unmodelled {
				got = append(got, u.Path)
			}
			if tc.unmodelled == "" && len(got) > 0 || tc.unmodelled != "" && (len(got) != 1 || got[0] != tc.unmodelled) {
				t.Errorf("unmodelled %q, want %q", got, tc.unmodelled)
			}
		})
	}
	// BGP: the global afi-safi entry without enabled is off; a neighbor that
	// turns IPv4 on again is the vendor-dependent case, refused by name.
	js := obj(ni(bgpProto(`{"global":{"config":{"as":65000},"afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST"}}]}},
	  "neighbors":{"neighbor":[{"neighbor-address":"10.0.0.2","config":{"neighbor-address":"10.0.0.2","peer-as":65000},
	    "afi-safis":{"afi-safi":[{"afi-safi-name":"IPV4_UNICAST","config":{"afi-safi-name":"IPV4_UNICAST","enabled":true}}]}}]}}`)))
	n, err := Compile(snap(t, map[string]string{"r1": js}))
	if err != nil {
		t.Fatal(err)
	}
	if !hasUnmodelled(n, "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=bgp]/bgp/global/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/config/enabled", "disabled globally") {
		t.Errorf("global afi-safi without enabled: unmodelled %+v", n.Unmodelled)
	}
}
