package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/report"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/backstop-net/backstop/models/network"
	"golang.org/x/sync/errgroup"
)

// Stage names, in pipeline order. Every staged measurement has all of them.
const (
	StageRead         = "read files"
	StageDecode       = "decode (models/oc)"
	StageCompile      = "compile"
	StageDiff         = "diff"
	StageSimRunning   = "simulate running"
	StageSimCand      = "simulate candidate"
	StagePolicy       = "policy evaluation"
	StageReport       = "report (JSON)"
	StageEncodingJSON = "encoding/json (same bytes)"
)

// Stages is the order of the table's rows.
var Stages = []string{StageRead, StageDecode, StageCompile, StageDiff, StageSimRunning, StageSimCand, StagePolicy, StageReport}

// Timing is one stage's cost.
type Timing struct {
	Stage string  `json:"stage"`
	Wall  float64 `json:"wall_s"`
	CPU   float64 `json:"cpu_s"` // user + system, all threads (getrusage)
	Bytes int64   `json:"bytes,omitempty"`
}

// MBps is the stage's throughput over its wall time (MB = 10^6 bytes).
func (t Timing) MBps() float64 {
	if t.Wall <= 0 || t.Bytes == 0 {
		return 0
	}
	return float64(t.Bytes) / 1e6 / t.Wall
}

// MBpsCPU is the throughput per CPU-second: the per-core figure.
func (t Timing) MBpsCPU() float64 {
	if t.CPU <= 0 || t.Bytes == 0 {
		return 0
	}
	return float64(t.Bytes) / 1e6 / t.CPU
}

// Staged is one run of the pipeline stage by stage, in one process.
type Staged struct {
	Routers, Links, Sessions, Prefixes int
	Files                              int   // config files read (running + candidate)
	Bytes                              int64 // their size
	Timings                            []Timing
	EncodingJSON                       Timing // the same bytes into map[string]any
	Verdict                            string
	ReportBytes                        int
}

