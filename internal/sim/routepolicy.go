package sim

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/models/network"
)

// policyCtx is what a routing policy sees besides the path.
type policyCtx struct {
	dev     *network.Device
	prefix  netip.Prefix
	unknown *unknownSink                               // where statements the simulator cannot interpret are recorded
	sets    map[*network.PrefixSet]*network.RangeIndex // indexes of the large prefix-sets
	// set by actions
	nhSelf bool
	nhAddr netip.Addr
	medSet bool
	depth  int
}

// applyChain runs an import/export chain on p (mutating it) and says whether
// the route is accepted. OpenConfig semantics: statements in order; a
// statement whose conditions hold applies its actions; accept/reject ends the
// whole chain; a policy that ends without a result falls through to the next
// policy, and the chain's default applies when none decides.
func applyChain(ctx *policyCtx, chain network.PolicyChain, implicit network.Result, p *Path) bool {
	for _, name := range chain.Policies {
		switch evalPolicy(ctx, name, p) {
		case network.ResultAccept:
			return true
		case network.ResultReject:
			return false
		}
	}
	def := implicit
	if chain.DefaultSet {
		def = chain.Default
	}
	return def == network.ResultAccept
}

func evalPolicy(ctx *policyCtx, name string, p *Path) network.Result {
	pol := ctx.dev.Policies[name]
	if pol == nil || ctx.depth > 16 {
		// compile rejects dangling references; a call cycle ends as reject.
		return network.ResultReject
	}
	for i := range pol.Statements {
		st := &pol.Statements[i]
		if !matches(ctx, &st.Conditions, p) {
			continue
		}
		if len(st.Unknown) > 0 {
			// The route reaches a statement with a condition or action the
			// simulator does not understand: what the router does with it is
			// unknown. Record it (the policy stage refuses to judge this
			// prefix) and go on as if the statement did not match, so the
			// rest of the network can still be simulated.
			ctx.unknown.add(ctx.prefix, ctx.dev, pol, st)
			continue
		}
		applyActions(ctx, &st.Actions, p)
		if st.Actions.Result != network.ResultNone {
			return st.Actions.Result
		}
	}
	return network.ResultNone
}

func matches(ctx *policyCtx, c *network.Conditions, p *Path) bool {
	d := ctx.dev
	if c.PrefixSet != "" {
		ps := d.PrefixSets[c.PrefixSet]
		m := ps != nil && ctx.prefixSetMatches(ps) || mutant == "prefix-set-ignored"
		if c.PrefixSetMode == network.MatchInvert {
			m = !m
		}
		if !m {
			return false
		}
	}
	if c.CommunitySet != "" && !matchCommunities(d.CommunitySets[c.CommunitySet], c.CommunityMode, p.Communities) {
		return false
	}
	if c.ASPathSet != "" && !matchASPath(d.ASPathSets[c.ASPathSet], c.ASPathMode, p.ASPath) {
		return false
	}
	if c.InstallProtocol != network.ProtoNone && c.InstallProtocol != p.Source {
		return false
	}
	switch c.RouteType {
	case network.RouteInternal:
		if p.Local || p.EBGP {
			return false
		}
	case network.RouteExternal:
		if p.Local || !p.EBGP {
			return false
		}
	}
	if c.OriginEq != network.OriginUnset && Origin(c.OriginEq-1) != p.Origin {
		return false
	}
	if c.MEDEq != nil && (!p.HasMED || p.MED != *c.MEDEq) {
		return false
	}
	if c.LocalPrefEq != nil && p.LocalPref != *c.LocalPrefEq {
		return false
	}
	if c.CallPolicy != "" {
		// A called policy is a subroutine: its actions apply, and the condition
		// holds when it accepts.
		ctx.depth++
		r := evalPolicy(ctx, c.CallPolicy, p)
		ctx.depth--
		if r != network.ResultAccept {
			return false
		}
	}
	return true
}

