package oc

// A fast binder from the checked generic tree to the generated GoStructs.
//
// ytypes.Unmarshal does the same job at 1–2 MB/s: for every struct it
// re-derives each field's schema and data paths from the struct tags, and it
// formats debug strings (pretty.Sprint of whole subtrees) that are never
// printed. The binder derives the same facts once per struct type (plan),
// then walks the JSON members instead of the struct fields.
//
// It must give exactly the struct ytypes gives, because a gate that reads a
// leaf differently from the reference binding is worse than a slow one. So it
// only takes shapes whose ytypes behaviour it reproduces step by step (the
// comments name the ytypes function each step mirrors); on anything else —
// a member ytypes would reject, a type it does not know, a list key seen
// twice — it returns errFallback and Load runs ytypes.Unmarshal on the whole
// document, which also produces ytypes' own error text. The fallbacks are
// counted so tests can prove the shipped configs never take that path.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/openconfig/goyang/pkg/yang"
	"github.com/openconfig/ygot/util"
	"github.com/openconfig/ygot/ygot"
)

// errFallback means "let ytypes decide": the input may be valid or not.
var errFallback = errors.New("shape not handled by the fast binder")

// fallbacks counts documents the binder handed to ytypes.Unmarshal.
var fallbacks atomic.Int64

// Fallbacks is the number of documents Load decoded through ytypes.Unmarshal
// because the fast binder did not handle their shape (or they were invalid).
func Fallbacks() int64 { return fallbacks.Load() }

// fallbackWhy records the last reason, for tests that want to say which
// shape is missing instead of only that one is.
var fallbackWhy atomic.Value

func fallback(format string, args ...any) error {
	fallbackWhy.Store(fmt.Sprintf(format, args...))
	return errFallback
}

type planKey struct {
	t      reflect.Type // struct type (not the pointer)
	schema *yang.Entry
}

// plans holds one plan per (struct type, schema); the exampleoc schema has
// thousands of nodes, so plans are built when first met, not up front.
var plans sync.Map // planKey → *structPlan

type fieldKind uint8

const (
	kContainer  fieldKind = iota
	kMap                  // keyed list as a Go map
	kOrderedMap           // ordered-by-user keyed list (generated *_OrderedMap)
	kSlice                // unkeyed list as a slice of struct pointers
	kLeaf
	kLeafList
)

type structPlan struct {
	t      reflect.Type
	schema *yang.Entry
	fields []*fieldPlan
	root   *memberNode
	bad    string // why the type cannot be bound at all ("" when it can)
}

// memberNode is one level of the data-tree paths the struct's fields cover
// (ytypes' checkDataTreeAgainstPaths tree): members not in it are an error
// for ytypes, so they are a fallback here.
type memberNode struct {
	sub     map[string]*memberNode // nil for a terminal
	targets []target               // fields whose path ends here
}

type target struct {
	field int // index into structPlan.fields
	path  int // which of the field's paths (tag order matters for ytypes)
}

type fieldPlan struct {
	index  int // Go struct field index
	name   string
	kind   fieldKind
	npaths int
	schema *yang.Entry
	bad    string // set when the field's shape is not handled; fallback if present

	child atomic.Pointer[structPlan] // element / container plan, built lazily
	elem  reflect.Type               // container or list element struct type

	// keyed lists
	keyField  int       // single key: struct field index of the key in the element
	multiKey  []keyCopy // multi key: key struct field ← element field
	appendIdx int       // ordered map: index of Append in the pointer's method set

	leaf *leafPlan
}

type keyCopy struct {
	keyField  int
	elemField int
	deref     bool
}

type leafPlan struct {
	kind  yang.TypeKind // after leafref resolution
	ptr   bool          // field is *T: store a pointer to the value
	vtype reflect.Type  // Go type sanitizeJSON returns for kind
	enum  *enumTable
	union *unionPlan
}

// enumTable maps a value name without module to its number, as ytypes'
// castToEnumValue does by scanning ΛMap. Names that strip to the same string
// twice are ambiguous (ytypes' answer depends on map order): fallback.
type enumTable struct {
	t         reflect.Type
	values    map[string]int64
	ambiguous map[string]bool
}

type unionPlan struct {
	ets   []*enumTable
	sks   []yang.TypeKind
	to    reflect.Value // To_<Union> bound to a nil parent pointer
	slice bool
}

var enumTables sync.Map // reflect.Type → *enumTable

