package netgen

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/internal/emulate/frr"
)

// FRR rendering, written from the description (not through frr.Render,
// compile or models/network), with the FRR settings and vendor choices of
// internal/emulate/frr:
//   - one route-map per neighbor and direction: the neighbor's policies (or,
//     when it sets none, its peer-group's), statement by statement; a
//     statement without a result is `on-match next`; the chain ends with the
//     default policy (or the implicit one: iBGP accept, eBGP reject, RFC 8212);
//   - INVERT conditions are skip entries (`on-match goto` past the statement);
//   - install-protocol-eq: redistributed routes carry a tag per source
//     (static 2, connected 3, IS-IS 4, aggregate 5);
//   - bgp-conditions route-type: import route-maps are per neighbor, so the
//     condition is known there (an iBGP neighbor's routes are INTERNAL);
//     on export, routes learned over eBGP carry tag 6 (set by every eBGP
//     neighbor's import route-map), so EXTERNAL is `match tag 6` and
//     INTERNAL is "no tag" (skip entries for every tag in use);
//   - set-next-hop SELF is `set ip next-hop peer-address` on export.

var frrProtoTag = map[string]int{"STATIC": 2, "DIRECTLY_CONNECTED": 3, "ISIS": 4, "LOCAL_AGGREGATE": 5}

const ebgpTag = 6

// FRROptions steer RenderFRR.
type FRROptions struct {
	// Announcing says whether an anycast announcer ("service@site")
	// announces (the simulated health check decides; FRR cannot run it);
	// nil or a missing key means it does.
	Announcing map[string]bool
}

// RenderFRR renders t as FRR 8.4 configuration for the lab (internal/emulate).
func RenderFRR(t *Topology, o FRROptions) (*frr.Config, error) {
	cfg := &frr.Config{}
	for _, r := range t.Routers {
		fr, err := renderFRRRouter(r)
		if err != nil {
			return nil, err
		}
		cfg.Routers = append(cfg.Routers, *fr)
	}
	type ext struct {
		name, router string
		addr         netip.Addr
		asn          uint32
		ann          []netip.Prefix
		on           bool
	}
	var exts []ext
	for _, x := range t.Transits {
		exts = append(exts, ext{x.Name, x.Router, x.Addr, x.ASN, x.Announces, true})
	}
	for _, a := range t.Anycast {
		for _, s := range a.Sites {
			name := a.Service + "@" + s.Site
			on := true
			if v, ok := o.Announcing[name]; ok {
				on = v
			}
			exts = append(exts, ext{name, s.Router, s.Addr, s.ASN, []netip.Prefix{a.Prefix}, on})
		}
	}
	passwords := map[string]string{}
	for _, x := range exts {
		r := t.Router(x.router)
		if r == nil {
			return nil, fmt.Errorf("netgen: external speaker %s on unknown router %s", x.name, x.router)
		}
		sp := &frr.Speaker{Name: x.name, Device: r.Name, ASN: x.asn, Announces: x.ann, Announce: x.on}
		for _, i := range r.Interfaces {
			if !i.Loopback && i.Addr.Bits() < 32 && i.Addr.Masked().Contains(x.addr) {
				sp.Iface, sp.Addr, sp.PeerAddr = i.Name, netip.PrefixFrom(x.addr, i.Addr.Bits()), i.Addr.Addr()
			}
		}
		if sp.Iface == "" {
			return nil, fmt.Errorf("netgen: %s: external speaker %s (%s) is on no subnet of the router", r.Name, x.name, x.addr)
		}
		sp.PeerAS = r.BGP.AS
		password := ""
		for _, nb := range r.BGP.Neighbors {
			if nb.Addr == x.addr {
				if nb.LocalAS != 0 {
					sp.PeerAS = nb.LocalAS
				}
				password = nb.Password // the outside end is configured to match
			}
		}
		passwords[sp.Name] = password
		sp.Files = map[string]string{"bgpd": speakerConf(sp, password), "zebra": "hostname " + host(sp.Name) + "\n!\n"}
		cfg.Speakers = append(cfg.Speakers, *sp)
	}
	cfg.StageWithdrawals(func(s *frr.Speaker) string { return speakerConf(s, passwords[s.Name]) })
	return cfg, nil
}

