package oc

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openconfig/ygot/util"
	"github.com/openconfig/ygot/ygot"
)

// sameLoad compares the fast Load with the ytypes path on one input: the
// outcome, the error text, the ignored members and the tree must all agree.
// The tree is compared twice: cmp sees every field including nil versus
// empty maps and the ordered maps' internals; ygot.Diff compares what the
// gNMI view of the device would be.
func sameLoad(data []byte) string {
	d1, ign1, err1 := Load(data)
	d2, ign2, err2 := loadYgot(data)
	if (err1 == nil) != (err2 == nil) {
		return fmt.Sprintf("outcome differs: fast %v, ytypes %v", err1, err2)
	}
	if err1 != nil {
		if err1.Error() != err2.Error() {
			return fmt.Sprintf("error differs:\nfast   %v\nytypes %v", err1, err2)
		}
		return ""
	}
	if diff := cmp.Diff(ign2, ign1); diff != "" {
		return "ignored members differ (-ytypes +fast):\n" + diff
	}
	if diff := cmp.Diff(d2, d1, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		return "tree differs (-ytypes +fast):\n" + diff
	}
	n, err := ygot.Diff(d2, d1)
	if err != nil {
		return "ygot.Diff: " + err.Error()
	}
	if len(n.GetUpdate()) != 0 || len(n.GetDelete()) != 0 {
		return fmt.Sprintf("ygot.Diff reports %d updates, %d deletes", len(n.GetUpdate()), len(n.GetDelete()))
	}
	return ""
}

// shippedConfigs are the OpenConfig JSON files under testdata/, valid and
// deliberately broken.
func shippedConfigs(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, pat := range []string{
		"../../testdata/backbone/configs/*.json",
		"../../testdata/scenarios/*/candidate/*.json",
		"../../testdata/bad/*/candidate/*.json",
		"../../testdata/bad/*/configs/*.json",
		"../../testdata/inventoried-transit/configs/*.json",
		"../../testdata/inventoried-transit/scenarios/*/candidate/*.json",
	} {
		files, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = b
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d configs found under testdata", len(out))
	}
	return out
}

func TestFastBinderMatchesYtypesOnShippedConfigs(t *testing.T) {
	valid := 0
	for name, data := range shippedConfigs(t) {
		before := Fallbacks()
		if d := sameLoad(data); d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if _, _, err := Load(data); err == nil {
			valid++
			// sameLoad ran Load once; this second run too.
			if n := Fallbacks() - before; n != 0 {
				why, _ := fallbackWhy.Load().(string)
				t.Errorf("%s: fell back to ytypes %d time(s): %s", name, n, why)
			}
		}
	}
	if valid < 20 {
		t.Errorf("only %d valid configs", valid)
	}
}

func TestFastBinderMatchesYtypesOnBenchConfigs(t *testing.T) {
	if testing.Short() {
		t.Skip("the ytypes reference takes ~40 s on these 5 MB")
	}
	for name, data := range map[string][]byte{"rr": benchRR(t, 400), "dc": benchDC(t, 5000, 5000)} {
		before := Fallbacks()
		if d := sameLoad(data); d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if n := Fallbacks() - before; n != 0 {
			why, _ := fallbackWhy.Load().(string)
			t.Errorf("%s: fell back to ytypes: %s", name, why)
		}
	}
}

