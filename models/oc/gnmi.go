package oc

// gNMI helpers: applying a SetRequest to a tree, reading sub-trees at a gNMI
// path, and reassembling a Get response that arrives as several
// notifications. They live here so that only this package touches the
// generated binding.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"github.com/openconfig/goyang/pkg/yang"
	"github.com/openconfig/ygot/exampleoc"
	"github.com/openconfig/ygot/util"
	"github.com/openconfig/ygot/ygot"
	"github.com/openconfig/ygot/ytypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Models lists the YANG modules that define the top-level nodes of the
// binding, for gNMI Capabilities. The generated schema does not keep module
// revisions, so Version names the binding instead.
func Models() []*gpb.ModelData {
	seen := map[string]bool{}
	for _, c := range RootEntry().Dir {
		sp := c.Annotation["schemapath"]
		p, ok := sp.(string)
		if !ok {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		if len(parts) > 0 && parts[0] != "" {
			seen[parts[0]] = true
		}
	}
	out := make([]*gpb.ModelData, 0, len(seen))
	for m := range seen {
		out = append(out, &gpb.ModelData{Name: m, Organization: "OpenConfig working group", Version: BindingVersion})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// BindingVersion names the generated binding the lab serves.
const BindingVersion = "ygot-v0.36.0-exampleoc"

// PathString renders a gNMI path as /a/b[k=v] (origin omitted); "/" for the root.
func PathString(p *gpb.Path) string {
	if p == nil || len(p.Elem) == 0 {
		return "/"
	}
	s, err := ygot.PathToString(&gpb.Path{Elem: p.Elem})
	if err != nil {
		return fmt.Sprint(p.Elem)
	}
	return s
}

// JoinPath joins a SetRequest/notification prefix and a path.
func JoinPath(prefix, p *gpb.Path) (*gpb.Path, error) {
	if p == nil {
		p = &gpb.Path{}
	}
	if prefix == nil {
		return p, nil
	}
	return util.JoinPaths(&gpb.Path{Origin: prefix.Origin, Elem: prefix.Elem}, p)
}

// ApplySet applies a SetRequest's deletes, then replaces, then updates (the
// gNMI order) to tree, in place. It does not validate: call Validate after.
// An error names the gNMI path that failed. Callers wanting atomicity apply
// to a Copy.
//
// Paths to containers the compressed binding has no struct for (".../config",
// ".../neighbors") are handled too: updates are merged from the root, and
// deletes go through the JSON form of the tree.
func ApplySet(tree *Device, req *gpb.SetRequest) error {
	if err := CheckWildcards(req); err != nil {
		return err
	}
	before := protocolSet(tree)
	if err := applySet(tree, req); err != nil {
		return err
	}
	dropOrphanTables(tree, before)
	return nil
}

// CheckWildcards refuses "*" and "..." in any Set path. The gNMI
// specification (§2.2.2.1) allows wildcards only in Get and Subscribe: in a
// Set, the binding would create an interface literally named "*", and a
// device would reject the request, so the simulated candidate is nothing
// any router will run.
func CheckWildcards(req *gpb.SetRequest) error {
	check := func(op string, p *gpb.Path) error {
		for _, el := range append(append([]*gpb.PathElem(nil), req.GetPrefix().GetElem()...), p.GetElem()...) {
			if el.GetName() == "*" || el.GetName() == "..." {
				return fmt.Errorf("%s %s: wildcard %q as a path element: a Set path must name concrete nodes (gNMI allows wildcards only in Get and Subscribe)", op, wildPath(req.GetPrefix(), p), el.GetName())
			}
			for k, v := range el.GetKey() {
				if v == "*" || v == "..." {
					return fmt.Errorf("%s %s: wildcard %q as the value of key %s: a Set path must name concrete nodes (gNMI allows wildcards only in Get and Subscribe)", op, wildPath(req.GetPrefix(), p), v, k)
				}
			}
		}
		return nil
	}
	for _, p := range req.GetDelete() {
		if err := check("delete", p); err != nil {
			return err
		}
	}
	for _, u := range req.GetReplace() {
		if err := check("replace", u.GetPath()); err != nil {
			return err
		}
	}
	for _, u := range req.GetUpdate() {
		if err := check("update", u.GetPath()); err != nil {
			return err
		}
	}
	for _, u := range req.GetUnionReplace() {
		if err := check("union_replace", u.GetPath()); err != nil {
			return err
		}
	}
	return nil
}

func wildPath(prefix, p *gpb.Path) string {
	full, err := JoinPath(prefix, p)
	if err != nil {
		return PathString(p)
	}
	return PathString(full)
}

type niProto struct {
	ni    string
	proto installProto
}

// installProto is the identity naming a routing protocol (BGP, ISIS,
// STATIC...), the key shared by protocols, tables and table connections.
type installProto = exampleoc.E_PolicyTypes_INSTALL_PROTOCOL_TYPE

func protocolSet(tree *Device) map[niProto]bool {
	out := map[niProto]bool{}
	for n, ni := range tree.NetworkInstance {
		for k := range ni.Protocol {
			out[niProto{n, k.Identifier}] = true
		}
	}
	return out
}

// dropOrphanTables removes the tables (and the table connections using
// them) of a protocol whose last instance the request deleted. Routers
// create and remove a protocol's tables themselves (OpenConfig
// network-instance: tables are system-managed per protocol), so "delete
// protocol[identifier=ISIS][name=ISIS]" must succeed as it does on the
// device; without this the table's leafref to the protocol dangles and the
// request is refused as schema-invalid. Tables that were already orphans,
// or that the request itself adds without a protocol, are left for Validate
// to refuse.
func dropOrphanTables(tree *Device, before map[niProto]bool) {
	after := protocolSet(tree)
	for n, ni := range tree.NetworkInstance {
		gone := map[installProto]bool{}
		for k := range ni.Table {
			if before[niProto{n, k.Protocol}] && !after[niProto{n, k.Protocol}] {
				gone[k.Protocol] = true
				delete(ni.Table, k)
			}
		}
		for k := range ni.TableConnection {
			if gone[k.SrcProtocol] || gone[k.DstProtocol] {
				delete(ni.TableConnection, k)
			}
		}
	}
}

func applySet(tree *Device, req *gpb.SetRequest) error {
	prefix := req.GetPrefix()
	for _, p := range req.GetDelete() {
		full, err := JoinPath(prefix, p)
		if err != nil {
			return fmt.Errorf("delete %s: %v", PathString(p), plainErr(err))
		}
		if err := setDelete(tree, stripOrigin(full)); err != nil {
			return fmt.Errorf("delete %s: %v", PathString(full), plainErr(err))
		}
	}
	for _, u := range req.GetReplace() {
		full, val, err := setUpdate(prefix, u)
		if err != nil {
			return err
		}
		if len(full.Elem) == 0 {
			*tree = Device{} // replace of the root: the new tree is exactly the payload
		} else if err := setDelete(tree, full); err != nil {
			return fmt.Errorf("replace %s: %v", PathString(full), plainErr(err))
		}
		if err := setValue(tree, full, val); err != nil {
			return fmt.Errorf("replace %s: %v", PathString(full), plainErr(err))
		}
	}
	for _, u := range req.GetUpdate() {
		full, val, err := setUpdate(prefix, u)
		if err != nil {
			return err
		}
		if err := setValue(tree, full, val); err != nil {
			return fmt.Errorf("update %s: %v", PathString(full), plainErr(err))
		}
	}
	return nil
}

func setDelete(tree *Device, p *gpb.Path) error {
	e, err := entryAt(p)
	if err != nil {
		return err
	}
	if !compressedAway(e) {
		return ytypes.DeleteNode(RootEntry(), tree, p)
	}
	// A node the binding cannot address directly: delete in the JSON form.
	m, jerr := treeJSON(tree)
	if jerr != nil {
		return jerr
	}
	jsonDelete(m, RootEntry(), p.Elem)
	return treeFromJSON(tree, m)
}

func setValue(tree *Device, p *gpb.Path, val *gpb.TypedValue) error {
	err := ytypes.SetNode(RootEntry(), tree, p, val, &ytypes.InitMissingElements{})
	if err == nil || len(p.Elem) == 0 {
		return err
	}
	e, kerr := entryAt(p)
	if kerr != nil {
		return kerr
	}
	if e.IsLeaf() || e.IsLeafList() || val.GetJsonIetfVal() == nil {
		return err
	}
	// A container the binding has no struct for (a compressed config
	// container): merge the value in the JSON form of the whole tree, as
	// setDelete does. Merging a fragment at the root instead fails inside
	// ordered lists (policy statements): the binding appends the statement
	// the fragment names rather than finding the existing one.
	v, jerr := updateJSON(val)
	if jerr != nil {
		return jerr
	}
	m, jerr := treeJSON(tree)
	if jerr != nil {
		return jerr
	}
	if jerr := jsonPlace(m, RootEntry(), p.Elem, v, ""); jerr != nil {
		return jerr
	}
	return treeFromJSON(tree, m)
}

// compressedAway reports whether the binding's compressed structs drop the
// container e: config/state containers and the plural containers around lists.
func compressedAway(e *yang.Entry) bool {
	if e.IsList() || !e.IsContainer() {
		return false
	}
	if e.Name == "config" || e.Name == "state" {
		return true
	}
	if len(e.Dir) == 1 {
		for _, c := range e.Dir {
			return c.IsList()
		}
	}
	return false
}

// treeJSON renders a tree as generic RFC 7951 JSON (plain float64 numbers).
func treeJSON(tree *Device) (map[string]any, error) {
	m, err := ygot.ConstructIETFJSON(tree, &ygot.RFC7951JSONConfig{AppendModuleName: true})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}

func treeFromJSON(tree *Device, m map[string]any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var plain any
	if err := json.Unmarshal(b, &plain); err != nil {
		return err
	}
	fresh := &Device{}
	if err := ytypes.Unmarshal(RootEntry(), fresh, plain); err != nil {
		return err
	}
	*tree = *fresh
	return nil
}

// setUpdate joins the prefix and normalises the value: JSON (non-IETF) is
// accepted as JSON_IETF, which is what the binding decodes.
func setUpdate(prefix *gpb.Path, u *gpb.Update) (*gpb.Path, *gpb.TypedValue, error) {
	full, err := JoinPath(prefix, u.GetPath())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", PathString(u.GetPath()), err)
	}
	val := u.GetVal()
	if val == nil {
		return nil, nil, fmt.Errorf("%s: update without a value", PathString(full))
	}
	if j := val.GetJsonVal(); j != nil {
		val = &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: j}}
	}
	full = stripOrigin(full)
	if j := val.GetJsonIetfVal(); j != nil {
		if err := checkValue(full, j); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", PathString(full), err)
		}
	}
	return full, val, nil
}