var hostRe = regexp.MustCompile(`[^A-Za-z0-9._-]`)

func host(s string) string { return hostRe.ReplaceAllString(s, "_") }

// speakerConf: an external speaker announces its prefixes and only what it
// originates (an empty AS path before its own AS), as a transit or an
// announcer would.
func speakerConf(s *frr.Speaker, password string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname %s\n!\n", host(s.Name))
	b.WriteString("bgp as-path access-list LOCAL seq 5 permit ^$\n!\nroute-map ONLY-OWN permit 10\n match as-path LOCAL\n!\n")
	fmt.Fprintf(&b, "router bgp %d\n bgp router-id %s\n no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast\n", s.ASN, s.Addr.Addr())
	fmt.Fprintf(&b, " neighbor %s remote-as %d\n neighbor %s timers 3 9\n neighbor %s timers connect 2\n", s.PeerAddr, s.PeerAS, s.PeerAddr, s.PeerAddr)
	if password != "" {
		fmt.Fprintf(&b, " neighbor %s password %s\n", s.PeerAddr, password)
	}
	b.WriteString(" !\n address-family ipv4 unicast\n")
	if s.Announce {
		for _, p := range s.Announces {
			fmt.Fprintf(&b, "  network %s\n", p.Masked())
		}
	}
	fmt.Fprintf(&b, "  neighbor %s activate\n  neighbor %s advertisement-interval 0\n  neighbor %s route-map ONLY-OWN out\n", s.PeerAddr, s.PeerAddr, s.PeerAddr)
	b.WriteString(" exit-address-family\n!\n")
	return b.String()
}

func linuxName(i int, name string, used map[string]bool) string {
	s := strings.NewReplacer("/", "_", ":", "_").Replace(name)
	if len(s) > 15 || used[s] {
		s = fmt.Sprintf("if%d", i)
	}
	used[s] = true
	return s
}

func renderFRRRouter(r *Router) (*frr.Router, error) {
	fr := &frr.Router{Name: r.Name, Files: map[string]string{}, IfMap: map[string]string{}}
	used := map[string]bool{"lo": true}
	for k, i := range r.Interfaces {
		ln := "lo"
		if !i.Loopback {
			ln = linuxName(k, i.Name, used)
		}
		fr.IfMap[i.Name] = ln
		fr.Ifaces = append(fr.Ifaces, frr.Iface{OC: i.Name, Linux: ln, Addresses: []netip.Prefix{i.Addr}, Enabled: i.Enabled, Loopback: i.Loopback, MTU: i.MTU})
	}
	hdr := fmt.Sprintf("hostname %s\n!\n", host(r.Name))
	fr.Files["zebra"] = hdr
	if len(r.Statics) > 0 {
		var b strings.Builder
		b.WriteString(hdr)
		for _, s := range r.Statics {
			dist := ""
			if s.Distance > 1 {
				dist = fmt.Sprintf(" %d", s.Distance)
			}
			if s.Discard {
				fmt.Fprintf(&b, "ip route %s blackhole%s\n", s.Prefix, dist)
			} else {
				fmt.Fprintf(&b, "ip route %s %s%s\n", s.Prefix, s.NextHop, dist)
			}
		}
		b.WriteString("!\n")
		fr.Files["staticd"] = b.String()
	}
	if r.ISIS != nil {
		fr.Files["isisd"] = hdr + isisConf(r, fr.IfMap)
	}
	if r.BGP != nil {
		s, err := bgpConf(r, &fr.Deferred)
		if err != nil {
			return nil, err
		}
		fr.Files["bgpd"] = hdr + s
	}
	return fr, nil
}

var isType = map[Level]string{Level1: "level-1", Level2: "level-2-only", Level12: "level-1-2"}

