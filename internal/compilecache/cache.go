// Package compilecache keeps compiled devices on disk between runs, so that a
// check of a change to a few devices on an unchanged running network decodes
// and compiles only those devices.
//
// Stage: beside compile (it implements compile.DeviceCache) and snapshot
// loading (Has tells snapshot which decodes it may defer). Input: a device's
// name and config bytes. Output: the compiled network.Device and its
// unmodelled list, exactly as compile produced them.
//
// The cache never changes a verdict:
//   - An entry is content-addressed: its key is a SHA-256 over the entry
//     format version, the identity of the running binary (Identity), the
//     device name and its config bytes. A different binary or format reads
//     other keys, so a stale entry is never read, only left behind.
//   - An entry carries a SHA-256 of its payload; an entry that is missing,
//     truncated, corrupt or undecodable is a miss (logged at debug level),
//     and the device is decoded and compiled as without a cache.
//   - Entries are written to a temporary file in the same directory and
//     renamed into place, so a reader sees a whole entry or none, even with
//     concurrent checks sharing the directory (CI runners, a shared volume).
//   - Only successful compiles are stored: an input error is found again on
//     every run, with its message.
//
// Entries are JSON: unlike gob, it keeps a pointer to a zero value (set-med
// 0) and nil versus empty slices, and regexps round-trip through their
// source text (they are compiled with regexp.Compile, which is what
// Regexp.UnmarshalText uses).
package compilecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/backstop-net/backstop/models/network"
)

// FormatVersion names the entry layout and the meaning of the compiled
// model. Bump it whenever models/network or the entry encoding changes in a
// way a build identity might not reveal (it always does for release builds;
// the constant also covers builds whose identity is only their version).
const FormatVersion = "backstop-compiled-device/1"

// Off is the --cache value that disables the cache.
const Off = "off"

// Cache is a directory of compiled devices. A nil *Cache is a valid,
// disabled cache: every lookup misses and nothing is stored.
type Cache struct {
	dir      string
	identity string
	log      *slog.Logger
	stats    struct{ hits, misses, puts atomic.Int64 }
}

// Stats counts lookups that hit, lookups that missed and entries written
// since Open (for tests and measurements).
type Stats struct{ Hits, Misses, Puts int64 }

// Stats returns the counters (zero for a disabled cache).
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{c.stats.hits.Load(), c.stats.misses.Load(), c.stats.puts.Load()}
}

// entry is what one file holds after its checksum line.
type entry struct {
	Device     *network.Device
	Unmodelled []network.Unmodelled
}

// DefaultDir is <user cache dir>/backstop, or "" when the platform has no
// user cache directory (no $HOME or $XDG_CACHE_HOME): no cache then.
func DefaultDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "backstop")
}

// Open returns the cache in dir, creating it; dir "" or "off" gives a nil
// (disabled) cache. A directory that cannot be created disables the cache
// with a debug message rather than failing the check: the cache only saves
// time. log may be nil.
func Open(dir string, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if dir == "" || dir == Off {
		return nil
	}
	id, err := Identity()
	if err != nil {
		log.Debug("compile cache disabled: no build identity", "err", err)
		return nil
	}
	return OpenWithIdentity(dir, id, log)
}

// OpenWithIdentity is Open with an explicit build identity (tests use it to
// show that another binary does not read this one's entries).
func OpenWithIdentity(dir, identity string, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	dir = filepath.Join(dir, "devices")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Debug("compile cache disabled", "dir", dir, "err", err)
		return nil
	}
	return &Cache{dir: dir, identity: identity, log: log}
}

// Dir is the directory entries are kept in ("" for a disabled cache).
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

func (c *Cache) key(name string, raw []byte) string {
	h := sha256.New()
	for _, s := range []string{FormatVersion, c.identity, name} {
		fmt.Fprintf(h, "%d:%s\x00", len(s), s)
	}
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key[:2], key) }

// Has reports whether an entry for the device exists (it may still turn out
// corrupt; Get then misses and the caller decodes after all).
func (c *Cache) Has(name string, raw []byte) bool {
	if c == nil {
		return false
	}
	_, err := os.Stat(c.path(c.key(name, raw)))
	return err == nil
}

