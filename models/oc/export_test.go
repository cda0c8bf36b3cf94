package oc

// LoadYgot exposes the reference path to the external tests that need the
// generator (internal/testnet imports this package).
var LoadYgot = loadYgot

// SameLoad reports how two loads of one input differ ("" when they do not).
var SameLoad = sameLoad
