// Package frr renders a compiled network (models/network) as FRRouting 8.4
// configuration: one zebra/staticd/isisd/bgpd config set per router, plus the
// small bgpd instances that stand in for external peers and anycast
// announcers. Whatever it cannot render with the simulator's semantics is
// refused with an error naming the device and the feature (never approximated).
//
// Semantics chosen (see docs/accuracy.md):
//   - An OpenConfig apply-policy chain (policies in order, then the default
//     policy) becomes ONE route-map per neighbor and direction: every statement
//     is an entry in order; a statement without a result is a permit entry with
//     `on-match next`; ACCEPT is a permit entry, REJECT a deny entry; the chain
//     ends with an explicit entry without match clauses carrying the default
//     (or the implicit default: iBGP accept, eBGP reject as RFC 8212).
//   - INVERT match-set options (and install-protocol-eq BGP) are rendered as
//     "skip" entries before the statement (`permit` + match + `on-match goto`
//     past the statement), since FRR route-maps cannot negate a match.
//   - install-protocol-eq: redistributed routes get a tag per source protocol in
//     the redistribution route-map (static 2, connected 3, isis 4, aggregate 5);
//     a neighbor route-map matches the tag. Routes learned over BGP have no tag.
//   - Redistribution (table-connections) becomes `redistribute <proto>
//     route-map TC-<proto>`; its first entry sets the tag and MED 0 (the
//     simulator gives redistributed routes MED 0; FRR would copy the IS-IS metric).
//   - Local aggregates redistributed into BGP become `aggregate-address P origin
//     incomplete route-map TC-AGG`: FRR activates them only while a more
//     specific BGP route exists; the simulator also counts connected, static and
//     IS-IS contributors (an exception, documented).
//   - set-next-hop SELF on export is `set ip next-hop peer-address`.
package frr

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/models/network"
)

// Tags given to redistributed routes, by source protocol.
var protoTag = map[network.Protocol]int{
	network.ProtoStatic: 2, network.ProtoConnected: 3, network.ProtoISIS: 4, network.ProtoLocalAggregate: 5,
}

// Error is a refusal: the device and feature that cannot be rendered faithfully.
type Error struct {
	Device  string
	Feature string
}

func (e *Error) Error() string {
	return fmt.Sprintf("frr: cannot render %s faithfully on %s", e.Feature, e.Device)
}

// Iface is one L3 (sub)interface of a router as it exists in the lab.
type Iface struct {
	OC        string         // OpenConfig (normalised) name
	Linux     string         // kernel name, <= 15 characters
	Addresses []netip.Prefix // host address with prefix length
	Enabled   bool
	Loopback  bool // addresses go on "lo"
	// MTU of the kernel interface (0: the default). isisd pads hellos to
	// the MTU, so an MTU mismatch takes the adjacency down on FRR too.
	MTU int
}

// Router is one router's rendered configuration.
type Router struct {
	Name   string
	Ifaces []Iface           // sorted by OC name
	Files  map[string]string // daemon -> config text (zebra, staticd, isisd, bgpd)
	IfMap  map[string]string // OC name -> Linux name
	// Deferred is configuration (vtysh config-mode lines, nested as in a
	// file) the lab enters only once the network has converged: the
	// prefix limits. A real router tears a session down whenever the
	// count exceeds its limit; FRR 8.4 checks at UPDATE time but counts an
	// iBGP path only after next-hop tracking resolves it, so from a
	// start-up config the limit never fires (see the max-prefix scenarios).
	// Entered on a converged network, it fires at once, as on a router.
	Deferred []string
}

// Staged says whether cfg has configuration to enter after convergence.
func (c *Config) Staged() bool {
	for _, r := range c.Routers {
		if len(r.Deferred) > 0 {
			return true
		}
	}
	return false
}

// StageWithdrawals makes every withdrawn announcer announce at start-up and
// withdraw in its Deferred lines, for a staged network: the real sequence
// is that the announcers were announcing when the change (a prefix limit)
// landed, and withdrew only because of what it did. A limit counts what
// was received at that moment, so starting the announcers withdrawn would
// hide the prefixes that made the limit fire. Both renderers call it.
func (c *Config) StageWithdrawals(render func(*Speaker) string) {
	if !c.Staged() {
		return
	}
	for i := range c.Speakers {
		sp := &c.Speakers[i]
		if sp.Announce || len(sp.Announces) == 0 {
			continue
		}
		on := *sp
		on.Announce = true
		sp.Files["bgpd"] = render(&on)
		sp.Deferred = []string{fmt.Sprintf("router bgp %d", sp.ASN), "address-family ipv4 unicast"}
		for _, p := range sp.Announces {
			sp.Deferred = append(sp.Deferred, "no network "+p.Masked().String())
		}
	}
}

// Speaker is an external BGP speaker (external peer or anycast announcer).
type Speaker struct {
	Name      string // external peer name or service@site
	Device    string // the inventoried router it peers with
	Iface     string // that router's OC interface whose subnet holds Addr
	Addr      netip.Prefix
	ASN       uint32
	PeerAddr  netip.Addr // the router's address on the subnet
	PeerAS    uint32
	Announces []netip.Prefix
	Announce  bool   // false: a withdrawn anycast announcer (configured, announcing nothing)
	AuthHash  string // the password the speaker signs with (hash; stand-in in the lab)
	Passive   bool   // the speaker waits for our end to connect
	Files     map[string]string
	Deferred  []string // entered after the routers' Deferred (StageWithdrawals)
}

// Config is a whole network rendered.
type Config struct {
	Routers  []Router
	Speakers []Speaker
}

