// Package bench measures backstop on the real path, from OpenConfig files on
// disk to the JSON report, at the sizes it is designed for.
//
// For each size `backstop bench` writes a running snapshot and a candidate
// change (Generator), then re-executes the backstop binary: once per run to
// time the pipeline stage by stage (Measure, in a child so that its peak RSS
// is its own), and once per run as a user runs `check`, timed from outside
// (wall, CPU and peak RSS from the child's rusage). Figures for the record go
// in docs/performance.md with the command that produced them; tests check the
// shape of the table, never a time.
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/backstop-net/backstop/internal/policy"
)

// Options of a benchmark run.
type Options struct {
	Sizes     []int // routers
	Runs      int   // child runs per size (medians are reported)
	Dir       string
	Keep      bool // keep the generated snapshots (in Dir)
	Generator Generator
	// Exe is the backstop binary; the Args functions give the command lines
	// of the children: the staged measurement (StagedChild's output on
	// stdout), `check` as a user runs it, and an empty start-up.
	Exe        string
	StagedArgs func(running, candidate string) []string
	CheckArgs  func(running, candidate string) []string
	StartArgs  []string
	// Profiles: a directory to receive a CPU and a heap profile of the
	// first `check` run of each size (set through ProfileEnv).
	ProfileDir string
}

// ProfileEnv names the environment variables the backstop binary reads to
// write a CPU profile and an allocation profile of one command.
var ProfileEnv = struct{ CPU, Mem string }{"BACKSTOP_CPUPROFILE", "BACKSTOP_MEMPROFILE"}

// Proc is one child process as measured from outside.
type Proc struct {
	Wall   float64 `json:"wall_s"`
	CPU    float64 `json:"cpu_s"`
	MaxRSS int64   `json:"max_rss_bytes"`
	Exit   int     `json:"exit"`
}

// SizeResult is everything measured at one size.
type SizeResult struct {
	Routers    int
	Gen        Generated
	GenSeconds float64
	Staged     []*Staged // one per run
	StagedProc []Proc
	Check      []Proc
}

// Result of a whole benchmark run.
type Result struct {
	Startup []Proc
	Sizes   []SizeResult
}

// Run generates each size, measures it in child processes and writes the
// tables to w as it goes.
func Run(w io.Writer, o Options) (*Result, error) {
	if o.Runs < 1 {
		o.Runs = 1
	}
	if o.Generator == nil {
		o.Generator = NetgenGenerator
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "backstop-bench-")
		if err != nil {
			return nil, err
		}
		dir = d
		if !o.Keep {
			defer os.RemoveAll(d)
		}
	}
	res := &Result{}
	fmt.Fprintf(w, "backstop bench: %d CPU (GOMAXPROCS %d), %s/%s, %s; %d run(s) per size, medians shown\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.Runs)
	// Wall times on a shared machine depend on what else runs: say so.
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "load average at start: %s\n\n", strings.Join(strings.Fields(string(la))[:3], " "))
	}
	for i := 0; i < max(3, o.Runs); i++ {
		p, _, err := runChild(o.Exe, o.StartArgs, nil, io.Discard)
		if err != nil {
			return nil, fmt.Errorf("start-up (%s %s): %w", o.Exe, strings.Join(o.StartArgs, " "), err)
		}
		res.Startup = append(res.Startup, p)
	}
	writeStartup(w, o.StartArgs, res.Startup)
	for _, n := range o.Sizes {
		sr := SizeResult{Routers: n}
		sub := filepath.Join(dir, fmt.Sprintf("routers-%d", n))
		if err := os.RemoveAll(sub); err != nil {
			return nil, err
		}
		t0 := time.Now()
		g, err := o.Generator.Generate(sub, n)
		if err != nil {
			return nil, fmt.Errorf("generate %d routers: %w", n, err)
		}
		sr.Gen, sr.GenSeconds = g, time.Since(t0).Seconds()
		for r := 0; r < o.Runs; r++ {
			var out bytes.Buffer
			p, stderr, err := runChild(o.Exe, o.StagedArgs(g.Running, g.Candidate), nil, &out)
			if err == nil && p.Exit != 0 {
				err = fmt.Errorf("exit %d: %s", p.Exit, stderr)
			}
			if err != nil {
				return nil, fmt.Errorf("%d routers, staged run: %w", n, err)
			}
			var s Staged
			if err := json.Unmarshal(out.Bytes(), &s); err != nil {
				return nil, fmt.Errorf("%d routers, staged run output: %w", n, err)
			}
			sr.Staged, sr.StagedProc = append(sr.Staged, &s), append(sr.StagedProc, p)
		}
		for r := 0; r < o.Runs; r++ {
			var env []string
			if r == 0 && o.ProfileDir != "" {
				env = []string{
					ProfileEnv.CPU + "=" + filepath.Join(o.ProfileDir, fmt.Sprintf("check-%d.cpu.pprof", n)),
					ProfileEnv.Mem + "=" + filepath.Join(o.ProfileDir, fmt.Sprintf("check-%d.mem.pprof", n)),
				}
			}
			p, stderr, err := runChild(o.Exe, o.CheckArgs(g.Running, g.Candidate), env, io.Discard)
			if err == nil && p.Exit != 0 && p.Exit != 3 { // 3: BLOCK, a verdict
				err = fmt.Errorf("exit %d: %s", p.Exit, stderr)
			}
			if err != nil {
				return nil, fmt.Errorf("%d routers, check: %w", n, err)
			}
			sr.Check = append(sr.Check, p)
		}
		writeSize(w, &sr)
		res.Sizes = append(res.Sizes, sr)
	}
	writeSummary(w, res)
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "\nload average at the end: %s\n", strings.Join(strings.Fields(string(la))[:3], " "))
	}
	if o.Keep || o.Dir != "" {
		fmt.Fprintf(w, "\nsnapshots kept in %s\n", dir)
	}
	return res, nil
}

// runChild runs one child and measures it from outside: wall clock, CPU and
// peak RSS from the rusage wait4 returns, which is the child's alone.
func runChild(exe string, args, env []string, stdout io.Writer) (Proc, string, error) {
	cmd := exec.Command(exe, args...)
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), env...)
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0).Seconds()
	if cmd.ProcessState == nil {
		return Proc{}, stderr.String(), err
	}
	p := Proc{Wall: wall, Exit: cmd.ProcessState.ExitCode(),
		CPU: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	if _, isExit := err.(*exec.ExitError); isExit {
		err = nil // the exit code is in p
	}
	return p, strings.TrimSpace(stderr.String()), err
}

// StagedChild is the child side of a staged run: Measure, then the result as
// JSON on w.
func StagedChild(w io.Writer, running, candidate string, pol *policy.File) error {
	s, err := Measure(running, candidate, pol)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(s)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func procMedian(ps []Proc) Proc {
	var w, c, r []float64
	for _, p := range ps {
		w, c, r = append(w, p.Wall), append(c, p.CPU), append(r, float64(p.MaxRSS))
	}
	return Proc{Wall: median(w), CPU: median(c), MaxRSS: int64(median(r))}
}

// stageMedian is the per-stage median over runs.
func stageMedian(runs []*Staged, stage string) Timing {
	var w, c []float64
	t := Timing{Stage: stage}
	for _, s := range runs {
		x := s.Stage(stage)
		if stage == StageEncodingJSON {
			x = s.EncodingJSON
		}
		w, c = append(w, x.Wall), append(c, x.CPU)
		t.Bytes = x.Bytes
	}
	t.Wall, t.CPU = median(w), median(c)
	return t
}
