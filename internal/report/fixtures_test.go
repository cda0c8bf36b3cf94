package report

import (
	"fmt"
	"sort"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
	"github.com/backstop-net/backstop/models/network"
)

// The synthetic Reports the report tests render. They are built here, in Go,
// because the stages that fill a Report are developed alongside this package;
// -update writes them to testdata/fixtures/*.json, which the tests then load,
// so a fixture can also be edited by hand or replaced by a real run later.
var fixtureBuilders = map[string]func() *verdict.Report{
	"block-2021":          block2021,
	"warn-drain-one-link": warnDrainOneLink,
	"pass-cosmetic":       passCosmetic,
}

var (
	bbSites  = []string{"ams", "fra", "iad", "lhr", "sin", "sjc"}
	dnsSites = []string{"ams", "fra", "iad", "sin"}
	transit  = []verdict.TopoPeer{
		{Name: "lumen-ams", Device: "edge1.ams", Role: "transit", Up: true},
		{Name: "cogent-ams", Device: "edge1.ams", Role: "transit", Up: true},
		{Name: "lumen-fra", Device: "edge1.fra", Role: "transit", Up: true},
		{Name: "transita-fra", Device: "edge1.fra", Role: "transit", Up: true},
		{Name: "cogent-iad", Device: "edge1.iad", Role: "transit", Up: true},
		{Name: "transitb-iad", Device: "edge1.iad", Role: "transit", Up: true},
		{Name: "transita-sin", Device: "edge1.sin", Role: "transit", Up: true},
	}
)

const dnsPrefix = "129.134.30.0/23"

// backbone is the synthetic network: two backbone routers per site on a ring
// with cross-links, a DNS edge router at four sites, two data centres.
func backbone(changed map[string]bool) verdict.Topology {
	t := verdict.Topology{}
	add := func(name, site, role string) {
		t.Devices = append(t.Devices, verdict.TopoDevice{Name: name, Site: site, Role: role, Changed: changed[name]})
	}
	for _, s := range bbSites {
		add("bb1."+s, s, "backbone")
		add("bb2."+s, s, "backbone")
	}
	for _, s := range dnsSites {
		add("edge1."+s, s, "edge")
	}
	add("dc1.prn", "prn", "dc")
	add("dc1.lla", "lla", "dc")
	ifn := map[string]int{}
	link := func(a, b string, bb bool) {
		ai, bi := ifn[a], ifn[b]
		ifn[a]++
		ifn[b]++
		t.Links = append(t.Links, verdict.TopoLink{A: a, B: b, AIface: fmt.Sprintf("et-0/0/%d", ai),
			BIface: fmt.Sprintf("et-0/0/%d", bi), Backbone: bb, Before: true, After: true})
	}
	for _, s := range bbSites {
		link("bb1."+s, "bb2."+s, true)
	}
	ring := []string{"ams", "fra", "sin", "sjc", "iad", "lhr"}
	for i, s := range ring {
		n := ring[(i+1)%len(ring)]
		link("bb1."+s, "bb1."+n, true)
		link("bb2."+s, "bb2."+n, true)
	}
	link("bb1.ams", "bb1.iad", true)
	link("bb2.fra", "bb2.sjc", true)
	for _, s := range dnsSites {
		link("bb1."+s, "edge1."+s, false)
		link("bb2."+s, "edge1."+s, false)
	}
	link("bb1.sjc", "dc1.prn", false)
	link("bb2.sjc", "dc1.prn", false)
	link("bb1.iad", "dc1.lla", false)
	link("bb2.iad", "dc1.lla", false)
	sort.Slice(t.Links, func(i, j int) bool {
		if t.Links[i].A != t.Links[j].A {
			return t.Links[i].A < t.Links[j].A
		}
		return t.Links[i].B < t.Links[j].B
	})
	for _, s := range dnsSites {
		t.Anycast = append(t.Anycast, verdict.TopoAnycast{Service: "dns", Site: s, Device: "edge1." + s, Before: true, After: true})
	}
	t.External = append(t.External, transit...)
	t.External = append(t.External, verdict.TopoPeer{Name: "linx-lhr", Device: "bb1.lhr", Role: "ix", Up: true})
	return t
}

