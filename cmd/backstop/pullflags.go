package main

import (
	"context"
	"time"

	"github.com/backstop-net/backstop/internal/collect"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/spf13/cobra"
)

// pullFlags control how running config is pulled over gNMI when a command is
// given --inventory instead of --running.
type pullFlags struct {
	parallel int
	timeout  time.Duration
	envFile  string
}

func (p *pullFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&p.parallel, "parallel", collect.DefaultParallel, "devices pulled at once (with --inventory)")
	f.DurationVar(&p.timeout, "timeout", inventory.DefaultTimeout, "per-device timeout when the inventory sets none (with --inventory)")
	f.StringVar(&p.envFile, "environment", "", "environment.yaml for --inventory (default: beside the inventory)")
}

func (p *pullFlags) pull(ctx context.Context, inv string) (*snapshot.Snapshot, error) {
	snap, _, err := pullRunning(ctx, inv, p.envFile, p.parallel, p.timeout)
	return snap, err
}
