package oc

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/openconfig/ygot/exampleoc"
	"github.com/openconfig/ygot/ygot"
)

// PathElem is one element of a data-tree path, with its list keys (in YANG
// key order) when the element is a list entry.
type PathElem struct {
	Name string
	Keys []KeyValue
}

// KeyValue is one list key of a PathElem.
type KeyValue struct {
	Name, Value string
}

// Leaf is one configured leaf (or leaf-list) of a device tree.
type Leaf struct {
	Path  string     // gNMI-style, e.g. /interfaces/interface[name=et-0/0/1]/config/enabled
	Elems []PathElem // the same path, split
	Value string     // rendered value; leaf-lists as "[a, b]"
	// Key marks the config leaf that repeats a list key (config/name of
	// interface[name]): it carries no information beyond the entry's existence.
	Key bool
	// Synthetic marks leaves that are not in the schema but carry meaning the
	// plain leaves lose: the statement order of a policy-definition
	// (.../statements/@order), which decides which statement matches first.
	Synthetic bool
}

// Schema returns the path without list keys, e.g. /interfaces/interface/config/enabled.
func (l *Leaf) Schema() string { return SchemaPath(l.Elems) }

// Name is the last element's name.
func (l *Leaf) Name() string { return l.Elems[len(l.Elems)-1].Name }

// SchemaPath renders elems without keys.
func SchemaPath(elems []PathElem) string {
	var b strings.Builder
	for _, e := range elems {
		b.WriteByte('/')
		b.WriteString(e.Name)
	}
	return b.String()
}

