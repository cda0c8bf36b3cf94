package main

import (
	"github.com/backstop-net/backstop/internal/bench"
	"github.com/backstop-net/backstop/internal/synth"
	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	o := synth.Default
	var policyFile string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Simulate a synthetic backbone at design size (1,000 routers, ~4,000 links, 50k prefixes) before and after a drain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pol, err := loadPolicy(policyFile)
			if err != nil {
				return err
			}
			_, err = bench.Run(cmd.OutOrStdout(), o, pol)
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Routers, "routers", o.Routers, "routers")
	f.IntVar(&o.LinksPerRouter, "links-per-router", o.LinksPerRouter, "links per router")
	f.IntVar(&o.InternalPrefixes, "internal-prefixes", o.InternalPrefixes, "prefixes originated inside")
	f.IntVar(&o.ExternalPrefixes, "external-prefixes", o.ExternalPrefixes, "prefixes announced by transit peers")
	f.Uint64Var(&o.Seed, "seed", o.Seed, "random seed")
	f.StringVar(&policyFile, "policy", "", "policy to evaluate (default: built-in)")
	return cmd
}

func init() { rootCmd.AddCommand(newBenchCmd()) }
