package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

const defaultISISMetric = 10

// Metric ranges: a wide (RFC 5305 §3.7) link metric is 24 bits, a narrow
// (ISO 10589) one 6 bits. A larger value is not a configuration a router
// accepts, and letting it through would wrap around in SPF.
const (
	maxWideMetric   = 1<<24 - 1
	maxNarrowMetric = 63
)

// authOf compiles one IS-IS authentication container. The password never
// leaves this function: only a hash of it, to tell whether two ends agree.
// A container whose enabled leaf is unset counts as configured when it
// carries anything: a router with a key configured sends and expects it.
func authOf(path string, enabled *bool, mode, typ any, password, keychain *string) network.ISISAuth {
	a := network.ISISAuth{Mode: oc.EnumName(mode), Type: oc.EnumName(typ)}
	if keychain != nil {
		a.Keychain = *keychain
	}
	if password != nil {
		h := sha256.Sum256([]byte(*password))
		a.KeyHash = hex.EncodeToString(h[:])
	}
	switch {
	case enabled != nil:
		a.Enabled = *enabled
	default:
		a.Enabled = a.Mode != "" || a.Type != "" || a.Keychain != "" || a.KeyHash != ""
	}
	if !a.Enabled {
		return network.ISISAuth{}
	}
	a.Path = path
	return a
}

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

// afNoDefault: an IS-IS address-family entry whose enabled leaf is absent.
// The model gives that leaf no default, so whether IS-IS carries IPv4 there
// is the vendor's choice (most take the entry's presence as on, some
// translate only an explicit true).
const afNoDefault = "IS-IS IPv4 address family listed without enabled, which has no default in the model: whether IS-IS carries IPv4 here is up to the vendor"

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
			if !isIPv4Unicast(k.AfiName, k.SafiName) {
				continue
			}
			if af.Enabled == nil {
				c.unmodelled(path+"/global/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/enabled", afNoDefault)
			} else if !*af.Enabled {
				out.Enabled = false // IPv4 is all the simulator routes
			}
		}
	}
	if g := is.Global; g != nil && g.LspBit != nil && g.LspBit.OverloadBit != nil {
		// set-bit-on-boot only holds the bit for a while after a reload: it
		// does not change the steady state the simulator computes.
		ob := g.LspBit.OverloadBit
		out.Overload = ob.SetBit != nil && *ob.SetBit
	}
	for _, n := range sortedKeys(is.Level) {
		l := is.Level[n]
		lpath := path + "/levels/level[level-number=" + strconv.Itoa(int(n)) + "]"
		if n < 1 || n > 2 {
			return c.errf(lpath, "level must be 1 or 2")
		}
		switch ms := oc.EnumName(l.MetricStyle); ms {
		case "", "WIDE_METRIC", "NARROW_METRIC":
			out.MetricStyle[n-1] = ms
		default:
			return c.errf(lpath+"/config/metric-style", "unknown metric-style %s", ms)
		}
		if a := l.Authentication; a != nil {
			out.LevelAuth[n-1] = authOf(lpath+"/authentication", a.Enabled, a.AuthMode, a.AuthType, a.AuthPassword, a.Keychain)
		}
		// enabled defaults to false in the model (openconfig-isis): a level
		// entry without it is a level switched off, as for the interface and
		// interface-level entries below.
		if l.Enabled == nil || !*l.Enabled {
			out.Levels &^= network.Level(1 << (n - 1))
		}
	}
	for _, id := range sortedKeys(is.Interface) {
		itf := is.Interface[id]
		ipath := path + "/interfaces/interface[interface-id=" + oc.EscapeKey(id) + "]"
		ii := network.ISISInterface{
			Interface:    normaliseIface(id),
			Enabled:      itf.Enabled != nil && *itf.Enabled, // default false in the model
			Passive:      itf.Passive != nil && *itf.Passive,
			PointToPoint: oc.EnumName(itf.CircuitType) == "POINT_TO_POINT",
			Metric:       [2]uint32{defaultISISMetric, defaultISISMetric},
			Path:         ipath,
		}
		if r := itf.InterfaceRef; r != nil && r.Interface != nil {
			ii.Interface = refName(r.Interface, r.Subinterface)
		}
		if a := itf.Authentication; a != nil {
			ii.Auth = authOf(ipath+"/authentication", a.Enabled, a.AuthMode, a.AuthType, a.AuthPassword, a.Keychain)
		}
		for k, af := range itf.Af {
			if !isIPv4Unicast(k.AfiName, k.SafiName) {
				continue
			}
			if af.Enabled == nil {
				c.unmodelled(ipath+"/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/enabled", afNoDefault)
			} else if !*af.Enabled {
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
			on := l.Enabled != nil && *l.Enabled // default false in the model
			lpath := ipath + "/levels/level[level-number=" + strconv.Itoa(int(n)) + "]"
			if a := l.HelloAuthentication; a != nil {
				ii.HelloAuth[n-1] = authOf(lpath+"/hello-authentication", a.Enabled, a.AuthMode, a.AuthType, a.AuthPassword, a.Keychain)
			}
			for k, af := range l.Af {
				if !isIPv4Unicast(k.AfiName, k.SafiName) {
					continue
				}
				if af.Metric != nil {
					if err := c.checkMetric(out, n, *af.Metric, lpath+"/afi-safi/af[afi-name=IPV4][safi-name=UNICAST]/config/metric"); err != nil {
						return err
					}
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

// checkMetric refuses a link metric outside the range of the level's metric
// style. An unset style is checked as wide: that is what the simulator
// assumes, and a router defaulting to narrow rejects such a metric itself.
func (c *devCompiler) checkMetric(is *network.ISIS, level uint8, m uint32, path string) error {
	if is.MetricStyle[level-1] == "NARROW_METRIC" {
		if m > maxNarrowMetric {
			return c.errf(path, "IS-IS metric %d is above the narrow maximum %d (level %d uses metric-style NARROW_METRIC)", m, maxNarrowMetric, level)
		}
		return nil
	}
	if m > maxWideMetric {
		return c.errf(path, "IS-IS metric %d is above the wide maximum %d (RFC 5305 §3.7)", m, maxWideMetric)
	}
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
