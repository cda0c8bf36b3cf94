//go:build mutants

package sim

import "os"

// mutant is read from BACKSTOP_MUTANT in builds with -tags mutants only
// (make conformance-mutants); see Mutants for the list.
var mutant = os.Getenv("BACKSTOP_MUTANT")
