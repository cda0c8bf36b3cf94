package compile

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

const rpPath = "/routing-policy"

// wellKnownCommunities are the RFC 1997 / RFC 3765 / RFC 8326 values.
var wellKnownCommunities = map[string]network.Community{
	"NO_EXPORT":           0xFFFFFF01,
	"NO_ADVERTISE":        0xFFFFFF02,
	"NO_EXPORT_SUBCONFED": 0xFFFFFF03,
	"NOPEER":              0xFFFFFF04,
	"GRACEFUL_SHUTDOWN":   0xFFFF0000,
}

// parseCommunity reads "ASN:VALUE" (both 16-bit) or a well-known name.
func parseCommunity(s string) (network.Community, bool) {
	if v, ok := wellKnownCommunities[strings.TrimPrefix(s, "openconfig-bgp-types:")]; ok {
		return v, true
	}
	hi, lo, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	a, err1 := strconv.ParseUint(hi, 10, 16)
	b, err2 := strconv.ParseUint(lo, 10, 16)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return network.Community(a<<16 | b), true
}

func communityText(v network.Community) string {
	return strconv.Itoa(int(v>>16)) + ":" + strconv.Itoa(int(v&0xFFFF))
}

// asPathBoundary is what "_" means in Cisco/Junos AS-path regexes, for a path
// written as space-separated ASNs.
const asPathBoundary = `(?:^|$| )`

// CompileASPathRegex translates an OpenConfig as-path-set member into a Go
// regexp over the space-separated AS path.
func CompileASPathRegex(member string) (*regexp.Regexp, error) {
	return regexp.Compile(strings.ReplaceAll(member, "_", asPathBoundary))
}

func (c *devCompiler) routingPolicy() error {
	rp := c.tree.RoutingPolicy
	if rp == nil {
		return nil
	}
	if ds := rp.DefinedSets; ds != nil {
		for _, name := range sortedKeys(ds.PrefixSet) {
			ps := ds.PrefixSet[name]
			spath := rpPath + "/defined-sets/prefix-sets/prefix-set[name=" + oc.EscapeKey(name) + "]"
			out := &network.PrefixSet{Name: name}
			for k := range ps.Prefix {
				ppath := spath + "/prefixes/prefix[ip-prefix=" + oc.EscapeKey(k.IpPrefix) + "][masklength-range=" + oc.EscapeKey(k.MasklengthRange) + "]"
				r, err := c.prefixRange(ppath, k.IpPrefix, k.MasklengthRange)
				if err != nil {
					return err
				}
				out.Entries = append(out.Entries, r)
			}
			sort.Slice(out.Entries, func(i, j int) bool {
				a, b := out.Entries[i], out.Entries[j]
				if a.Prefix != b.Prefix {
					if a.Prefix.Addr() != b.Prefix.Addr() {
						return a.Prefix.Addr().Less(b.Prefix.Addr())
					}
					return a.Prefix.Bits() < b.Prefix.Bits()
				}
				if a.Min != b.Min {
					return a.Min < b.Min
				}
				return a.Max < b.Max
			})
			// The mode restricts the set to one family and the model says a
			// device rejects entries of the other: a v4 route never matches
			// an IPV6 set, so reading the entries anyway would simulate a set
			// no router holds.
			mode := oc.EnumName(ps.Mode)
			for _, r := range out.Entries {
				if (mode == "IPV4" && r.Prefix.Addr().Is6()) || (mode == "IPV6" && r.Prefix.Addr().Is4()) {
					return c.errf(spath+"/config/mode", "prefix-set %q has mode %s but holds %s: routers refuse an entry outside the mode's address family",
						name, mode, r.Prefix)
				}
			}
			c.dev.PrefixSets[name] = out
		}
		if bs := ds.BgpDefinedSets; bs != nil {
			for _, name := range sortedKeys(bs.CommunitySet) {
				cs := bs.CommunitySet[name]
				spath := rpPath + "/defined-sets/bgp-defined-sets/community-sets/community-set[community-set-name=" + oc.EscapeKey(name) + "]"
				out := &network.CommunitySet{Name: name}
				for _, m := range cs.CommunityMember {
					cm, err := c.communityMatcher(spath+"/config/community-member", name, m)
					if err != nil {
						return err
					}
					out.Members = append(out.Members, cm)
				}
				c.dev.CommunitySets[name] = out
			}
			for _, name := range sortedKeys(bs.AsPathSet) {
				as := bs.AsPathSet[name]
				spath := rpPath + "/defined-sets/bgp-defined-sets/as-path-sets/as-path-set[as-path-set-name=" + oc.EscapeKey(name) + "]"
				out := &network.ASPathSet{Name: name}
				for _, m := range as.AsPathSetMember {
					re, err := CompileASPathRegex(m)
					if err != nil {
						return c.errf(spath+"/config/as-path-set-member", "as-path-set %s: bad regex %q: %v", name, m, err)
					}
					out.Members = append(out.Members, re)
					out.Text = append(out.Text, m)
				}
				c.dev.ASPathSets[name] = out
			}
		}
	}
	// Two passes: call-policy and neighbors may name any policy-definition.
	for name := range rp.PolicyDefinition {
		c.dev.Policies[name] = &network.Policy{Name: name,
			Path: rpPath + "/policy-definitions/policy-definition[name=" + oc.EscapeKey(name) + "]"}
	}
	for _, name := range sortedKeys(rp.PolicyDefinition) {
		if err := c.policy(c.dev.Policies[name], rp.PolicyDefinition[name]); err != nil {
			return err
		}
	}
	return c.checkCallLoops()
}

