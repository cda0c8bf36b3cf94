// Package snapshot holds one view of the network: the inventory, each device's
// OpenConfig tree and the environment.
//
// Stage: after collect, before compile. Input: a snapshot folder
// (inventory.yaml, configs/<device>.json, environment.yaml) or trees pulled over
// gNMI. Output: a Snapshot. Every inventoried device must have a config, and
// every config must belong to an inventoried device: a snapshot with a hole in
// it would let a simulation pass on a network it never saw.
package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/models/oc"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sync/errgroup"
)

// Snapshot is the network as seen at one moment (running) or as proposed (candidate).
type Snapshot struct {
	Source      string // folder or description, for messages
	Inventory   *inventory.Inventory
	Environment *Environment
	Devices     map[string]*DeviceConfig
}

// DeviceConfig is one device's configuration.
type DeviceConfig struct {
	Name string
	File string // where it came from (file path or gnmi://address)
	Raw  []byte // the JSON as read; digests and line lookups use it
	// Rendered: Raw was rendered from Tree (a SetRequest applied to running,
	// a gNMI Get), not read from File, so line numbers in Raw are not lines
	// of File.
	Rendered bool
	Tree     *oc.Device
	Ignored  []oc.Ignored // members the binding does not know
	// deferred is set when loading skipped the decode (Options.Defer): Tree
	// and Ignored are filled by the first Decoded call. A pointer, so that
	// copying a DeviceConfig never copies the Once.
	deferred *deferredDecode
}

type deferredDecode struct {
	once sync.Once
	err  error
}

// Decoded makes sure Tree and Ignored are set, decoding Raw now if loading
// deferred it; safe for concurrent use. Every reader of Tree or Ignored in
// a pipeline that may load with Options.Defer calls it first. The error is
// the one loading would have returned (a deferred device is one whose bytes
// a cache has seen decode, so it is not expected, but it is never hidden).
func (d *DeviceConfig) Decoded() error {
	if d == nil || d.deferred == nil {
		return nil
	}
	d.deferred.once.Do(func() {
		tree, ignored, err := oc.Load(d.Raw)
		if err != nil {
			d.deferred.err = fault.Badf("%s: %w", d.File, err)
			return
		}
		d.Tree, d.Ignored = tree, ignored
	})
	return d.deferred.err
}

// IsDeferred reports whether the device's decode was deferred and has not
// happened yet (for tests and measurements).
func (d *DeviceConfig) IsDeferred() bool {
	return d.deferred != nil && d.Tree == nil && d.deferred.err == nil
}

// Options change how a snapshot folder is loaded.
type Options struct {
	// Defer, when it returns true for a device's name and bytes, skips that
	// device's decode at load time (see DeviceConfig.Decoded): a check whose
	// compile cache already holds the device never needs its tree unless the
	// change touches it. Nil decodes everything at load, as Load does.
	Defer func(name string, raw []byte) bool
}

