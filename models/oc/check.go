package oc

// The schema-guided pass over a decoded RFC 7951 tree, before the binding
// sees it. It drops (and records) members the schema does not know, and
// refuses input the binding would accept but mean something else by:
// two list entries with the same key (the binding keeps the last: a
// reviewer sees one BGP neighbor, the router gets the other), a fraction
// where an integer belongs (the binding truncates: peer-as 3356.5 becomes
// 3356), and values the schema allows but the protocol does not.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// loc is a node's position in the tree, built as a parent-linked chain so
// the fast path allocates no path strings; path and steps are rendered only
// for errors and ignored members.
type loc struct {
	up     *loc
	member string // the JSON member name as written, for a member step
	idx    int
	isIdx  bool           // an array item
	list   *yang.Entry    // for a list entry: the list schema
	entry  map[string]any // for a list entry: the entry, to render its keys
}

func (l *loc) path() string {
	if l == nil {
		return ""
	}
	switch {
	case l.isIdx && l.list != nil:
		return l.up.path() + listKeys(l.list, l.entry)
	case l.isIdx:
		return l.up.path() // a leaf-list item: the leaf-list names it
	}
	return l.up.path() + "/" + stripModule(l.member)
}

func (l *loc) steps() []step {
	var out []step
	for ; l != nil; l = l.up {
		out = append(out, step{member: l.member, idx: l.idx, isIdx: l.isIdx})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// digest of a JSON value; encoding/json sorts object members, so equal
// values give equal digests whatever their order in the file.
func digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("unencodable %T", v)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

type pending struct {
	at  *loc
	msg string
}

// checker walks a generic tree against the schema.
type checker struct {
	ignored []Ignored
	errs    []pending
	slab    []loc
}

// newLoc allocates locs in blocks: one allocation per member was a third
// of the check's time. A block is never grown in place, so pointers into it
// stay valid.
func (c *checker) newLoc(l loc) *loc {
	if len(c.slab) == cap(c.slab) {
		c.slab = make([]loc, 0, 256)
	}
	c.slab = append(c.slab, l)
	return &c.slab[len(c.slab)-1]
}

func (c *checker) fail(at *loc, format string, args ...any) {
	c.errs = append(c.errs, pending{at: at, msg: fmt.Sprintf(format, args...)})
}

// result turns the collected problems into one InputError, the first by
// line (then path) so the message is deterministic, counting the rest.
func (c *checker) result(data []byte) error {
	if len(c.errs) == 0 {
		return nil
	}
	out := make([]*InputError, len(c.errs))
	for i, p := range c.errs {
		line := 0
		if data != nil {
			line = lineOf(data, locate(data, p.at.steps()))
		}
		out[i] = &InputError{Line: line, Path: p.at.path(), Msg: p.msg}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Msg < out[j].Msg
	})
	if len(out) > 1 {
		out[0].Msg += fmt.Sprintf(" (and %d more problem(s) in this file)", len(out)-1)
	}
	return out[0]
}

// object checks the members of obj (schema e) in place: unknown members are
// removed and recorded, numbers become float64 for the binding.
func (c *checker) object(e *yang.Entry, obj map[string]any, at *loc) {
	for name, v := range obj {
		if strings.HasPrefix(name, "@") {
			obj[name] = plainNumbers(v) // RFC 7951 metadata
			continue
		}
		local := stripModule(name)
		ch := child(e, local)
		if ch == nil {
			c.ignored = append(c.ignored, Ignored{Path: at.path() + "/" + name, Digest: digest(v)})
			delete(obj, name)
			continue
		}
		// A leaf's loc is made only if it has a problem (see where): leaves
		// are most members, and a loc each was most of the check's memory.
		w := where{up: at, member: name}
		if local != name {
			// "openconfig-interfaces:interfaces" and "interfaces" in one
			// object are the same node twice: as ambiguous as a duplicate.
			if _, dup := obj[local]; dup {
				c.fail(c.loc(w), "member %q given twice (as %q and %q)", local, local, name)
			}
			for other := range obj {
				if other != name && other != local && stripModule(other) == local && other < name {
					c.fail(c.loc(w), "member %q given twice (as %q and %q)", local, other, name)
				}
			}
		}
		switch {
		case ch.IsList():
			items, ok := v.([]any)
			if !ok {
				obj[name] = plainNumbers(v)
				continue // the binding reports the type error with its path
			}
			var seen keySeen
			keyed := ch.Key != ""
			l := c.loc(w)
			for i, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					items[i] = plainNumbers(it)
					continue
				}
				el := c.newLoc(loc{up: l, idx: i, isIdx: true, list: ch, entry: m})
				if keyed {
					if j, dup := seen.first(keyTuple(ch, m), i); dup {
						c.fail(el, "duplicate list entry: entries #%d and #%d of %s have the same key", j+1, i+1, local)
					}
				}
				c.object(ch, m, el)
			}
		case ch.IsDir():
			if m, ok := v.(map[string]any); ok {
				c.object(ch, m, c.loc(w))
			} else {
				obj[name] = plainNumbers(v)
			}
		default:
			nv := c.leaf(ch, v, w)
			if _, isNum := v.(json.Number); isNum {
				// Only a number changes form; other leaves are checked in
				// place (a leaf-list array is converted inside itself), so
				// the map write is skipped for them.
				obj[name] = nv
			}
		}
	}
}