// Get implements compile.DeviceCache.
func (c *Cache) Get(name string, raw []byte) (*network.Device, []network.Unmodelled, bool) {
	if c == nil {
		return nil, nil, false
	}
	p := c.path(c.key(name, raw))
	data, err := os.ReadFile(p)
	if err != nil {
		c.stats.misses.Add(1)
		if !os.IsNotExist(err) {
			c.log.Debug("compile cache: unreadable entry, compiling", "device", name, "file", p, "err", err)
		}
		return nil, nil, false
	}
	e, err := decodeEntry(data)
	if err != nil || e.Device == nil || e.Device.Name != name {
		c.stats.misses.Add(1)
		c.log.Debug("compile cache: corrupt entry, compiling", "device", name, "file", p, "err", err)
		return nil, nil, false
	}
	c.stats.hits.Add(1)
	return e.Device, e.Unmodelled, true
}

// Put implements compile.DeviceCache. Failures are logged at debug level
// and otherwise ignored.
func (c *Cache) Put(name string, raw []byte, d *network.Device, unmod []network.Unmodelled) {
	if c == nil {
		return
	}
	data, err := encodeEntry(entry{Device: d, Unmodelled: unmod})
	if err != nil {
		c.log.Debug("compile cache: cannot encode", "device", name, "err", err)
		return
	}
	p := c.path(c.key(name, raw))
	if err := writeAtomic(p, data); err != nil {
		c.log.Debug("compile cache: cannot write", "device", name, "file", p, "err", err)
		return
	}
	c.stats.puts.Add(1)
}

// encodeEntry: one line with the hex SHA-256 of the payload, then the payload.
func encodeEntry(e entry) ([]byte, error) {
	payload, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(payload)
	out := make([]byte, 0, len(payload)+65)
	out = append(out, hex.EncodeToString(sum[:])...)
	out = append(out, '\n')
	return append(out, payload...), nil
}

func decodeEntry(data []byte) (entry, error) {
	var e entry
	i := bytes.IndexByte(data, '\n')
	if i != 64 {
		return e, fmt.Errorf("no checksum line")
	}
	sum := sha256.Sum256(data[i+1:])
	if hex.EncodeToString(sum[:]) != string(data[:i]) {
		return e, fmt.Errorf("checksum mismatch")
	}
	dec := json.NewDecoder(bytes.NewReader(data[i+1:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, err
	}
	return e, nil
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}

var identity struct {
	once sync.Once
	id   string
	err  error
}

// Identity names the running binary for cache keys. A release build of a
// clean VCS checkout is named by its build info (Go version, module and
// dependency versions and sums, VCS revision, build settings such as tags
// and ldflags); any other build (uncommitted changes, no VCS stamp, test
// binaries) by a SHA-256 of the executable itself, so that two binaries
// that could compile differently never share entries.
func Identity() (string, error) {
	identity.once.Do(func() { identity.id, identity.err = computeIdentity() })
	return identity.id, identity.err
}

func computeIdentity() (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if settings["vcs.revision"] != "" && settings["vcs.modified"] == "false" {
			h := sha256.New()
			fmt.Fprintf(h, "%s\n%s\n%s %s %s\n", bi.GoVersion, runtime.GOARCH, bi.Main.Path, bi.Main.Version, bi.Main.Sum)
			keys := make([]string, 0, len(settings))
			for k := range settings {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(h, "%s=%s\n", k, settings[k])
			}
			for _, d := range bi.Deps {
				fmt.Fprintf(h, "dep %s %s %s\n", d.Path, d.Version, d.Sum)
				if d.Replace != nil {
					fmt.Fprintf(h, "=> %s %s %s\n", d.Replace.Path, d.Replace.Version, d.Replace.Sum)
				}
			}
			return "build:" + hex.EncodeToString(h.Sum(nil)), nil
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "exe:" + hex.EncodeToString(h.Sum(nil)), nil
}
