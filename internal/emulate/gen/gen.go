// Package gen generates small random backbones directly in the network model
// for the conformance tests.
package gen

import "github.com/backstop-net/backstop/models/network"

// Network returns the generated network for a seed.
func Network(seed uint64) *network.Network { return nil }
