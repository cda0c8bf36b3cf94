package bench

import (
	"encoding/json"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/report"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/backstop-net/backstop/models/network"
)

// The go test benchmarks time the same stages as `backstop bench`, on one
// generated snapshot per test process: 100 routers unless
// BACKSTOP_BENCH_ROUTERS says otherwise, e.g.
//
//	BACKSTOP_BENCH_ROUTERS=1000 go test ./internal/bench -run '^$' -bench . -benchtime 3x
//
// Each stage's inputs are prepared once, outside the timer.
type fixture struct {
	gen                 Generated
	files               []configFile // running then candidate
	runFiles, candFiles []configFile
	bytes               int64
	pol                 *policy.File
	running, candidate  *snapshot.Snapshot
	netB, netA          *network.Network
	cs                  *change.ChangeSet
	before, after       *sim.Result
	rep                 *verdict.Report
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
	fixDir  string
)

func benchRouters() int {
	if n, err := strconv.Atoi(os.Getenv("BACKSTOP_BENCH_ROUTERS")); err == nil && n > 0 {
		return n
	}
	return 100
}

func loadFixture(b *testing.B) *fixture {
	b.Helper()
	fixOnce.Do(func() { fix, fixErr = buildFixture(benchRouters()) })
	if fixErr != nil {
		b.Fatal(fixErr)
	}
	return fix
}

func buildFixture(routers int) (*fixture, error) {
	dir, err := os.MkdirTemp("", "backstop-bench-test-")
	if err != nil {
		return nil, err
	}
	fixDir = dir
	f := &fixture{pol: mustPolicy()}
	if f.gen, err = NetgenGenerator.Generate(dir, routers); err != nil {
		return nil, err
	}
	if f.runFiles, err = readConfigs(f.gen.Running + "/configs"); err != nil {
		return nil, err
	}
	if f.candFiles, err = readConfigs(f.gen.Candidate); err != nil {
		return nil, err
	}
	f.files = append(append(f.files, f.runFiles...), f.candFiles...)
	for _, c := range f.files {
		f.bytes += int64(len(c.data))
	}
	if f.running, err = snapshot.Load(f.gen.Running); err != nil {
		return nil, err
	}
	if f.candidate, err = snapshot.LoadCandidate(f.running, f.gen.Candidate); err != nil {
		return nil, err
	}
	if f.netB, f.netA, err = compileBoth(f.running, f.candidate); err != nil {
		return nil, err
	}
	if f.cs, err = change.Diff(f.running, f.candidate); err != nil {
		return nil, err
	}
	f.before, f.after = sim.Run(f.netB), sim.Run(f.netA)
	f.rep = verdict.Decide(f.input(), f.before, f.after, f.cs)
	return f, nil
}

func (f *fixture) input() verdict.Input {
	return verdict.Input{Running: f.running, Candidate: f.candidate, Policy: f.pol, FailOn: "block"}
}

func compileBoth(run, cand *snapshot.Snapshot) (*network.Network, *network.Network, error) {
	b, err := compile.Compile(run)
	if err != nil {
		return nil, nil, err
	}
	a, err := compile.Compile(cand)
	if err != nil {
		return nil, nil, err
	}
	sim.PinExternalPeers(b, a)
	return b, a, nil
}

func mustPolicy() *policy.File {
	pol, err := policy.Parse(defaultPolicyYAML())
	if err != nil {
		panic(err)
	}
	return pol
}

func BenchmarkRead(b *testing.B) {
	f := loadFixture(b)
	b.SetBytes(f.bytes)
	for b.Loop() {
		if _, err := readConfigs(f.gen.Running + "/configs"); err != nil {
			b.Fatal(err)
		}
		if _, err := readConfigs(f.gen.Candidate); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode: models/oc on every file, in parallel as snapshot.Load does.
func BenchmarkDecode(b *testing.B) {
	f := loadFixture(b)
	b.SetBytes(f.bytes)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeAll(f.files); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingJSON is the yardstick for BenchmarkDecode: the same bytes,
// the same parallelism, into map[string]any.
func BenchmarkEncodingJSON(b *testing.B) {
	f := loadFixture(b)
	b.SetBytes(f.bytes)
	b.ReportAllocs()
	for b.Loop() {
		if err := encodingJSONAll(f.files); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingJSONSerial decodes one file after another: per-core
// throughput without the scheduler, to compare with models/oc's own
// BenchmarkLoad.
func BenchmarkEncodingJSONSerial(b *testing.B) {
	f := loadFixture(b)
	b.SetBytes(f.bytes)
	for b.Loop() {
		for _, c := range f.files {
			var v map[string]any
			if err := json.Unmarshal(c.data, &v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	f := loadFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := compileBoth(f.running, f.candidate); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiff(b *testing.B) {
	f := loadFixture(b)
	for b.Loop() {
		if _, err := change.Diff(f.running, f.candidate); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSimulateRunning(b *testing.B) {
	f := loadFixture(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		sim.Run(f.netB)
	}
}

func BenchmarkSimulateCandidate(b *testing.B) {
	f := loadFixture(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		sim.Run(f.netA)
	}
}

// reportCPU reports the CPU seconds per operation (user + system, all
// threads, the collector's included): on a shared machine wall time moves
// with the load, CPU time much less (docs/performance.md).
func reportCPU(b *testing.B) func() {
	start := cpuSeconds()
	return func() { b.ReportMetric((cpuSeconds()-start)/float64(b.N), "cpu-s/op") }
}

func BenchmarkPolicy(b *testing.B) {
	f := loadFixture(b)
	for b.Loop() {
		if err := f.pol.Validate(f.before); err != nil {
			b.Fatal(err)
		}
		verdict.Decide(f.input(), f.before, f.after, f.cs)
	}
}

func BenchmarkReportJSON(b *testing.B) {
	f := loadFixture(b)
	for b.Loop() {
		if err := report.Write(io.Discard, "json", f.rep); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck is the whole path in one process, as `check` runs it:
// load both folders, check, render JSON.
func BenchmarkCheck(b *testing.B) {
	f := loadFixture(b)
	b.SetBytes(f.bytes)
	for b.Loop() {
		run, err := snapshot.Load(f.gen.Running)
		if err != nil {
			b.Fatal(err)
		}
		cand, err := snapshot.LoadCandidate(run, f.gen.Candidate)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := verdict.Check(verdict.Input{Running: run, Candidate: cand, Policy: f.pol})
		if err != nil {
			b.Fatal(err)
		}
		if err := report.Write(io.Discard, "json", rep); err != nil {
			b.Fatal(err)
		}
	}
}
