package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

// bgpLayer is one level of the inheritance chain (neighbor, peer-group,
// global), flattened to the settings the model needs. Pointers and empty
// slices mean "not set here".
type bgpLayer struct {
	path         string
	peerAS       *uint32
	localAS      *uint32
	peerType     string
	enabled      *bool
	localAddress *string
	rrClient     *bool
	clusterID    any // union: string or uint32
	multihop     *bool
	multihopTTL  *uint8
	passive      *bool
	port         *uint16
	auth         *string
	maxPrefixes  *uint32
	preventTear  *bool
	hasAfiSafi   bool  // any afi-safi configured at this level
	ipv4Enabled  *bool // afi-safi[IPV4_UNICAST]/config/enabled
	// apply-policy, the afi-safi[IPV4_UNICAST] one first: it is more specific.
	imports, exports   [2][]string
	defImport, defExpt [2]string
	policyPath         [2]string
}

const ipv4Unicast = "IPV4_UNICAST"

func neighborLayer(n *oc.BGPNeighbor, path string) bgpLayer {
	l := bgpLayer{path: path, peerAS: n.PeerAs, localAS: n.LocalAs, enabled: n.Enabled,
		peerType: oc.EnumName(n.PeerType), hasAfiSafi: len(n.AfiSafi) > 0, auth: n.AuthPassword, port: n.NeighborPort}
	if t := n.Transport; t != nil {
		l.localAddress, l.passive = t.LocalAddress, t.PassiveMode
	}
	if r := n.RouteReflector; r != nil {
		l.rrClient, l.clusterID = r.RouteReflectorClient, r.RouteReflectorClusterId
	}
	if m := n.EbgpMultihop; m != nil {
		l.multihop, l.multihopTTL = m.Enabled, m.MultihopTtl
	}
	if ap := n.ApplyPolicy; ap != nil {
		l.imports[1], l.exports[1] = ap.ImportPolicy, ap.ExportPolicy
		l.defImport[1], l.defExpt[1] = oc.EnumName(ap.DefaultImportPolicy), oc.EnumName(ap.DefaultExportPolicy)
		l.policyPath[1] = path + "/apply-policy"
	}
	for k, af := range n.AfiSafi {
		if oc.EnumName(k) != ipv4Unicast {
			continue
		}
		l.ipv4Enabled = af.Enabled
		if u := af.Ipv4Unicast; u != nil && u.PrefixLimit != nil {
			l.maxPrefixes, l.preventTear = u.PrefixLimit.MaxPrefixes, u.PrefixLimit.PreventTeardown
		}
		if ap := af.ApplyPolicy; ap != nil {
			l.imports[0], l.exports[0] = ap.ImportPolicy, ap.ExportPolicy
			l.defImport[0], l.defExpt[0] = oc.EnumName(ap.DefaultImportPolicy), oc.EnumName(ap.DefaultExportPolicy)
			l.policyPath[0] = path + "/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/apply-policy"
		}
	}
	return l
}

func peerGroupLayer(g *oc.BGPPeerGroup, path string) bgpLayer {
	l := bgpLayer{path: path, peerAS: g.PeerAs, localAS: g.LocalAs,
		peerType: oc.EnumName(g.PeerType), hasAfiSafi: len(g.AfiSafi) > 0, auth: g.AuthPassword}
	if t := g.Transport; t != nil {
		l.localAddress, l.passive = t.LocalAddress, t.PassiveMode
	}
	if r := g.RouteReflector; r != nil {
		l.rrClient, l.clusterID = r.RouteReflectorClient, r.RouteReflectorClusterId
	}
	if m := g.EbgpMultihop; m != nil {
		l.multihop, l.multihopTTL = m.Enabled, m.MultihopTtl
	}
	if ap := g.ApplyPolicy; ap != nil {
		l.imports[1], l.exports[1] = ap.ImportPolicy, ap.ExportPolicy
		l.defImport[1], l.defExpt[1] = oc.EnumName(ap.DefaultImportPolicy), oc.EnumName(ap.DefaultExportPolicy)
		l.policyPath[1] = path + "/apply-policy"
	}
	for k, af := range g.AfiSafi {
		if oc.EnumName(k) != ipv4Unicast {
			continue
		}
		l.ipv4Enabled = af.Enabled
		if u := af.Ipv4Unicast; u != nil && u.PrefixLimit != nil {
			l.maxPrefixes, l.preventTear = u.PrefixLimit.MaxPrefixes, u.PrefixLimit.PreventTeardown
		}
		if ap := af.ApplyPolicy; ap != nil {
			l.imports[0], l.exports[0] = ap.ImportPolicy, ap.ExportPolicy
			l.defImport[0], l.defExpt[0] = oc.EnumName(ap.DefaultImportPolicy), oc.EnumName(ap.DefaultExportPolicy)
			l.policyPath[0] = path + "/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/apply-policy"
		}
	}
	return l
}

