// Command conformance runs the shipped scenarios and generated networks on the
// simulator and on FRR in network namespaces, compares every router's routes,
// and fails on any difference not listed in internal/emulate/exceptions.yaml.
// `make conformance` runs it; it needs root and Debian's frr package.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/emulate"
	"github.com/backstop-net/backstop/internal/emulate/gen"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
	"go.yaml.in/yaml/v3"
)

type job struct {
	name string
	net  func() (*network.Network, error)
	// run, when set, runs the job itself (independent networks: generated
	// as OpenConfig and loaded through compile, FRR rendered from the
	// description).
	run func(emulate.Options) (*emulate.Outcome, error)
}

func main() {
	testdata := flag.String("testdata", "testdata", "folder with backbone/ and scenarios/ (empty: skip)")
	generated := flag.Int("generated", 200, "number of generated networks")
	independent := flag.Int("independent", 0, "number of independent networks (internal/netgen: OpenConfig loaded through compile vs FRR rendered from the same description), seeds 1..N")
	seed := flag.Uint64("seed", 1, "first seed of the generated networks")
	parallel := flag.Int("parallel", 3, "networks emulated at the same time")
	only := flag.String("only", "", "run only networks whose name contains this (or, with commas, exactly these names)")
	keep := flag.Bool("keep", false, "keep lab directories (configs, logs)")
	hold := flag.Duration("hold", 0, "keep each lab up this long after comparing (to inspect it with vtysh)")
	verbose := flag.Bool("verbose", false, "print every network's figures")
	dump := flag.String("dump", "", "only render: write each network's FRR configs and simulated routes under this folder")
	mutants := flag.Bool("mutants", false, "mutation score: re-run with each injected simulator bug (build with -tags mutants)")
	flag.Parse()
	if *mutants {
		os.Exit(runMutants(os.Args[1:]))
	}
	if *dump != "" {
		os.Exit(dumpAll(*dump, *testdata, *generated, *seed, *only))
	}
	if err := emulate.Available(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	emulate.HandleSignals()
	ex, err := emulate.Exceptions()
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
	var jobs []job
	if *testdata != "" {
		jobs = append(jobs, scenarioJobs(*testdata)...)
	}
	for i := 0; i < *generated; i++ {
		s := *seed + uint64(i)
		jobs = append(jobs, job{name: fmt.Sprintf("gen/%d", s), net: func() (*network.Network, error) { return gen.Network(s), nil }})
	}
	for i := 1; i <= *independent; i++ {
		s := uint64(i)
		jobs = append(jobs, job{name: emulate.IndependentName(s), run: func(o emulate.Options) (*emulate.Outcome, error) {
			return emulate.EmulateIndependent(s, o)
		}})
	}
	if *only != "" {
		var keepJobs []job
		names := strings.Split(*only, ",")
		for _, j := range jobs {
			if (len(names) == 1 && strings.Contains(j.name, *only)) || (len(names) > 1 && slices.Contains(names, j.name)) {
				keepJobs = append(keepJobs, j)
			}
		}
		jobs = keepJobs
	}
	type result struct {
		o   *emulate.Outcome
		err error
	}
	results := make([]result, len(jobs))
	var mu sync.Mutex
	runOne := func(i int, j job) {
		eo := emulate.Options{Keep: *keep, Hold: *hold, Exceptions: ex}
		var o *emulate.Outcome
		var err error
		if j.run != nil {
			o, err = j.run(eo)
		} else {
			var n *network.Network
			if n, err = j.net(); err != nil {
				results[i] = result{nil, fmt.Errorf("%s: %w", j.name, err)}
				return
			}
			o, err = emulate.Emulate(j.name, n, eo)
		}
		results[i] = result{o, err}
		mu.Lock()
		defer mu.Unlock()
		if o != nil && *verbose {
			c, e, x := o.Counts()
			settled := ""
			if o.FirstLook > 0 {
				settled = fmt.Sprintf("  (read again after %s quiet: %d unexplained differences at the first stable state)", emulate.SettleQuiet, o.FirstLook)
			}
			fmt.Printf("%-40s %2d routers  %5d routes  %5d equal  %3d excepted  sim %8s  frr %6s%s\n", j.name, o.Routers, c, e, x,
				o.SimTime.Round(time.Microsecond), o.EmuTime.Round(10*time.Millisecond), settled)
		}
		if err != nil {
			fmt.Printf("%s: ERROR %v\n", j.name, err)
		}
	}
	bad := func(r result) int {
		if r.err != nil {
			return -1
		}
		n := 0
		for _, d := range r.o.Diffs {
			if !d.Equal && d.Exception == "" {
				n++
			}
		}
		return n
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, *parallel)
	start := time.Now()
	for i, j := range jobs {
		wg.Add(1)
		go func(i int, j job) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			runOne(i, j)
		}(i, j)
	}
	wg.Wait()
	// A network is run once more, alone, only when its first run could not
	// decide: the lab failed, or FRR had not brought up every session and
	// IS-IS route the simulator expects when the grace period ran out (a
	// busy machine). A network that converged and differs is not re-run:
	// its differences stand. The first run's differences are printed too.
	var retried []string
	for i, j := range jobs {
		r := results[i]
		n := bad(r)
		if n == 0 {
			continue
		}
		var why string
		switch {
		case r.err != nil:
			why = r.err.Error()
		case r.o.Converged != nil && len(r.o.Converged.Missing) > 0:
			why = fmt.Sprintf("%d unexplained differences while FRR still lacked %s", n, strings.Join(firstN(r.o.Converged.Missing, 5), ", "))
		default:
			continue
		}
		if r.o != nil {
			for _, d := range r.o.Diffs {
				if !d.Equal && d.Exception == "" {
					fmt.Println("FIRST RUN DIFF " + d.String())
				}
			}
		}
		runOne(i, j)
		retried = append(retried, fmt.Sprintf("%s (first run: %s; second run: %d unexplained)", j.name, why, bad(results[i])))
	}
	for _, r := range retried {
		fmt.Println("re-run alone: " + r)
	}
	var compared, equal, excepted, failed, nets, routers int
	var simT, emuT time.Duration
	exCount := map[string]int{}
	type kindCount struct{ compared, equal int }
	kinds := map[string]*kindCount{}
	var unexplained []emulate.Diff
	for _, r := range results {
		if r.err != nil {
			failed++
		}
		if r.o == nil || r.o.Diffs == nil {
			continue
		}
		nets++
		routers += r.o.Routers
		simT += r.o.SimTime
		emuT += r.o.EmuTime
		c, e, x := r.o.Counts()
		compared, equal, excepted = compared+c, equal+e, excepted+x
		for _, d := range r.o.Diffs {
			k := kinds[d.Kind]
			if k == nil {
				k = &kindCount{}
				kinds[d.Kind] = k
			}
			k.compared++
			switch {
			case d.Equal:
				k.equal++
			case d.Exception != "":
				exCount[d.Exception]++
			default:
				unexplained = append(unexplained, d)
			}
		}
	}
	for _, d := range unexplained {
		fmt.Println("DIFF " + d.String())
	}
	var ids []string
	for id := range exCount {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Printf("exception %s: %d routes\n", id, exCount[id])
	}
	for _, e := range ex {
		if exCount[e.ID] == 0 && *only == "" {
			fmt.Printf("exception %s: matched nothing in this run\n", e.ID)
		}
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Printf("compared %-8s %6d, equal %6d\n", k+":", kinds[k].compared, kinds[k].equal)
	}
	ratio := 0.0
	if simT > 0 {
		ratio = float64(emuT) / float64(simT)
	}
	fmt.Printf("networks: %d compared (%d routers), %d failed to run; wall %s; simulation %s, emulation %s (x%.0f)\n",
		nets, routers, failed, time.Since(start).Round(time.Second), simT.Round(time.Millisecond), emuT.Round(time.Second), ratio)
	fmt.Printf("re-runs: %d networks (not converged on the first run; first-run differences printed above)\n", len(retried))
	fmt.Printf("not compared: %d scenarios FRR cannot confirm (see their scenario.yaml)\n", len(notCompared))
	for _, n := range notCompared {
		fmt.Printf("  %s\n", n)
	}
	fmt.Printf("conformance: %d routes compared, %d equal (%d different: %d listed in exceptions.yaml, %d not)\n",
		compared, equal, compared-equal, excepted, len(unexplained))
	if len(unexplained) > 0 || failed > 0 {
		os.Exit(1)
	}
}

