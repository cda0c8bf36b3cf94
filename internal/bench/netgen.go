package bench

import (
	"fmt"
	"path/filepath"

	"github.com/backstop-net/backstop/internal/netgen"
)

// NetgenGenerator writes the benchmark's input with internal/netgen, the
// generator `backstop gen` and the conformance runs use: a backbone of the
// requested size and, as the candidate, every inter-site backbone link
// drained (the 2021 change).
var NetgenGenerator Generator = netgenGenerator{seed: 1, change: "drain-all"}

type netgenGenerator struct {
	seed   uint64
	change string
}

func (g netgenGenerator) Generate(dir string, routers int) (Generated, error) {
	_, changed, err := netgen.Write(dir, netgen.Options{Style: netgen.Backbone, Seed: g.seed, Routers: routers}, g.change)
	if err != nil {
		return Generated{}, fmt.Errorf("netgen: %w", err)
	}
	return Generated{
		Running:   dir,
		Candidate: filepath.Join(dir, "candidate"),
		Change:    fmt.Sprintf("%s (%d routers changed)", g.change, len(changed)),
		Generator: fmt.Sprintf("internal/netgen backbone, seed %d (backstop gen --routers %d --seed %d --change %s)", g.seed, routers, g.seed, g.change),
	}, nil
}