func globalLayer(g *oc.BGP, path string) bgpLayer {
	l := bgpLayer{path: path + "/global"}
	if g.Global == nil {
		return l
	}
	l.localAS = g.Global.As
	l.hasAfiSafi = len(g.Global.AfiSafi) > 0
	// The global apply-policy carries only the default policies in OpenConfig.
	if ap := g.Global.ApplyPolicy; ap != nil {
		l.defImport[1], l.defExpt[1] = oc.EnumName(ap.DefaultImportPolicy), oc.EnumName(ap.DefaultExportPolicy)
	}
	for k, af := range g.Global.AfiSafi {
		if oc.EnumName(k) != ipv4Unicast {
			continue
		}
		// The global afi-safi's enabled defaults to false in the model
		// (openconfig-bgp); neighbors and peer-groups have no default and
		// inherit.
		l.ipv4Enabled = af.Enabled
		if l.ipv4Enabled == nil {
			l.ipv4Enabled = new(bool)
		}
		if ap := af.ApplyPolicy; ap != nil {
			l.defImport[0], l.defExpt[0] = oc.EnumName(ap.DefaultImportPolicy), oc.EnumName(ap.DefaultExportPolicy)
		}
	}
	return l
}

func (c *devCompiler) bgp(b *oc.BGP, path string, protoEnabled bool, niRouterID string) error {
	if b == nil {
		return nil
	}
	path += "/bgp"
	out := &network.BGP{Path: path}
	ni, _, _ := strings.Cut(path, "/protocols/protocol[")
	ridPath := ni + "/config/router-id" // the network instance's, unless BGP sets its own
	if g := b.Global; g != nil {
		if g.As != nil {
			out.AS = *g.As
		}
		if g.RouterId != nil {
			niRouterID, ridPath = *g.RouterId, path+"/global/config/router-id"
		}
	}
	if niRouterID != "" {
		out.RouterIDPath = ridPath
		a, err := netip.ParseAddr(niRouterID)
		if err != nil || !a.Is4() {
			return c.errf(ridPath, "bad router-id %q", niRouterID)
		}
		if a.IsUnspecified() {
			// RFC 6286 §2.1: the BGP Identifier is non-zero; peers answer an
			// OPEN carrying 0.0.0.0 with Bad BGP Identifier (RFC 4271 §6.2).
			return c.errf(ridPath, "router-id 0.0.0.0: the BGP Identifier must be non-zero (RFC 6286 §2.1); peers refuse the session")
		}
		out.RouterID = a
	}
	if out.AS == 0 && len(b.Neighbor) > 0 {
		return c.errf(path+"/global/config/as", "BGP has neighbors but no global AS")
	}
	if g := b.Global; g != nil {
		// The afi-safi level is more specific than the global one.
		type mp struct {
			en          *bool
			ebgp, ibgp  *uint32
			allowMultAS *bool
		}
		var levels []mp
		for k, af := range g.AfiSafi {
			if oc.EnumName(k) == ipv4Unicast && af.UseMultiplePaths != nil {
				u := af.UseMultiplePaths
				m := mp{en: u.Enabled}
				if u.Ebgp != nil {
					m.ebgp, m.allowMultAS = u.Ebgp.MaximumPaths, u.Ebgp.AllowMultipleAs
				}
				if u.Ibgp != nil {
					m.ibgp = u.Ibgp.MaximumPaths
				}
				levels = append(levels, m)
			}
		}
		if u := g.UseMultiplePaths; u != nil {
			m := mp{en: u.Enabled}
			if u.Ebgp != nil {
				m.ebgp, m.allowMultAS = u.Ebgp.MaximumPaths, u.Ebgp.AllowMultipleAs
			}
			if u.Ibgp != nil {
				m.ibgp = u.Ibgp.MaximumPaths
			}
			levels = append(levels, m)
		}
		enabled := false
		for i := len(levels) - 1; i >= 0; i-- { // most specific last wins
			l := levels[i]
			if l.en != nil {
				enabled = *l.en
			}
			if l.ebgp != nil {
				out.MaxPathsEBGP = *l.ebgp
			}
			if l.ibgp != nil {
				out.MaxPathsIBGP = *l.ibgp
			}
			if l.allowMultAS != nil {
				out.AllowMultipleAS = *l.allowMultAS
			}
		}
		if !enabled {
			out.MaxPathsEBGP, out.MaxPathsIBGP, out.AllowMultipleAS = 0, 0, false
		}
	}
	global := globalLayer(b, path)
	groups := map[string]bgpLayer{}
	for _, name := range sortedKeys(b.PeerGroup) {
		g := b.PeerGroup[name]
		gpath := path + "/peer-groups/peer-group[peer-group-name=" + oc.EscapeKey(name) + "]"
		if g.Timers != nil {
			if err := c.holdTime(gpath, g.Timers.HoldTime); err != nil {
				return err
			}
		}
		groups[name] = peerGroupLayer(g, gpath)
	}
	for _, addr := range sortedKeys(b.Neighbor) {
		if t := b.Neighbor[addr].Timers; t != nil {
			if err := c.holdTime(path+"/neighbors/neighbor[neighbor-address="+oc.EscapeKey(addr)+"]", t.HoldTime); err != nil {
				return err
			}
		}
	}
	var clusterFrom string
	for _, addr := range sortedKeys(b.Neighbor) {
		n := b.Neighbor[addr]
		npath := path + "/neighbors/neighbor[neighbor-address=" + oc.EscapeKey(addr) + "]"
		a, err := netip.ParseAddr(addr)
		if err != nil || a.Zone() != "" {
			return c.errf(npath, "bad neighbor address %q", addr)
		}
		chain := []bgpLayer{neighborLayer(n, npath)}
		group := ""
		if n.PeerGroup != nil {
			group = *n.PeerGroup
			g, ok := groups[group]
			if !ok {
				return c.errf(npath+"/config/peer-group", "peer-group %q does not exist", group)
			}
			chain = append(chain, g)
		}
		chain = append(chain, global)
		nb, cid, err := c.resolveNeighbor(a, group, chain, npath, protoEnabled)
		if err != nil {
			return err
		}
		if cid.IsValid() {
			switch {
			case !out.ClusterID.IsValid():
				out.ClusterID, clusterFrom = cid, npath
			case out.ClusterID != cid:
				c.unmodelled(npath+"/route-reflector/config/route-reflector-cluster-id",
					fmt.Sprintf("per-neighbor cluster ids are not simulated (using %s from %s)", out.ClusterID, clusterFrom))
			}
		}
		out.Neighbors = append(out.Neighbors, nb)
	}
	sort.Slice(out.Neighbors, func(i, j int) bool { return out.Neighbors[i].Address.Less(out.Neighbors[j].Address) })
	c.dev.BGP = out
	return nil
}

