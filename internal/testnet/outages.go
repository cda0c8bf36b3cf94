package testnet

import (
	"fmt"
	"net/netip"
	"strings"
)

// Outage scenarios: one per class of change that real backbones have turned
// into an outage. Each is written as the change an engineer would push, at a
// scale where policies/default.yaml must BLOCK it; the description says why
// the routers break and what backstop has to report.

const (
	staticPath = "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=STATIC][name=STATIC]"
	maxMetric  = 1<<24 - 1 // RFC 5305 §3.7: a link at this metric is not used in SPF
)

func isisIf(iface string) string {
	return fmt.Sprintf("%s/interfaces/interface[interface-id=%s]", isisPath, iface)
}

func peerGroup(name string) string {
	return fmt.Sprintf("%s/peer-groups/peer-group[peer-group-name=%s]", bgpPath, name)
}

func statement(pol, st string) string {
	return fmt.Sprintf("/routing-policy/policy-definitions/policy-definition[name=%s]/statements/statement[name=%s]", pol, st)
}

func addrPath(iface string, a netip.Addr) string {
	return fmt.Sprintf("/interfaces/interface[name=%s]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=%s]", iface, a)
}

func addrValue(p netip.Prefix) M {
	return M{"ip": p.Addr().String(), "config": M{"ip": p.Addr().String(), "prefix-length": p.Bits()}}
}

// loopbackIface is a whole loopback interface with the given addresses on
// subinterface 0.
func loopbackIface(name, desc string, addrs L) M {
	return M{"name": name,
		"config": M{"name": name, "type": "iana-if-type:softwareLoopback", "description": desc, "enabled": true},
		"subinterfaces": M{"subinterface": L{M{"index": 0, "config": M{"index": 0, "enabled": true},
			"openconfig-if-ip:ipv4": M{"addresses": M{"address": addrs}}}}}}
}

// isisPassive is a passive level-2 IS-IS interface: the loopback's prefixes
// advertised, no adjacency.
func isisPassive(iface string) M {
	return M{"interface-id": iface, "config": M{"interface-id": iface, "enabled": true, "passive": true},
		"interface-ref": M{"config": M{"interface": iface, "subinterface": 0}},
		"afi-safi":      M{"af": L{isisAF(M{"enabled": true})}},
		"levels":        M{"level": L{M{"level-number": 2, "config": M{"level-number": 2, "enabled": true}}}}}
}

func netOf(d *Device) string { return fmt.Sprintf("49.0001.0000.0000.%04d.00", d.Num) }

// staticDiscard is one static route list entry with a DROP next hop.
func staticDiscard(p netip.Prefix, desc string) M {
	return M{"prefix": p.String(), "config": M{"prefix": p.String(), "description": desc},
		"next-hops": M{"next-hop": L{M{"index": "DISCARD",
			"config": M{"index": "DISCARD", "next-hop": "openconfig-local-routing:DROP"}}}}}
}

// staticProto is a whole STATIC protocol instance, for routers that have none.
func staticProto(statics ...M) M {
	var l L
	for _, s := range statics {
		l = append(l, s)
	}
	return proto("STATIC", M{"static-routes": M{"static": l}})
}

func edges(n *Network) []*Device {
	var out []*Device
	for _, p := range POPs {
		out = append(out, n.Device("edge1."+p.Site))
	}
	return out
}

func backbone(n *Network) []*Device {
	var out []*Device
	for _, d := range n.Devices {
		if d.Role == "backbone" {
			out = append(out, d)
		}
	}
	return out
}

func neighborsOf(d *Device, role string) []*Neighbor {
	var out []*Neighbor
	for _, nb := range d.BGP {
		if nb.Role == role {
			out = append(out, nb)
		}
	}
	return out
}