// keySeen gives the first entry seen with a key tuple: a scan for short
// lists (one next-hop per static route; a map each was a fifth of the
// check), a map past eight entries.
type keySeen struct {
	small [8]struct {
		k string
		i int
	}
	n int
	m map[string]int
}

// first records key k for entry i unless an earlier entry j has it, in
// which case it reports (j, true) and keeps j.
func (s *keySeen) first(k string, i int) (int, bool) {
	if s.m == nil {
		for j := 0; j < s.n; j++ {
			if s.small[j].k == k {
				return s.small[j].i, true
			}
		}
		if s.n < len(s.small) {
			s.small[s.n].k, s.small[s.n].i = k, i
			s.n++
			return 0, false
		}
		s.m = make(map[string]int, 2*len(s.small))
		for j := 0; j < s.n; j++ {
			s.m[s.small[j].k] = s.small[j].i
		}
	}
	if j, ok := s.m[k]; ok {
		return j, true
	}
	s.m[k] = i
	return 0, false
}

// keyTuple is a list entry's key values, identityrefs without their module,
// so "BGP" and "openconfig-policy-types:BGP" are the same entry.
func keyTuple(list *yang.Entry, m map[string]any) string {
	if plainIdent(list.Key) {
		// One key (nearly every list): the tuple without the builder and
		// the Fields split, which were a tenth of the check's time.
		// The tuples of one list are only compared with each other, so a
		// single key needs no separator: "" for a missing key still equals
		// only "" (as "\x00" did).
		mk, ok := memberKey(m, list.Key)
		if !ok {
			return ""
		}
		if s, isStr := m[mk].(string); isStr {
			return valueNoModule(s)
		}
		return valueNoModule(keyString(m[mk]))
	}
	var b []byte
	for _, k := range strings.Fields(list.Key) {
		mk, ok := memberKey(m, k)
		if ok {
			if s, isStr := m[mk].(string); isStr {
				b = append(b, valueNoModule(s)...)
			} else {
				b = append(b, valueNoModule(keyString(m[mk]))...)
			}
		}
		b = append(b, 0)
	}
	return string(b)
}

// plainIdent: s is one YANG identifier, so strings.Fields(s) is [s].
func plainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// where names a leaf (or leaf-list item) without allocating its loc.
type where struct {
	at     *loc // the member's loc when the caller has one already
	up     *loc
	member string
	idx    int
	item   bool // a leaf-list item: the member's loc, then the index
}

// loc makes w's loc: the member step, and the item step for an item.
func (c *checker) loc(w where) *loc {
	l := w.at
	if l == nil {
		l = c.newLoc(loc{up: w.up, member: w.member})
	}
	if w.item {
		l = c.newLoc(loc{up: l, idx: w.idx, isIdx: true})
	}
	return l
}

