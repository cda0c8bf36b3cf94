package testnet

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
	"go.yaml.in/yaml/v3"
)

// repoRoot is where the committed testdata lives, relative to this package.
const repoRoot = "../.."

// TestCommittedTestdataIsCurrent regenerates into a temp dir and checks the
// committed testdata/backbone and testdata/scenarios are byte-identical, with
// no stale files (the committed files came from an earlier run, so this also
// catches a non-deterministic generator). Run `go run ./internal/testnet/gen -out .` to fix drift.
func TestCommittedTestdataIsCurrent(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := Write(tmp, files); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, tmp)
	got := readTree(t, repoRoot)
	for p, b := range want {
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("%s is generated but not committed (run go run ./internal/testnet/gen -out .)", p)
		case !bytes.Equal(g, b):
			t.Errorf("%s differs from the generator's output (run go run ./internal/testnet/gen -out .)", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is committed but no longer generated", p)
		}
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, d := range GeneratedDirs {
		base := filepath.Join(root, filepath.FromSlash(d))
		err := filepath.WalkDir(base, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = b
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return out
}

// TestConfigsLoadClean: every committed config and candidate loads with no
// ignored member, validates, and re-renders to the same bytes.
func TestConfigsLoadClean(t *testing.T) {
	var paths []string
	for _, pat := range []string{"testdata/backbone/configs/*.json", "testdata/scenarios/*/candidate/*.json"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, pat))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 20 {
		t.Fatalf("found only %d configs", len(paths))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dev, ignored, err := oc.Load(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if len(ignored) > 0 {
			t.Errorf("%s: ignored %v", p, ignored)
		}
		if err := oc.Validate(dev); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		out, err := oc.Marshal(dev)
		if err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: does not round-trip through oc.Marshal (%v)", p, err)
		}
	}
}

type scenarioFile struct {
	Name           string   `yaml:"name"`
	Description    string   `yaml:"description"`
	Expect         string   `yaml:"expect"`
	ExpectFindings []string `yaml:"expect_findings"`
	Devices        []string `yaml:"devices"`
	FRR            string   `yaml:"frr_cannot_confirm"`
}

// TestScenarios: each scenario loads as a candidate snapshot, its change.json
// applied to running gives exactly its candidate files, and its expectations
// name real invariants of policies/default.yaml.
func TestScenarios(t *testing.T) {
	running, err := snapshot.Load(filepath.Join(repoRoot, "testdata/backbone"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(running.Devices); got != 20 {
		t.Fatalf("running has %d devices, want 20", got)
	}
	if len(running.Environment.ExternalPeers) != 7 || len(running.Environment.Anycast) != 1 {
		t.Fatalf("environment: %d external peers, %d anycast services", len(running.Environment.ExternalPeers), len(running.Environment.Anycast))
	}
	invariants := defaultInvariants(t)
	dirs, err := filepath.Glob(filepath.Join(repoRoot, "testdata/scenarios/*"))
	if err != nil || len(dirs) < 9 {
		t.Fatalf("scenarios: %d (%v)", len(dirs), err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "scenario.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var sc scenarioFile
			dec := yaml.NewDecoder(bytes.NewReader(raw))
			dec.KnownFields(true)
			if err := dec.Decode(&sc); err != nil {
				t.Fatal(err)
			}
			if sc.Name != name || sc.Description == "" {
				t.Errorf("scenario.yaml: name %q, description %d chars", sc.Name, len(sc.Description))
			}
			switch sc.Expect {
			case "PASS":
				if len(sc.ExpectFindings) > 0 {
					t.Errorf("PASS with findings %v", sc.ExpectFindings)
				}
			case "WARN", "BLOCK":
				if len(sc.ExpectFindings) == 0 {
					t.Errorf("%s without findings", sc.Expect)
				}
			default:
				t.Errorf("expect %q", sc.Expect)
			}
			for _, f := range sc.ExpectFindings {
				if !invariants[f] {
					t.Errorf("expected finding %q is not an invariant of policies/default.yaml", f)
				}
			}
			cand, err := snapshot.LoadCandidate(running, filepath.Join(dir, "candidate"))
			if err != nil {
				t.Fatal(err)
			}
			changed := map[string]bool{}
			for _, n := range cand.Names() {
				if !bytes.Equal(cand.Devices[n].Raw, running.Devices[n].Raw) {
					changed[n] = true
				}
			}
			if got := sortedSet(changed); strings.Join(got, ",") != strings.Join(sc.Devices, ",") {
				t.Errorf("changed devices %v, scenario.yaml says %v", got, sc.Devices)
			}
			cj, err := os.ReadFile(filepath.Join(dir, "change.json"))
			if err != nil {
				t.Fatal(err)
			}
			reqs, err := ParseChange(cj)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, req := range reqs {
				dev := req.GetPrefix().GetTarget()
				if seen[dev] || running.Devices[dev] == nil {
					t.Fatalf("change.json: target %q repeated or unknown", dev)
				}
				seen[dev] = true
				got, err := Apply(running.Devices[dev].Tree, req)
				if err != nil {
					t.Fatal(err)
				}
				out, err := oc.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out, cand.Devices[dev].Raw) {
					t.Errorf("change.json applied to running %s differs from candidate/%s.json", dev, dev)
				}
			}
			if got := sortedSet(seen); strings.Join(got, ",") != strings.Join(sc.Devices, ",") {
				t.Errorf("change.json targets %v, changed devices %v", got, sc.Devices)
			}
		})
	}
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func defaultInvariants(t *testing.T) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "policies/default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Invariants []struct {
			Name string `yaml:"name"`
		} `yaml:"invariants"`
	}
	if err := yaml.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, i := range p.Invariants {
		out[i.Name] = true
	}
	return out
}

