package compile

import (
	"strings"

	"github.com/backstop-net/backstop/models/oc"
)

// Schema-path prefixes (keys stripped) used by the classifier tables.
const (
	pIF   = "/interfaces/interface"
	pSUB  = pIF + "/subinterfaces/subinterface"
	pNI   = "/network-instances/network-instance"
	pP    = pNI + "/protocols/protocol"
	pIS   = pP + "/isis"
	pISIF = pIS + "/interfaces/interface"
	pB    = pP + "/bgp"
	pRP   = "/routing-policy"
	pST   = pRP + "/policy-definitions/policy-definition/statements/statement"
)

// modelledLeaves are the schema paths compile reads. Leaves under keyed
// contexts that the simulator does not cover (another network instance,
// another address family, another protocol) are rejected before this table
// is consulted.
var modelledLeaves = setOf(
	pIF+"/config/enabled",
	pIF+"/config/type", // loopback detection
	pSUB+"/config/enabled",
	pSUB+"/ipv4/config/enabled",
	pSUB+"/ipv4/addresses/address/config/prefix-length",
	pSUB+"/ipv6/config/enabled",
	pSUB+"/ipv6/addresses/address/config/prefix-length",

	pNI+"/config/router-id", // BGP router-id fallback
	pNI+"/config/type",      // must be DEFAULT_INSTANCE (networkInstance)
	pP+"/config/enabled",

	pIS+"/global/config/net",
	pIS+"/global/config/level-capability",
	pIS+"/global/afi-safi/af/config/enabled",
	pIS+"/levels/level/config/enabled",
	pIS+"/levels/level/config/metric-style", // wide is what the simulator assumes; isis() reports others
	pISIF+"/config/enabled",
	pISIF+"/config/passive",
	pISIF+"/config/circuit-type",
	pISIF+"/interface-ref/config/interface",
	pISIF+"/interface-ref/config/subinterface",
	pISIF+"/afi-safi/af/config/enabled",
	pISIF+"/levels/level/config/enabled",
	pISIF+"/levels/level/afi-safi/af/config/enabled",
	pISIF+"/levels/level/afi-safi/af/config/metric",
	// Both ends of a link must agree on these (internal/sim/agree.go).
	pIF+"/config/mtu",
	pIF+"/ethernet/config/port-speed",
	pIF+"/ethernet/config/duplex-mode",
	pIF+"/ethernet/config/auto-negotiate",
	pSUB+"/ipv4/config/mtu",
	pIS+"/global/lsp-bit/overload-bit/config/set-bit",
	pIS+"/levels/level/authentication/config/enabled",
	pIS+"/levels/level/authentication/config/auth-mode",
	pIS+"/levels/level/authentication/config/auth-type",
	pIS+"/levels/level/authentication/config/auth-password",
	pIS+"/levels/level/authentication/config/keychain",
	pISIF+"/authentication/config/enabled",
	pISIF+"/authentication/config/auth-mode",
	pISIF+"/authentication/config/auth-type",
	pISIF+"/authentication/config/auth-password",
	pISIF+"/authentication/config/keychain",
	pISIF+"/levels/level/hello-authentication/config/enabled",
	pISIF+"/levels/level/hello-authentication/config/auth-mode",
	pISIF+"/levels/level/hello-authentication/config/auth-type",
	pISIF+"/levels/level/hello-authentication/config/auth-password",
	pISIF+"/levels/level/hello-authentication/config/keychain",

	pB+"/global/config/as",
	pB+"/global/config/router-id",
	pB+"/global/afi-safis/afi-safi/config/enabled",
	pB+"/global/apply-policy/config/default-import-policy",
	pB+"/global/apply-policy/config/default-export-policy",
	pB+"/global/afi-safis/afi-safi/apply-policy/config/default-import-policy",
	pB+"/global/afi-safis/afi-safi/apply-policy/config/default-export-policy",
	pB+"/neighbors/neighbor/config/peer-group",
	pB+"/neighbors/neighbor/config/neighbor-port",
	pB+"/global/use-multiple-paths/config/enabled",
	pB+"/global/use-multiple-paths/ebgp/config/maximum-paths",
	pB+"/global/use-multiple-paths/ebgp/config/allow-multiple-as",
	pB+"/global/use-multiple-paths/ibgp/config/maximum-paths",
	pB+"/global/afi-safis/afi-safi/use-multiple-paths/config/enabled",
	pB+"/global/afi-safis/afi-safi/use-multiple-paths/ebgp/config/maximum-paths",
	pB+"/global/afi-safis/afi-safi/use-multiple-paths/ebgp/config/allow-multiple-as",
	pB+"/global/afi-safis/afi-safi/use-multiple-paths/ibgp/config/maximum-paths",

	pP+"/static-routes/static/next-hops/next-hop/config/next-hop",
	pP+"/static-routes/static/next-hops/next-hop/config/metric",
	pP+"/static-routes/static/next-hops/next-hop/config/preference",
	pP+"/static-routes/static/next-hops/next-hop/interface-ref/config/interface",
	pP+"/static-routes/static/next-hops/next-hop/interface-ref/config/subinterface",
	pP+"/local-aggregates/aggregate/config/discard",

	pNI+"/table-connections/table-connection/config/import-policy",
	pNI+"/table-connections/table-connection/config/default-import-policy",

	pRP+"/defined-sets/prefix-sets/prefix-set/config/mode",
	pRP+"/defined-sets/bgp-defined-sets/community-sets/community-set/config/community-member",
	pRP+"/defined-sets/bgp-defined-sets/community-sets/community-set/config/match-set-options",
	pRP+"/defined-sets/bgp-defined-sets/as-path-sets/as-path-set/config/as-path-set-member",
	pST+"/conditions/config/call-policy",
	pST+"/conditions/config/install-protocol-eq",
	pST+"/conditions/match-prefix-set/config/prefix-set",
	pST+"/conditions/match-prefix-set/config/match-set-options",
	pST+"/conditions/bgp-conditions/config/community-set",
	pST+"/conditions/bgp-conditions/match-community-set/config/community-set",
	pST+"/conditions/bgp-conditions/match-community-set/config/match-set-options",
	pST+"/conditions/bgp-conditions/match-as-path-set/config/as-path-set",
	pST+"/conditions/bgp-conditions/match-as-path-set/config/match-set-options",
	pST+"/conditions/bgp-conditions/config/route-type",
	pST+"/conditions/bgp-conditions/config/origin-eq",
	pST+"/conditions/bgp-conditions/config/med-eq",
	pST+"/conditions/bgp-conditions/config/local-pref-eq",
	pST+"/actions/bgp-actions/config/set-route-origin",
	pST+"/actions/config/policy-result",
	pST+"/actions/bgp-actions/config/set-local-pref",
	pST+"/actions/bgp-actions/config/set-med",
	pST+"/actions/bgp-actions/config/set-next-hop",
	pST+"/actions/bgp-actions/set-community/config/method",
	pST+"/actions/bgp-actions/set-community/config/options",
	pST+"/actions/bgp-actions/set-community/inline/config/communities",
	pST+"/actions/bgp-actions/set-community/reference/config/community-set-ref",
	pST+"/actions/bgp-actions/set-community/reference/config/community-set-refs",
	pST+"/actions/bgp-actions/set-as-path-prepend/config/asn",
	pST+"/actions/bgp-actions/set-as-path-prepend/config/repeat-n",
)