func outageScenarios(n *Network) []Scenario {
	var out []Scenario
	add := func(s Scenario) { out = append(out, s) }

	// ---- IS-IS adjacencies real routers refuse ----

	{
		l := n.LinkBetween("bb1.ams", "bb1.fra")
		add(Scenario{
			Name: "isis-circuit-type-mismatch",
			Description: fmt.Sprintf("Template drift: %s's interface template is re-applied with the vendor default "+
				"IS-IS circuit type, so %s (circuit %s, towards %s %s) becomes BROADCAST while %s keeps POINT_TO_POINT. "+
				"A point-to-point hello is ignored on a broadcast circuit and vice versa: the adjacency never comes up "+
				"although the link stays up and pings work, and the ams-fra bb1 link silently stops carrying traffic. "+
				"The network survives on the parallel bb2 link, which is exactly why nobody notices until the next "+
				"failure. backstop must BLOCK with both-ends-agree naming the adjacency, both devices and the "+
				"circuit-type leaf.", l.A, l.AIf, l.Circuit, l.B, l.BIf, l.B),
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes:  []Change{{l.A, []Op{{"update", isisIf(l.AIf) + "/config/circuit-type", "BROADCAST"}}}},
		})
	}
	{
		d := n.Device("bb1.lhr")
		add(Scenario{
			Name: "isis-net-removed",
			Description: fmt.Sprintf("An area renumbering is prepared in two steps and the first step, deleting the "+
				"old NET %s on %s, is pushed alone. Without a NET the router has no system ID and IS-IS does not run: "+
				"all four adjacencies of bb1.lhr (to bb2.lhr, bb1.iad, bb1.ams and the lhr-sin chord to bb1.sin) drop, "+
				"its loopback leaves the IGP and both of its iBGP sessions to the route reflectors go down. The chord "+
				"and the bb1 plane through London are lost. backstop must BLOCK with both-ends-agree on bb1.lhr's IS-IS "+
				"instance (the NET leaf), naming the neighbours whose adjacencies it refuses.", netOf(d), d.Name),
			FRR:      "The lab renderer refuses IS-IS without a NET (isisd would not start the instance the way the model says); pinned by TestISISInstanceRules.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "internet-egress"},
			Changes:  []Change{{d.Name, []Op{{"delete", isisPath + "/global/config/net", nil}}}},
		})
	}
	{
		a, b := n.Device("bb1.sin"), n.Device("bb2.sin")
		add(Scenario{
			Name: "isis-duplicate-system-id",
			Description: fmt.Sprintf("bb2.sin's IS-IS stanza is rebuilt from bb1.sin's config and keeps its NET %s, so "+
				"the two Singapore routers share one system ID. Each floods LSPs under the same ID, the other purges or "+
				"overrides them, and real routers log 'duplicate system ID' while SPF flaps; the simulator leaves both "+
				"routers out of SPF. Singapore's only backbone routers are the pair, so edge1.sin loses every IGP path: "+
				"its iBGP sessions drop, the DNS announcer's health check fails and it withdraws 129.134.30.0/23, and "+
				"AS64601@sin loses both critical prefixes. backstop must BLOCK with both-ends-agree naming both "+
				"routers and their NET leaves (plus the on_any_loss warnings for sin).", netOf(a)),
			FRR:      "Undefined behaviour on every stack (the LSPs of the two routers fight); backstop leaves both routers out of SPF (fail closed), FRR's result depends on timing.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  []Change{{b.Name, []Op{{"replace", isisPath + "/global/config/net", L{netOf(a)}}}}},
		})
	}
	{
		d := n.Device("bb1.sjc")
		add(Scenario{
			Name: "isis-level-mismatch",
			Description: "bb1.sjc is meant to become a level-1-2 router for a new San Jose level-1 area, but the change " +
				"sets level-capability LEVEL_1. Every neighbour of bb1.sjc (bb2.sjc, bb1.sin, bb1.iad, dc1.prn) is " +
				"level-2 only, and a level-1 router forms no adjacency with a level-2-only one: bb1.sjc drops out of " +
				"the backbone with all four adjacencies, its two iBGP sessions go down, and dc1.prn is left on a single " +
				"uplink. backstop must BLOCK with both-ends-agree naming each refused adjacency, bb1.sjc's " +
				"level-capability and the neighbour's.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "internet-egress"},
			Changes:  []Change{{d.Name, []Op{{"update", isisPath + "/global/config/level-capability", "LEVEL_1"}}}},
		})
	}
	{
		d := n.Device("edge1.sin")
		add(Scenario{
			Name: "isis-metric-style-narrow",
			Description: "A config restored from an old template on edge1.sin sets level-2 metric-style NARROW_METRIC " +
				"(its uplink metrics, 10 and 20, fit in 6 bits, so the router accepts the commit); every other " +
				"router uses wide metrics. A narrow-only router ignores the wide reachability TLVs its neighbours " +
				"send and they ignore its narrow ones, so the simulator refuses edge1.sin's adjacencies to bb1.sin " +
				"and bb2.sin. The Singapore POP falls out of the IGP: its iBGP sessions drop, its DNS announcer " +
				"withdraws and AS64601@sin loses both critical prefixes. backstop must BLOCK with both-ends-agree " +
				"naming each adjacency, edge1.sin's metric-style leaf and the neighbour's. (On a backbone router " +
				"with metrics above 63, e.g. bb2.fra, the same change is rejected as invalid config, exit 4.)",
			FRR:      "The lab renders wide metrics only and refuses narrow metric style; FRR isisd also reads both TLV kinds, where backstop takes a style mismatch as no usable adjacency (fail closed).",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
			Changes:  []Change{{d.Name, []Op{{"update", isisPath + "/levels/level[level-number=2]/config/metric-style", "NARROW_METRIC"}}}},
		})
	}
	{
		l := n.LinkBetween("bb1.iad", "bb1.lhr")
		add(Scenario{
			Name: "isis-mtu-one-end",
			Description: fmt.Sprintf("During a line-card swap on %s, %s (the transatlantic %s towards %s %s) comes "+
				"back with the card default MTU 1500 while %s stays at 9192. IS-IS pads hellos to the MTU, so the "+
				"9192-byte hellos from %s are dropped at the 1500-byte end: the adjacency does not form (and jumbo "+
				"frames would be dropped anyway). backstop must BLOCK with both-ends-agree naming the link, both "+
				"devices and both mtu leaves.", l.A, l.AIf, l.Circuit, l.B, l.BIf, l.B, l.B),
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes:  []Change{{l.A, []Op{{"update", fmt.Sprintf("/interfaces/interface[name=%s]/config/mtu", l.AIf), 1500}}}},
		})
	}
	{
		l := n.LinkBetween("bb1.lhr", "bb1.ams")
		auth := func(key string) M {
			return M{"config": M{"enabled": true, "auth-mode": "MD5", "auth-type": "SIMPLE_KEY", "auth-password": key}}
		}
		hello := func(iface string) string {
			return isisIf(iface) + "/levels/level[level-number=2]/hello-authentication"
		}
		add(Scenario{
			Name: "isis-auth-key-mismatch",
			Description: fmt.Sprintf("IS-IS hello authentication is rolled out on the lhr-ams link %s. Both ends get "+
				"MD5 hello authentication, but the key pasted on %s differs from the one on %s (a stale key from the "+
				"password manager). Each end discards the other's hellos as failing authentication and the adjacency "+
				"goes down. backstop must BLOCK with both-ends-agree naming the adjacency, both devices and both "+
				"hello-authentication leaves, without printing either key.", l.Circuit, l.B, l.A),
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes: []Change{
				{l.A, []Op{{"update", hello(l.AIf), auth("bstp-isis-2024-q3")}}},
				{l.B, []Op{{"update", hello(l.BIf), auth("bstp-isis-2024-q2")}}},
			},
		})
	}
	{
		var chs []Change
		for _, d := range backbone(n) {
			chs = append(chs, Change{d.Name, []Op{{"update", isisPath + "/global/lsp-bit/overload-bit/config/set-bit", true}}})
		}
		add(Scenario{
			Name: "isis-overload-backbone",
			Description: "A maintenance template meant to set the overload bit on boot (set-bit-on-boot) is pushed with " +
				"set-bit instead, to all 12 backbone routers. With the overload bit no router computes a path through " +
				"a backbone router, only to it: every DC and POP can still reach its directly attached backbone " +
				"routers, but nothing beyond them. iBGP sessions between clients and the route reflectors that are not " +
				"directly attached drop, and the next hops of the DC routes (the DC loopbacks, one backbone hop away at " +
				"least) become unreachable from every POP. All four DNS announcers fail their health check and withdraw, " +
				"no edge has a DC /24 so every 157.240.0.0/16 aggregate goes inactive: both critical prefixes vanish " +
				"from every transit. backstop must BLOCK (dns-anycast, critical-prefixes-to-transit) and warn about the " +
				"lost iBGP sessions.",
			Expect:   "BLOCK",
			Findings: []string{"bgp-sessions", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, name := range []string{"bb1.fra", "bb2.fra", "bb1.iad", "bb2.iad"} {
			d := n.Device(name)
			var ops []Op
			for _, i := range d.Ifaces {
				if i.ISIS && !i.Loopback {
					ops = append(ops, Op{"update", isisMetric(i.Name), maxMetric})
				}
			}
			chs = append(chs, Change{name, ops})
		}
		add(Scenario{
			Name: "isis-max-metric-drain",
			Description: fmt.Sprintf("Route-reflector upgrade window: the drain script is run for regions fra and iad at "+
				"once and sets the level-2 metric of every IS-IS interface of bb1/bb2.fra and bb1/bb2.iad (backbone "+
				"links and the DC/POP uplinks that land on them) to the maximum wide metric %d, meaning 'use only as "+
				"a last resort'. RFC 5305 §3.7 says otherwise: a link at the maximum metric is not used in SPF at all. "+
				"The four routers, among them both route reflectors, become unreachable: every iBGP session drops, no "+
				"POP has a route to the data centres, all four DNS announcers withdraw and both critical prefixes "+
				"vanish from every transit. backstop must BLOCK (dns-anycast, critical-prefixes-to-transit) and warn "+
				"about the lost sessions.", maxMetric),
			FRR:      "Vendor difference: FRR 8.4 in the lab keeps routing over links at the maximum wide metric; backstop follows RFC 5305 3.7 (not used in SPF), as a drain by metric intends.",
			Expect:   "BLOCK",
			Findings: []string{"bgp-sessions", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  chs,
		})
	}

	// ---- BGP sessions real routers refuse ----

	{
		e := n.Device("edge1.sin")
		var ops []Op
		for _, nb := range neighborsOf(e, "ibgp") {
			ops = append(ops, Op{"update", neighbor(nb.Addr) + "/config/local-as", 65010})
		}
		add(Scenario{
			Name: "bgp-local-as-unexpected",
			Description: "Preparing an AS migration, edge1.sin gets local-as 65010 on its two iBGP sessions to the route " +
				"reflectors (bb1.fra, bb1.iad), which still expect AS 65000 from 10.0.0.33. The RRs reject the OPEN " +
				"(bad peer AS) and both sessions stay down: the Singapore POP learns no DC routes, its DNS announcer " +
				"withdraws and AS64601@sin loses both critical prefixes. backstop must BLOCK with both-ends-agree " +
				"naming each session with both ends (edge1.sin's local-as leaf, the RR's peer-as) plus the on_any_loss " +
				"warnings for sin.",
			FRR:      "The lab renderer refuses a local-as on an iBGP neighbour (FRR's local-as on iBGP sessions does not behave like the OpenConfig leaf); the rule is pinned by TestSessionAgreement.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
			Changes:  []Change{{e.Name, ops}},
		})
	}
	{
		e := n.Device("edge1.iad")
		up := e.Iface("et-0/0/0").Addr.Addr()
		var ops []Op
		for _, nb := range neighborsOf(e, "ibgp") {
			ops = append(ops, Op{"update", neighbor(nb.Addr) + "/transport/config/local-address", up.String()})
		}
		add(Scenario{
			Name: "bgp-local-address-mismatch",
			Description: fmt.Sprintf("To 'follow the physical path' for BFD, edge1.iad's iBGP sessions to both route "+
				"reflectors get transport local-address %s (its et-0/0/0 uplink) instead of its loopback 10.0.0.34. "+
				"The RRs have neighbour 10.0.0.34 configured and refuse a connection from %s: both sessions stay down, "+
				"the iad POP learns no DC routes, its announcer withdraws and AS174@iad and AS64602@iad lose both "+
				"critical prefixes. backstop must BLOCK with both-ends-agree naming each session, edge1.iad's "+
				"local-address leaf and the RR's neighbour address.", up, up),
			FRR:      "Vendor difference: FRR brings the session up from the other end's direction; backstop takes an explicit local-address the peer does not point at as refused (Junos, IOS-XR; fail closed).",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
			Changes:  []Change{{e.Name, ops}},
		})
	}
	{
		rr := n.Device("bb1.fra")
		newLo := netip.MustParseAddr("10.0.0.103")
		ops := []Op{
			{"delete", addrPath("lo0", rr.Loopback), nil},
			{"update", addrPath("lo0", newLo), addrValue(netip.PrefixFrom(newLo, 32))},
			{"update", "/network-instances/network-instance[name=DEFAULT]/config/router-id", newLo.String()},
			{"update", bgpPath + "/global/config/router-id", newLo.String()},
		}
		for _, nb := range rr.BGP {
			ops = append(ops, Op{"update", neighbor(nb.Addr) + "/transport/config/local-address", newLo.String()})
		}
		add(Scenario{
			Name: "bgp-rr-loopback-renumbered",
			Description: fmt.Sprintf("Step 1 of an addressing clean-up moves the route reflectors' loopbacks to "+
				"10.0.0.100+: bb1.fra's lo0 becomes %s (router-id and every session's update-source follow), while "+
				"the 19 other routers, scheduled for step 2, still have neighbour %s. Every one of them refuses the "+
				"connection from %s: all 19 sessions of bb1.fra drop and the network hangs on a single route "+
				"reflector (bb1.iad) with no redundancy. backstop must BLOCK with both-ends-agree naming each "+
				"session with both ends (bb1.fra's address and local-address, the peer's neighbour address), and "+
				"warn about more than max_lost sessions lost. Forwarding is hop by hop: bb1.fra, with no BGP route "+
				"left, black-holes the DC traffic edge1.fra sends through it, so the Frankfurt DNS announcer's health "+
				"check fails too (dns-anycast warning).", newLo, rr.Loopback, newLo),
			Expect:   "BLOCK",
			Findings: []string{"bgp-sessions", "both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  []Change{{rr.Name, ops}},
		})
	}
	{
		e, rr := n.Device("edge1.ams"), n.Device("bb1.iad")
		add(Scenario{
			Name: "bgp-both-passive",
			Description: "To stop log noise from connection retries, the session edge1.ams - bb1.iad is set to " +
				"transport passive-mode on the RR (which 'should wait for its clients') and, by a second engineer in " +
				"the same window, on edge1.ams too. Both ends wait for the other to open the TCP connection and the " +
				"session never establishes; edge1.ams is left with a single route reflector. backstop must BLOCK " +
				"with both-ends-agree naming the session, both devices and both passive-mode leaves.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes: []Change{
				{e.Name, []Op{{"update", neighbor(rr.Loopback) + "/transport/config/passive-mode", true}}},
				{rr.Name, []Op{{"update", neighbor(e.Loopback) + "/transport/config/passive-mode", true}}},
			},
		})
	}
	{
		a, b := n.Device("bb1.fra"), n.Device("bb1.iad")
		add(Scenario{
			Name: "bgp-port-one-end",
			Description: "A lab setting leaks into production: on bb1.fra the RR-mesh session to bb1.iad gets " +
				"neighbor-port 1179. bb1.fra connects to TCP 1179, where bb1.iad does not listen, and refuses bb1.iad's " +
				"connection to 179 as it expects the other port: the session between the two route reflectors stays " +
				"down and each RR only knows what its clients send it directly. backstop must BLOCK with " +
				"both-ends-agree naming the session, both route reflectors and the neighbor-port leaf.",
			FRR: "FRR's neighbor port only sets the port it connects to and still accepts the session on 179 from " +
				"the other end, so the lab renderer refuses ports other than 179; the rule is pinned by TestSessionAgreement.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes:  []Change{{a.Name, []Op{{"update", neighbor(b.Loopback) + "/config/neighbor-port", 1179}}}},
		})
	}
	{
		var chs []Change
		for _, e := range edges(n) {
			chs = append(chs, Change{e.Name, []Op{{"update", peerGroup("TRANSIT") + "/config/auth-password", "Tr4nsit-2024!"}}})
		}
		add(Scenario{
			Name: "bgp-transit-auth-password",
			Description: "The yearly BGP password rotation is pushed to our side of every transit session (peer-group " +
				"TRANSIT on all four edges) before the providers confirmed theirs. The providers are outside the " +
				"inventory and their ends stay as in the running network (no password), so every TCP-MD5 check fails " +
				"and all 7 transit sessions drop: both critical prefixes disappear from every transit and the DNS " +
				"prefix from every external peer. backstop must BLOCK, with both-ends-agree naming each session, our " +
				"device and leaf and the external peer, and with critical-prefixes-to-transit, dns-anycast and " +
				"bgp-sessions.",
			Expect:   "BLOCK",
			Findings: []string{"bgp-sessions", "both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, rr := range RouteReflectors {
			chs = append(chs, Change{rr, []Op{{"update",
				peerGroup("RR-CLIENTS") + "/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/ipv4-unicast/prefix-limit/config/max-prefixes", 2}}})
		}
		add(Scenario{
			Name: "bgp-max-prefix-below-received",
			Description: "A hardening change sets max-prefixes 2 on the RR-CLIENTS peer-group of both route reflectors, " +
				"sized on the data centres, which send two prefixes each. Every POP edge sends three (its transit " +
				"default, the DNS /23 from its announcer and the 157.240.0.0/16 aggregate), so the RRs tear down all " +
				"eight edge sessions as soon as the routes arrive. No POP learns a DC route: all four DNS announcers " +
				"withdraw and every aggregate goes inactive, so both critical prefixes vanish from every transit. " +
				"backstop must BLOCK (critical-prefixes-to-transit, dns-anycast) and name each torn-down session " +
				"with both ends and the max-prefixes leaf (both-ends-agree).",
			// The lab enters the limits only once each route reflector has
			// received more than 2 from the edges (emulate.Lab.WaitReceived);
			// without that wait FRR kept the sessions up in one CI run of
			// 2026-12-03 (the limit went in before the /23 arrived).
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  chs,
		})
	}
	{
		// The same rule on sessions whose prefixes do not depend on the
		// outcome (a DC sends its prefixes whatever happens to the DNS
		// sites).
		var chs []Change
		for _, rr := range RouteReflectors {
			var ops []Op
			for _, nb := range n.Device(rr).BGP {
				if o := n.Device(nb.Desc); o != nil && o.Role == "dc" {
					ops = append(ops, Op{"update", neighbor(nb.Addr) + "/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/ipv4-unicast/prefix-limit/config/max-prefixes", 1})
				}
			}
			chs = append(chs, Change{rr, ops})
		}
		add(Scenario{
			Name: "bgp-max-prefix-dc-sessions",
			Description: "A prefix-limit of 1 is set on every data-centre neighbour of both route reflectors, copied " +
				"from a template for single-homed customers. Each DC sends two prefixes (its /16 and its service /24), " +
				"so both reflectors tear down every DC session at once: no router outside the DCs learns a DC route, " +
				"the DNS announcers' health checks fail and every site withdraws 129.134.30.0/23, and traffic for the " +
				"DC /24s inside 157.240.0.0/16 ends at the edges' aggregate discard, which itself goes inactive without " +
				"contributors. backstop must BLOCK and name each " +
				"torn-down session with both ends and the max-prefixes leaf (both-ends-agree).",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  chs,
		})
	}
	{
		e := n.Device("edge1.sin")
		var chs []Change
		var ops []Op
		for _, nb := range neighborsOf(e, "ibgp") {
			ops = append(ops, Op{"delete", neighbor(nb.Addr) + "/transport/config/local-address", nil})
		}
		chs = append(chs, Change{e.Name, ops})
		for _, rr := range RouteReflectors {
			chs = append(chs, Change{rr, []Op{{"delete", neighbor(e.Loopback) + "/transport/config/local-address", nil}}})
		}
		add(Scenario{
			Name: "bgp-update-source-removed",
			Description: "A clean-up of 'redundant' transport settings deletes update-source (transport local-address) " +
				"on both ends of edge1.sin's two iBGP sessions (on edge1.sin and on both route reflectors). Each end " +
				"now opens the connection from its outgoing interface address, which the other end does not have as a " +
				"neighbour: neither session establishes. The Singapore POP learns no DC routes, its announcer " +
				"withdraws and AS64601@sin loses both critical prefixes. backstop must BLOCK with both-ends-agree " +
				"naming each session with both ends and their local-address leaves.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "critical-prefixes-to-transit", "dns-anycast"},
			Changes:  chs,
		})
	}

	// ---- BGP semantics ----

	communityOn := func(name, community, why string) Scenario {
		var chs []Change
		for _, e := range edges(n) {
			chs = append(chs, Change{e.Name, []Op{{"update", statement("TRANSIT-OUT", "10-critical") + "/actions",
				M{"openconfig-bgp-policy:bgp-actions": M{"set-community": M{
					"config": M{"method": "INLINE", "options": "ADD"},
					"inline": M{"config": M{"communities": L{community}}}}}}}}})
		}
		return Scenario{Name: name, Description: why, Expect: "BLOCK",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"}, Changes: chs}
	}
	add(communityOn("no-export-to-transit", "openconfig-bgp-types:NO_EXPORT",
		"Meant for the announcers' sessions ('keep our anycast routes inside'), NO_EXPORT is added to statement "+
			"10-critical of TRANSIT-OUT on all four edges. The transits accept both critical prefixes but, honouring "+
			"RFC 1997, do not pass them on to any other AS: the prefixes stay visible only inside the transits' own "+
			"networks and the rest of the Internet loses the DNS and service prefixes. Sessions stay up and every "+
			"announcement is still sent, so only community semantics reveal the outage. backstop must BLOCK: "+
			"critical-prefixes-to-transit (an announcement with NO_EXPORT does not count) and dns-anycast (the prefix "+
			"is visible to no external peer's customers)."))
	add(communityOn("blackhole-to-transit", "65535:666",
		"A DDoS runbook step meant for one attacked /32 is applied to statement 10-critical of TRANSIT-OUT on all four "+
			"edges: both critical prefixes are sent to every transit with BLACKHOLE (65535:666, RFC 7999). The "+
			"transits honour it and discard all traffic towards 129.134.30.0/23 and 157.240.0.0/16 at their edge: "+
			"DNS and the services are unreachable from the Internet although every session is up and every prefix "+
			"announced. backstop must BLOCK: critical-prefixes-to-transit (a BLACKHOLE announcement does not count) "+
			"and dns-anycast."))
	{
		var chs []Change
		for _, e := range edges(n) {
			var ops []Op
			for _, nb := range neighborsOf(e, "transit") {
				pol := fmt.Sprintf("TRANSIT-OUT-AS%d", nb.PeerAS)
				{
					st := M{"name": "10-critical", "config": M{"name": "10-critical"},
						"conditions": M{"match-prefix-set": M{"config": M{"prefix-set": "CRITICAL", "match-set-options": "ANY"}}},
						"actions": M{"config": M{"policy-result": "ACCEPT_ROUTE"},
							"openconfig-bgp-policy:bgp-actions": M{"set-as-path-prepend": M{"config": M{"asn": nb.PeerAS, "repeat-n": 3}}}}}
					ops = append(ops, Op{"update", fmt.Sprintf("/routing-policy/policy-definitions/policy-definition[name=%s]", pol),
						policy(pol, st, stmt("99-reject", "", "REJECT_ROUTE", nil))})
				}
				ops = append(ops, Op{"replace", neighbor(nb.Addr) + "/apply-policy/config/export-policy", L{pol}})
			}
			chs = append(chs, Change{e.Name, ops})
		}
		add(Scenario{
			Name: "prepend-transit-own-as",
			Description: "Inbound traffic engineering: each transit session gets its own export policy " +
				"TRANSIT-OUT-AS<peer> that prepends three times, but the template fills in the peer's AS instead of " +
				"ours (65000). Every transit receives both critical prefixes with its own AS already in the path, " +
				"and BGP loop detection at the receiver drops them: the sessions stay up, yet 129.134.30.0/23 and " +
				"157.240.0.0/16 reach no transit at all. backstop must BLOCK: critical-prefixes-to-transit and " +
				"dns-anycast (the prefix is visible to no external peer).",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"},
			Changes:  chs,
		})
	}
	{
		rr := n.Device("bb1.iad")
		var chs []Change
		for _, e := range edges(n) {
			chs = append(chs, Change{e.Name, []Op{{"update", bgpPath + "/global/config/router-id", rr.Loopback.String()}}})
		}
		add(Scenario{
			Name: "bgp-router-id-template",
			Description: "A config template for the POP edges is rendered with the route reflector's variables: all four " +
				"edges get router-id " + rr.Loopback.String() + ", bb1.iad's. bb1.iad refuses each edge's OPEN " +
				"(Bad BGP Identifier: an internal peer with its own identifier, RFC 6286), and every edge drops the " +
				"routes the other edges originate, because a reflected route's ORIGINATOR_ID is now its own " +
				"router-id (RFC 4456). bb1.iad itself now drops what bb1.fra reflects from the edges for the same " +
				"reason, transit defaults included: it and the routers whose exit runs through it lose the Internet. " +
				"backstop must BLOCK with both-ends-agree naming each edge's session to bb1.iad and both router-id " +
				"leaves, and internet-egress.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree", "internet-egress"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, d := range n.Devices {
			if d.Role != "dc" {
				continue
			}
			st := M{"name": "10-prepend", "config": M{"name": "10-prepend"},
				"actions": M{"config": M{"policy-result": "ACCEPT_ROUTE"},
					"openconfig-bgp-policy:bgp-actions": M{"set-as-path-prepend": M{"config": M{"asn": 65000, "repeat-n": 1}}}}}
			ops := []Op{{"update", "/routing-policy/policy-definitions/policy-definition[name=DC-OUT]", policy("DC-OUT", st)}}
			for _, nb := range d.BGP {
				ops = append(ops, Op{"replace", neighbor(nb.Addr) + "/apply-policy/config/export-policy", L{"DC-OUT"}})
			}
			chs = append(chs, Change{d.Name, ops})
		}
		add(Scenario{
			Name: "ibgp-own-as-prepend",
			Description: "Traffic engineering copied from an eBGP template: every DC's export to the route reflectors " +
				"gets DC-OUT, which prepends 65000 (our own AS) once. The sessions are iBGP, where nothing " +
				"prepends, but the receivers still run AS-path loop detection on what arrives: each route reflector " +
				"finds its own AS in the path and drops every DC prefix. No POP learns a DC route, every DNS " +
				"announcer withdraws and the aggregates go inactive. backstop must BLOCK: " +
				"critical-prefixes-to-transit and dns-anycast.",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, site := range []string{"fra", "sin", "iad"} {
			chs = append(chs, Change{"edge1." + site, []Op{{"update",
				statement("ANYCAST-DNS-IN", "10-dns") + "/actions/bgp-actions/config/set-local-pref", 0}}})
		}
		add(Scenario{
			Name: "local-pref-zero-anycast",
			Description: "To make 'the local announcer the last resort', ANYCAST-DNS-IN on edge1.fra, edge1.sin and " +
				"edge1.iad sets local-pref 0 on the announcer's 129.134.30.0/23. LOCAL_PREF 0 is a value, the least " +
				"preferred one, not 'unset': each of the three edges now prefers the iBGP copy from edge1.ams (local-pref " +
				"100) over its own announcer and stops advertising its own. Every transit still receives the /23, but " +
				"all of it now points at Amsterdam: one anycast site serves the whole world's DNS and the three other " +
				"sites carry nothing. backstop must BLOCK with dns-anycast (one site actually announcing, below " +
				"min_healthy_sites 2).",
			Expect:   "BLOCK",
			Findings: []string{"dns-anycast"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, e := range edges(n) {
			chs = append(chs, Change{e.Name, []Op{{"update",
				statement("TRANSIT-OUT", "10-critical") + "/conditions/bgp-conditions/config/route-type", "EXTERNAL"}}})
		}
		add(Scenario{
			Name: "route-type-transit-out",
			Description: "Leak prevention: to stop an edge re-announcing to transit what it learned over iBGP from " +
				"other POPs, statement 10-critical of TRANSIT-OUT on all four edges gets the condition route-type " +
				"EXTERNAL. The DNS /23 from each edge's own announcer is eBGP-learned and still passes, but the " +
				"157.240.0.0/16 aggregate is originated locally, neither INTERNAL nor EXTERNAL, and now falls to " +
				"99-reject at every POP: the service prefix is announced to no transit at all. backstop must BLOCK " +
				"with critical-prefixes-to-transit.",
			FRR:      "FRR 8.4 route-maps have no BGP internal/external route-type match, so the lab renderer refuses the condition; the rule (locally originated routes match neither INTERNAL nor EXTERNAL, fail closed) is pinned by the sim tests.",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, e := range edges(n) {
			chs = append(chs, Change{e.Name, []Op{{"update",
				statement("TRANSIT-OUT", "10-critical") + "/actions/bgp-actions/config/set-next-hop", e.Loopback.String()}}})
		}
		add(Scenario{
			Name: "ebgp-next-hop-off-subnet",
			Description: "Preparing BFD-protected multihop sessions to the transits, statement 10-critical of TRANSIT-OUT " +
				"on all four edges gets set-next-hop to the edge's own loopback (10.0.0.31-34), as the iBGP templates " +
				"do, before any transit has enabled ebgp-multihop. Each transit's session is single-hop: a next hop " +
				"that is not on the /30 it shares with the edge fails its connected check (RFC 4271 5.1.3, FRR and " +
				"most stacks), so it keeps both critical prefixes as unusable and passes them to nobody. Every session " +
				"stays up and every prefix is still sent, yet 129.134.30.0/23 and 157.240.0.0/16 reach no transit's " +
				"customers. The transits are outside the inventory; backstop keeps their subnet as in the running " +
				"network. backstop must BLOCK: critical-prefixes-to-transit and dns-anycast.",
			FRR: "The lab compares what each external speaker received, valid or not: FRR's speaker holds the routes with " +
				"their off-subnet next hop (not usable: single-hop connected check) and the comparison counts them as sent, " +
				"while backstop counts them as not announced (conformance run of 2026-12-02: the 14 export entries differ, " +
				"every route inside the network is equal).",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"},
			Changes:  chs,
		})
	}
	{
		e := n.Device("edge1.iad")
		add(Scenario{
			Name: "bgp-local-as-transit",
			Description: "AS-migration rehearsal at Ashburn: the TRANSIT peer-group on edge1.iad gets local-as 65010 " +
				"(the acquired network's AS, which the transits are to see after the merger) before Cogent AS174 and " +
				"TransitB AS64602 have changed their side. Both still expect AS 65000 and reject the OPEN (bad peer " +
				"AS): both transit sessions of the POP stay down. TransitB is only connected at iad, so AS64602 " +
				"receives neither critical prefix from anywhere. backstop must BLOCK with both-ends-agree naming each " +
				"session (edge1.iad's local-as and global AS leaves, and the transit) plus critical-prefixes-to-transit " +
				"and bgp-sessions for the lost transit sessions.",
			Expect:   "BLOCK",
			Findings: []string{"bgp-sessions", "both-ends-agree", "critical-prefixes-to-transit"},
			Changes:  []Change{{e.Name, []Op{{"update", peerGroup("TRANSIT") + "/config/local-as", 65010}}}},
		})
	}
	{
		e := n.Device("edge1.iad")
		var hops L
		var bbs []Change
		for _, up := range []string{"bb1.iad", "bb2.iad"} {
			l := n.LinkBetween(e.Name, up)
			edgeAddr, bbAddr := l.Subnet.Addr(), l.Subnet.Addr().Next()
			if l.A != e.Name {
				edgeAddr, bbAddr = bbAddr, edgeAddr
			}
			hops = append(hops, M{"index": up, "config": M{"index": up, "next-hop": bbAddr.String()}})
			lo := netip.PrefixFrom(e.Loopback, 32)
			bbs = append(bbs, Change{up, []Op{{"update", staticPath, staticProto(M{"prefix": lo.String(),
				"config":    M{"prefix": lo.String(), "description": "edge1.iad loopback (IGP-free edge)"},
				"next-hops": M{"next-hop": L{M{"index": "EDGE", "config": M{"index": "EDGE", "next-hop": edgeAddr.String()}}}}})}}})
		}
		def := "0.0.0.0/0"
		chs := append([]Change{{e.Name, []Op{
			{"delete", "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=ISIS]", nil},
			{"delete", "/network-instances/network-instance[name=DEFAULT]/tables/table[protocol=ISIS][address-family=IPV4]", nil},
			{"update", staticPath, staticProto(M{"prefix": def, "config": M{"prefix": def, "description": "IGP-free edge: default towards the backbone"},
				"next-hops": M{"next-hop": hops}})},
		}}}, bbs...)
		add(Scenario{
			Name: "bgp-next-hop-via-default",
			Description: "Pilot of an IGP-free POP edge at Ashburn: edge1.iad's IS-IS instance is removed and replaced by " +
				"a static default towards its two uplinks (bb1.iad, bb2.iad), which in turn get a static /32 for its " +
				"loopback 10.0.0.34. Forwarding towards the data centres still works over the default, but BGP does not " +
				"resolve next hops or iBGP peer addresses through a default route (FRR without `ip nht " +
				"resolve-via-default`, Junos, IOS): edge1.iad's sessions to the route reflectors need a non-default " +
				"route to 10.0.0.4 and 10.0.0.7 (bb1.fra has no route to 10.0.0.34 at all), and the DC routes' next hops " +
				"(the DC loopbacks) would not resolve either. Both iBGP sessions stay down, edge1.iad learns no DC /24, " +
				"its 157.240.0.0/16 aggregate goes inactive, and TransitB AS64602, connected only at iad, loses the " +
				"service prefix. backstop must BLOCK with critical-prefixes-to-transit.",
			FRR: "Vendor difference: FRR brings the edge1.iad - bb1.iad session up from bb1.iad, which has a static route to " +
				"10.0.0.34, while edge1.iad waits for a non-default route to 10.0.0.7 and accepts the connection; bb1.iad and " +
				"bb2.iad then pick edge1.iad's transit default (2 routes differ in the conformance run of 2026-12-02). backstop " +
				"takes a session that one end reaches only through a default as down (fail closed). The outage is the same " +
				"on FRR: the DC next hops do not resolve through the default and AS64602 gets no 157.240.0.0/16.",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, site := range []string{"fra", "sin", "iad"} {
			chs = append(chs, Change{"edge1." + site, []Op{{"update",
				statement("ANYCAST-DNS-IN", "10-dns") + "/actions/bgp-actions/config/set-route-origin", "INCOMPLETE"}}})
		}
		add(Scenario{
			Name: "origin-incomplete-anycast",
			Description: "A policy standardisation marks every route imported from a non-customer eBGP speaker with " +
				"origin INCOMPLETE; it reaches ANYCAST-DNS-IN on edge1.fra, edge1.sin and edge1.iad first (edge1.ams is " +
				"in a change freeze). Origin is a step of the BGP decision process before eBGP-over-iBGP: each of the " +
				"three edges now prefers the iBGP copy of 129.134.30.0/23 from edge1.ams (origin IGP, same local-pref " +
				"and AS-path length) over its own announcer and stops advertising its own. Every transit still " +
				"receives the /23, all of it pointing at Amsterdam: one anycast site serves the whole world's DNS. " +
				"backstop must BLOCK with dns-anycast (one site actually announcing, below min_healthy_sites 2).",
			Expect:   "BLOCK",
			Findings: []string{"dns-anycast"},
			Changes:  chs,
		})
	}
	{
		var chs []Change
		for _, e := range edges(n) {
			if len(neighborsOf(e, "transit")) < 2 {
				continue
			}
			chs = append(chs, Change{e.Name, []Op{{"update", bgpPath + "/global/use-multiple-paths", M{
				"config": M{"enabled": true},
				"ebgp":   M{"config": M{"allow-multiple-as": true, "maximum-paths": 2}}}}}})
		}
		add(Scenario{
			Name: "bgp-multipath-transit",
			Description: "Egress load balancing: the three POP edges with two transits (ams, fra, iad) enable eBGP " +
				"multipath (use-multiple-paths, maximum-paths 2, allow-multiple-as, since the two transits are " +
				"different ASes). Both transits' defaults tie up to the IGP cost (local-pref 50, one AS, origin IGP), " +
				"so each edge installs both and splits Internet-bound traffic over them; both branches leave at a " +
				"transit and nothing else changes. Expect PASS; the scenario's test checks that edge1.ams forwards " +
				"0.0.0.0/0 over both of its transits (without multipath it would use one).",
			Expect:  "PASS",
			Changes: chs,
		})
	}
	{
		e := n.Device("edge1.ams")
		lumen := neighborsOf(e, "transit")[0] // Lumen AS3356, 203.0.113.1
		pol := "TRANSIT-IN-LUMEN-AMS"
		add(Scenario{
			Name: "deterministic-med",
			Description: "Lumen asks its customers to move traffic off its Amsterdam hand-off during port work. To " +
				"prefer Lumen's Frankfurt hand-off without touching the choice between providers, edge1.ams gives the " +
				"Lumen session (203.0.113.1) its own import policy " + pol + ": TRANSIT-IN plus set-med 100 on the " +
				"default. MED is compared only between paths from the same neighbouring AS, so edge1.ams now has a " +
				"non-transitive set of four 0.0.0.0/0 paths: lumen-ams (eBGP, MED 100), cogent-ams (eBGP), Lumen " +
				"via edge1.fra (iBGP, MED 0, IGP cost 70) and Cogent via edge1.iad (iBGP, IGP cost 170). cogent-ams " +
				"beats lumen-fra as eBGP over iBGP and lumen-fra beats lumen-ams on MED, while lumen-ams beats " +
				"cogent-ams on the tie-breakers (router-id, as in the running network; on FRR and IOS, when it is " +
				"the older path): a cycle. A pairwise scan in arrival order (FRR and IOS without deterministic-med) " +
				"then picks any of the three depending on which path arrived last, and may flip after a session reset: " +
				"Lumen at Amsterdam (the hand-off being drained), Cogent at Amsterdam, or Lumen at Frankfurt across " +
				"the backbone. Routers that group paths by neighbouring AS first (Junos always, FRR and IOS with bgp " +
				"deterministic-med, as the lab renders it) pick lumen-fra within AS3356 and cogent-ams within AS174, " +
				"then cogent-ams as eBGP over iBGP: edge1.ams leaves through Cogent in Amsterdam and advertises " +
				"that path to the route reflectors. Every router still leaves the network at a transit and no " +
				"announcement changes, so expect PASS; the scenario's test checks that edge1.ams selects cogent-ams " +
				"(203.0.113.5), which a scan that does not group by neighbouring AS need not.",
			Expect: "PASS",
			Changes: []Change{{e.Name, []Op{
				{"update", fmt.Sprintf("/routing-policy/policy-definitions/policy-definition[name=%s]", pol),
					policy(pol,
						stmt("10-default", "DEFAULT-ROUTE", "ACCEPT_ROUTE", M{"set-local-pref": 50, "set-med": 100}),
						stmt("99-reject", "", "REJECT_ROUTE", nil))},
				{"replace", neighbor(lumen.Addr) + "/apply-policy/config/import-policy", L{pol}},
			}}},
		})
	}
	{
		dc := n.Device("dc1.lla")
		more := netip.MustParsePrefix("129.134.31.0/24")
		add(Scenario{
			Name: "dns-more-specific-hijack",
			Description: fmt.Sprintf("A DNS load-test lab in Lulea is given %s: a discard static on dc1.lla, added to "+
				"prefix-set DC-PREFIXES so it is originated into BGP. It is a more specific of the DNS anycast "+
				"prefix 129.134.30.0/23, so every router in the network prefers it by longest match: half of the "+
				"anycast address space, from every POP, is pulled to Lulea and dropped there instead of reaching the "+
				"local anycast site. backstop must BLOCK: dns-anycast and critical-prefixes-to-transit must name "+
				"dc1.lla originating %s.", more, more),
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"},
			Changes: []Change{{dc.Name, []Op{
				{"update", fmt.Sprintf("%s/static-routes/static[prefix=%s]", staticPath, more), staticDiscard(more, "DNS load-test lab")},
				{"update", prefixEntry("DC-PREFIXES", more), M{"ip-prefix": more.String(), "masklength-range": "exact",
					"config": M{"ip-prefix": more.String(), "masklength-range": "exact"}}},
			}}},
		})
	}

	// ---- Forwarding and health ----

	{
		var chs []Change
		for _, p := range POPs {
			var statics []M
			for _, dc := range DCs {
				statics = append(statics, staticDiscard(DCPrefix(dc.N), "floating null route for "+dc.Site))
			}
			chs = append(chs, Change{p.Uplinks[0], []Op{{"update", staticPath, staticProto(statics...)}}})
		}
		add(Scenario{
			Name: "dc-discard-static-backbone",
			Description: "Protection against a default-route leak: the four backbone routers the POP edges use as " +
				"primary uplink (bb1.ams, bb1.fra, bb1.sin, bb1.iad) get discard statics for the four DC /16s, meant " +
				"as floating routes behind BGP, but pushed without a preference, so the static (distance 1) beats the " +
				"iBGP route (200). Each POP's traffic to the data centres enters its bb1 router and is dropped there. " +
				"All four DNS announcers' health checks follow that path and fail, so every site withdraws " +
				"129.134.30.0/23 and it reaches no transit. backstop must BLOCK with dns-anycast and " +
				"critical-prefixes-to-transit, naming the discard routes.",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"},
			Changes:  chs,
		})
	}
	{
		dc := DCs[1] // frc: 157.240.1.0/24
		svc := ServicePrefix(dc.N)
		add(Scenario{
			Name: "ecmp-branch-blackholed",
			Description: fmt.Sprintf("%s's service prefix %s is to move to a new data centre. The migration runbook "+
				"pre-stages a discard static for it on the Amsterdam backbone routers, meant as a floating route "+
				"behind BGP, but it is pushed without a preference (distance 1 beats iBGP's 200) and, the window "+
				"running out, on bb1.ams only; it is not redistributed. edge1.ams reaches dc1.%s over two "+
				"equal-cost IS-IS paths (cost 150, via bb1.ams and via bb2.ams) and hashes flows over both: the "+
				"half of the Internet's traffic for %s that enters at Amsterdam and hashes to bb1.ams is dropped "+
				"there, the other half arrives through bb2.ams. Every session stays up, every prefix is still "+
				"announced, the DNS announcers' health checks (towards the DC /16s) still succeed, a ping may or "+
				"may not, and half of the connections to the service fail. Every equal-cost branch must arrive: backstop must BLOCK "+
				"with critical-prefixes-to-transit, naming edge1.ams, where 157.240.0.0/16 stays announced but "+
				"its traffic for %s is partly dropped, and bb1.ams's discard route %s.",
				dc.City, svc, dc.Site, svc, svc, svc),
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit"},
			Changes: []Change{{"bb1.ams", []Op{{"update", staticPath,
				staticProto(staticDiscard(svc, "floating null route for "+dc.Site+" service prefix migration"))}}}},
		})
	}
	{
		var chs []Change
		def := netip.MustParsePrefix("0.0.0.0/0")
		for _, e := range edges(n) {
			chs = append(chs, Change{e.Name, []Op{{"update", staticPath, staticProto(staticDiscard(def, "last-resort null route"))}}})
		}
		add(Scenario{
			Name: "edge-default-discard",
			Description: "A 'last-resort null route' 0.0.0.0/0 discard is added on every POP edge. As a static route " +
				"(distance 1) it beats the transit's BGP default (eBGP, 20): every packet towards the Internet that " +
				"reaches an edge, from the data centres or from the DNS servers answering queries, is dropped. The " +
				"announcers' health checks towards the DC /16s still succeed and every prefix is still announced, so " +
				"the routing looks healthy while no answer ever leaves the network: DNS is down at all four sites and " +
				"all egress is black-holed. The anycast health rule follows the path towards the DCs only, so it " +
				"cannot see that answers are dropped; backstop must BLOCK from internet-egress (Internet-bound " +
				"traffic from every router stops at an edge's discard instead of leaving at a transit).",
			Expect:   "BLOCK",
			Findings: []string{"internet-egress"},
			Changes:  chs,
		})
	}
	{
		// A next hop inside lla's /16, which the backbone knows only through
		// BGP: whether the static is installed, and where it sends the
		// service's traffic, depends on the vendor (sim.staticsResolvedOutsideIGP).
		svc, nh := ServicePrefix(1), DCPrefix(2).Addr().Next().Next()
		add(Scenario{
			Name: "static-via-bgp-next-hop",
			Description: fmt.Sprintf("To move %s's service traffic during a migration, bb1.ams gets a static route "+
				"%s with next hop %s, a server address inside %s's %s. The backbone learns that /16 only through "+
				"BGP. FRR and IOS resolve the static recursively through the BGP route and send the service's "+
				"traffic from Amsterdam to %s, which does not serve it; Junos leaves the static inactive "+
				"unless `resolve` is configured. backstop does not model a static resolved over BGP, so it cannot "+
				"say whether traffic for %s is black-holed: it must BLOCK with both-ends-agree naming the static "+
				"route on bb1.ams, never PASS on the Junos reading.", DCs[1].Site, svc, nh, DCs[2].Site, DCPrefix(2), DCs[2].Site, svc),
			FRR: "backstop refuses this static (recursive resolution over BGP is vendor-dependent), so its routes " +
				"are not FRR's by design: FRR installs the static through the BGP route; the simulator shows " +
				"the Junos reading and blocks.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes: []Change{{"bb1.ams", []Op{{"update", staticPath, staticProto(M{"prefix": svc.String(),
				"config":    M{"prefix": svc.String(), "description": "service migration to " + DCs[2].Site},
				"next-hops": M{"next-hop": L{M{"index": "0", "config": M{"index": "0", "next-hop": nh.String()}}}}})}}}},
		})
	}
	{
		// A session whose one end is reachable only through BGP: the DC's
		// new lo1 is inside its /16, which only BGP carries
		// (sim.sessionsOverBGP refuses it).
		dc, peer := n.Device("dc1."+DCs[2].Site), n.Device("bb2.fra")
		lo1 := DCPrefix(2).Addr().Next()
		nbr := func(addr, local netip.Addr, desc string) M {
			return M{"neighbor-address": addr.String(),
				"config":    M{"neighbor-address": addr.String(), "peer-as": 65000, "enabled": true, "description": desc},
				"transport": M{"config": M{"local-address": local.String()}},
				"afi-safis": M{"afi-safi": L{M{"afi-safi-name": "openconfig-bgp-types:IPV4_UNICAST",
					"config": M{"afi-safi-name": "openconfig-bgp-types:IPV4_UNICAST", "enabled": true}}}},
				"apply-policy": M{"config": M{"default-import-policy": "ACCEPT_ROUTE", "default-export-policy": "ACCEPT_ROUTE"}}}
		}
		add(Scenario{
			Name: "bgp-session-over-bgp-route",
			Description: fmt.Sprintf("For a third path to the backbone, %s gets a loopback lo1 %s inside its own %s "+
				"and an iBGP session from it to %s's loopback %s, configured on both ends. lo1 is not in IS-IS: "+
				"%s reaches %s only through the BGP route %s that %s itself announces. FRR may bring the "+
				"session up over that route (and the session then carries the route it rides on); Junos and "+
				"IOS-XR resolve a peer over BGP only in some configurations. backstop takes such a session as "+
				"down and does not model the difference, so it must BLOCK with both-ends-agree naming the "+
				"session as one it cannot simulate.",
				dc.Name, lo1, DCPrefix(2), peer.Name, peer.Loopback, peer.Name, lo1, DCPrefix(2), dc.Name),
			FRR:      "backstop refuses this session (a session over a BGP route is vendor-dependent), so its routes are not FRR's by design: FRR may bring it up over the DC's /16.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes: []Change{
				{dc.Name, []Op{
					{"update", "/interfaces/interface[name=lo1]", loopbackIface("lo1", "BGP source", L{addrValue(netip.PrefixFrom(lo1, 32))})},
					{"update", neighbor(peer.Loopback), nbr(peer.Loopback, lo1, peer.Name+" (third path)")},
				}},
				{peer.Name, []Op{{"update", neighbor(lo1), nbr(lo1, peer.Loopback, dc.Name+" lo1 (third path)")}}},
			},
		})
	}
	{
		rr, other := n.Device("bb1.fra"), n.Device("bb2.fra")
		lo1 := netip.PrefixFrom(rr.Loopback, 32)
		add(Scenario{
			Name: "rr-loopback-duplicate",
			Description: fmt.Sprintf("Preparing an anycast route-reflector address, bb2.fra gets a second loopback lo1 "+
				"with %s, advertised into IS-IS as passive, but that is still bb1.fra's own lo0 address. Two routers "+
				"now originate the same /32: clients closer to bb2.fra send their iBGP connections to bb2.fra, which "+
				"has no such neighbours, and bb1.fra's sessions flap with every IGP change. backstop must BLOCK with "+
				"both-ends-agree naming the duplicate address on both routers (bb1.fra lo0 and bb2.fra lo1).", lo1),
			FRR:      "Undefined behaviour: which router answers for a duplicated address depends on the IGP and timing; backstop reports the duplicate and does not guess.",
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes: []Change{{other.Name, []Op{
				{"update", "/interfaces/interface[name=lo1]", loopbackIface("lo1", "anycast RR address", L{addrValue(lo1)})},
				{"update", isisIf("lo1"), isisPassive("lo1")},
			}}},
		})
	}
	{
		// A connected subnet shadows the route to its real origin: the
		// forwarding walk counts delivery on any connected subnet as
		// arrival, so only the comparison with running (policy hijack)
		// sees that the DC ranges now end at a backbone router.
		bb := n.Device("bb1.lhr")
		var addrs L
		for i := range DCs {
			addrs = append(addrs, addrValue(netip.PrefixFrom(DCPrefix(i).Addr().Next(), 16)))
		}
		add(Scenario{
			Name: "dc-prefixes-on-backbone-loopback",
			Description: fmt.Sprintf("A lab address plan re-used on production: %s gets a loopback lo9 with the first "+
				"address of each DC range (%s to %s, each as a /16), advertised into IS-IS as passive for a "+
				"measurement test. Every router now has an IS-IS route for each DC /16, whose distance beats the "+
				"iBGP route to the real DC: traffic to the data centres ends at %s's loopback. The DNS servers' "+
				"health probes go there too, every site withdraws 129.134.30.0/23 exactly as designed, and DNS "+
				"disappears from the Internet, as in 2021. backstop must BLOCK with dns-anycast naming the health "+
				"prefixes now held by %s.", bb.Name, DCPrefix(0), DCPrefix(len(DCs)-1), bb.Name, bb.Name),
			Expect:   "BLOCK",
			Findings: []string{"dns-anycast"},
			Changes: []Change{{bb.Name, []Op{
				{"update", "/interfaces/interface[name=lo9]", loopbackIface("lo9", "measurement test", addrs)},
				{"update", isisIf("lo9"), isisPassive("lo9")},
			}}},
		})
	}
	{
		// Links are inferred from addresses; cables are where running has
		// them (sim.PinCabling). Moving a link's address to another port
		// must not carry the link along.
		e := n.Device("edge1.sin")
		var ops []Op
		var moved []string
		for i, up := range []string{"bb1.sin", "bb2.sin"} {
			l := n.LinkBetween(e.Name, up)
			from, addr := l.AIf, l.Subnet.Addr()
			if l.B == e.Name {
				from, addr = l.BIf, addr.Next()
			}
			to := fmt.Sprintf("et-1/0/%d", i)
			moved = append(moved, from+" to "+to)
			ops = append(ops,
				Op{"delete", fmt.Sprintf("/interfaces/interface[name=%s]/subinterfaces/subinterface[index=0]/ipv4", from), nil},
				Op{"delete", isisIf(from), nil},
				Op{"update", "/interfaces/interface[name=" + to + "]", M{"name": to,
					"config": M{"name": to, "type": "iana-if-type:ethernetCsmacd", "description": "POP-UPLINK: " + up + " (new line card)", "enabled": true, "mtu": 9192},
					"subinterfaces": M{"subinterface": L{M{"index": 0, "config": M{"index": 0, "enabled": true},
						"openconfig-if-ip:ipv4": M{"addresses": M{"address": L{addrValue(netip.PrefixFrom(addr, 31))}}}}}}}},
				Op{"update", isisIf(to), M{"interface-id": to, "config": M{"interface-id": to, "enabled": true, "circuit-type": "POINT_TO_POINT"},
					"interface-ref": M{"config": M{"interface": to, "subinterface": 0}},
					"afi-safi":      M{"af": L{isisAF(M{"enabled": true})}},
					"levels": M{"level": L{M{"level-number": 2, "config": M{"level-number": 2, "enabled": true},
						"afi-safi": M{"af": L{isisAF(M{"metric": l.Metric})}}}}}}})
		}
		add(Scenario{
			Name: "uplinks-moved-to-new-ports",
			Description: fmt.Sprintf("A line-card migration at Singapore: the addresses and IS-IS of both uplinks of %s move "+
				"from %s in one change, and the fibres are to be patched to the new ports the next night. "+
				"Until then the new ports face nothing and the old ones have no address: the POP is cut off from "+
				"the backbone, its DNS site withdraws and its transit loses both critical prefixes. "+
				"backstop infers links from shared subnets, which would carry both links over to the new ports; "+
				"it keeps the cables where the running network has them, so both links are down. The other three "+
				"sites keep announcing: backstop must WARN with dns-anycast and critical-prefixes-to-transit.",
				e.Name, strings.Join(moved, " and ")),
			Expect:   "WARN",
			Findings: []string{"dns-anycast", "critical-prefixes-to-transit"},
			Changes:  []Change{{e.Name, ops}},
		})
	}
	{
		l := n.LinkBetween("bb1.sjc", "bb1.iad")
		a := l.Subnet.Addr()
		add(Scenario{
			Name: "link-same-address",
			Description: fmt.Sprintf("A re-addressing of the sjc-iad link %s is done from a copy of the A end: %s %s "+
				"is given %s/31, the address %s %s already has. Both ends of the /31 now claim the same address; "+
				"ARP and the IS-IS adjacency fail and the link carries nothing. backstop must BLOCK with "+
				"both-ends-agree naming the duplicate address on both devices and interfaces.",
				l.Circuit, l.B, l.BIf, a, l.A, l.AIf),
			Expect:   "BLOCK",
			Findings: []string{"both-ends-agree"},
			Changes: []Change{{l.B, []Op{
				{"delete", addrPath(l.BIf, a.Next()), nil},
				{"update", addrPath(l.BIf, a), addrValue(netip.PrefixFrom(a, 31))},
			}}},
		})
	}
	return out
}