func enumTableOf(t reflect.Type) (*enumTable, error) {
	if v, ok := enumTables.Load(t); ok {
		return v.(*enumTable), nil
	}
	m := reflect.New(t).MethodByName("ΛMap")
	if !m.IsValid() {
		return nil, fmt.Errorf("%v has no ΛMap", t)
	}
	out := m.Call(nil)
	all, ok := out[0].Interface().(map[string]map[int64]ygot.EnumDefinition)
	if !ok {
		return nil, fmt.Errorf("%v ΛMap has type %T", t, out[0].Interface())
	}
	defs, ok := all[t.Name()]
	if !ok {
		return nil, fmt.Errorf("%v is not in its ΛMap", t)
	}
	et := &enumTable{t: t, values: map[string]int64{}, ambiguous: map[string]bool{}}
	for k, d := range defs {
		n := util.StripModulePrefix(d.Name)
		if _, dup := et.values[n]; dup {
			et.ambiguous[n] = true
		}
		et.values[n] = k
	}
	v, _ := enumTables.LoadOrStore(t, et)
	return v.(*enumTable), nil
}

// lookup mirrors castToEnumValue: (value, true) on a match, (nil, false)
// when no name matches; errFallback when the match is ambiguous.
func (et *enumTable) lookup(s string) (reflect.Value, bool, error) {
	n := stripPrefix(s)
	k, ok := et.values[n]
	if !ok {
		return reflect.Value{}, false, nil
	}
	if et.ambiguous[n] {
		return reflect.Value{}, false, fallback("ambiguous enum name %q in %v", s, et.t)
	}
	return reflect.ValueOf(k).Convert(et.t), true, nil
}

func planFor(t reflect.Type, schema *yang.Entry) *structPlan {
	k := planKey{t, schema}
	if v, ok := plans.Load(k); ok {
		return v.(*structPlan)
	}
	p := buildPlan(t, schema)
	v, _ := plans.LoadOrStore(k, p)
	return v.(*structPlan)
}

var goOrderedMapType = reflect.TypeOf((*ygot.GoOrderedMap)(nil)).Elem()

// buildPlan mirrors the per-field preparation of ytypes' unmarshalStruct.
func buildPlan(t reflect.Type, schema *yang.Entry) *structPlan {
	p := &structPlan{t: t, schema: schema, root: &memberNode{sub: map[string]*memberNode{}}}
	type pathOf struct {
		p      []string
		target target
	}
	var all []pathOf
	for i := 0; i < t.NumField(); i++ {
		ft := t.Field(i)
		if util.IsYgotAnnotation(ft) {
			// ytypes does not decode annotations but allows the last
			// element of their paths; "@" members fall back below, so they
			// are left out of the tree.
			continue
		}
		if _, ok := ft.Tag.Lookup("shadow-path"); ok {
			p.bad = "shadow-path tag on " + ft.Name
			return p
		}
		cs, err := util.ChildSchema(schema, ft)
		if err != nil || cs == nil {
			p.bad = fmt.Sprintf("no schema for field %s (%v)", ft.Name, err)
			return p
		}
		sp, err := util.SchemaPaths(ft)
		if err != nil {
			p.bad = err.Error()
			return p
		}
		paths := removeNonDataPathElements(schema, sp)
		fp := &fieldPlan{index: i, name: ft.Name, schema: cs, npaths: len(paths)}
		planField(fp, t, ft, cs)
		fi := len(p.fields)
		p.fields = append(p.fields, fp)
		for j, pp := range paths {
			if len(pp) == 0 {
				p.bad = "empty data path for " + ft.Name
				return p
			}
			all = append(all, pathOf{pp, target{fi, j}})
		}
	}
	// A path that is a prefix of another would make ytypes' allow-tree
	// depend on field order; the generated structs have none.
	for _, a := range all {
		n := p.root
		for j, e := range a.p {
			e = util.StripModulePrefix(e)
			c := n.sub[e]
			last := j == len(a.p)-1
			if c == nil {
				c = &memberNode{}
				if !last {
					c.sub = map[string]*memberNode{}
				}
				n.sub[e] = c
			}
			if last {
				if c.sub != nil {
					p.bad = "path prefix conflict at " + e
					return p
				}
				c.targets = append(c.targets, a.target)
			} else if c.sub == nil {
				p.bad = "path prefix conflict at " + e
				return p
			}
			n = c
		}
	}
	return p
}

