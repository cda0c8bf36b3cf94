package bench

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	backstop "github.com/backstop-net/backstop"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/report"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/internal/verdict"
)

// The test binary doubles as the backstop binary that Run re-executes: the
// children TestRunPrintsTable starts come back through here, named by their
// first argument.
func TestMain(m *testing.M) {
	if len(os.Args) < 2 || !strings.HasPrefix(os.Args[1], "child-") {
		code := m.Run()
		if fixDir != "" {
			os.RemoveAll(fixDir)
		}
		os.Exit(code)
	}
	switch os.Args[1] {
	case "child-start":
		os.Exit(0)
	case "child-staged":
		pol, err := policy.Parse(backstop.DefaultPolicy)
		if err == nil {
			err = StagedChild(os.Stdout, os.Args[2], os.Args[3], pol)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "child-check":
		os.Exit(checkInProcess(os.Args[2], os.Args[3], os.Stdout))
	}
	os.Exit(1)
}

// checkInProcess is what `backstop check -o json` does, for the child above.
func checkInProcess(running, candidate string, w io.Writer) int {
	pol, err := policy.Parse(backstop.DefaultPolicy)
	if err != nil {
		return 1
	}
	run, err := snapshot.Load(running)
	if err != nil {
		return 4
	}
	cand, err := snapshot.LoadCandidate(run, candidate)
	if err != nil {
		return 4
	}
	rep, err := verdict.Check(verdict.Input{Running: run, Candidate: cand, Policy: pol})
	if err != nil {
		return 1
	}
	if err := report.Write(w, "json", rep); err != nil {
		return 1
	}
	return rep.ExitCode
}

func defaultPolicyYAML() []byte { return backstop.DefaultPolicy }

func defaultPolicy(t testing.TB) *policy.File {
	t.Helper()
	pol, err := policy.Parse(backstop.DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// A benchmark on a network that is already broken, or that the default
// policy cannot judge, would time the wrong path: the generated running
// network must pass against itself with nothing unmodelled, and the drain
// must block.
func TestGeneratedSnapshotIsHealthy(t *testing.T) {
	g, err := NetgenGenerator.Generate(t.TempDir(), 40)
	if err != nil {
		t.Fatal(err)
	}
	run, err := snapshot.Load(g.Running)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir  string
		want verdict.Verdict
	}{{g.Running, verdict.Pass}, {g.Candidate, verdict.Block}} {
		cand, err := snapshot.LoadCandidate(run, c.dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := verdict.Check(verdict.Input{Running: run, Candidate: cand, Policy: defaultPolicy(t)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict != c.want {
			t.Errorf("%s: verdict %s, want %s: %s", c.dir, rep.Verdict, c.want, rep.Headline)
		}
		if c.want == verdict.Pass && (len(rep.Findings) > 0 || len(rep.Unmodelled) > 0 || len(rep.Notes) > 0) {
			t.Errorf("running against itself: %d findings, %d unmodelled, notes %q", len(rep.Findings), len(rep.Unmodelled), rep.Notes)
		}
	}
	if len(run.Devices) != 40 || run.Environment.Empty() {
		t.Errorf("%d devices, environment empty: %v", len(run.Devices), run.Environment.Empty())
	}
}

func TestMeasureRunsEveryStage(t *testing.T) {
	g, err := NetgenGenerator.Generate(t.TempDir(), 40)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Measure(g.Running, g.Candidate, defaultPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range s.Timings {
		got = append(got, st.Stage)
		if st.Wall <= 0 || st.CPU < 0 {
			t.Errorf("%s: wall %v, CPU %v", st.Stage, st.Wall, st.CPU)
		}
	}
	if strings.Join(got, "|") != strings.Join(Stages, "|") {
		t.Errorf("stages %q, want %q", got, Stages)
	}
	cands, err := os.ReadDir(g.Candidate)
	if err != nil || len(cands) == 0 {
		t.Fatalf("candidate folder: %v (%d files)", err, len(cands))
	}
	if s.Routers != 40 || s.Files != 40+len(cands) || s.Links == 0 || s.Sessions == 0 || s.Prefixes < 40*50 {
		t.Errorf("sizes: %+v", s)
	}
	if s.Bytes == 0 || s.Stage(StageRead).Bytes != s.Bytes || s.Stage(StageDecode).Bytes != s.Bytes || s.EncodingJSON.Bytes != s.Bytes {
		t.Errorf("bytes: total %d, read %d, decode %d, encoding/json %d", s.Bytes, s.Stage(StageRead).Bytes,
			s.Stage(StageDecode).Bytes, s.EncodingJSON.Bytes)
	}
	if s.Verdict != string(verdict.Block) || s.ReportBytes == 0 {
		t.Errorf("verdict %q, report %d bytes", s.Verdict, s.ReportBytes)
	}
}

func TestMeasureFailsOnBadInput(t *testing.T) {
	g, err := NetgenGenerator.Generate(t.TempDir(), 40)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g.Candidate+"/r0004.json", []byte(`{"openconfig-interfaces:interfaces": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Measure(g.Running, g.Candidate, defaultPolicy(t)); err == nil || !strings.Contains(err.Error(), StageDecode) {
		t.Errorf("err = %v, want a decode error", err)
	}
}

// Run end to end with this test binary as the child: the table has every
// stage, check's row and the summary, and the children's rusage was read.
func TestRunPrintsTable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := func(mode string) func(string, string) []string {
		return func(run, cand string) []string { return []string{"child-" + mode, run, cand} }
	}
	var out bytes.Buffer
	o := Options{Sizes: []int{40}, Runs: 1, Exe: exe, StagedArgs: child("staged"), CheckArgs: child("check"),
		StartArgs: []string{"child-start"}}
	res, err := Run(&out, o)
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range append([]string{"start-up", "### 40 routers", "### Summary", "| 40 | ", StageEncodingJSON, "`check`, as a user runs it", "peak RSS"}, Stages...) {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if len(res.Sizes) != 1 || len(res.Sizes[0].Check) != 1 || len(res.Sizes[0].Staged) != 1 || len(res.Startup) < 3 {
		t.Fatalf("result: %+v", res)
	}
	c := res.Sizes[0].Check[0]
	if c.Exit != 3 || c.MaxRSS <= 0 || c.Wall <= 0 {
		t.Errorf("check child: %+v (want exit 3, BLOCK)", c)
	}
	if res.Sizes[0].StagedProc[0].MaxRSS <= 0 {
		t.Errorf("staged child: %+v", res.Sizes[0].StagedProc[0])
	}
}
