package main

import (
	"github.com/backstop-net/backstop/internal/emulate"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/spf13/cobra"
)

func newEmulateCmd() *cobra.Command {
	var o inputFlags
	var keep bool
	cmd := &cobra.Command{
		Use:   "emulate --snapshot DIR [--candidate DIR | --change FILE]",
		Short: "Run running (and candidate) on FRRouting in network namespaces; compare routes and verdicts with the simulation",
		Long: `A slower second opinion. Every router runs FRR 8.4 (zebra, staticd, isisd, bgpd) in
its own network namespace; external peers and anycast announcers run as small bgpd
instances. Once converged, every router's BGP best paths and IS-IS routes, what every
external speaker receives and every anycast site's health are compared with the
simulation. With a candidate, the policy is evaluated on FRR's routing as well and the
two verdicts are compared check by check.

Needs root and Debian's frr package; networks up to 60 routers. Limits: docs/accuracy.md.
Exit codes: 0 they agree and FRR's verdict does not block, 3 FRR's verdict blocks or the
two disagree beyond the documented exceptions, 1 internal error (FRR missing, lab failed),
4 bad input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.snapshot != "" {
				if o.running != "" {
					return fault.Badf("give --snapshot or --running, not both")
				}
				o.running = o.snapshot
			}
			in, err := o.loadOptionalCandidate(cmd.Context())
			if err != nil {
				return err
			}
			emulate.HandleSignals()
			op, err := emulate.SecondOpinion(in, emulate.Options{Keep: keep})
			if err != nil {
				return err
			}
			op.Write(cmd.OutOrStdout())
			if c := op.ExitCode(); c != 0 {
				return &exitError{code: c}
			}
			return nil
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&o.snapshot, "snapshot", "", "running snapshot folder (same as --running)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the lab folders (FRR configs and logs) under $TMPDIR")
	return cmd
}

func init() { rootCmd.AddCommand(newEmulateCmd()) }
