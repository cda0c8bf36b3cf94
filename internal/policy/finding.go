package policy

import "github.com/backstop-net/backstop/internal/change"

// Finding is one broken invariant: what, how badly, the evidence, and the
// changed lines that cause it.
type Finding struct {
	Invariant string        `json:"invariant"`
	Kind      string        `json:"kind"`
	Severity  Severity      `json:"severity"`
	Summary   string        `json:"summary"` // one plain sentence
	Objects   []string      `json:"objects"` // e.g. "prefix 129.134.30.0/23", "site ams", "session edge1.ams→203.0.113.1"
	Before    string        `json:"before"`
	After     string        `json:"after"`
	Evidence  []string      `json:"evidence,omitempty"` // how the simulator got there
	Causes    []change.Item `json:"causes"`
	// Baseline: the running network already breaks the invariant; the
	// finding is not caused by the change (a warning).
	Baseline bool `json:"baseline,omitempty"`
}

// Check is one invariant evaluated on one object, passed or not; reports that
// list every test (JUnit) are built from Checks.
type Check struct {
	Invariant string   `json:"invariant"`
	Kind      string   `json:"kind"`
	Object    string   `json:"object"`
	Passed    bool     `json:"passed"`
	Severity  Severity `json:"severity,omitempty"` // of the finding when not passed
	Message   string   `json:"message,omitempty"`
}
