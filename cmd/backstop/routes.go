package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/spf13/cobra"
)

func newRoutesCmd() *cobra.Command {
	var snap, device string
	var asJSON bool
	var cf cacheFlags
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "Simulate a snapshot and print each device's BGP RIB, IS-IS routes and sessions",
		Long:  "The JSON schema is documented in docs/routes-schema.md.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if snap == "" {
				return fault.Badf("--snapshot DIR is required")
			}
			cache := cf.open(cmd)
			s, err := snapshot.LoadWith(snap, snapshot.Options{Defer: cache.Has})
			if err != nil {
				return err
			}
			n, err := compile.CompileWith(s, cache)
			if err != nil {
				return err
			}
			if device != "" && n.Device(device) == nil {
				return fault.Badf("unknown device %q", device)
			}
			res := sim.Run(n)
			out := sim.RoutesDoc{Converged: res.Converged, Notes: res.Notes, Devices: res.Routes(device)}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			fmt.Fprint(cmd.OutOrStdout(), routesText(out))
			return nil
		},
	}
	cmd.Flags().StringVar(&snap, "snapshot", "", "snapshot folder")
	cmd.Flags().StringVar(&device, "device", "", "only this device")
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output (docs/routes-schema.md)")
	cf.register(cmd)
	return cmd
}

func routesText(doc sim.RoutesDoc) string {
	var b strings.Builder
	for _, d := range doc.Devices {
		fmt.Fprintf(&b, "%s (AS %d, router-id %s)\n", d.Device, d.AS, d.RouterID)
		for _, s := range d.Sessions {
			st := "up"
			if !s.Established {
				st = "down: " + s.Reason
			}
			fmt.Fprintf(&b, "  session %-15s %-20s AS %-6d %s  %s\n", s.Neighbor, s.Peer, s.PeerAS, s.Type, st)
		}
		for _, r := range d.BGP {
			for _, p := range r.Paths {
				mark := " "
				if p.Best {
					mark = ">"
				}
				if !p.Valid {
					mark = "x"
				}
				fmt.Fprintf(&b, "  %s bgp %-18s nh %-15s lp %-4d path %v %s\n", mark, r.Prefix, p.NextHop, p.LocalPref, p.ASPath, p.Origin)
			}
		}
		for _, r := range d.ISIS {
			var hops []string
			for _, h := range r.NextHops {
				hops = append(hops, h.Device+"/"+h.Interface)
			}
			fmt.Fprintf(&b, "    isis %-18s L%d metric %-5d via %s\n", r.Prefix, r.Level, r.Metric, strings.Join(hops, ","))
		}
	}
	return b.String()
}

func init() { rootCmd.AddCommand(newRoutesCmd()) }
