package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// maxCauses is how many causing diff items a human-facing format lists under
// one finding; a drain cites every changed leaf, and after ten the reader has
// seen the pattern (the JSON keeps them all).
const maxCauses = 10

// maxList caps objects and evidence lines per finding in human-facing formats
// for the same reason.
const maxList = 10

// summaryLine is the terraform-plan-style first line: what changed, what
// broke, and the verdict first so a log grep finds it.
func summaryLine(r *verdict.Report) string {
	s := r.Summary
	findings := "no findings"
	if s.Block+s.Warn > 0 {
		findings = fmt.Sprintf("%d blocking, %d warning %s", s.Block, s.Warn, plural(s.Block+s.Warn, "finding", "findings"))
	}
	return fmt.Sprintf("%s: %d %s changed, %d %s changed; %s",
		verdictName(r), s.DevicesChanged, plural(s.DevicesChanged, "device", "devices"),
		s.LeavesChanged, plural(s.LeavesChanged, "leaf", "leaves"), findings)
}

// verdictName never renders an empty verdict as nothing: a Report without one
// is a bug upstream, and the reader must not mistake it for a PASS.
func verdictName(r *verdict.Report) string {
	if r.Verdict == "" {
		return "UNKNOWN"
	}
	return string(r.Verdict)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// itemChange is the "leaf: before → after" part of a diff item; whole list
// entries (no leaf, no values) read "added" or "removed".
func itemChange(it change.Item) string {
	var v string
	switch {
	case it.Before == "" && it.After == "" && it.Op == "add":
		v = "added"
	case it.Before == "" && it.After == "" && it.Op == "delete":
		v = "removed"
	default:
		v = orDash(it.Before) + " → " + orDash(it.After)
	}
	if it.Leaf == "" {
		return v
	}
	return it.Leaf + ": " + v
}

// opMark is the terraform-style marker for a diff item.
func opMark(op string) string {
	switch op {
	case "add":
		return "+"
	case "delete":
		return "-"
	default:
		return "~"
	}
}

func severityTag(s policy.Severity) string {
	switch s {
	case policy.Block:
		return "BLOCK"
	case policy.Warn:
		return "WARN"
	default:
		return strings.ToUpper(string(s))
	}
}

// deviceGroup is the change list of one device.
type deviceGroup struct {
	Device string
	Items  []change.Item
}

// groupByDevice keeps the Report's order within a device and sorts devices
// by name, so the output does not depend on how the diff was assembled.
func groupByDevice(items []change.Item) []deviceGroup {
	idx := map[string]int{}
	var out []deviceGroup
	for _, it := range items {
		i, ok := idx[it.Device]
		if !ok {
			i = len(out)
			idx[it.Device] = i
			out = append(out, deviceGroup{Device: it.Device})
		}
		out[i].Items = append(out[i].Items, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out
}

// kinds returns the invariant kinds seen in checks and findings, sorted.
func kinds(r *verdict.Report) []string {
	seen := map[string]bool{}
	for _, c := range r.Checks {
		seen[kindOf(c.Kind)] = true
	}
	for _, f := range r.Findings {
		seen[kindOf(f.Kind)] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// kindOf names a missing kind rather than dropping its checks.
func kindOf(k string) string {
	if k == "" {
		return "unknown"
	}
	return k
}

// changedUnmodelled is the unmodelled config the change touches: the part a
// reviewer must check by hand because the simulation could not.
func changedUnmodelled(r *verdict.Report) (touched []verdict.Unmodelled, untouched int) {
	for _, u := range r.Unmodelled {
		if u.Changed {
			touched = append(touched, u)
		} else {
			untouched++
		}
	}
	return touched, untouched
}

// wrap breaks s into lines of at most width runes (a longer word stays whole),
// so text output reads at 100 columns without a terminal's soft wrap.
func wrap(s string, width int) []string {
	words := strings.Fields(s)
	var lines []string
	var cur strings.Builder
	n := 0
	for _, w := range words {
		wl := len([]rune(w))
		if n > 0 && n+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(w)
		n += wl
	}
	if n > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