func isisConf(r *Router, ifmap map[string]string) string {
	is := r.ISIS
	var b strings.Builder
	// Timers before net/is-type: is-type schedules an LSP regeneration with
	// the then-current interval.
	b.WriteString("router isis CORE\n lsp-gen-interval 1\n spf-interval 1\n")
	fmt.Fprintf(&b, " net %s.%s.00\n is-type %s\n metric-style wide\n", is.Area, is.SystemID, isType[is.Levels])
	if is.Overload {
		b.WriteString(" set-overload-bit\n")
	}
	b.WriteString("!\n")
	loDone := false
	for _, i := range r.Interfaces {
		ii := i.ISIS
		if ii == nil {
			continue
		}
		name := ifmap[i.Name]
		if i.Loopback {
			if loDone {
				continue // every loopback address lives on "lo"
			}
			loDone = true
		}
		lv := ii.Levels
		if lv == 0 {
			lv = is.Levels
		}
		lv &= is.Levels
		if lv == 0 {
			continue
		}
		fmt.Fprintf(&b, "interface %s\n ip router isis CORE\n", name)
		if ii.PointToPoint || i.Loopback {
			b.WriteString(" isis network point-to-point\n")
		}
		fmt.Fprintf(&b, " isis circuit-type %s\n", isType[lv])
		m := ii.Metric
		if m == 0 {
			m = 10
		}
		fmt.Fprintf(&b, " isis metric level-1 %d\n isis metric level-2 %d\n", m, m)
		if ii.Passive {
			b.WriteString(" isis passive\n")
		}
		if ii.HelloAuth != "" {
			fmt.Fprintf(&b, " isis password clear %s\n", ii.HelloAuth)
		}
		b.WriteString(" isis hello-interval 1\n isis hello-multiplier 10\n!\n")
	}
	return b.String()
}

// effective is a neighbor with what it inherits from its peer-group.
type effective struct {
	Neighbor
	ibgp                 bool
	imp, exp             []string
	defImp, defExp       Result
	rrClient             bool
	localAddr            netip.Addr
	importSet, exportSet bool
}

func resolve(g *BGP, nb Neighbor) effective {
	e := effective{Neighbor: nb, imp: nb.Import, exp: nb.Export, defImp: nb.DefImport, defExp: nb.DefExport,
		rrClient: nb.RRClient, localAddr: nb.LocalAddr}
	for _, pg := range g.Groups {
		if pg.Name != nb.Group {
			continue
		}
		if e.PeerAS == 0 {
			e.PeerAS = pg.PeerAS
		}
		if len(e.imp) == 0 {
			e.imp = pg.Import
		}
		if len(e.exp) == 0 {
			e.exp = pg.Export
		}
		if e.defImp == ResultNone {
			e.defImp = pg.DefImport
		}
		if e.defExp == ResultNone {
			e.defExp = pg.DefExport
		}
		e.rrClient = e.rrClient || pg.RRClient
		if !e.localAddr.IsValid() {
			e.localAddr = pg.LocalAddr
		}
	}
	local := g.AS
	if e.LocalAS != 0 {
		local = e.LocalAS
	}
	e.ibgp = e.PeerAS == local
	return e
}

type frrBGP struct {
	r    *Router
	defs strings.Builder
	maps strings.Builder
	done map[string]bool
	tags []int // redistribution tags in use, and the eBGP tag
	// deferred: lines the lab enters after convergence (frr.Router.Deferred).
	deferred []string
}

