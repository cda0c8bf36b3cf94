package testnet

import (
	"fmt"
	"net/netip"
)

// M and L are the JSON object and array of RFC 7951 trees built here.
type (
	M = map[string]any
	L = []any
)

const ni = "DEFAULT"

// Render returns the device's configuration as an RFC 7951 tree rooted at /.
func (d *Device) Render() M {
	return M{
		"openconfig-interfaces:interfaces":              M{"interface": d.renderIfaces()},
		"openconfig-network-instance:network-instances": M{"network-instance": L{d.renderNI()}},
		"openconfig-routing-policy:routing-policy":      d.renderPolicy(),
	}
}

func (d *Device) renderIfaces() L {
	var out L
	for _, i := range d.Ifaces {
		typ := "iana-if-type:ethernetCsmacd"
		if i.Loopback {
			typ = "iana-if-type:softwareLoopback"
		}
		cfg := M{"name": i.Name, "type": typ, "description": i.Desc, "enabled": true}
		if i.MTU != 0 {
			cfg["mtu"] = i.MTU
		}
		sub := M{
			"index":  0,
			"config": M{"index": 0, "enabled": true},
			"openconfig-if-ip:ipv4": M{
				"addresses": M{"address": L{M{
					"ip":     i.Addr.Addr().String(),
					"config": M{"ip": i.Addr.Addr().String(), "prefix-length": i.Addr.Bits()},
				}}},
			},
		}
		out = append(out, M{"name": i.Name, "config": cfg, "subinterfaces": M{"subinterface": L{sub}}})
	}
	return out
}

func proto(id string, body M) M {
	m := M{"identifier": "openconfig-policy-types:" + id, "name": id,
		"config": M{"identifier": "openconfig-policy-types:" + id, "name": id, "enabled": true}}
	for k, v := range body {
		m[k] = v
	}
	return m
}

func (d *Device) renderNI() M {
	protos := L{proto("ISIS", M{"isis": d.renderISIS()}), proto("BGP", M{"bgp": d.renderBGP()})}
	var tables L
	var conns L
	table := func(p string) M {
		return M{"protocol": "openconfig-policy-types:" + p, "address-family": "openconfig-types:IPV4",
			"config": M{"protocol": "openconfig-policy-types:" + p, "address-family": "openconfig-types:IPV4"}}
	}
	conn := func(src, policy string) M {
		return M{"src-protocol": "openconfig-policy-types:" + src, "dst-protocol": "openconfig-policy-types:BGP",
			"address-family": "openconfig-types:IPV4",
			"config": M{"src-protocol": "openconfig-policy-types:" + src, "dst-protocol": "openconfig-policy-types:BGP",
				"address-family": "openconfig-types:IPV4", "import-policy": L{policy}, "default-import-policy": "REJECT_ROUTE"}}
	}
	tables = append(tables, table("BGP"), table("ISIS"))
	if dc := dcOf(d); dc != nil {
		var statics L
		for _, p := range []netip.Prefix{DCPrefix(dc.N), ServicePrefix(dc.N)} {
			statics = append(statics, M{"prefix": p.String(),
				"config": M{"prefix": p.String(), "description": "originate " + dc.Site + " (discard)"},
				"next-hops": M{"next-hop": L{M{"index": "DISCARD",
					"config": M{"index": "DISCARD", "next-hop": "openconfig-local-routing:DROP"}}}}})
		}
		protos = append(protos, proto("STATIC", M{"static-routes": M{"static": statics}}))
		tables = append(tables, table("STATIC"))
		conns = append(conns, conn("STATIC", "DC-ORIGINATE"))
	}
	if popOf(d) != nil {
		protos = append(protos, proto("LOCAL_AGGREGATE", M{"local-aggregates": M{"aggregate": L{M{
			"prefix": ServiceAgg.String(),
			"config": M{"prefix": ServiceAgg.String(), "discard": true,
				"description": "public service aggregate, active while a DC /24 contributes"},
		}}}}))
		tables = append(tables, table("LOCAL_AGGREGATE"))
		conns = append(conns, conn("LOCAL_AGGREGATE", "AGGREGATE-TO-BGP"))
	}
	m := M{"name": ni,
		"config": M{"name": ni, "type": "openconfig-network-instance-types:DEFAULT_INSTANCE",
			"description": "global routing table", "router-id": d.Loopback.String()},
		"protocols": M{"protocol": protos},
		"tables":    M{"table": tables},
	}
	if len(conns) > 0 {
		m["table-connections"] = M{"table-connection": conns}
	}
	return m
}

