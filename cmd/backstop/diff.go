package main

import (
	"encoding/json"
	"fmt"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/spf13/cobra"
)

func newDiffCmd() *cobra.Command {
	var o inputFlags
	var output string
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Print what the candidate changes, per device and leaf",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			run, err := o.loadRunning(cmd.Context())
			if err != nil {
				return err
			}
			cand, err := o.loadCandidate(run)
			if err != nil {
				return err
			}
			cs, err := change.Diff(run, cand)
			if err != nil {
				return err
			}
			switch output {
			case "text":
				fmt.Fprint(cmd.OutOrStdout(), cs.Text())
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(cs)
			default:
				return fault.Badf("--output must be text or json, not %q", output)
			}
			return nil
		},
	}
	o.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func init() { rootCmd.AddCommand(newDiffCmd()) }
