package testnet

import (
	"encoding/json"
	"fmt"

	"github.com/backstop-net/backstop/models/oc"
)

// canonical renders a tree through the binding: load (no member may be
// ignored), validate, marshal.
func canonical(name string, tree M) (*oc.Device, []byte, error) {
	raw, err := json.Marshal(tree)
	if err != nil {
		return nil, nil, err
	}
	dev, ignored, err := oc.Load(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ignored) > 0 {
		return nil, nil, fmt.Errorf("%s: binding ignored %v", name, ignored)
	}
	if err := oc.Validate(dev); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	out, err := oc.Marshal(dev)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return dev, out, nil
}