// Stage returns the named timing (zero if absent).
func (s *Staged) Stage(name string) Timing {
	for _, t := range s.Timings {
		if t.Stage == name {
			return t
		}
	}
	return Timing{Stage: name}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return tv(ru.Utime) + tv(ru.Stime)
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// timed runs f as one stage. The heap left by earlier stages is collected
// first, outside the measurement, so a stage is not charged for the garbage
// of the one before it.
func (s *Staged) timed(stage string, bytes int64, f func() error) error {
	runtime.GC()
	c0, t0 := cpuSeconds(), time.Now()
	err := f()
	s.Timings = append(s.Timings, Timing{Stage: stage, Wall: time.Since(t0).Seconds(), CPU: cpuSeconds() - c0, Bytes: bytes})
	if err != nil {
		return fmt.Errorf("%s: %w", stage, err)
	}
	return nil
}

type configFile struct {
	name, path string
	data       []byte
}

// Measure runs the check pipeline on a running folder and a candidate folder
// of per-device files stage by stage: the functions `backstop check` calls,
// in its order, each stage timed alone (the running and candidate
// simulations, concurrent in check, one after the other here so each has its
// own row). Decoding is parallel over files on all cores, as snapshot.Load
// does.
func Measure(runningDir, candidateDir string, pol *policy.File) (*Staged, error) {
	s := &Staged{}
	var inv *inventory.Inventory
	var env *snapshot.Environment
	var runFiles, candFiles []configFile
	var bytes int64
	err := s.timed(StageRead, 0, func() error {
		var err error
		if inv, err = inventory.Load(filepath.Join(runningDir, "inventory.yaml")); err != nil {
			return err
		}
		if env, err = snapshot.LoadEnvironment(filepath.Join(runningDir, "environment.yaml"), inv); err != nil {
			return err
		}
		if runFiles, err = readConfigs(filepath.Join(runningDir, "configs")); err != nil {
			return err
		}
		if candFiles, err = readConfigs(candidateDir); err != nil {
			return err
		}
		for _, f := range append(append([]configFile(nil), runFiles...), candFiles...) {
			bytes += int64(len(f.data))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Timings[0].Bytes = bytes
	s.Files, s.Bytes = len(runFiles)+len(candFiles), bytes
	if len(runFiles) != len(inv.Devices) {
		return nil, fmt.Errorf("%s: %d configs for %d inventoried devices", runningDir, len(runFiles), len(inv.Devices))
	}

	var running, candidate *snapshot.Snapshot
	if err := s.timed(StageDecode, bytes, func() error {
		run, err := decodeAll(runFiles)
		if err != nil {
			return err
		}
		cand, err := decodeAll(candFiles)
		if err != nil {
			return err
		}
		running = &snapshot.Snapshot{Source: runningDir, Inventory: inv, Environment: env, Devices: run}
		candidate, err = running.WithDevices(candidateDir, cand)
		return err
	}); err != nil {
		return nil, err
	}

	var netB, netA *network.Network
	if err := s.timed(StageCompile, 0, func() error {
		var g errgroup.Group
		g.Go(func() (err error) { netB, err = compile.Compile(running); return })
		g.Go(func() (err error) { netA, err = compile.Compile(candidate); return })
		if err := g.Wait(); err != nil {
			return err
		}
		sim.PinExternalPeers(netB, netA)
		sim.PinCabling(netB, netA)
		return nil
	}); err != nil {
		return nil, err
	}
	var cs *change.ChangeSet
	if err := s.timed(StageDiff, 0, func() (err error) { cs, err = change.Diff(running, candidate); return }); err != nil {
		return nil, err
	}
	var before, after *sim.Result
	_ = s.timed(StageSimRunning, 0, func() error { before = sim.Run(netB); return nil })
	_ = s.timed(StageSimCand, 0, func() error { after = sim.Run(netA); return nil })
	in := verdict.Input{Running: running, Candidate: candidate, Policy: pol, FailOn: "block", Version: "bench"}
	var rep *verdict.Report
	if err := s.timed(StagePolicy, 0, func() error {
		if err := pol.Validate(before); err != nil {
			return err
		}
		rep = verdict.Decide(in, before, after, cs)
		return nil
	}); err != nil {
		return nil, err
	}
	var out countWriter
	if err := s.timed(StageReport, 0, func() error { return report.Write(&out, "json", rep) }); err != nil {
		return nil, err
	}
	s.Routers, s.Links, s.Sessions = len(netB.Devices), len(before.Links), len(before.Sessions)
	s.Prefixes = before.Stats().Prefixes
	s.Verdict, s.ReportBytes = string(rep.Verdict), out.n

	// The yardstick: the standard library decoding the same bytes into
	// generic maps, on the same cores in the same way, after everything
	// above has been dropped.
	running, candidate, netB, netA, before, after, rep, cs = nil, nil, nil, nil, nil, nil, nil, nil
	all := append(append([]configFile(nil), runFiles...), candFiles...)
	if err := s.timed(StageEncodingJSON, bytes, func() error { return encodingJSONAll(all) }); err != nil {
		return nil, err
	}
	s.EncodingJSON = s.Timings[len(s.Timings)-1]
	s.Timings = s.Timings[:len(s.Timings)-1]
	return s, nil
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// readConfigs reads every <device>.json of dir, sorted by name.
func readConfigs(dir string) ([]configFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []configFile
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, configFile{name: strings.TrimSuffix(e.Name(), ".json"), path: p, data: data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no <device>.json files", dir)
	}
	return out, nil
}

func decodeAll(files []configFile) (map[string]*snapshot.DeviceConfig, error) {
	out := make([]*snapshot.DeviceConfig, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() (err error) { out[i], err = snapshot.Decode(f.name, f.path, f.data); return })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := make(map[string]*snapshot.DeviceConfig, len(out))
	for _, dc := range out {
		m[dc.Name] = dc
	}
	return m, nil
}

func encodingJSONAll(files []configFile) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, f := range files {
		g.Go(func() error {
			var v map[string]any
			return json.Unmarshal(f.data, &v)
		})
	}
	return g.Wait()
}
