package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/verdict"
)

// textWidth is the column the text report wraps prose at: a CI log or a
// terminal split in two still shows whole lines.
const textWidth = 100

// writeText is the report for a terminal or a CI log. Write errors are
// remembered by the bufio.Writer Write wraps w in, and reported by its Flush.
func writeText(w io.Writer, r *verdict.Report) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	para := func(indent, s string) {
		for _, l := range wrap(s, textWidth-len(indent)) {
			p("%s%s\n", indent, l)
		}
	}
	bullet := func(indent, s string) {
		for i, l := range wrap(s, textWidth-len(indent)-2) {
			if i == 0 {
				p("%s- %s\n", indent, l)
			} else {
				p("%s  %s\n", indent, l)
			}
		}
	}

	p("%s\n\n", summaryLine(r))
	if r.Headline != "" {
		para("", r.Headline)
		p("\n")
	}
	if len(r.Story) > 0 {
		p("What would happen:\n")
		for _, s := range r.Story {
			bullet("  ", s)
		}
		p("\n")
	}

	if len(r.Findings) == 0 {
		p("Findings: none (%d checks passed).\n\n", r.Summary.ChecksRun)
	} else {
		p("Findings (%d):\n\n", len(r.Findings))
	}
	for _, f := range r.Findings {
		p("[%s] %s (%s)\n", severityTag(f.Severity), f.Invariant, kindOf(f.Kind))
		para("  ", f.Summary)
		if len(f.Objects) > 0 {
			p("  objects:\n")
			for i, o := range f.Objects {
				if i == maxList {
					p("    (%d more)\n", len(f.Objects)-maxList)
					break
				}
				p("    %s\n", o)
			}
		}
		if f.Before != "" || f.After != "" {
			// One line when it fits; otherwise before and after one under the other.
			if one := "  before → after: " + orDash(f.Before) + " → " + orDash(f.After); utf8.RuneCountInString(one) <= textWidth {
				p("%s\n", one)
			} else {
				p("  before → after:\n")
				para("    ", orDash(f.Before))
				para("    → ", orDash(f.After))
			}
		}
		if len(f.Evidence) > 0 {
			p("  evidence:\n")
			for i, e := range f.Evidence {
				if i == maxList {
					p("    (%d more)\n", len(f.Evidence)-maxList)
					break
				}
				bullet("    ", e)
			}
		}
		if len(f.Causes) > 0 {
			p("  caused by:\n")
			writeItems(w, "    ", f.Causes, maxCauses, true)
		}
		p("\n")
	}

	groups := groupByDevice(r.Diff)
	if len(r.Diff) == 0 {
		p("Change: nothing changes.\n\n")
	} else {
		p("Change (%d %s on %d %s; + added, - removed, ~ changed):\n",
			len(r.Diff), plural(len(r.Diff), "leaf", "leaves"), len(groups), plural(len(groups), "device", "devices"))
		for _, g := range groups {
			if file := commonFile(g.Items); file != "" {
				p("  %s (%d, %s)\n", g.Device, len(g.Items), file)
			} else {
				p("  %s (%d)\n", g.Device, len(g.Items))
			}
			writeItems(w, "    ", g.Items, 0, false)
		}
		p("\n")
	}

	touched, untouched := changedUnmodelled(r)
	if len(touched) > 0 {
		p("Unmodelled config touched by the change (not simulated: review by hand):\n")
		for _, u := range touched {
			p("  %s  %s\n", u.Device, u.Path)
			para("      ", u.Reason)
		}
		p("\n")
	}
	if untouched > 0 {
		p("Unmodelled config not touched by the change: %d %s (listed in the JSON report).\n\n",
			untouched, plural(untouched, "path", "paths"))
	}
	if len(r.Notes) > 0 {
		p("Notes:\n")
		for _, n := range r.Notes {
			bullet("  ", n)
		}
		p("\n")
	}
	in := r.Inputs
	p("Inputs:\n")
	p("  running    %s  %s\n", orDash(in.Running), orDash(in.RunningDigest))
	p("  candidate  %s  %s\n", orDash(in.Candidate), orDash(in.CandidateDigest))
	p("  policy     %s  %s\n", orDash(in.Policy), orDash(in.PolicyDigest))
	p("backstop %s, report schema %s, fail on %s, exit code %d\n",
		orDash(r.Backstop), orDash(r.SchemaVersion), orDash(r.FailOn), r.ExitCode)
	return nil
}

// writeItems lists diff items in aligned columns; limit 0 lists all. With
// withDevice the device is the first column (causes span devices); without,
// the caller has grouped by device and each line opens with its op mark.
func writeItems(w io.Writer, indent string, items []change.Item, limit int, withDevice bool) {
	shown := items
	if limit > 0 && len(items) > limit {
		shown = items[:limit]
	}
	common := commonFile(items)
	dw, ow := 0, 0
	for _, it := range shown {
		dw = max(dw, utf8.RuneCountInString(it.Device))
		ow = max(ow, utf8.RuneCountInString(it.Object))
	}
	for _, it := range shown {
		var b strings.Builder
		b.WriteString(indent)
		if withDevice {
			b.WriteString(pad(it.Device, dw))
		} else {
			b.WriteString(opMark(it.Op))
		}
		b.WriteString("  ")
		b.WriteString(pad(it.Object, ow))
		b.WriteString("  ")
		b.WriteString(itemChange(it))
		if !withDevice {
			// The device line names the file when all its items share one.
			switch {
			case it.File != "" && common != "" && it.Line > 0:
				fmt.Fprintf(&b, "  (line %d)", it.Line)
			case it.File != "" && common == "" && it.Line > 0:
				fmt.Fprintf(&b, "  (%s:%d)", it.File, it.Line)
			case it.File != "" && common == "":
				fmt.Fprintf(&b, "  (%s)", it.File)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		if withDevice && it.Path != "" {
			// A cause names the exact leaf, so a reviewer can find the line in the change.
			fmt.Fprintf(w, "%s  %s%s\n", indent, strings.Repeat(" ", dw), it.Path)
		}
	}
	if len(shown) < len(items) {
		fmt.Fprintf(w, "%s(%d more)\n", indent, len(items)-len(shown))
	}
}

func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// commonFile is the candidate file all items come from, or "" when they come
// from several or from none.
func commonFile(items []change.Item) string {
	if len(items) == 0 {
		return ""
	}
	f := items[0].File
	for _, it := range items[1:] {
		if it.File != f {
			return ""
		}
	}
	return f
}
