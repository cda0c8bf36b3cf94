package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/verdict"
)

// The backbone drawing: sites sorted by name on an ellipse (a grid would put
// sites in rows that say nothing and hide links behind boxes; on a ring every
// site is on the rim, with the long-haul links as chords), routers in a grid inside each site's
// rounded rectangle, external peers outside the rim beyond their site, DNS
// anycast announcers as badges in their site. Every position is computed
// from sorted names, so the same Topology draws the same SVG.

const (
	cellW, cellH   = 112.0, 36.0 // one router in a site box
	nodeW, nodeH   = 102.0, 24.0
	siteLabelH     = 30.0
	anycastRowH    = 24.0
	sitePad        = 10.0
	peerW, peerH   = 144.0, 32.0
	peerGap        = 12.0
	viewMargin     = 24.0
	minSiteRadius  = 120.0
	ellipseAspect  = 1.9
	siteClearance  = 28.0
	peerClearance  = 34.0
	noSiteLabel    = "(no site)"
	anycastBadgeW  = 102.0
	anycastBadgeH  = 18.0
	anycastBadgeGa = 6.0
)

type svgDrawing struct {
	ViewBox  string
	Width    string
	Height   string
	Sites    []svgSite
	Links    []svgLink
	Sessions []svgLink
	Nodes    []svgNode
	Peers    []svgPeer
	Empty    bool
}

type svgSite struct {
	Name               string
	X, Y, W, H, LX, LY string
	Class              string
	Anycast            []svgAnycast
	LostAnycast        int
}

type svgAnycast struct {
	X, Y, W, H, TX, TY string
	Service, Device    string
	Before, After      string // "announcing" or "withdrawn"
	Class              string
	Title              string
}

type svgNode struct {
	Name, Role string
	X, Y, W, H string
	TX, TY     string
	Class      string
	Title      string
}

type svgLink struct {
	X1, Y1, X2, Y2 string
	Class          string
	Title          string
}

type svgPeer struct {
	Name, Role, Device string
	X, Y, W, H         string
	TX, TY1, TY2       string
	Class              string
	Lost               string
	Title              string
}

type pt struct{ x, y float64 }

func f1(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}