func first[T any](chain []bgpLayer, get func(*bgpLayer) *T) (T, bool) {
	for i := range chain {
		if v := get(&chain[i]); v != nil {
			return *v, true
		}
	}
	var zero T
	return zero, false
}

// firstAt is first, also recording in nb.Leaves where the value was set
// (leaf is relative to the layer: the neighbor, a peer-group or global).
func firstAt[T any](nb *network.Neighbor, leaf string, chain []bgpLayer, get func(*bgpLayer) *T) (T, bool) {
	for i := range chain {
		if v := get(&chain[i]); v != nil {
			if nb.Leaves == nil {
				nb.Leaves = map[string]string{}
			}
			nb.Leaves[leaf] = chain[i].path + "/" + leaf
			return *v, true
		}
	}
	var zero T
	return zero, false
}

func (c *devCompiler) resolveNeighbor(addr netip.Addr, group string, chain []bgpLayer, npath string, protoEnabled bool) (network.Neighbor, netip.Addr, error) {
	nb := network.Neighbor{Address: addr, PeerGroup: group, Path: npath}
	nb.LocalAS, _ = firstAt(&nb, "config/local-as", chain, func(l *bgpLayer) *uint32 { return l.localAS })
	if p := nb.Leaves["config/local-as"]; p != "" && strings.HasSuffix(p, "/global/config/local-as") {
		nb.Leaves["config/local-as"] = strings.TrimSuffix(p, "local-as") + "as" // the global AS leaf
	}
	peerAS, ok := firstAt(&nb, "config/peer-as", chain, func(l *bgpLayer) *uint32 { return l.peerAS })
	if !ok {
		peerType := ""
		for _, l := range chain {
			if l.peerType != "" {
				peerType = l.peerType
				break
			}
		}
		if peerType != "INTERNAL" {
			return nb, netip.Addr{}, c.errf(npath, "no peer-as (neither on the neighbor nor its peer-group)")
		}
		peerAS = nb.LocalAS
	} else {
		// peer-type beside an explicit peer-as: where they contradict
		// (EXTERNAL with our own AS, INTERNAL with another), routers either
		// reject the commit or take one of the two, and which one differs by
		// vendor, so the session type is not guessed.
		for _, l := range chain {
			if l.peerType == "" {
				continue
			}
			if (l.peerType == "INTERNAL") != (peerAS == nb.LocalAS) {
				c.unmodelledOnce(l.path+"/config/peer-type", fmt.Sprintf("peer-type %s contradicts peer-as %d against local AS %d: vendors differ on which wins, so backstop does not simulate the session", l.peerType, peerAS, nb.LocalAS))
			}
			break
		}
	}
	nb.PeerAS = peerAS
	en, ok := first(chain, func(l *bgpLayer) *bool { return l.enabled })
	nb.Enabled = protoEnabled && (!ok || en)
	if la, ok := firstAt(&nb, "transport/config/local-address", chain, func(l *bgpLayer) *string { return l.localAddress }); ok {
		if a, err := netip.ParseAddr(la); err == nil {
			nb.LocalAddress = a
		} else {
			nb.LocalIface = normaliseIface(la)
			if _, ok := c.tree.Interface[parentOf(nb.LocalIface)]; !ok {
				return nb, netip.Addr{}, c.errf(npath+"/transport/config/local-address",
					"local-address %q is neither an address nor a configured interface", la)
			}
		}
	}
	nb.RRClient, _ = first(chain, func(l *bgpLayer) *bool { return l.rrClient })
	nb.Multihop, _ = first(chain, func(l *bgpLayer) *bool { return l.multihop })
	nb.MultihopTTL, _ = first(chain, func(l *bgpLayer) *uint8 { return l.multihopTTL })
	nb.Passive, _ = firstAt(&nb, "transport/config/passive-mode", chain, func(l *bgpLayer) *bool { return l.passive })
	nb.Port, _ = firstAt(&nb, "config/neighbor-port", chain, func(l *bgpLayer) *uint16 { return l.port })
	if pw, ok := firstAt(&nb, "config/auth-password", chain, func(l *bgpLayer) *string { return l.auth }); ok && pw != "" {
		// Only a digest enters the model: equal passwords compare equal and
		// nothing downstream can print the secret.
		sum := sha256.Sum256([]byte(pw))
		nb.AuthHash = hex.EncodeToString(sum[:])
	}
	const pl = "afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/ipv4-unicast/prefix-limit/config/"
	var hasMax bool
	nb.MaxPrefixes, hasMax = firstAt(&nb, pl+"max-prefixes", chain, func(l *bgpLayer) *uint32 { return l.maxPrefixes })
	if hasMax && nb.MaxPrefixes == 0 {
		// The model reads 0 as "accept no prefix", EOS's maximum-routes 0
		// as no limit, and IOS, IOS-XR, Junos and FRR refuse it; the
		// simulator would take it as no limit.
		c.unmodelledOnce(nb.LeafPath(pl+"max-prefixes"), "max-prefixes 0: no limit on EOS, zero prefixes in the model, refused by IOS, IOS-XR, Junos and FRR")
	}
	nb.PreventTeardown, _ = firstAt(&nb, pl+"prevent-teardown", chain, func(l *bgpLayer) *bool { return l.preventTear })

	// IPv4 unicast: the first level that sets afi-safi[IPV4_UNICAST]/enabled
	// decides. When no level configures any afi-safi, the session carries IPv4
	// unicast, as a classic router does by default; when afi-safis are
	// configured but IPv4 unicast is never enabled, it does not.
	if v, ok := firstAt(&nb, "afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/config/enabled", chain, func(l *bgpLayer) *bool { return l.ipv4Enabled }); ok {
		nb.IPv4Unicast = v
		// IPv4 unicast switched off globally and on again lower down: Junos
		// and EOS let the neighbor's family win, IOS-XR needs the global
		// address family for any neighbor to carry it (the sessions lose
		// IPv4). The simulator cannot pick one, so it names the leaf.
		if g := &chain[len(chain)-1]; v && g.ipv4Enabled != nil && !*g.ipv4Enabled {
			c.unmodelledOnce(g.path+"/afi-safis/afi-safi[afi-safi-name=IPV4_UNICAST]/config/enabled",
				"IPv4 unicast is disabled globally but enabled on a neighbor or peer-group: vendors differ on which wins (IOS-XR drops the family from every session, Junos and EOS keep the neighbor's), so backstop does not simulate it")
		}
	} else {
		anyAF := false
		for _, l := range chain {
			anyAF = anyAF || l.hasAfiSafi
		}
		nb.IPv4Unicast = !anyAF
	}

	var err error
	if nb.Import, err = c.policyChain(chain, true); err != nil {
		return nb, netip.Addr{}, err
	}
	if nb.Export, err = c.policyChain(chain, false); err != nil {
		return nb, netip.Addr{}, err
	}
	var cid netip.Addr
	for _, l := range chain {
		if l.clusterID == nil {
			continue
		}
		v, _ := oc.UnionValue(l.clusterID)
		switch x := v.(type) {
		case string:
			a, err := netip.ParseAddr(x)
			if err != nil || !a.Is4() {
				return nb, netip.Addr{}, c.errf(l.path+"/route-reflector/config/route-reflector-cluster-id", "bad cluster id %q", x)
			}
			cid = a
		case uint32:
			cid = netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		}
		break
	}
	return nb, cid, nil
}