// FormatPath renders elems as a gNMI path string. "]" and "\" inside key
// values are escaped as the gNMI path convention asks.
func FormatPath(elems []PathElem) string {
	var b strings.Builder
	for _, e := range elems {
		writeElem(&b, e)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// writeElem writes one element: "/name" and its keys, "[k=v]".
func writeElem(b *strings.Builder, e PathElem) {
	b.WriteByte('/')
	b.WriteString(e.Name)
	for _, k := range e.Keys {
		b.WriteByte('[')
		b.WriteString(k.Name)
		b.WriteByte('=')
		b.WriteString(keyEscaper.Replace(k.Value))
		b.WriteByte(']')
	}
}

var keyEscaper = strings.NewReplacer(`\`, `\\`, `]`, `\]`)

// EscapeKey escapes a list key value for a gNMI path string.
func EscapeKey(v string) string { return keyEscaper.Replace(v) }

// EnumName returns the YANG name of an enumeration or identity value ("" when
// unset or not an enum), so callers compare names instead of importing the
// generated constants.
func EnumName(v any) string {
	e, ok := v.(ygot.GoEnum)
	if !ok || reflect.ValueOf(v).Int() == 0 {
		return ""
	}
	n, err := ygot.EnumName(e)
	if err != nil {
		return ""
	}
	return n
}

// UnionValue unwraps a union leaf: it returns the Go value held (uint32,
// string, ...) or, for an enum member, its YANG name with isEnum set. A nil
// union gives (nil, false).
func UnionValue(u any) (v any, isEnum bool) {
	if u == nil {
		return nil, false
	}
	if _, ok := u.(ygot.GoEnum); ok {
		return EnumName(u), true
	}
	switch x := u.(type) {
	case exampleoc.UnionString:
		return string(x), false
	case exampleoc.UnionUint32:
		return uint32(x), false
	case exampleoc.UnionUint16:
		return uint16(x), false
	case exampleoc.UnionUint8:
		return uint8(x), false
	case exampleoc.UnionUint64:
		return uint64(x), false
	case exampleoc.UnionInt64:
		return int64(x), false
	case exampleoc.UnionBool:
		return bool(x), false
	case exampleoc.UnionFloat64:
		return float64(x), false
	}
	return fmt.Sprint(u), false
}

// Leaves renders every set leaf of a device tree, sorted by Path. It walks the
// generated structs directly (struct tags give the uncompressed schema path),
// which is an order of magnitude faster than ygot.TogNMINotifications or
// ygot.Diff and gives the path strings the rest of backstop prints.
func Leaves(d *Device) []Leaf {
	var out []Leaf
	if d == nil {
		return out
	}
	w := &leafWalker{out: &out}
	w.walkStruct(reflect.ValueOf(d).Elem(), nil, "", nil)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// leafWalker builds each leaf's path string from its parent's (prefix
// strings are passed down, so FormatPath runs once per list entry, not once
// per leaf) and cuts the leaves' Elems from slabs instead of one allocation
// each: a 1,000-router check walks millions of leaves.
type leafWalker struct {
	out  *[]Leaf
	slab []PathElem
}

var goEnumType = reflect.TypeOf((*ygot.GoEnum)(nil)).Elem()

// elems returns prefix followed by names, in a slice of its own: capacity
// ends at its length, so an append by a caller copies instead of writing
// into the next leaf's elements.
func (w *leafWalker) elems(prefix []PathElem, names []string) []PathElem {
	n := len(prefix) + len(names)
	if cap(w.slab)-len(w.slab) < n {
		w.slab = make([]PathElem, 0, max(4096, n))
	}
	start := len(w.slab)
	w.slab = append(w.slab, prefix...)
	for _, name := range names {
		w.slab = append(w.slab, PathElem{Name: name})
	}
	return w.slab[start:len(w.slab):len(w.slab)]
}

// elemString is one path element as FormatPath writes it.
func elemString(e PathElem) string {
	var b strings.Builder
	writeElem(&b, e)
	return b.String()
}

// leafField is what walkStruct needs of one field of a generated struct,
// worked out once per type: the struct tags are parsed on every visit
// otherwise, and most fields of an OpenConfig container are unset, so the
// tag parsing was most of the walk (Leaves runs on every device of both
// sides, in compile and in the diff).
type leafField struct {
	index   int
	names   []string // the schema path's elements below the parent
	suffix  string   // the same, as a path string ("/config/enabled")
	head    string   // all but the last element, as a path string (a list's container)
	alts    []string // the other paths of the field: a list key's config leaf
	ordered bool     // an ordered-by-user list (a *_OrderedMap)
}

var leafPlans sync.Map // reflect.Type -> []leafField

func leafPlanOf(t reflect.Type) []leafField {
	if p, ok := leafPlans.Load(t); ok {
		return p.([]leafField)
	}
	var plan []leafField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("ygotAnnotation") != "" {
			continue
		}
		tag := f.Tag.Get("path")
		if tag == "" {
			continue
		}
		alts := strings.Split(tag, "|")
		names := strings.Split(alts[0], "/")
		lf := leafField{index: i, names: names, alts: alts[1:],
			suffix: "/" + strings.Join(names, "/")}
		if len(names) > 1 {
			lf.head = "/" + strings.Join(names[:len(names)-1], "/")
		}
		if f.Type.Kind() == reflect.Ptr && f.Type.Elem().Kind() == reflect.Struct {
			_, values := f.Type.MethodByName("Values")
			lf.ordered = values && strings.HasSuffix(f.Type.Elem().Name(), "_OrderedMap")
		}
		plan = append(plan, lf)
	}
	p, _ := leafPlans.LoadOrStore(t, plan)
	return p.([]leafField)
}

// walkStruct visits a container or list entry at prefix (path string
// prefixStr, "" at the root); keys are the key names of the entry (nil for
// containers).
func (w *leafWalker) walkStruct(v reflect.Value, prefix []PathElem, prefixStr string, keys []string) {
	plan := leafPlanOf(v.Type())
	for i := range plan {
		lf := &plan[i]
		isKey := false
		for _, a := range lf.alts {
			for _, k := range keys {
				if a == k {
					isKey = true
				}
			}
		}
		fv := v.Field(lf.index)
		switch fv.Kind() {
		case reflect.Map:
			if fv.Len() > 0 {
				w.walkMap(fv, w.elems(prefix, lf.names), prefixStr+lf.head)
			}
		case reflect.Ptr:
			if fv.IsNil() {
				continue
			}
			if fv.Elem().Kind() == reflect.Struct {
				if lf.ordered {
					w.walkOrdered(fv.MethodByName("Values"), w.elems(prefix, lf.names), prefixStr+lf.head)
					continue
				}
				w.walkStruct(fv.Elem(), w.elems(prefix, lf.names), prefixStr+lf.suffix, nil)
				continue
			}
			w.leaf(w.elems(prefix, lf.names), prefixStr+lf.suffix, leafString(fv.Elem()), isKey)
		case reflect.Interface:
			if fv.IsNil() {
				continue
			}
			w.leaf(w.elems(prefix, lf.names), prefixStr+lf.suffix, leafString(fv.Elem()), isKey)
		case reflect.Slice:
			if fv.Len() == 0 {
				continue
			}
			w.leaf(w.elems(prefix, lf.names), prefixStr+lf.suffix, leafString(fv), isKey)
		case reflect.Int64:
			if fv.Int() == 0 { // an enum's UNSET
				continue
			}
			w.leaf(w.elems(prefix, lf.names), prefixStr+lf.suffix, leafString(fv), isKey)
		case reflect.Bool: // YANGEmpty
			if fv.Bool() {
				w.leaf(w.elems(prefix, lf.names), prefixStr+lf.suffix, "true", isKey)
			}
		}
	}
}

func (w *leafWalker) leaf(elems []PathElem, path, value string, key bool) {
	*w.out = append(*w.out, Leaf{Path: path, Elems: elems, Value: value, Key: key})
}

// listKeyNames returns the YANG key names of a list whose entries are of type et.
func listKeyNames(et reflect.Type) []string {
	if e, ok := exampleoc.SchemaTree[et.Name()]; ok {
		return strings.Fields(e.Key)
	}
	return nil
}

// walkMap visits a keyed list; prefix ends with the list's element, parentStr
// is the path string of everything before it.
func (w *leafWalker) walkMap(m reflect.Value, prefix []PathElem, parentStr string) {
	et := m.Type().Elem().Elem()
	names := listKeyNames(et)
	iter := m.MapRange()
	for iter.Next() {
		k := iter.Key()
		var kv []KeyValue
		if k.Kind() == reflect.Struct {
			kt := k.Type()
			for i := 0; i < kt.NumField(); i++ {
				kv = append(kv, KeyValue{Name: kt.Field(i).Tag.Get("path"), Value: leafString(k.Field(i))})
			}
		} else {
			name := "key"
			if len(names) > 0 {
				name = names[0]
			}
			kv = []KeyValue{{Name: name, Value: leafString(k)}}
		}
		p := w.elems(prefix, nil)
		p[len(p)-1] = PathElem{Name: p[len(p)-1].Name, Keys: kv}
		w.walkStruct(iter.Value().Elem(), p, parentStr+elemString(p[len(p)-1]), names)
	}
}

// walkOrdered visits an ordered-by-user list and adds the synthetic order leaf.
func (w *leafWalker) walkOrdered(values reflect.Value, prefix []PathElem, parentStr string) {
	vals := values.Call(nil)[0]
	if vals.Len() == 0 {
		return
	}
	et := vals.Type().Elem().Elem()
	names := listKeyNames(et)
	var order []string
	for i := 0; i < vals.Len(); i++ {
		ev := vals.Index(i).Elem()
		var kv []KeyValue
		for _, n := range names {
			kv = append(kv, KeyValue{Name: n, Value: keyFieldValue(ev, n)})
		}
		if len(kv) > 0 {
			order = append(order, kv[0].Value)
		}
		p := w.elems(prefix, nil)
		p[len(p)-1] = PathElem{Name: p[len(p)-1].Name, Keys: kv}
		w.walkStruct(ev, p, parentStr+elemString(p[len(p)-1]), names)
	}
	// The order leaf hangs off the list's parent container ("statements").
	parent := w.elems(prefix[:len(prefix)-1], []string{"@order"})
	*w.out = append(*w.out, Leaf{Path: parentStr + "/@order", Elems: parent,
		Value: "[" + strings.Join(order, ", ") + "]", Synthetic: true})
}

// keyFieldValue finds the key leaf named n in a list entry struct.
func keyFieldValue(ev reflect.Value, n string) string {
	t := ev.Type()
	for i := 0; i < t.NumField(); i++ {
		for _, a := range strings.Split(t.Field(i).Tag.Get("path"), "|") {
			if a == n {
				fv := ev.Field(i)
				if fv.Kind() == reflect.Ptr {
					if fv.IsNil() {
						return ""
					}
					fv = fv.Elem()
				}
				return leafString(fv)
			}
		}
	}
	return ""
}

// leafString renders a scalar, enum, union member, binary or leaf-list value.
func leafString(v reflect.Value) string {
	if v.Kind() == reflect.Interface || v.Kind() == reflect.Ptr {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Type().Implements(goEnumType) && v.CanInterface() {
		if n := EnumName(v.Interface()); n != "" {
			return n
		}
		return strconv.FormatInt(v.Int(), 10)
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = leafString(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Struct:
		return fmt.Sprint(v.Interface())
	}
	return fmt.Sprint(v)
}

// Aliases for the generated types compile and change walk, so that they never
// import the binding themselves.
type (
	Interface        = exampleoc.Interface
	Subinterface     = exampleoc.Interface_Subinterface
	NetworkInstance  = exampleoc.NetworkInstance
	Protocol         = exampleoc.NetworkInstance_Protocol
	ISIS             = exampleoc.NetworkInstance_Protocol_Isis
	ISISInterface    = exampleoc.NetworkInstance_Protocol_Isis_Interface
	BGP              = exampleoc.NetworkInstance_Protocol_Bgp
	BGPNeighbor      = exampleoc.NetworkInstance_Protocol_Bgp_Neighbor
	BGPPeerGroup     = exampleoc.NetworkInstance_Protocol_Bgp_PeerGroup
	StaticRoute      = exampleoc.NetworkInstance_Protocol_Static
	LocalAggregate   = exampleoc.NetworkInstance_Protocol_Aggregate
	TableConnection  = exampleoc.NetworkInstance_TableConnection
	RoutingPolicy    = exampleoc.RoutingPolicy
	PolicyDefinition = exampleoc.RoutingPolicy_PolicyDefinition
	PolicyStatement  = exampleoc.RoutingPolicy_PolicyDefinition_Statement
)
