package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
)

func TestLoadBackbone(t *testing.T) {
	s, err := Load("../../testdata/backbone")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Devices) != 20 || len(s.Environment.Anycast) != 1 || len(s.Environment.ExternalPeers) != 7 {
		t.Fatalf("devices %d, anycast %d, peers %d", len(s.Devices), len(s.Environment.Anycast), len(s.Environment.ExternalPeers))
	}
	if s.Digest() != s.Digest() || len(s.Digest()) != 16 {
		t.Error("digest must be stable")
	}
	out := t.TempDir()
	if err := s.Save(out); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Digest() != s.Digest() {
		t.Error("save/load changes the snapshot")
	}
	// Saving again into the same folder after a device left the fleet (a
	// second `backstop pull --out`) must still load.
	stale := filepath.Join(out, "configs", "gone.json")
	if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(out); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(out); err != nil {
		t.Errorf("a config left from an earlier save breaks the folder: %v", err)
	}
}

func TestFailClosedOnHoles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "configs"), 0o755)
	os.WriteFile(filepath.Join(dir, "inventory.yaml"), []byte("devices:\n  - name: r1\n  - name: r2\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "configs", "r1.json"), []byte("{}"), 0o644)
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), `no config for inventoried device "r2"`) || fault.ExitCode(err) != 4 {
		t.Fatalf("missing config must fail with exit 4: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "configs", "r2.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, "configs", "r3.json"), []byte("{}"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), `device "r3" is not in`) {
		t.Fatalf("config of an unknown device must fail: %v", err)
	}
}

func TestParseEnvironmentErrors(t *testing.T) {
	cases := map[string]string{
		"external_peers:\n  - {device: a, neighbor: 10.0.0.1}\n":                       "line 2: external peer needs device, neighbor and asn",
		"anycast:\n  - {service: dns, prefix: 10.0.0.0/33, health: {reach_any: []}}\n": "10.0.0.0/33",
		"anycast:\n  - {service: dns, prefix: 10.0.0.0/24}\n":                          "reach_any is empty",
		"external_peers:\n  - {device: a, neighbor: 10.0.0.1, asn: 1, colour: red}\n":  "colour",
	}
	for in, want := range cases {
		_, err := ParseEnvironment([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || fault.ExitCode(err) != 4 {
			t.Errorf("%q: %v, want exit-4 error containing %q", in, err, want)
		}
	}
}

func FuzzParseEnvironment(f *testing.F) {
	seed, _ := os.ReadFile("../../testdata/backbone/environment.yaml")
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := ParseEnvironment(b)
		if err == nil && env == nil {
			t.Fatal("nil environment without error")
		}
	})
}