// prefixSetMatches is ps.Matches(ctx.prefix), through the set's index when
// it has one.
func (ctx *policyCtx) prefixSetMatches(ps *network.PrefixSet) bool {
	if x := ctx.sets[ps]; x != nil {
		return x.Any(ctx.prefix)
	}
	return ps.Matches(ctx.prefix)
}

func matchCommunity(m network.CommunityMatcher, c network.Community) bool {
	if m.Regex != nil {
		return m.Regex.MatchString(communityString(c))
	}
	return m.Value == c
}

func matchCommunities(set *network.CommunitySet, mode network.MatchMode, have []network.Community) bool {
	if set == nil {
		return false
	}
	switch mode {
	case network.MatchAll:
		for _, m := range set.Members {
			if !slices.ContainsFunc(have, func(c network.Community) bool { return matchCommunity(m, c) }) {
				return false
			}
		}
		return len(set.Members) > 0
	default:
		any := false
		for _, m := range set.Members {
			if slices.ContainsFunc(have, func(c network.Community) bool { return matchCommunity(m, c) }) {
				any = true
				break
			}
		}
		if mode == network.MatchInvert {
			return !any
		}
		return any
	}
}

func asPathString(path []uint32) string {
	var b strings.Builder
	for i, a := range path {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(uint64(a), 10))
	}
	return b.String()
}

func matchASPath(set *network.ASPathSet, mode network.MatchMode, path []uint32) bool {
	if set == nil {
		return false
	}
	s := asPathString(path)
	n := 0
	for _, re := range set.Members {
		if re.MatchString(s) {
			n++
		}
	}
	switch mode {
	case network.MatchAll:
		return n == len(set.Members) && n > 0
	case network.MatchInvert:
		return n == 0
	}
	return n > 0
}

func applyActions(ctx *policyCtx, a *network.Actions, p *Path) {
	if a.SetOrigin != network.OriginUnset {
		p.Origin = Origin(a.SetOrigin - 1)
	}
	if a.SetLocalPref != nil {
		p.LocalPref = *a.SetLocalPref
	}
	if a.SetMED != nil {
		p.MED, p.HasMED, ctx.medSet = *a.SetMED, true, true
	}
	if a.Community != nil {
		p.Communities = setCommunities(ctx.dev, a.Community, p.Communities)
	}
	if a.Prepend != nil {
		asn := a.Prepend.ASN
		if asn == 0 && ctx.dev.BGP != nil {
			asn = ctx.dev.BGP.AS
		}
		n := int(a.Prepend.Repeat)
		if n < 1 {
			n = 1
		}
		pre := make([]uint32, 0, n+len(p.ASPath))
		for i := 0; i < n; i++ {
			pre = append(pre, asn)
		}
		p.ASPath = append(pre, p.ASPath...)
	}
	if a.NextHop != nil {
		if a.NextHop.Self {
			if mutant != "next-hop-self-ignored" {
				ctx.nhSelf, ctx.nhAddr = true, netip.Addr{}
			}
		} else {
			ctx.nhSelf, ctx.nhAddr = false, a.NextHop.Addr
		}
	}
}

func setCommunities(d *network.Device, a *network.CommunityAction, have []network.Community) []network.Community {
	var vals []network.Community
	var matchers []network.CommunityMatcher
	vals = append(vals, a.Communities...)
	if a.SetRef != "" {
		if cs := d.CommunitySets[a.SetRef]; cs != nil {
			for _, m := range cs.Members {
				if m.Regex == nil {
					vals = append(vals, m.Value)
				}
				matchers = append(matchers, m)
			}
		}
	}
	var out []network.Community
	switch a.Method {
	case network.CommunityReplace:
		out = append(out, vals...)
	case network.CommunityAdd:
		out = append(append(out, have...), vals...)
	case network.CommunityRemove:
		for _, c := range have {
			drop := slices.Contains(vals, c)
			for _, m := range matchers {
				if matchCommunity(m, c) {
					drop = true
				}
			}
			if !drop {
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func communityString(c network.Community) string {
	return strconv.Itoa(int(c>>16)) + ":" + strconv.Itoa(int(c&0xffff))
}