// checkValue holds a SetRequest's JSON value to the same strictness as a
// config file (the binding decodes it with encoding/json, last duplicate
// wins): duplicate members and list entries, invalid UTF-8, fractions in
// integer leaves and protocol-invalid values are refused. Line numbers count
// within the value.
func checkValue(p *gpb.Path, raw []byte) error {
	v, err := decodeStrict(raw)
	if err != nil {
		return valueErr(p, err)
	}
	e, err := entryAt(p)
	if err != nil {
		return nil // setCheckPaths and the binding name the path
	}
	c := &checker{}
	base := &loc{member: "\x00"}
	switch x := v.(type) {
	case map[string]any:
		if e.IsList() && len(p.Elem) > 0 {
			if err := keysAgree(e, p.Elem[len(p.Elem)-1], x); err != nil {
				return err
			}
		}
		if e.IsDir() {
			c.object(e, x, base)
		}
	case []any:
		if e.IsList() {
			for i, it := range x {
				if m, ok := it.(map[string]any); ok {
					c.object(e, m, &loc{up: base, idx: i, isIdx: true, list: e, entry: m})
				}
			}
		} else if e.IsLeafList() {
			c.leaf(e, x, where{at: base})
		}
	default:
		if e.IsLeaf() {
			c.scalar(e, x, where{at: base})
		}
	}
	if len(c.errs) == 0 {
		return nil
	}
	// The value's own steps start below the base.
	for i := range c.errs {
		c.errs[i].at = rebase(c.errs[i].at, base)
	}
	return valueErr(p, c.result(raw))
}