// Names returns the device names, sorted.
func (s *Snapshot) Names() []string {
	out := make([]string, 0, len(s.Devices))
	for n := range s.Devices {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Digest is a stable hash of the snapshot's inputs (configs and environment).
func (s *Snapshot) Digest() string {
	h := sha256.New()
	for _, n := range s.Names() {
		fmt.Fprintf(h, "%s\x00", n)
		h.Write(s.Devices[n].Raw)
	}
	if env, err := s.Environment.marshal(); err == nil {
		h.Write(env)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// LoadEnvironment reads an environment.yaml and checks that it names only
// inventoried devices; a missing file is an empty environment.
func LoadEnvironment(path string, inv *inventory.Inventory) (*Environment, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return &Environment{}, nil
	}
	if err != nil {
		return nil, fault.Bad(err)
	}
	env, err := ParseEnvironment(data)
	if err != nil {
		return nil, fault.Badf("%s: %w", path, err)
	}
	if err := env.check(func(n string) bool { return inv.Device(n) != nil }); err != nil {
		return nil, fault.Badf("%s: %w", path, err)
	}
	return env, nil
}

// Load reads a snapshot folder.
func Load(dir string) (*Snapshot, error) { return LoadWith(dir, Options{}) }

// LoadWith is Load with options.
func LoadWith(dir string, opt Options) (*Snapshot, error) {
	invPath := filepath.Join(dir, "inventory.yaml")
	inv, err := inventory.Load(invPath)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Source: dir, Inventory: inv}
	if s.Environment, err = LoadEnvironment(filepath.Join(dir, "environment.yaml"), inv); err != nil {
		return nil, err
	}
	files, err := configFiles(filepath.Join(dir, "configs"))
	if err != nil {
		return nil, err
	}
	for name, f := range files {
		if inv.Device(name) == nil {
			return nil, fault.Badf("%s: device %q is not in %s", f, name, invPath)
		}
	}
	for _, d := range inv.Devices {
		if _, ok := files[d.Name]; !ok {
			return nil, fault.Badf("%s: no config for inventoried device %q (expected %s)", dir, d.Name,
				filepath.Join(dir, "configs", d.Name+".json"))
		}
	}
	s.Devices, err = loadFiles(files, opt)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// configFiles maps device name to <dir>/<device>.json.
func configFiles(dir string) (map[string]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fault.Bad(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = filepath.Join(dir, e.Name())
	}
	return out, nil
}

// loadFiles decodes configs in parallel: the binding decodes slowly, so each
// file is decoded exactly once, on all cores.
func loadFiles(files map[string]string, opt Options) (map[string]*DeviceConfig, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*DeviceConfig, len(names))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, n := range names {
		g.Go(func() error {
			data, err := os.ReadFile(files[n])
			if err != nil {
				return fault.Bad(err)
			}
			if opt.Defer != nil && opt.Defer(n, data) {
				out[i] = &DeviceConfig{Name: n, File: files[n], Raw: data, deferred: &deferredDecode{}}
				return nil
			}
			dc, err := Decode(n, files[n], data)
			if err != nil {
				return err
			}
			out[i] = dc
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := make(map[string]*DeviceConfig, len(out))
	for _, dc := range out {
		m[dc.Name] = dc
	}
	return m, nil
}

// Decode parses one device's JSON; errors name the file.
func Decode(name, file string, data []byte) (*DeviceConfig, error) {
	tree, ignored, err := oc.Load(data)
	if err != nil {
		return nil, fault.Badf("%s: %w", file, err)
	}
	return &DeviceConfig{Name: name, File: file, Raw: data, Tree: tree, Ignored: ignored}, nil
}

// WithDevices returns a copy of s whose named devices are replaced; the rest
// is shared (configs are never mutated in place).
func (s *Snapshot) WithDevices(source string, repl map[string]*DeviceConfig) (*Snapshot, error) {
	c := &Snapshot{Source: source, Inventory: s.Inventory, Environment: s.Environment,
		Devices: make(map[string]*DeviceConfig, len(s.Devices))}
	for n, d := range s.Devices {
		c.Devices[n] = d
	}
	for n, d := range repl {
		if _, ok := s.Devices[n]; !ok {
			return nil, fault.Badf("%s: device %q is not in the inventory", d.File, n)
		}
		c.Devices[n] = d
	}
	return c, nil
}

// LoadCandidate reads a candidate: a full snapshot folder (it has an
// inventory.yaml), or a folder of per-device JSON files (<device>.json, directly
// or under configs/) that replace those devices of running.
func LoadCandidate(running *Snapshot, dir string) (*Snapshot, error) {
	return LoadCandidateWith(running, dir, Options{})
}

// LoadCandidateWith is LoadCandidate with options.
func LoadCandidateWith(running *Snapshot, dir string, opt Options) (*Snapshot, error) {
	if _, err := os.Stat(filepath.Join(dir, "inventory.yaml")); err == nil {
		c, err := LoadWith(dir, opt)
		if err != nil {
			return nil, err
		}
		if err := sameWorld(running, c, dir); err != nil {
			return nil, err
		}
		return c, nil
	}
	files, err := configFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		if files, err = configFiles(filepath.Join(dir, "configs")); err != nil {
			return nil, fault.Badf("%s: no candidate configs (<device>.json) found", dir)
		}
	}
	if len(files) == 0 {
		return nil, fault.Badf("%s: no candidate configs (<device>.json) found", dir)
	}
	for name, f := range files {
		if running.Inventory.Device(name) == nil {
			return nil, fault.Badf("%s: device %q is not in the inventory", f, name)
		}
	}
	devs, err := loadFiles(files, opt)
	if err != nil {
		return nil, err
	}
	return running.WithDevices(dir, devs)
}

// Save writes the snapshot as a folder.
func (s *Snapshot) Save(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		return err
	}
	// A device dropped from the inventory since the last save would leave a
	// config Load rejects ("not in the inventory").
	old, _ := filepath.Glob(filepath.Join(dir, "configs", "*.json"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	inv, err := s.Inventory.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "inventory.yaml"), inv, 0o644); err != nil {
		return err
	}
	// An empty environment is not written: a "{}" file would look like a
	// deliberate declaration that the network has no peers to protect.
	if !s.Environment.Empty() {
		env, err := s.Environment.marshal()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "environment.yaml"), env, 0o644); err != nil {
			return err
		}
	}
	for _, n := range s.Names() {
		d := s.Devices[n]
		data := d.Raw
		if data == nil {
			if data, err = oc.Marshal(d.Tree); err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "configs", n+".json"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// sameWorld refuses a candidate snapshot folder that redefines what a change
// to the routers cannot change: the world outside the inventory
// (environment.yaml: what the external peers announce, where the anycast
// announcers are, what their health rule reaches) and what each router is
// for (its role, site and tags, which the policy selects on). Judged against
// a redefined world, a change could pass by moving the goalposts: a health
// rule that always holds, a router no longer called backbone.
func sameWorld(running, cand *Snapshot, dir string) error {
	opts := cmp.Options{
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmpopts.IgnoreFields(ExternalPeer{}, "Line"),
		cmpopts.IgnoreFields(Anycast{}, "Line"),
		cmpopts.EquateEmpty(),
	}
	envR, envC := running.Environment, cand.Environment
	if envR == nil {
		envR = &Environment{}
	}
	if envC == nil {
		envC = &Environment{}
	}
	if d := cmp.Diff(envR, envC, opts); d != "" {
		return fault.Badf("%s: the candidate's environment.yaml differs from the running snapshot's; "+
			"a change to the routers cannot change the world outside them, so update the running snapshot's "+
			"environment first (-running +candidate):\n%s", filepath.Join(dir, "environment.yaml"), d)
	}
	for _, dc := range cand.Inventory.Devices {
		dr := running.Inventory.Device(dc.Name)
		if dr == nil {
			continue // a new router
		}
		if dr.Role != dc.Role || dr.Site != dc.Site || !slices.Equal(dr.Tags, dc.Tags) {
			return fault.Badf("%s: device %s has role %q, site %q, tags %v, but %q, %q, %v in the running inventory; "+
				"the policy selects routers by these, so a candidate cannot change them",
				filepath.Join(dir, "inventory.yaml"), dc.Name, dc.Role, dc.Site, dc.Tags, dr.Role, dr.Site, dr.Tags)
		}
	}
	return nil
}