func bgpConf(r *Router, deferred *[]string) (string, error) {
	g := r.BGP
	c := &frrBGP{r: r, done: map[string]bool{}}
	for _, tc := range r.Redistribute {
		c.tags = append(c.tags, frrProtoTag[tc.From])
	}
	c.tags = append(c.tags, ebgpTag)
	sort.Ints(c.tags)
	var body, af strings.Builder
	fmt.Fprintf(&body, "router bgp %d\n bgp router-id %s\n", g.AS, g.RouterID)
	for _, pg := range g.Groups {
		if pg.ClusterID.IsValid() {
			// FRR has one cluster ID per instance, as the simulator (one per device).
			fmt.Fprintf(&body, " bgp cluster-id %s\n", pg.ClusterID)
			break
		}
	}
	body.WriteString(" no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast\n")
	body.WriteString(" bgp bestpath compare-routerid\n bgp deterministic-med\n")
	if mp := g.Multipath; mp != nil && mp.AllowMultipleAS {
		body.WriteString(" bgp bestpath as-path multipath-relax\n")
	}
	var effs []effective
	for _, nb := range g.Neighbors {
		effs = append(effs, resolve(g, nb))
	}
	for _, e := range effs {
		if e.rrClient {
			// OpenConfig (and the simulator) apply export policies to reflected routes.
			body.WriteString(" bgp route-reflector allow-outbound-policy\n")
			break
		}
	}
	if mp := g.Multipath; mp != nil {
		if mp.EBGP > 0 {
			fmt.Fprintf(&af, "  maximum-paths %d\n", mp.EBGP)
		} else {
			af.WriteString("  maximum-paths 1\n")
		}
		if mp.IBGP > 0 {
			fmt.Fprintf(&af, "  maximum-paths ibgp %d\n", mp.IBGP)
		} else {
			af.WriteString("  maximum-paths ibgp 1\n")
		}
	} else {
		af.WriteString("  maximum-paths 1\n  maximum-paths ibgp 1\n")
	}
	for _, e := range effs {
		a := e.Addr
		if e.PeerAS == 0 {
			return "", fmt.Errorf("netgen: %s: neighbor %s has no peer AS", r.Name, a)
		}
		fmt.Fprintf(&body, " neighbor %s remote-as %d\n", a, e.PeerAS)
		if e.LocalAS != 0 && e.LocalAS != g.AS {
			// FRR's default (no no-prepend/replace-as), as OpenConfig's local-as is modelled.
			fmt.Fprintf(&body, " neighbor %s local-as %d\n", a, e.LocalAS)
		}
		if e.localAddr.IsValid() {
			fmt.Fprintf(&body, " neighbor %s update-source %s\n", a, e.localAddr)
		}
		if e.Password != "" {
			fmt.Fprintf(&body, " neighbor %s password %s\n", a, e.Password)
		}
		fmt.Fprintf(&body, " neighbor %s timers 3 9\n neighbor %s timers connect 2\n", a, a)
		fmt.Fprintf(&af, "  neighbor %s activate\n  neighbor %s advertisement-interval 0\n", a, a)
		if e.rrClient {
			fmt.Fprintf(&af, "  neighbor %s route-reflector-client\n", a)
		}
		if e.MaxPrefix > 0 {
			// OpenConfig's max-prefixes counts what the peer sends, before
			// import policy (docs/modelled.md): FRR's force, which needs the
			// Adj-RIB-In that soft-reconfiguration inbound keeps. The limit
			// itself is entered once the lab has converged
			// (frr.Router.Deferred: FRR 8.4 does not fire it from start-up).
			fmt.Fprintf(&af, "  neighbor %s soft-reconfiguration inbound\n", a)
			c.deferred = append(c.deferred, fmt.Sprintf("neighbor %s maximum-prefix %d force", a, e.MaxPrefix))
		}
		implicit := ResultReject
		if e.ibgp {
			implicit = ResultAccept
		}
		for _, dir := range []struct {
			name string
			pols []string
			def  Result
			in   bool
		}{{"in", e.imp, e.defImp, true}, {"out", e.exp, e.defExp, false}} {
			def := dir.def
			if def == ResultNone {
				def = implicit
			}
			markEBGP := dir.in && !e.ibgp
			if len(dir.pols) == 0 && def == ResultAccept && !markEBGP {
				continue
			}
			name := fmt.Sprintf("%s-%s", strings.ToUpper(dir.name), a)
			if err := c.routeMap(name, dir.pols, def, ctx{in: dir.in, ibgpPeer: e.ibgp, markEBGP: markEBGP}); err != nil {
				return "", err
			}
			fmt.Fprintf(&af, "  neighbor %s route-map %s %s\n", a, name, dir.name)
		}
	}
	for _, tc := range r.Redistribute {
		name := "TC-" + tc.From
		def := tc.DefImport
		if def == ResultNone {
			def = ResultAccept
		}
		if err := c.routeMap(name, tc.Import, def, ctx{redist: tc.From}); err != nil {
			return "", err
		}
		switch tc.From {
		case "LOCAL_AGGREGATE":
			for _, p := range r.Aggregates {
				fmt.Fprintf(&af, "  aggregate-address %s origin incomplete route-map %s\n", p, name)
			}
		default:
			fmt.Fprintf(&af, "  redistribute %s route-map %s\n",
				map[string]string{"STATIC": "static", "DIRECTLY_CONNECTED": "connected", "ISIS": "isis"}[tc.From], name)
		}
	}
	body.WriteString(" !\n address-family ipv4 unicast\n")
	body.WriteString(af.String())
	body.WriteString(" exit-address-family\n!\n")
	if len(c.deferred) > 0 {
		*deferred = append([]string{fmt.Sprintf("router bgp %d", g.AS), "address-family ipv4 unicast"}, c.deferred...)
	}
	return c.defs.String() + c.maps.String() + body.String(), nil
}

