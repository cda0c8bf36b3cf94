package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/internal/sim"
)

var summaryLine = regexp.MustCompile(`conformance: (\d+) routes compared, (\d+) equal \((\d+) different: (\d+) listed in exceptions.yaml, (\d+) not\)`)

// runMutants re-runs this (mutant-enabled) binary once without a mutant and
// once per injected bug of sim.Mutants, and reports which runs the
// comparison with FRR catches: a mutant is caught when its run has
// differences the exceptions do not explain. The run without a mutant must
// pass, or the score means nothing.
func runMutants(args []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 1
	}
	var pass []string
	for _, a := range args {
		if a != "-mutants" && a != "--mutants" {
			pass = append(pass, a)
		}
	}
	pass = append(pass, "-testdata", "")
	run := func(m string) (unexplained, excused, compared int, ok bool) {
		cmd := exec.Command(self, pass...)
		cmd.Env = append(os.Environ(), "BACKSTOP_MUTANT="+m)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		_ = cmd.Run()
		g := summaryLine.FindStringSubmatch(out.String())
		if g == nil {
			tail := out.String()
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			fmt.Printf("  %s: no summary line; output ends with:\n%s\n", orNone(m), tail)
			return 0, 0, 0, false
		}
		compared, _ = strconv.Atoi(g[1])
		excused, _ = strconv.Atoi(g[4])
		unexplained, _ = strconv.Atoi(g[5])
		return unexplained, excused, compared, true
	}
	u, x, c, ok := run("")
	fmt.Printf("%-24s %6d routes compared, %5d excused, %5d unexplained\n", "(no mutant)", c, x, u)
	if !ok || u != 0 {
		fmt.Println("conformance-mutants: the run without a mutant must pass first")
		return 1
	}
	caught := 0
	var missed []string
	for _, m := range sim.Mutants {
		u, x, c, ok := run(m)
		verdict := "MISSED"
		if ok && u > 0 {
			verdict, caught = "caught", caught+1
		} else {
			missed = append(missed, m)
		}
		fmt.Printf("%-24s %6d routes compared, %5d excused, %5d unexplained  %s\n", m, c, x, u, verdict)
	}
	fmt.Printf("mutation score: %d of %d mutants caught", caught, len(sim.Mutants))
	if len(missed) > 0 {
		fmt.Printf(" (missed: %s)", strings.Join(missed, ", "))
	}
	fmt.Println()
	if caught < len(sim.Mutants) {
		return 1
	}
	return 0
}

func orNone(m string) string {
	if m == "" {
		return "(no mutant)"
	}
	return m
}
