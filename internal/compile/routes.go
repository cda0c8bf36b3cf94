package compile

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

// parsePrefix accepts only canonical prefixes (host bits zero): a route to
// "10.0.0.1/8" is a typo more often than an intent, and fail-closed means we
// say so rather than guess.
func (c *devCompiler) routePrefix(path, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, c.errf(path, "bad prefix %q", s)
	}
	if p.Masked() != p {
		return p, c.errf(path, "prefix %q has host bits set (did you mean %s?)", s, p.Masked())
	}
	return p, nil
}

func (c *devCompiler) statics(routes map[string]*oc.StaticRoute, path string) error {
	for _, pfx := range sortedKeys(routes) {
		r := routes[pfx]
		rpath := path + "/static-routes/static[prefix=" + oc.EscapeKey(pfx) + "]"
		p, err := c.routePrefix(rpath, pfx)
		if err != nil {
			return err
		}
		sr := network.StaticRoute{Prefix: p, Path: rpath}
		for _, idx := range sortedKeys(r.NextHop) {
			nh := r.NextHop[idx]
			hpath := rpath + "/next-hops/next-hop[index=" + oc.EscapeKey(idx) + "]"
			var h network.StaticNextHop
			if nh.Metric != nil {
				h.Metric = *nh.Metric
			}
			if nh.Preference != nil {
				h.Preference = *nh.Preference
				if h.Preference > 20 {
					c.floating = append(c.floating, floatingHop{hpath + "/config/preference", h.Preference})
				}
				if h.Preference >= 255 {
					// 255 is "infinite" distance on IOS, IOS-XR, EOS and FRR
					// (zebra's DISTANCE_INFINITY): the route is never
					// installed. Junos takes preferences up to 2^32-1 and
					// installs it. The simulator cannot say which.
					c.unmodelled(hpath+"/config/preference", fmt.Sprintf("static preference %d: IOS, IOS-XR, EOS and FRR never install a route at distance 255 or above, Junos does", h.Preference))
				}
			}
			if ref := nh.InterfaceRef; ref != nil {
				h.Interface = refName(ref.Interface, ref.Subinterface)
			}
			v, isEnum := oc.UnionValue(nh.NextHop)
			switch {
			case v == nil:
				if h.Interface == "" {
					return c.errf(hpath, "next-hop has neither an address nor an interface")
				}
			case isEnum:
				switch v {
				case "DROP":
					h.Discard = true
				case "LOCAL_LINK":
					if h.Interface == "" {
						return c.errf(hpath+"/config/next-hop", "LOCAL_LINK next-hop needs an interface-ref")
					}
				default:
					return c.errf(hpath+"/config/next-hop", "unknown next-hop %v", v)
				}
			default:
				s, _ := v.(string)
				if s == "DROP" || s == "openconfig-local-routing:DROP" {
					h.Discard = true
					break
				}
				a, err := netip.ParseAddr(s)
				if err != nil || a.Zone() != "" {
					return c.errf(hpath+"/config/next-hop", "bad next-hop %q", s)
				}
				if a.Is4() != p.Addr().Is4() {
					return c.errf(hpath+"/config/next-hop", "next-hop %s is in the wrong address family for %s", a, p)
				}
				h.Addr = a
			}
			sr.NextHops = append(sr.NextHops, h)
		}
		if len(sr.NextHops) == 0 {
			c.unmodelled(rpath, "static route without next-hops installs nothing")
			continue
		}
		c.dev.Statics = append(c.dev.Statics, sr)
	}
	return nil
}

func (c *devCompiler) aggregates(aggs map[string]*oc.LocalAggregate, path string) error {
	for _, pfx := range sortedKeys(aggs) {
		a := aggs[pfx]
		apath := path + "/local-aggregates/aggregate[prefix=" + oc.EscapeKey(pfx) + "]"
		p, err := c.routePrefix(apath, pfx)
		if err != nil {
			return err
		}
		c.dev.Aggregates = append(c.dev.Aggregates, network.Aggregate{
			Prefix: p, Discard: a.Discard != nil && *a.Discard, Path: apath})
	}
	return nil
}

var redistSources = map[string]network.Protocol{
	"DIRECTLY_CONNECTED": network.ProtoConnected,
	"STATIC":             network.ProtoStatic,
	"LOCAL_AGGREGATE":    network.ProtoLocalAggregate,
	"ISIS":               network.ProtoISIS,
}

// tableConnections compiles redistribution into BGP for IPv4; every other
// table-connection is reported by the classifier.
func (c *devCompiler) tableConnections(ni *oc.NetworkInstance, base string) error {
	type tc struct {
		src, dst, af string
		t            *oc.TableConnection
	}
	var list []tc
	for k, t := range ni.TableConnection {
		list = append(list, tc{oc.EnumName(k.SrcProtocol), oc.EnumName(k.DstProtocol), oc.EnumName(k.AddressFamily), t})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].src != list[j].src {
			return list[i].src < list[j].src
		}
		if list[i].dst != list[j].dst {
			return list[i].dst < list[j].dst
		}
		return list[i].af < list[j].af
	})
	for _, t := range list {
		src, ok := redistSources[t.src]
		if !ok || t.dst != "BGP" || t.af != "IPV4" {
			continue
		}
		path := base + "/table-connections/table-connection[src-protocol=" + t.src + "][dst-protocol=" + t.dst + "][address-family=" + t.af + "]"
		out := network.TableConnection{Src: src, Path: path}
		for _, p := range t.t.ImportPolicy {
			if _, ok := c.dev.Policies[p]; !ok {
				return c.errf(path+"/config/import-policy", "policy-definition %q does not exist", p)
			}
		}
		out.Import.Policies = append([]string(nil), t.t.ImportPolicy...)
		if d := oc.EnumName(t.t.DefaultImportPolicy); d != "" {
			out.Import.Default, out.Import.DefaultSet = defaultResult(d), true
		}
		c.dev.TableConnections = append(c.dev.TableConnections, out)
	}
	return nil
}
