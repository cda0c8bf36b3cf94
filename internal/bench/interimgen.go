package bench

// TEMPORARY: replace with internal/netgen (`backstop gen`) when it lands.
//
// interimGenerator is a stand-in Generator so that `backstop bench` measures
// the real path from OpenConfig files before the repository's one generator
// exists. It renders internal/synth's backbone shape (ring plus random chords,
// 4 route reflectors, 10% edges, 25% data-centre routers, 40 internal and 10
// external prefixes per router) straight to RFC 7951, with what synth's model
// leaves out and a real network has: prefix-sets in the origination and
// transit policies, next-hop-self on the edges, a local aggregate, and an
// environment.yaml with transits and DNS anycast, so that the default policy
// validates against it. It is deliberately small; netgen's sites, DC fabrics
// and policy edits are richer.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// InterimGenerator is the stand-in Generator (see the comment at the top of
// the file). TEMPORARY: replace with internal/netgen.
var InterimGenerator Generator = interimGenerator{seed: 1}

type interimGenerator struct{ seed uint64 }

type (
	jm = map[string]any
	jl = []any
)

const (
	interimAS   = 65000
	dnsPrefix   = "129.134.30.0/23"
	serviceAgg  = "157.240.0.0/16"
	announcerAS = 65100
)

type genIface struct {
	name     string
	addr     netip.Prefix
	loopback bool
	isis     bool
	metric   uint32
	mtu      int
}

type genNeighbor struct {
	addr, local  netip.Addr
	peerAS       uint32
	group        string
	imp, exp     []string
	defImp       string
	rrClient     bool
	transitIndex int
}

type genDevice struct {
	i         int
	name      string
	role      string // rr (inventory role backbone, tag route-reflector), backbone, edge, dc
	site      string
	lo        netip.Addr
	ifaces    []genIface
	neighbors []genNeighbor
	statics   []netip.Prefix
	port      int
}

func (d *genDevice) nextPort() string {
	p := fmt.Sprintf("et-0/0/%d", d.port)
	d.port++
	return p
}

func a4(a, b, c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a), byte(b), byte(c), byte(d)})
}

