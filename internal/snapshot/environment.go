package snapshot

import (
	"bytes"
	"fmt"
	"net/netip"

	"github.com/backstop-net/backstop/internal/fault"
	"go.yaml.in/yaml/v3"
)

// Environment is what the world outside the inventory does: external BGP
// speakers and anycast announcers with their health rules.
type Environment struct {
	ExternalPeers []ExternalPeer `yaml:"external_peers,omitempty"`
	Anycast       []Anycast      `yaml:"anycast,omitempty"`
}

// Empty: no external peer and no anycast service. A snapshot with an empty
// environment cannot be judged by critical_prefixes or anycast invariants.
func (e *Environment) Empty() bool {
	return e == nil || (len(e.ExternalPeers) == 0 && len(e.Anycast) == 0)
}

// ExternalPeer is an eBGP neighbor of an inventoried device that is not itself
// inventoried. A peer not listed announces nothing.
type ExternalPeer struct {
	Name      string         `yaml:"name,omitempty"`
	Device    string         `yaml:"device"`
	Neighbor  netip.Addr     `yaml:"neighbor"`
	ASN       uint32         `yaml:"asn"`
	Role      string         `yaml:"role,omitempty"`
	Announces []netip.Prefix `yaml:"announces,omitempty"`
	Line      int            `yaml:"-"`
}

// Anycast is one anycast service.
type Anycast struct {
	Service string        `yaml:"service"`
	Prefix  netip.Prefix  `yaml:"prefix"`
	Sites   []AnycastSite `yaml:"sites"`
	Health  AnycastHealth `yaml:"health"`
	Line    int           `yaml:"-"`
}

// AnycastSite is one announcer: it announces Prefix to Device over an eBGP
// session from Neighbor while the health rule holds.
type AnycastSite struct {
	Site     string     `yaml:"site"`
	Device   string     `yaml:"device"`
	Neighbor netip.Addr `yaml:"neighbor"`
	ASN      uint32     `yaml:"asn"`
}

// AnycastHealth: the announcer stays up while its edge router has a forwarding
// path to any of ReachAny.
type AnycastHealth struct {
	ReachAny []netip.Prefix `yaml:"reach_any"`
}

// ParseEnvironment decodes environment.yaml. Addresses and prefixes are parsed
// strictly; errors carry the YAML line.
func ParseEnvironment(data []byte) (*Environment, error) {
	env := &Environment{}
	if len(bytes.TrimSpace(data)) == 0 {
		return env, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(env); err != nil {
		return nil, fault.Bad(err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	if len(root.Content) > 0 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			items := m.Content[i+1].Content
			switch m.Content[i].Value {
			case "external_peers":
				for j := range env.ExternalPeers {
					if j < len(items) {
						env.ExternalPeers[j].Line = items[j].Line
					}
				}
			case "anycast":
				for j := range env.Anycast {
					if j < len(items) {
						env.Anycast[j].Line = items[j].Line
					}
				}
			}
		}
	}
	for _, p := range env.ExternalPeers {
		if p.Device == "" || !p.Neighbor.IsValid() || p.ASN == 0 {
			return nil, fault.Badf("line %d: external peer needs device, neighbor and asn", p.Line)
		}
	}
	for _, a := range env.Anycast {
		if a.Service == "" || !a.Prefix.IsValid() {
			return nil, fault.Badf("line %d: anycast service needs service and prefix", a.Line)
		}
		if len(a.Health.ReachAny) == 0 {
			return nil, fault.Badf("line %d: anycast %s: health.reach_any is empty", a.Line, a.Service)
		}
		for _, s := range a.Sites {
			if s.Device == "" || !s.Neighbor.IsValid() || s.ASN == 0 {
				return nil, fault.Badf("line %d: anycast %s: each site needs device, neighbor and asn", a.Line, a.Service)
			}
		}
	}
	return env, nil
}

// check verifies that the environment only names inventoried devices.
func (e *Environment) check(known func(string) bool) error {
	for _, p := range e.ExternalPeers {
		if !known(p.Device) {
			return fault.Badf("line %d: external peer %s: unknown device %q", p.Line, p.Neighbor, p.Device)
		}
	}
	for _, a := range e.Anycast {
		for _, s := range a.Sites {
			if !known(s.Device) {
				return fault.Badf("line %d: anycast %s site %s: unknown device %q", a.Line, a.Service, s.Site, s.Device)
			}
		}
	}
	return nil
}

func (e *Environment) marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("environment: %w", err)
	}
	return b.Bytes(), nil
}