// TestTopologyResilience checks the properties the scenarios rely on: the
// backbone survives any single link or router failure, every DC and POP is
// dual-homed to two different backbone routers (DCs across regions), and
// every router runs IS-IS on every internal link.
func TestTopologyResilience(t *testing.T) {
	n := Build()
	var bb []string
	for _, d := range n.Devices {
		if d.Role == "backbone" {
			bb = append(bb, d.Name)
		}
	}
	if len(bb) != 12 {
		t.Fatalf("%d backbone routers", len(bb))
	}
	connected := func(skipLink *Link, skipNode string) bool {
		adj := map[string][]string{}
		for _, l := range n.Links {
			if l == skipLink || l.A == skipNode || l.B == skipNode {
				continue
			}
			adj[l.A] = append(adj[l.A], l.B)
			adj[l.B] = append(adj[l.B], l.A)
		}
		start := n.Devices[0].Name
		if start == skipNode {
			start = n.Devices[1].Name
		}
		seen := map[string]bool{start: true}
		stack := []string{start}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range adj[x] {
				if !seen[y] {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		want := len(n.Devices)
		if skipNode != "" {
			want--
		}
		return len(seen) == want
	}
	if !connected(nil, "") {
		t.Fatal("network not connected")
	}
	for _, l := range n.Links {
		if !connected(l, "") {
			t.Errorf("losing link %s-%s partitions the network", l.A, l.B)
		}
	}
	for _, b := range bb {
		if !connected(nil, b) {
			t.Errorf("losing %s partitions the network", b)
		}
	}
	for _, dc := range DCs {
		if n.Device(dc.Uplinks[0]).Site == n.Device(dc.Uplinks[1]).Site {
			t.Errorf("dc1.%s uplinks are in one region", dc.Site)
		}
	}
	bbLinks := 0
	for _, l := range n.Links {
		if n.Device(l.A).Role == "backbone" && n.Device(l.B).Role == "backbone" {
			bbLinks++
		}
	}
	if bbLinks != 20 {
		t.Errorf("%d backbone links, README says 20", bbLinks)
	}
}