// Options steer rendering.
type Options struct {
	// Announcing says whether an anycast announcer ("service@site") announces;
	// nil or a missing key means it does.
	Announcing map[string]bool
}

// Render renders n, or refuses.
func Render(n *network.Network, o Options) (*Config, error) {
	cfg := &Config{}
	owner := map[netip.Addr]string{}
	for _, d := range n.Devices {
		for _, ifc := range d.Interfaces {
			for _, a := range ifc.Addresses {
				owner[a.Addr()] = d.Name
			}
		}
	}
	for _, d := range n.Devices {
		r, err := renderRouter(n, d)
		if err != nil {
			return nil, err
		}
		cfg.Routers = append(cfg.Routers, *r)
	}
	type ext struct {
		name      string
		dev       network.DeviceID
		addr      netip.Addr
		asn       uint32
		announces []netip.Prefix
		announce  bool
		expect    *network.PeerExpect
	}
	var exts []ext
	for _, p := range n.External {
		name := p.Name
		if name == "" {
			name = fmt.Sprintf("%s/%s", n.Devices[p.Device].Name, p.Neighbor)
		}
		exts = append(exts, ext{name, p.Device, p.Neighbor, p.ASN, p.Announces, true, p.Expect})
	}
	for _, svc := range n.Anycast {
		for _, s := range svc.Sites {
			name := svc.Service + "@" + s.Site
			ann := true
			if v, ok := o.Announcing[name]; ok {
				ann = v
			}
			exts = append(exts, ext{name, s.Device, s.Neighbor, s.ASN, []netip.Prefix{svc.Prefix}, ann, s.Expect})
		}
	}
	usedIface := map[string]string{}
	for _, x := range exts {
		d := n.Devices[x.dev]
		if _, taken := owner[x.addr]; taken {
			return nil, &Error{d.Name, fmt.Sprintf("external speaker %s at %s, an address of an inventoried device", x.name, x.addr)}
		}
		var sp *Speaker
		for _, ifc := range d.Interfaces {
			for _, a := range ifc.Addresses {
				if !ifc.Loopback && a.Addr().Is4() && a.Masked().Contains(x.addr) && a.Bits() < 32 {
					sp = &Speaker{Name: x.name, Device: d.Name, Iface: ifc.Name, Addr: netip.PrefixFrom(x.addr, a.Bits()),
						ASN: x.asn, PeerAddr: a.Addr(), Announces: x.announces, Announce: x.announce}
				}
			}
		}
		if sp == nil {
			return nil, &Error{d.Name, fmt.Sprintf("external speaker %s (%s) not on a connected subnet (multihop external peers)", x.name, x.addr)}
		}
		key := d.Name + "|" + sp.Iface
		if prev, dup := usedIface[key]; dup {
			return nil, &Error{d.Name, fmt.Sprintf("two external speakers (%s, %s) on interface %s (a shared LAN)", prev, x.name, sp.Iface)}
		}
		usedIface[key] = x.name
		for _, nb := range bgpNeighbors(d) {
			if nb.Address == x.addr {
				sp.PeerAS = nb.LocalAS
				sp.AuthHash = nb.AuthHash
			}
		}
		// A speaker pinned to the running network (PinExternalPeers) is
		// configured as the real peer is: with the AS, source address and
		// password that made the running session work, and passive where
		// our end was active; a one-sided change of our end is then refused
		// by FRR as by the real peer.
		if e := x.expect; e != nil {
			sp.PeerAS, sp.AuthHash, sp.Passive = e.AS, e.AuthHash, !e.Passive
			if e.Source.IsValid() {
				sp.PeerAddr = e.Source
			}
		}
		if sp.PeerAS == 0 {
			if d.BGP == nil {
				return nil, &Error{d.Name, "external speaker " + x.name + " towards a device without BGP"}
			}
			sp.PeerAS = d.BGP.AS
		}
		sp.Files = map[string]string{"bgpd": speakerBGP(sp), "zebra": "hostname " + safeHost(sp.Name) + "\n!\n"}
		cfg.Speakers = append(cfg.Speakers, *sp)
	}
	cfg.StageWithdrawals(speakerBGP)
	return cfg, nil
}

func bgpNeighbors(d *network.Device) []network.Neighbor {
	if d.BGP == nil {
		return nil
	}
	return d.BGP.Neighbors
}

var hostRe = regexp.MustCompile(`[^A-Za-z0-9._-]`)

func safeHost(s string) string { return hostRe.ReplaceAllString(s, "_") }

// standInPassword is the lab's BGP password for a key hash (TCP MD5, RFC
// 2385): the model never holds the password itself.
func standInPassword(hash string) string {
	if len(hash) > 20 {
		hash = hash[:20]
	}
	return "k" + hash
}

