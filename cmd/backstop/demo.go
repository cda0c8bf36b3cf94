package main

import (
	"github.com/backstop-net/backstop/internal/demo"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var o demo.Options
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run backstop end to end on the embedded backbone: gNMI lab, pull, the 2021 drain (BLOCK) and a safe change (PASS)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Version = version
			_, err := demo.Run(cmd.Context(), cmd.OutOrStdout(), o)
			return err
		},
	}
	cmd.Flags().StringVarP(&o.Format, "output", "o", "text", "report format for each step")
	cmd.Flags().BoolVar(&o.TLS, "tls", false, "serve the lab over TLS with generated certificates")
	return cmd
}

func init() { rootCmd.AddCommand(newDemoCmd()) }