// planField classifies one field the way ytypes' unmarshalGeneric would
// dispatch on its schema, and records anything it would refuse.
func planField(fp *fieldPlan, parentT reflect.Type, ft reflect.StructField, cs *yang.Entry) {
	switch {
	case cs.IsLeaf() || cs.IsLeafList():
		if cs.IsLeafList() {
			fp.kind = kLeafList
		} else {
			fp.kind = kLeaf
		}
		// unmarshalLeaf finds its field by schema (schemaToStructFieldName);
		// it must be this one.
		if idx := fieldForSchema(cs, parentT); idx != fp.index {
			fp.bad = fmt.Sprintf("schema %s resolves to field %d, not %d", cs.Name, idx, fp.index)
			return
		}
		if cs.Type == nil || cs.Kind != yang.LeafEntry {
			fp.bad = "invalid leaf schema " + cs.Name
			return
		}
		if cs.IsLeafList() && cs.Type.Kind == yang.Yempty {
			fp.bad = "leaf-list of empty"
			return
		}
		lp, err := planLeaf(parentT, ft, cs)
		if err != nil {
			fp.bad = err.Error()
			return
		}
		fp.leaf = lp
	case cs.IsList():
		if err := validateListSchema(cs); err != nil {
			fp.bad = err.Error()
			return
		}
		planList(fp, ft, cs)
	case cs.IsChoice():
		fp.bad = "choice schema for field " + ft.Name
	case cs.IsContainer():
		if ft.Type.Kind() != reflect.Ptr || ft.Type.Elem().Kind() != reflect.Struct {
			fp.bad = "container field is not a struct pointer"
			return
		}
		fp.kind = kContainer
		fp.elem = ft.Type.Elem()
	default:
		fp.bad = "unknown schema kind for " + ft.Name
	}
}

func planList(fp *fieldPlan, ft reflect.StructField, cs *yang.Entry) {
	t := ft.Type
	switch {
	case t.Kind() == reflect.Ptr && t.Implements(goOrderedMapType):
		m, ok := t.MethodByName("Append")
		if !ok || m.Type.NumIn() != 2 || m.Type.NumOut() != 1 {
			fp.bad = "ordered map without Append"
			return
		}
		et := m.Type.In(1)
		if et.Kind() != reflect.Ptr || et.Elem().Kind() != reflect.Struct {
			fp.bad = "ordered map element is not a struct pointer"
			return
		}
		fp.kind = kOrderedMap
		fp.elem = et.Elem()
		fp.appendIdx = m.Index
	case t.Kind() == reflect.Map:
		et := t.Elem()
		if et.Kind() != reflect.Ptr || et.Elem().Kind() != reflect.Struct {
			fp.bad = "map element is not a struct pointer"
			return
		}
		fp.kind = kMap
		fp.elem = et.Elem()
		kt := t.Key()
		if kt.Kind() == reflect.Struct {
			// makeKeyForInsert: copy each key-struct field from the
			// element field of the same name.
			for i := 0; i < kt.NumField(); i++ {
				kf := kt.Field(i)
				ef, ok := fp.elem.FieldByName(kf.Name)
				if !ok || len(ef.Index) != 1 {
					fp.bad = "key field " + kf.Name + " not in element"
					return
				}
				vt := ef.Type
				deref := vt.Kind() == reflect.Ptr
				if deref {
					vt = vt.Elem()
				}
				if !vt.AssignableTo(kf.Type) {
					fp.bad = "key field " + kf.Name + " not assignable"
					return
				}
				fp.multiKey = append(fp.multiKey, keyCopy{keyField: i, elemField: ef.Index[0], deref: deref})
			}
			return
		}
		// getKeyValue: the first field whose schema path ends in the key.
		fp.keyField = -1
		for i := 0; i < fp.elem.NumField(); i++ {
			p, err := util.RelativeSchemaPath(fp.elem.Field(i))
			if err != nil {
				fp.bad = err.Error()
				return
			}
			if p[len(p)-1] == cs.Key {
				fp.keyField = i
				break
			}
		}
		if fp.keyField < 0 {
			fp.bad = "no key field " + cs.Key
			return
		}
		vt := fp.elem.Field(fp.keyField).Type
		if vt.Kind() == reflect.Ptr {
			vt = vt.Elem()
		}
		if vt != kt {
			fp.bad = fmt.Sprintf("key type %v is not the map's %v", vt, kt)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Ptr && t.Elem().Elem().Kind() == reflect.Struct:
		fp.kind = kSlice
		fp.elem = t.Elem().Elem()
	default:
		fp.bad = fmt.Sprintf("list field of type %v", t)
	}
}

// goTypeOf is the Go type sanitizeJSON returns for a YANG kind.
func goTypeOf(k yang.TypeKind) reflect.Type {
	switch k {
	case yang.Ybinary:
		return reflect.TypeOf([]byte(nil))
	case yang.Yempty, yang.Ybool:
		return reflect.TypeOf(false)
	case yang.Ystring:
		return reflect.TypeOf("")
	case yang.Ydecimal64:
		return reflect.TypeOf(float64(0))
	case yang.Yint8:
		return reflect.TypeOf(int8(0))
	case yang.Yint16:
		return reflect.TypeOf(int16(0))
	case yang.Yint32:
		return reflect.TypeOf(int32(0))
	case yang.Yint64:
		return reflect.TypeOf(int64(0))
	case yang.Yuint8:
		return reflect.TypeOf(uint8(0))
	case yang.Yuint16:
		return reflect.TypeOf(uint16(0))
	case yang.Yuint32:
		return reflect.TypeOf(uint32(0))
	case yang.Yuint64:
		return reflect.TypeOf(uint64(0))
	}
	return nil
}

func planLeaf(parentT reflect.Type, ft reflect.StructField, cs *yang.Entry) (*leafPlan, error) {
	s, err := util.ResolveIfLeafRef(cs)
	if err != nil {
		return nil, err
	}
	if s.Type == nil {
		return nil, fmt.Errorf("no type for %s", s.Name)
	}
	lp := &leafPlan{kind: s.Type.Kind}
	slice := cs.IsLeafList()
	t := ft.Type
	if slice {
		if t.Kind() != reflect.Slice {
			return nil, fmt.Errorf("leaf-list field %s is %v", ft.Name, t)
		}
		t = t.Elem()
	}
	switch lp.kind {
	case yang.Yunion:
		up, err := planUnion(parentT, ft, s, t.Kind() == reflect.Interface)
		if err != nil {
			return nil, err
		}
		if t.Kind() == reflect.Interface {
			up.slice = slice
			lp.union = up
			return lp, nil
		}
		// getLoneUnionType: a union of one type is stored as that type
		// and decoded as a leaf of that kind.
		switch {
		case len(up.sks) == 1 && len(up.ets) == 0:
			lp.kind = up.sks[0]
		case len(up.sks) == 0 && len(up.ets) == 1:
			lp.kind = s.Type.Type[0].Kind
			if lp.kind != yang.Yenum && lp.kind != yang.Yidentityref {
				return nil, fmt.Errorf("lone enum union %s of kind %v", ft.Name, lp.kind)
			}
			if t.Kind() != reflect.Int64 {
				return nil, fmt.Errorf("enum field %s is %v", ft.Name, t)
			}
			et, err := enumTableOf(t)
			if err != nil {
				return nil, err
			}
			lp.enum = et
			lp.vtype = t
			return lp, nil
		default:
			return nil, fmt.Errorf("union field %s of Go type %v has %d types", ft.Name, t, len(up.sks)+len(up.ets))
		}
	case yang.Yenum, yang.Yidentityref:
		if t.Kind() != reflect.Int64 {
			return nil, fmt.Errorf("enum field %s is %v", ft.Name, t)
		}
		et, err := enumTableOf(t)
		if err != nil {
			return nil, err
		}
		lp.enum = et
		lp.vtype = t
		return lp, nil
	case yang.Ybinary:
		if slice || t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
			return nil, fmt.Errorf("binary field %s is %v", ft.Name, ft.Type)
		}
		lp.vtype = goTypeOf(lp.kind)
		return lp, nil
	case yang.Yempty:
		if t.Kind() != reflect.Bool {
			return nil, fmt.Errorf("empty field %s is %v", ft.Name, t)
		}
		lp.vtype = goTypeOf(lp.kind)
		return lp, nil
	}
	vt := goTypeOf(lp.kind)
	if vt == nil {
		return nil, fmt.Errorf("leaf %s of kind %v", cs.Name, lp.kind)
	}
	lp.vtype = vt
	switch {
	case slice && t == vt:
	case !slice && t.Kind() == reflect.Ptr && t.Elem() == vt:
		lp.ptr = true
	default:
		return nil, fmt.Errorf("field %s is %v for a %v leaf", ft.Name, ft.Type, lp.kind)
	}
	return lp, nil
}

