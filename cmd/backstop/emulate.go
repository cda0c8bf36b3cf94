package main

import (
	"fmt"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/emulate"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/spf13/cobra"
)

func newEmulateCmd() *cobra.Command {
	var o inputFlags
	var keep bool
	cmd := &cobra.Command{
		Use:   "emulate --snapshot DIR [--candidate DIR | --change FILE]",
		Short: "Run running (and candidate) on FRRouting in network namespaces and compare with the simulation",
		Long: "A slower second opinion: every router runs FRR 8.4 (zebra, staticd, isisd, bgpd) in its own network\n" +
			"namespace, external peers and anycast announcers run as small bgpd instances; once converged, every\n" +
			"router's BGP best paths and IS-IS routes are compared with the simulation. Needs root and Debian's frr\n" +
			"package; networks up to 60 routers. Limits: docs/accuracy.md. Exit 3 when they disagree beyond the\n" +
			"documented exceptions.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.running == "" {
				return fault.Badf("--snapshot DIR is required")
			}
			running, err := snapshot.Load(o.running)
			if err != nil {
				return err
			}
			rn, err := compile.Compile(running)
			if err != nil {
				return err
			}
			nets := []emulate.NamedNetwork{{Name: "running", Net: rn}}
			if o.candidate != "" || o.changeFile != "" {
				cand, err := o.loadCandidate(running)
				if err != nil {
					return err
				}
				cn, err := compile.Compile(cand)
				if err != nil {
					return err
				}
				nets = append(nets, emulate.NamedNetwork{Name: "candidate", Net: cn})
			}
			emulate.HandleSignals()
			bad, err := emulate.Second(cmd.OutOrStdout(), nets, emulate.Options{Keep: keep})
			if err != nil {
				return err
			}
			if bad > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%d routes differ between simulation and emulation\n", bad)
				return &exitError{code: 3}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.running, "snapshot", "", "running snapshot folder")
	cmd.Flags().StringVar(&o.candidate, "candidate", "", "candidate: a snapshot folder or a folder of <device>.json files")
	cmd.Flags().StringVar(&o.changeFile, "change", "", "candidate: a gNMI SetRequest (textproto or JSON) applied to running")
	cmd.Flags().StringVar(&o.target, "target", "", "device a SetRequest applies to when it has no prefix.target")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the lab folders (FRR configs and logs) under $TMPDIR")
	return cmd
}

func init() { rootCmd.AddCommand(newEmulateCmd()) }
