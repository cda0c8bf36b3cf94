package compilecache

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var regexpByText = cmp.Comparer(func(a, b *regexp.Regexp) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
})

// snapshots are the shipped running networks and every candidate of their
// scenarios: the shapes of compiled model the cache must keep exactly.
func snapshots(t *testing.T) map[string]*snapshot.Snapshot {
	t.Helper()
	out := map[string]*snapshot.Snapshot{}
	for _, root := range []struct{ running, scenarios string }{
		{"../../testdata/backbone", "../../testdata/scenarios/*/candidate"},
		{"../../testdata/inventoried-transit", "../../testdata/inventoried-transit/scenarios/*/candidate"},
	} {
		run, err := snapshot.Load(root.running)
		if err != nil {
			t.Fatal(err)
		}
		out[root.running] = run
		dirs, _ := filepath.Glob(root.scenarios)
		for _, d := range dirs {
			c, err := snapshot.LoadCandidate(run, d)
			if err != nil {
				t.Fatal(err)
			}
			out[d] = c
		}
	}
	if len(out) < 40 {
		t.Fatalf("only %d snapshots", len(out))
	}
	return out
}

// TestCompiledDevicesRoundTrip: a device read back from the cache equals the
// one compile built, field by field (regexps by their source), for every
// shipped snapshot; and the second compile of a snapshot reads every device
// from the cache.
func TestCompiledDevicesRoundTrip(t *testing.T) {
	c := OpenWithIdentity(t.TempDir(), "test", nil)
	for name, s := range snapshots(t) {
		want, err := compile.Compile(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := compile.CompileWith(s, c); err != nil { // fills what is missing
			t.Fatal(err)
		}
		before := c.Stats()
		got, err := compile.CompileWith(s, c)
		if err != nil {
			t.Fatal(err)
		}
		st := c.Stats()
		if st.Hits-before.Hits != int64(len(s.Devices)) || st.Puts != before.Puts {
			t.Fatalf("%s: warm compile: %+v then %+v, want a hit for each of %d devices", name, before, st, len(s.Devices))
		}
		if d := cmp.Diff(want, got, regexpByText, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); d != "" {
			t.Fatalf("%s: cached compile differs (-compile +cache):\n%s", name, d)
		}
	}
}

func oneDevice(t *testing.T) (string, []byte, *network.Device, []network.Unmodelled) {
	t.Helper()
	s, err := snapshot.Load("../../testdata/backbone")
	if err != nil {
		t.Fatal(err)
	}
	n := s.Names()[0]
	net, err := compile.Compile(&snapshot.Snapshot{Devices: map[string]*snapshot.DeviceConfig{n: s.Devices[n]}})
	if err != nil {
		t.Fatal(err)
	}
	return n, s.Devices[n].Raw, net.Devices[0], net.Unmodelled
}

// TestCorruptEntryIsAMiss: whatever happened to an entry file, Get misses
// (the device is then compiled), it never returns a damaged device.
func TestCorruptEntryIsAMiss(t *testing.T) {
	name, raw, dev, unmod := oneDevice(t)
	for _, tc := range []struct {
		name    string
		corrupt func(data []byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"truncated", func(d []byte) []byte { return d[:len(d)/2] }},
		{"one bit flipped in the payload", func(d []byte) []byte { d[len(d)-10] ^= 1; return d }},
		{"checksum of other bytes", func(d []byte) []byte { d[0] ^= 1; return d }},
		{"valid checksum, not an entry", func([]byte) []byte {
			b, _ := encodeEntry(entry{})
			return append(b[:65:65], []byte(`{"Device":{"Name":"x"},"Bogus":1}`)...)
		}},
		{"well-formed entry of another device", func([]byte) []byte {
			b, _ := encodeEntry(entry{Device: &network.Device{Name: "other"}})
			return b
		}},
		{"directory instead of file", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := OpenWithIdentity(t.TempDir(), "test", nil)
			c.Put(name, raw, dev, unmod)
			if _, _, ok := c.Get(name, raw); !ok {
				t.Fatal("fresh entry does not hit")
			}
			p := c.path(c.key(name, raw))
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if tc.corrupt == nil {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(p, 0o755); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(p, tc.corrupt(data), 0o644); err != nil {
				t.Fatal(err)
			}
			if d, u, ok := c.Get(name, raw); ok || d != nil || u != nil {
				t.Fatalf("corrupt entry hit: %v", d)
			}
			if tc.corrupt != nil { // a rewrite repairs it
				c.Put(name, raw, dev, unmod)
				if _, _, ok := c.Get(name, raw); !ok {
					t.Fatal("rewritten entry does not hit")
				}
			}
		})
	}
}

// TestKeyCoversBinaryNameAndBytes: another build identity, another device
// name or other bytes never read an entry; the same ones do.
func TestKeyCoversBinaryNameAndBytes(t *testing.T) {
	name, raw, dev, unmod := oneDevice(t)
	dir := t.TempDir()
	a := OpenWithIdentity(dir, "build-a", nil)
	a.Put(name, raw, dev, unmod)
	if _, _, ok := OpenWithIdentity(dir, "build-a", nil).Get(name, raw); !ok {
		t.Fatal("same identity misses")
	}
	if _, _, ok := OpenWithIdentity(dir, "build-b", nil).Get(name, raw); ok {
		t.Fatal("a different build read the entry")
	}
	if OpenWithIdentity(dir, "build-b", nil).Has(name, raw) {
		t.Fatal("a different build sees the entry")
	}
	other := append(append([]byte{}, raw...), ' ')
	if _, _, ok := a.Get(name, other); ok {
		t.Fatal("other bytes read the entry")
	}
	if _, _, ok := a.Get(name+"x", raw); ok {
		t.Fatal("another device name read the entry")
	}
	id1, err := Identity()
	if err != nil || id1 == "" {
		t.Fatalf("Identity: %q %v", id1, err)
	}
	if id2, _ := Identity(); id2 != id1 {
		t.Fatal("identity not stable within a process")
	}
}

// TestDisabled: "off", "" and a nil cache read and write nothing.
func TestDisabled(t *testing.T) {
	for _, dir := range []string{"", Off} {
		if c := Open(dir, nil); c != nil {
			t.Fatalf("Open(%q) = %v, want disabled", dir, c.Dir())
		}
	}
	var c *Cache
	name, raw, dev, unmod := oneDevice(t)
	c.Put(name, raw, dev, unmod)
	if _, _, ok := c.Get(name, raw); ok || c.Has(name, raw) {
		t.Fatal("nil cache hit")
	}
	// An unusable folder disables the cache instead of failing the check.
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if c := OpenWithIdentity(f, "x", nil); c != nil {
		t.Fatal("cache opened under a file")
	}
}