// prefixRange parses an ip-prefix and masklength-range ("exact" or "A..B").
func (c *devCompiler) prefixRange(path, ipPrefix, rng string) (network.PrefixRange, error) {
	p, err := c.routePrefix(path, ipPrefix)
	if err != nil {
		return network.PrefixRange{}, err
	}
	bits := uint8(p.Bits())
	maxBits := uint8(p.Addr().BitLen())
	if rng == "" || rng == "exact" {
		return network.PrefixRange{Prefix: p, Min: bits, Max: bits}, nil
	}
	lo, hi, ok := strings.Cut(rng, "..")
	a, err1 := strconv.ParseUint(lo, 10, 8)
	b, err2 := strconv.ParseUint(hi, 10, 8)
	if !ok || err1 != nil || err2 != nil || a > b || uint8(b) > maxBits {
		return network.PrefixRange{}, c.errf(path, "bad masklength-range %q for %s (want \"exact\" or \"A..B\" with A <= B <= %d)", rng, p, maxBits)
	}
	return network.PrefixRange{Prefix: p, Min: uint8(a), Max: uint8(b)}, nil
}

// communityMatcher compiles one community-set member: an exact value, a
// well-known name, or a regex anchored on the whole "ASN:VALUE" text (members
// such as "65000:1.." would otherwise also match "65000:12345").
func (c *devCompiler) communityMatcher(path, set string, member any) (network.CommunityMatcher, error) {
	v, _ := oc.UnionValue(member)
	switch x := v.(type) {
	case uint32:
		return network.CommunityMatcher{Value: network.Community(x), Text: communityText(network.Community(x))}, nil
	case string:
		if cv, ok := parseCommunity(x); ok {
			return network.CommunityMatcher{Value: cv, Text: x}, nil
		}
		re, err := regexp.Compile("^(?:" + x + ")$")
		if err != nil {
			return network.CommunityMatcher{}, c.errf(path, "community-set %s: bad regex %q: %v", set, x, err)
		}
		return network.CommunityMatcher{Regex: re, Text: x}, nil
	}
	return network.CommunityMatcher{}, c.errf(path, "community-set %s: unsupported member %v", set, v)
}

func matchMode(name string) network.MatchMode {
	switch name {
	case "ALL":
		return network.MatchAll
	case "INVERT":
		return network.MatchInvert
	}
	return network.MatchAny
}

var origins = map[string]network.Origin{
	"IGP": network.OriginIGP, "EGP": network.OriginEGP, "INCOMPLETE": network.OriginIncomplete,
}

var installProtocols = map[string]network.Protocol{
	"BGP":                network.ProtoBGP,
	"STATIC":             network.ProtoStatic,
	"DIRECTLY_CONNECTED": network.ProtoConnected,
	"LOCAL_AGGREGATE":    network.ProtoLocalAggregate,
	"ISIS":               network.ProtoISIS,
}

func (c *devCompiler) policy(out *network.Policy, pd *oc.PolicyDefinition) error {
	if pd.Statement == nil {
		return nil
	}
	for _, st := range pd.Statement.Values() {
		name := ""
		if st.Name != nil {
			name = *st.Name
		}
		spath := out.Path + "/statements/statement[name=" + oc.EscapeKey(name) + "]"
		s := network.Statement{Name: name, Path: spath}
		c.stmt = &s // what the conditions and actions cannot represent lands in s.Unknown
		err := c.conditions(&s.Conditions, st, spath)
		if err == nil {
			err = c.actions(&s.Actions, st, spath)
		}
		c.stmt = nil
		if err != nil {
			return err
		}
		out.Statements = append(out.Statements, s)
	}
	return nil
}

