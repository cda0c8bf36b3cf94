package verdict

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
	"golang.org/x/sync/errgroup"
)

// Input is one check: running and candidate snapshots and the policy.
type Input struct {
	Running, Candidate *snapshot.Snapshot
	Policy             *policy.File
	FailOn             string // "block" (default) or "warn"
	Version            string // backstop's version, for the report
	// Cache keeps compiled devices between runs (internal/compilecache);
	// nil compiles everything. It never changes the report.
	Cache compile.DeviceCache
}

// Check runs the whole pipeline after loading: compile, diff and simulate both
// sides, evaluate the policy, and decide.
func Check(in Input) (*Report, error) {
	if in.FailOn == "" {
		in.FailOn = "block"
	}
	if in.FailOn != "block" && in.FailOn != "warn" {
		return nil, badf("--fail-on must be block or warn, not %q", in.FailOn)
	}
	var netB, netA *network.Network
	var cs *change.ChangeSet
	var g errgroup.Group
	g.Go(func() (err error) { netB, err = compile.CompileWith(in.Running, in.Cache); return })
	g.Go(func() (err error) { netA, err = compile.CompileWith(in.Candidate, in.Cache); return })
	g.Go(func() (err error) { cs, err = change.Diff(in.Running, in.Candidate); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// External speakers are outside the inventory: their end of each session
	// stays what made the running session work.
	sim.PinExternalPeers(netB, netA)
	// Links are inferred from addresses; cables are where running has them.
	sim.PinCabling(netB, netA)
	var before, after *sim.Result
	g = errgroup.Group{}
	g.Go(func() error { before = sim.Run(netB); return nil })
	g.Go(func() error { after = sim.Run(netA); return nil })
	_ = g.Wait()
	// A policy that names nothing in the running network would pass every
	// change; it is bad input, not a PASS.
	if err := in.Policy.Validate(before); err != nil {
		return nil, err
	}
	return Decide(in, before, after, cs), nil
}

// Decide builds the report from simulation results and the change.
func Decide(in Input, before, after *sim.Result, cs *change.ChangeSet) *Report {
	if in.FailOn == "" {
		in.FailOn = "block"
	}
	findings, checks := policy.Evaluate(in.Policy, policy.Input{Before: before, After: after, Change: cs})
	r := &Report{SchemaVersion: SchemaVersion, Backstop: in.Version, FailOn: in.FailOn,
		Findings: findings, Checks: checks, Diff: cs.Items}
	if r.Findings == nil {
		r.Findings = []policy.Finding{}
	}
	if r.Diff == nil {
		r.Diff = []change.Item{}
	}
	for _, f := range findings {
		if f.Severity == policy.Block {
			r.Summary.Block++
		} else {
			r.Summary.Warn++
		}
	}
	r.Summary.DevicesChanged = len(cs.Devices)
	r.Summary.LeavesChanged = len(cs.Items)
	r.Summary.ChecksRun = len(checks)
	switch {
	case r.Summary.Block > 0:
		r.Verdict, r.ExitCode = Block, ExitBlock
	case r.Summary.Warn > 0:
		r.Verdict, r.ExitCode = Warn, ExitPass
		if in.FailOn == "warn" {
			r.ExitCode = ExitBlock
		}
	default:
		r.Verdict, r.ExitCode = Pass, ExitPass
	}
	r.Headline = headline(r)
	r.Story = story(before, after, cs, findings)
	r.Unmodelled = unmodelled(after, cs)
	r.Notes = append(append([]string{}, prefixed("running: ", before.Notes)...), prefixed("candidate: ", after.Notes)...)
	r.Inputs = Inputs{Running: in.Running.Source, Candidate: in.Candidate.Source,
		RunningDigest: in.Running.Digest(), CandidateDigest: in.Candidate.Digest()}
	if in.Policy != nil {
		r.Inputs.Policy, r.Inputs.PolicyDigest = in.Policy.Path, in.Policy.Digest
	}
	r.Topology = topology(before, after, cs, findings)
	return r
}

func prefixed(p string, l []string) []string {
	var out []string
	for _, s := range l {
		out = append(out, p+s)
	}
	return out
}

func headline(r *Report) string {
	if len(r.Findings) == 0 {
		return fmt.Sprintf("%s: no invariant is broken (%d checks).", r.Verdict, r.Summary.ChecksRun)
	}
	return fmt.Sprintf("%s: %s", r.Verdict, r.Findings[0].Summary)
}

// story tells the cascade in the order it happens: links, IGP, sessions,
// anycast health, what the Internet sees.
func story(before, after *sim.Result, cs *change.ChangeSet, findings []policy.Finding) []string {
	var out []string
	out = append(out, fmt.Sprintf("The change modifies %s on %s.", plural(len(cs.Items), "leaf", "leaves"), plural(len(cs.Devices), "device", "devices")))
	upB := map[string]bool{}
	bbTotal := 0
	for _, l := range before.Links {
		upB[l.Key()] = l.Up
		if l.Up && l.Backbone {
			bbTotal++
		}
	}
	var lost, lostBB, gained int
	for _, l := range after.Links {
		switch {
		case upB[l.Key()] && !l.Up:
			lost++
			if l.Backbone {
				lostBB++
			}
		case !upB[l.Key()] && l.Up:
			gained++
		}
	}
	if lost > 0 {
		s := plural(lost, "link goes", "links go") + " down"
		switch {
		case lostBB == bbTotal && bbTotal > 0:
			s += fmt.Sprintf(", among them every backbone link (%d of %d): the backbone is cut into isolated routers", lostBB, bbTotal)
		case lostBB > 0:
			s += fmt.Sprintf(", %d of %d backbone links", lostBB, bbTotal)
		}
		out = append(out, s+".")
	}
	if gained > 0 {
		out = append(out, plural(gained, "link comes", "links come")+" up.")
	}
	var uncabled []string
	for _, l := range after.Links {
		if !l.Cabled() {
			uncabled = append(uncabled, fmt.Sprintf("%s %s – %s %s", l.A, l.AIface, l.B, l.BIface))
		}
	}
	if len(uncabled) > 0 {
		out = append(out, fmt.Sprintf("%s addresses on ports that the running network does not link to each other "+
			"(%s): the addresses moved, the cables did not, so %s down. A cable listed under links: in the inventory is simulated.",
			plural(len(uncabled), "link shares its", "links share their"), strings.Join(uncabled, ", "),
			map[bool]string{true: "it is taken as", false: "they are taken as"}[len(uncabled) == 1]))
	}
	if d := len(before.Adjacencies) - len(after.Adjacencies); d > 0 {
		out = append(out, fmt.Sprintf("IS-IS loses %d of %d adjacencies.", d, len(before.Adjacencies)))
	}
	estB := map[string]bool{}
	for _, s := range before.Sessions {
		estB[s.Key()] = s.Established
	}
	var drop, dropExt int
	for _, s := range after.Sessions {
		if estB[s.Key()] && !s.Established {
			drop++
			if s.External {
				dropExt++
			}
		}
		delete(estB, s.Key())
	}
	for _, was := range estB {
		if was {
			drop++
		}
	}
	if drop > 0 {
		s := plural(drop, "BGP session stops", "BGP sessions stop") + " being established"
		if dropExt > 0 {
			s += fmt.Sprintf(" (%d of them to external peers)", dropExt)
		}
		out = append(out, s+".")
	}
	for _, f := range findings {
		switch f.Kind {
		case policy.KindAnycast, policy.KindCriticalPrefixes:
			out = append(out, f.Summary)
		}
	}
	for _, f := range findings {
		if f.Kind == policy.KindAnycast && len(f.Evidence) > 0 {
			out = append(out, "For example, "+lowerFirst(f.Evidence[0])+".")
			break
		}
	}
	if c := causeSummary(findings); c != "" {
		out = append(out, c)
	}
	return out
}

// objectKind is the kind of a changed object for grouping causes: its first
// word, or its first two for protocol objects ("bgp neighbor", "isis
// interface"). Protocol-global objects ("isis", "bgp") and whole-device
// changes have only one word: they are their own kind.
func objectKind(object string) string {
	f := strings.Fields(object)
	switch {
	case len(f) == 0:
		return "device"
	case len(f) >= 2 && (f[0] == "bgp" || f[0] == "isis" || f[0] == "static"):
		return f[0] + " " + f[1]
	}
	return f[0]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// causeSummary groups the cited causes by what they change.
func causeSummary(findings []policy.Finding) string {
	type group struct {
		devices map[string]bool
		n       int
	}
	groups := map[string]*group{}
	var order []string
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Severity != policy.Block && len(findings) > 0 && findings[0].Severity == policy.Block {
			continue
		}
		for _, c := range f.Causes {
			if seen[c.Device+c.Path] {
				continue
			}
			seen[c.Device+c.Path] = true
			kind := objectKind(c.Object)
			k := fmt.Sprintf("%s %s: %s → %s", kind, c.Leaf, orDash(c.Before), orDash(c.After))
			if c.Op != "change" {
				k = fmt.Sprintf("%s %s", c.Object, map[string]string{"add": "added", "delete": "removed"}[c.Op])
			}
			if groups[k] == nil {
				groups[k] = &group{devices: map[string]bool{}}
				order = append(order, k)
			}
			groups[k].devices[c.Device] = true
			groups[k].n++
		}
	}
	if len(order) == 0 {
		return ""
	}
	sort.SliceStable(order, func(i, j int) bool { return groups[order[i]].n > groups[order[j]].n })
	var parts []string
	for i, k := range order {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d other kinds of change", len(order)-3))
			break
		}
		g := groups[k]
		parts = append(parts, fmt.Sprintf("%s (%s on %s)", k, plural(g.n, "item", "items"), plural(len(g.devices), "device", "devices")))
	}
	return "Caused by: " + strings.Join(parts, "; ") + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func unmodelled(after *sim.Result, cs *change.ChangeSet) []Unmodelled {
	out := []Unmodelled{}
	for _, u := range after.Net.Unmodelled {
		ch := false
		for _, it := range cs.Items {
			if it.Device == u.Device && (it.Path == u.Path || strings.HasPrefix(it.Path, u.Path+"/") || strings.HasPrefix(u.Path, it.Path+"/")) {
				ch = true
				break
			}
		}
		out = append(out, Unmodelled{Unmodelled: u, Changed: ch})
	}
	return out
}

func topology(before, after *sim.Result, cs *change.ChangeSet, findings []policy.Finding) Topology {
	t := Topology{Devices: []TopoDevice{}, Links: []TopoLink{}, Anycast: []TopoAnycast{}, External: []TopoPeer{}}
	changed := map[string]bool{}
	for _, d := range cs.Devices {
		changed[d] = true
	}
	for _, d := range after.Net.Devices {
		t.Devices = append(t.Devices, TopoDevice{Name: d.Name, Site: d.Site, Role: d.Role, Changed: changed[d.Name]})
	}
	upB := map[string]bool{}
	for _, l := range before.Links {
		upB[l.Key()] = l.Up
	}
	for _, l := range after.Links {
		t.Links = append(t.Links, TopoLink{A: l.A, B: l.B, AIface: l.AIface, BIface: l.BIface, Backbone: l.Backbone,
			Before: upB[l.Key()], After: l.Up})
	}
	annB := map[string]bool{}
	for _, a := range before.Anycast {
		annB[a.Device+a.Neighbor.String()] = a.Announcing
	}
	for _, a := range after.Anycast {
		ta := TopoAnycast{Service: a.Service, Site: a.Site, Device: a.Device, Before: annB[a.Device+a.Neighbor.String()], After: a.Announcing}
		if !a.Announcing {
			ta.Reason = a.Reason
		}
		t.Anycast = append(t.Anycast, ta)
	}
	// External peers and the critical prefixes they stop receiving.
	var critical []netip.Prefix
	for _, f := range findings {
		if f.Kind == policy.KindCriticalPrefixes {
			for _, o := range f.Objects {
				if p, err := netip.ParsePrefix(strings.TrimPrefix(o, "prefix ")); err == nil {
					critical = append(critical, p)
				}
			}
		}
	}
	lost := map[string][]string{}
	seen := map[netip.Prefix]bool{} // two invariants may name the same prefix
	for _, p := range critical {
		if seen[p] {
			continue
		}
		seen[p] = true
		advA := map[string]bool{}
		for _, a := range after.AdvertisedPrefix(p) {
			advA[a.Key()] = true
		}
		for _, a := range before.AdvertisedPrefix(p) {
			if !advA[a.Key()] {
				lost[a.Device+"|"+a.Neighbor.String()] = append(lost[a.Device+"|"+a.Neighbor.String()], p.String())
			}
		}
	}
	for _, s := range after.Sessions {
		if !s.External || strings.HasPrefix(s.Role, "anycast:") || s.Role == "ebgp" {
			continue
		}
		t.External = append(t.External, TopoPeer{Name: s.Peer, Device: s.Device, Role: s.Role,
			Lost: lost[s.Device+"|"+s.Neighbor.String()], Up: s.Established})
	}
	return t
}