type ctx struct {
	in       bool   // an import route-map
	ibgpPeer bool   // of an iBGP neighbor
	markEBGP bool   // tag what is learned (route-type EXTERNAL on export)
	redist   string // a redistribution route-map of this source
}

type entry struct {
	deny          bool
	matches, sets []string
	next, skip    bool
}

func (c *frrBGP) routeMap(name string, pols []string, def Result, x ctx) error {
	var ents []entry
	if x.redist != "" {
		// The simulator gives redistributed routes MED 0; FRR would copy the IGP metric.
		e := entry{sets: []string{fmt.Sprintf("set tag %d", frrProtoTag[x.redist])}, next: true}
		if x.redist != "LOCAL_AGGREGATE" {
			e.sets = append(e.sets, "set metric 0")
		}
		ents = append(ents, e)
	}
	if x.markEBGP {
		ents = append(ents, entry{sets: []string{fmt.Sprintf("set tag %d", ebgpTag)}, next: true})
	}
	gotos := map[int]int{}
	for _, pn := range pols {
		p := c.r.Policy(pn)
		if p == nil {
			return fmt.Errorf("netgen: %s: policy %s is not defined", c.r.Name, pn)
		}
		for _, st := range p.Statements {
			pos, neg, never, err := c.conditions(p.Name, st, x)
			if err != nil {
				return err
			}
			if never {
				continue
			}
			sets, err := c.actions(p.Name, st, x)
			if err != nil {
				return err
			}
			var skips []int
			for _, m := range neg {
				skips = append(skips, len(ents))
				ents = append(ents, entry{matches: []string{m}, skip: true})
			}
			main := entry{matches: pos}
			switch st.Result {
			case ResultReject:
				main.deny = true
			case ResultAccept:
				main.sets = sets
			default:
				main.sets, main.next = sets, true
			}
			for _, s := range skips {
				gotos[s] = len(ents)
			}
			ents = append(ents, main)
		}
	}
	ents = append(ents, entry{deny: def != ResultAccept})
	seq := func(i int) int { return 10 * (i + 1) }
	for i, e := range ents {
		typ := "permit"
		if e.deny {
			typ = "deny"
		}
		fmt.Fprintf(&c.maps, "route-map %s %s %d\n", name, typ, seq(i))
		for _, m := range e.matches {
			fmt.Fprintf(&c.maps, " %s\n", m)
		}
		for _, s := range e.sets {
			fmt.Fprintf(&c.maps, " %s\n", s)
		}
		if e.next {
			c.maps.WriteString(" on-match next\n")
		}
		if e.skip {
			fmt.Fprintf(&c.maps, " on-match goto %d\n", seq(gotos[i]+1))
		}
	}
	c.maps.WriteString("!\n")
	return nil
}