func scenarioJobs(dir string) []job {
	load := func(cand string) func() (*network.Network, error) {
		return func() (*network.Network, error) {
			s, err := snapshot.Load(filepath.Join(dir, "backbone"))
			if err != nil || cand == "" {
				if err != nil {
					return nil, err
				}
				return compile.Compile(s)
			}
			running, err := compile.Compile(s)
			if err != nil {
				return nil, err
			}
			if s, err = snapshot.LoadCandidate(s, cand); err != nil {
				return nil, err
			}
			n, err := compile.Compile(s)
			if err != nil {
				return nil, err
			}
			// As check does: the external speakers keep the running
			// network's end of each session, in the simulation and in the
			// lab (the renderer configures them from it), so FRR shows a
			// one-sided change being refused too.
			sim.PinExternalPeers(running, n)
			sim.PinCabling(running, n)
			return n, nil
		}
	}
	jobs := []job{{name: "scenario/backbone(running)", net: load("")}}
	ents, _ := os.ReadDir(filepath.Join(dir, "scenarios"))
	for _, e := range ents {
		c := filepath.Join(dir, "scenarios", e.Name(), "candidate")
		if _, err := os.Stat(c); err != nil {
			continue
		}
		// A scenario FRR cannot confirm (a vendor behaviour FRR 8.4 does
		// not have, or config the renderer refuses) is listed with its
		// reason, never silently dropped and never counted as equal.
		var spec struct {
			FRR string `yaml:"frr_cannot_confirm"`
		}
		if data, err := os.ReadFile(filepath.Join(dir, "scenarios", e.Name(), "scenario.yaml")); err == nil {
			_ = yaml.Unmarshal(data, &spec)
		}
		if spec.FRR != "" {
			notCompared = append(notCompared, fmt.Sprintf("scenario/%s: %s", e.Name(), spec.FRR))
			continue
		}
		jobs = append(jobs, job{name: "scenario/" + e.Name() + "/candidate", net: load(c)})
	}
	return jobs
}

