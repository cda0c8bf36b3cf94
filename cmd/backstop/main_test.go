package main

import (
	"bytes"
	"flag"
	"github.com/backstop-net/backstop/internal/emulate"
	"github.com/google/go-cmp/cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const td = "../../testdata"

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func scenario(name string) []string {
	return []string{"check", "--running", td + "/backbone", "--candidate", td + "/scenarios/" + name + "/candidate"}
}

// The 2021 drain must BLOCK and say, in plain words, what happens and why.
func TestCheckBackboneDrainBlocks(t *testing.T) {
	code, out, stderr := runCLI(t, scenario("drain-backbone")...)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (BLOCK)\n%s\n%s", code, out, stderr)
	}
	flat := strings.Join(strings.Fields(out), " ") // the text report wraps at 100 columns
	for _, want := range []string{
		"BLOCK",
		"All 4 dns anycast sites (ams, fra, sin, iad) lose their path to the data centres and withdraw 129.134.30.0/23",
		"129.134.30.0/23 disappears from every external peer",
		"every backbone link",
		"bb1.ams", "/interfaces/interface[name=", // the causing changes: device and path
		"enabled: true → false",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestExitCodesAndErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr for errors, stdout otherwise
	}{
		{"pass", scenario("drain-one-link"), 0, "PASS"},
		{"warn passes by default", scenario("transit-shutdown"), 0, "WARN"},
		{"warn fails with --fail-on warn", append(scenario("transit-shutdown"), "--fail-on", "warn"), 3, "WARN"},
		{"malformed JSON", []string{"check", "--running", td + "/backbone", "--candidate", td + "/bad/bad-json/candidate"}, 4, "bb1.ams.json: line 8: /interfaces/interface"},
		{"unknown device in a change", []string{"check", "--running", td + "/backbone", "--candidate", td + "/bad/unknown-device/candidate"}, 4, `device "ghost" is not in the inventory`},
		{"bad prefix", []string{"check", "--running", td + "/bad/bad-prefix", "--candidate", td + "/scenarios/cosmetic/candidate"}, 4, "environment.yaml"},
		{"bad policy kind", append(scenario("cosmetic"), "--policy", td+"/bad/bad-policy.yaml"), 4, "bad-policy.yaml: line"},
		{"bad policy key", append(scenario("cosmetic"), "--policy", td+"/bad/bad-policy-key.yaml"), 4, "min_site"},
		{"missing running", []string{"check", "--candidate", td + "/scenarios/cosmetic/candidate"}, 4, "no running network"},
		{"unknown flag", []string{"check", "--frobnicate"}, 4, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, 4, "unknown command"},
		{"bad output format", append(scenario("cosmetic"), "--output", "pdf"), 4, "pdf"},
		{"bad SetRequest path", []string{"check", "--running", td + "/backbone", "--change", td + "/bad/bad-setrequest.json"}, 4, "bb1.ams"},
		{"pull with an environment naming an unknown device", []string{"pull", "--inventory", td + "/backbone/inventory.yaml", "--environment", td + "/bad/unknown-env-device.yaml", "--out", "/nonexistent/never-written"}, 4, `line 4: external peer 203.0.113.1: unknown device "ghost.ams"`},
		{"emulate without a network", []string{"emulate"}, 4, "no running network"},
		{"emulate with both names", []string{"emulate", "--snapshot", td + "/backbone", "--running", td + "/backbone"}, 4, "not both"},
		{"emulate bad candidate", []string{"emulate", "--snapshot", td + "/backbone", "--candidate", td + "/bad/bad-json/candidate"}, 4, "malformed JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, c.args...)
			where := out
			if c.code == 4 {
				where = stderr
			}
			if code != c.code || !strings.Contains(where, c.want) {
				t.Errorf("exit %d, want %d; want %q in:\nstdout: %.600s\nstderr: %s", code, c.code, c.want, out, stderr)
			}
		})
	}
}

func TestJSONIsDeterministic(t *testing.T) {
	args := append(scenario("rr-client-removed"), "--output", "json")
	_, a, _ := runCLI(t, args...)
	_, b, _ := runCLI(t, args...)
	if a != b || len(a) < 1000 {
		t.Fatalf("two runs differ or output is empty (%d / %d bytes)", len(a), len(b))
	}
}

// Golden text output of every scenario: what an engineer reads.
func TestCheckTextGolden(t *testing.T) {
	dirs, _ := filepath.Glob(td + "/scenarios/*")
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			_, out, stderr := runCLI(t, scenario(name)...)
			if stderr != "" {
				t.Fatalf("stderr: %s", stderr)
			}
			checkGolden(t, filepath.Join(td, "golden", name+".txt"), out)
		})
	}
}

func TestDiffAndRoutes(t *testing.T) {
	code, out, _ := runCLI(t, "diff", "--running", td+"/backbone", "--candidate", td+"/scenarios/isis-metric-reroute/candidate")
	if code != 0 || !strings.Contains(out, "bb1.ams") || !strings.Contains(out, "metric") {
		t.Errorf("diff: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "routes", "--snapshot", td+"/backbone", "--device", "edge1.ams", "--json")
	if code != 0 || !strings.Contains(out, `"prefix": "10.200.0.0/16"`) || !strings.Contains(out, `"selection_reason"`) {
		t.Errorf("routes: exit %d\n%.500s", code, out)
	}
	code, _, stderr := runCLI(t, "routes", "--snapshot", td+"/backbone", "--device", "nope")
	if code != 4 || !strings.Contains(stderr, "unknown device") {
		t.Errorf("routes unknown device: %d %s", code, stderr)
	}
}

// The second opinion on FRR: the 2021 drain blocks on FRR's routing too, and
// FRR and the simulation agree on every route and policy check.
func TestEmulateDrainAgreesOnFRR(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2 × 20 routers on FRR (~45 s); skipped with -short")
	}
	if err := emulate.Available(); err != nil {
		t.Skipf("FRR emulation unavailable here: %v", err)
	}
	code, out, stderr := runCLI(t, "emulate", "--snapshot", td+"/backbone", "--change", td+"/scenarios/drain-backbone/change.json")
	for _, want := range []string{
		"verdict on FRR's routing:  BLOCK: All 4 dns anycast sites",
		"policy checks compared: ",
		", 0 differ",
		"AGREE:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s\nstderr: %s", want, out, stderr)
		}
	}
	if code != 3 {
		t.Errorf("exit %d, want 3 (FRR's verdict blocks)", code)
	}
}

// Every report format on a shipped BLOCK, WARN and PASS scenario, as a
// review bot, a CI system or a browser gets it (-update rewrites them).
func TestReportFormatsGolden(t *testing.T) {
	formats := map[string]string{"json": "json", "markdown": "md", "junit": "junit.xml", "sarif": "sarif", "html": "html"}
	for _, name := range []string{"drain-backbone", "transit-shutdown", "drain-one-link"} {
		for format, ext := range formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				_, out, stderr := runCLI(t, append(scenario(name), "--output", format)...)
				if stderr != "" || out == "" {
					t.Fatalf("no %s output; stderr: %s", format, stderr)
				}
				checkGolden(t, filepath.Join(td, "golden", "reports", name+"."+ext), out)
			})
		}
	}
}

// checkGolden compares out with the golden file, showing where they part
// line by line; -update rewrites the file instead.
func checkGolden(t *testing.T, golden, out string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/backstop -update)", err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s (-want +got):\n%s\nrerun with -update and review the diff", golden,
			cmp.Diff(strings.Split(string(want), "\n"), strings.Split(out, "\n")))
	}
}