func speakerBGP(s *Speaker) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname %s\n!\n", safeHost(s.Name))
	b.WriteString("bgp as-path access-list LOCAL seq 5 permit ^$\n!\nroute-map ONLY-OWN permit 10\n match as-path LOCAL\n!\n")
	fmt.Fprintf(&b, "router bgp %d\n bgp router-id %s\n no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast\n", s.ASN, s.Addr.Addr())
	fmt.Fprintf(&b, " neighbor %s remote-as %d\n neighbor %s timers 3 9\n neighbor %s timers connect 2\n", s.PeerAddr, s.PeerAS, s.PeerAddr, s.PeerAddr)
	if s.AuthHash != "" {
		fmt.Fprintf(&b, " neighbor %s password %s\n", s.PeerAddr, standInPassword(s.AuthHash))
	}
	if s.Passive {
		fmt.Fprintf(&b, " neighbor %s passive\n", s.PeerAddr)
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

// linuxNames maps OpenConfig interface names to kernel names (<= 15 chars,
// no '/'): the name itself with '/' and ':' replaced when it fits and is
// unique, else "if<N>". Loopbacks map to "lo".
func linuxNames(d *network.Device) map[string]string {
	m := map[string]string{}
	used := map[string]bool{"lo": true}
	for i, ifc := range d.Interfaces {
		if ifc.Loopback {
			m[ifc.Name] = "lo"
			continue
		}
		s := strings.NewReplacer("/", "_", ":", "_", " ", "_").Replace(ifc.Name)
		if len(s) > 15 || used[s] || !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`).MatchString(s) {
			s = fmt.Sprintf("if%d", i)
		}
		used[s] = true
		m[ifc.Name] = s
	}
	return m
}

func renderRouter(n *network.Network, d *network.Device) (*Router, error) {
	r := &Router{Name: d.Name, Files: map[string]string{}, IfMap: linuxNames(d)}
	refuse := func(f string, a ...any) error { return &Error{d.Name, fmt.Sprintf(f, a...)} }
	for _, ifc := range d.Interfaces {
		for _, a := range ifc.Addresses {
			if !a.Addr().Is4() {
				return nil, refuse("IPv6 address %s on %s", a, ifc.Name)
			}
		}
		r.Ifaces = append(r.Ifaces, Iface{OC: ifc.Name, Linux: r.IfMap[ifc.Name], Addresses: ifc.Addresses, Enabled: ifc.Enabled, Loopback: ifc.Loopback})
	}
	r.Files["zebra"] = fmt.Sprintf("hostname %s\n!\n", safeHost(d.Name))
	if s, err := renderStatics(d, r.IfMap); err != nil {
		return nil, err
	} else if s != "" {
		r.Files["staticd"] = fmt.Sprintf("hostname %s\n!\n", safeHost(d.Name)) + s
	}
	if d.ISIS != nil && d.ISIS.Enabled {
		s, err := renderISIS(d, r.IfMap)
		if err != nil {
			return nil, err
		}
		r.Files["isisd"] = s
	}
	if d.BGP != nil {
		s, deferred, err := renderBGP(n, d)
		if err != nil {
			return nil, err
		}
		r.Files["bgpd"], r.Deferred = s, deferred
	} else if len(d.TableConnections) > 0 {
		return nil, refuse("table-connections without BGP")
	}
	return r, nil
}

func renderStatics(d *network.Device, ifmap map[string]string) (string, error) {
	var b strings.Builder
	for _, st := range d.Statics {
		if !st.Prefix.Addr().Is4() {
			return "", &Error{d.Name, "IPv6 static route " + st.Prefix.String()}
		}
		for _, h := range st.NextHops {
			if h.Metric != 0 {
				return "", &Error{d.Name, fmt.Sprintf("static route %s with a next-hop metric", st.Prefix)}
			}
			// The preference is the route's administrative distance
			// (zebra's `ip route ... DISTANCE`); 0 and 1 are the default.
			dist := ""
			if h.Preference > 1 {
				dist = fmt.Sprintf(" %d", h.Preference)
			}
			switch {
			case h.Discard:
				fmt.Fprintf(&b, "ip route %s blackhole%s\n", st.Prefix.Masked(), dist)
			case h.Addr.IsValid() && h.Interface == "":
				fmt.Fprintf(&b, "ip route %s %s%s\n", st.Prefix.Masked(), h.Addr, dist)
			case h.Interface != "" && !h.Addr.IsValid():
				ln, ok := ifmap[h.Interface]
				if !ok {
					return "", &Error{d.Name, fmt.Sprintf("static route %s via unknown interface %s", st.Prefix, h.Interface)}
				}
				fmt.Fprintf(&b, "ip route %s %s%s\n", st.Prefix.Masked(), ln, dist)
			default:
				return "", &Error{d.Name, fmt.Sprintf("static route %s with both next-hop address and interface", st.Prefix)}
			}
		}
	}
	if b.Len() > 0 {
		b.WriteString("!\n")
	}
	return b.String(), nil
}

func levelWord(l network.Level) string {
	switch l {
	case network.Level1:
		return "level-1"
	case network.Level2:
		return "level-2-only"
	}
	return "level-1-2"
}

func renderISIS(d *network.Device, ifmap map[string]string) (string, error) {
	is := d.ISIS
	refuse := func(f string, a ...any) error { return &Error{d.Name, fmt.Sprintf(f, a...)} }
	if is.SystemID == "" || len(is.Areas) == 0 {
		return "", refuse("IS-IS without a NET")
	}
	if is.Levels == 0 {
		return "", refuse("IS-IS without levels")
	}
	// What the lab renders must be what the simulator reads: refuse what this
	// renderer does not express rather than run FRR on a different network.
	for l, st := range is.MetricStyle {
		if st != "" && st != "WIDE_METRIC" {
			return "", refuse("IS-IS level %d metric style %s (the lab renders wide metrics only)", l+1, st)
		}
	}
	auth := func(a network.ISISAuth) bool { return a.Enabled || a.KeyHash != "" || a.Keychain != "" }
	if auth(is.LevelAuth[0]) || auth(is.LevelAuth[1]) {
		return "", refuse("IS-IS LSP authentication (only a hash of the key is in the model)")
	}
	// Hello authentication is rendered per interface (isisd has one
	// `isis password` for both levels): the key is a stand-in derived from
	// the model's hash, so equal keys stay equal and different keys differ.
	helloAuth := map[string]string{}
	for _, ii := range is.Interfaces {
		var set []network.ISISAuth
		for _, a := range []network.ISISAuth{ii.Auth, ii.HelloAuth[0], ii.HelloAuth[1]} {
			if auth(a) && !slices.ContainsFunc(set, func(x network.ISISAuth) bool {
				return x.Mode == a.Mode && x.Type == a.Type && x.KeyHash == a.KeyHash && x.Keychain == a.Keychain
			}) {
				set = append(set, a)
			}
		}
		switch {
		case len(set) == 0:
			continue
		case len(set) > 1:
			return "", refuse("IS-IS hello authentication on %s differs between levels (isisd has one password per interface)", ii.Interface)
		}
		a := set[0]
		if a.Keychain != "" || a.KeyHash == "" || (a.Type != "" && a.Type != "SIMPLE_KEY") {
			return "", refuse("IS-IS hello authentication on %s with a key chain", ii.Interface)
		}
		kind := "clear"
		if a.Mode == "MD5" {
			kind = "md5"
		}
		helloAuth[ii.Interface] = fmt.Sprintf(" isis password %s k%s\n", kind, a.KeyHash[:20])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "hostname %s\n!\n", safeHost(d.Name))
	// Timers before net/is-type: is-type schedules an LSP regeneration with the
	// then-current interval (30 s by default).
	b.WriteString("router isis CORE\n lsp-gen-interval 1\n spf-interval 1\n")
	for _, a := range is.Areas {
		fmt.Fprintf(&b, " net %s.%s.00\n", a, is.SystemID)
	}
	fmt.Fprintf(&b, " is-type %s\n metric-style wide\n", levelWord(is.Levels))
	if is.Overload {
		b.WriteString(" set-overload-bit\n")
	}
	b.WriteString("!\n")
	// Loopbacks all live on "lo": their IS-IS settings must agree.
	var lo *network.ISISInterface
	loSeen := false
	type ent struct {
		name string
		ii   *network.ISISInterface
	}
	var ents []ent
	for i := range is.Interfaces {
		ii := &is.Interfaces[i]
		ifc := d.Interface(ii.Interface)
		if ifc == nil {
			continue // the simulator ignores IS-IS config of interfaces without addresses
		}
		if ifc.Loopback {
			if loSeen && (lo == nil) != !ii.Enabled {
				return "", refuse("loopbacks with different IS-IS settings (all share Linux lo)")
			}
			if loSeen && lo != nil && ii.Enabled && (lo.Metric != ii.Metric || lo.Levels != ii.Levels) {
				return "", refuse("loopbacks with different IS-IS metrics/levels (all share Linux lo)")
			}
			loSeen = true
			if ii.Enabled {
				if lo == nil {
					ents = append(ents, ent{"lo", ii})
				}
				lo = ii
			}
			continue
		}
		if ii.Enabled {
			ents = append(ents, ent{ifmap[ii.Interface], ii})
		}
	}
	// loopbacks without IS-IS config alongside ones with it
	for _, ifc := range d.Interfaces {
		if ifc.Loopback && lo != nil {
			found := false
			for _, ii := range is.Interfaces {
				if ii.Interface == ifc.Name {
					found = true
				}
			}
			if !found && len(ifc.Addresses) > 0 {
				return "", refuse("loopback %s without IS-IS while another loopback runs IS-IS (all share Linux lo)", ifc.Name)
			}
		}
	}
	for _, e := range ents {
		ii := e.ii
		lv := ii.Levels & is.Levels
		if lv == 0 {
			continue // the simulator: no level in common, no adjacency and no prefix
		}
		fmt.Fprintf(&b, "interface %s\n ip router isis CORE\n", e.name)
		if ii.PointToPoint || e.name == "lo" {
			b.WriteString(" isis network point-to-point\n")
		}
		fmt.Fprintf(&b, " isis circuit-type %s\n", levelWord(lv))
		for l := 1; l <= 2; l++ {
			m := ii.Metric[l-1]
			if m == 0 {
				m = 10
			}
			fmt.Fprintf(&b, " isis metric level-%d %d\n", l, m)
		}
		if ii.Passive {
			b.WriteString(" isis passive\n")
		}
		if pw, ok := helloAuth[ii.Interface]; ok {
			if e.name == "lo" {
				return "", refuse("IS-IS hello authentication on a loopback")
			}
			b.WriteString(pw)
		}
		b.WriteString(" isis hello-interval 1\n isis hello-multiplier 10\n!\n")
	}
	return b.String(), nil
}

// names of rendered objects
var nameRe = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

func objName(kind, n string) string { return kind + "-" + nameRe.ReplaceAllString(n, "_") }

type bgpRender struct {
	d    *network.Device
	defs strings.Builder // prefix-lists, community-lists, as-path lists
	maps strings.Builder // route-maps
	done map[string]bool
	tags map[int]bool // redistribution tags in use on this device
	// deferred: the address-family lines entered after convergence
	// (Router.Deferred).
	deferred []string
}

func (r *bgpRender) refuse(f string, a ...any) error {
	return &Error{r.d.Name, fmt.Sprintf(f, a...)}
}

func renderBGP(n *network.Network, d *network.Device) (string, []string, error) {
	r := &bgpRender{d: d, done: map[string]bool{}, tags: map[int]bool{}}
	s, err := r.render(n)
	if err != nil || len(r.deferred) == 0 {
		return s, nil, err
	}
	return s, append([]string{fmt.Sprintf("router bgp %d", d.BGP.AS), "address-family ipv4 unicast"}, r.deferred...), nil
}

func (r *bgpRender) render(n *network.Network) (string, error) {
	d := r.d
	g := d.BGP
	if !g.RouterID.IsValid() || !g.RouterID.Is4() {
		return "", r.refuse("BGP without an IPv4 router-id")
	}
	for _, tc := range d.TableConnections {
		if t, ok := protoTag[tc.Src]; ok {
			r.tags[t] = true
		} else {
			return "", r.refuse("table-connection from %s into BGP", tc.Src)
		}
	}
	var body strings.Builder
	fmt.Fprintf(&body, "router bgp %d\n bgp router-id %s\n", g.AS, g.RouterID)
	if g.ClusterID.IsValid() {
		fmt.Fprintf(&body, " bgp cluster-id %s\n", g.ClusterID)
	}
	body.WriteString(" no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast\n")
	body.WriteString(" bgp bestpath compare-routerid\n")
	// The simulator always selects with deterministic MED (the best of each
	// neighbouring AS first); FRR's traditional profile does not unless told.
	body.WriteString(" bgp deterministic-med\n")
	if g.AllowMultipleAS {
		// allow-multiple-as: multipath across neighbouring ASes whose AS paths
		// have the same length, FRR's multipath-relax.
		body.WriteString(" bgp bestpath as-path multipath-relax\n")
	}
	for _, nb := range g.Neighbors {
		if nb.RRClient {
			// FRR leaves reflected routes' attributes alone unless told otherwise;
			// OpenConfig (and the simulator) apply the export policy to them.
			body.WriteString(" bgp route-reflector allow-outbound-policy\n")
			break
		}
	}
	var af strings.Builder
	for _, nb := range g.Neighbors {
		if !nb.Address.Is4() {
			return "", r.refuse("IPv6 neighbor %s", nb.Address)
		}
		a := nb.Address
		fmt.Fprintf(&body, " neighbor %s remote-as %d\n", a, nb.PeerAS)
		if nb.LocalAS != g.AS {
			if nb.PeerAS == g.AS {
				// A peer in our own AS is an iBGP peer to FRR, and FRR accepts
				// local-as on eBGP peers only (peer_local_as_set: "local-as
				// allowed only for EBGP peers"), while OpenConfig makes the
				// session eBGP from local-as's point of view. No FRR config has
				// the OpenConfig meaning; the simulator's agreement check refuses
				// such a session when the other end expects our global AS.
				return "", r.refuse("neighbor %s local-as %d on an iBGP session", a, nb.LocalAS)
			}
			// FRR's default (no no-prepend, no replace-as) is the simulator's
			// rule: the peer sees local-as then the global AS, received routes
			// get local-as prepended, and both ASes are loop-checked.
			fmt.Fprintf(&body, " neighbor %s local-as %d\n", a, nb.LocalAS)
		}
		switch {
		case nb.LocalAddress.IsValid():
			fmt.Fprintf(&body, " neighbor %s update-source %s\n", a, nb.LocalAddress)
		case nb.LocalIface != "":
			ln, ok := linuxNames(d)[nb.LocalIface]
			if !ok {
				return "", r.refuse("neighbor %s local-address interface %s unknown", a, nb.LocalIface)
			}
			fmt.Fprintf(&body, " neighbor %s update-source %s\n", a, ln)
		}
		// The model keeps only a hash of the password: both ends get a
		// stand-in derived from it, equal exactly when the passwords are.
		if nb.AuthHash != "" {
			fmt.Fprintf(&body, " neighbor %s password %s\n", a, standInPassword(nb.AuthHash))
		}
		if nb.Passive {
			fmt.Fprintf(&body, " neighbor %s passive\n", a)
		}
		// FRR's neighbor port only sets where it connects; it still accepts
		// the session on 179 from the other side, where the simulator (and
		// a router listening on the configured port) refuses it.
		if nb.Port != 0 && nb.Port != 179 {
			return "", r.refuse("neighbor %s port %d (FRR accepts the session on 179 from the peer)", a, nb.Port)
		}
		if !nb.IBGP() && nb.Multihop {
			ttl := nb.MultihopTTL
			if ttl == 0 {
				ttl = 255
			}
			fmt.Fprintf(&body, " neighbor %s ebgp-multihop %d\n", a, ttl)
		}
		fmt.Fprintf(&body, " neighbor %s timers 3 9\n neighbor %s timers connect 2\n", a, a)
		if !nb.Enabled {
			fmt.Fprintf(&body, " neighbor %s shutdown\n", a)
		}
		if !nb.IPv4Unicast {
			continue
		}
		fmt.Fprintf(&af, "  neighbor %s activate\n  neighbor %s advertisement-interval 0\n", a, a)
		if nb.MaxPrefixes > 0 {
			// force: FRR counts every received prefix, not only those the
			// import policy accepts, as the simulator does (fail closed);
			// without restart the session stays down once torn down, as in the
			// simulator. prevent-teardown only logs: warning-only.
			// force counts the Adj-RIB-In, which bgpd keeps only with
			// soft-reconfiguration inbound (FRR PR 6801): without it the
			// count stays at the accepted routes and the limit never fires
			// on filtered ones.
			mode := "force"
			if nb.PreventTeardown {
				mode = "warning-only force"
			}
			fmt.Fprintf(&af, "  neighbor %s soft-reconfiguration inbound\n", a)
			r.deferred = append(r.deferred, fmt.Sprintf("neighbor %s maximum-prefix %d %s", a, nb.MaxPrefixes, mode))
		}
		if nb.RRClient {
			if !nb.IBGP() {
				return "", r.refuse("route-reflector-client on eBGP neighbor %s", a)
			}
			fmt.Fprintf(&af, "  neighbor %s route-reflector-client\n", a)
		}
		for _, dir := range []struct {
			name  string
			chain network.PolicyChain
			in    bool
		}{{"in", nb.Import, true}, {"out", nb.Export, false}} {
			implicit := network.ResultReject
			if nb.IBGP() {
				implicit = network.ResultAccept
			}
			if len(dir.chain.Policies) == 0 && (!dir.chain.DefaultSet && implicit == network.ResultAccept ||
				dir.chain.DefaultSet && dir.chain.Default == network.ResultAccept) {
				continue // accept everything: no route-map needed
			}
			ctx := chainCtx{import_: dir.in}
			name := fmt.Sprintf("%s-%s", strings.ToUpper(dir.name), a)
			if err := r.routeMap(name, dir.chain, implicit, ctx); err != nil {
				return "", err
			}
			fmt.Fprintf(&af, "  neighbor %s route-map %s %s\n", a, name, dir.name)
		}
	}
	// redistribution and aggregates
	hasAgg := false
	for _, tc := range d.TableConnections {
		name := "TC-" + strings.ToUpper(tc.Src.String())
		ctx := chainCtx{redist: tc.Src}
		if err := r.routeMap(name, tc.Import, network.ResultAccept, ctx); err != nil {
			return "", err
		}
		switch tc.Src {
		case network.ProtoLocalAggregate:
			if hasAgg {
				return "", r.refuse("two table-connections from LOCAL_AGGREGATE")
			}
			hasAgg = true
			for _, ag := range d.Aggregates {
				if !ag.Prefix.Addr().Is4() {
					return "", r.refuse("IPv6 aggregate %s", ag.Prefix)
				}
				fmt.Fprintf(&af, "  aggregate-address %s origin incomplete route-map %s\n", ag.Prefix.Masked(), name)
			}
		case network.ProtoStatic, network.ProtoConnected, network.ProtoISIS:
			proto := map[network.Protocol]string{network.ProtoStatic: "static", network.ProtoConnected: "connected", network.ProtoISIS: "isis"}[tc.Src]
			fmt.Fprintf(&af, "  redistribute %s route-map %s\n", proto, name)
		}
	}
	body.WriteString(" !\n address-family ipv4 unicast\n")
	// FRR installs up to 64 equal paths by default; the simulator forwards
	// over one unless use-multiple-paths says otherwise.
	fmt.Fprintf(&body, "  maximum-paths %d\n  maximum-paths ibgp %d\n", max(g.MaxPathsEBGP, 1), max(g.MaxPathsIBGP, 1))
	body.WriteString(af.String())
	body.WriteString(" exit-address-family\n!\n")
	return fmt.Sprintf("hostname %s\n!\n", safeHost(d.Name)) + r.defs.String() + r.maps.String() + body.String(), nil
}

type chainCtx struct {
	import_ bool
	redist  network.Protocol // != ProtoNone: a redistribution/aggregate route-map of that source
}

type rmEntry struct {
	deny    bool
	matches []string
	sets    []string
	next    bool // on-match next
	skip    bool // on-match goto after the statement's main entry
}

// routeMap renders chain as route-map name.
func (r *bgpRender) routeMap(name string, chain network.PolicyChain, implicit network.Result, ctx chainCtx) error {
	var ents []rmEntry
	if ctx.redist != network.ProtoNone {
		e := rmEntry{sets: []string{fmt.Sprintf("set tag %d", protoTag[ctx.redist])}, next: true}
		if ctx.redist != network.ProtoLocalAggregate {
			e.sets = append(e.sets, "set metric 0")
		}
		ents = append(ents, e)
	}
	var gotos = map[int]int{} // skip entry index -> main entry index
	for _, pn := range chain.Policies {
		pol := r.d.Policies[pn]
		if pol == nil {
			return r.refuse("policy %s referenced but not defined", pn)
		}
		for si := range pol.Statements {
			st := &pol.Statements[si]
			pos, neg, never, err := r.conditions(pol.Name, st, ctx)
			if err != nil {
				return err
			}
			if never {
				continue
			}
			sets, err := r.actions(pol.Name, st, ctx)
			if err != nil {
				return err
			}
			var skips []int
			for _, m := range neg {
				skips = append(skips, len(ents))
				ents = append(ents, rmEntry{matches: []string{m}, skip: true})
			}
			main := rmEntry{matches: pos}
			switch st.Actions.Result {
			case network.ResultReject:
				main.deny = true
			case network.ResultAccept:
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
	def := implicit
	if chain.DefaultSet {
		def = chain.Default
	}
	ents = append(ents, rmEntry{deny: def != network.ResultAccept})
	seq := func(i int) int { return 10 * (i + 1) }
	for i, e := range ents {
		typ := "permit"
		if e.deny {
			typ = "deny"
		}
		fmt.Fprintf(&r.maps, "route-map %s %s %d\n", name, typ, seq(i))
		for _, m := range e.matches {
			fmt.Fprintf(&r.maps, " %s\n", m)
		}
		for _, s := range e.sets {
			fmt.Fprintf(&r.maps, " %s\n", s)
		}
		if e.next {
			r.maps.WriteString(" on-match next\n")
		}
		if e.skip {
			fmt.Fprintf(&r.maps, " on-match goto %d\n", seq(gotos[i]+1))
		}
	}
	r.maps.WriteString("!\n")
	return nil
}

// conditions returns positive match lines, negated match lines (rendered as
// skip entries), and never=true when the statement can never match here.
func (r *bgpRender) conditions(pol string, st *network.Statement, ctx chainCtx) (pos, neg []string, never bool, err error) {
	c := &st.Conditions
	where := fmt.Sprintf("policy %s statement %s", pol, st.Name)
	if c.CallPolicy != "" {
		return nil, nil, false, r.refuse("%s: call-policy (FRR route-map `call` has different semantics)", where)
	}
	if c.RouteType != network.RouteAny {
		// FRR 8.4 route-maps have no BGP internal/external route-type match;
		// dropping the condition would compare a different policy.
		return nil, nil, false, r.refuse("%s: bgp-conditions route-type", where)
	}
	if c.PrefixSet != "" {
		name, err := r.prefixList(c.PrefixSet)
		if err != nil {
			return nil, nil, false, err
		}
		m := "match ip address prefix-list " + name
		switch c.PrefixSetMode {
		case network.MatchInvert:
			neg = append(neg, m)
		case network.MatchAny:
			pos = append(pos, m)
		default:
			return nil, nil, false, r.refuse("%s: match-prefix-set ALL", where)
		}
	}
	if c.CommunitySet != "" {
		name, err := r.communityList(c.CommunitySet, c.CommunityMode == network.MatchAll, where)
		if err != nil {
			return nil, nil, false, err
		}
		m := "match community " + name
		if c.CommunityMode == network.MatchInvert {
			neg = append(neg, m)
		} else {
			pos = append(pos, m)
		}
	}
	if c.ASPathSet != "" {
		set := r.d.ASPathSets[c.ASPathSet]
		if set == nil {
			return nil, nil, false, r.refuse("%s: undefined as-path-set %s", where, c.ASPathSet)
		}
		if c.ASPathMode == network.MatchAll && len(set.Text) > 1 {
			return nil, nil, false, r.refuse("%s: match-as-path-set ALL with several members", where)
		}
		name, err := r.asPathList(set)
		if err != nil {
			return nil, nil, false, err
		}
		m := "match as-path " + name
		if c.ASPathMode == network.MatchInvert {
			neg = append(neg, m)
		} else {
			pos = append(pos, m)
		}
	}
	if c.InstallProtocol != network.ProtoNone {
		switch {
		case ctx.redist != network.ProtoNone:
			if c.InstallProtocol != ctx.redist {
				return nil, nil, true, nil
			}
		case ctx.import_:
			if c.InstallProtocol != network.ProtoBGP {
				return nil, nil, true, nil
			}
		case c.InstallProtocol == network.ProtoBGP:
			var ts []int
			for t := range r.tags {
				ts = append(ts, t)
			}
			sort.Ints(ts)
			for _, t := range ts {
				neg = append(neg, fmt.Sprintf("match tag %d", t))
			}
		default:
			t, ok := protoTag[c.InstallProtocol]
			if !ok {
				return nil, nil, false, r.refuse("%s: install-protocol-eq %s", where, c.InstallProtocol)
			}
			if !r.tags[t] {
				return nil, nil, true, nil
			}
			pos = append(pos, fmt.Sprintf("match tag %d", t))
		}
	}
	return pos, neg, false, nil
}

func (r *bgpRender) actions(pol string, st *network.Statement, ctx chainCtx) ([]string, error) {
	a := &st.Actions
	where := fmt.Sprintf("policy %s statement %s", pol, st.Name)
	var sets []string
	if a.SetLocalPref != nil {
		sets = append(sets, fmt.Sprintf("set local-preference %d", *a.SetLocalPref))
	}
	if a.SetMED != nil {
		sets = append(sets, fmt.Sprintf("set metric %d", *a.SetMED))
	}
	if a.Prepend != nil {
		asn := a.Prepend.ASN
		if asn == 0 {
			asn = r.d.BGP.AS
		}
		n := int(a.Prepend.Repeat)
		if n < 1 {
			n = 1
		}
		s := "set as-path prepend"
		for i := 0; i < n; i++ {
			s += " " + strconv.FormatUint(uint64(asn), 10)
		}
		sets = append(sets, s)
	}
	if ca := a.Community; ca != nil {
		vals := append([]network.Community{}, ca.Communities...)
		var regex []string
		if ca.SetRef != "" {
			cs := r.d.CommunitySets[ca.SetRef]
			if cs == nil {
				return nil, r.refuse("%s: undefined community-set %s", where, ca.SetRef)
			}
			for _, m := range cs.Members {
				if m.Regex == nil {
					vals = append(vals, m.Value)
				} else {
					regex = append(regex, m.Text)
				}
			}
		}
		switch ca.Method {
		case network.CommunityAdd, network.CommunityReplace:
			if len(vals) == 0 {
				if ca.Method == network.CommunityReplace {
					sets = append(sets, "set community none")
				}
				break
			}
			s := "set community"
			for _, v := range sortedComms(vals) {
				s += " " + commText(v)
			}
			if ca.Method == network.CommunityAdd {
				s += " additive"
			}
			sets = append(sets, s)
		case network.CommunityRemove:
			name := objName("CD", fmt.Sprintf("%s-%s", pol, st.Name))
			if !r.done[name] {
				r.done[name] = true
				for i, v := range sortedComms(vals) {
					fmt.Fprintf(&r.defs, "bgp community-list expanded %s seq %d permit %s\n", name, 5*(i+1), commRegex(regexp.QuoteMeta(commText(v))))
				}
				for i, t := range regex {
					re, err := posixCommRegex(t)
					if err != nil {
						return nil, r.refuse("%s: %v", where, err)
					}
					fmt.Fprintf(&r.defs, "bgp community-list expanded %s seq %d permit %s\n", name, 5*(len(vals)+i+1), re)
				}
			}
			if len(vals)+len(regex) > 0 {
				sets = append(sets, fmt.Sprintf("set comm-list %s delete", name))
			}
		}
	}
	if o := a.SetOrigin; o != network.OriginUnset {
		sets = append(sets, "set origin "+map[network.Origin]string{network.OriginIGP: "igp", network.OriginEGP: "egp", network.OriginIncomplete: "incomplete"}[o])
	}
	if nh := a.NextHop; nh != nil {
		switch {
		case ctx.redist != network.ProtoNone:
			return nil, r.refuse("%s: set-next-hop in a redistribution policy", where)
		case nh.Self && ctx.import_:
			return nil, r.refuse("%s: set-next-hop SELF in an import policy", where)
		case nh.Self:
			sets = append(sets, "set ip next-hop peer-address")
		case nh.Addr.Is4():
			sets = append(sets, "set ip next-hop "+nh.Addr.String())
		default:
			return nil, r.refuse("%s: set-next-hop %v", where, nh.Addr)
		}
	}
	return sets, nil
}

func sortedComms(v []network.Community) []network.Community {
	out := append([]network.Community{}, v...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	var u []network.Community
	for i, c := range out {
		if i == 0 || c != out[i-1] {
			u = append(u, c)
		}
	}
	return u
}

func commText(c network.Community) string {
	return strconv.Itoa(int(c>>16)) + ":" + strconv.Itoa(int(c&0xffff))
}

// commRegex anchors a per-community regex on community boundaries of FRR's
// space-separated community string.
func commRegex(x string) string { return "(^| )(" + x + ")( |$)" }

var badRegex = regexp.MustCompile(`\\|\(\?|\[\^|\$.|.\^`)

// posixCommRegex translates a community-set regex member (anchored on one
// "ASN:VALUE" by the simulator) to an FRR expanded community-list regex.
func posixCommRegex(t string) (string, error) {
	x := strings.TrimSuffix(strings.TrimPrefix(t, "^"), "$")
	if badRegex.MatchString(x) {
		return "", fmt.Errorf("community regex %q uses syntax without a faithful POSIX translation", t)
	}
	// '.' must not cross into the next community
	x = strings.ReplaceAll(x, ".", "[0-9:]")
	return commRegex(x), nil
}

func (r *bgpRender) prefixList(set string) (string, error) {
	ps := r.d.PrefixSets[set]
	if ps == nil {
		return "", r.refuse("undefined prefix-set %s", set)
	}
	name := objName("PS", set)
	if r.done[name] {
		return name, nil
	}
	r.done[name] = true
	n := 0
	for _, e := range ps.Entries {
		if !e.Prefix.Addr().Is4() {
			continue // IPv4 routes never match IPv6 entries
		}
		n++
		l := e.Prefix.Bits()
		if int(e.Max) < l || int(e.Min) > int(e.Max) {
			continue // matches nothing
		}
		s := fmt.Sprintf("ip prefix-list %s seq %d permit %s", name, 5*n, e.Prefix.Masked())
		lo := int(e.Min)
		if lo < l {
			lo = l
		}
		if lo > l {
			s += fmt.Sprintf(" ge %d", lo)
		}
		if int(e.Max) > l {
			s += fmt.Sprintf(" le %d", e.Max)
		}
		r.defs.WriteString(s + "\n")
	}
	if n == 0 {
		// an empty prefix-list in FRR matches nothing? Make it explicit.
		fmt.Fprintf(&r.defs, "ip prefix-list %s seq 5 deny any\n", name)
	}
	return name, nil
}

func (r *bgpRender) communityList(set string, all bool, where string) (string, error) {
	cs := r.d.CommunitySets[set]
	if cs == nil {
		return "", r.refuse("%s: undefined community-set %s", where, set)
	}
	name := objName("CS", set)
	if all {
		name = objName("CSALL", set)
	}
	if r.done[name] {
		return name, nil
	}
	r.done[name] = true
	if len(cs.Members) == 0 {
		fmt.Fprintf(&r.defs, "bgp community-list expanded %s seq 5 deny .*\n", name)
		return name, nil
	}
	if all && len(cs.Members) > 1 {
		line := ""
		for _, m := range cs.Members {
			if m.Regex != nil {
				return "", r.refuse("%s: match-community-set ALL with regex members", where)
			}
			line += " " + commText(m.Value)
		}
		fmt.Fprintf(&r.defs, "bgp community-list standard %s seq 5 permit%s\n", name, line)
		return name, nil
	}
	for i, m := range cs.Members {
		re := commRegex(regexp.QuoteMeta(commText(m.Value)))
		if m.Regex != nil {
			var err error
			if re, err = posixCommRegex(m.Text); err != nil {
				return "", r.refuse("%s: %v", where, err)
			}
		}
		fmt.Fprintf(&r.defs, "bgp community-list expanded %s seq %d permit %s\n", name, 5*(i+1), re)
	}
	return name, nil
}

func (r *bgpRender) asPathList(set *network.ASPathSet) (string, error) {
	name := objName("AP", set.Name)
	if r.done[name] {
		return name, nil
	}
	r.done[name] = true
	if len(set.Text) == 0 {
		fmt.Fprintf(&r.defs, "bgp as-path access-list %s seq 5 deny .*\n", name)
	}
	for i, t := range set.Text {
		if badRegex.MatchString(t) || strings.ContainsAny(t, " \t") {
			return "", r.refuse("as-path-set %s member %q has no faithful POSIX translation", set.Name, t)
		}
		fmt.Fprintf(&r.defs, "bgp as-path access-list %s seq %d permit %s\n", name, 5*(i+1), t)
	}
	return name, nil
}
