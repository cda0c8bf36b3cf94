// Command backstop is a config-change safety gate for backbone routers.
// Commands parse flags, call one package function and print; logic lives in
// internal/.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

var rootCmd = &cobra.Command{
	Use:           "backstop",
	Short:         "Simulate a backbone config change before it is pushed: PASS, WARN or BLOCK",
	SilenceUsage:  true,
	SilenceErrors: true,
	Version:       version,
}

// exitError carries an exit code that is a verdict, not a failure (BLOCK).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code. A panic
// is a bug: it becomes exit 1 with a message, never Go's exit 2 (which CI
// scripts could mistake for a verdict) and never a PASS.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "backstop: internal error (a bug, please report it with the command line): %v\n%s", r, debug.Stack())
			code = 1
		}
	}()
	defer startProfiles(stderr)()
	resetFlags(rootCmd)
	rootCmd.SetArgs(args)
	rootCmd.SetOut(stdout)
	rootCmd.SetErr(stderr)
	err := rootCmd.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(stderr, "backstop:", err)
	// cobra reports unknown commands and argument errors as plain errors.
	if fault.KindOf(err) == fault.Internal && (strings.HasPrefix(err.Error(), "unknown command") ||
		strings.Contains(err.Error(), "arg(s)")) {
		return 4
	}
	return fault.ExitCode(err)
}

// resetFlags puts every flag back to its default, so run can be called more
// than once in a process (tests) without one call's flags leaking into the next.
func resetFlags(c *cobra.Command) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		_ = f.Value.Set(f.DefValue)
		f.Changed = false
	})
	for _, sub := range c.Commands() {
		resetFlags(sub)
	}
}

func init() {
	rootCmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fault.Bad(err) })
}
