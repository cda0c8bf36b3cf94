package compile

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

// ifaceName names subinterface 0 by its parent, as most CLIs do, so that an
// IS-IS interface-id or a BGP local-address of "et-0/0/1" and "et-0/0/1.0" both
// find it.
func ifaceName(parent string, sub uint32) string {
	if sub == 0 {
		return parent
	}
	return parent + "." + strconv.FormatUint(uint64(sub), 10)
}

// normaliseIface turns "et-0/0/1.0" into "et-0/0/1"; other names are kept.
func normaliseIface(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if n, err := strconv.ParseUint(name[i+1:], 10, 32); err == nil {
			return ifaceName(name[:i], uint32(n))
		}
	}
	return name
}

// parentOf returns the physical interface of a normalised name.
func parentOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if _, err := strconv.ParseUint(name[i+1:], 10, 32); err == nil {
			return name[:i]
		}
	}
	return name
}

// refName resolves an interface-ref (interface + optional subinterface).
func refName(iface *string, sub *uint32) string {
	if iface == nil {
		return ""
	}
	if sub == nil {
		return normaliseIface(*iface)
	}
	return ifaceName(*iface, *sub)
}

func isLoopback(name string, itf *oc.Interface) bool {
	return oc.EnumName(itf.Type) == "softwareLoopback" ||
		strings.HasPrefix(name, "lo") || strings.HasPrefix(name, "Loopback")
}

func sortedKeys[K interface{ ~string | ~uint32 | ~uint8 }, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (c *devCompiler) interfaces() error {
	for _, name := range sortedKeys(c.tree.Interface) {
		itf := c.tree.Interface[name]
		ifPath := "/interfaces/interface[name=" + oc.EscapeKey(name) + "]"
		ifEnabled := itf.Enabled == nil || *itf.Enabled
		loop := isLoopback(name, itf)
		added := false
		for _, idx := range sortedKeys(itf.Subinterface) {
			sub := itf.Subinterface[idx]
			subPath := ifPath + "/subinterfaces/subinterface[index=" + strconv.FormatUint(uint64(idx), 10) + "]"
			var addrs []netip.Prefix
			if v4 := sub.Ipv4; v4 != nil && (v4.Enabled == nil || *v4.Enabled) {
				for _, ip := range sortedKeys(v4.Address) {
					p, err := c.hostPrefix(subPath+"/ipv4/addresses/address[ip="+oc.EscapeKey(ip)+"]", ip, v4.Address[ip].PrefixLength, true)
					if err != nil {
						return err
					}
					addrs = append(addrs, p)
				}
			}
			if v6 := sub.Ipv6; v6 != nil && (v6.Enabled == nil || *v6.Enabled) {
				for _, ip := range sortedKeys(v6.Address) {
					p, err := c.hostPrefix(subPath+"/ipv6/addresses/address[ip="+oc.EscapeKey(ip)+"]", ip, v6.Address[ip].PrefixLength, false)
					if err != nil {
						return err
					}
					addrs = append(addrs, p)
				}
			}
			if len(addrs) == 0 && !loop {
				continue
			}
			path := ifPath
			if idx != 0 {
				path = subPath
			}
			ni := network.Interface{
				Name: ifaceName(name, idx), Parent: name, Subif: idx,
				Enabled:   ifEnabled && (sub.Enabled == nil || *sub.Enabled),
				Addresses: addrs, Loopback: loop, Path: path,
				IfPath: ifPath, SubPath: subPath,
			}
			if itf.Mtu != nil {
				ni.MTU = uint32(*itf.Mtu)
			}
			if sub.Ipv4 != nil && sub.Ipv4.Mtu != nil {
				ni.IPv4MTU = uint32(*sub.Ipv4.Mtu)
			}
			if e := itf.Ethernet; e != nil {
				ni.PortSpeed, ni.Duplex = oc.EnumName(e.PortSpeed), oc.EnumName(e.DuplexMode)
				if e.AutoNegotiate != nil {
					ni.AutoNeg = strconv.FormatBool(*e.AutoNegotiate)
				}
			}
			c.dev.Interfaces = append(c.dev.Interfaces, ni)
			added = true
		}
		if loop && !added {
			// An address-less loopback still exists; BGP may name it as local-address.
			ni := network.Interface{Name: name, Parent: name, Enabled: ifEnabled, Loopback: true, Path: ifPath, IfPath: ifPath}
			if itf.Mtu != nil {
				ni.MTU = uint32(*itf.Mtu)
			}
			c.dev.Interfaces = append(c.dev.Interfaces, ni)
		}
	}
	sort.Slice(c.dev.Interfaces, func(i, j int) bool { return c.dev.Interfaces[i].Name < c.dev.Interfaces[j].Name })
	return nil
}

// hostPrefix keeps the host bits (10.0.0.1/31, not 10.0.0.0/31): the simulator
// needs the address itself for next hops and session endpoints.
func (c *devCompiler) hostPrefix(path, ip string, plen *uint8, v4 bool) (netip.Prefix, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, c.errf(path, "bad address %q", ip)
	}
	if a.Is4() != v4 {
		return netip.Prefix{}, c.errf(path, "address %s is in the wrong address family", ip)
	}
	if plen == nil {
		return netip.Prefix{}, c.errf(path, "address %s has no prefix-length", ip)
	}
	p := netip.PrefixFrom(a, int(*plen))
	if !p.IsValid() {
		return netip.Prefix{}, c.errf(path, "bad prefix-length %d for %s", *plen, ip)
	}
	return p, nil
}