func isisAF(extra M) M {
	cfg := M{"afi-name": "openconfig-isis-types:IPV4", "safi-name": "openconfig-isis-types:UNICAST"}
	for k, v := range extra {
		cfg[k] = v
	}
	return M{"afi-name": "openconfig-isis-types:IPV4", "safi-name": "openconfig-isis-types:UNICAST", "config": cfg}
}

func (d *Device) renderISIS() M {
	var ifs L
	for _, i := range d.Ifaces {
		if !i.ISIS {
			continue
		}
		cfg := M{"interface-id": i.Name, "enabled": true}
		lvl := M{"level-number": 2, "config": M{"level-number": 2, "enabled": true}}
		if i.Loopback {
			cfg["passive"] = true
		} else {
			cfg["circuit-type"] = "POINT_TO_POINT"
			lvl["afi-safi"] = M{"af": L{isisAF(M{"metric": i.Metric})}}
		}
		ifs = append(ifs, M{"interface-id": i.Name, "config": cfg,
			"interface-ref": M{"config": M{"interface": i.Name, "subinterface": 0}},
			"afi-safi":      M{"af": L{isisAF(M{"enabled": true})}},
			"levels":        M{"level": L{lvl}}})
	}
	return M{
		"global": M{
			"config":   M{"net": L{fmt.Sprintf("49.0001.0000.0000.%04d.00", d.Num)}, "level-capability": "LEVEL_2"},
			"afi-safi": M{"af": L{isisAF(M{"enabled": true})}},
		},
		"levels":     M{"level": L{M{"level-number": 2, "config": M{"level-number": 2, "enabled": true, "metric-style": "WIDE_METRIC"}}}},
		"interfaces": M{"interface": ifs},
	}
}

const ipv4u = "openconfig-bgp-types:IPV4_UNICAST"

func afiSafi() M {
	return M{"afi-safi": L{M{"afi-safi-name": ipv4u, "config": M{"afi-safi-name": ipv4u, "enabled": true}}}}
}

func strs(xs []string) L {
	out := L{}
	for _, x := range xs {
		out = append(out, x)
	}
	return out
}

func (d *Device) renderBGP() M {
	var groups L
	for _, g := range d.Groups {
		cfg := M{"peer-group-name": g.Name, "description": g.Desc}
		if g.PeerAS != 0 {
			cfg["peer-as"] = g.PeerAS
		}
		pg := M{"peer-group-name": g.Name, "config": cfg, "afi-safis": afiSafi()}
		if g.RRClient {
			pg["route-reflector"] = M{"config": M{"route-reflector-client": true}}
		}
		groups = append(groups, pg)
	}
	var nbrs L
	for _, nb := range d.BGP {
		a := nb.Addr.String()
		pol := M{"default-import-policy": nb.DefImport, "default-export-policy": nb.DefExport}
		if len(nb.Import) > 0 {
			pol["import-policy"] = strs(nb.Import)
		}
		if len(nb.Export) > 0 {
			pol["export-policy"] = strs(nb.Export)
		}
		m := M{"neighbor-address": a,
			"config": M{"neighbor-address": a, "peer-as": nb.PeerAS, "peer-group": nb.Group,
				"enabled": true, "description": nb.Desc},
			"afi-safis":    afiSafi(),
			"apply-policy": M{"config": pol},
		}
		if nb.LocalAddr.IsValid() {
			m["transport"] = M{"config": M{"local-address": nb.LocalAddr.String()}}
		}
		if nb.RRClient {
			m["route-reflector"] = M{"config": M{"route-reflector-client": true}}
		}
		nbrs = append(nbrs, m)
	}
	return M{
		"global": M{
			"config":    M{"as": AS, "router-id": d.Loopback.String()},
			"afi-safis": afiSafi(),
		},
		"peer-groups": M{"peer-group": groups},
		"neighbors":   M{"neighbor": nbrs},
	}
}