// policyChain resolves an import (or export) chain: the most specific level
// with a non-empty list wins (lists are not merged), and the default policy is
// looked up independently, so a neighbor may name policies while its
// peer-group sets the default.
func (c *devCompiler) policyChain(chain []bgpLayer, imp bool) (network.PolicyChain, error) {
	var pc network.PolicyChain
	found := false
	for _, l := range chain {
		for i := 0; i < 2 && !found; i++ {
			list := l.exports[i]
			leaf := "export-policy"
			if imp {
				list, leaf = l.imports[i], "import-policy"
			}
			if len(list) == 0 {
				continue
			}
			found = true
			for _, p := range list {
				if _, ok := c.dev.Policies[p]; !ok {
					return pc, c.errf(l.policyPath[i]+"/config/"+leaf, "policy-definition %q does not exist", p)
				}
			}
			pc.Policies = append([]string(nil), list...)
		}
	}
	for _, l := range chain {
		for i := 0; i < 2 && !pc.DefaultSet; i++ {
			d := l.defExpt[i]
			if imp {
				d = l.defImport[i]
			}
			if d != "" {
				pc.Default, pc.DefaultSet = defaultResult(d), true
			}
		}
	}
	return pc, nil
}

func defaultResult(name string) network.Result {
	if name == "ACCEPT_ROUTE" {
		return network.ResultAccept
	}
	return network.ResultReject
}

// holdTime refuses a BGP hold time of 1 or 2 seconds. The timers are
// otherwise no-ops for the converged state, but RFC 4271 §4.2 says a speaker
// MUST reject such a value: routers refuse it at commit, or answer every OPEN
// with Unacceptable Hold Time (§6.2) and keep the session down. Either way
// the candidate is not what a router would run.
func (c *devCompiler) holdTime(path string, v *uint16) error {
	if v != nil && (*v == 1 || *v == 2) {
		return c.errf(path+"/timers/config/hold-time", "BGP hold-time %d: RFC 4271 §4.2 allows 0 or at least 3 seconds; routers refuse it", *v)
	}
	return nil
}
