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

// A candidate snapshot folder cannot redefine the world outside the routers
// (environment.yaml) nor what each router is for (role, site, tags): judged
// against a redefined world, a change passes by moving the goalposts. A
// reformatted but equal environment and a new router are fine.
func TestCandidateKeepsTheWorld(t *testing.T) {
	running, err := Load("../../testdata/backbone")
	if err != nil {
		t.Fatal(err)
	}
	env, _ := os.ReadFile("../../testdata/backbone/environment.yaml")
	inv, _ := os.ReadFile("../../testdata/backbone/inventory.yaml")
	cases := []struct {
		name     string
		env, inv string
		want     string // "" : loads
	}{
		{"unchanged", string(env), string(inv), ""},
		{"environment reformatted", "# moved around\n\n" + string(env), string(inv), ""},
		{"health rule redefined", strings.Replace(string(env), "10.200.0.0/16", "10.0.0.31/32", 1), string(inv),
			"environment.yaml: the candidate's environment.yaml differs from the running snapshot's"},
		{"a transit added", strings.Replace(string(env), "external_peers:\n",
			"external_peers:\n  - {name: fake, device: bb1.ams, neighbor: 192.0.2.1, asn: 64999, role: transit, announces: [0.0.0.0/0]}\n", 1), string(inv),
			"environment.yaml: the candidate's environment.yaml differs"},
		{"a router re-roled", string(env), strings.Replace(string(inv), "role: backbone", "role: core", 1),
			`inventory.yaml: device bb1.ams has role "core"`},
		{"a router re-tagged", string(env), strings.Replace(string(inv), "tags: [route-reflector]", "tags: []", 1),
			"inventory.yaml: device bb1.fra has role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := running.Save(dir); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "environment.yaml"), []byte(tc.env), 0o644)
			os.WriteFile(filepath.Join(dir, "inventory.yaml"), []byte(tc.inv), 0o644)
			_, err := LoadCandidate(running, dir)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || fault.ExitCode(err) != 4 {
				t.Fatalf("err = %v, want bad input containing %q", err, tc.want)
			}
		})
	}
}