func prefixSet(name string, ps ...netip.Prefix) M {
	var pl L
	for _, p := range ps {
		pl = append(pl, M{"ip-prefix": p.String(), "masklength-range": "exact",
			"config": M{"ip-prefix": p.String(), "masklength-range": "exact"}})
	}
	return M{"name": name, "config": M{"name": name, "mode": "IPV4"}, "prefixes": M{"prefix": pl}}
}

// stmt is one policy statement: match a prefix-set (or everything when set is
// ""), optional BGP actions, then a result.
func stmt(name, set, result string, bgp M) M {
	s := M{"name": name, "config": M{"name": name},
		"actions": M{"config": M{"policy-result": result}}}
	if set != "" {
		s["conditions"] = M{"match-prefix-set": M{"config": M{"prefix-set": set, "match-set-options": "ANY"}}}
	}
	if bgp != nil {
		s["actions"].(M)["openconfig-bgp-policy:bgp-actions"] = M{"config": bgp}
	}
	return s
}

func policy(name string, stmts ...M) M {
	var sl L
	for _, s := range stmts {
		sl = append(sl, s)
	}
	return M{"name": name, "config": M{"name": name}, "statements": M{"statement": sl}}
}

func (d *Device) renderPolicy() M {
	var sets, pols L
	switch d.Role {
	case "dc":
		dc := dcOf(d)
		sets = append(sets, prefixSet("DC-PREFIXES", DCPrefix(dc.N), ServicePrefix(dc.N)))
		pols = append(pols, policy("DC-ORIGINATE",
			stmt("10-dc-prefixes", "DC-PREFIXES", "ACCEPT_ROUTE", nil),
			stmt("99-reject", "", "REJECT_ROUTE", nil)))
	case "edge":
		sets = append(sets,
			prefixSet("CRITICAL", DNSPrefix, ServiceAgg),
			prefixSet("DEFAULT-ROUTE", netip.MustParsePrefix("0.0.0.0/0")),
			prefixSet("DNS-ANYCAST", DNSPrefix),
			prefixSet("LOCAL-AGGREGATES", ServiceAgg))
		pols = append(pols,
			policy("AGGREGATE-TO-BGP",
				stmt("10-aggregates", "LOCAL-AGGREGATES", "ACCEPT_ROUTE", nil),
				stmt("99-reject", "", "REJECT_ROUTE", nil)),
			policy("ANYCAST-DNS-IN",
				stmt("10-dns", "DNS-ANYCAST", "ACCEPT_ROUTE", nil),
				stmt("99-reject", "", "REJECT_ROUTE", nil)),
			policy("IBGP-OUT",
				stmt("10-next-hop-self", "", "ACCEPT_ROUTE", M{"set-next-hop": "SELF"})),
			policy("TRANSIT-IN",
				stmt("10-default", "DEFAULT-ROUTE", "ACCEPT_ROUTE", M{"set-local-pref": 50}),
				stmt("99-reject", "", "REJECT_ROUTE", nil)),
			policy("TRANSIT-OUT",
				stmt("10-critical", "CRITICAL", "ACCEPT_ROUTE", nil),
				stmt("99-reject", "", "REJECT_ROUTE", nil)))
	}
	rp := M{}
	if len(sets) > 0 {
		rp["defined-sets"] = M{"prefix-sets": M{"prefix-set": sets}}
	}
	if len(pols) > 0 {
		rp["policy-definitions"] = M{"policy-definition": pols}
	}
	return rp
}
