package sim

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/models/network"
)

// This file holds the link-level half of "both ends agree, or the adjacency
// is down": addresses (same subnet, same prefix length, no duplicates) and
// MTU. The IS-IS half is in agree_isis.go. Every refusal is recorded as a
// Disagreement and takes the link down, as real routers do.

// Disagreement kinds.
const (
	KindLink          = "link"
	KindAddress       = "address"
	KindISISAdjacency = "isis-adjacency"
	KindISISInstance  = "isis-instance"
)

func linkObject(l *Link) string {
	return fmt.Sprintf("link %s %s — %s %s", l.A, l.AIface, l.B, l.BIface)
}

// ifPathOf is the OpenConfig path of the physical interface (builder-made
// networks carry no paths: the interface name stands in).
func ifPathOf(ifc *network.Interface) string {
	if ifc.IfPath != "" {
		return ifc.IfPath
	}
	return "/interfaces/interface[name=" + ifc.Parent + "]"
}

func subPathOf(ifc *network.Interface) string {
	if ifc.SubPath != "" {
		return ifc.SubPath
	}
	parent := ifc.Parent
	if parent == "" {
		parent = ifc.Name
	}
	return fmt.Sprintf("/interfaces/interface[name=%s]/subinterfaces/subinterface[index=%d]", parent, ifc.Subif)
}

func addrPathOf(ifc *network.Interface, a netip.Addr) string {
	fam := "ipv4"
	if a.Is6() {
		fam = "ipv6"
	}
	return subPathOf(ifc) + "/" + fam + "/addresses/address[ip=" + a.String() + "]"
}

func leaf(d *network.Device, path string) string { return d.Name + " " + path }