// planUnion mirrors enumAndNonEnumTypesForUnion and getUnionVal.
func planUnion(parentT reflect.Type, ft reflect.StructField, s *yang.Entry, wrapped bool) (*unionPlan, error) {
	pt := reflect.PointerTo(parentT)
	m := reflect.New(pt).Elem().MethodByName("ΛEnumTypeMap")
	if !m.IsValid() {
		return nil, fmt.Errorf("%v has no ΛEnumTypeMap", pt)
	}
	etm, ok := m.Call(nil)[0].Interface().(map[string][]reflect.Type)
	if !ok {
		return nil, fmt.Errorf("ΛEnumTypeMap of %v has the wrong type", pt)
	}
	up := &unionPlan{}
	for _, et := range etm[absoluteSchemaDataPath(s)] {
		if et.Kind() == reflect.Slice {
			et = et.Elem()
		}
		tab, err := enumTableOf(et)
		if err != nil {
			return nil, err
		}
		up.ets = append(up.ets, tab)
	}
	uts, err := unionTypesNotEnums(s, s.Type)
	if err != nil {
		return nil, err
	}
	seen := map[yang.TypeKind]bool{}
	for _, yt := range uts {
		if !seen[yt.Kind] {
			seen[yt.Kind] = true
			if goTypeOf(yt.Kind) == nil || yt.Kind == yang.Yempty {
				return nil, fmt.Errorf("union member kind %v", yt.Kind)
			}
			up.sks = append(up.sks, yt.Kind)
		}
	}
	if !wrapped {
		return up, nil
	}
	ut := ft.Type
	if ut.Kind() == reflect.Slice {
		ut = ut.Elem()
	}
	up.to = reflect.New(pt).Elem().MethodByName("To_" + ut.Name())
	if !up.to.IsValid() {
		return nil, fmt.Errorf("%v has no To_%s", pt, ut.Name())
	}
	return up, nil
}

