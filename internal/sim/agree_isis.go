package sim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/models/network"
)

// The IS-IS half of "both ends agree, or the adjacency is down". Each rule
// names what real routers do; where vendors differ the simulator takes the
// behaviour that fails closed (docs/modelled.md).

// maxWideMetric is the maximum wide link metric. RFC 5305 §3.7: a link
// advertised with it MUST NOT be considered in SPF (a drain by metric).
const maxWideMetric = 1<<24 - 1

// maxPathMetric is MAX_PATH_METRIC of RFC 5305 §3.7 / §4: a path whose total
// metric exceeds it is not used. Sums are made in 64 bits, so no path metric
// can wrap around.
const maxPathMetric = 0xFE000000

func isisAdjObject(l *Link) string {
	return fmt.Sprintf("isis adjacency %s %s — %s %s", l.A, l.AIface, l.B, l.BIface)
}

func isisLevelPath(is *network.ISIS, level int) string {
	return fmt.Sprintf("%s/levels/level[level-number=%d]", is.Path, level)
}

func levelsText(l network.Level) string {
	switch l {
	case network.Level1:
		return "level-1 only"
	case network.Level2:
		return "level-2 only"
	case network.Level12:
		return "level-1-2"
	}
	return "no level"
}

// instanceLevels decides which IS-IS instances run at all. An instance
// without a NET has no system ID and does not start (every implementation
// refuses to run IS-IS without one). Two routers with the same system ID
// flood LSPs that each one takes for a stale copy of its own and purges or
// re-originates with a higher sequence number: the LSPs fight, SPF churns and
// neither router's links can be trusted, so both are left out of SPF.
func (g *igp) instanceLevels() {
	n := g.t.net
	bySysID := map[string][]*network.Device{}
	for _, d := range n.Devices {
		if d.ISIS == nil || !d.ISIS.Enabled {
			continue
		}
		if d.ISIS.SystemID == "" {
			g.disagree = append(g.disagree, Disagreement{Kind: KindISISInstance, Object: "isis instance " + d.Name,
				Devices: []string{d.Name}, Leaves: []string{leaf(d, d.ISIS.Path+"/global/config/net")},
				Reason: d.Name + " has IS-IS configured but no NET: without a system ID IS-IS does not run, so " +
					d.Name + " forms no adjacency and advertises nothing"})
			continue
		}
		bySysID[d.ISIS.SystemID] = append(bySysID[d.ISIS.SystemID], d)
		g.levels[d.ID] = d.ISIS.Levels
	}
	ids := make([]string, 0, len(bySysID))
	for id, ds := range bySysID {
		if len(ds) > 1 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		ds := bySysID[id]
		dg := Disagreement{Kind: KindISISInstance, Object: "isis system-id " + id}
		var names []string
		for _, d := range ds {
			names = append(names, d.Name)
			dg.Leaves = append(dg.Leaves, leaf(d, d.ISIS.Path+"/global/config/net"))
			g.levels[d.ID] = 0
		}
		dg.Devices = sortedNames(names...)
		dg.Reason = fmt.Sprintf("system ID %s is used by %s: their LSPs overwrite each other (each purges or re-originates the "+
			"other's as a stale copy of its own), so both routers are left out of SPF", id, strings.Join(dg.Devices, " and "))
		g.disagree = append(g.disagree, dg)
	}
}