// bgpPeerLeaves are modelled on both neighbors and peer-groups.
var bgpPeerLeaves = []string{
	"/config/peer-as",
	"/config/local-as",
	"/config/peer-type",
	"/config/enabled",
	"/transport/config/local-address",
	"/transport/config/passive-mode",
	"/config/auth-password",
	"/afi-safis/afi-safi/ipv4-unicast/prefix-limit/config/max-prefixes",
	"/afi-safis/afi-safi/ipv4-unicast/prefix-limit/config/prevent-teardown",
	"/route-reflector/config/route-reflector-client",
	"/route-reflector/config/route-reflector-cluster-id",
	"/ebgp-multihop/config/enabled",
	"/ebgp-multihop/config/multihop-ttl",
	"/afi-safis/afi-safi/config/enabled",
	"/apply-policy/config/import-policy",
	"/apply-policy/config/export-policy",
	"/apply-policy/config/default-import-policy",
	"/apply-policy/config/default-export-policy",
	"/afi-safis/afi-safi/apply-policy/config/import-policy",
	"/afi-safis/afi-safi/apply-policy/config/export-policy",
	"/afi-safis/afi-safi/apply-policy/config/default-import-policy",
	"/afi-safis/afi-safi/apply-policy/config/default-export-policy",
}

// noopLeaves have no effect on steady-state routing.
var noopLeaves = setOf(
	pIF+"/ethernet/config/enable-flow-control",
	pIF+"/ethernet/config/mac-address",
	pSUB+"/ipv6/config/mtu",
	pSUB+"/ipv4/addresses/address/config/type",
	pSUB+"/ipv6/addresses/address/config/type",
	pNI+"/tables/table/config/protocol",
	pNI+"/tables/table/config/address-family",
	pIS+"/global/config/hello-padding",                        // MTU mismatch is refused whatever the padding (fail closed)
	pIS+"/global/lsp-bit/overload-bit/config/set-bit-on-boot", // only after a reload, not the steady state
	pISIF+"/config/hello-padding",
	pISIF+"/levels/level/config/priority",
	pB+"/neighbors/neighbor/transport/config/mtu-discovery",
	pB+"/neighbors/neighbor/transport/config/tcp-mss",
	pB+"/peer-groups/peer-group/transport/config/mtu-discovery",
	pB+"/peer-groups/peer-group/transport/config/tcp-mss",
)

