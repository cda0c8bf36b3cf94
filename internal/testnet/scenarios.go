package testnet

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Op is one gNMI Set operation on a device.
type Op struct {
	Kind  string // update, replace, delete
	Path  string // gNMI path string, keys in brackets
	Value any    // JSON value (json_ietf_val); nil for delete
}

// Change is the set of operations on one device (one SetRequest).
type Change struct {
	Device string
	Ops    []Op
}

// Scenario is one change with its expected verdict under policies/default.yaml.
type Scenario struct {
	Name        string
	Description string
	Expect      string   // PASS, WARN, BLOCK
	Findings    []string // invariant names expected to fire
	Changes     []Change // sorted by device
	// FRR, when set, says why the FRR lab cannot confirm this scenario (a
	// vendor behaviour FRR 8.4 does not have, or config the lab renderer
	// refuses): `make conformance` lists it as not compared, with this reason.
	FRR string
}

// Paths used by the scenarios.
const (
	bgpPath  = "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=BGP]/bgp"
	isisPath = "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=ISIS]/isis"
)

func ifEnabled(iface string) string {
	return fmt.Sprintf("/interfaces/interface[name=%s]/config/enabled", iface)
}

func neighbor(addr netip.Addr) string {
	return fmt.Sprintf("%s/neighbors/neighbor[neighbor-address=%s]", bgpPath, addr)
}

func isisMetric(iface string) string {
	return fmt.Sprintf("%s/interfaces/interface[interface-id=%s]/levels/level[level-number=2]/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/metric", isisPath, iface)
}

func prefixEntry(set string, p netip.Prefix) string {
	return fmt.Sprintf("/routing-policy/defined-sets/prefix-sets/prefix-set[name=%s]/prefixes/prefix[ip-prefix=%s][masklength-range=exact]", set, p)
}

