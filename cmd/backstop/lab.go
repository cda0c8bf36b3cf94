package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/lab"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/spf13/cobra"
)

func init() {
	var snapDir, invOut, user, passEnv string
	var useTLS bool
	cmd := &cobra.Command{
		Use:   "lab --snapshot DIR",
		Short: "Serve a snapshot as gNMI targets on 127.0.0.1 until Ctrl-C",
		Long: `lab starts one in-process gNMI target per device of the snapshot, each on its
own 127.0.0.1 port, serving Capabilities, Get, Set (with the Commit extension)
and Subscribe. It writes an inventory with the real addresses (and, with --tls,
the CA of the certificates it generated) so that pull, check --inventory,
gnmic or gnmi_cli can reach it. Ctrl-C stops it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if snapDir == "" {
				return fault.Badf("lab needs --snapshot DIR")
			}
			snap, err := snapshot.Load(snapDir)
			if err != nil {
				return err
			}
			var opts []lab.Option
			if useTLS {
				opts = append(opts, lab.WithTLS())
			}
			if user != "" {
				if passEnv == "" || os.Getenv(passEnv) == "" {
					return fault.Badf("--username needs --password-env naming a set environment variable")
				}
				opts = append(opts, lab.WithAuth(user, os.Getenv(passEnv)))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			l, err := lab.Start(ctx, snap, opts...)
			if err != nil {
				return err
			}
			defer l.Close()
			inv := l.Inventory()
			y, err := inv.Marshal()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if invOut != "" {
				if err := os.WriteFile(invOut, y, 0o644); err != nil {
					return fault.Bad(err)
				}
				fmt.Fprintf(w, "inventory: %s\n", invOut)
			} else {
				fmt.Fprintf(w, "%s---\n", y)
			}
			for _, d := range inv.Devices {
				fmt.Fprintf(w, "  %-16s %s\n", d.Name, d.Address)
			}
			mode := "plaintext"
			if useTLS {
				mode = "TLS, CA " + filepath.Join(l.Dir(), "ca.pem")
			}
			fmt.Fprintf(w, "serving %d gNMI targets (%s); try: backstop pull --inventory %s --environment %s --out /tmp/pulled\nCtrl-C to stop\n",
				len(inv.Devices), mode, orDefault(invOut, "FILE"), filepath.Join(snapDir, "environment.yaml"))
			<-ctx.Done()
			fmt.Fprintln(w, "stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&snapDir, "snapshot", "", "snapshot folder to serve")
	f.BoolVar(&useTLS, "tls", false, "serve TLS with a generated CA and server certificate (default plaintext)")
	f.StringVar(&invOut, "inventory-out", "", "write the lab's inventory here (default: print it)")
	f.StringVar(&user, "username", "", "require this username on every RPC")
	f.StringVar(&passEnv, "password-env", "", "environment variable holding the password to require")
	rootCmd.AddCommand(cmd)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
