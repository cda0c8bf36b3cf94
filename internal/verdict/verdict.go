// Package verdict turns findings into the one answer a pipeline branches on:
// PASS, WARN or BLOCK, with its exit code, and gathers everything a report
// shows into a single, deterministic Report.
//
// Stage: after policy, before report. Input: the change, both simulation
// results and the findings. Output: a Report.
package verdict

import (
	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/models/network"
)

// SchemaVersion of the JSON report (docs/verdict-schema.json).
const SchemaVersion = "1"

// Verdict is the overall answer.
type Verdict string

const (
	Pass  Verdict = "PASS"
	Warn  Verdict = "WARN"
	Block Verdict = "BLOCK"
)

// Exit codes (DESIGN.md).
const (
	ExitPass     = 0
	ExitInternal = 1
	ExitBlock    = 3
	ExitBadInput = 4
	ExitAccess   = 5
)

// Report is everything a report format may show.
type Report struct {
	SchemaVersion string           `json:"schema_version"`
	Backstop      string           `json:"backstop_version"`
	Verdict       Verdict          `json:"verdict"`
	ExitCode      int              `json:"exit_code"`
	FailOn        string           `json:"fail_on"`  // block or warn
	Headline      string           `json:"headline"` // the one line a human reads first
	Summary       Summary          `json:"summary"`
	Story         []string         `json:"story"` // the cascade in plain words
	Findings      []policy.Finding `json:"findings"`
	Checks        []policy.Check   `json:"checks"`
	Diff          []change.Item    `json:"diff"`
	Unmodelled    []Unmodelled     `json:"unmodelled"`
	Notes         []string         `json:"notes,omitempty"` // simulator notes (non-convergence...)
	Inputs        Inputs           `json:"inputs"`
	Topology      Topology         `json:"topology"`
}

// Summary counts.
type Summary struct {
	DevicesChanged int `json:"devices_changed"`
	LeavesChanged  int `json:"leaves_changed"`
	Block          int `json:"block"`
	Warn           int `json:"warn"`
	ChecksRun      int `json:"checks_run"`
}

// Unmodelled is config outside the simulator's subset, and whether the change touches it.
type Unmodelled struct {
	network.Unmodelled
	Changed bool `json:"changed"`
}

// Inputs identify what was checked.
type Inputs struct {
	Running         string `json:"running"`
	Candidate       string `json:"candidate"`
	Policy          string `json:"policy"`
	RunningDigest   string `json:"running_digest"`
	CandidateDigest string `json:"candidate_digest"`
	PolicyDigest    string `json:"policy_digest"`
}

// Topology is the network drawn before and after, for the HTML report.
type Topology struct {
	Devices  []TopoDevice  `json:"devices"`
	Links    []TopoLink    `json:"links"`
	Anycast  []TopoAnycast `json:"anycast"`
	External []TopoPeer    `json:"external"`
}

// TopoDevice is a router.
type TopoDevice struct {
	Name    string `json:"name"`
	Site    string `json:"site"`
	Role    string `json:"role"`
	Changed bool   `json:"changed"`
}

// TopoLink is a link and its state before and after.
type TopoLink struct {
	A        string `json:"a"`
	B        string `json:"b"`
	AIface   string `json:"a_interface"`
	BIface   string `json:"b_interface"`
	Backbone bool   `json:"backbone"`
	Before   bool   `json:"up_before"`
	After    bool   `json:"up_after"`
}

// TopoAnycast is an anycast site's health before and after.
type TopoAnycast struct {
	Service string `json:"service"`
	Site    string `json:"site"`
	Device  string `json:"device"`
	Before  bool   `json:"announcing_before"`
	After   bool   `json:"announcing_after"`
	Reason  string `json:"reason,omitempty"`
}

// TopoPeer is an external peer and the critical prefixes it stops receiving.
type TopoPeer struct {
	Name   string   `json:"name"`
	Device string   `json:"device"`
	Role   string   `json:"role"`
	Lost   []string `json:"lost_prefixes,omitempty"`
	Up     bool     `json:"session_up_after"`
}

func badf(format string, args ...any) error { return fault.Badf(format, args...) }
