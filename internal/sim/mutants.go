package sim

// Mutants are the injected bugs `make conformance-mutants` builds the
// simulator with (-tags mutants, BACKSTOP_MUTANT=<name>), one at a time, to
// show that the conformance run catches each: a method that lets one of
// these through cannot vouch for the simulator.
var Mutants = []string{
	"igp-cost-reversed",     // the IGP-cost tie-break prefers the higher cost
	"local-pref-ignored",    // the local-pref step is skipped
	"as-path-ignored",       // the AS-path length step is skipped
	"med-across-as",         // MED compared between paths from different ASes
	"ebgp-ibgp-swapped",     // iBGP preferred over eBGP
	"cluster-loop-off",      // RFC 4456 cluster-list loop check off
	"next-hop-self-ignored", // set-next-hop SELF does nothing
	"isis-metric-plus-one",  // every IS-IS link metric off by one
	"prefix-set-ignored",    // match-prefix-set conditions always match
	"health-always",         // the anycast health walk always healthy
}
