package oc

import (
	"os"
	"strings"
	"testing"
)

func TestLoadReportsUnknownMembersWithTheirPath(t *testing.T) {
	data := []byte(`{
  "openconfig-interfaces:interfaces": {"interface": [{"name": "et-0/0/1",
    "config": {"name": "et-0/0/1", "enabled": false, "acme-ext:turbo": true}}]},
  "acme-ext:widgets": {"x": 1}
}`)
	d, ign, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if d.Interface["et-0/0/1"].Enabled == nil || *d.Interface["et-0/0/1"].Enabled {
		t.Error("enabled should be false")
	}
	want := []string{"/acme-ext:widgets", "/interfaces/interface[name=et-0/0/1]/config/acme-ext:turbo"}
	if len(ign) != 2 || ign[0].Path != want[0] || ign[1].Path != want[1] {
		t.Errorf("ignored = %+v, want %v", ign, want)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := map[string]string{
		"{\n  \"a\": 1,\n}": "line 3",
		"[]":                "JSON object",
		"{} {}":             "trailing data",
		`{"openconfig-interfaces:interfaces": {"interface": [{"name": "x", "config": {"name": "x", "enabled": "yes"}}]}}`: "does not fit the OpenConfig schema",
	}
	for in, want := range cases {
		if _, _, err := Load([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	data, err := os.ReadFile("../../testdata/backbone/configs/edge1.ams.json")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	d2, ign, err := Load(out)
	if err != nil || len(ign) != 0 {
		t.Fatalf("reload: %v %v", err, ign)
	}
	out2, _ := Marshal(d2)
	if string(out) != string(out2) {
		t.Error("Marshal is not stable across a round trip")
	}
}

// FuzzLoad: any input either loads or fails with an error; never a panic.
func FuzzLoad(f *testing.F) {
	seed, _ := os.ReadFile("../../testdata/backbone/configs/dc1.prn.json")
	f.Add(seed)
	f.Add([]byte(`{"openconfig-interfaces:interfaces": {"interface": [{"name": "a"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, _, err := Load(b)
		if err == nil && d == nil {
			t.Fatal("nil device without error")
		}
	})
}
