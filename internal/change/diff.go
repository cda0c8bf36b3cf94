// Package change builds the candidate and says what it changes.
//
// Stage: after snapshot, beside compile. Input: the running snapshot plus a
// gNMI SetRequest or candidate files (setrequest.go), then running and
// candidate snapshots (diff.go). Output: the candidate snapshot, and a
// ChangeSet: one Item per changed leaf plus one per list entry added or
// removed as a whole, sorted by device then path — the change list an
// engineer reviews and the causes later stages cite.
package change

import (
	"bytes"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
	"golang.org/x/sync/errgroup"
)

// Item operations.
const (
	OpAdd    = "add"
	OpDelete = "delete"
	OpChange = "change"
)

// diffRedacted replaces secret values (BGP auth passwords, keys) in Items:
// they must never reach a report, but that they changed must.
const diffRedacted = "<redacted>"

// Diff compares the candidate against running, device by device. Devices whose
// config bytes are identical (or that share the same DeviceConfig) are
// skipped; the others are walked in parallel. A device present on one side
// only is one Item with Object "device".
func Diff(running, candidate *snapshot.Snapshot) (*ChangeSet, error) {
	if running == nil || candidate == nil {
		return nil, fmt.Errorf("diff: nil snapshot")
	}
	seen := map[string]bool{}
	var names []string
	for _, s := range []*snapshot.Snapshot{running, candidate} {
		for n := range s.Devices {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)

	results := make([][]Item, len(names))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, n := range names {
		r, c := running.Devices[n], candidate.Devices[n]
		switch {
		case r == nil && c == nil:
			continue
		case r == nil:
			results[i] = []Item{{Device: n, Path: "/", Object: "device", Op: OpAdd, After: "new config"}}
			continue
		case c == nil:
			results[i] = []Item{{Device: n, Path: "/", Object: "device", Op: OpDelete, Before: "config removed"}}
			continue
		case r == c, len(r.Raw) > 0 && bytes.Equal(r.Raw, c.Raw):
			continue
		}
		g.Go(func() error {
			// A device whose decode was deferred (a cached compile) is
			// decoded here only because the change touches it.
			if err := r.Decoded(); err != nil {
				return err
			}
			if err := c.Decoded(); err != nil {
				return err
			}
			results[i] = diffDevice(n, r, c)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	cs := &ChangeSet{Items: []Item{}, Devices: []string{}}
	for i, items := range results {
		if len(items) > 0 {
			cs.Items = append(cs.Items, items...)
			cs.Devices = append(cs.Devices, names[i])
		}
	}
	return cs, nil
}

// diffEntries maps every list-entry path in leaves to its elements.
func diffEntries(leaves []oc.Leaf) map[string][]oc.PathElem {
	out := map[string][]oc.PathElem{}
	for _, l := range leaves {
		var b strings.Builder
		for i, e := range l.Elems {
			b.WriteString(oc.FormatPath(l.Elems[i : i+1]))
			if len(e.Keys) > 0 {
				p := b.String()
				if _, ok := out[p]; !ok {
					out[p] = l.Elems[:i+1]
				}
			}
		}
	}
	return out
}

// diffOwner returns the innermost list entry enclosing a leaf that is in set,
// or "" when there is none.
func diffOwner(l *oc.Leaf, set map[string]bool) string {
	var b strings.Builder
	owner := ""
	for i, e := range l.Elems[:len(l.Elems)-1] {
		b.WriteString(oc.FormatPath(l.Elems[i : i+1]))
		if len(e.Keys) > 0 && set[b.String()] {
			owner = b.String()
		}
	}
	return owner
}

func diffDevice(device string, r, c *snapshot.DeviceConfig) []Item {
	rl, cl := oc.Leaves(r.Tree), oc.Leaves(c.Tree)
	re, ce := diffEntries(rl), diffEntries(cl)
	added, removed := map[string]bool{}, map[string]bool{}
	var items []Item
	for p, elems := range ce {
		if _, ok := re[p]; !ok {
			added[p] = true
			obj, leaf := diffName(elems, false)
			items = append(items, Item{Device: device, Path: p, Object: obj, Leaf: leaf, Op: OpAdd})
		}
	}
	for p, elems := range re {
		if _, ok := ce[p]; !ok {
			removed[p] = true
			obj, leaf := diffName(elems, false)
			items = append(items, Item{Device: device, Path: p, Object: obj, Leaf: leaf, Op: OpDelete})
		}
	}
	leafItem := func(l *oc.Leaf, op, before, after string) {
		// A key leaf of an added or removed entry repeats the entry's item.
		if l.Key && (added[diffOwner(l, added)] || removed[diffOwner(l, removed)]) {
			return
		}
		obj, leaf := diffName(l.Elems, true)
		if oc.SecretLeaf(l.Name()) {
			if before != "" {
				before = diffRedacted
			}
			if after != "" {
				after = diffRedacted
			}
		}
		items = append(items, Item{Device: device, Path: l.Path, Object: obj, Leaf: leaf, Before: before, After: after, Op: op})
	}
	i, j := 0, 0
	for i < len(rl) || j < len(cl) {
		switch {
		case j == len(cl) || i < len(rl) && rl[i].Path < cl[j].Path:
			leafItem(&rl[i], OpDelete, rl[i].Value, "")
			i++
		case i == len(rl) || cl[j].Path < rl[i].Path:
			leafItem(&cl[j], OpAdd, "", cl[j].Value)
			j++
		default:
			if rl[i].Value != cl[j].Value {
				leafItem(&cl[j], OpChange, rl[i].Value, cl[j].Value)
			}
			i++
			j++
		}
	}
	diffIgnored(device, r, c, &items)
	if isFile(c.File) {
		for k := range items {
			if items[k].Op != OpDelete {
				items[k].File = c.File
				items[k].Line = oc.LineOfPath(c.Raw, items[k].Path)
			}
		}
	}
	sort.Slice(items, func(a, b int) bool { return items[a].Path < items[b].Path })
	return items
}

// diffIgnored reports members outside the binding that appear, disappear or
// change value (by digest: the loader does not keep their values). Each is a
// change of the device that the unmodelled invariant judges.
func diffIgnored(device string, r, c *snapshot.DeviceConfig, items *[]Item) {
	rs, cs := map[string]string{}, map[string]string{}
	for _, x := range r.Ignored {
		rs[x.Path] = x.Digest
	}
	for _, x := range c.Ignored {
		cs[x.Path] = x.Digest
	}
	for p, d := range cs {
		rd, ok := rs[p]
		switch {
		case !ok:
			*items = append(*items, Item{Device: device, Path: p, Object: "unmodelled member", Leaf: diffLastElem(p), Op: OpAdd})
		case rd != d:
			*items = append(*items, Item{Device: device, Path: p, Object: "unmodelled member", Leaf: diffLastElem(p), Op: OpChange,
				Before: "(value not read)", After: "(changed)"})
		}
	}
	for p := range rs {
		if _, ok := cs[p]; !ok {
			*items = append(*items, Item{Device: device, Path: p, Object: "unmodelled member", Leaf: diffLastElem(p), Op: OpDelete})
		}
	}
}

func diffLastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func isFile(f string) bool { return strings.HasSuffix(f, ".json") }

// diffElems parses a gNMI path string as oc.FormatPath writes it.
func diffElems(p string) []oc.PathElem {
	var out []oc.PathElem
	i := 0
	for i < len(p) {
		if p[i] != '/' {
			return nil
		}
		i++
		start := i
		for i < len(p) && p[i] != '/' && p[i] != '[' {
			i++
		}
		e := oc.PathElem{Name: p[start:i]}
		for i < len(p) && p[i] == '[' {
			var k, v strings.Builder
			inVal := false
			for i++; i < len(p) && p[i] != ']'; i++ {
				ch := p[i]
				if ch == '\\' && i+1 < len(p) {
					i++
					ch = p[i]
				} else if ch == '=' && !inVal {
					inVal = true
					continue
				}
				if inVal {
					v.WriteByte(ch)
				} else {
					k.WriteByte(ch)
				}
			}
			i++ // ']'
			e.Keys = append(e.Keys, oc.KeyValue{Name: k.String(), Value: v.String()})
		}
		out = append(out, e)
	}
	return out
}

// diffName names the object a path belongs to and the attribute within it,
// the way a network engineer would: "bgp neighbor 10.0.0.1" / "import-policy".
// For list entries (leaf false) the attribute is the entry itself when it is
// below the object ("prefix 10.0.0.0/8 exact" in prefix-set CRITICAL).
func diffName(elems []oc.PathElem, leaf bool) (object, attr string) {
	key := func(e oc.PathElem, i int) string {
		if i < len(e.Keys) {
			return e.Keys[i].Value
		}
		return ""
	}
	oi := -1 // index of the element that ends the object
	niPrefix := ""
	proto := ""
	for i, e := range elems {
		parent := ""
		if i > 0 {
			parent = elems[i-1].Name
		}
		switch {
		case e.Name == "interface" && i == 1 && parent == "interfaces":
			object, oi = "interface "+key(e, 0), i
		case e.Name == "subinterface" && oi == 1 && i == 3:
			object, oi = "subinterface "+key(elems[1], 0)+"."+key(e, 0), i
		case e.Name == "network-instance" && i == 1:
			if n := key(e, 0); !strings.EqualFold(n, "DEFAULT") {
				niPrefix = "network-instance " + n + " "
				object, oi = "network-instance "+n, i
			}
		case e.Name == "protocol" && parent == "protocols":
			proto = key(e, 0)
			switch proto {
			case "ISIS":
				object = "isis"
			case "BGP":
				object = "bgp"
			case "STATIC":
				object = "static routes"
			case "LOCAL_AGGREGATE":
				object = "aggregates"
			default:
				object = "protocol " + proto + " " + key(e, 1)
			}
			object, oi = niPrefix+object, i
		case proto == "ISIS" && e.Name == "interface" && parent == "interfaces":
			object, oi = niPrefix+"isis interface "+key(e, 0), i
		case proto == "ISIS" && e.Name == "level" && parent == "levels" && elems[i-2].Name == "isis":
			object, oi = niPrefix+"isis level "+key(e, 0), i
		case proto == "BGP" && e.Name == "neighbor" && parent == "neighbors":
			object, oi = niPrefix+"bgp neighbor "+key(e, 0), i
		case proto == "BGP" && e.Name == "peer-group" && parent == "peer-groups":
			object, oi = niPrefix+"bgp peer-group "+key(e, 0), i
		case e.Name == "static" && parent == "static-routes":
			object, oi = niPrefix+"static route "+key(e, 0), i
		case e.Name == "aggregate" && parent == "local-aggregates":
			object, oi = niPrefix+"aggregate "+key(e, 0), i
		case e.Name == "table-connection":
			object = niPrefix + "table-connection " + key(e, 0) + "→" + key(e, 1)
			if af := key(e, 2); af != "IPV4" {
				object += " (" + af + ")"
			}
			oi = i
		case e.Name == "policy-definition":
			object, oi = "policy "+key(e, 0), i
		case e.Name == "statement" && parent == "statements":
			object, oi = object+" statement "+key(e, 0), i
		case e.Name == "@order":
			return object, "statement order"
		case strings.HasSuffix(e.Name, "-set") && len(e.Keys) > 0 && strings.HasSuffix(parent, "-sets"):
			object, oi = e.Name+" "+key(e, 0), i
		}
	}
	if oi < 0 {
		if leaf {
			return oc.FormatPath(elems[:len(elems)-1]), elems[len(elems)-1].Name
		}
		return oc.FormatPath(elems), ""
	}
	return object, diffAttr(elems[oi+1:], leaf)
}

// diffAttr renders the elements below the object: containers by name
// ("ebgp-multihop enabled"), "config" and list wrappers dropped, list entries
// as qualifiers ("metric (level 2)"). An entry that is the last element is
// named by its qualifier alone.
func diffAttr(rest []oc.PathElem, leaf bool) string {
	if n := len(rest); n > 0 && rest[n-1].Name == "@order" {
		return "statement order"
	}
	var names, quals []string
	for i, e := range rest {
		last := i == len(rest)-1
		switch {
		case len(e.Keys) > 0:
			q := diffQualifier(e)
			if last && !leaf {
				names = append(names, q)
			} else if q != "" {
				quals = append(quals, q)
			}
		case e.Name == "config":
		case !last && len(rest[i+1].Keys) > 0:
			// "levels" before "level[2]": the wrapper says nothing new.
		default:
			names = append(names, e.Name)
		}
	}
	s := strings.Join(names, " ")
	if len(quals) > 0 {
		s += " (" + strings.Join(quals, ", ") + ")"
	}
	return s
}

func diffQualifier(e oc.PathElem) string {
	vals := make([]string, len(e.Keys))
	for i, k := range e.Keys {
		vals[i] = k.Value
	}
	switch {
	case e.Name == "af" && strings.Join(vals, " ") == "IPV4 UNICAST":
		return "" // the only IS-IS family that matters; naming it is noise
	}
	return e.Name + " " + strings.Join(vals, " ")
}

// Text renders the change list for a terminal, grouped per device, one line
// per item: "bb1.fra  interface et-0/0/1  enabled: true → false". A list entry
// added or removed as a whole is one line ("+ bgp neighbor 10.0.0.9
// peer-as=65001, peer-group=RR") that folds in the entry's own leaves; list
// entries nested in it get lines of their own.
func (c *ChangeSet) Text() string {
	if c == nil || len(c.Items) == 0 {
		return "no changes\n"
	}
	var b strings.Builder
	entries := map[string]int{} // path of a whole-entry item → index in lines
	type line struct {
		head  string
		depth int // path elements of the entry
		folds []string
	}
	var lines []line
	flush := func() {
		for _, l := range lines {
			b.WriteString(l.head)
			if len(l.folds) > 0 {
				const max = 6
				f := l.folds
				more := ""
				if len(f) > max {
					more = fmt.Sprintf(", … (%d more)", len(f)-max)
					f = f[:max]
				}
				b.WriteString("  " + strings.Join(f, ", ") + more)
			}
			b.WriteByte('\n')
		}
		lines = lines[:0]
	}
	dev := ""
	for _, it := range c.Items {
		if it.Device != dev {
			flush()
			if dev != "" {
				b.WriteByte('\n')
			}
			dev = it.Device
			entries = map[string]int{}
		}
		// Whole-entry items are the only ones whose path ends in a key.
		if strings.HasSuffix(it.Path, "]") && it.Op != OpChange {
			sign := "+"
			if it.Op == OpDelete {
				sign = "-"
			}
			head := it.Device + "  " + sign + " " + it.Object
			if it.Leaf != "" {
				head += "  " + it.Leaf
			}
			entries[it.Path] = len(lines)
			lines = append(lines, line{head: head, depth: len(diffElems(it.Path))})
			continue
		}
		if owner, ok := diffTextOwner(entries, it.Path); ok && it.Op != OpChange {
			v := it.After
			if it.Op == OpDelete {
				v = it.Before
			}
			name := diffLastElem(it.Path)
			if el := diffElems(it.Path); len(el) > lines[owner].depth {
				name = diffAttr(el[lines[owner].depth:], true)
			}
			lines[owner].folds = append(lines[owner].folds, name+"="+v)
			continue
		}
		lines = append(lines, line{head: it.Device + "  " + diffTextLine(it)})
	}
	flush()
	return b.String()
}

// diffTextOwner finds the innermost whole-entry line that contains path.
func diffTextOwner(entries map[string]int, path string) (int, bool) {
	for p := path; p != ""; {
		i := strings.LastIndexByte(p, '/')
		if i <= 0 {
			return 0, false
		}
		p = p[:i]
		if idx, ok := entries[p]; ok {
			return idx, true
		}
	}
	return 0, false
}

func diffTextLine(it Item) string {
	switch {
	case it.Object == "device" && it.Op == OpAdd:
		return "+ device (new config)"
	case it.Object == "device":
		return "- device (config removed)"
	case it.Object == "unmodelled member" && it.Op == OpAdd:
		return "+ unmodelled member " + it.Path
	case it.Object == "unmodelled member":
		return "- unmodelled member " + it.Path
	}
	before, after := it.Before, it.After
	if it.Op == OpAdd {
		before = "(unset)"
	}
	if it.Op == OpDelete {
		after = "(unset)"
	}
	return it.Object + "  " + it.Leaf + ": " + before + " → " + after
}