func (c *checker) leaf(e *yang.Entry, v any, w where) any {
	if arr, ok := v.([]any); ok {
		for i, x := range arr {
			arr[i] = c.scalar(e, x, where{at: w.at, up: w.up, member: w.member, idx: i, item: true})
		}
		return arr
	}
	return c.scalar(e, v, w)
}

// scalar checks one leaf value and returns it in the binding's form.
func (c *checker) scalar(e *yang.Entry, v any, at where) any {
	n, isNum := v.(json.Number)
	t := e.Type
	if t != nil {
		switch {
		case isNum && !integerText(string(n)) && !typeHas(t, yang.Ydecimal64):
			// RFC 7951 §6.1: integers are JSON numbers without fraction or
			// exponent; only decimal64 has a fraction (and it is a string).
			c.fail(c.loc(at), "%s is not an integer (type %s)", n, typeName(t))
		case !isNum && smallInt(t.Kind):
			if _, isStr := v.(string); isStr {
				c.fail(c.loc(at), "an integer leaf (type %s) given as a JSON string; RFC 7951 §6.1 wants a number", typeName(t))
			}
		case isNum && smallInt(t.Kind) && len(t.Range) > 0 && !inRange(t.Range, string(n)):
			// The binding checks only the type's width when decoding; the
			// YANG range (IPv4 prefix-length 0..32) only in Validate, which
			// Load does not run on the whole tree (too slow per device).
			c.fail(c.loc(at), "%s is outside the range %s of %s", n, t.Range, typeName(t))
		case isNum && e.Name == "prefix-length" && zero(string(n)) && interfaceAddress(e):
			// A /0 interface address puts every destination on the link:
			// the device would ARP for the whole Internet. No vendor
			// accepts it; a gate must not simulate it.
			c.fail(c.loc(at), "prefix-length 0 on an interface address is not a valid subnet")
		}
	}
	if isNum {
		f, err := n.Float64()
		if err != nil {
			return v // the binding reports it (out of range)
		}
		return f
	}
	return v
}

func integerText(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func zero(s string) bool {
	v, err := strconv.ParseInt(s, 10, 64)
	return err == nil && v == 0
}

func smallInt(k yang.TypeKind) bool {
	switch k {
	case yang.Yint8, yang.Yint16, yang.Yint32, yang.Yuint8, yang.Yuint16, yang.Yuint32:
		return true
	}
	return false
}

func typeHas(t *yang.YangType, k yang.TypeKind) bool {
	if t.Kind == k {
		return true
	}
	for _, m := range t.Type {
		if typeHas(m, k) {
			return true
		}
	}
	return false
}

func typeName(t *yang.YangType) string {
	if t.Name != "" && t.Name != t.Kind.String() {
		return fmt.Sprintf("%s (%s)", t.Name, t.Kind)
	}
	return t.Kind.String()
}

// interfaceAddress reports whether e is an interface address's prefix length.
func interfaceAddress(e *yang.Entry) bool {
	p := e.Path()
	return strings.Contains(p, "/interfaces/") && strings.Contains(p, "/addresses/address/")
}

// plainNumbers converts json.Number anywhere in v to float64, the form the
// binding decodes.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
	case map[string]any:
		for k, y := range x {
			x[k] = plainNumbers(y)
		}
	case []any:
		for i, y := range x {
			x[i] = plainNumbers(y)
		}
	}
	return v
}

// CheckRendered runs the protocol checks of Load on a tree rendered by
// Marshal (a candidate built by a SetRequest, which the binding assembled
// without Load's checks). Errors name the path; line numbers would point
// into the rendering, not into anything the user wrote, so they are dropped.
func CheckRendered(raw []byte) error {
	v, err := decodeStrict(raw)
	if err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	c := &checker{}
	c.object(RootEntry(), m, nil)
	if err := c.result(nil); err != nil {
		return err
	}
	return nil
}

func inRange(r yang.YangRange, s string) bool {
	v, err := yang.ParseInt(s)
	if err != nil {
		return true // not an integer: reported elsewhere
	}
	return r.Contains(yang.YangRange{{Min: v, Max: v}})
}
