package report

import (
	"encoding/json"
	"io"
	"slices"

	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// writeJSON encodes r with two-space indentation, documented by
// docs/verdict-schema.json. encoding/json writes struct fields in declaration
// order and the Report holds no maps, so the same Report gives the same bytes.
// HTML escaping is off because the JSON is read by programs and people, not
// embedded in a page ("→" and "<" stay as they are).
func writeJSON(w io.Writer, r *verdict.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(normalized(r))
}

// normalized returns a shallow copy of r whose list fields are never null, so
// consumers (and the schema) can rely on arrays. r itself is not modified.
func normalized(r *verdict.Report) *verdict.Report {
	c := *r
	c.Story = nonNil(c.Story)
	c.Checks = nonNil(c.Checks)
	c.Diff = nonNil(c.Diff)
	c.Unmodelled = nonNil(c.Unmodelled)
	c.Findings = make([]policy.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Objects = nonNil(f.Objects)
		f.Causes = nonNil(f.Causes)
		c.Findings[i] = f
	}
	t := &c.Topology
	t.Devices = nonNil(t.Devices)
	t.Links = nonNil(t.Links)
	t.Anycast = nonNil(t.Anycast)
	t.External = nonNil(t.External)
	return &c
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clip(s)
}
