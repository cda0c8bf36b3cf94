// Package oc is the project's only door to the OpenConfig Go bindings.
//
// Every other package reaches OpenConfig through the aliases and helpers here, so
// the generated binding (today ygot's exampleoc, generated from the public
// OpenConfig models) can be replaced in one place. Input is RFC 7951 JSON
// (gNMI JSON_IETF) rooted at "/".
package oc

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/openconfig/goyang/pkg/yang"
	"github.com/openconfig/ygot/exampleoc"
	"github.com/openconfig/ygot/ygot"
	"github.com/openconfig/ygot/ytypes"
)

// Device is the root of one device's OpenConfig tree.
type Device = exampleoc.Device

// Ignored is a JSON member the loader skipped because the schema has no such
// node: a vendor augmentation or a model this binding does not carry.
type Ignored struct {
	Path string // gNMI-style path, e.g. /interfaces/interface[name=et-0/0/1]/config/acme:foo
	// Digest of the member's value (canonical JSON): a change inside a vendor
	// augmentation is a change of the device even though backstop cannot
	// read it. The value itself is not kept (it may hold secrets).
	Digest string
}

// RootEntry is the YANG schema entry of the device root.
func RootEntry() *yang.Entry { return exampleoc.SchemaTree["Device"] }

// Load decodes RFC 7951 JSON into a Device. Members the schema does not know are
// dropped and returned as Ignored (sorted), never silently lost; anything else
// that does not fit the schema is an error. Decoding is strict (see strict.go
// and check.go): duplicate members or list entries, invalid UTF-8, fractions
// in integer leaves and protocol-invalid values are an *InputError with the
// line and path.
func Load(data []byte) (*Device, []Ignored, error) {
	if referenceBinding.Load() {
		return loadYgot(data)
	}
	root, ignored, err := loadChecked(data)
	if err != nil {
		return nil, nil, err
	}
	dev := &Device{}
	if err := bindRoot(RootEntry(), dev, root); err != nil {
		// The binder only declines (errFallback); ytypes has the last word
		// on what the tree means and on the wording of its errors.
		fallbacks.Add(1)
		dev = &Device{}
		if err := ytypes.Unmarshal(RootEntry(), dev, root); err != nil {
			return nil, nil, fmt.Errorf("does not fit the OpenConfig schema: %w", err)
		}
	}
	return dev, ignored, nil
}

var referenceBinding atomic.Bool

// UseReferenceBinding makes Load bind with ytypes.Unmarshal only (the slow
// reference the fast binder is tested against) until called with false. It
// exists for differential tests of whole verdicts (internal/verdict): the
// fast binder must never change a report.
func UseReferenceBinding(on bool) { referenceBinding.Store(on) }

var referenceLoads atomic.Int64

// ReferenceLoads counts loads bound by ytypes.Unmarshal alone, so a
// differential test can prove its reference side really took that path.
func ReferenceLoads() int64 { return referenceLoads.Load() }

// loadYgot is Load with ytypes.Unmarshal only: the reference the fast binder
// is tested against.
func loadYgot(data []byte) (*Device, []Ignored, error) {
	referenceLoads.Add(1)
	root, ignored, err := loadChecked(data)
	if err != nil {
		return nil, nil, err
	}
	dev := &Device{}
	if err := ytypes.Unmarshal(RootEntry(), dev, root); err != nil {
		return nil, nil, fmt.Errorf("does not fit the OpenConfig schema: %w", err)
	}
	return dev, ignored, nil
}

// loadChecked is the strict decode and the schema check, shared by Load
// and loadYgot so the two differ only in the binding.
func loadChecked(data []byte) (map[string]any, []Ignored, error) {
	tree, err := decodeStrict(data)
	if err != nil {
		return nil, nil, err
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("config must be a JSON object rooted at /, got %s", jsonKind(tree))
	}
	c := &checker{}
	c.object(RootEntry(), root, nil)
	if err := c.result(data); err != nil {
		return nil, nil, err
	}
	ignored := c.ignored
	sort.Slice(ignored, func(i, j int) bool { return ignored[i].Path < ignored[j].Path })
	return root, ignored, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "a JSON array"
	case string:
		return "a JSON string"
	case nil:
		return "null"
	case bool:
		return "a JSON boolean"
	}
	return "a JSON number"
}

// stripModule drops the "module:" prefix of an RFC 7951 member name.
func stripModule(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// child finds a schema child by name, looking through choice and case nodes,
// which have no JSON member of their own.
func child(e *yang.Entry, name string) *yang.Entry {
	if c, ok := e.Dir[name]; ok && !c.IsChoice() && !c.IsCase() {
		return c
	}
	for _, c := range e.Dir {
		if c.IsChoice() || c.IsCase() {
			if f := child(c, name); f != nil {
				return f
			}
		}
	}
	return nil
}

func listKeys(e *yang.Entry, m map[string]any) string {
	var b strings.Builder
	for _, k := range strings.Fields(e.Key) {
		v := m[k]
		if v == nil {
			for name, vv := range m {
				if stripModule(name) == k {
					v = vv
				}
			}
		}
		fmt.Fprintf(&b, "[%s=%v]", k, v)
	}
	return b.String()
}

// Marshal renders a device as indented RFC 7951 JSON with module-qualified
// top-level members, the form gNMI JSON_IETF carries. Output is deterministic.
func Marshal(d *Device) ([]byte, error) {
	s, err := ygot.EmitJSON(d, &ygot.EmitJSONConfig{
		Format: ygot.RFC7951,
		Indent: "  ",
		RFC7951Config: &ygot.RFC7951JSONConfig{
			AppendModuleName: true,
		},
		SkipValidation: true,
	})
	if err != nil {
		return nil, err
	}
	return []byte(s + "\n"), nil
}

// Copy returns a deep copy of a device tree.
func Copy(d *Device) (*Device, error) {
	c, err := ygot.DeepCopy(d)
	if err != nil {
		return nil, err
	}
	return c.(*Device), nil
}

// Validate checks a tree against the schema (leafrefs, ranges, patterns).
func Validate(d *Device) error { return d.Validate() }