func interfaceItem(dev string, i int, file string, line int) change.Item {
	ifc := fmt.Sprintf("et-0/0/%d", i)
	return change.Item{Device: dev, Path: "/interfaces/interface[name=" + ifc + "]/config/enabled",
		Object: "interface " + ifc, Leaf: "enabled", Before: "true", After: "false", Op: "change", File: file, Line: line}
}

func isisItem(dev string, i int, file string, line int) change.Item {
	ifc := fmt.Sprintf("et-0/0/%d", i)
	return change.Item{Device: dev,
		Path:   "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=ISIS]/isis/interfaces/interface[interface-id=" + ifc + "]/config/enabled",
		Object: "isis interface " + ifc, Leaf: "enabled", Before: "true", After: "false", Op: "change", File: file, Line: line}
}

// block2021 is the October 2021 shape: a "capacity assessment" command
// disables every backbone interface; the DNS sites lose the data centres,
// withdraw the anycast prefix as designed, and DNS leaves the Internet.
func block2021() *verdict.Report {
	var diff []change.Item
	changed := map[string]bool{}
	var devs []string
	for _, s := range bbSites {
		devs = append(devs, "bb1."+s, "bb2."+s)
	}
	sort.Strings(devs)
	for _, d := range devs {
		changed[d] = true
		file := "changes/drain-2021/candidate/" + d + ".json"
		for i := 0; i < 4; i++ {
			diff = append(diff, interfaceItem(d, i, file, 12+34*i))
		}
		for i := 0; i < 4; i++ {
			diff = append(diff, isisItem(d, i, file, 402+21*i))
		}
	}
	qos := change.Item{Device: "bb1.ams", Path: "/qos/interfaces/interface[interface-id=et-0/0/0]/output/scheduler-policy/config/name",
		Object: "qos interface et-0/0/0", Leaf: "scheduler-policy", Before: "BACKBONE-SP", After: "DRAIN-SP", Op: "change",
		File: "changes/drain-2021/candidate/bb1.ams.json", Line: 690}
	diff = append(diff, qos)
	sort.SliceStable(diff, func(i, j int) bool {
		if diff[i].Device != diff[j].Device {
			return diff[i].Device < diff[j].Device
		}
		return diff[i].Path < diff[j].Path
	})
	causes := make([]change.Item, 0, len(diff))
	for _, it := range diff {
		if it != qos {
			causes = append(causes, it)
		}
	}

	t := backbone(changed)
	lostLinks := 0
	var linkObjs []string
	for i := range t.Links {
		l := &t.Links[i]
		if changed[l.A] || changed[l.B] {
			l.After = false
			lostLinks++
			if l.Backbone {
				linkObjs = append(linkObjs, fmt.Sprintf("link %s %s — %s %s", l.A, l.AIface, l.B, l.BIface))
			}
		}
	}
	var evidence []string
	var siteObjs []string
	for i := range t.Anycast {
		a := &t.Anycast[i]
		a.After = false
		a.Reason = fmt.Sprintf("%s reaches none of the health prefixes: %s forwards 10.200.0.0 to its transit default route: it leaves the network", a.Device, a.Device)
		siteObjs = append(siteObjs, "dns site "+a.Site)
		evidence = append(evidence, fmt.Sprintf("site %s (%s) withdraws %s: %s", a.Site, a.Device, dnsPrefix, a.Reason))
	}
	var peerObjs, peerEv []string
	for i := range t.External {
		p := &t.External[i]
		if p.Role == "transit" {
			p.Lost = []string{dnsPrefix}
			peerObjs = append(peerObjs, fmt.Sprintf("peer %s (%s)", p.Name, p.Device))
			peerEv = append(peerEv, fmt.Sprintf("%s no longer sends %s to %s: %s has no route to it any more", p.Device, dnsPrefix, p.Name, p.Device))
		}
	}
	bbTotal := len(linkObjs)
	findings := []policy.Finding{
		{Invariant: "dns-anycast", Kind: policy.KindAnycast, Severity: policy.Block,
			Summary: fmt.Sprintf("All 4 dns anycast sites (ams, fra, iad, sin) lose their path to the data centres and withdraw %s, exactly as designed; nothing announces it any more.", dnsPrefix),
			Objects: siteObjs, Before: "4 sites announcing; prefix seen by 7 external sessions",
			After:    "0 sites announcing; prefix seen by 0 external sessions (policy: at least 2 sites)",
			Evidence: evidence, Causes: causes},
		{Invariant: "critical-prefixes-to-transit", Kind: policy.KindCriticalPrefixes, Severity: policy.Block,
			Summary: dnsPrefix + " is no longer announced to any transit peer: the Internet loses every route to it.",
			Objects: append([]string{"prefix " + dnsPrefix}, peerObjs...),
			Before:  "announced on 7 sessions at 4 sites", After: "announced on 0 sessions at 0 sites (policy: at least 2 sessions at 2 sites)",
			Evidence: peerEv, Causes: causes},
		{Invariant: "blast-radius", Kind: policy.KindBlastRadius, Severity: policy.Block,
			Summary: fmt.Sprintf("The change takes down every backbone link (%d of %d).", bbTotal, bbTotal),
			Objects: linkObjs, Before: fmt.Sprintf("%d of %d backbone links up", bbTotal, bbTotal),
			After: fmt.Sprintf("0 of %d backbone links up (policy: at most 10%% lost)", bbTotal), Causes: causes},
		{Invariant: "bgp-sessions", Kind: policy.KindBGPSessions, Severity: policy.Warn,
			Summary: "The change takes down 37 BGP sessions (at most 8 allowed).",
			Objects: []string{"session bb1.ams → bb1.fra (10.0.0.3)", "session bb1.ams → bb1.iad (10.0.0.7)", "session bb1.fra → edge1.fra (10.0.0.32)"},
			Before:  "212 sessions established", After: "175 sessions established", Causes: causes[:16]},
		{Invariant: "unmodelled-config", Kind: policy.KindUnmodelled, Severity: policy.Warn,
			Summary: "The change touches QoS configuration on bb1.ams, which backstop does not simulate.",
			Objects: []string{"bb1.ams " + qos.Path}, Before: qos.Before, After: qos.After, Causes: []change.Item{qos}},
	}
	checks := []policy.Check{
		{Invariant: "simulation-converges", Kind: policy.KindConvergence, Object: "running", Passed: true},
		{Invariant: "simulation-converges", Kind: policy.KindConvergence, Object: "candidate", Passed: true},
	}
	for _, o := range siteObjs {
		checks = append(checks, policy.Check{Invariant: "dns-anycast", Kind: policy.KindAnycast, Object: o, Severity: policy.Block, Message: findings[0].Summary})
	}
	checks = append(checks,
		policy.Check{Invariant: "critical-prefixes-to-transit", Kind: policy.KindCriticalPrefixes, Object: "prefix " + dnsPrefix, Severity: policy.Block, Message: findings[1].Summary},
		policy.Check{Invariant: "critical-prefixes-to-transit", Kind: policy.KindCriticalPrefixes, Object: "prefix 157.240.0.0/16", Passed: true},
		policy.Check{Invariant: "blast-radius", Kind: policy.KindBlastRadius, Object: "backbone links", Severity: policy.Block, Message: findings[2].Summary},
		policy.Check{Invariant: "blast-radius", Kind: policy.KindBlastRadius, Object: "devices", Passed: true},
		policy.Check{Invariant: "bgp-sessions", Kind: policy.KindBGPSessions, Object: "all sessions", Severity: policy.Warn, Message: findings[3].Summary},
		policy.Check{Invariant: "dc-reachability", Kind: policy.KindReachability, Object: "dc1.prn → 10.201.0.0/16", Passed: true},
		policy.Check{Invariant: "unmodelled-config", Kind: policy.KindUnmodelled, Object: "bb1.ams " + qos.Path, Severity: policy.Warn, Message: findings[4].Summary},
	)
	r := &verdict.Report{
		SchemaVersion: verdict.SchemaVersion, Backstop: "test", Verdict: verdict.Block, ExitCode: verdict.ExitBlock, FailOn: "block",
		Headline: "BLOCK: " + findings[0].Summary + " " + dnsPrefix + " disappears from every external peer: dns is unreachable from the Internet.",
		Story: []string{
			fmt.Sprintf("The change modifies %d leaves on %d devices.", len(diff), len(devs)),
			fmt.Sprintf("%d links go down, among them every backbone link (%d of %d): the backbone is cut into isolated routers.", lostLinks, bbTotal, bbTotal),
			fmt.Sprintf("IS-IS loses %d of %d adjacencies.", lostLinks, lostLinks),
			"37 BGP sessions stop being established.",
			findings[0].Summary,
			findings[1].Summary,
			"For example, " + evidence[0] + ".",
			fmt.Sprintf("Caused by: \"enabled true → false\" on %d items across %d devices.", len(causes), len(devs)),
		},
		Findings: findings, Checks: checks, Diff: diff,
		Unmodelled: []verdict.Unmodelled{
			{Unmodelled: network.Unmodelled{Device: "bb1.ams", Path: qos.Path, Reason: "QoS is not simulated"}, Changed: true},
			{Unmodelled: network.Unmodelled{Device: "edge1.fra", Path: "/acl/acl-sets/acl-set[name=TRANSIT-IN-V4][type=ACL_IPV4]", Reason: "ACLs (packet filters) are not simulated"}},
			{Unmodelled: network.Unmodelled{Device: "edge1.iad", Path: "/system/ntp", Reason: "system services are not simulated"}},
		},
		Inputs: verdict.Inputs{Running: "snap/", Candidate: "changes/drain-2021/candidate", Policy: "policies/default.yaml",
			RunningDigest: "1c8968ca8967d078", CandidateDigest: "cd33058c1dbdcf78", PolicyDigest: "51c07419401a50dd"},
		Topology: t,
	}
	fillSummary(r)
	return r
}

