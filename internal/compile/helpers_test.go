package compile

import (
	"errors"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
)

// snap builds a snapshot from device name → RFC 7951 JSON.
func snap(t testing.TB, configs map[string]string) *snapshot.Snapshot {
	t.Helper()
	s := &snapshot.Snapshot{Source: "test", Inventory: &inventory.Inventory{},
		Environment: &snapshot.Environment{}, Devices: map[string]*snapshot.DeviceConfig{}}
	for name, js := range configs {
		dc, err := snapshot.Decode(name, name+".json", []byte(js))
		if err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		s.Devices[name] = dc
		s.Inventory.Devices = append(s.Inventory.Devices, inventory.Device{Name: name, Role: "backbone", Site: "fra"})
	}
	return s
}

// compileOne compiles a single-device snapshot.
func compileOne(t testing.TB, js string) *network.Device {
	t.Helper()
	n, err := Compile(snap(t, map[string]string{"r1": js}))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return n.Devices[0]
}

// compileErr compiles and expects a bad-input error mentioning all of want.
func compileErr(t testing.TB, js string, want ...string) {
	t.Helper()
	_, err := Compile(snap(t, map[string]string{"r1": js}))
	if err == nil {
		t.Fatalf("Compile succeeded, want error mentioning %q", want)
	}
	var fe *fault.Error
	if !errors.As(err, &fe) || fault.KindOf(err) != fault.BadInput {
		t.Errorf("error %v is not bad input", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// Wrappers for the top-level members, to keep the test configs short.
func ifaces(body string) string {
	return `"openconfig-interfaces:interfaces": {"interface": [` + body + `]}`
}

func ni(protocols string, extra ...string) string {
	s := `"openconfig-network-instance:network-instances": {"network-instance": [{"name": "DEFAULT", "config": {"name": "DEFAULT"}, "protocols": {"protocol": [` + protocols + `]}`
	for _, e := range extra {
		s += ", " + e
	}
	return s + `}]}`
}

func rp(body string) string {
	return `"openconfig-routing-policy:routing-policy": {` + body + `}`
}

func obj(members ...string) string { return "{" + strings.Join(members, ", ") + "}" }