// noopSubtrees: whole subtrees without routing effect. Timers and graceful
// restart change convergence, not the converged state the simulator computes.
// Definitions of set kinds the simulator does not match on (neighbor-, tag-,
// ext-community-sets, the ACL defined-sets) are no-ops by themselves: every
// condition that uses them is reported.
var noopSubtrees = []string{
	"/system",
	"/lldp",
	"/messages",
	"/defined-sets",
	pIF + "/hold-time",
	pNI + "/interfaces",
	pSUB + "/ipv6/router-advertisement",
	pIS + "/global/timers",
	pIS + "/global/graceful-restart",
	pIS + "/global/nsr",
	pISIF + "/timers",
	pISIF + "/levels/level/timers",
	pISIF + "/graceful-restart",
	pB + "/global/graceful-restart",
	pB + "/neighbors/neighbor/timers",
	pB + "/neighbors/neighbor/logging-options",
	pB + "/neighbors/neighbor/graceful-restart",
	pB + "/peer-groups/peer-group/timers",
	pB + "/peer-groups/peer-group/logging-options",
	pB + "/peer-groups/peer-group/graceful-restart",
	pRP + "/defined-sets/neighbor-sets",
	pRP + "/defined-sets/tag-sets",
	pRP + "/defined-sets/bgp-defined-sets/ext-community-sets",
}

// reasons explain well-known unmodelled subtrees; the longest match wins.
var reasons = []struct{ prefix, reason string }{
	{"/acl", "ACLs (packet filters) are not simulated"},
	{"/bfd", "BFD is not simulated"},
	{"/components", "platform components are not simulated"},
	{"/keychains", "key chains are not simulated"},
	{"/lacp", "LACP is not simulated"},
	{"/stp", "spanning tree is not simulated"},
	{pIF + "/aggregation", "link aggregation is not simulated"},
	{pIF + "/ethernet/config/aggregate-id", "LAG membership is not simulated"},
	{pIF + "/routed-vlan", "routed VLAN interfaces are not simulated"},
	{pSUB + "/vlan", "VLAN encapsulation is not simulated"},
	{pSUB + "/ipv4/unnumbered", "unnumbered interfaces are not simulated"},
	{pSUB + "/ipv6/unnumbered", "unnumbered interfaces are not simulated"},
	{pNI + "/mpls", "MPLS is not simulated"},
	{pNI + "/segment-routing", "segment routing is not simulated"},
	{pNI + "/policy-forwarding", "policy-based forwarding is not simulated"},
	{pIS + "/interfaces/interface/authentication", "IS-IS authentication beyond enabled, mode, type, password and key chain name is not simulated"},
	{pIS + "/levels/level/authentication", "IS-IS authentication beyond enabled, mode, type, password and key chain name is not simulated"},
	{pB + "/global/route-selection-options", "BGP best-path options are not simulated (the decision process is the documented default)"},
	{pB + "/global/use-multiple-paths", "BGP multipath options beyond enabled, maximum-paths and allow-multiple-as are not simulated"},
	{pB + "/neighbors/neighbor/afi-safis/afi-safi/ipv4-unicast/prefix-limit", "BGP prefix-limit options beyond max-prefixes and prevent-teardown are not simulated"},
	{pB + "/peer-groups/peer-group/afi-safis/afi-safi/ipv4-unicast/prefix-limit", "BGP prefix-limit options beyond max-prefixes and prevent-teardown are not simulated"},
}

// ReasonDefault is the Unmodelled reason when no specific one applies.
const ReasonDefault = "outside the modelled OpenConfig subset"

