package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	// Formats (uri, uri-reference) are checked, not only annotated.
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, name string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate:\n%v", name, err)
	}
}

// TestJSONMatchesSchema validates the JSON report of every fixture against
// docs/verdict-schema.json, and so do the verdict package's golden reports
// of the shipped scenarios (real pipeline output), when present.
func TestJSONMatchesSchema(t *testing.T) {
	s := compileSchema(t, "../../docs/verdict-schema.json")
	for _, name := range fixtureNames() {
		var b bytes.Buffer
		if err := Write(&b, "json", loadFixture(t, name)); err != nil {
			t.Fatal(err)
		}
		validateJSON(t, s, name+".json", b.Bytes())
	}
	// The schema is not a rubber stamp: an unknown verdict is rejected.
	var b bytes.Buffer
	if err := Write(&b, "json", loadFixture(t, "pass-cosmetic")); err != nil {
		t.Fatal(err)
	}
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bytes.Replace(b.Bytes(), []byte(`"verdict": "PASS"`), []byte(`"verdict": "MAYBE"`), 1)))
	if s.Validate(bad) == nil {
		t.Error("verdict-schema.json accepts verdict MAYBE")
	}
	real, _ := filepath.Glob("../../testdata/golden/*.verdict.json")
	for _, p := range real {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		validateJSON(t, s, p, data)
	}
}

// TestJSONByteIdentical proves the determinism promise: the same Report,
// rendered many times, gives the same bytes (no map order, no time).
func TestJSONByteIdentical(t *testing.T) {
	r := loadFixture(t, "block-2021")
	var first bytes.Buffer
	if err := Write(&first, "json", r); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		var b bytes.Buffer
		if err := Write(&b, "json", loadFixture(t, "block-2021")); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), b.Bytes()) {
			t.Fatalf("render %d differs from the first", i)
		}
	}
	// A report with nil lists still renders arrays, as the schema requires.
	var b bytes.Buffer
	if err := Write(&b, "json", passCosmeticNil()); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, compileSchema(t, "../../docs/verdict-schema.json"), "nil lists", b.Bytes())
}

func passCosmeticNil() *verdict.Report {
	r := passCosmetic()
	r.Findings, r.Checks, r.Diff, r.Unmodelled, r.Story = nil, nil, nil, nil, nil
	r.Topology.Devices, r.Topology.Links, r.Topology.Anycast, r.Topology.External = nil, nil, nil, nil
	return r
}

// TestSARIFMatchesSchema validates every fixture's SARIF against the SARIF
// 2.1.0 schema (testdata/sarif-schema-2.1.0.json) and checks the mapping.
func TestSARIFMatchesSchema(t *testing.T) {
	s := compileSchema(t, "testdata/sarif-schema-2.1.0.json")
	for _, name := range fixtureNames() {
		var b bytes.Buffer
		if err := Write(&b, "sarif", loadFixture(t, name)); err != nil {
			t.Fatal(err)
		}
		validateJSON(t, s, name+".sarif", b.Bytes())
	}
	// The schema is not a rubber stamp: a wrong level is rejected.
	bad := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if s.Validate(v) == nil {
		t.Error("the SARIF schema accepts level \"fatal\"")
	}
}

func TestSARIFMapping(t *testing.T) {
	doc := sarifDoc(loadFixture(t, "block-2021"))
	run := doc.Runs[0]
	ruleIDs := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		if _, dup := ruleIDs[r.ID]; dup {
			t.Errorf("rule %s twice", r.ID)
		}
		ruleIDs[r.ID] = i
	}
	for _, k := range []string{"anycast", "critical_prefixes", "blast_radius", "bgp_sessions", "unmodelled", "convergence", "reachability"} {
		if _, ok := ruleIDs[k]; !ok {
			t.Errorf("no rule for kind %s", k)
		}
	}
	if len(run.Results) != 5 {
		t.Fatalf("%d results, want one per finding (5)", len(run.Results))
	}
	levels := map[string]int{}
	for _, res := range run.Results {
		levels[res.Level]++
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s has ruleIndex %d pointing at %s", res.RuleID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		if len(res.Locations) == 0 || len(res.Locations) > maxCauses {
			t.Errorf("result %s has %d locations", res.RuleID, len(res.Locations))
		}
		for _, l := range res.Locations {
			if l.PhysicalLocation == nil || l.PhysicalLocation.Region == nil || l.PhysicalLocation.Region.StartLine < 1 {
				t.Errorf("result %s: a cause with file and line has no physical location: %+v", res.RuleID, l)
				continue
			}
			if u := l.PhysicalLocation.ArtifactLocation.URI; filepath.IsAbs(u) || u == "" {
				t.Errorf("uri %q is not relative", u)
			}
		}
	}
	if levels["error"] != 3 || levels["warning"] != 2 {
		t.Errorf("levels %v, want 3 error and 2 warning", levels)
	}
	// Without a file, a cause is a logical location device:path.
	r := loadFixture(t, "pass-cosmetic")
	locs := sarifLocations(r.Diff)
	if len(locs) != 1 || locs[0].PhysicalLocation != nil || locs[0].LogicalLocations[0].FullyQualifiedName != "edge1.sin:"+r.Diff[0].Path {
		t.Errorf("logical location: %+v", locs)
	}
	if got := fileURI("cand dir/bb1.ams.json"); got != "cand%20dir/bb1.ams.json" {
		t.Errorf("fileURI = %q", got)
	}
}