// rebase drops the synthetic base from a loc chain, so paths and steps are
// relative to the value.
func rebase(l, base *loc) *loc {
	if l == nil || l == base {
		return nil
	}
	cp := *l
	cp.up = rebase(l.up, base)
	return &cp
}

func valueErr(p *gpb.Path, err error) error {
	ie, ok := err.(*InputError)
	if !ok {
		return err
	}
	out := *ie
	if out.Path != "" || len(p.GetElem()) > 0 {
		out.Path = strings.TrimSuffix(PathString(p), "/") + out.Path
	}
	if out.Line > 0 {
		out.Msg = fmt.Sprintf("(line %d of the value) %s", out.Line, out.Msg)
		out.Line = 0
	}
	return &out
}

func stripOrigin(p *gpb.Path) *gpb.Path {
	if p.GetOrigin() == "" && p.GetTarget() == "" {
		return p
	}
	return &gpb.Path{Elem: p.Elem}
}

// PathValue is a node found at a concrete path, as RFC 7951 JSON.
type PathValue struct {
	Path *gpb.Path
	JSON []byte
}

// GetJSON returns the nodes at path as RFC 7951 JSON with module-qualified
// top-level names, each with its concrete path. List keys may be "*"; a list
// element without keys selects every entry. The root ("/") is the whole tree.
// A path the schema does not know is an error; a known path with no data
// returns nothing.
func GetJSON(tree *Device, path *gpb.Path) ([]PathValue, error) {
	path = stripOrigin(path)
	if len(path.GetElem()) == 0 {
		b, err := Marshal(tree)
		if err != nil {
			return nil, err
		}
		return []PathValue{{Path: &gpb.Path{}, JSON: b}}, nil
	}
	if _, err := entryAt(path); err != nil {
		return nil, err
	}
	m, err := treeJSON(tree)
	if err != nil {
		return nil, err
	}
	var out []PathValue
	var walk func(v any, e *yang.Entry, elems, done []*gpb.PathElem) error
	walk = func(v any, e *yang.Entry, elems, done []*gpb.PathElem) error {
		if len(elems) == 0 {
			b, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				return err
			}
			out = append(out, PathValue{Path: &gpb.Path{Elem: done}, JSON: b})
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		el := elems[0]
		name := stripModule(el.Name)
		c := child(e, name)
		k, ok := memberKey(obj, name)
		if !ok || c == nil {
			return nil
		}
		here := append(append([]*gpb.PathElem(nil), done...), &gpb.PathElem{Name: name})
		if !c.IsList() || (len(el.Key) == 0 && len(elems) == 1) {
			return walk(obj[k], c, elems[1:], here)
		}
		arr, _ := obj[k].([]any)
		for _, it := range arr {
			entry, ok := it.(map[string]any)
			if !ok {
				continue
			}
			keys := map[string]string{}
			match := true
			for _, kn := range strings.Fields(c.Key) {
				mk, _ := memberKey(entry, kn)
				kv := keyString(entry[mk])
				keys[kn] = stripModuleValue(kv, el.Key[kn])
				if want, ok := el.Key[kn]; ok && want != "*" && !keyEqual(want, kv) {
					match = false
				}
			}
			if !match {
				continue
			}
			cur := append(append([]*gpb.PathElem(nil), done...), &gpb.PathElem{Name: name, Key: keys})
			if err := walk(entry, c, elems[1:], cur); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(m, RootEntry(), path.Elem, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// stripModuleValue matches an identityref key value written with or without
// its module prefix ("BGP" vs "openconfig-policy-types:BGP"): the form the
// request used wins.
func stripModuleValue(v, want string) string {
	if want != "" && want != "*" && !strings.Contains(want, ":") {
		return valueNoModule(v)
	}
	return v
}

func scalarJSON(v *gpb.TypedValue) ([]byte, error) {
	switch x := v.GetValue().(type) {
	case *gpb.TypedValue_StringVal:
		return json.Marshal(x.StringVal)
	case *gpb.TypedValue_BoolVal:
		return json.Marshal(x.BoolVal)
	case *gpb.TypedValue_UintVal:
		return json.Marshal(x.UintVal)
	case *gpb.TypedValue_IntVal:
		return json.Marshal(x.IntVal)
	case *gpb.TypedValue_DoubleVal:
		return json.Marshal(x.DoubleVal)
	case *gpb.TypedValue_LeaflistVal:
		var items []json.RawMessage
		for _, e := range x.LeaflistVal.GetElement() {
			b, err := scalarJSON(e)
			if err != nil {
				return nil, err
			}
			items = append(items, b)
		}
		return json.Marshal(items)
	}
	return nil, fmt.Errorf("cannot render %v as JSON", v)
}

// entryAt walks the schema along path's element names. Unknown elements are
// an error naming the path.
func entryAt(path *gpb.Path) (*yang.Entry, error) {
	e := RootEntry()
	for i, el := range path.GetElem() {
		c := child(e, stripModule(el.Name))
		if c == nil {
			return nil, fmt.Errorf("%s: no such node in the OpenConfig schema", PathString(&gpb.Path{Elem: path.Elem[:i+1]}))
		}
		e = c
	}
	return e, nil
}

// PathKnown reports whether the schema has a node at path.
func PathKnown(path *gpb.Path) error {
	_, err := entryAt(stripOrigin(path))
	return err
}

// Assemble merges the updates of a Get response (one notification with the
// whole tree, or several notifications carrying sub-trees and leaves) into
// one RFC 7951 document rooted at "/", ready for Load. The merge works on
// JSON, guided by the schema, so that members the binding does not know
// survive to Load, which reports them as Ignored instead of losing them.
// Deletes in the notifications are applied in order.
func Assemble(ns []*gpb.Notification) ([]byte, error) {
	// Fast path: a single update of the whole tree is used verbatim.
	if len(ns) == 1 && len(ns[0].GetUpdate()) == 1 && len(ns[0].GetDelete()) == 0 {
		full, err := JoinPath(ns[0].GetPrefix(), ns[0].Update[0].GetPath())
		if err == nil && len(full.GetElem()) == 0 {
			if b := ns[0].Update[0].GetVal().GetJsonIetfVal(); b != nil {
				return b, nil
			}
			if b := ns[0].Update[0].GetVal().GetJsonVal(); b != nil {
				return b, nil
			}
		}
	}
	root := map[string]any{}
	for _, n := range ns {
		for _, d := range n.GetDelete() {
			full, err := JoinPath(n.GetPrefix(), d)
			if err != nil {
				return nil, err
			}
			jsonDelete(root, RootEntry(), full.GetElem())
		}
		for _, u := range n.GetUpdate() {
			full, err := JoinPath(n.GetPrefix(), u.GetPath())
			if err != nil {
				return nil, err
			}
			val, err := updateJSON(u.GetVal())
			if err != nil {
				return nil, fmt.Errorf("%s: %v", PathString(full), err)
			}
			if err := jsonPlace(root, RootEntry(), full.GetElem(), val, ""); err != nil {
				return nil, fmt.Errorf("%s: %v", PathString(full), err)
			}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// updateJSON decodes an update's value to a generic JSON value.
func updateJSON(v *gpb.TypedValue) (any, error) {
	var raw []byte
	switch {
	case v == nil:
		return nil, fmt.Errorf("update without a value")
	case v.GetJsonIetfVal() != nil:
		raw = v.GetJsonIetfVal()
	case v.GetJsonVal() != nil:
		raw = v.GetJsonVal()
	default:
		b, err := scalarJSON(v)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	return decodeStrict(raw)
}

// memberKey finds obj's member for a schema name, with or without module prefix.
func memberKey(obj map[string]any, name string) (string, bool) {
	if _, ok := obj[name]; ok {
		return name, true
	}
	for k := range obj {
		if stripModule(k) == name {
			return k, true
		}
	}
	return "", false
}

// jsonPlace puts val at elems below obj (whose schema is e), creating
// containers and list entries on the way, and merging with what is there.
func jsonPlace(obj map[string]any, e *yang.Entry, elems []*gpb.PathElem, val any, _ string) error {
	if len(elems) == 0 {
		m, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("value for a container must be a JSON object, got %T", val)
		}
		jsonMerge(obj, m, e)
		return nil
	}
	el := elems[0]
	name := stripModule(el.Name)
	c := child(e, name)
	key, ok := memberKey(obj, name)
	if !ok {
		key = el.Name // keep a module prefix if the path had one
	}
	if c == nil {
		// Unknown to the schema: keep it so Load reports it as Ignored.
		if len(elems) == 1 {
			obj[key] = val
			return nil
		}
		sub, _ := obj[key].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			obj[key] = sub
		}
		return jsonPlace(sub, &yang.Entry{Dir: map[string]*yang.Entry{}}, elems[1:], val, "")
	}
	switch {
	case c.IsList():
		arr, _ := obj[key].([]any)
		if len(el.Key) == 0 {
			if len(elems) != 1 {
				return fmt.Errorf("list %s needs keys in the path", name)
			}
			items, ok := val.([]any)
			if !ok {
				return fmt.Errorf("value for list %s must be a JSON array", name)
			}
			for _, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					return fmt.Errorf("list %s entry must be a JSON object", name)
				}
				arr = jsonListMerge(arr, m, c)
			}
			obj[key] = arr
			return nil
		}
		entry := jsonListFind(arr, c, el.Key)
		if entry == nil {
			entry = map[string]any{}
			for _, k := range strings.Fields(c.Key) {
				kv, ok := el.Key[k]
				if !ok {
					return fmt.Errorf("list %s: key %s missing in the path", name, k)
				}
				entry[k] = typedKey(c.Dir[k], kv)
			}
			arr = append(arr, entry)
			obj[key] = arr
		}
		return jsonPlace(entry, c, elems[1:], val, "")
	case c.IsLeaf() || c.IsLeafList():
		if len(elems) != 1 {
			return fmt.Errorf("%s is a leaf", name)
		}
		obj[key] = val
		return nil
	default:
		sub, _ := obj[key].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			obj[key] = sub
		}
		return jsonPlace(sub, c, elems[1:], val, "")
	}
}

// jsonMerge merges src into dst (schema e): containers recursively, list
// entries by key, everything else replaced.
func jsonMerge(dst, src map[string]any, e *yang.Entry) {
	for k, v := range src {
		name := stripModule(k)
		var c *yang.Entry
		if e != nil {
			c = child(e, name)
		}
		dk, ok := memberKey(dst, name)
		if !ok {
			dst[k] = v
			continue
		}
		switch {
		case c != nil && c.IsList():
			arr, _ := dst[dk].([]any)
			items, _ := v.([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					arr = jsonListMerge(arr, m, c)
				}
			}
			dst[dk] = arr
		default:
			dm, ok1 := dst[dk].(map[string]any)
			sm, ok2 := v.(map[string]any)
			if ok1 && ok2 && (c == nil || !c.IsLeaf()) {
				jsonMerge(dm, sm, c)
			} else {
				dst[dk] = v
			}
		}
	}
}

func jsonListMerge(arr []any, m map[string]any, list *yang.Entry) []any {
	keys := map[string]string{}
	for _, k := range strings.Fields(list.Key) {
		if mk, ok := memberKey(m, k); ok {
			keys[k] = keyString(m[mk])
		}
	}
	if ex := jsonListFind(arr, list, keys); ex != nil {
		jsonMerge(ex, m, list)
		return arr
	}
	return append(arr, m)
}

func jsonListFind(arr []any, list *yang.Entry, keys map[string]string) map[string]any {
	names := strings.Fields(list.Key)
	if len(names) == 0 {
		return nil
	}
next:
	for _, it := range arr {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range names {
			mk, ok := memberKey(m, k)
			if !ok || !keyEqual(keyString(m[mk]), keys[k]) {
				continue next
			}
		}
		return m
	}
	return nil
}

// keyString renders a JSON key value as a path key string.
func keyString(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// keyEqual compares key values, an identityref with or without its module.
func keyEqual(a, b string) bool { return a == b || valueNoModule(a) == valueNoModule(b) }

// valueNoModule drops a "module:" prefix from an identityref value; other
// values with colons (IPv6 addresses) are left alone.
func valueNoModule(v string) string {
	i := strings.IndexByte(v, ':')
	if i <= 0 {
		return v
	}
	for j, r := range v[:i] {
		ok := r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (j > 0 && r >= '0' && r <= '9')
		if !ok {
			return v
		}
	}
	if v[0] >= '0' && v[0] <= '9' || len(v[:i]) <= 4 && !strings.Contains(v[:i], "-") {
		return v // "2001:db8::1", "fe80::1"
	}
	return v[i+1:]
}

// typedKey renders a path key value with its RFC 7951 JSON type.
func typedKey(leaf *yang.Entry, v string) any {
	if leaf == nil || leaf.Type == nil {
		return v
	}
	switch leaf.Type.Kind {
	case yang.Yint8, yang.Yint16, yang.Yint32, yang.Yuint8, yang.Yuint16, yang.Yuint32:
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return json.Number(v)
		}
	case yang.Ybool:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return v
}

// jsonDelete removes the node at elems, if present.
func jsonDelete(obj map[string]any, e *yang.Entry, elems []*gpb.PathElem) {
	if len(elems) == 0 {
		for k := range obj {
			delete(obj, k)
		}
		return
	}
	el := elems[0]
	name := stripModule(el.Name)
	key, ok := memberKey(obj, name)
	if !ok {
		return
	}
	var c *yang.Entry
	if e != nil {
		c = child(e, name)
	}
	if c != nil && c.IsList() && len(el.Key) > 0 {
		arr, _ := obj[key].([]any)
		for i, it := range arr {
			m, _ := it.(map[string]any)
			if m != nil && jsonListFind([]any{m}, c, el.Key) != nil {
				if len(elems) == 1 {
					obj[key] = append(arr[:i:i], arr[i+1:]...)
				} else {
					jsonDelete(m, c, elems[1:])
				}
				return
			}
		}
		return
	}
	if len(elems) == 1 {
		delete(obj, key)
		return
	}
	if m, ok := obj[key].(map[string]any); ok {
		jsonDelete(m, c, elems[1:])
	}
}

// keysAgree refuses a list-entry value whose key members contradict the
// path's keys (gNMI §3.4.6: the path names the entry). The binding would
// otherwise file the value under one name or the other depending on the
// code path, and the simulated candidate would not be what the device does.
func keysAgree(list *yang.Entry, el *gpb.PathElem, v map[string]any) error {
	cfg, _ := v["config"].(map[string]any)
	for _, k := range strings.Fields(list.Key) {
		want, ok := el.GetKey()[k]
		if !ok {
			continue
		}
		for _, m := range []map[string]any{v, cfg} {
			mk, ok := memberKey(m, k)
			if !ok {
				continue
			}
			if got := keyString(m[mk]); !keyEqual(got, want) {
				return fmt.Errorf("the value's key %s=%s contradicts the path's [%s=%s]", k, got, k, want)
			}
		}
	}
	return nil
}

// plainErr drops the gRPC status wrapping ("rpc error: code = NotFound desc
// = ...") the binding puts on its errors: the user ran no RPC.
func plainErr(err error) error {
	if s, ok := status.FromError(err); ok && s.Code() != codes.OK && s.Code() != codes.Unknown {
		return errors.New(s.Message())
	}
	return err
}
