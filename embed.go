// Package backstop carries the files the binary ships with: the default policy
// and the demo backbone with its scenarios, so `backstop demo` and `backstop
// check` work from any directory.
package backstop

import "embed"

// DefaultPolicy is policies/default.yaml.
//
//go:embed policies/default.yaml
var DefaultPolicy []byte

// Demo holds testdata/backbone and testdata/scenarios.
//
//go:embed testdata/backbone testdata/scenarios
var Demo embed.FS
