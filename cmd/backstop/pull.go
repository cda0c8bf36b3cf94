package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/backstop-net/backstop/internal/collect"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/spf13/cobra"
)

func init() {
	var invPath, out, envPath string
	var parallel int
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "pull --inventory inv.yaml --out DIR",
		Short: "Pull the running config of every inventoried device over gNMI into a snapshot folder",
		Long: `pull does one gNMI Get (type CONFIG, encoding JSON_IETF, path "/" with origin
openconfig) per device, over TLS unless the inventory says insecure, and writes a
snapshot folder: inventory.yaml, configs/<device>.json, environment.yaml and
capabilities.json (what each device reported in Capabilities). If any device
fails, nothing is written and every failed device is listed with its cause:
exit 5 for access (unreachable, TLS, authentication, timeout), 4 for content.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if invPath == "" || out == "" {
				return fault.Badf("pull needs --inventory FILE and --out DIR")
			}
			snap, rep, err := pullRunning(cmd.Context(), invPath, envPath, parallel, timeout)
			if err != nil {
				return err
			}
			if err := snap.Save(out); err != nil {
				return fault.Bad(err)
			}
			if err := collect.WriteCapabilities(out, rep); err != nil {
				return fault.Bad(err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %d devices to %s\n", len(snap.Devices), out)
			if snap.Environment.Empty() {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: no environment (external peers, anycast services) was found beside the inventory or given with --environment,\n"+
					"so none was written: `backstop check` with the default policy refuses this snapshot (exit 4) until\n"+
					"%s declares external_peers and anycast (example: testdata/backbone/environment.yaml)\n",
					filepath.Join(out, "environment.yaml"))
			}
			for _, d := range rep.Devices {
				if len(d.Ignored) > 0 {
					fmt.Fprintf(w, "  %s: %d config paths outside the OpenConfig binding (kept; reported as unmodelled)\n", d.Name, len(d.Ignored))
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&invPath, "inventory", "", "inventory.yaml, or a gnmic targets file")
	f.StringVar(&out, "out", "", "snapshot folder to write")
	f.StringVar(&envPath, "environment", "", "environment.yaml to copy into the snapshot (default: beside the inventory, if any)")
	f.IntVar(&parallel, "parallel", collect.DefaultParallel, "devices pulled at once")
	f.DurationVar(&timeout, "timeout", inventory.DefaultTimeout, "per-attempt timeout for devices whose inventory sets none")
	rootCmd.AddCommand(cmd)
}

// pullRunning loads the inventory (and the environment beside it, or the
// one named) and pulls every device. It is what --inventory means for every
// command that takes a running network.
func pullRunning(ctx context.Context, invPath, envPath string, parallel int, timeout time.Duration) (*snapshot.Snapshot, *collect.Report, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	inv, err := inventory.Load(invPath)
	if err != nil {
		return nil, nil, err
	}
	// An explicit --environment must exist; the one beside the inventory may not.
	if envPath != "" && !fileExists(envPath) {
		return nil, nil, fault.Badf("--environment %s: no such file", envPath)
	}
	if envPath == "" {
		envPath = filepath.Join(filepath.Dir(invPath), "environment.yaml")
	}
	// Checked against the inventory before pulling the fleet, not after.
	env, err := snapshot.LoadEnvironment(envPath, inv)
	if err != nil {
		return nil, nil, err
	}
	return collect.Pull(ctx, inv, env, collect.Options{Parallel: parallel, Timeout: timeout})
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