func (g interimGenerator) Generate(dir string, routers int) (Generated, error) {
	if routers < 40 {
		return Generated{}, fmt.Errorf("interim generator: at least 40 routers (got %d)", routers)
	}
	rng := rand.New(rand.NewPCG(g.seed, 7))
	devs := make([]*genDevice, routers)
	var dcs, edges, backbone []*genDevice
	for i := range devs {
		role := "backbone"
		switch {
		case i < 4:
			role = "rr"
		case i%10 == 5:
			role = "edge"
		case i%4 == 2:
			role = "dc"
		}
		d := &genDevice{i: i, name: fmt.Sprintf("r%04d", i), role: role, site: fmt.Sprintf("s%03d", i/8),
			lo: a4(10, 0, (i+1)>>8, (i+1)&0xff)}
		d.ifaces = append(d.ifaces, genIface{name: "lo0", addr: netip.PrefixFrom(d.lo, 32), loopback: true, isis: true})
		devs[i] = d
		switch role {
		case "dc":
			dcs = append(dcs, d)
		case "edge":
			edges = append(edges, d)
		case "backbone":
			backbone = append(backbone, d)
		}
	}
	// Links: a ring for connectivity, then random chords up to 4 per router.
	type pair struct{ a, b int }
	seen := map[pair]bool{}
	var links []pair
	add := func(a, b int) {
		if a == b {
			return
		}
		if a > b {
			a, b = b, a
		}
		if !seen[pair{a, b}] {
			seen[pair{a, b}] = true
			links = append(links, pair{a, b})
		}
	}
	for i := 0; i < routers; i++ {
		add(i, (i+1)%routers)
	}
	for len(links) < routers*4 {
		add(rng.IntN(routers), rng.IntN(routers))
	}
	for k, l := range links {
		base := 2 * k
		sub := a4(100, 64+base>>16, (base>>8)&0xff, base&0xff)
		metric := uint32(10 + rng.IntN(90))
		for side, d := range []*genDevice{devs[l.a], devs[l.b]} {
			addr := sub
			if side == 1 {
				addr = sub.Next()
			}
			d.ifaces = append(d.ifaces, genIface{name: d.nextPort(), addr: netip.PrefixFrom(addr, 31), isis: true, metric: metric, mtu: 9192})
		}
	}
	// iBGP: every other router is a client of the four route reflectors, which mesh.
	for _, d := range devs {
		for r := 0; r < 4; r++ {
			if d.i == r {
				continue
			}
			rr := devs[r]
			nb := genNeighbor{addr: rr.lo, local: d.lo, peerAS: interimAS, group: "RR", defImp: "ACCEPT_ROUTE"}
			if d.role == "rr" {
				nb.group = "RR-MESH"
			}
			if d.role == "edge" {
				nb.exp = []string{"IBGP-OUT"}
			}
			d.neighbors = append(d.neighbors, nb)
			if d.role != "rr" {
				rr.neighbors = append(rr.neighbors, genNeighbor{addr: d.lo, local: rr.lo, peerAS: interimAS,
					group: "RR-CLIENTS", defImp: "ACCEPT_ROUTE", rrClient: true})
			}
		}
	}
	// Internal prefixes: discard statics on the data-centre routers,
	// redistributed through a prefix-set that lists each of them.
	for i := 0; i < 40*routers; i++ {
		d := dcs[i%len(dcs)]
		d.statics = append(d.statics, netip.PrefixFrom(a4(20+i>>16, (i>>8)&0xff, i&0xff, 0), 24))
	}
	for k, d := range dcs {
		if k < 256 {
			d.statics = append(d.statics, netip.PrefixFrom(a4(157, 240, k, 0), 24))
		}
	}
	// Edges: a transit and a DNS anycast announcer each.
	external := make([][]string, len(edges))
	for i := 0; i < 10*routers; i++ {
		external[i%len(edges)] = append(external[i%len(edges)], netip.PrefixFrom(a4(120+i>>16, (i>>8)&0xff, i&0xff, 0), 24).String())
	}
	var env strings.Builder
	env.WriteString("# Generated by backstop bench (interim generator); do not edit.\nexternal_peers:\n")
	var sites strings.Builder
	for k, d := range edges {
		tr := a4(198, 18, k/64, (k%64)*4)
		an := a4(198, 19, k/64, (k%64)*4)
		d.ifaces = append(d.ifaces,
			genIface{name: d.nextPort(), addr: netip.PrefixFrom(tr.Next(), 30), mtu: 1500},
			genIface{name: d.nextPort(), addr: netip.PrefixFrom(an.Next(), 30), mtu: 1500})
		asn := 64600 + uint32(k%50)
		d.neighbors = append(d.neighbors,
			genNeighbor{addr: tr.Next().Next(), peerAS: asn, group: "TRANSIT", imp: []string{"TRANSIT-IN"}, exp: []string{"TRANSIT-OUT"}, defImp: "REJECT_ROUTE"},
			genNeighbor{addr: an.Next().Next(), peerAS: announcerAS, group: "ANYCAST", imp: []string{"ANYCAST-DNS-IN"}, defImp: "REJECT_ROUTE"})
		fmt.Fprintf(&env, "  - {name: transit-%d, device: %s, neighbor: %s, asn: %d, role: transit, announces: [0.0.0.0/0, %s]}\n",
			k, d.name, tr.Next().Next(), asn, strings.Join(external[k], ", "))
		fmt.Fprintf(&sites, "      - {site: %s, device: %s, neighbor: %s, asn: %d}\n", d.site, d.name, an.Next().Next(), announcerAS)
	}
	var reach []string
	for k := 0; k < 4 && k < len(dcs); k++ {
		reach = append(reach, dcs[k].statics[0].String())
	}
	fmt.Fprintf(&env, "anycast:\n  - service: dns\n    prefix: %s\n    sites:\n%s    health: {reach_any: [%s]}\n",
		dnsPrefix, sites.String(), strings.Join(reach, ", "))

	var inv strings.Builder
	inv.WriteString("# Generated by backstop bench (interim generator); do not edit.\ndevices:\n")
	for _, d := range devs {
		role := d.role
		if role == "rr" {
			role = "backbone"
		}
		fmt.Fprintf(&inv, "  - name: %s\n    address: 127.0.0.1:0\n    role: %s\n    site: %s\n", d.name, role, d.site)
		if d.role == "rr" {
			inv.WriteString("    tags: [route-reflector]\n")
		}
	}

	run, cand := filepath.Join(dir, "running"), filepath.Join(dir, "candidate")
	for _, p := range []string{filepath.Join(run, "configs"), cand} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return Generated{}, err
		}
	}
	if err := os.WriteFile(filepath.Join(run, "inventory.yaml"), []byte(inv.String()), 0o644); err != nil {
		return Generated{}, err
	}
	if err := os.WriteFile(filepath.Join(run, "environment.yaml"), []byte(env.String()), 0o644); err != nil {
		return Generated{}, err
	}
	for _, d := range devs {
		if err := writeJSON(filepath.Join(run, "configs", d.name+".json"), d.render(false)); err != nil {
			return Generated{}, err
		}
	}
	// The candidate: the 2021 change at scale, every link of a quarter of
	// the (non-reflector) backbone routers disabled.
	drain := len(backbone) / 4
	for _, d := range backbone[:drain] {
		if err := writeJSON(filepath.Join(cand, d.name+".json"), d.render(true)); err != nil {
			return Generated{}, err
		}
	}
	return Generated{Running: run, Candidate: cand, Generator: "interim (internal/bench, to be replaced by internal/netgen)",
		Change: fmt.Sprintf("drain %d of %d backbone routers (every non-loopback interface disabled)", drain, len(backbone))}, nil
}

