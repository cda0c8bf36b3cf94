package main

import (
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/report"
	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/spf13/cobra"
)

func newCheckCmd() *cobra.Command {
	var o inputFlags
	var cf cacheFlags
	var output, reportDir, failOn string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Simulate running and candidate networks and print PASS / WARN / BLOCK with evidence",
		Long: `check compares the running network with the candidate (a snapshot folder, a
folder of per-device candidate JSON files, or a gNMI SetRequest applied to running),
simulates the routing of both, evaluates the policy and prints the verdict.

Exit codes: 0 PASS (or WARN unless --fail-on warn), 1 internal error,
3 BLOCK, 4 bad input, 5 device access failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.cache = cf.open(cmd)
			in, err := o.load(cmd.Context())
			if err != nil {
				return err
			}
			in.FailOn, in.Version = failOn, version
			rep, err := verdict.Check(in)
			if err != nil {
				return err
			}
			// The verdict is printed before the report folder is written: a
			// folder that cannot be written must not lose the verdict.
			if err := report.Write(cmd.OutOrStdout(), output, rep); err != nil {
				return err
			}
			if reportDir != "" {
				if _, err := report.WriteDir(reportDir, rep); err != nil {
					return fault.Badf("--report-dir %s: %w", reportDir, err)
				}
			}
			if rep.ExitCode != 0 {
				return &exitError{rep.ExitCode}
			}
			return nil
		},
	}
	o.register(cmd)
	cf.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json, markdown, junit, sarif, html")
	cmd.Flags().StringVar(&reportDir, "report-dir", "", "also write every report format into this folder")
	cmd.Flags().StringVar(&failOn, "fail-on", "block", "verdict that makes the exit code non-zero: block or warn")
	return cmd
}

func init() { rootCmd.AddCommand(newCheckCmd()) }