func (c *devCompiler) conditions(out *network.Conditions, st *oc.PolicyStatement, spath string) error {
	cd := st.Conditions
	if cd == nil {
		return nil
	}
	cpath := spath + "/conditions"
	if cd.CallPolicy != nil {
		if _, ok := c.dev.Policies[*cd.CallPolicy]; !ok {
			return c.errf(cpath+"/config/call-policy", "policy-definition %q does not exist", *cd.CallPolicy)
		}
		out.CallPolicy = *cd.CallPolicy
	}
	if p := oc.EnumName(cd.InstallProtocolEq); p != "" {
		proto, ok := installProtocols[p]
		if !ok {
			// A protocol the simulator does not install (OSPF, another IGP):
			// guessing "matches nothing" could hide a route the router does
			// redistribute, so the statement becomes unknown instead.
			c.unmodelled(cpath+"/config/install-protocol-eq", "install protocol "+p+" is not simulated")
			proto = network.ProtoNone
		}
		out.InstallProtocol = proto
	}
	if m := cd.MatchPrefixSet; m != nil && m.PrefixSet != nil {
		if _, ok := c.dev.PrefixSets[*m.PrefixSet]; !ok {
			return c.errf(cpath+"/match-prefix-set/config/prefix-set", "prefix-set %q does not exist", *m.PrefixSet)
		}
		out.PrefixSet, out.PrefixSetMode = *m.PrefixSet, matchMode(oc.EnumName(m.MatchSetOptions))
	}
	bc := cd.BgpConditions
	if bc == nil {
		return nil
	}
	bpath := cpath + "/bgp-conditions"
	switch rt := oc.EnumName(bc.RouteType); rt {
	case "":
	case "INTERNAL":
		out.RouteType = network.RouteInternal
	case "EXTERNAL":
		out.RouteType = network.RouteExternal
	default:
		c.unmodelled(bpath+"/config/route-type", "route-type "+rt+" is not simulated")
	}
	if o := oc.EnumName(bc.OriginEq); o != "" {
		v, ok := origins[o]
		if !ok {
			c.unmodelled(bpath+"/config/origin-eq", "origin "+o+" is not simulated")
		}
		out.OriginEq = v
	}
	if bc.MedEq != nil {
		v := *bc.MedEq
		out.MEDEq = &v
	}
	if bc.LocalPrefEq != nil {
		v := *bc.LocalPrefEq
		out.LocalPrefEq = &v
	}
	setOptions := func(set string) string {
		rp := c.tree.RoutingPolicy
		if rp.DefinedSets != nil && rp.DefinedSets.BgpDefinedSets != nil {
			if cs := rp.DefinedSets.BgpDefinedSets.CommunitySet[set]; cs != nil {
				return oc.EnumName(cs.MatchSetOptions)
			}
		}
		return ""
	}
	if bc.CommunitySet != nil { // the older leaf, before match-community-set
		if _, ok := c.dev.CommunitySets[*bc.CommunitySet]; !ok {
			return c.errf(bpath+"/config/community-set", "community-set %q does not exist", *bc.CommunitySet)
		}
		out.CommunitySet, out.CommunityMode = *bc.CommunitySet, matchMode(setOptions(*bc.CommunitySet))
	}
	if m := bc.MatchCommunitySet; m != nil && m.CommunitySet != nil {
		if _, ok := c.dev.CommunitySets[*m.CommunitySet]; !ok {
			return c.errf(bpath+"/match-community-set/config/community-set", "community-set %q does not exist", *m.CommunitySet)
		}
		// The condition's options win; newer models carry them on the set.
		opt := oc.EnumName(m.MatchSetOptions)
		if opt == "" {
			opt = setOptions(*m.CommunitySet)
		}
		out.CommunitySet, out.CommunityMode = *m.CommunitySet, matchMode(opt)
	}
	if m := bc.MatchAsPathSet; m != nil && m.AsPathSet != nil {
		if _, ok := c.dev.ASPathSets[*m.AsPathSet]; !ok {
			return c.errf(bpath+"/match-as-path-set/config/as-path-set", "as-path-set %q does not exist", *m.AsPathSet)
		}
		out.ASPathSet, out.ASPathMode = *m.AsPathSet, matchMode(oc.EnumName(m.MatchSetOptions))
	}
	return nil
}

