package emulate

import (
	"encoding/json"
	"net/netip"
	"slices"
	"testing"
)

// The shape of FRR 8.4's "show bgp ipv4 unicast json detail" (captured from
// bgpd 8.4.4 and trimmed): a header object first in each prefix's list, then
// the paths; well-known communities by name.
const detailJSON = `{"vrfId":0,"routerId":"1.1.1.1","localAS":65000,"routes":{
 "10.9.0.0/16":[{"prefix":"10.9.0.0/16","version":1},
  {"aspath":{"string":"Local","segments":[],"length":0},"origin":"incomplete","metric":0,"weight":32768,"valid":true,
   "sourced":true,"local":true,"bestpath":{"overall":true,"selectionReason":"First path received"},
   "community":{"string":"65000:100 no-export","list":["65000:100","noExport"]},
   "nexthops":[{"ip":"0.0.0.0","afi":"ipv4","used":true}],"peer":{"peerId":"0.0.0.0","routerId":"1.1.1.1"}}],
 "10.8.0.0/16":[{"prefix":"10.8.0.0/16","version":2},
  {"aspath":{"string":"65001 65002"},"origin":"IGP","locPrf":50,"valid":true,"multipath":true,"bestpath":{"overall":true},
   "nexthops":[{"ip":"10.1.0.1"}],"peer":{"peerId":"10.1.0.1"}},
  {"aspath":{"string":"65001 65002"},"origin":"IGP","locPrf":50,"valid":true,"multipath":true,
   "community":{"list":["blackhole"]},"nexthops":[{"ip":"10.1.0.3"}],"peer":{"peerId":"10.1.0.3"}}]}}`

func TestFRRDetailJSON(t *testing.T) {
	tab, err := bgpPaths(json.RawMessage(detailJSON))
	if err != nil {
		t.Fatal(err)
	}
	st := &RouterState{decoded: &frrTables{BGP: tab}}
	routes, err := FRRRoutes(st)
	if err != nil {
		t.Fatal(err)
	}
	local := routes["bgp 10.9.0.0/16"]
	if !local.Present || local.Origin != "incomplete" || len(local.ASPath) != 0 || local.NextHop != "0.0.0.0" ||
		!slices.Equal(local.Communities, []string{"65000:100", "65535:65281"}) || local.Multipath != nil {
		t.Errorf("local route: %+v", local)
	}
	learned := routes["bgp 10.8.0.0/16"]
	if learned.Origin != "igp" || learned.LocalPref != 50 || !slices.Equal(learned.ASPath, []uint32{65001, 65002}) ||
		learned.NextHop != "10.1.0.1" || !slices.Equal(learned.Multipath, []string{"10.1.0.1", "10.1.0.3"}) || learned.Communities != nil {
		t.Errorf("learned route: %+v", learned)
	}
	if n := len(tab[mustPrefix("10.8.0.0/16")]); n != 2 {
		t.Errorf("header object kept as a path: %d paths", n)
	}
	cs, err := parseCommunities(tab[mustPrefix("10.8.0.0/16")][1].communities())
	if err != nil || len(cs) != 1 || cs[0] != 0xFFFF029A {
		t.Errorf("blackhole community: %v %v", cs, err)
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
