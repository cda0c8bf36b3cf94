package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/bench"
)

// The hidden child side of `backstop bench`: one staged run on a generated
// snapshot prints every stage as JSON, which the parent reads back.
func TestBenchStagedChild(t *testing.T) {
	g, err := bench.NetgenGenerator.Generate(t.TempDir(), 40)
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "bench", "--staged-running", g.Running, "--staged-candidate", g.Candidate)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s bench.Staged
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(s.Timings) != len(bench.Stages) || s.Routers != 40 || s.Verdict != "BLOCK" {
		t.Errorf("staged run: %+v", s)
	}
}

func TestBenchBadFlags(t *testing.T) {
	code, _, stderr := runCLI(t, "bench", "--sizes", "100,lots")
	if code != 4 || !strings.Contains(stderr, `"lots"`) {
		t.Errorf("exit %d, stderr %q; want 4 naming the bad size", code, stderr)
	}
}

// BACKSTOP_CPUPROFILE and BACKSTOP_MEMPROFILE profile any one command.
func TestProfileEnvironment(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	t.Setenv(bench.ProfileEnv.CPU, cpu)
	t.Setenv(bench.ProfileEnv.Mem, mem)
	if code, _, stderr := runCLI(t, scenario("drain-backbone")...); code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, p := range []string{cpu, mem} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
}
