package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// MarkdownMarker opens every Markdown report, invisible when rendered, so a
// CI bot can find the comment it posted before and update it instead of
// adding another (docs/ci.md).
const MarkdownMarker = "<!-- backstop-report -->"

// MarkdownCap is the most bytes the Markdown report takes. GitHub rejects a
// comment over 65,536 characters; bytes are never fewer than characters, and
// the margin leaves room for a bot to prepend a line of its own.
const MarkdownCap = 60000

// writeMarkdown renders the pull-request comment. The verdict line, the
// headline, the summary counts and the findings table header are always
// present; story lines, table rows, evidence, the change list, unmodelled
// config and notes are added in that order of importance while they fit under
// MarkdownCap, and a notice says what was left out.
func writeMarkdown(w io.Writer, r *verdict.Report) error {
	_, err := io.WriteString(w, renderMarkdown(r, MarkdownCap))
	return err
}

func renderMarkdown(r *verdict.Report, limit int) string {
	s := r.Summary
	var head strings.Builder
	head.WriteString(MarkdownMarker + "\n")
	fmt.Fprintf(&head, "## %s %s — %s\n\n", badge(r.Verdict), mdText(verdictName(r)),
		mdText(strings.TrimPrefix(summaryLine(r), verdictName(r)+": ")))
	if r.Headline != "" {
		fmt.Fprintf(&head, "**%s**\n\n", mdText(r.Headline))
	}
	fmt.Fprintf(&head, "| devices changed | leaves changed | blocking | warning | checks run | exit code |\n")
	fmt.Fprintf(&head, "|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&head, "| %d | %d | %d | %d | %d | %d |\n\n", s.DevicesChanged, s.LeavesChanged, s.Block, s.Warn, s.ChecksRun, r.ExitCode)

	var tableHead string
	if len(r.Findings) == 0 {
		tableHead = fmt.Sprintf("### Findings\n\nNone: all %d checks passed.\n", s.ChecksRun)
	} else {
		tableHead = fmt.Sprintf("### Findings (%d)\n\n| | invariant | summary | before | after |\n|---|---|---|---|---|\n", len(r.Findings))
	}

	footer := fmt.Sprintf("\n<sub>backstop %s · report schema %s · fail on %s · running %s · candidate %s · policy %s</sub>\n",
		mdText(orDash(r.Backstop)), mdText(orDash(r.SchemaVersion)), mdText(orDash(r.FailOn)),
		mdCode(orDash(r.Inputs.RunningDigest)), mdCode(orDash(r.Inputs.CandidateDigest)), mdCode(orDash(r.Inputs.PolicyDigest)))

	// The notice's final text is not known until the end; reserve its largest size.
	const noticeReserve = 400
	b := budget{left: limit - head.Len() - len(tableHead) - len(footer) - noticeReserve}

	// Story.
	var story strings.Builder
	if len(r.Story) > 0 {
		b.take(&story, "**What would happen**\n\n")
		for _, l := range r.Story {
			if !b.take(&story, "- "+mdText(l)+"\n") {
				b.omitted("story lines", 1)
			}
		}
		b.take(&story, "\n")
	}

	// Table rows.
	var rows strings.Builder
	for _, f := range r.Findings {
		row := fmt.Sprintf("| %s | %s | %s | %s | %s |\n", sevBadge(f.Severity), mdCode(f.Invariant),
			mdText(f.Summary), mdText(f.Before), mdText(f.After))
		if !b.take(&rows, row) {
			b.omitted("findings in the table", 1)
		}
	}

	// Evidence per finding.
	var ev strings.Builder
	if len(r.Findings) > 0 {
		ev.WriteString("\n")
	}
	for _, f := range r.Findings {
		if !b.take(&ev, findingDetails(f)) {
			b.omitted("evidence blocks", 1)
		}
	}

	// Change list, line by line so a huge diff still shows its beginning.
	var diff strings.Builder
	if len(r.Diff) > 0 {
		groups := groupByDevice(r.Diff)
		open := fmt.Sprintf("\n<details><summary>Change: %d %s on %d %s</summary>\n\n",
			len(r.Diff), plural(len(r.Diff), "leaf", "leaves"), len(groups), plural(len(groups), "device", "devices"))
		lines := itemLines(groups)
		fence := codeFence(lines)
		closeS := fence + "\n\n</details>\n"
		if b.take(&diff, open+fence+"\n") {
			b.left -= len(closeS)
			for _, l := range lines {
				if !b.take(&diff, l+"\n") {
					b.omitted("change lines", 1)
				}
			}
			diff.WriteString(closeS)
		} else {
			b.omitted("change lines", len(lines))
		}
	}

	// Unmodelled config the change touches.
	var unm strings.Builder
	if touched, _ := changedUnmodelled(r); len(touched) > 0 {
		var u strings.Builder
		fmt.Fprintf(&u, "\n<details><summary>Unmodelled config touched by the change (%d): not simulated, review by hand</summary>\n\n", len(touched))
		for _, x := range touched {
			fmt.Fprintf(&u, "- %s %s: %s\n", mdCode(x.Device), mdCode(x.Path), mdText(x.Reason))
		}
		u.WriteString("\n</details>\n")
		if !b.take(&unm, u.String()) {
			b.omitted("unmodelled paths", len(touched))
		}
	}

	var notes strings.Builder
	if len(r.Notes) > 0 {
		var n strings.Builder
		n.WriteString("\n<details><summary>Simulator notes</summary>\n\n")
		for _, x := range r.Notes {
			fmt.Fprintf(&n, "- %s\n", mdText(x))
		}
		n.WriteString("\n</details>\n")
		if !b.take(&notes, n.String()) {
			b.omitted("notes", len(r.Notes))
		}
	}

	var out strings.Builder
	out.WriteString(head.String())
	out.WriteString(story.String())
	out.WriteString(tableHead)
	out.WriteString(rows.String())
	if b.count["findings in the table"] > 0 {
		// Part of the reserved notice budget.
		fmt.Fprintf(&out, "\n_… %d more findings not shown._\n", b.count["findings in the table"])
	}
	out.WriteString(ev.String())
	out.WriteString(diff.String())
	out.WriteString(unm.String())
	out.WriteString(notes.String())
	if len(b.order) > 0 {
		var parts []string
		for _, k := range b.order {
			parts = append(parts, fmt.Sprintf("%d %s", b.count[k], k))
		}
		fmt.Fprintf(&out, "\n> [!NOTE]\n> Truncated to stay under %d characters: %s left out. The full report is in backstop.json and backstop.html.\n",
			limit, strings.Join(parts, ", "))
	}
	out.WriteString(footer)
	return out.String()
}

// budget hands out the bytes left under the cap. Once something does not fit,
// later pieces may still fit (a short row after a long one); that is fine, the
// notice counts everything left out.
type budget struct {
	left  int
	count map[string]int
	order []string
}

func (b *budget) take(sb *strings.Builder, s string) bool {
	if len(s) > b.left {
		return false
	}
	b.left -= len(s)
	sb.WriteString(s)
	return true
}

func (b *budget) omitted(what string, n int) {
	if b.count == nil {
		b.count = map[string]int{}
	}
	if _, ok := b.count[what]; !ok {
		b.order = append(b.order, what)
	}
	b.count[what] += n
}

func findingDetails(f policy.Finding) string {
	var d strings.Builder
	fmt.Fprintf(&d, "<details><summary>%s %s: evidence and causes</summary>\n\n", sevBadge(f.Severity), mdCode(f.Invariant))
	if len(f.Objects) > 0 {
		d.WriteString("**Objects:** ")
		for i, o := range f.Objects {
			if i == maxList {
				fmt.Fprintf(&d, ", and %d more", len(f.Objects)-maxList)
				break
			}
			if i > 0 {
				d.WriteString(", ")
			}
			d.WriteString(mdText(o))
		}
		d.WriteString("\n\n")
	}
	if len(f.Evidence) > 0 {
		d.WriteString("**Evidence:**\n\n")
		for i, e := range f.Evidence {
			if i == maxList {
				fmt.Fprintf(&d, "- … and %d more\n", len(f.Evidence)-maxList)
				break
			}
			fmt.Fprintf(&d, "- %s\n", mdText(e))
		}
		d.WriteString("\n")
	}
	if len(f.Causes) > 0 {
		d.WriteString("**Caused by:**\n\n")
		var lines []string
		for i, c := range f.Causes {
			if i == maxCauses {
				lines = append(lines, fmt.Sprintf("(%d more)", len(f.Causes)-maxCauses))
				break
			}
			lines = append(lines, oneLine(c.Device+"  "+c.Object+"  "+itemChange(c)))
		}
		fence := codeFence(lines)
		d.WriteString(fence + "\n" + strings.Join(lines, "\n") + "\n" + fence + "\n\n")
	}
	d.WriteString("</details>\n")
	return d.String()
}

func itemLines(groups []deviceGroup) []string {
	var lines []string
	for _, g := range groups {
		lines = append(lines, oneLine(fmt.Sprintf("%s (%d)", g.Device, len(g.Items))))
		for _, it := range g.Items {
			lines = append(lines, oneLine(itemLine(it)))
		}
	}
	return lines
}

func itemLine(it change.Item) string {
	s := "  " + opMark(it.Op) + " " + it.Object + "  " + itemChange(it)
	if it.File != "" && it.Line > 0 {
		s += fmt.Sprintf("  (%s:%d)", it.File, it.Line)
	}
	return s
}

// codeFence is a backtick fence longer than any backtick run in lines, so
// config values cannot close the code block early.
func codeFence(lines []string) string {
	longest := 0
	for _, l := range lines {
		run := 0
		for _, c := range l {
			if c == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func badge(v verdict.Verdict) string {
	switch v {
	case verdict.Block:
		return "⛔"
	case verdict.Warn:
		return "⚠️"
	case verdict.Pass:
		return "✅"
	}
	return "❓"
}

func sevBadge(s policy.Severity) string {
	switch s {
	case policy.Block:
		return "⛔ block"
	case policy.Warn:
		return "⚠️ warn"
	}
	return mdText(string(s))
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|",
	"*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "#", "\\#",
	"\r\n", " ", "\n", " ", "\r", " ")

// mdText makes data safe as Markdown prose or a table cell: no HTML, no
// emphasis or links from config values, no line breaks that end a row.
func mdText(s string) string { return mdEscaper.Replace(s) }

// mdCode is an inline code span; backticks cannot be escaped inside one, so
// they become a look-alike, and a pipe is escaped so a table row survives.
func mdCode(s string) string {
	s = strings.NewReplacer("`", "ˋ", "|", "\\|", "\n", " ", "\r", " ").Replace(s)
	return "`" + s + "`"
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