func (c *frrBGP) conditions(pol string, st Statement, x ctx) (pos, neg []string, never bool, err error) {
	where := fmt.Sprintf("%s: policy %s statement %s", c.r.Name, pol, st.Name)
	if st.PrefixSet != "" {
		name, err := c.prefixList(st.PrefixSet)
		if err != nil {
			return nil, nil, false, fmt.Errorf("%s: %w", where, err)
		}
		m := "match ip address prefix-list " + name
		if st.PrefixMode == MatchInvert {
			neg = append(neg, m)
		} else {
			pos = append(pos, m)
		}
	}
	if st.CommunitySet != "" {
		name, err := c.communityList(st.CommunitySet, st.CommunityMode == MatchAll)
		if err != nil {
			return nil, nil, false, fmt.Errorf("%s: %w", where, err)
		}
		m := "match community " + name
		if st.CommunityMode == MatchInvert {
			neg = append(neg, m)
		} else {
			pos = append(pos, m)
		}
	}
	if st.ASPathSet != "" {
		name, err := c.asPathList(st.ASPathSet)
		if err != nil {
			return nil, nil, false, fmt.Errorf("%s: %w", where, err)
		}
		m := "match as-path " + name
		if st.ASPathMode == MatchInvert {
			neg = append(neg, m)
		} else {
			pos = append(pos, m)
		}
	}
	// What a route is (learned over BGP, redistributed from a protocol,
	// iBGP- or eBGP-learned) is fixed in import and redistribution maps,
	// and carried by tags on export.
	if st.Protocol != "" {
		switch {
		case x.redist != "":
			if st.Protocol != x.redist {
				return nil, nil, true, nil
			}
		case x.in:
			if st.Protocol != "BGP" {
				return nil, nil, true, nil
			}
		case st.Protocol == "BGP":
			for _, t := range c.tags {
				if t != ebgpTag {
					neg = append(neg, fmt.Sprintf("match tag %d", t))
				}
			}
		default:
			pos = append(pos, fmt.Sprintf("match tag %d", frrProtoTag[st.Protocol]))
		}
	}
	if st.RouteType != "" {
		external := st.RouteType == "EXTERNAL"
		switch {
		case x.redist != "":
			return nil, nil, true, nil // a redistributed route is not BGP-learned
		case x.in:
			if external == x.ibgpPeer {
				return nil, nil, true, nil
			}
		case external:
			pos = append(pos, fmt.Sprintf("match tag %d", ebgpTag))
		default:
			for _, t := range c.tags {
				neg = append(neg, fmt.Sprintf("match tag %d", t))
			}
		}
	}
	return pos, neg, false, nil
}

func (c *frrBGP) actions(pol string, st Statement, x ctx) ([]string, error) {
	where := fmt.Sprintf("%s: policy %s statement %s", c.r.Name, pol, st.Name)
	var sets []string
	if st.LocalPref != nil {
		sets = append(sets, fmt.Sprintf("set local-preference %d", *st.LocalPref))
	}
	if st.MED != nil {
		sets = append(sets, fmt.Sprintf("set metric %d", *st.MED))
	}
	if st.Origin != "" {
		sets = append(sets, "set origin "+map[string]string{"IGP": "igp", "EGP": "egp", "INCOMPLETE": "incomplete"}[st.Origin])
	}
	if p := st.Prepend; p != nil {
		asn := p.ASN
		if asn == 0 {
			asn = c.r.BGP.AS
		}
		s := "set as-path prepend"
		for i := 0; i < max(1, int(p.Repeat)); i++ {
			s += " " + strconv.FormatUint(uint64(asn), 10)
		}
		sets = append(sets, s)
	}
	if ca := st.Community; ca != nil {
		vals := append([]string(nil), ca.Values...)
		var regex []string
		if ca.SetRef != "" {
			cs := c.communitySet(ca.SetRef)
			if cs == nil {
				return nil, fmt.Errorf("%s: community-set %s is not defined", where, ca.SetRef)
			}
			for _, m := range cs.Members {
				if isRegex(m) {
					regex = append(regex, m)
				} else {
					vals = append(vals, m)
				}
			}
		}
		switch ca.Method {
		case CommunityAdd, CommunityReplace:
			if len(regex) > 0 {
				return nil, fmt.Errorf("%s: cannot set regex communities", where)
			}
			s := "set community " + strings.Join(vals, " ")
			if ca.Method == CommunityAdd {
				s += " additive"
			}
			sets = append(sets, s)
		case CommunityRemove:
			name := "CD-" + host(pol+"-"+st.Name)
			if !c.done[name] {
				c.done[name] = true
				n := 0
				for _, v := range vals {
					n++
					fmt.Fprintf(&c.defs, "bgp community-list expanded %s seq %d permit %s\n", name, 5*n, commBoundary(regexp.QuoteMeta(v)))
				}
				for _, v := range regex {
					n++
					fmt.Fprintf(&c.defs, "bgp community-list expanded %s seq %d permit %s\n", name, 5*n, commBoundary(posixComm(v)))
				}
			}
			sets = append(sets, fmt.Sprintf("set comm-list %s delete", name))
		}
	}
	switch {
	case st.NextHopSelf && (x.in || x.redist != ""):
		return nil, fmt.Errorf("%s: set-next-hop SELF outside an export policy", where)
	case st.NextHopSelf:
		sets = append(sets, "set ip next-hop peer-address")
	case st.NextHop.IsValid():
		sets = append(sets, "set ip next-hop "+st.NextHop.String())
	}
	return sets, nil
}