// Shapes the shipped configs do not have but the binder claims to handle,
// and shapes it must hand to ytypes.
func TestFastBinderEdgeShapes(t *testing.T) {
	for name, in := range edgeShapes() {
		if d := sameLoad([]byte(in)); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
}

func edgeShapes() map[string]string {
	ifc := func(cfg string) string {
		return `{"openconfig-interfaces:interfaces": {"interface": [{"name": "et-0/0/0", "config": {"name": "et-0/0/0"` + cfg + `}}]}}`
	}
	cases := map[string]string{
		"empty list":            `{"openconfig-interfaces:interfaces": {"interface": []}}`,
		"empty container":       `{"openconfig-interfaces:interfaces": {}}`,
		"null leaf":             ifc(`, "description": null`),
		"null key copy":         `{"openconfig-interfaces:interfaces": {"interface": [{"name": "x", "config": {"name": null}}]}}`,
		"key only in config":    `{"openconfig-interfaces:interfaces": {"interface": [{"config": {"name": "x"}}]}}`,
		"key disagrees":         `{"openconfig-interfaces:interfaces": {"interface": [{"name": "x", "config": {"name": "y"}}]}}`,
		"enum with module":      ifc(`, "type": "iana-if-type:ethernetCsmacd"`),
		"enum without module":   ifc(`, "type": "ethernetCsmacd"`),
		"unknown enum":          ifc(`, "type": "iana-if-type:nonesuch"`),
		"uint16 out of range":   ifc(`, "mtu": 70000`),
		"string for bool":       ifc(`, "enabled": "true"`),
		"annotation":            ifc(`, "@description": {"x": 1}`),
		"state leaf":            `{"openconfig-interfaces:interfaces": {"interface": [{"name": "x", "state": {"name": "x", "counters": {"in-octets": "12"}}}]}}`,
		"uint64 as number":      `{"openconfig-interfaces:interfaces": {"interface": [{"name": "x", "state": {"counters": {"in-octets": 12}}}]}}`,
		"leaf-list empty":       `{"openconfig-routing-policy:routing-policy": {"defined-sets": {"tag-sets": {"tag-set": [{"name": "t", "config": {"name": "t", "tag-value": []}}]}}}}`,
		"leaf-list with null":   `{"openconfig-routing-policy:routing-policy": {"defined-sets": {"tag-sets": {"tag-set": [{"name": "t", "config": {"name": "t", "tag-value": [null, 5, "x"]}}]}}}}`,
		"container not object":  `{"openconfig-interfaces:interfaces": {"interface": [{"name": "x", "hold-time": 5}]}}`,
		"list not array":        `{"openconfig-interfaces:interfaces": {"interface": {"name": "x"}}}`,
		"null container":        `{"openconfig-interfaces:interfaces": null}`,
		"empty leaf":            `{"openconfig-network-instance:network-instances": {"network-instance": [{"name": "A", "config": {"name": "A"}, "protocols": {"protocol": [{"identifier": "BGP", "name": "B", "config": {"identifier": "BGP", "name": "B"}, "bgp": {"global": {"config": {"as": 1}}}}]}}]}}`,
		"decimal64":             `{"openconfig-system:system": {"ntp": {"servers": {"server": [{"address": "1.1.1.1", "config": {"address": "1.1.1.1"}, "state": {"offset": "1.5"}}]}}}}`,
		"ordered map duplicate": `{"openconfig-routing-policy:routing-policy": {"policy-definitions": {"policy-definition": [{"name": "p", "config": {"name": "p"}, "statements": {"statement": [{"name": "s", "config": {"name": "s"}}, {"name": "s", "config": {"name": "s"}}]}}]}}}`,
		"ordered map":           `{"openconfig-routing-policy:routing-policy": {"policy-definitions": {"policy-definition": [{"name": "p", "config": {"name": "p"}, "statements": {"statement": [{"name": "b", "config": {"name": "b"}}, {"name": "a", "config": {"name": "a"}}]}}]}}}`,
		"ordered map empty":     `{"openconfig-routing-policy:routing-policy": {"policy-definitions": {"policy-definition": [{"name": "p", "config": {"name": "p"}, "statements": {"statement": []}}]}}}`,
		"union string":          `{"openconfig-network-instance:network-instances": {"network-instance": [{"name": "A", "config": {"name": "A"}, "protocols": {"protocol": [{"identifier": "STATIC", "name": "S", "config": {"identifier": "STATIC", "name": "S"}, "static-routes": {"static": [{"prefix": "10.0.0.0/8", "config": {"prefix": "10.0.0.0/8"}, "next-hops": {"next-hop": [{"index": "1", "config": {"index": "1", "next-hop": "192.0.2.1"}}, {"index": "2", "config": {"index": "2", "next-hop": "openconfig-local-routing:DROP"}}, {"index": "3", "config": {"index": "3", "next-hop": "DROP"}}]}}]}}]}}]}}`,
		"union number":          `{"openconfig-network-instance:network-instances": {"network-instance": [{"name": "A", "config": {"name": "A"}, "protocols": {"protocol": [{"identifier": "STATIC", "name": "S", "config": {"identifier": "STATIC", "name": "S"}, "static-routes": {"static": [{"prefix": "10.0.0.0/8", "config": {"prefix": "10.0.0.0/8", "set-tag": 7}}]}}]}}]}}`,
		"multi key":             `{"openconfig-network-instance:network-instances": {"network-instance": [{"name": "A", "config": {"name": "A"}, "protocols": {"protocol": [{"identifier": "BGP", "name": "B", "config": {"identifier": "openconfig-policy-types:BGP", "name": "B"}}]}}]}}`,
	}
	return cases
}

// FuzzLoadEquivalent: whatever the input, the fast path and ytypes agree on
// the outcome, the error text and the tree.
func FuzzLoadEquivalent(f *testing.F) {
	for _, data := range shippedConfigs(f) {
		f.Add(data)
	}
	for _, in := range edgeShapes() {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if d := sameLoad(b); d != "" {
			t.Fatal(d)
		}
	})
}