// warnDrainOneLink is a planned drain of one backbone link: everything holds,
// but two iBGP sessions drop, which the policy only warns about.
func warnDrainOneLink() *verdict.Report {
	file := "changes/drain-ams-fra/candidate/"
	diff := []change.Item{
		{Device: "bb1.ams", Path: "/interfaces/interface[name=et-0/0/1]/config/description", Object: "interface et-0/0/1",
			Leaf: "description", Before: "bb1.fra et-0/0/1", After: "DRAINED CHG-4711 bb1.fra", Op: "change", File: file + "bb1.ams.json", Line: 48},
		interfaceItem("bb1.ams", 1, file+"bb1.ams.json", 51),
		interfaceItem("bb1.fra", 1, file+"bb1.fra.json", 51),
	}
	t := backbone(map[string]bool{"bb1.ams": true, "bb1.fra": true})
	for i := range t.Links {
		if l := &t.Links[i]; l.A == "bb1.ams" && l.B == "bb1.fra" {
			l.After = false
		}
	}
	f := policy.Finding{Invariant: "bgp-sessions", Kind: policy.KindBGPSessions, Severity: policy.Warn,
		Summary: "The change takes down 2 BGP sessions, fewer than the 8 allowed, but one of them is listed as critical.",
		Objects: []string{"session bb1.ams → bb1.fra (10.0.0.3)", "session bb1.fra → bb1.ams (10.0.0.1)"},
		Before:  "212 sessions established", After: "210 sessions established",
		Evidence: []string{"bb1.ams and bb1.fra peer over their direct link's addresses (10.0.0.1, 10.0.0.3), not loopbacks: the session cannot reroute"},
		Causes:   diff[1:]}
	r := &verdict.Report{
		SchemaVersion: verdict.SchemaVersion, Backstop: "test", Verdict: verdict.Warn, ExitCode: verdict.ExitPass, FailOn: "block",
		Headline: "WARN: " + f.Summary,
		Story: []string{"The change modifies 3 leaves on 2 devices.", "1 links go down, 1 of 20 backbone links.",
			"IS-IS loses 1 of 36 adjacencies.", "2 BGP sessions stop being established.",
			"Caused by: \"enabled true → false\" on 2 items across 2 devices."},
		Findings: []policy.Finding{f},
		Checks: []policy.Check{
			{Invariant: "simulation-converges", Kind: policy.KindConvergence, Object: "running", Passed: true},
			{Invariant: "simulation-converges", Kind: policy.KindConvergence, Object: "candidate", Passed: true},
			{Invariant: "dns-anycast", Kind: policy.KindAnycast, Object: "service dns", Passed: true},
			{Invariant: "critical-prefixes-to-transit", Kind: policy.KindCriticalPrefixes, Object: "prefix " + dnsPrefix, Passed: true},
			{Invariant: "blast-radius", Kind: policy.KindBlastRadius, Object: "backbone links", Passed: true},
			{Invariant: "bgp-sessions", Kind: policy.KindBGPSessions, Object: "session bb1.ams → bb1.fra (10.0.0.3)", Severity: policy.Warn, Message: f.Summary},
		},
		Diff:       diff,
		Unmodelled: []verdict.Unmodelled{},
		Notes:      []string{"candidate: BGP reached a fixed point after 3 rounds"},
		Inputs: verdict.Inputs{Running: "snap/", Candidate: "changes/drain-ams-fra/candidate", Policy: "policies/default.yaml",
			RunningDigest: "1c8968ca8967d078", CandidateDigest: "77aa01b2c3d4e5f6", PolicyDigest: "51c07419401a50dd"},
		Topology: t,
	}
	fillSummary(r)
	return r
}

