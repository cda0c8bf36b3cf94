package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/policy"
)

// TestJUnitXSD validates every fixture's JUnit XML against
// testdata/junit.xsd (the Jenkins/Ant JUnit subset) with xmllint.
func TestJUnitXSD(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install -y libxml2-utils, or .ci/install-report-deps.sh); the encoding/xml structural test still runs")
	}
	dir := t.TempDir()
	for _, name := range fixtureNames() {
		var b bytes.Buffer
		if err := Write(&b, "junit", loadFixture(t, name)); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit.xsd", p).CombinedOutput()
		if err != nil {
			t.Errorf("%s: xmllint: %v\n%s", name, err, out)
		}
	}
	// The XSD is not a rubber stamp: a test case without a name is rejected.
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte(`<testsuites><testsuite name="x" tests="1"><testcase classname="c"/></testsuite></testsuites>`), 0o644)
	if err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit.xsd", bad).Run(); err == nil {
		t.Error("junit.xsd accepts a testcase without a name")
	}
}

// Generic JUnit reader types, deliberately separate from the writer's.
type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    string   `xml:"tests,attr"`
	Failures string   `xml:"failures,attr"`
	Skipped  string   `xml:"skipped,attr"`
	Suites   []jSuite `xml:"testsuite"`
}

type jSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    string  `xml:"tests,attr"`
	Failures string  `xml:"failures,attr"`
	Skipped  string  `xml:"skipped,attr"`
	Cases    []jCase `xml:"testcase"`
}

type jCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
}

func parseJUnit(t *testing.T, name string, failOn string) jSuites {
	t.Helper()
	r := loadFixture(t, name)
	if failOn != "" {
		r.FailOn = failOn
	}
	var b bytes.Buffer
	if err := Write(&b, "junit", r); err != nil {
		t.Fatal(err)
	}
	var doc jSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// TestJUnitStructure checks the mapping: a suite per invariant kind, a case
// per check, failures for blocking findings, warnings skipped (or failures
// under --fail-on warn), and counts that add up.
func TestJUnitStructure(t *testing.T) {
	r := loadFixture(t, "block-2021")
	doc := parseJUnit(t, "block-2021", "")
	wantKinds := map[string]bool{}
	for _, c := range r.Checks {
		wantKinds["backstop."+c.Kind] = true
	}
	tests, fails, skips := 0, 0, 0
	names := map[string]bool{}
	for _, s := range doc.Suites {
		if !wantKinds[s.Name] {
			t.Errorf("unexpected suite %s", s.Name)
		}
		names[s.Name] = true
		f, k := 0, 0
		for _, c := range s.Cases {
			if c.Name == "" || !strings.HasPrefix(c.Classname, s.Name+".") {
				t.Errorf("case %q classname %q in suite %s", c.Name, c.Classname, s.Name)
			}
			if c.Failure != nil {
				f++
				if !strings.HasPrefix(c.Failure.Message, "BLOCK: ") || c.Failure.Body == "" {
					t.Errorf("failure %q: message %q", c.Name, c.Failure.Message)
				}
			}
			if c.Skipped != nil {
				k++
				if !strings.HasPrefix(c.Skipped.Message, "WARN: ") {
					t.Errorf("skipped %q: message %q", c.Name, c.Skipped.Message)
				}
			}
		}
		if strconv.Itoa(len(s.Cases)) != s.Tests || strconv.Itoa(f) != s.Failures || strconv.Itoa(k) != s.Skipped {
			t.Errorf("suite %s says tests=%s failures=%s skipped=%s, has %d/%d/%d", s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), f, k)
		}
		tests, fails, skips = tests+len(s.Cases), fails+f, skips+k
	}
	if len(names) != len(wantKinds) {
		t.Errorf("suites %v, want %v", names, wantKinds)
	}
	if tests != len(r.Checks) {
		t.Errorf("%d test cases, want one per check (%d)", tests, len(r.Checks))
	}
	blocking := 0
	for _, c := range r.Checks {
		if !c.Passed && c.Severity == "block" {
			blocking++
		}
	}
	if fails != blocking || skips != len(r.Checks)-countPassed(r.Checks)-blocking {
		t.Errorf("%d failures, %d skipped; want %d blocking failures", fails, skips, blocking)
	}
	if doc.Tests != strconv.Itoa(tests) || doc.Failures != strconv.Itoa(fails) || doc.Skipped != strconv.Itoa(skips) {
		t.Errorf("testsuites totals %s/%s/%s, want %d/%d/%d", doc.Tests, doc.Failures, doc.Skipped, tests, fails, skips)
	}

	// Under --fail-on warn the warnings fail too, as the exit code does.
	doc = parseJUnit(t, "warn-drain-one-link", "warn")
	if doc.Failures != "1" || doc.Skipped != "0" {
		t.Errorf("fail-on warn: failures=%s skipped=%s, want 1 and 0", doc.Failures, doc.Skipped)
	}
	doc = parseJUnit(t, "pass-cosmetic", "")
	if doc.Failures != "0" || doc.Skipped != "0" || doc.Tests != "5" {
		t.Errorf("pass: tests=%s failures=%s skipped=%s", doc.Tests, doc.Failures, doc.Skipped)
	}
}

func countPassed(cs []policy.Check) int {
	n := 0
	for _, c := range cs {
		if c.Passed {
			n++
		}
	}
	return n
}
