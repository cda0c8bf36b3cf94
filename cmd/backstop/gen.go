package main

import (
	"fmt"
	"strings"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/netgen"
	"github.com/spf13/cobra"
)

func newGenCmd() *cobra.Command {
	o := netgen.Options{Style: netgen.Backbone, Routers: 100, Seed: 1}
	var out, change, style string
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Write a generated network as an OpenConfig snapshot folder (and a candidate change)",
		Long: `gen writes a realistic backbone (sites, route reflectors, data-centre sites with
prefix-sets and statics, edges with transit policies and aggregates, DNS anycast;
40 internal and 10 external prefixes per router by default) as a snapshot folder:
inventory.yaml, environment.yaml, configs/<router>.json. With --change it also
writes the changed routers under DIR/candidate/, for
` + "`backstop check --running DIR --candidate DIR/candidate`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch style {
			case "backbone":
				o.Style = netgen.Backbone
			case "conformance":
				o.Style = netgen.Conformance
			default:
				return fault.Badf("--style %q: backbone or conformance", style)
			}
			if out == "" {
				return fault.Badf("--out DIR is required")
			}
			t, changed, err := netgen.Write(out, o, change)
			if err != nil {
				return fault.Bad(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d routers, %d transits, %d anycast services written to %s\n",
				t.Name, len(t.Routers), len(t.Transits), len(t.Anycast), out)
			if change != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "candidate %s: %d routers changed (%s) in %s/candidate\n",
					change, len(changed), strings.Join(firstNames(changed, 5), ", "), out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "snapshot folder to write")
	f.IntVar(&o.Routers, "routers", o.Routers, "routers (backbone: at least 8; conformance: 3-40, 0 = random)")
	f.Uint64Var(&o.Seed, "seed", o.Seed, "random seed (the same seed gives the same files)")
	f.StringVar(&style, "style", "backbone", "backbone (realistic, any size) or conformance (small, every modelled feature)")
	f.IntVar(&o.InternalPerRouter, "internal-prefixes", 40, "backbone: internal prefixes per router")
	f.IntVar(&o.ExternalPerRouter, "external-prefixes", 10, "backbone: external prefixes per router")
	f.StringVar(&change, "change", "", "also write a candidate: "+strings.Join(netgen.Changes, ", "))
	return cmd
}

func firstNames(l []string, n int) []string {
	if len(l) > n {
		return append(l[:n:n], fmt.Sprintf("%d more", len(l)-n))
	}
	return l
}

func init() { rootCmd.AddCommand(newGenCmd()) }