// unionTypesNotEnums is ytypes' getUnionTypesNotEnums.
func unionTypesNotEnums(schema *yang.Entry, yt *yang.YangType) ([]*yang.YangType, error) {
	switch yt.Kind {
	case yang.Yenum, yang.Yidentityref:
		return nil, nil
	case yang.Yleafref:
		ns, err := util.FindLeafRefSchema(schema, yt.Path)
		if err != nil {
			return nil, err
		}
		return unionTypesNotEnums(ns, ns.Type)
	case yang.Yunion:
		var uts []*yang.YangType
		for _, t := range yt.Type {
			nt, err := unionTypesNotEnums(schema, t)
			if err != nil {
				return nil, err
			}
			uts = append(uts, nt...)
		}
		return uts, nil
	}
	return []*yang.YangType{yt}, nil
}

// absoluteSchemaDataPath is ytypes' function of the same name.
func absoluteSchemaDataPath(schema *yang.Entry) string {
	out := []string{schema.Name}
	for s := schema.Parent; s != nil; s = s.Parent {
		if !util.IsChoiceOrCase(s) && !util.IsFakeRoot(s) {
			out = append([]string{s.Name}, out...)
		}
	}
	return "/" + strings.Join(out, "/")
}

// removeNonDataPathElements is ytypes' function of the same name.
func removeNonDataPathElements(parentSchema *yang.Entry, paths [][]string) [][]string {
	var out [][]string
	for _, path := range paths {
		var po []string
		s := parentSchema
		if path[0] == s.Name {
			po = append(po, path[0])
			path = path[1:]
		}
		for _, pe := range path {
			s = s.Dir[pe]
			if s == nil {
				po = path
				break
			}
			if !util.IsChoiceOrCase(s) {
				po = append(po, pe)
			}
		}
		out = append(out, po)
	}
	return out
}

// validateListSchema is ytypes' function of the same name.
func validateListSchema(schema *yang.Entry) error {
	if !schema.IsList() {
		return fmt.Errorf("schema %s is not list type", schema.Name)
	}
	if schema.Config.Value() {
		if len(schema.Key) == 0 {
			return fmt.Errorf("list %s with config set must have a key", schema.Name)
		}
		missing := map[string]bool{}
		for _, v := range strings.Fields(schema.Key) {
			missing[v] = true
		}
		for _, v := range schema.Dir {
			delete(missing, v.Name)
		}
		if len(missing) != 0 {
			return fmt.Errorf("list %s has keys %v missing", schema.Name, missing)
		}
	}
	return nil
}

// fieldForSchema is ytypes' schemaToStructFieldName: the first field whose
// path names schema. -1 when none does or a tag is malformed.
func fieldForSchema(schema *yang.Entry, t reflect.Type) int {
	for i := 0; i < t.NumField(); i++ {
		p, err := util.RelativeSchemaPath(t.Field(i))
		if err != nil {
			return -1
		}
		if hasRelativePath(schema, p) || findSchemaAtPath(schema, p) != nil {
			return i
		}
	}
	return -1
}

func findSchemaAtPath(schema *yang.Entry, path []string) *yang.Entry {
	s := schema
	for i := 0; i < len(path); i++ {
		pe := util.StripModulePrefix(path[i])
		if s.Dir[pe] == nil {
			return nil
		}
		s = s.Dir[pe]
	}
	return s
}

func hasRelativePath(schema *yang.Entry, path []string) bool {
	s, p := schema, path
	for s != nil && len(p) > 0 {
		if s.Name != util.StripModulePrefix(p[len(p)-1]) {
			return false
		}
		s = s.Parent
		p = p[:len(p)-1]
	}
	return len(p) == 0
}

// binder holds scratch space reused across the objects of one document.
type binder struct {
	found []foundVal
	// unions memoises To_ results within one document: set-tag 100 on
	// 5,000 static routes was 5,000 reflect calls, a third of the binding.
	// To_ is a generated type switch, a pure function of its argument, and
	// only immutable scalar results are kept, so a shared result is
	// indistinguishable from a fresh one.
	unions map[unionMemo]reflect.Value
}

type unionMemo struct {
	up *unionPlan
	v  any
}

type foundVal struct {
	t target
	v any
}

// bindRoot fills dev from the checked tree, or returns errFallback.
func bindRoot(schema *yang.Entry, dev any, root map[string]any) error {
	pv := reflect.ValueOf(dev)
	b := &binder{}
	return b.object(planFor(pv.Type().Elem(), schema), pv.Elem(), root)
}