// writeJSON writes indented JSON, the shape `backstop pull` saves.
func writeJSON(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func (d *genDevice) render(drained bool) jm {
	return jm{
		"openconfig-interfaces:interfaces":              jm{"interface": d.renderIfaces(drained)},
		"openconfig-network-instance:network-instances": jm{"network-instance": jl{d.renderNI()}},
		"openconfig-routing-policy:routing-policy":      d.renderPolicy(),
	}
}

func (d *genDevice) renderIfaces(drained bool) jl {
	var out jl
	for _, i := range d.ifaces {
		typ := "iana-if-type:ethernetCsmacd"
		if i.loopback {
			typ = "iana-if-type:softwareLoopback"
		}
		cfg := jm{"name": i.name, "type": typ, "enabled": !drained || i.loopback}
		if i.mtu != 0 {
			cfg["mtu"] = i.mtu
		}
		a := i.addr.Addr().String()
		sub := jm{"index": 0, "config": jm{"index": 0, "enabled": true},
			"openconfig-if-ip:ipv4": jm{"addresses": jm{"address": jl{jm{"ip": a,
				"config": jm{"ip": a, "prefix-length": i.addr.Bits()}}}}}}
		out = append(out, jm{"name": i.name, "config": cfg, "subinterfaces": jm{"subinterface": jl{sub}}})
	}
	return out
}

func protocol(id string, body jm) jm {
	m := jm{"identifier": "openconfig-policy-types:" + id, "name": id,
		"config": jm{"identifier": "openconfig-policy-types:" + id, "name": id, "enabled": true}}
	for k, v := range body {
		m[k] = v
	}
	return m
}

func (d *genDevice) renderNI() jm {
	protos := jl{protocol("ISIS", jm{"isis": d.renderISIS()}), protocol("BGP", jm{"bgp": d.renderBGP()})}
	table := func(p string) jm {
		return jm{"protocol": "openconfig-policy-types:" + p, "address-family": "openconfig-types:IPV4",
			"config": jm{"protocol": "openconfig-policy-types:" + p, "address-family": "openconfig-types:IPV4"}}
	}
	conn := func(src, policy string) jm {
		c := jm{"src-protocol": "openconfig-policy-types:" + src, "dst-protocol": "openconfig-policy-types:BGP",
			"address-family": "openconfig-types:IPV4"}
		cfg := jm{"import-policy": jl{policy}, "default-import-policy": "REJECT_ROUTE"}
		for k, v := range c {
			cfg[k] = v
		}
		c["config"] = cfg
		return c
	}
	tables := jl{table("BGP"), table("ISIS")}
	var conns jl
	switch d.role {
	case "dc":
		var statics jl
		for _, p := range d.statics {
			statics = append(statics, jm{"prefix": p.String(), "config": jm{"prefix": p.String()},
				"next-hops": jm{"next-hop": jl{jm{"index": "DISCARD",
					"config": jm{"index": "DISCARD", "next-hop": "openconfig-local-routing:DROP"}}}}})
		}
		protos = append(protos, protocol("STATIC", jm{"static-routes": jm{"static": statics}}))
		tables = append(tables, table("STATIC"))
		conns = append(conns, conn("STATIC", "DC-ORIGINATE"))
	case "edge":
		protos = append(protos, protocol("LOCAL_AGGREGATE", jm{"local-aggregates": jm{"aggregate": jl{jm{
			"prefix": serviceAgg, "config": jm{"prefix": serviceAgg, "discard": true}}}}}))
		tables = append(tables, table("LOCAL_AGGREGATE"))
		conns = append(conns, conn("LOCAL_AGGREGATE", "AGGREGATE-TO-BGP"))
	}
	m := jm{"name": "DEFAULT",
		"config":    jm{"name": "DEFAULT", "type": "openconfig-network-instance-types:DEFAULT_INSTANCE", "router-id": d.lo.String()},
		"protocols": jm{"protocol": protos},
		"tables":    jm{"table": tables},
	}
	if len(conns) > 0 {
		m["table-connections"] = jm{"table-connection": conns}
	}
	return m
}

func isisAF(extra jm) jm {
	cfg := jm{"afi-name": "openconfig-isis-types:IPV4", "safi-name": "openconfig-isis-types:UNICAST"}
	for k, v := range extra {
		cfg[k] = v
	}
	return jm{"afi-name": "openconfig-isis-types:IPV4", "safi-name": "openconfig-isis-types:UNICAST", "config": cfg}
}

func (d *genDevice) renderISIS() jm {
	var ifs jl
	for _, i := range d.ifaces {
		if !i.isis {
			continue
		}
		cfg := jm{"interface-id": i.name, "enabled": true}
		lvl := jm{"level-number": 2, "config": jm{"level-number": 2, "enabled": true}}
		if i.loopback {
			cfg["passive"] = true
		} else {
			cfg["circuit-type"] = "POINT_TO_POINT"
			lvl["afi-safi"] = jm{"af": jl{isisAF(jm{"metric": i.metric})}}
		}
		ifs = append(ifs, jm{"interface-id": i.name, "config": cfg,
			"interface-ref": jm{"config": jm{"interface": i.name, "subinterface": 0}},
			"afi-safi":      jm{"af": jl{isisAF(jm{"enabled": true})}},
			"levels":        jm{"level": jl{lvl}}})
	}
	return jm{
		"global": jm{
			"config":   jm{"net": jl{fmt.Sprintf("49.0001.0000.%04x.%04x.00", d.i>>16, d.i&0xffff)}, "level-capability": "LEVEL_2"},
			"afi-safi": jm{"af": jl{isisAF(jm{"enabled": true})}},
		},
		"levels":     jm{"level": jl{jm{"level-number": 2, "config": jm{"level-number": 2, "enabled": true, "metric-style": "WIDE_METRIC"}}}},
		"interfaces": jm{"interface": ifs},
	}
}

const ipv4Unicast = "openconfig-bgp-types:IPV4_UNICAST"

func afiSafis() jm {
	return jm{"afi-safi": jl{jm{"afi-safi-name": ipv4Unicast, "config": jm{"afi-safi-name": ipv4Unicast, "enabled": true}}}}
}

func strList(xs []string) jl {
	out := jl{}
	for _, x := range xs {
		out = append(out, x)
	}
	return out
}

func (d *genDevice) renderBGP() jm {
	groups := map[string]bool{}
	var nbrs jl
	for _, nb := range d.neighbors {
		groups[nb.group] = true
		a := nb.addr.String()
		pol := jm{"default-import-policy": nb.defImp, "default-export-policy": nb.defImp}
		if len(nb.imp) > 0 {
			pol["import-policy"] = strList(nb.imp)
		}
		if len(nb.exp) > 0 {
			pol["export-policy"] = strList(nb.exp)
		}
		m := jm{"neighbor-address": a,
			"config":       jm{"neighbor-address": a, "peer-as": nb.peerAS, "peer-group": nb.group, "enabled": true},
			"afi-safis":    afiSafis(),
			"apply-policy": jm{"config": pol}}
		if nb.local.IsValid() {
			m["transport"] = jm{"config": jm{"local-address": nb.local.String()}}
		}
		if nb.rrClient {
			m["route-reflector"] = jm{"config": jm{"route-reflector-client": true}}
		}
		nbrs = append(nbrs, m)
	}
	var pgs jl
	for _, g := range []string{"ANYCAST", "RR", "RR-CLIENTS", "RR-MESH", "TRANSIT"} {
		if groups[g] {
			pgs = append(pgs, jm{"peer-group-name": g, "config": jm{"peer-group-name": g}, "afi-safis": afiSafis()})
		}
	}
	return jm{
		"global":      jm{"config": jm{"as": interimAS, "router-id": d.lo.String()}, "afi-safis": afiSafis()},
		"peer-groups": jm{"peer-group": pgs},
		"neighbors":   jm{"neighbor": nbrs},
	}
}

func prefixSet(name string, ps ...string) jm {
	var pl jl
	for _, p := range ps {
		pl = append(pl, jm{"ip-prefix": p, "masklength-range": "exact",
			"config": jm{"ip-prefix": p, "masklength-range": "exact"}})
	}
	return jm{"name": name, "config": jm{"name": name, "mode": "IPV4"}, "prefixes": jm{"prefix": pl}}
}

func statement(name, set, result string, bgp jm) jm {
	s := jm{"name": name, "config": jm{"name": name}, "actions": jm{"config": jm{"policy-result": result}}}
	if set != "" {
		s["conditions"] = jm{"match-prefix-set": jm{"config": jm{"prefix-set": set, "match-set-options": "ANY"}}}
	}
	if bgp != nil {
		s["actions"].(jm)["openconfig-bgp-policy:bgp-actions"] = jm{"config": bgp}
	}
	return s
}

func policyDef(name string, stmts ...jm) jm {
	var sl jl
	for _, s := range stmts {
		sl = append(sl, s)
	}
	return jm{"name": name, "config": jm{"name": name}, "statements": jm{"statement": sl}}
}

func (d *genDevice) renderPolicy() jm {
	var sets, pols jl
	switch d.role {
	case "dc":
		var ps []string
		for _, p := range d.statics {
			ps = append(ps, p.String())
		}
		sets = append(sets, prefixSet("DC-PREFIXES", ps...))
		pols = append(pols, policyDef("DC-ORIGINATE",
			statement("10-dc-prefixes", "DC-PREFIXES", "ACCEPT_ROUTE", nil),
			statement("99-reject", "", "REJECT_ROUTE", nil)))
	case "edge":
		sets = append(sets,
			prefixSet("CRITICAL", dnsPrefix, serviceAgg),
			prefixSet("DNS-ANYCAST", dnsPrefix),
			prefixSet("LOCAL-AGGREGATES", serviceAgg))
		pols = append(pols,
			policyDef("AGGREGATE-TO-BGP",
				statement("10-aggregates", "LOCAL-AGGREGATES", "ACCEPT_ROUTE", nil),
				statement("99-reject", "", "REJECT_ROUTE", nil)),
			policyDef("ANYCAST-DNS-IN",
				statement("10-dns", "DNS-ANYCAST", "ACCEPT_ROUTE", nil),
				statement("99-reject", "", "REJECT_ROUTE", nil)),
			policyDef("IBGP-OUT",
				statement("10-next-hop-self", "", "ACCEPT_ROUTE", jm{"set-next-hop": "SELF"})),
			policyDef("TRANSIT-IN",
				statement("10-own-prefixes", "CRITICAL", "REJECT_ROUTE", nil),
				statement("20-all", "", "ACCEPT_ROUTE", jm{"set-local-pref": 50})),
			policyDef("TRANSIT-OUT",
				statement("10-critical", "CRITICAL", "ACCEPT_ROUTE", nil),
				statement("99-reject", "", "REJECT_ROUTE", nil)))
	}
	rp := jm{}
	if len(sets) > 0 {
		rp["defined-sets"] = jm{"prefix-sets": jm{"prefix-set": sets}}
	}
	if len(pols) > 0 {
		rp["policy-definitions"] = jm{"policy-definition": pols}
	}
	return rp
}