func TestStripPrefixIsYgots(t *testing.T) {
	for _, s := range []string{"", ":", "a", "a:b", "a:b:c", ":b", "a:", "::", "openconfig-interfaces:interfaces", "2001:db8::1"} {
		if got, want := stripPrefix(s), util.StripModulePrefix(s); got != want {
			t.Errorf("stripPrefix(%q) = %q, ygot says %q", s, got, want)
		}
	}
}

// The duplicate-key check scans short lists and maps long ones; both must
// name the first entry and the duplicate.
func TestDuplicateListEntryShortAndLong(t *testing.T) {
	for _, tc := range []struct{ n, first, dup int }{{3, 1, 3}, {20, 3, 15}, {20, 10, 12}, {9, 9, 9}} {
		var b strings.Builder
		b.WriteString(`{"openconfig-interfaces:interfaces": {"interface": [`)
		for i := 1; i <= tc.n; i++ {
			name := fmt.Sprintf("et-%d", i)
			if i == tc.dup && tc.dup != tc.first {
				name = fmt.Sprintf("et-%d", tc.first)
			}
			if i > 1 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name": %q, "config": {"name": %q}}`, name, name)
		}
		b.WriteString(`]}}`)
		_, _, err := Load([]byte(b.String()))
		if tc.dup == tc.first {
			if err != nil {
				t.Errorf("n=%d: unexpected %v", tc.n, err)
			}
			continue
		}
		want := fmt.Sprintf("entries #%d and #%d of interface", tc.first, tc.dup)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("n=%d: got %v, want %q", tc.n, err, want)
		}
	}
}

// Load runs concurrently (snapshots load devices in parallel); the plan
// cache is shared. Run with -race to check it.
func TestFastBinderConcurrentLoads(t *testing.T) {
	plans.Clear() // build the plans under contention, not from earlier tests
	var files [][]byte
	for _, data := range shippedConfigs(t) {
		files = append(files, data)
	}
	errs := make(chan string, len(files)*4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range files {
				data := files[(i+w*7)%len(files)]
				d1, _, err1 := Load(data)
				d2, _, err2 := Load(data)
				if (err1 == nil) != (err2 == nil) {
					errs <- "outcome differs between two loads"
					continue
				}
				if err1 == nil {
					if diff := cmp.Diff(d1, d2, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
						errs <- diff
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