// notRunning: IS-IS is configured on both ends of an up link, but one end's
// instance does not run (no NET, or a duplicate system ID): the adjacency is
// down, and the finding names both ends, since the neighbour loses it too.
func (g *igp) notRunning(lk *Link, da, db *network.Device, ia, ib *network.ISISInterface) {
	if da.ISIS == nil || db.ISIS == nil || !da.ISIS.Enabled || !db.ISIS.Enabled {
		return
	}
	var down []string
	var leaves []string
	for _, e := range []struct {
		d  *network.Device
		ii *network.ISISInterface
	}{{da, ia}, {db, ib}} {
		if g.levels[e.d.ID] == 0 {
			down = append(down, e.d.Name)
			leaves = append(leaves, leaf(e.d, e.d.ISIS.Path+"/global/config/net"))
		} else {
			leaves = append(leaves, leaf(e.d, e.ii.Path+"/config/enabled"))
		}
	}
	g.disagree = append(g.disagree, Disagreement{Kind: KindISISAdjacency, Object: isisAdjObject(lk),
		Devices: sortedNames(da.Name, db.Name), Leaves: leaves,
		Reason: fmt.Sprintf("IS-IS does not run on %s (no NET, or a system ID another router uses): no adjacency between %s and %s",
			strings.Join(down, " and "), da.Name, db.Name)})
}

// adjacencyLevels returns the levels at which an up link's IS-IS adjacency
// comes up (0: none) and records every parameter the two ends disagree on.
// ia and ib are IS-IS enabled, non-passive interfaces of running instances.
func (g *igp) adjacencyLevels(lk *Link, da, db *network.Device, ia, ib *network.ISISInterface) network.Level {
	ea, eb := g.levels[lk.a]&ia.Levels, g.levels[lk.b]&ib.Levels
	obj := isisAdjObject(lk)
	devs := sortedNames(da.Name, db.Name)
	add := func(reason string, leaves ...string) {
		g.disagree = append(g.disagree, Disagreement{Kind: KindISISAdjacency, Object: obj, Devices: devs, Leaves: leaves, Reason: reason})
	}
	// An interface configured for levels its instance does not run at runs
	// IS-IS at no level: the neighbour's hellos go unanswered.
	if ea == 0 || eb == 0 {
		x, xi, xl, y, yi := da, ia, g.levels[lk.a], db, ib
		if ea != 0 {
			x, xi, xl, y, yi = db, ib, g.levels[lk.b], da, ia
		}
		add(fmt.Sprintf("%s runs IS-IS %s but its interface towards %s is configured %s: IS-IS runs at no level there, no adjacency",
			x.Name, levelsText(xl), y.Name, levelsText(xi.Levels)),
			leaf(x, x.ISIS.Path+"/global/config/level-capability"), leaf(x, xi.Path+"/levels"), leaf(y, yi.Path+"/levels"))
		return 0
	}
	// Circuit type: a point-to-point end sends point-to-point IIHs, a
	// broadcast end LAN IIHs; neither accepts the other's (ISO 10589 §8.2,
	// §8.4), so no adjacency at any level.
	if ia.PointToPoint != ib.PointToPoint {
		add(fmt.Sprintf("circuit type %s on %s %s vs %s on %s %s: point-to-point and LAN hellos do not match, no adjacency",
			circuit(ia), da.Name, lk.AIface, circuit(ib), db.Name, lk.BIface),
			leaf(da, ia.Path+"/config/circuit-type"), leaf(db, ib.Path+"/config/circuit-type"))
		return 0
	}
	common := ea & eb
	if common.Has(1) && !sharesArea(da.ISIS, db.ISIS) {
		common &^= network.Level1 // level 1 needs a common area (ISO 10589 §8.4.2.3); level 2 does not
	}
	if common == 0 {
		if ea&eb == 0 {
			add(fmt.Sprintf("%s is %s and %s is %s on this link: no common level, no adjacency",
				da.Name, levelsText(ea), db.Name, levelsText(eb)),
				leaf(da, da.ISIS.Path+"/global/config/level-capability"), leaf(da, ia.Path+"/levels"),
				leaf(db, db.ISIS.Path+"/global/config/level-capability"), leaf(db, ib.Path+"/levels"))
		} else {
			add(fmt.Sprintf("the only common level is 1 and the areas differ (%s: %s, %s: %s): a level-1 adjacency needs a common area, no adjacency",
				da.Name, strings.Join(da.ISIS.Areas, " "), db.Name, strings.Join(db.ISIS.Areas, " ")),
				leaf(da, da.ISIS.Path+"/global/config/net"), leaf(db, db.ISIS.Path+"/global/config/net"))
		}
		return 0
	}
	for l := 1; l <= 2; l++ {
		if !common.Has(l) {
			continue
		}
		// Metric style: a narrow-only router ignores wide TLVs (22/135) and a
		// wide-only router narrow ones (2/128), so the adjacency may come up
		// but neither end can use the other's links or prefixes. Vendors
		// differ in their defaults and transition modes; an unset style is
		// compared as its own value (fail closed).
		if sa, sb := da.ISIS.MetricStyle[l-1], db.ISIS.MetricStyle[l-1]; sa != sb {
			add(fmt.Sprintf("level %d metric style %s on %s vs %s on %s: each ignores the other's reachability TLVs, no usable adjacency",
				l, styleText(sa), da.Name, styleText(sb), db.Name),
				leaf(da, isisLevelPath(da.ISIS, l)+"/config/metric-style"), leaf(db, isisLevelPath(db.ISIS, l)+"/config/metric-style"))
			common &^= network.Level(1 << (l - 1))
			continue
		}
		// Authentication: hellos (interface and per-level hello
		// authentication) that fail the check are dropped, so no adjacency;
		// LSPs and SNPs (level authentication) that fail are dropped, so the
		// databases never synchronise. Either way the level is refused.
		for _, c := range []struct {
			what   string
			a, b   network.ISISAuth
			pa, pb string
		}{
			{"interface authentication", ia.Auth, ib.Auth, ia.Path + "/authentication", ib.Path + "/authentication"},
			{fmt.Sprintf("level %d hello authentication", l), ia.HelloAuth[l-1], ib.HelloAuth[l-1],
				fmt.Sprintf("%s/levels/level[level-number=%d]/hello-authentication", ia.Path, l),
				fmt.Sprintf("%s/levels/level[level-number=%d]/hello-authentication", ib.Path, l)},
			{fmt.Sprintf("level %d LSP authentication", l), da.ISIS.LevelAuth[l-1], db.ISIS.LevelAuth[l-1],
				isisLevelPath(da.ISIS, l) + "/authentication", isisLevelPath(db.ISIS, l) + "/authentication"},
		} {
			if why := authDiff(c.a, c.b, da.Name, db.Name); why != "" {
				add(fmt.Sprintf("%s: %s; packets failing the check are dropped, no adjacency at level %d", c.what, why, l),
					leaf(da, c.pa+"/config"), leaf(db, c.pb+"/config"))
				common &^= network.Level(1 << (l - 1))
			}
		}
	}
	return common
}