func (c *devCompiler) actions(out *network.Actions, st *oc.PolicyStatement, spath string) error {
	ac := st.Actions
	if ac == nil {
		return nil
	}
	apath := spath + "/actions"
	switch oc.EnumName(ac.PolicyResult) {
	case "ACCEPT_ROUTE":
		out.Result = network.ResultAccept
	case "REJECT_ROUTE":
		out.Result = network.ResultReject
	}
	ba := ac.BgpActions
	if ba == nil {
		return nil
	}
	bpath := apath + "/bgp-actions"
	if o := oc.EnumName(ba.SetRouteOrigin); o != "" {
		v, ok := origins[o]
		if !ok {
			c.unmodelled(bpath+"/config/set-route-origin", "origin "+o+" is not simulated")
		}
		out.SetOrigin = v
	}
	if ba.SetLocalPref != nil {
		v := *ba.SetLocalPref
		out.SetLocalPref = &v
	}
	if ba.SetMed != nil {
		v, _ := oc.UnionValue(ba.SetMed)
		if x, ok := v.(uint32); ok {
			out.SetMED = &x
		} else {
			c.unmodelled(bpath+"/config/set-med", fmt.Sprintf("set-med %v (only a plain value is simulated)", v))
		}
	}
	if ba.SetNextHop != nil {
		v, isEnum := oc.UnionValue(ba.SetNextHop)
		switch {
		case isEnum && v == "SELF":
			out.NextHop = &network.NextHopAction{Self: true}
		case isEnum:
			c.unmodelled(bpath+"/config/set-next-hop", fmt.Sprintf("set-next-hop %v is not simulated", v))
		default:
			s, _ := v.(string)
			a, err := netip.ParseAddr(s)
			if err != nil {
				return c.errf(bpath+"/config/set-next-hop", "bad next-hop %q", s)
			}
			out.NextHop = &network.NextHopAction{Addr: a}
		}
	}
	if pp := ba.SetAsPathPrepend; pp != nil {
		p := &network.Prepend{Repeat: 1}
		if pp.Asn != nil {
			p.ASN = *pp.Asn
		}
		if pp.RepeatN != nil {
			if *pp.RepeatN == 0 {
				return c.errf(bpath+"/set-as-path-prepend/config/repeat-n", "repeat-n must be at least 1")
			}
			p.Repeat = *pp.RepeatN
		}
		out.Prepend = p
	}
	if sc := ba.SetCommunity; sc != nil {
		cpath := bpath + "/set-community"
		ca := &network.CommunityAction{}
		switch oc.EnumName(sc.Options) {
		case "ADD", "":
			ca.Method = network.CommunityAdd
		case "REMOVE":
			ca.Method = network.CommunityRemove
		case "REPLACE":
			ca.Method = network.CommunityReplace
		}
		switch oc.EnumName(sc.Method) {
		case "REFERENCE":
			ref := sc.Reference
			var names []string
			if ref != nil {
				if ref.CommunitySetRef != nil {
					names = append(names, *ref.CommunitySetRef)
				}
				names = append(names, ref.CommunitySetRefs...)
			}
			if len(names) == 0 {
				return c.errf(cpath+"/reference/config/community-set-ref", "method REFERENCE without a community-set-ref")
			}
			for _, n := range names {
				if _, ok := c.dev.CommunitySets[n]; !ok {
					return c.errf(cpath+"/reference/config/community-set-ref", "community-set %q does not exist", n)
				}
			}
			ca.SetRef = names[0]
			if len(names) > 1 {
				c.unmodelled(cpath+"/reference/config/community-set-refs", "only one referenced community-set per action is simulated")
			}
		default: // INLINE, or unset with inline values
			if sc.Inline == nil || len(sc.Inline.Communities) == 0 {
				return c.errf(cpath+"/inline/config/communities", "set-community without communities")
			}
			for _, m := range sc.Inline.Communities {
				v, _ := oc.UnionValue(m)
				var cv network.Community
				ok := false
				switch x := v.(type) {
				case uint32:
					cv, ok = network.Community(x), true
				case string:
					cv, ok = parseCommunity(x)
				}
				if !ok {
					return c.errf(cpath+"/inline/config/communities", "bad community %v", v)
				}
				ca.Communities = append(ca.Communities, cv)
			}
		}
		out.Community = ca
	}
	return nil
}

// checkCallLoops rejects call-policy cycles: the simulator would recurse forever.
func (c *devCompiler) checkCallLoops() error {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var visit func(name string, stack []string) error
	visit = func(name string, stack []string) error {
		switch state[name] {
		case active:
			return c.errf(c.dev.Policies[name].Path, "call-policy loop: %s", strings.Join(append(stack, name), " → "))
		case done:
			return nil
		}
		state[name] = active
		for _, st := range c.dev.Policies[name].Statements {
			if st.Conditions.CallPolicy != "" {
				if err := visit(st.Conditions.CallPolicy, append(stack, name)); err != nil {
					return err
				}
			}
		}
		state[name] = done
		return nil
	}
	for _, name := range sortedKeys(c.dev.Policies) {
		if err := visit(name, nil); err != nil {
			return err
		}
	}
	return nil
}
