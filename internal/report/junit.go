package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// JUnit mapping (docs/ci.md repeats it for CI users):
//   - one <testsuite> per invariant kind ("anycast", "critical_prefixes"...),
//     named "backstop.<kind>", sorted by kind;
//   - one <testcase> per policy.Check: classname "backstop.<kind>.<invariant>",
//     name the checked object;
//   - a check whose finding fails the run gets <failure>: every blocking
//     finding, and warnings too under --fail-on warn, so the CI test view
//     agrees with the exit code;
//   - any other warning is <skipped message="WARN: ..."> with the evidence in
//     the body: the check did run, but skipped is the one non-failing state CI
//     dashboards (Jenkins, GitLab, GitHub test reporters) show next to the
//     test, where <system-out> would hide it;
//   - a finding that no Check names still gets a test case, so no finding is
//     lost between the verdict and the CI view.
// time is always 0 and there is no timestamp: the same Report gives the same bytes.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Failure   *junitMessage `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

func writeJUnit(w io.Writer, r *verdict.Report) error {
	doc := junitDoc(r)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitDoc(r *verdict.Report) junitSuites {
	fails := func(s policy.Severity) bool {
		return s == policy.Block || (s == policy.Warn && r.FailOn == "warn")
	}
	used := make([]bool, len(r.Findings))
	// findingFor is the finding a failed check stands for: same invariant,
	// and the check's object among the finding's objects (or the same words).
	findingFor := func(c policy.Check) *policy.Finding {
		for pass := 0; pass < 2; pass++ {
			for i := range r.Findings {
				f := &r.Findings[i]
				if f.Invariant != c.Invariant || (pass == 0 && used[i]) {
					continue
				}
				if slices.Contains(f.Objects, c.Object) || (c.Message != "" && f.Summary == c.Message) {
					used[i] = true
					return f
				}
			}
		}
		return nil
	}

	byKind := map[string]*junitSuite{}
	suite := func(kind string) *junitSuite {
		kind = kindOf(kind)
		s := byKind[kind]
		if s == nil {
			s = &junitSuite{Name: "backstop." + kind, Time: "0"}
			byKind[kind] = s
		}
		return s
	}
	add := func(kind, invariant, object string, sev policy.Severity, failed bool, msg string, f *policy.Finding) {
		s := suite(kind)
		tc := junitCase{Name: orDash(object), Classname: "backstop." + kindOf(kind) + "." + orDash(invariant), Time: "0"}
		if failed {
			if msg == "" && f != nil {
				msg = f.Summary
			}
			m := &junitMessage{Message: strings.ToUpper(string(sev)) + ": " + msg, Type: string(sev), Body: junitBody(f, msg)}
			if fails(sev) {
				tc.Failure = m
				s.Failures++
			} else {
				m.Type = ""
				tc.Skipped = m
				s.Skipped++
			}
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for _, c := range r.Checks {
		if c.Passed {
			add(c.Kind, c.Invariant, c.Object, "", false, "", nil)
			continue
		}
		f := findingFor(c)
		sev := c.Severity
		if sev == "" && f != nil {
			sev = f.Severity
		}
		if sev == "" {
			// A failed check without a severity must not read as a pass.
			sev = policy.Block
		}
		add(c.Kind, c.Invariant, c.Object, sev, true, c.Message, f)
	}
	for i := range r.Findings {
		if used[i] {
			continue
		}
		f := &r.Findings[i]
		obj := "(finding)"
		if len(f.Objects) > 0 {
			obj = f.Objects[0]
		}
		add(f.Kind, f.Invariant, obj, f.Severity, true, f.Summary, f)
	}

	doc := junitSuites{Name: "backstop", Time: "0"}
	for _, k := range sortedKeys(byKind) {
		s := byKind[k]
		s.Properties = []junitProperty{{"verdict", verdictName(r)}, {"fail_on", r.FailOn}, {"backstop_version", r.Backstop}}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, *s)
	}
	return doc
}

// junitBody is what a CI test view shows when the test case is opened: the
// finding in the same words as the text report.
func junitBody(f *policy.Finding, msg string) string {
	if f == nil {
		return msg
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", f.Summary)
	fmt.Fprintf(&b, "before: %s\nafter:  %s\n", orDash(f.Before), orDash(f.After))
	if len(f.Objects) > 0 {
		fmt.Fprintf(&b, "objects:\n")
		for _, o := range f.Objects {
			fmt.Fprintf(&b, "  %s\n", o)
		}
	}
	if len(f.Evidence) > 0 {
		fmt.Fprintf(&b, "evidence:\n")
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  - %s\n", e)
		}
	}
	if len(f.Causes) > 0 {
		fmt.Fprintf(&b, "caused by:\n")
		for i, c := range f.Causes {
			if i == maxCauses {
				fmt.Fprintf(&b, "  (%d more)\n", len(f.Causes)-maxCauses)
				break
			}
			fmt.Fprintf(&b, "  %s  %s  %s\n", c.Device, c.Object, itemChange(c))
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
