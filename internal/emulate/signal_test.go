package emulate_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstop-net/backstop/internal/emulate"
	"github.com/backstop-net/backstop/internal/emulate/gen"
)

// TestMain lets the test binary act as an emulation that gets Ctrl-C.
func TestMain(m *testing.M) {
	if dir := os.Getenv("BACKSTOP_EMULATE_CHILD"); dir != "" {
		emulate.HandleSignals()
		_, err := emulate.Emulate("gen/8", gen.Network(8), emulate.Options{BaseDir: dir})
		fmt.Fprintln(os.Stderr, "child ended without a signal:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// Ctrl-C during bring-up and during convergence leaves no namespace and no
// FRR daemon behind.
func TestInterruptCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts FRR; skipped with -short")
	}
	if err := emulate.Available(); err != nil {
		t.Skipf("FRR emulation unavailable here: %v", err)
	}
	for _, after := range []string{"first namespace", "daemons running"} {
		t.Run(after, func(t *testing.T) {
			// FRR's daemons run as user frr: the lab's folder must be reachable.
			dir, err := os.MkdirTemp("", "backstop-sigtest-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run", "^$")
			cmd.Env = append(os.Environ(), "BACKSTOP_EMULATE_CHILD="+dir)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			prefix := fmt.Sprintf("bs%d-", cmd.Process.Pid)
			deadline := time.Now().Add(30 * time.Second)
			for !ready(t, after, prefix, dir) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the child never reached %q: %s", after, stderr.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGINT)
			err = cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
				t.Errorf("exit: %v, want 130; stderr: %s", err, stderr.String())
			}
			if ns := namespaces(t, prefix); len(ns) > 0 {
				t.Errorf("namespaces left behind: %v", ns)
				for _, n := range ns {
					exec.Command("ip", "netns", "del", n).Run()
				}
			}
			if out, _ := exec.Command("pgrep", "-f", dir).Output(); len(out) > 0 {
				t.Errorf("FRR daemons left behind: %s", out)
				for _, p := range strings.Fields(string(out)) {
					exec.Command("kill", "-9", p).Run()
				}
			}
		})
	}
}

func ready(t *testing.T, what, prefix, dir string) bool {
	if what == "first namespace" {
		return len(namespaces(t, prefix)) > 0
	}
	out, _ := exec.Command("pgrep", "-f", "/usr/lib/frr/bgpd .*"+dir).Output()
	return len(strings.Fields(string(out))) >= 3
}

func namespaces(t *testing.T, prefix string) []string {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], prefix) {
			ns = append(ns, f[0])
		}
	}
	return ns
}
