package compile

import (
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

const defaultISISMetric = 10

func levelOf(levelCapability string) (network.Level, bool) {
	switch levelCapability {
	case "LEVEL_1":
		return network.Level1, true
	case "LEVEL_2":
		return network.Level2, true
	case "LEVEL_1_2", "":
		return network.Level12, true
	}
	return 0, false
}

// isIPv4Unicast reports whether an IS-IS af key is the (only simulated) IPv4 unicast.
func isIPv4Unicast(afi, safi any) bool {
	return oc.EnumName(afi) == "IPV4" && oc.EnumName(safi) == "UNICAST"
}

func (c *devCompiler) isis(is *oc.ISIS, path string, enabled bool) error {
	if is == nil {
		return nil
	}
	path += "/isis"
	out := &network.ISIS{Enabled: enabled, Levels: network.Level12, Path: path}
	if g := is.Global; g != nil {
		lv, ok := levelOf(oc.EnumName(g.LevelCapability))
		if !ok {
			return c.errf(path+"/global/config/level-capability", "unknown level-capability %s", oc.EnumName(g.LevelCapability))
		}
		out.Levels = lv
		for _, net := range g.Net {
			area, sysID, err := parseNET(net)
			if err != nil {
				return c.errf(path+"/global/config/net", "bad NET %q: %v", net, err)
			}
			if out.SystemID != "" && out.SystemID != sysID {
				return c.errf(path+"/global/config/net", "NETs disagree on the system id (%s, %s)", out.SystemID, sysID)
			}
			out.SystemID = sysID
			out.Areas = append(out.Areas, area)
		}
		for k, af := range g.Af {
			if isIPv4Unicast(k.AfiName, k.SafiName) && af.Enabled != nil && !*af.Enabled {
				out.Enabled = false // IPv4 is all the simulator routes
			}
		}
	}
	for n, l := range is.Level {
		if ms := oc.EnumName(l.MetricStyle); ms != "" && ms != "WIDE_METRIC" {
			c.unmodelled(path+"/levels/level[level-number="+strconv.Itoa(int(n))+"]/config/metric-style",
				"IS-IS metric style "+ms+" is not simulated (wide metrics assumed)")
		}
		if l.Enabled != nil && !*l.Enabled {
			if n < 1 || n > 2 {
				return c.errf(path+"/levels/level[level-number="+strconv.Itoa(int(n))+"]", "level must be 1 or 2")
			}
			out.Levels &^= network.Level(1 << (n - 1))
		}
	}
	for _, id := range sortedKeys(is.Interface) {
		itf := is.Interface[id]
		ipath := path + "/interfaces/interface[interface-id=" + oc.EscapeKey(id) + "]"
		ii := network.ISISInterface{
			Interface:    normaliseIface(id),
			Enabled:      itf.Enabled == nil || *itf.Enabled,
			Passive:      itf.Passive != nil && *itf.Passive,
			PointToPoint: oc.EnumName(itf.CircuitType) == "POINT_TO_POINT",
			Metric:       [2]uint32{defaultISISMetric, defaultISISMetric},
			Path:         ipath,
		}
		if r := itf.InterfaceRef; r != nil && r.Interface != nil {
			ii.Interface = refName(r.Interface, r.Subinterface)
		}
		for k, af := range itf.Af {
			if isIPv4Unicast(k.AfiName, k.SafiName) && af.Enabled != nil && !*af.Enabled {
				ii.Enabled = false
			}
		}
		if len(itf.Level) == 0 {
			ii.Levels = out.Levels
		}
		for _, n := range sortedKeys(itf.Level) {
			l := itf.Level[n]
			if n < 1 || n > 2 {
				return c.errf(ipath+"/levels/level[level-number="+strconv.Itoa(int(n))+"]", "level must be 1 or 2")
			}
			on := l.Enabled == nil || *l.Enabled
			for k, af := range l.Af {
				if !isIPv4Unicast(k.AfiName, k.SafiName) {
					continue
				}
				if af.Metric != nil {
					ii.Metric[n-1] = *af.Metric
				}
				if af.Enabled != nil && !*af.Enabled {
					on = false
				}
			}
			if on {
				ii.Levels |= network.Level(1 << (n - 1))
			}
		}
		out.Interfaces = append(out.Interfaces, ii)
	}
	c.dev.ISIS = out
	return nil
}

// parseNET splits an ISO NET such as 49.0001.0000.0000.0001.00 into its area
// (49.0001) and system id (0000.0000.0001).
func parseNET(net string) (area, sysID string, err error) {
	parts := strings.Split(net, ".")
	if len(parts) < 5 {
		return "", "", errf("want area.xxxx.xxxx.xxxx.nn")
	}
	for _, p := range parts {
		if p == "" {
			return "", "", errf("empty group")
		}
		if _, err := strconv.ParseUint(p, 16, 64); err != nil {
			return "", "", errf("%q is not hexadecimal", p)
		}
	}
	n := len(parts)
	if len(parts[n-1]) != 2 {
		return "", "", errf("the selector must be one byte")
	}
	for _, p := range parts[n-4 : n-1] {
		if len(p) != 4 {
			return "", "", errf("the system id must be three groups of four digits")
		}
	}
	return strings.Join(parts[:n-4], "."), strings.Join(parts[n-4:n-1], "."), nil
}