func isRegex(m string) bool { return strings.ContainsAny(m, ".*+?[]()^$|") }

// commBoundary anchors a regex on one community of FRR's space-separated list.
func commBoundary(x string) string { return "(^| )(" + x + ")( |$)" }

// posixComm turns a community-set regex member into an FRR expanded regex
// whose '.' cannot cross into the next community.
func posixComm(m string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(m, "^"), "$"), ".", "[0-9]")
}

func (c *frrBGP) communitySet(name string) *CommunitySet {
	for i := range c.r.CommunitySets {
		if c.r.CommunitySets[i].Name == name {
			return &c.r.CommunitySets[i]
		}
	}
	return nil
}

func (c *frrBGP) prefixList(set string) (string, error) {
	var ps *PrefixSet
	for i := range c.r.PrefixSets {
		if c.r.PrefixSets[i].Name == set {
			ps = &c.r.PrefixSets[i]
		}
	}
	if ps == nil {
		return "", fmt.Errorf("prefix-set %s is not defined", set)
	}
	name := "PS-" + host(set)
	if c.done[name] {
		return name, nil
	}
	c.done[name] = true
	for i, e := range ps.Entries {
		s := fmt.Sprintf("ip prefix-list %s seq %d permit %s", name, 5*(i+1), e.Prefix.Masked())
		if e.Min > e.Prefix.Bits() {
			s += fmt.Sprintf(" ge %d", e.Min)
		}
		if e.Max > e.Prefix.Bits() {
			s += fmt.Sprintf(" le %d", e.Max)
		}
		c.defs.WriteString(s + "\n")
	}
	if len(ps.Entries) == 0 {
		fmt.Fprintf(&c.defs, "ip prefix-list %s seq 5 deny any\n", name)
	}
	return name, nil
}

func (c *frrBGP) communityList(set string, all bool) (string, error) {
	cs := c.communitySet(set)
	if cs == nil {
		return "", fmt.Errorf("community-set %s is not defined", set)
	}
	name := "CS-" + host(set)
	if all {
		name = "CSALL-" + host(set)
	}
	if c.done[name] {
		return name, nil
	}
	c.done[name] = true
	if all && len(cs.Members) > 1 {
		for _, m := range cs.Members {
			if isRegex(m) {
				return "", fmt.Errorf("community-set %s: ALL with a regex member", set)
			}
		}
		// a standard list entry with several values matches routes carrying all of them
		fmt.Fprintf(&c.defs, "bgp community-list standard %s seq 5 permit %s\n", name, strings.Join(cs.Members, " "))
		return name, nil
	}
	for i, m := range cs.Members {
		re := commBoundary(regexp.QuoteMeta(m))
		if isRegex(m) {
			re = commBoundary(posixComm(m))
		}
		fmt.Fprintf(&c.defs, "bgp community-list expanded %s seq %d permit %s\n", name, 5*(i+1), re)
	}
	return name, nil
}

func (c *frrBGP) asPathList(set string) (string, error) {
	var as *ASPathSet
	for i := range c.r.ASPathSets {
		if c.r.ASPathSets[i].Name == set {
			as = &c.r.ASPathSets[i]
		}
	}
	if as == nil {
		return "", fmt.Errorf("as-path-set %s is not defined", set)
	}
	name := "AP-" + host(set)
	if c.done[name] {
		return name, nil
	}
	c.done[name] = true
	for i, m := range as.Members {
		// FRR's as-path regexes use the same '_' boundary as the Cisco style.
		fmt.Fprintf(&c.defs, "bgp as-path access-list %s seq %d permit %s\n", name, 5*(i+1), m)
	}
	return name, nil
}