func circuit(ii *network.ISISInterface) string {
	if ii.PointToPoint {
		return "point-to-point"
	}
	return "broadcast"
}

func styleText(s string) string {
	switch s {
	case "WIDE_METRIC":
		return "wide"
	case "NARROW_METRIC":
		return "narrow"
	}
	return "unset (vendor default)"
}

// authDiff says how two authentication settings differ, never showing a key.
func authDiff(a, b network.ISISAuth, an, bn string) string {
	switch {
	case !a.Enabled && !b.Enabled:
		return ""
	case !b.Enabled:
		return "configured on " + an + " only"
	case !a.Enabled:
		return "configured on " + bn + " only"
	}
	var d []string
	if a.Mode != b.Mode {
		d = append(d, fmt.Sprintf("modes differ (%s vs %s)", orUnset(a.Mode), orUnset(b.Mode)))
	}
	if a.Type != b.Type {
		d = append(d, fmt.Sprintf("types differ (%s vs %s)", orUnset(a.Type), orUnset(b.Type)))
	}
	if a.Keychain != b.Keychain {
		d = append(d, fmt.Sprintf("key chains differ (%s vs %s)", orUnset(a.Keychain), orUnset(b.Keychain)))
	}
	if a.KeyHash != b.KeyHash {
		d = append(d, "authentication keys differ")
	}
	return strings.Join(d, ", ")
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}
