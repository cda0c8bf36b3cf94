package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// hugeReport is a change no reviewer could read in a comment: thousands of
// findings, each with evidence and causes, and a diff of 20,000 leaves.
func hugeReport() *verdict.Report {
	r := block2021()
	var diff []change.Item
	for d := 0; d < 200; d++ {
		for i := 0; i < 100; i++ {
			diff = append(diff, interfaceItem(fmt.Sprintf("bb%03d.lab", d), i, "", 0))
		}
	}
	r.Diff = diff
	r.Findings = nil
	for i := 0; i < 5000; i++ {
		sev := policy.Block
		if i%3 == 0 {
			sev = policy.Warn
		}
		r.Findings = append(r.Findings, policy.Finding{
			Invariant: fmt.Sprintf("reach-%04d", i), Kind: policy.KindReachability, Severity: sev,
			Summary: fmt.Sprintf("dc%04d no longer reaches 10.%d.%d.0/24: every path crosses the drained backbone.", i, i/256, i%256),
			Objects: []string{fmt.Sprintf("device dc%04d", i), fmt.Sprintf("prefix 10.%d.%d.0/24", i/256, i%256)},
			Before:  "reachable over 4 paths", After: "unreachable",
			Evidence: []string{"dc forwards to bb1 which has no IS-IS adjacency left", "the default route leaves the network"},
			Causes:   diff[i%len(diff) : i%len(diff)+3],
		})
	}
	fillSummary(r)
	return r
}

func TestMarkdownCap(t *testing.T) {
	r := hugeReport()
	var b bytes.Buffer
	if err := Write(&b, "markdown", r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if len(md) > MarkdownCap {
		t.Fatalf("markdown is %d bytes, cap %d", len(md), MarkdownCap)
	}
	if len(md) < MarkdownCap-5000 {
		t.Errorf("markdown is only %d bytes: the cap should be used, not wasted", len(md))
	}
	for _, want := range []string{
		MarkdownMarker + "\n## ⛔ BLOCK — 200 devices changed, 20000 leaves changed; 3333 blocking, 1667 warning findings\n",
		"### Findings (5000)\n\n| | invariant | summary | before | after |\n|---|---|---|---|---|\n",
		"| 200 | 20000 | 3333 | 1667 |",
		"more findings not shown",
		"> [!NOTE]\n> Truncated to stay under 60000 characters:",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if !strings.HasPrefix(md, MarkdownMarker+"\n") {
		t.Error("the hidden marker is not first")
	}
	checkMarkdownBalanced(t, md)

	// The fixtures are far below the cap and say nothing about truncation.
	for _, name := range fixtureNames() {
		var b bytes.Buffer
		if err := Write(&b, "markdown", loadFixture(t, name)); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "Truncated") {
			t.Errorf("%s: truncated although small", name)
		}
		checkMarkdownBalanced(t, b.String())
	}
}

// TestMarkdownCapTiny squeezes a normal report into a tiny cap: the verdict
// line, summary and table header survive whatever else goes.
func TestMarkdownCapTiny(t *testing.T) {
	md := renderMarkdown(loadFixture(t, "block-2021"), 2500)
	for _, want := range []string{MarkdownMarker, "## ⛔ BLOCK — 12 devices changed", "| devices changed |", "| | invariant | summary | before | after |", "Truncated"} {
		if !strings.Contains(md, want) {
			t.Errorf("tiny cap lost %q:\n%s", want, md)
		}
	}
	checkMarkdownBalanced(t, md)
}

func checkMarkdownBalanced(t *testing.T, md string) {
	t.Helper()
	// Count HTML outside code blocks only: inside one, "</details>" is text.
	open, closed, fences := 0, 0, 0
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			fences++
			continue
		}
		if fences%2 == 1 {
			continue
		}
		open += strings.Count(l, "<details>")
		closed += strings.Count(l, "</details>")
	}
	if open != closed {
		t.Errorf("%d <details> but %d </details>", open, closed)
	}
	if fences%2 != 0 {
		t.Errorf("%d code fences: one is left open", fences)
	}
}

// TestMarkdownEscapes: config values cannot add HTML, links, or break the table.
func TestMarkdownEscapes(t *testing.T) {
	r := passCosmetic()
	r.Findings = []policy.Finding{{Invariant: "x|y", Kind: "anycast", Severity: policy.Warn,
		Summary: "<img src=x onerror=alert(1)> | [click](http://evil) **bold**\nnew row",
		Causes:  []change.Item{{Device: "d", Object: "o", Leaf: "description", Before: "a", After: "```\n</details>", Op: "change"}}}}
	fillSummary(r)
	var b bytes.Buffer
	if err := Write(&b, "markdown", r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, bad := range []string{"<img", "[click](", "**bold**", "x|y`"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown contains %q unescaped", bad)
		}
	}
	checkMarkdownBalanced(t, md)
}