// passCosmetic changes one interface description: nothing routes differently.
func passCosmetic() *verdict.Report {
	diff := []change.Item{{Device: "edge1.sin", Path: "/interfaces/interface[name=et-0/0/2]/config/description",
		Object: "interface et-0/0/2", Leaf: "description", Before: "transita-sin", After: "Transit A Singapore (circuit SG-7731)", Op: "change"}}
	r := &verdict.Report{
		SchemaVersion: verdict.SchemaVersion, Backstop: "test", Verdict: verdict.Pass, ExitCode: verdict.ExitPass, FailOn: "block",
		Headline: "PASS: no invariant is broken (5 checks).",
		Story:    []string{"The change modifies 1 leaves on 1 devices."},
		Findings: []policy.Finding{},
		Checks: []policy.Check{
			{Invariant: "simulation-converges", Kind: policy.KindConvergence, Object: "running", Passed: true},
			{Invariant: "simulation-converges", Kind: policy.KindConvergence, Object: "candidate", Passed: true},
			{Invariant: "dns-anycast", Kind: policy.KindAnycast, Object: "service dns", Passed: true},
			{Invariant: "critical-prefixes-to-transit", Kind: policy.KindCriticalPrefixes, Object: "prefix " + dnsPrefix, Passed: true},
			{Invariant: "blast-radius", Kind: policy.KindBlastRadius, Object: "backbone links", Passed: true},
		},
		Diff:       diff,
		Unmodelled: []verdict.Unmodelled{},
		Inputs: verdict.Inputs{Running: "snap/", Candidate: "changes/cosmetic/candidate", Policy: "policies/default.yaml",
			RunningDigest: "1c8968ca8967d078", CandidateDigest: "0f1e2d3c4b5a6978", PolicyDigest: "51c07419401a50dd"},
		Topology: backbone(map[string]bool{"edge1.sin": true}),
	}
	fillSummary(r)
	return r
}

func fillSummary(r *verdict.Report) {
	devs := map[string]bool{}
	for _, it := range r.Diff {
		devs[it.Device] = true
	}
	r.Summary = verdict.Summary{DevicesChanged: len(devs), LeavesChanged: len(r.Diff), ChecksRun: len(r.Checks)}
	for _, f := range r.Findings {
		if f.Severity == policy.Block {
			r.Summary.Block++
		} else {
			r.Summary.Warn++
		}
	}
}
