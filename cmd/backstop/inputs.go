package main

import (
	"context"

	backstop "github.com/backstop-net/backstop"
	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/compilecache"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/spf13/cobra"
)

// inputFlags are the flags that name running, candidate and policy; shared by
// check, diff and emulate.
type inputFlags struct {
	running, candidate string
	snapshot           string // emulate's name for --running
	inventory          string
	changeFile, target string
	policyFile         string
	pull               pullFlags
	// cache, when set (check), lets loading defer the decode of devices it
	// holds compiled (snapshot.Options.Defer).
	cache *compilecache.Cache
}

func (o *inputFlags) snapOptions() snapshot.Options {
	if o.cache == nil {
		return snapshot.Options{}
	}
	return snapshot.Options{Defer: o.cache.Has}
}

func (o *inputFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.running, "running", "", "running snapshot folder (inventory.yaml, configs/, environment.yaml)")
	f.StringVar(&o.inventory, "inventory", "", "pull running config over gNMI from the devices in this inventory instead of --running")
	f.StringVar(&o.candidate, "candidate", "", "candidate: a snapshot folder or a folder of <device>.json files")
	f.StringVar(&o.changeFile, "change", "", "candidate: a gNMI SetRequest (textproto or JSON) applied to running")
	f.StringVar(&o.target, "target", "", "device a SetRequest applies to when it has no prefix.target")
	f.StringVar(&o.policyFile, "policy", "", "policy file (default: the built-in policies/default.yaml)")
	o.pull.register(cmd)
}

func (o *inputFlags) loadRunning(ctx context.Context) (*snapshot.Snapshot, error) {
	switch {
	case o.running != "" && o.inventory != "":
		return nil, fault.Badf("give --running or --inventory, not both")
	case o.running != "":
		return snapshot.LoadWith(o.running, o.snapOptions())
	case o.inventory != "":
		return o.pull.pull(ctx, o.inventory)
	}
	return nil, fault.Badf("no running network: give --running DIR or --inventory FILE")
}

func (o *inputFlags) loadCandidate(running *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	switch {
	case o.candidate != "" && o.changeFile != "":
		return nil, fault.Badf("give --candidate or --change, not both")
	case o.candidate != "":
		return snapshot.LoadCandidateWith(running, o.candidate, o.snapOptions())
	case o.changeFile != "":
		reqs, err := change.LoadSetRequests(o.changeFile, o.target)
		if err != nil {
			return nil, err
		}
		return change.ApplySetRequestsFrom(running, reqs, o.changeFile)
	}
	return nil, fault.Badf("no candidate: give --candidate DIR or --change FILE")
}

func loadPolicy(path string) (*policy.File, error) {
	if path == "" {
		f, err := policy.Parse(backstop.DefaultPolicy)
		if err != nil {
			return nil, err
		}
		f.Path = "built-in policies/default.yaml"
		return f, nil
	}
	return policy.Load(path)
}

func (o *inputFlags) load(ctx context.Context) (verdict.Input, error) { return o.loadInputs(ctx, true) }

// loadOptionalCandidate is load for commands where the candidate may be
// absent (emulate): Candidate is nil then.
func (o *inputFlags) loadOptionalCandidate(ctx context.Context) (verdict.Input, error) {
	return o.loadInputs(ctx, o.candidate != "" || o.changeFile != "")
}

func (o *inputFlags) loadInputs(ctx context.Context, withCandidate bool) (verdict.Input, error) {
	pol, err := loadPolicy(o.policyFile)
	if err != nil {
		return verdict.Input{}, err
	}
	run, err := o.loadRunning(ctx)
	if err != nil {
		return verdict.Input{}, err
	}
	in := verdict.Input{Running: run, Policy: pol}
	if o.cache != nil {
		in.Cache = o.cache
	}
	if withCandidate {
		if in.Candidate, err = o.loadCandidate(run); err != nil {
			return verdict.Input{}, err
		}
	}
	return in, nil
}