// sortedNames returns the unique device names, sorted.
func sortedNames(names ...string) []string {
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if i == 0 || n != names[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// agreeLinks checks every inferred link (and every pair of interfaces that
// would be a link but for a prefix-length mismatch) and the network-wide
// address uniqueness. It runs before carrier and neighbours are derived so
// that a refused link is down everywhere downstream.
func (t *topology) agreeLinks(seen map[string]bool) {
	t.duplicateAddresses()
	for i := range t.links {
		l := &t.links[i]
		ad, bd := t.net.Devices[l.a], t.net.Devices[l.b]
		ai, bi := &ad.Interfaces[ifaceIndex(ad, l.AIface)], &bd.Interfaces[ifaceIndex(bd, l.BIface)]
		if !ai.Enabled || !bi.Enabled || l.uncabled {
			continue // down anyway; nothing both ends negotiate
		}
		if l.Up && l.Subnet.IsValid() {
			for _, a := range ai.Addresses {
				if !l.Subnet.Contains(a.Addr()) {
					continue
				}
				for _, b := range bi.Addresses {
					if a.Addr() == b.Addr() {
						l.Up = false
						l.Reason = fmt.Sprintf("both ends have address %s", a.Addr())
					}
				}
			}
		}
		t.agreeMTU(l, ad, ai, bd, bi)
		t.agreeEthernet(l, ad, ai, bd, bi)
	}
	t.prefixLengthMismatches(seen)
}

// agreeMTU: both ends of a link must have the same MTU. With IS-IS hello
// padding (on by default on most stacks: Cisco, Juniper, Nokia, FRR) the
// end with the larger MTU sends hellos the other cannot receive and no
// adjacency forms; without padding the adjacency comes up but every frame
// above the smaller MTU is dropped (BGP updates stall, the session flaps on
// its hold timer). The simulator does not trust hello-padding settings: a
// mismatch takes the link down (fail closed). An MTU configured on one end
// and left at the vendor default on the other counts as a mismatch too: the
// defaults differ between vendors (1500, 1514, 9192...).
func (t *topology) agreeMTU(l *Link, ad *network.Device, ai *network.Interface, bd *network.Device, bi *network.Interface) {
	show := func(v uint32) string {
		if v == 0 {
			return "unset (vendor default)"
		}
		return fmt.Sprint(v)
	}
	check := func(what, suffix string, va, vb uint32, pa, pb string) {
		if va == vb {
			return
		}
		t.disagree = append(t.disagree, Disagreement{Kind: KindLink, Object: linkObject(l),
			Devices: sortedNames(ad.Name, bd.Name),
			Leaves:  []string{leaf(ad, pa+suffix), leaf(bd, pb+suffix)},
			Reason: fmt.Sprintf("%s %s on %s %s vs %s on %s %s: IS-IS hellos are padded to the MTU so no adjacency forms, "+
				"and frames above the smaller MTU are dropped; the link is treated as down whatever the hello-padding setting",
				what, show(va), ad.Name, ai.Name, show(vb), bd.Name, bi.Name)})
		if l.Up {
			l.Up = false
			l.Reason = what + " mismatch (" + show(va) + " vs " + show(vb) + ")"
		}
	}
	check("interface MTU", "/config/mtu", ai.MTU, bi.MTU, ifPathOf(ai), ifPathOf(bi))
	check("IPv4 MTU", "/ipv4/config/mtu", ai.IPv4MTU, bi.IPv4MTU, subPathOf(ai), subPathOf(bi))
}

// agreeEthernet: a forced port speed, duplex mode or auto-negotiation setting
// must match the other end. Two different forced speeds never link up (the
// PHYs do not negotiate), a duplex mismatch loses frames to collisions until
// IS-IS and BGP flap, and auto-negotiation on one end only leaves the other
// waiting for a partner that never answers (or falling back to half duplex):
// all take the link down. Set on one end only, whether the
// link comes up depends on the optics and on auto-negotiation, which the
// configuration does not say: the link is left as it is and named as not
// simulated, so a change that forces a speed on one end of backbone links
// blocks instead of passing.
func (t *topology) agreeEthernet(l *Link, ad *network.Device, ai *network.Interface, bd *network.Device, bi *network.Interface) {
	check := func(what, suffix, va, vb string) {
		if va == vb {
			return
		}
		dg := Disagreement{Kind: KindLink, Object: linkObject(l), Devices: sortedNames(ad.Name, bd.Name),
			Leaves: []string{leaf(ad, ifPathOf(ai)+suffix), leaf(bd, ifPathOf(bi)+suffix)}}
		if va == "" || vb == "" {
			dev, itf, v := ad, ai, va
			if v == "" {
				dev, itf, v = bd, bi, vb
			}
			dg.Unsimulated = true
			dg.Reason = fmt.Sprintf("%s %s is set on %s %s only; the other end keeps its default: whether the link comes up depends on the optics and the vendors' defaults, and backstop does not model it",
				what, v, dev.Name, itf.Name)
			t.disagree = append(t.disagree, dg)
			return
		}
		dg.Reason = fmt.Sprintf("%s %s on %s %s vs %s on %s %s: the link does not come up (or loses frames until IS-IS and BGP drop it)",
			what, va, ad.Name, ai.Name, vb, bd.Name, bi.Name)
		t.disagree = append(t.disagree, dg)
		if l.Up {
			l.Up = false
			l.Reason = what + " mismatch (" + va + " vs " + vb + ")"
		}
	}
	check("port-speed", "/ethernet/config/port-speed", ai.PortSpeed, bi.PortSpeed)
	check("duplex-mode", "/ethernet/config/duplex-mode", ai.Duplex, bi.Duplex)
	check("auto-negotiate", "/ethernet/config/auto-negotiate", ai.AutoNeg, bi.AutoNeg)
}

// duplicateAddresses records every address configured on more than one
// enabled interface. Real routers answer ARP for it on both: sessions to it
// land on whichever owner the path reaches first, and traffic for one goes to
// the other. A link whose two ends carry the same address is taken down in
// agreeLinks; elsewhere the duplicate is recorded for the policy stage.
func (t *topology) duplicateAddresses() {
	type owner struct {
		d   *network.Device
		ifc *network.Interface
	}
	owners := map[netip.Addr][]owner{}
	var order []netip.Addr
	for _, d := range t.net.Devices {
		for i := range d.Interfaces {
			ifc := &d.Interfaces[i]
			if !ifc.Enabled {
				continue
			}
			for _, a := range ifc.Addresses {
				if len(owners[a.Addr()]) == 0 {
					order = append(order, a.Addr())
				}
				owners[a.Addr()] = append(owners[a.Addr()], owner{d, ifc})
			}
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Less(order[j]) })
	for _, a := range order {
		os := owners[a]
		if len(os) < 2 {
			continue
		}
		dg := Disagreement{Kind: KindAddress, Object: "address " + a.String()}
		var names, where []string
		for _, o := range os {
			names = append(names, o.d.Name)
			dg.Leaves = append(dg.Leaves, leaf(o.d, addrPathOf(o.ifc, a)))
			where = append(where, o.d.Name+" "+o.ifc.Name)
		}
		dg.Devices = sortedNames(names...)
		sort.Strings(dg.Leaves)
		dg.Reason = fmt.Sprintf("%s is configured on %s: routers reach whichever owner is nearest, so sessions and traffic "+
			"for it land on the wrong router; a link with the same address on both ends does not come up", a, strings.Join(where, " and "))
		t.disagree = append(t.disagree, dg)
	}
}

// prefixLengthMismatches finds interfaces on different devices whose
// addresses would share a link but whose prefix lengths differ (a /31 on one
// end, a /30 on the other). Such a link is not inferred from a shared subnet,
// so without this it would silently vanish; IS-IS refuses the adjacency (the
// neighbour is not on a common subnet) and the ends disagree on which
// addresses are on-link. It is listed as a down link with a disagreement.
func (t *topology) prefixLengthMismatches(seen map[string]bool) {
	type addrRef struct {
		ref ifaceRef
		p   netip.Prefix
	}
	lens := map[int]bool{}
	var all []addrRef
	for _, d := range t.net.Devices {
		for i, ifc := range d.Interfaces {
			if ifc.Loopback {
				continue
			}
			for _, a := range ifc.Addresses {
				if a.Bits() == a.Addr().BitLen() {
					continue
				}
				lens[a.Bits()] = true
				all = append(all, addrRef{ifaceRef{d.ID, i}, a})
			}
		}
	}
	// Every address, indexed by its address masked to each length in use.
	within := map[netip.Prefix][]addrRef{}
	for _, x := range all {
		for l := range lens {
			if l <= x.p.Bits() || l > x.p.Addr().BitLen() {
				continue
			}
			m, _ := x.p.Addr().Prefix(l)
			within[m] = append(within[m], x)
		}
	}
	for _, y := range all {
		s := y.p.Masked()
		for _, x := range within[s] {
			// x has a shorter prefix and its address lies in y's subnet, so
			// each end sees the other on-link by its own mask but not by the
			// other's.
			if x.ref.dev == y.ref.dev {
				continue
			}
			t.mismatchLink(x.ref, x.p, y.ref, y.p, s, seen)
		}
	}
}

func (t *topology) mismatchLink(x ifaceRef, xp netip.Prefix, y ifaceRef, yp netip.Prefix, subnet netip.Prefix, seen map[string]bool) {
	n := t.net
	if n.Devices[x.dev].Name > n.Devices[y.dev].Name {
		x, y = y, x
		xp, yp = yp, xp
	}
	dx, dy := n.Devices[x.dev], n.Devices[y.dev]
	ix, iy := &dx.Interfaces[x.iface], &dy.Interfaces[y.iface]
	l := Link{A: dx.Name, B: dy.Name, AIface: ix.Name, BIface: iy.Name, Subnet: subnet, a: x.dev, b: y.dev,
		Backbone: dx.Role == "backbone" && dy.Role == "backbone",
		Reason:   fmt.Sprintf("prefix length mismatch: %s on %s %s, %s on %s %s", xp, dx.Name, ix.Name, yp, dy.Name, iy.Name)}
	if seen[l.Key()] {
		return
	}
	seen[l.Key()] = true
	t.links = append(t.links, l)
	if !ix.Enabled || !iy.Enabled {
		return
	}
	t.disagree = append(t.disagree, Disagreement{Kind: KindLink, Object: linkObject(&l),
		Devices: sortedNames(dx.Name, dy.Name),
		Leaves: []string{leaf(dx, addrPathOf(ix, xp.Addr())+"/config/prefix-length"),
			leaf(dy, addrPathOf(iy, yp.Addr())+"/config/prefix-length")},
		Reason: fmt.Sprintf("%s has %s and %s has %s: both ends of a link must be on the same subnet with the same prefix length; "+
			"IS-IS refuses the neighbour (not on a common subnet) and the ends disagree on which addresses are on-link, so the link is down",
			dx.Name, xp, dy.Name, yp)})
}

// sortDisagreements orders disagreements by Object (then Kind and Reason), so
// the result is deterministic and one object's entries sit together.
func sortDisagreements(ds []Disagreement) []Disagreement {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Reason < b.Reason
	})
	return ds
}