// object mirrors unmarshalStruct for one struct value sv (addressable).
func (b *binder) object(p *structPlan, sv reflect.Value, obj map[string]any) error {
	if p.bad != "" {
		return fallback("%v: %s", p.t, p.bad)
	}
	mark := len(b.found)
	if err := b.collect(p.root, obj); err != nil {
		return err
	}
	found := b.found[mark:]
	for i := range found {
		fi := found[i].t.field
		if fi < 0 {
			continue // already bound with an earlier path of its field
		}
		fp := p.fields[fi]
		v := found[i].v
		if fp.npaths > 1 {
			// getJSONTreeValForField: walk the field's paths in tag order;
			// each value found must equal the previous non-nil one.
			var out any
			for j := 0; j < fp.npaths; j++ {
				for k := i; k < len(found); k++ {
					if found[k].t.field == fi && found[k].t.path == j {
						jr := found[k].v
						if out != nil && !sameJSON(out, jr) {
							return fallback("%s: paths disagree", fp.name)
						}
						out = jr
					}
				}
			}
			for k := i; k < len(found); k++ {
				if found[k].t.field == fi {
					found[k].t.field = -1
				}
			}
			v = out
		}
		if v == nil {
			continue // JSON null: ytypes treats the member as absent
		}
		if err := b.field(p, fp, sv, v); err != nil {
			return err
		}
	}
	b.found = b.found[:mark]
	return nil
}

// collect walks obj against the allowed paths, as checkDataTreeAgainstPaths
// and getJSONTreeValForPath do together.
func (b *binder) collect(n *memberNode, obj map[string]any) error {
	for k, v := range obj {
		short := stripPrefix(k)
		if short != k {
			// Two members that strip to one name make ytypes' pick depend
			// on map order (the checker refuses them; be sure anyway).
			for k2 := range obj {
				if k2 != k && stripPrefix(k2) == short {
					return fallback("member %q twice", short)
				}
			}
		}
		c := n.sub[short]
		if c == nil {
			return fallback("unexpected member %q", k)
		}
		if c.sub != nil {
			m, ok := v.(map[string]any)
			if !ok {
				return fallback("member %q is not an object", k)
			}
			if err := b.collect(c, m); err != nil {
				return err
			}
			continue
		}
		for _, t := range c.targets {
			b.found = append(b.found, foundVal{t, v})
		}
	}
	return nil
}

// stripPrefix is util.StripModulePrefix without its strings.Split
// allocation: the part after the colon when there is exactly one, else the
// name unchanged.
func stripPrefix(name string) string {
	i := strings.IndexByte(name, ':')
	if i < 0 {
		return name
	}
	if strings.IndexByte(name[i+1:], ':') >= 0 {
		return name
	}
	return name[i+1:]
}

// sameJSON is reflect.DeepEqual with the common scalar cases first.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}

func (b *binder) field(p *structPlan, fp *fieldPlan, sv reflect.Value, v any) error {
	if fp.bad != "" {
		return fallback("%v.%s: %s", p.t, fp.name, fp.bad)
	}
	f := sv.Field(fp.index)
	switch fp.kind {
	case kContainer:
		m, ok := v.(map[string]any)
		if !ok {
			return fallback("%s: container is not an object", fp.name)
		}
		if f.IsNil() {
			f.Set(reflect.New(fp.elem)) // makeField
		}
		return b.object(b.childPlan(fp), f.Elem(), m)
	case kMap, kOrderedMap, kSlice:
		items, ok := v.([]any)
		if !ok {
			return fallback("%s: list is not an array", fp.name)
		}
		return b.list(fp, f, items)
	case kLeaf:
		return b.leaf(fp, f, v)
	case kLeafList:
		items, ok := v.([]any)
		if !ok {
			return fallback("%s: leaf-list is not an array", fp.name)
		}
		// makeField then clearSliceField: the field starts nil whatever
		// it held, and stays nil when no item is set.
		f.Set(reflect.Zero(f.Type()))
		for _, it := range items {
			if it == nil {
				continue
			}
			if err := b.leafListItem(fp, f, it); err != nil {
				return err
			}
		}
		return nil
	}
	return fallback("%s: unknown field kind", fp.name)
}

func (b *binder) childPlan(fp *fieldPlan) *structPlan {
	if c := fp.child.Load(); c != nil {
		return c
	}
	c := planFor(fp.elem, fp.schema)
	fp.child.Store(c)
	return c
}