// Scenarios returns the change scenarios on network n.
func Scenarios(n *Network) []Scenario {
	var out []Scenario

	// 1. The October 2021 event.
	{
		var chs []Change
		for _, d := range n.Devices {
			if d.Role != "backbone" {
				continue
			}
			var ops []Op
			for _, i := range d.Ifaces {
				if !i.Loopback {
					ops = append(ops, Op{"update", ifEnabled(i.Name), false})
				}
			}
			chs = append(chs, Change{d.Name, ops})
		}
		out = append(out, Scenario{
			Name: "drain-backbone",
			Description: "The October 2021 command: every non-loopback interface of all 12 backbone routers is " +
				"administratively disabled. Every backbone link, DC uplink and POP uplink goes down, so IS-IS " +
				"partitions into isolated routers and every iBGP session (all via the route reflectors bb1.fra and " +
				"bb1.iad) drops. Each POP edge keeps only its transit default route, so its health check towards the " +
				"data-centre prefixes follows 0.0.0.0/0 out to transit, which does not originate them: all four DNS " +
				"anycast announcers withdraw 129.134.30.0/23, and with no DC /24 contributing, every edge's " +
				"157.240.0.0/16 aggregate goes inactive. Both critical prefixes vanish from every transit, 100% of " +
				"backbone links are down and 37 iBGP sessions are lost; every router without a transit of its own loses " +
				"its way to the Internet. An engineer expects backstop to BLOCK.",
			Expect:   "BLOCK",
			Findings: []string{"blast-radius", "bgp-sessions", "critical-prefixes-to-transit", "dns-anycast", "internet-egress"},
			Changes:  chs,
		})
	}

	// 2. One inter-region link, both ends.
	{
		l := n.LinkBetween("bb1.iad", "bb1.lhr")
		out = append(out, Scenario{
			Name: "drain-one-link",
			Description: fmt.Sprintf("Maintenance drain of one transatlantic circuit (%s): %s %s and %s %s are disabled. "+
				"iad-lhr is served by two parallel links (bb1-bb1 and bb2-bb2) plus the fra-iad chord, so IS-IS "+
				"reconverges over the bb2 plane, every loopback stays reachable, every iBGP session stays up and "+
				"nothing changes outside. One of 20 backbone links (5%%) on 2 devices is well inside the blast radius. "+
				"Expect PASS.", l.Circuit, l.A, l.AIf, l.B, l.BIf),
			Expect: "PASS",
			Changes: []Change{
				{l.A, []Op{{"update", ifEnabled(l.AIf), false}}},
				{l.B, []Op{{"update", ifEnabled(l.BIf), false}}},
			},
		})
	}

	// 3. DNS prefix no longer exported at one POP.
	out = append(out, Scenario{
		Name: "dns-export-one-site",
		Description: "At the Amsterdam POP, 129.134.30.0/23 is removed from prefix-set CRITICAL, the set TRANSIT-OUT " +
			"matches on edge1.ams. Its two transits (AS3356, AS174) stop receiving the DNS prefix; the anycast " +
			"site itself stays healthy and keeps serving traffic that arrives over the backbone. The prefix is still " +
			"announced to transit from fra, sin and iad (3 sites, 5 sessions, above min_sites 2 / min_sessions 2), " +
			"so only the on_any_loss rule fires. Expect WARN.",
		Expect:   "WARN",
		Findings: []string{"critical-prefixes-to-transit"},
		Changes:  []Change{{"edge1.ams", []Op{{"delete", prefixEntry("CRITICAL", DNSPrefix), nil}}}},
	})

	// 4. The service aggregate dropped everywhere.
	{
		var chs []Change
		for _, p := range POPs {
			chs = append(chs, Change{"edge1." + p.Site, []Op{{"delete", prefixEntry("CRITICAL", ServiceAgg), nil}}})
		}
		out = append(out, Scenario{
			Name: "critical-prefix-dropped",
			Description: "A clean-up removes 157.240.0.0/16 from prefix-set CRITICAL on all four POP edges. " +
				"TRANSIT-OUT then rejects the service aggregate at every POP: it is announced to no transit at all " +
				"(0 sites, 0 sessions), although the aggregate stays active inside. The DNS prefix is untouched. " +
				"Expect BLOCK.",
			Expect:   "BLOCK",
			Findings: []string{"critical-prefixes-to-transit"},
			Changes:  chs,
		})
	}

	// 5. A POP edge loses both route reflectors.
	{
		e := n.Device("edge1.sin")
		var chs []Change
		for _, rr := range RouteReflectors {
			chs = append(chs, Change{rr, []Op{{"delete", neighbor(e.Loopback), nil}}})
		}
		out = append(out, Scenario{
			Name: "rr-client-removed",
			Description: fmt.Sprintf("The neighbor %s (edge1.sin) is deleted on both route reflectors, bb1.fra and "+
				"bb1.iad. edge1.sin still has its side configured, but neither session can establish, so the Singapore "+
				"POP learns no iBGP routes: its only route towards the data centres is the transit default, the DNS "+
				"announcer's health check fails and it withdraws 129.134.30.0/23, and with no DC /24 contributing its "+
				"157.240.0.0/16 aggregate goes inactive. AS64601 at sin loses both critical prefixes, but three other "+
				"sites (ams, fra, iad) stay healthy and keep announcing both to 6 transit sessions. Two iBGP sessions "+
				"lost is below max_lost. Expect WARN from the on_any_loss rules.", e.Loopback),
			Expect:   "WARN",
			Findings: []string{"critical-prefixes-to-transit", "dns-anycast"},
			Changes:  chs,
		})
	}

	// 6. Cosmetic.
	{
		l := n.LinkBetween("bb1.lhr", "bb2.lhr")
		newCkt := "BSTP-LHR-LHR-2001"
		out = append(out, Scenario{
			Name: "cosmetic",
			Description: fmt.Sprintf("The London intra-region pair is re-patched onto a new circuit %s: both ends get "+
				"a new description and the MTU is lowered from 9192 to 9100 on both ends together, so the link, its "+
				"IS-IS adjacency and metrics are unchanged. No routing state changes anywhere. Expect PASS (the "+
				"simulator must treat description and MTU as known, routing-neutral leaves, not as unmodelled config).", newCkt),
			Expect: "PASS",
			Changes: []Change{
				{l.A, []Op{
					{"update", fmt.Sprintf("/interfaces/interface[name=%s]/config/description", l.AIf), fmt.Sprintf("BB: %s %s [%s]", l.B, l.BIf, newCkt)},
					{"update", fmt.Sprintf("/interfaces/interface[name=%s]/config/mtu", l.AIf), 9100},
				}},
				{l.B, []Op{
					{"update", fmt.Sprintf("/interfaces/interface[name=%s]/config/description", l.BIf), fmt.Sprintf("BB: %s %s [%s]", l.A, l.AIf, newCkt)},
					{"update", fmt.Sprintf("/interfaces/interface[name=%s]/config/mtu", l.BIf), 9100},
				}},
			},
		})
	}

	// 7. IS-IS metric raised on one inter-region link.
	{
		l := n.LinkBetween("bb1.ams", "bb1.fra")
		out = append(out, Scenario{
			Name: "isis-metric-reroute",
			Description: fmt.Sprintf("Traffic engineering: the IS-IS level-2 metric of the ams-fra link %s (%s %s - %s %s) "+
				"is raised from %d to 1000 on both ends. Shortest paths that used it move to the parallel bb2.ams-bb2.fra "+
				"link (metric 100) or via lhr; the link and its adjacency stay up and every destination stays reachable, "+
				"so no session, route or announcement is lost. Expect PASS.", l.Circuit, l.A, l.AIf, l.B, l.BIf, l.Metric),
			Expect: "PASS",
			Changes: []Change{
				{l.A, []Op{{"update", isisMetric(l.AIf), 1000}}},
				{l.B, []Op{{"update", isisMetric(l.BIf), 1000}}},
			},
		})
	}

	// 8. One transit session shut at a two-transit POP.
	{
		e := n.Device("edge1.ams")
		var lumen *Neighbor
		for _, nb := range e.BGP {
			if nb.Role == "transit" && nb.PeerAS == 3356 {
				lumen = nb
			}
		}
		out = append(out, Scenario{
			Name: "transit-shutdown",
			Description: fmt.Sprintf("The transit session to Lumen AS3356 (%s) on edge1.ams is shut (neighbor "+
				"config/enabled false) ahead of provider maintenance. The Amsterdam POP keeps Cogent AS174, so the "+
				"default route and both critical prefixes stay in place through the other sessions, but a critical "+
				"session (role transit) is lost and the (prefix, AS3356@ams) pairs stop being announced. "+
				"Expect WARN from bgp-sessions and from the on_any_loss rule of critical-prefixes-to-transit.", lumen.Addr),
			Expect:   "WARN",
			Findings: []string{"bgp-sessions", "critical-prefixes-to-transit"},
			Changes:  []Change{{"edge1.ams", []Op{{"update", neighbor(lumen.Addr) + "/config/enabled", false}}}},
		})
	}

	// 9. Unmodelled config only.
	{
		e := n.Device("edge1.fra")
		var entries L
		for i, src := range []string{"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} {
			seq := 10 * (i + 1)
			entries = append(entries, M{"sequence-id": seq,
				"config":  M{"sequence-id": seq, "description": "bogon source " + src},
				"ipv4":    M{"config": M{"source-address": src}},
				"actions": M{"config": M{"forwarding-action": "openconfig-acl:DROP"}}})
		}
		entries = append(entries, M{"sequence-id": 1000, "config": M{"sequence-id": 1000, "description": "permit the rest"},
			"actions": M{"config": M{"forwarding-action": "openconfig-acl:ACCEPT"}}})
		var ifs L
		for _, i := range e.Ifaces {
			if strings.HasPrefix(i.Desc, "TRANSIT") {
				ifs = append(ifs, M{"id": i.Name, "config": M{"id": i.Name},
					"interface-ref": M{"config": M{"interface": i.Name, "subinterface": 0}},
					"ingress-acl-sets": M{"ingress-acl-set": L{M{"set-name": "TRANSIT-IN-V4", "type": "openconfig-acl:ACL_IPV4",
						"config": M{"set-name": "TRANSIT-IN-V4", "type": "openconfig-acl:ACL_IPV4"}}}}})
			}
		}
		acl := M{
			"acl-sets": M{"acl-set": L{M{"name": "TRANSIT-IN-V4", "type": "openconfig-acl:ACL_IPV4",
				"config":      M{"name": "TRANSIT-IN-V4", "type": "openconfig-acl:ACL_IPV4", "description": "drop bogon sources from transit"},
				"acl-entries": M{"acl-entry": entries}}}},
			"interfaces": M{"interface": ifs},
		}
		out = append(out, Scenario{
			Name: "unmodelled-change",
			Description: "A security change on edge1.fra: an IPv4 ingress ACL TRANSIT-IN-V4 dropping bogon sources is " +
				"defined and applied to both transit-facing interfaces (/acl). The binding knows the ACL model but " +
				"the simulator does not model packet filters, so it cannot prove the change harmless; routing, " +
				"sessions and announcements are identical before and after as far as it can see, but a filter on a " +
				"transit interface can drop the BGP sessions themselves. Expect BLOCK from unmodelled-config " +
				"(changed: block, the default: backstop fails closed), nothing else.",
			Expect:   "BLOCK",
			Findings: []string{"unmodelled-config"},
			Changes:  []Change{{"edge1.fra", []Op{{"update", "/acl", acl}}}},
		})
	}

	// 10. A DC site isolated.
	{
		d := n.Device("dc1.prn")
		var ops []Op
		for _, i := range d.Ifaces {
			if !i.Loopback {
				ops = append(ops, Op{"update", ifEnabled(i.Name), false})
			}
		}
		out = append(out, Scenario{
			Name: "dc-isolated",
			Description: "Both uplinks of dc1.prn (to bb1.sjc and bb2.iad) are disabled on the DC router. Prineville's " +
				"10.200.0.0/16 and 157.240.0.0/24 disappear and its two iBGP sessions drop (below max_lost), but every " +
				"DNS POP still reaches 10.201-10.203 in the other three data centres, so all four anycast sites stay " +
				"healthy; the edges' 157.240.0.0/16 aggregates keep three contributing /24s. No backbone link (both ends " +
				"backbone) is touched and no transit session or critical announcement changes. But the whole data " +
				"centre is cut off: its Internet-bound traffic no longer leaves at any transit (dc1.prn has no route " +
				"at all), which the default policy's internet-egress invariant blocks. Expect BLOCK from " +
				"internet-egress alone.",
			Expect:   "BLOCK",
			Findings: []string{"internet-egress"},
			Changes:  []Change{{d.Name, ops}},
		})
	}

	// 11. Import from the announcer broken at one POP.
	{
		typo := netip.MustParsePrefix("129.134.30.0/24")
		out = append(out, Scenario{
			Name: "anycast-import-broken",
			Description: "A typo at the Frankfurt POP: prefix-set DNS-ANYCAST on edge1.fra is changed from " +
				"129.134.30.0/23 to 129.134.30.0/24 (exact), so ANYCAST-DNS-IN no longer matches the announcer's /23 " +
				"and rejects it. The announcer stays healthy and its session up, but the site no longer contributes: " +
				"its route is not in edge1.fra's RIB. edge1.fra still exports the /23 to its transits, learned over " +
				"iBGP from the other POPs, so the prefix stays announced from all four sites and DNS keeps working, " +
				"with Frankfurt's queries carried to another site. The dns-anycast invariant must count a site whose " +
				"announcement its edge rejects as not announcing, so its on_any_loss rule fires. Expect WARN.",
			Expect:   "WARN",
			Findings: []string{"dns-anycast"},
			Changes: []Change{{"edge1.fra", []Op{
				{"delete", prefixEntry("DNS-ANYCAST", DNSPrefix), nil},
				{"update", prefixEntry("DNS-ANYCAST", typo), M{"ip-prefix": typo.String(), "masklength-range": "exact",
					"config": M{"ip-prefix": typo.String(), "masklength-range": "exact"}}},
			}}},
		})
	}
	out = append(out, outageScenarios(n)...)
	for i := range out {
		sort.Slice(out[i].Changes, func(a, b int) bool { return out[i].Changes[a].Device < out[i].Changes[b].Device })
	}
	return out
}