func drawTopology(t verdict.Topology) svgDrawing {
	if len(t.Devices) == 0 {
		return svgDrawing{Empty: true}
	}
	// Devices per site, both sorted.
	bySite := map[string][]verdict.TopoDevice{}
	for _, d := range t.Devices {
		s := d.Site
		if s == "" {
			s = noSiteLabel
		}
		bySite[s] = append(bySite[s], d)
	}
	sites := sortedKeys(bySite)
	for _, s := range sites {
		sort.SliceStable(bySite[s], func(i, j int) bool { return bySite[s][i].Name < bySite[s][j].Name })
	}
	anyBySite := map[string][]verdict.TopoAnycast{}
	for _, a := range t.Anycast {
		s := a.Site
		if s == "" {
			s = noSiteLabel
		}
		anyBySite[s] = append(anyBySite[s], a)
	}
	for s, l := range anyBySite {
		sort.SliceStable(l, func(i, j int) bool {
			if l[i].Service != l[j].Service {
				return l[i].Service < l[j].Service
			}
			return l[i].Device < l[j].Device
		})
		anyBySite[s] = l
	}

	// Box sizes.
	type box struct {
		cols, rows int
		w, h       float64
		c          pt
	}
	boxes := map[string]*box{}
	for _, s := range sites {
		n := len(bySite[s])
		cols := int(math.Ceil(math.Sqrt(float64(n))))
		rows := (n + cols - 1) / cols
		w := float64(cols)*cellW + 2*sitePad
		h := siteLabelH + float64(rows)*cellH + sitePad
		if k := len(anyBySite[s]); k > 0 {
			per := max(1, int((w-2*sitePad+anycastBadgeGa)/(anycastBadgeW+anycastBadgeGa)))
			h += float64((k+per-1)/per) * anycastRowH
		}
		boxes[s] = &box{cols: cols, rows: rows, w: w, h: h}
	}
	// Sites on an ellipse, clockwise from the top, twice as wide as tall
	// (screens and site boxes are wide); the ellipse grows until no two boxes
	// come closer than siteClearance.
	n := len(sites)
	dir := map[string]pt{}
	for i, s := range sites {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		dir[s] = pt{math.Cos(a), math.Sin(a)}
		if n == 1 {
			dir[s] = pt{0, 1}
		}
	}
	place := func(k float64) {
		for _, s := range sites {
			if n == 1 {
				boxes[s].c = pt{}
				continue
			}
			boxes[s].c = pt{ellipseAspect * k * dir[s].x, k * dir[s].y}
		}
	}
	clear := func() bool {
		for i, a := range sites {
			for _, b := range sites[i+1:] {
				ba, bb := boxes[a], boxes[b]
				if math.Abs(ba.c.x-bb.c.x) < (ba.w+bb.w)/2+siteClearance && math.Abs(ba.c.y-bb.c.y) < (ba.h+bb.h)/2+siteClearance {
					return false
				}
			}
		}
		return true
	}
	k := minSiteRadius
	for place(k); !clear(); place(k) {
		k *= 1.05
	}

	var d svgDrawing
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x0, y0, x1, y1 float64) {
		minX, minY = min(minX, x0), min(minY, y0)
		maxX, maxY = max(maxX, x1), max(maxY, y1)
	}

	pos := map[string]pt{}
	site := map[string]string{}
	for _, s := range sites {
		b := boxes[s]
		x0, y0 := b.c.x-b.w/2, b.c.y-b.h/2
		grow(x0, y0, x0+b.w, y0+b.h)
		ss := svgSite{Name: s, X: f1(x0), Y: f1(y0), W: f1(b.w), H: f1(b.h), LX: f1(x0 + sitePad), LY: f1(y0 + 20), Class: "site"}
		for i, dev := range bySite[s] {
			cx := x0 + sitePad + float64(i%b.cols)*cellW + cellW/2
			cy := y0 + siteLabelH + float64(i/b.cols)*cellH + cellH/2
			pos[dev.Name] = pt{cx, cy}
			site[dev.Name] = s
			cls := "node role-" + cssIdent(dev.Role)
			title := dev.Name + " (" + orDash(dev.Role) + ", site " + s + ")"
			if dev.Changed {
				cls += " changed"
				title += ": config changed"
			}
			d.Nodes = append(d.Nodes, svgNode{Name: dev.Name, Role: dev.Role,
				X: f1(cx - nodeW/2), Y: f1(cy - nodeH/2), W: f1(nodeW), H: f1(nodeH),
				TX: f1(cx), TY: f1(cy + 4), Class: cls, Title: title})
		}
		per := max(1, int((b.w-2*sitePad+anycastBadgeGa)/(anycastBadgeW+anycastBadgeGa)))
		rowY := y0 + siteLabelH + float64(b.rows)*cellH + 2
		for i, a := range anyBySite[s] {
			ax := x0 + sitePad + float64(i%per)*(anycastBadgeW+anycastBadgeGa)
			ay := rowY + float64(i/per)*anycastRowH
			cls := "anycast" + state("ann", a.Before, a.After)
			title := fmt.Sprintf("%s anycast at site %s via %s: %s before, %s after", a.Service, s, a.Device,
				announcing(a.Before), announcing(a.After))
			if a.Reason != "" {
				title += ": " + a.Reason
			}
			if a.Before && !a.After {
				ss.LostAnycast++
			}
			ss.Anycast = append(ss.Anycast, svgAnycast{X: f1(ax), Y: f1(ay), W: f1(anycastBadgeW), H: f1(anycastBadgeH),
				TX: f1(ax + anycastBadgeW/2), TY: f1(ay + 13), Service: a.Service, Device: a.Device,
				Before: announcing(a.Before), After: announcing(a.After), Class: cls, Title: title})
		}
		if ss.LostAnycast > 0 {
			ss.Class += " anycast-lost"
		}
		d.Sites = append(d.Sites, ss)
	}

	links := append([]verdict.TopoLink(nil), t.Links...)
	sort.SliceStable(links, func(i, j int) bool {
		if links[i].A != links[j].A {
			return links[i].A < links[j].A
		}
		if links[i].B != links[j].B {
			return links[i].B < links[j].B
		}
		return links[i].AIface < links[j].AIface
	})
	// Parallel links between the same two routers are fanned out so each is seen.
	seenPair := map[string]int{}
	for _, l := range links {
		pa, oka := pos[l.A]
		pb, okb := pos[l.B]
		if !oka || !okb {
			continue
		}
		key := l.A + "\x00" + l.B
		k := seenPair[key]
		seenPair[key]++
		if k > 0 {
			dx, dy := pb.x-pa.x, pb.y-pa.y
			ln := math.Hypot(dx, dy)
			if ln > 0 {
				off := float64((k+1)/2) * 6 * float64(1-2*(k%2))
				nx, ny := -dy/ln*off, dx/ln*off
				pa, pb = pt{pa.x + nx, pa.y + ny}, pt{pb.x + nx, pb.y + ny}
			}
		}
		cls := "link" + state("up", l.Before, l.After)
		if l.Backbone {
			cls += " backbone"
		}
		if site[l.A] == site[l.B] {
			cls += " intra"
		}
		title := fmt.Sprintf("%s %s — %s %s: %s before, %s after", l.A, l.AIface, l.B, l.BIface, upDown(l.Before), upDown(l.After))
		d.Links = append(d.Links, svgLink{X1: f1(pa.x), Y1: f1(pa.y), X2: f1(pb.x), Y2: f1(pb.y), Class: cls, Title: title})
	}

	// External peers beyond their site, spread across the outward direction.
	peersBySite := map[string][]verdict.TopoPeer{}
	for _, p := range t.External {
		s, ok := site[p.Device]
		if !ok {
			continue
		}
		peersBySite[s] = append(peersBySite[s], p)
	}
	var placed []pt
	collides := func(c pt, boxes map[string]*box, placed []pt) bool {
		for _, b := range boxes {
			if math.Abs(c.x-b.c.x) < (peerW+b.w)/2+peerGap && math.Abs(c.y-b.c.y) < (peerH+b.h)/2+peerGap {
				return true
			}
		}
		for _, q := range placed {
			if math.Abs(c.x-q.x) < peerW+peerGap && math.Abs(c.y-q.y) < peerH+peerGap {
				return true
			}
		}
		return false
	}
	for _, s := range sortedKeys(peersBySite) {
		ps := peersBySite[s]
		sort.SliceStable(ps, func(i, j int) bool {
			if ps[i].Device != ps[j].Device {
				return ps[i].Device < ps[j].Device
			}
			return ps[i].Name < ps[j].Name
		})
		b, u := boxes[s], dir[s]
		// Distance from the box centre to its edge along u, then clearance.
		ext := math.Min(b.w/2/math.Max(math.Abs(u.x), 1e-9), b.h/2/math.Max(math.Abs(u.y), 1e-9))
		base := pt{b.c.x + u.x*(ext+peerClearance+peerH/2), b.c.y + u.y*(ext+peerClearance+peerH/2)}
		perp := pt{-u.y, u.x}
		// Spread along the perpendicular; the step covers the box's extent in that direction.
		step := math.Abs(perp.x)*(peerW+peerGap) + math.Abs(perp.y)*(peerH+peerGap)
		for i, p := range ps {
			off := (float64(i) - float64(len(ps)-1)/2) * step
			c := pt{base.x + perp.x*off, base.y + perp.y*off}
			// Push outwards until clear of every site box and peer already placed.
			for step := 0; step < 200 && collides(c, boxes, placed); step++ {
				c = pt{c.x + u.x*8, c.y + u.y*8}
			}
			placed = append(placed, c)
			x0, y0 := c.x-peerW/2, c.y-peerH/2
			grow(x0, y0, x0+peerW, y0+peerH)
			cls := "peer role-" + cssIdent(p.Role)
			title := fmt.Sprintf("external peer %s (%s) on %s: session %s after the change", p.Name, orDash(p.Role), p.Device, upDown(p.Up))
			lost := ""
			if len(p.Lost) > 0 {
				cls += " lost-prefixes"
				// The box is narrow: one prefix fits, more are counted (the
				// tooltip and the findings list them).
				lost = "loses " + p.Lost[0]
				if len(p.Lost) > 1 {
					lost = fmt.Sprintf("loses %d prefixes", len(p.Lost))
				}
				title += "; stops receiving " + strings.Join(p.Lost, ", ")
			}
			if !p.Up {
				cls += " session-down"
			}
			d.Peers = append(d.Peers, svgPeer{Name: p.Name, Role: p.Role, Device: p.Device,
				X: f1(x0), Y: f1(y0), W: f1(peerW), H: f1(peerH), TX: f1(c.x), TY1: f1(y0 + 14), TY2: f1(y0 + 28),
				Class: cls, Lost: lost, Title: title})
			dp := pos[p.Device]
			scls := "session"
			if !p.Up {
				scls += " session-down"
			}
			if len(p.Lost) > 0 {
				scls += " lost-prefixes"
			}
			d.Sessions = append(d.Sessions, svgLink{X1: f1(dp.x), Y1: f1(dp.y), X2: f1(c.x), Y2: f1(c.y), Class: scls, Title: title})
		}
	}

	minX, minY, maxX, maxY = minX-viewMargin, minY-viewMargin, maxX+viewMargin, maxY+viewMargin
	d.ViewBox = fmt.Sprintf("%s %s %s %s", f1(minX), f1(minY), f1(maxX-minX), f1(maxY-minY))
	d.Width, d.Height = f1(maxX-minX), f1(maxY-minY)
	return d
}

// state names the before/after classes CSS styles per view: e.g. "up-before
// down-after lost" for a link that goes down.
func state(what string, before, after bool) string {
	b, a := "no-"+what, "no-"+what
	if what == "up" {
		b, a = "down", "down"
	}
	if before {
		b = what
	}
	if after {
		a = what
	}
	s := " " + b + "-before " + a + "-after"
	switch {
	case before && !after:
		s += " lost"
	case !before && after:
		s += " gained"
	}
	return s
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

func announcing(a bool) string {
	if a {
		return "announcing"
	}
	return "withdrawn"
}

// cssIdent keeps a role usable as a class name whatever the inventory says.
func cssIdent(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}