// list mirrors unmarshalList for maps, ordered maps and slices.
func (b *binder) list(fp *fieldPlan, f reflect.Value, items []any) error {
	cp := b.childPlan(fp)
	switch fp.kind {
	case kMap:
		if f.IsNil() {
			// Sized up front: growing a 5,000-entry map was a tenth of
			// the binding. Capacity is invisible to every comparison.
			f.Set(reflect.MakeMapWithSize(f.Type(), len(items)))
		}
	case kOrderedMap:
		if f.IsNil() {
			f.Set(reflect.New(f.Type().Elem()))
		}
	case kSlice:
		if f.IsNil() {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return fallback("%s: list entry is not an object", fp.name)
		}
		nv := reflect.New(fp.elem)
		if err := b.object(cp, nv.Elem(), m); err != nil {
			return err
		}
		switch fp.kind {
		case kOrderedMap:
			out := f.Method(fp.appendIdx).Call([]reflect.Value{nv})
			if !out[0].IsNil() {
				return fallback("%s: %v", fp.name, out[0].Interface())
			}
		case kSlice:
			f.Set(reflect.Append(f, nv))
		case kMap:
			key, err := b.mapKey(fp, f.Type().Key(), nv.Elem())
			if err != nil {
				return err
			}
			if old := f.MapIndex(key); old.IsValid() {
				// ytypes merges the second entry into the first; the
				// checker refuses duplicate keys, so never guess here.
				return fallback("%s: key %v twice", fp.name, key)
			}
			f.SetMapIndex(key, nv)
		}
	}
	return nil
}

// mapKey mirrors makeKeyForInsert.
func (b *binder) mapKey(fp *fieldPlan, kt reflect.Type, ev reflect.Value) (reflect.Value, error) {
	if fp.multiKey == nil {
		kv := ev.Field(fp.keyField)
		if kv.Kind() == reflect.Interface && kv.IsNil() {
			// ytypes panics on a nil union key; let it.
			return reflect.Value{}, fallback("%s: nil key", fp.name)
		}
		if kv.Kind() == reflect.Ptr {
			if kv.IsNil() {
				return reflect.Value{}, fallback("%s: nil key", fp.name)
			}
			kv = kv.Elem()
		}
		return kv, nil
	}
	key := reflect.New(kt).Elem()
	for _, kc := range fp.multiKey {
		kv := ev.Field(kc.elemField)
		if kc.deref {
			if kv.IsNil() {
				return reflect.Value{}, fallback("%s: nil key field", fp.name)
			}
			kv = kv.Elem()
		}
		key.Field(kc.keyField).Set(kv)
	}
	return key, nil
}

// scalar mirrors sanitizeJSON for kind k: the Go value, or an error when
// ytypes would fail (the caller decides whether that is a fallback or, in
// a union, a reason to try the next member type).
func scalar(k yang.TypeKind, v any) (any, bool) {
	switch k {
	case yang.Ystring:
		_, ok := v.(string)
		return v, ok // the value itself: re-boxing the string would allocate
	case yang.Ybool:
		_, ok := v.(bool)
		return v, ok
	case yang.Yint8, yang.Yint16, yang.Yint32, yang.Yuint8, yang.Yuint16, yang.Yuint32:
		f, ok := v.(float64)
		if !ok {
			return nil, false
		}
		return floatInt(k, f)
	case yang.Yint64:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	case yang.Yuint64:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		n, err := strconv.ParseUint(s, 10, 64)
		return n, err == nil
	case yang.Ydecimal64:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		return f, true
	case yang.Ybinary:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		d, err := base64.StdEncoding.DecodeString(s)
		return d, err == nil
	case yang.Yempty:
		a, ok := v.([]any)
		if !ok || len(a) != 1 || a[0] != nil {
			return nil, false
		}
		return true, true
	}
	return nil, false
}

// floatInt is yangFloatIntToGoType with checkJSONFloat64Range: the range is
// checked on int64(f) and the value converted from the float, as there.
func floatInt(k yang.TypeKind, f float64) (any, bool) {
	var lo, hi int64
	switch k {
	case yang.Yint8:
		lo, hi = -128, 127
	case yang.Yint16:
		lo, hi = -32768, 32767
	case yang.Yint32:
		lo, hi = -2147483648, 2147483647
	case yang.Yuint8:
		lo, hi = 0, 255
	case yang.Yuint16:
		lo, hi = 0, 65535
	case yang.Yuint32:
		lo, hi = 0, 4294967295
	}
	if int64(f) < lo || int64(f) > hi {
		return nil, false
	}
	switch k {
	case yang.Yint8:
		return int8(f), true
	case yang.Yint16:
		return int16(f), true
	case yang.Yint32:
		return int32(f), true
	case yang.Yuint8:
		return uint8(f), true
	case yang.Yuint16:
		return uint16(f), true
	}
	return uint32(f), true
}

