package bench

import (
	"fmt"
	"io"
	"strings"
)

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func mbps(v float64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", v)
}

func writeStartup(w io.Writer, args []string, ps []Proc) {
	m := procMedian(ps)
	fmt.Fprintf(w, "start-up (`backstop %s`, median of %d): %.0f ms wall, %.0f ms CPU, peak RSS %s\n\n",
		strings.Join(args, " "), len(ps), m.Wall*1000, m.CPU*1000, mib(m.MaxRSS))
}

// writeSize prints one size's table: a row per stage (medians over runs),
// then the yardstick and check as a user runs it.
func writeSize(w io.Writer, sr *SizeResult) {
	s := sr.Staged[0]
	fmt.Fprintf(w, "### %d routers\n\n", sr.Routers)
	fmt.Fprintf(w, "%d config files (running + candidate), %.1f MB of JSON; %d links, %d BGP sessions, %d prefixes (running); generated in %.1f s by %s\n",
		s.Files, float64(s.Bytes)/1e6, s.Links, s.Sessions, s.Prefixes, sr.GenSeconds, sr.Gen.Generator)
	fmt.Fprintf(w, "change: %s; verdict %s; JSON report %d bytes\n\n", sr.Gen.Change, s.Verdict, s.ReportBytes)
	fmt.Fprintln(w, "| stage | wall s | CPU s | MB/s (wall) | MB per CPU-s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	var sumW, sumC float64
	for _, st := range Stages {
		t := stageMedian(sr.Staged, st)
		sumW, sumC = sumW+t.Wall, sumC+t.CPU
		fmt.Fprintf(w, "| %s | %.3f | %.3f | %s | %s |\n", st, t.Wall, t.CPU, mbps(t.MBps()), mbps(t.MBpsCPU()))
	}
	fmt.Fprintf(w, "| **sum of stages** | %.3f | %.3f | | |\n", sumW, sumC)
	ej := stageMedian(sr.Staged, StageEncodingJSON)
	fmt.Fprintf(w, "| %s | %.3f | %.3f | %s | %s |\n", StageEncodingJSON, ej.Wall, ej.CPU, mbps(ej.MBps()), mbps(ej.MBpsCPU()))
	c := procMedian(sr.Check)
	fmt.Fprintf(w, "| **`check`, as a user runs it** | %.3f | %.3f | | |\n\n", c.Wall, c.CPU)
	sp := procMedian(sr.StagedProc)
	fmt.Fprintf(w, "peak RSS: `check` %s; staged process %s (it keeps every stage's output to the end)\n\n", mib(c.MaxRSS), mib(sp.MaxRSS))
}

// writeSummary prints one row per size: the table, plus the decoder
// against encoding/json on the same bytes in the same process.
func writeSummary(w io.Writer, r *Result) {
	fmt.Fprintln(w, "### Summary")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| routers | JSON MB | `check` wall s | `check` CPU s | `check` peak RSS | decode MB/s | decode MB per CPU-s | encoding/json MB per CPU-s | decode / encoding/json (CPU) |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, sr := range r.Sizes {
		c := procMedian(sr.Check)
		d, ej := stageMedian(sr.Staged, StageDecode), stageMedian(sr.Staged, StageEncodingJSON)
		ratio := ""
		if d.CPU > 0 && ej.CPU > 0 {
			ratio = fmt.Sprintf("%.2f×", ej.CPU/d.CPU)
		}
		fmt.Fprintf(w, "| %d | %.1f | %.2f | %.2f | %s | %s | %s | %s | %s |\n", sr.Routers, float64(sr.Staged[0].Bytes)/1e6,
			c.Wall, c.CPU, mib(c.MaxRSS), mbps(d.MBps()), mbps(d.MBpsCPU()), mbps(ej.MBpsCPU()), ratio)
	}
}
