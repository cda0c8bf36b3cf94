package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/backstop-net/backstop/internal/bench"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	var o bench.Options
	var sizes, policyFile, stagedRunning, stagedCandidate string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time the check from OpenConfig files, stage by stage, at 100, 300 and 1,000 routers",
		Long: `bench writes OpenConfig snapshots of each size (a running folder and a drain of a
quarter of the backbone routers as the candidate), then runs this binary on them
in child processes: once to time each stage (read, decode, compile, diff,
simulate running, simulate candidate, policy, JSON report) and once as
"backstop check" exactly as a user runs it. Peak RSS is each child's own.
--profile-dir writes a CPU and an allocation profile of the first check of
each size (read them with "go tool pprof").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stagedRunning != "" { // the child side of a staged run
				pol, err := loadPolicy(policyFile)
				if err != nil {
					return err
				}
				return bench.StagedChild(cmd.OutOrStdout(), stagedRunning, stagedCandidate, pol)
			}
			for _, s := range strings.Split(sizes, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || n <= 0 {
					return fault.Badf("--sizes: %q is not a number of routers", s)
				}
				o.Sizes = append(o.Sizes, n)
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			o.Exe = exe
			var polArgs []string
			if policyFile != "" {
				polArgs = []string{"--policy", policyFile}
			}
			o.StagedArgs = func(run, cand string) []string {
				return append([]string{"bench", "--staged-running", run, "--staged-candidate", cand}, polArgs...)
			}
			o.CheckArgs = func(run, cand string) []string {
				return append([]string{"check", "--running", run, "--candidate", cand, "-o", "json"}, polArgs...)
			}
			o.StartArgs = []string{"--version"}
			if o.ProfileDir != "" {
				if err := os.MkdirAll(o.ProfileDir, 0o755); err != nil {
					return fault.Badf("--profile-dir: %w", err)
				}
			}
			_, err = bench.Run(cmd.OutOrStdout(), o)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&sizes, "sizes", "100,300,1000", "comma-separated network sizes in routers")
	f.IntVar(&o.Runs, "runs", 1, "child runs per size (the table shows medians)")
	f.StringVar(&o.Dir, "dir", "", "write the generated snapshots here and keep them (default: a temporary folder)")
	f.BoolVar(&o.Keep, "keep", false, "keep the temporary folder of generated snapshots")
	f.StringVar(&o.ProfileDir, "profile-dir", "", "write check-<routers>.cpu.pprof and .mem.pprof of the first check of each size here")
	f.StringVar(&policyFile, "policy", "", "policy to evaluate (default: built-in)")
	f.StringVar(&stagedRunning, "staged-running", "", "")
	f.StringVar(&stagedCandidate, "staged-candidate", "", "")
	_ = f.MarkHidden("staged-running")
	_ = f.MarkHidden("staged-candidate")
	return cmd
}

func init() { rootCmd.AddCommand(newBenchCmd()) }
