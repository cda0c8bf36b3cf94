// Package demo runs backstop end to end on the shipped backbone with no real
// routers: gNMI lab targets on loopback serve the 20-router backbone, backstop
// pulls it over gRPC, then checks two SetRequests an automation system might be
// about to push: the October 2021 backbone drain (BLOCK) and draining one link
// of a redundant pair (PASS).
//
// Stage: orchestration over the whole pipeline (lab → collect → change →
// verdict → report), for `backstop demo`.
package demo

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	backstop "github.com/backstop-net/backstop"
	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/collect"
	"github.com/backstop-net/backstop/internal/lab"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/report"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/internal/verdict"
)

// Step is one change the demo checks and the verdict it must get.
type Step struct {
	Title    string
	Scenario string // testdata/scenarios/<name>/change.json
	Want     verdict.Verdict
}

// Steps are the demo's changes.
var Steps = []Step{
	{"The October 2021 command: disable every backbone interface", "drain-backbone", verdict.Block},
	{"Maintenance: drain one link of a redundant pair", "drain-one-link", verdict.Pass},
}

// Options for a demo run.
type Options struct {
	Format  string // report format for each step (default text)
	Version string
	TLS     bool // serve the lab over TLS with generated certificates
}

// Run executes the demo, writing to w. It fails when a step's verdict is not
// the expected one: the demo doubles as a smoke test of the whole pipeline.
func Run(ctx context.Context, w io.Writer, o Options) ([]*verdict.Report, error) {
	if o.Format == "" {
		o.Format = "text"
	}
	dir, err := os.MkdirTemp("", "backstop-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := extract(dir); err != nil {
		return nil, err
	}
	running, err := snapshot.Load(filepath.Join(dir, "testdata", "backbone"))
	if err != nil {
		return nil, err
	}
	var opts []lab.Option
	if o.TLS {
		opts = append(opts, lab.WithTLS())
	}
	start := time.Now()
	l, err := lab.Start(ctx, running, opts...)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	inv := l.Inventory()
	fmt.Fprintf(w, "backstop demo: %d gNMI lab targets listening on 127.0.0.1 (%s)\n", len(inv.Devices), transport(o.TLS))
	pulled, rep, err := collect.Pull(ctx, inv, running.Environment, collect.Options{Progress: io.Discard})
	if err != nil {
		return nil, err
	}
	var bytes int
	for _, d := range rep.Devices {
		bytes += d.Bytes
	}
	fmt.Fprintf(w, "pulled the running config of %d devices over gNMI (%d KB of JSON_IETF) in %s\n\n",
		len(pulled.Devices), bytes/1024, time.Since(start).Round(time.Millisecond))
	pol, err := policy.Parse(backstop.DefaultPolicy)
	if err != nil {
		return nil, err
	}
	pol.Path = "built-in policies/default.yaml"
	var out []*verdict.Report
	for i, st := range Steps {
		file := filepath.Join(dir, "testdata", "scenarios", st.Scenario, "change.json")
		reqs, err := change.LoadSetRequests(file, "")
		if err != nil {
			return nil, err
		}
		cand, err := change.ApplySetRequestsFrom(pulled, reqs, "scenarios/"+st.Scenario+"/change.json")
		if err != nil {
			return nil, err
		}
		r, err := verdict.Check(verdict.Input{Running: pulled, Candidate: cand, Policy: pol, Version: o.Version})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "━━━ %d/%d  %s  (SetRequest %s)\n\n", i+1, len(Steps), st.Title, "testdata/scenarios/"+st.Scenario+"/change.json")
		if err := report.Write(w, o.Format, r); err != nil {
			return nil, err
		}
		fmt.Fprintln(w)
		if r.Verdict != st.Want {
			return out, fmt.Errorf("demo step %q: verdict %s, expected %s", st.Title, r.Verdict, st.Want)
		}
		out = append(out, r)
	}
	fmt.Fprint(w, `━━━ Against real routers

  backstop check --inventory inventory.yaml --change set.textproto
      pulls running config from every device over gNMI (TLS by default), applies the
      SetRequest you are about to push, and exits 0 PASS / 3 BLOCK / 4 bad input /
      5 device access failed. See docs/gnmi.md for the inventory, TLS and credentials.
  backstop check --running snap/ --candidate cand/ --report-dir out/
      the same offline, on snapshot folders (backstop pull writes them).
`)
	return out, nil
}

func transport(tls bool) string {
	if tls {
		return "TLS with a generated CA"
	}
	return "plaintext"
}

// extract writes the embedded backbone and scenarios to dir.
func extract(dir string) error {
	return fs.WalkDir(backstop.Demo, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := backstop.Demo.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