// knownContainers holds every ancestor of a modelled or no-op leaf, and the
// lists whose entries mean something by their keys alone (a prefix-set entry,
// a protocol instance). A key leaf is a no-op only inside a known list: the
// keys of an ACL entry are as unmodelled as the ACL.
var knownContainers = setOf(
	pRP+"/defined-sets/prefix-sets/prefix-set/prefixes/prefix",
	pRP+"/defined-sets/prefix-sets/prefix-set",
	pRP+"/defined-sets/bgp-defined-sets/community-sets/community-set",
	pRP+"/defined-sets/bgp-defined-sets/as-path-sets/as-path-set",
	pRP+"/policy-definitions/policy-definition",
	pST,
	pP,
	pNI+"/table-connections/table-connection",
	pNI+"/tables/table",
)

func init() {
	for _, s := range bgpPeerLeaves {
		modelledLeaves[pB+"/neighbors/neighbor"+s] = true
		modelledLeaves[pB+"/peer-groups/peer-group"+s] = true
	}
	for _, m := range []map[string]bool{modelledLeaves, noopLeaves} {
		for p := range m {
			for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
				knownContainers[p[:i]] = true
			}
		}
	}
}

func setOf(paths ...string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		m[p] = true
	}
	return m
}

// IsModelled reports whether a configured leaf is simulated or known to have
// no routing effect. internal/change and reports can use it to tell which
// changed leaves the simulation accounts for.
func IsModelled(l *oc.Leaf) bool { return Classify(l) == "" }

// Classify returns why a configured leaf is unmodelled, or "" when the
// simulator models it or it has no routing effect.
func Classify(l *oc.Leaf) string {
	if l.Synthetic || len(l.Elems) == 0 {
		return ""
	}
	for _, e := range l.Elems {
		if e.Name == "state" {
			return "" // operational state rides along in some dumps; it configures nothing
		}
	}
	if l.Name() == "description" {
		return ""
	}
	if r := contextReason(l.Elems); r != "" {
		return r
	}
	schema := l.Schema()
	if modelledLeaves[schema] || noopLeaves[schema] {
		return ""
	}
	if l.Key && len(l.Elems) >= 3 && l.Elems[len(l.Elems)-2].Name == "config" &&
		knownContainers[oc.SchemaPath(l.Elems[:len(l.Elems)-2])] {
		return ""
	}
	for _, p := range noopSubtrees {
		if under(schema, p) {
			return ""
		}
	}
	best, reason := -1, ReasonDefault
	for _, r := range reasons {
		if under(schema, r.prefix) && len(r.prefix) > best {
			best, reason = len(r.prefix), r.reason
		}
	}
	return reason
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix) && path[len(prefix)] == '/'
}

func keyOf(e oc.PathElem, name string) string {
	for _, k := range e.Keys {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

var simulatedProtocols = map[string]bool{
	"ISIS": true, "BGP": true, "STATIC": true, "LOCAL_AGGREGATE": true, "DIRECTLY_CONNECTED": true,
}

// contextReason rejects leaves whose keyed context the simulator does not
// cover, key leaves included: a whole OSPF instance must not vanish just
// because its remaining leaves are keys.
func contextReason(elems []oc.PathElem) string {
	if elems[0].Name != "network-instances" {
		return ""
	}
	inBGP, inISIS := false, false
	for i, e := range elems {
		switch e.Name {
		case "network-instance":
			if n := keyOf(e, "name"); !isDefaultNI(n) {
				return "only the DEFAULT network instance is simulated (network-instance " + n + ")"
			}
		case "protocol":
			if i > 0 && elems[i-1].Name == "protocols" {
				id := keyOf(e, "identifier")
				if !simulatedProtocols[id] {
					return "protocol " + id + " is not simulated"
				}
			}
		case "bgp":
			inBGP = true
		case "isis":
			inISIS = true
		case "table-connection":
			src, dst, af := keyOf(e, "src-protocol"), keyOf(e, "dst-protocol"), keyOf(e, "address-family")
			if _, ok := redistSources[src]; !ok || dst != "BGP" || af != "IPV4" {
				return "redistribution from " + src + " into " + dst + " (" + af + ") is not simulated"
			}
		case "afi-safi":
			if inBGP {
				if n := keyOf(e, "afi-safi-name"); n != "" && n != ipv4Unicast {
					return "only IPv4 unicast BGP is simulated (" + n + ")"
				}
			}
		case "af":
			if inISIS && (keyOf(e, "afi-name") != "IPV4" || keyOf(e, "safi-name") != "UNICAST") {
				return "only IPv4 unicast IS-IS is simulated (" + keyOf(e, "afi-name") + " " + keyOf(e, "safi-name") + ")"
			}
		}
	}
	return ""
}
