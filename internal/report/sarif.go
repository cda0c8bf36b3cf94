package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// SARIF 2.1.0 mapping: one rule per invariant kind (the rule is the kind of
// promise a change must keep; the invariant's own name and objects go in the
// result), one result per finding, level error for block and warning for
// warn. A result's locations are its causing diff items: the candidate file
// and line when the candidate came from files (so code scanning annotates the
// changed line), otherwise a logical location "device:path". Only the first
// maxCauses causes are listed; the JSON report has them all.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifText    `json:"shortDescription"`
	FullDescription      sarifText    `json:"fullDescription"`
	DefaultConfiguration sarifRuleCfg `json:"defaultConfiguration"`
}

type sarifRuleCfg struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
	ExitCode            int  `json:"exitCode"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// kindDescriptions are the rule texts for the invariant kinds DESIGN.md names.
var kindDescriptions = map[string][2]string{
	policy.KindCriticalPrefixes: {"Critical prefixes stay announced to external peers",
		"Prefixes named by the policy must stay announced to external peers of the given roles (e.g. transit) from enough sites and sessions; a newly withdrawn one is a finding."},
	policy.KindAnycast: {"Anycast services keep enough healthy sites",
		"Each anycast service keeps at least the policy's number of healthy announcing sites, and its prefix stays visible outside the network."},
	"reachability": {"Device groups keep reaching prefix sets",
		"Forwarding from the policy's device group still reaches the policy's prefix set after the change."},
	"bgp_sessions": {"Critical BGP sessions stay established",
		"Critical BGP sessions stay established and no more than the allowed number of sessions is lost."},
	"blast_radius": {"The change stays within its blast radius",
		"One change touches at most the allowed share of backbone links and number of devices."},
	"resilience": {"Invariants survive any single failure",
		"The other invariants still hold under any single link (or node) failure after the change."},
	"unmodelled": {"Changed configuration is within what the simulator models",
		"The change touches configuration that the simulator does not model; the policy decides how much that matters."},
	"convergence": {"The simulation converges",
		"Routing reaches a fixed point before and after the change; without one, backstop cannot vouch for the change."},
}

func writeSARIF(w io.Writer, r *verdict.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifDoc(r))
}

func sarifDoc(r *verdict.Report) sarifLog {
	ks := kinds(r)
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(ks))
	for i, k := range ks {
		index[k] = i
		d, ok := kindDescriptions[k]
		if !ok {
			d = [2]string{"Invariant " + k, "Invariants of kind " + k + " from the backstop policy."}
		}
		rules = append(rules, sarifRule{ID: k, Name: ruleName(k), ShortDescription: sarifText{d[0]},
			FullDescription: sarifText{d[1]}, DefaultConfiguration: sarifRuleCfg{Level: "error"}})
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		k := kindOf(f.Kind)
		level := "warning"
		if f.Severity == policy.Block {
			level = "error"
		}
		msg := f.Summary
		if f.Before != "" || f.After != "" {
			msg += fmt.Sprintf(" Before: %s. After: %s.", orDash(f.Before), orDash(f.After))
		}
		props := map[string]any{"invariant": f.Invariant, "severity": string(f.Severity), "objects": nonNil(f.Objects)}
		if len(f.Evidence) > 0 {
			props["evidence"] = f.Evidence
		}
		results = append(results, sarifResult{RuleID: k, RuleIndex: index[k], Level: level,
			Message:             sarifText{msg},
			Locations:           sarifLocations(f.Causes),
			PartialFingerprints: map[string]string{"backstopFinding/v1": fingerprint(f)},
			Properties:          props})
	}
	return sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{Name: "backstop", Version: r.Backstop,
				InformationURI: "https://github.com/backstop-net/backstop", Rules: rules}},
			// The analysis ran to a verdict; a BLOCK is a result, not a failed run.
			Invocations: []sarifInvocation{{ExecutionSuccessful: true, ExitCode: r.ExitCode}},
			Results:     results,
			Properties: map[string]any{"verdict": verdictName(r), "headline": r.Headline,
				"running_digest": r.Inputs.RunningDigest, "candidate_digest": r.Inputs.CandidateDigest,
				"policy_digest": r.Inputs.PolicyDigest},
		}},
	}
}

func sarifLocations(causes []change.Item) []sarifLocation {
	var locs []sarifLocation
	for i, c := range causes {
		if i == maxCauses {
			break
		}
		loc := sarifLocation{
			LogicalLocations: []sarifLogical{{Name: c.Object, FullyQualifiedName: c.Device + ":" + c.Path, Kind: "resource"}},
			Message:          &sarifText{c.Device + "  " + c.Object + "  " + itemChange(c)},
		}
		if c.File != "" {
			loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(c.File)}}
			if c.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: c.Line}
			}
		}
		locs = append(locs, loc)
	}
	return locs
}

// fileURI makes a candidate file name a URI reference: relative paths stay
// relative (code scanning resolves them against the repository root), with
// forward slashes and percent-escaping.
func fileURI(name string) string {
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: path.Clean(p)}).String()
}

// fingerprint identifies a finding across runs (invariant and objects), so
// code scanning tracks one alert instead of opening a new one per push.
func fingerprint(f policy.Finding) string {
	objs := append([]string(nil), f.Objects...)
	sort.Strings(objs)
	h := sha256.Sum256([]byte(f.Invariant + "\x00" + strings.Join(objs, "\x00")))
	return hex.EncodeToString(h[:16])
}

// ruleName is the kind in PascalCase, SARIF's convention for rule names.
func ruleName(k string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '-' || r == ' ' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
