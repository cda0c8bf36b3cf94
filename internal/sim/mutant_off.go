//go:build !mutants

package sim

// mutant names a deliberately injected simulator bug, for measuring whether
// conformance catches bugs (make conformance-mutants). In a normal build it
// is the empty constant and every mutation point compiles away.
const mutant = ""