// value converts one leaf or leaf-list item to the reflect.Value to store
// (for a leaf-list, the element to append).
func (b *binder) value(fp *fieldPlan, v any) (reflect.Value, error) {
	lp := fp.leaf
	switch {
	case lp.union != nil:
		return b.union(lp.union, fp, v)
	case lp.enum != nil:
		s, ok := v.(string)
		if !ok {
			return reflect.Value{}, fallback("%s: enum is not a string", fp.name)
		}
		ev, ok, err := lp.enum.lookup(s)
		if err != nil {
			return reflect.Value{}, err
		}
		if !ok {
			return reflect.Value{}, fallback("%s: %q is not a value of %v", fp.name, s, lp.enum.t)
		}
		return ev, nil
	}
	x, ok := scalar(lp.kind, v)
	if !ok {
		return reflect.Value{}, fallback("%s: %T is not a %v", fp.name, v, lp.kind)
	}
	return reflect.ValueOf(x), nil
}

// union mirrors unmarshalUnion for a union stored as its generated
// interface: enum types first (strings only), then the other member kinds
// in schema order; the generated To_ method makes the wrapper.
func (b *binder) union(up *unionPlan, fp *fieldPlan, v any) (reflect.Value, error) {
	var gv any
	if s, ok := v.(string); ok {
		for _, et := range up.ets {
			ev, ok, err := et.lookup(s)
			if err != nil {
				return reflect.Value{}, err
			}
			if ok {
				gv = ev.Interface()
				break
			}
		}
	}
	if gv == nil {
		for _, k := range up.sks {
			if x, ok := scalar(k, v); ok {
				gv = x
				break
			}
		}
	}
	if gv == nil {
		return reflect.Value{}, fallback("%s: no union member takes %T", fp.name, v)
	}
	_, memo := gv.([]byte) // a binary member is no map key
	memo = !memo
	if memo {
		if r, ok := b.unions[unionMemo{up, gv}]; ok {
			return r, nil
		}
	}
	out := up.to.Call([]reflect.Value{reflect.ValueOf(gv)})
	if !out[1].IsNil() {
		return reflect.Value{}, fallback("%s: %v", fp.name, out[1].Interface())
	}
	if out[0].IsNil() {
		return reflect.Value{}, fallback("%s: nil union value", fp.name)
	}
	// ytypes stores reflect.ValueOf(result): the same dynamic value. Kept
	// as the interface-typed Value, Set and Append skip the Implements
	// check they would make for the concrete type.
	switch out[0].Elem().Kind() {
	case reflect.Bool, reflect.String, reflect.Float64, reflect.Float32,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !memo {
			break
		}
		if b.unions == nil {
			b.unions = make(map[unionMemo]reflect.Value)
		}
		b.unions[unionMemo{up, gv}] = out[0]
	}
	return out[0], nil
}

// ptrTo is ygot.ToPtr for the scalar types a leaf holds, without its
// reflect.New: a typed new is what the compiler makes cheapest.
func ptrTo(x any) reflect.Value {
	switch v := x.(type) {
	case string:
		return reflect.ValueOf(&v)
	case bool:
		return reflect.ValueOf(&v)
	case uint8:
		return reflect.ValueOf(&v)
	case uint16:
		return reflect.ValueOf(&v)
	case uint32:
		return reflect.ValueOf(&v)
	case uint64:
		return reflect.ValueOf(&v)
	case int8:
		return reflect.ValueOf(&v)
	case int16:
		return reflect.ValueOf(&v)
	case int32:
		return reflect.ValueOf(&v)
	case int64:
		return reflect.ValueOf(&v)
	case float64:
		return reflect.ValueOf(&v)
	}
	p := reflect.New(reflect.TypeOf(x))
	p.Elem().Set(reflect.ValueOf(x))
	return p
}

// leaf mirrors unmarshalLeaf + InsertIntoStruct.
func (b *binder) leaf(fp *fieldPlan, f reflect.Value, v any) error {
	lp := fp.leaf
	if lp.ptr {
		x, ok := scalar(lp.kind, v)
		if !ok {
			return fallback("%s: %T is not a %v", fp.name, v, lp.kind)
		}
		f.Set(ptrTo(x))
		return nil
	}
	x, err := b.value(fp, v)
	if err != nil {
		return err
	}
	switch {
	case lp.union != nil, lp.enum != nil:
		f.Set(x)
	case lp.kind == yang.Yempty:
		f.SetBool(x.Bool())
	case lp.kind == yang.Ybinary:
		f.SetBytes(x.Bytes())
	default:
		return fallback("%s: unhandled leaf store", fp.name)
	}
	return nil
}

// leafListItem mirrors unmarshalLeaf for one item + InsertIntoSliceStructField.
func (b *binder) leafListItem(fp *fieldPlan, f reflect.Value, v any) error {
	x, err := b.value(fp, v)
	if err != nil {
		return err
	}
	f.Set(reflect.Append(f, x))
	return nil
}