// notCompared: scenarios FRR cannot confirm, with the reason (summary).
var notCompared []string

func dumpAll(dir, testdata string, generated int, seed uint64, only string) int {
	var jobs []job
	if testdata != "" {
		jobs = append(jobs, scenarioJobs(testdata)...)
	}
	for i := 0; i < generated; i++ {
		s := seed + uint64(i)
		jobs = append(jobs, job{name: fmt.Sprintf("gen/%d", s), net: func() (*network.Network, error) { return gen.Network(s), nil }})
	}
	for _, j := range jobs {
		if only != "" && !strings.Contains(j.name, only) {
			continue
		}
		n, err := j.net()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		res, cfg, _, err := emulate.Simulate(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, j.name, err)
			return 1
		}
		d := filepath.Join(dir, strings.NewReplacer("/", "_", "(", "", ")", "").Replace(j.name))
		os.MkdirAll(d, 0o755)
		for _, r := range cfg.Routers {
			for dm, text := range r.Files {
				os.WriteFile(filepath.Join(d, r.Name+"."+dm+".conf"), []byte(text), 0o644)
			}
		}
		for _, s := range cfg.Speakers {
			os.WriteFile(filepath.Join(d, "speaker-"+strings.ReplaceAll(s.Name, "/", "_")+".bgpd.conf"), []byte(s.Files["bgpd"]), 0o644)
		}
		b, _ := json.MarshalIndent(res.Routes(""), "", " ")
		os.WriteFile(filepath.Join(d, "sim-routes.json"), b, 0o644)
	}
	return 0
}

func firstN(l []string, n int) []string {
	if len(l) > n {
		return append(l[:n:n], fmt.Sprintf("and %d more", len(l)-n))
	}
	return l
}
