package lab

import (
	"encoding/json"
	"fmt"

	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// Fleet synthesises a ring backbone of n routers (r000, r001, ...) whose
// configs look like real ones: a loopback, ring links with /31 addresses and
// IS-IS, spare ports, iBGP to two route reflectors through a peer group, an
// eBGP transit session on every fourth router, and routing policy with
// prefix sets. extraPorts adds unused ports and prefix-set entries per router
// to grow each config (about 0.5 KB per unit) for load tests.
func Fleet(n, extraPorts int) (*snapshot.Snapshot, error) {
	inv := &inventory.Inventory{}
	devs := map[string]*snapshot.DeviceConfig{}
	for i := 0; i < n; i++ {
		name := fleetName(i)
		inv.Devices = append(inv.Devices, inventory.Device{
			Name: name, Role: "backbone", Site: fmt.Sprintf("site%d", i/2), Tags: []string{"lab"},
		})
		raw, err := json.MarshalIndent(fleetConfig(i, n, extraPorts), "", "  ")
		if err != nil {
			return nil, err
		}
		dc, err := snapshot.Decode(name, "lab:"+name, append(raw, '\n'))
		if err != nil {
			return nil, err
		}
		devs[name] = dc
	}
	return &snapshot.Snapshot{Source: fmt.Sprintf("lab fleet of %d", n), Inventory: inv,
		Environment: &snapshot.Environment{}, Devices: devs}, nil
}

func fleetName(i int) string { return fmt.Sprintf("r%03d", i) }

type obj = map[string]any

func fleetIface(name, desc string, enabled bool, ip string, plen int) obj {
	ifc := obj{
		"name": name,
		"config": obj{"name": name, "description": desc, "enabled": enabled, "mtu": 9192,
			"type": "iana-if-type:ethernetCsmacd"},
	}
	if name == "lo0" {
		ifc["config"].(obj)["type"] = "iana-if-type:softwareLoopback"
		delete(ifc["config"].(obj), "mtu")
	}
	if ip != "" {
		ifc["subinterfaces"] = obj{"subinterface": []any{obj{
			"index":  0,
			"config": obj{"index": 0, "enabled": enabled},
			"openconfig-if-ip:ipv4": obj{"addresses": obj{"address": []any{obj{
				"ip": ip, "config": obj{"ip": ip, "prefix-length": plen},
			}}}},
		}}}
	}
	return ifc
}

func fleetConfig(i, n, extra int) obj {
	lo := fmt.Sprintf("10.255.%d.%d", i/250, i%250+1)
	ifaces := []any{fleetIface("lo0", "loopback", true, lo, 32)}
	isisIfs := []any{obj{"interface-id": "lo0", "config": obj{"interface-id": "lo0", "enabled": true, "passive": true}}}
	link := func(port string, peer int, ip string) {
		ifaces = append(ifaces, fleetIface(port, "core: "+fleetName(peer), true, ip, 31))
		isisIfs = append(isisIfs, obj{
			"interface-id": port,
			"config":       obj{"interface-id": port, "enabled": true, "circuit-type": "POINT_TO_POINT"},
			"levels": obj{"level": []any{obj{"level-number": 2, "config": obj{"level-number": 2, "enabled": true},
				"af": obj{"af": []any{obj{"afi-name": "openconfig-isis-types:IPV4", "safi-name": "openconfig-isis-types:UNICAST",
					"config": obj{"afi-name": "openconfig-isis-types:IPV4", "safi-name": "openconfig-isis-types:UNICAST", "metric": 10}}}}}}},
		})
	}
	if n > 1 {
		// Ring: link k joins router k and k+1; 10.0.x.y/31 with router k on the even address.
		next, prev := (i+1)%n, (i-1+n)%n
		link("et-0/0/0", next, linkAddr(i, 0))
		if n > 2 || i == 1 {
			link("et-0/0/1", prev, linkAddr(prev, 1))
		}
	}
	for p := 0; p < extra; p++ {
		ifaces = append(ifaces, fleetIface(fmt.Sprintf("et-1/%d/%d", p/48, p%48), "spare", false, "", 0))
	}
	// BGP: everyone peers with the two reflectors r000 and r001.
	var neighbors []any
	for _, rr := range []int{0, 1} {
		if rr == i || rr >= n {
			continue
		}
		addr := fmt.Sprintf("10.255.%d.%d", rr/250, rr%250+1)
		neighbors = append(neighbors, obj{"neighbor-address": addr,
			"config": obj{"neighbor-address": addr, "peer-group": "IBGP", "enabled": true, "description": "rr " + fleetName(rr)}})
	}
	policies := []any{fleetPolicy("IBGP-OUT", "ACCEPT_ROUTE", ""), fleetPolicy("DENY-ALL", "REJECT_ROUTE", "")}
	if i%4 == 3 {
		addr := fmt.Sprintf("203.0.113.%d", i%250+1)
		ifaces = append(ifaces, fleetIface("et-0/0/9", "transit", true, fmt.Sprintf("203.0.113.%d", i%250), 31))
		neighbors = append(neighbors, obj{"neighbor-address": addr,
			"config": obj{"neighbor-address": addr, "peer-as": 64601, "enabled": true, "description": "transit"},
			"apply-policy": obj{"config": obj{"import-policy": []any{"TRANSIT-IN"}, "export-policy": []any{"TRANSIT-OUT"},
				"default-import-policy": "REJECT_ROUTE", "default-export-policy": "REJECT_ROUTE"}},
			"afi-safis": obj{"afi-safi": []any{obj{"afi-safi-name": "openconfig-bgp-types:IPV4_UNICAST",
				"config": obj{"afi-safi-name": "openconfig-bgp-types:IPV4_UNICAST", "enabled": true}}}},
		})
		policies = append(policies, fleetPolicy("TRANSIT-IN", "ACCEPT_ROUTE", ""), fleetPolicy("TRANSIT-OUT", "ACCEPT_ROUTE", "OURS"))
	}
	var prefixes []any
	for p := 0; p < 4+extra; p++ {
		pfx := fmt.Sprintf("10.%d.%d.0/24", 200+p/256, p%256)
		prefixes = append(prefixes, obj{"ip-prefix": pfx, "masklength-range": "24..32",
			"config": obj{"ip-prefix": pfx, "masklength-range": "24..32"}})
	}
	return obj{
		"openconfig-interfaces:interfaces": obj{"interface": ifaces},
		"openconfig-network-instance:network-instances": obj{"network-instance": []any{obj{
			"name":   "DEFAULT",
			"config": obj{"name": "DEFAULT", "type": "openconfig-network-instance-types:DEFAULT_INSTANCE"},
			"protocols": obj{"protocol": []any{
				obj{"identifier": "openconfig-policy-types:ISIS", "name": "ISIS",
					"config": obj{"identifier": "openconfig-policy-types:ISIS", "name": "ISIS"},
					"isis": obj{
						"global":     obj{"config": obj{"net": []any{fmt.Sprintf("49.0001.0000.0000.%04d.00", i)}, "level-capability": "LEVEL_2"}},
						"interfaces": obj{"interface": isisIfs},
					}},
				obj{"identifier": "openconfig-policy-types:BGP", "name": "BGP",
					"config": obj{"identifier": "openconfig-policy-types:BGP", "name": "BGP"},
					"bgp": obj{
						"global": obj{"config": obj{"as": 65000, "router-id": lo}},
						"peer-groups": obj{"peer-group": []any{obj{"peer-group-name": "IBGP",
							"config":       obj{"peer-group-name": "IBGP", "peer-as": 65000},
							"transport":    obj{"config": obj{"local-address": "lo0"}},
							"apply-policy": obj{"config": obj{"export-policy": []any{"IBGP-OUT"}}},
						}}},
						"neighbors": obj{"neighbor": neighbors},
					}},
			}},
		}}},
		"openconfig-routing-policy:routing-policy": obj{
			"defined-sets": obj{"prefix-sets": obj{"prefix-set": []any{obj{"name": "OURS",
				"config":   obj{"name": "OURS", "mode": "IPV4"},
				"prefixes": obj{"prefix": prefixes},
			}}}},
			"policy-definitions": obj{"policy-definition": policies},
		},
	}
}

func linkAddr(k, side int) string {
	return fmt.Sprintf("10.%d.%d.%d", k/32768, (k/128)%256, (k%128)*2+side)
}

func fleetPolicy(name, result, prefixSet string) obj {
	st := obj{"name": "10", "config": obj{"name": "10"},
		"actions": obj{"config": obj{"policy-result": result}}}
	if prefixSet != "" {
		st["conditions"] = obj{"match-prefix-set": obj{"config": obj{"prefix-set": prefixSet, "match-set-options": "ANY"}}}
	}
	return obj{"name": name, "config": obj{"name": name},
		"statements": obj{"statement": []any{st}}}
}
