// Package inventory reads the list of devices backstop works on: names, roles,
// sites, gNMI addresses, TLS and credentials.
//
// Stage: first. Input: inventory.yaml (or a gnmic targets file). Output: an
// Inventory. Credentials are referenced (environment variable or file), never
// stored in the file, and String methods never print them.
package inventory

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/backstop-net/backstop/internal/fault"
	"go.yaml.in/yaml/v3"
)

// Inventory is the set of devices of one network.
type Inventory struct {
	Defaults Defaults `yaml:"defaults,omitempty"`
	Devices  []Device `yaml:"devices"`
	Links    []Link   `yaml:"links,omitempty"`
}

// Defaults apply to every device that does not set its own.
type Defaults struct {
	TLS         *TLS        `yaml:"tls,omitempty"`
	Credentials Credentials `yaml:"credentials,omitempty"`
	Timeout     Duration    `yaml:"timeout,omitempty"`
}

// Device is one router.
type Device struct {
	Name        string      `yaml:"name"`
	Address     string      `yaml:"address,omitempty"` // gNMI host:port
	Role        string      `yaml:"role,omitempty"`
	Site        string      `yaml:"site,omitempty"`
	Tags        []string    `yaml:"tags,omitempty"`
	TLS         *TLS        `yaml:"tls,omitempty"`
	Credentials Credentials `yaml:"credentials,omitempty"`
	Timeout     Duration    `yaml:"timeout,omitempty"`
	Line        int         `yaml:"-"` // line of the entry in the file, for errors
}

// Link is an explicitly listed link between two device interfaces.
type Link struct {
	A      string `yaml:"a"`
	AIface string `yaml:"a_interface"`
	B      string `yaml:"b"`
	BIface string `yaml:"b_interface"`
}

// TLS settings for a gNMI connection. Plaintext and unverified servers must be
// asked for explicitly.
type TLS struct {
	CA         string `yaml:"ca,omitempty"`
	Cert       string `yaml:"cert,omitempty"`
	Key        string `yaml:"key,omitempty"`
	ServerName string `yaml:"server_name,omitempty"`
	Insecure   bool   `yaml:"insecure,omitempty"`    // plaintext gRPC
	SkipVerify bool   `yaml:"skip_verify,omitempty"` // TLS without verifying the server
}

// Credentials name where a password comes from; the password itself is never
// in the inventory.
type Credentials struct {
	Username     string `yaml:"username,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	secret       string // only from a gnmic targets file; never written back
}

// Duration is a time.Duration written as "5s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: bad duration %q", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes a Go duration string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Load reads an inventory file, or a gnmic-style targets file (a top-level
// "targets:" map).
func Load(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.Bad(err)
	}
	parse := Parse
	if isTargetsFile(data) {
		parse = ParseTargets
	}
	inv, err := parse(data)
	if err != nil {
		return nil, fault.Badf("%s: %w", path, err)
	}
	return inv, nil
}

// Parse decodes inventory YAML and checks it.
func Parse(data []byte) (*Inventory, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	inv := &Inventory{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(inv); err != nil {
		return nil, err
	}
	// Remember each device's line for later messages.
	if len(root.Content) > 0 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "devices" {
				for j, d := range m.Content[i+1].Content {
					if j < len(inv.Devices) {
						inv.Devices[j].Line = d.Line
					}
				}
			}
		}
	}
	seen := map[string]int{}
	for _, d := range inv.Devices {
		if d.Name == "" {
			return nil, fmt.Errorf("line %d: device without a name", d.Line)
		}
		if l, dup := seen[d.Name]; dup {
			return nil, fmt.Errorf("line %d: device %q listed twice (first at line %d)", d.Line, d.Name, l)
		}
		seen[d.Name] = d.Line
	}
	for _, l := range inv.Links {
		for _, n := range []string{l.A, l.B} {
			if _, ok := seen[n]; !ok {
				return nil, fmt.Errorf("link %s-%s: unknown device %q", l.A, l.B, n)
			}
		}
	}
	sort.SliceStable(inv.Devices, func(i, j int) bool { return inv.Devices[i].Name < inv.Devices[j].Name })
	return inv, nil
}

// Device returns the named device, or nil.
func (inv *Inventory) Device(name string) *Device {
	for i := range inv.Devices {
		if inv.Devices[i].Name == name {
			return &inv.Devices[i]
		}
	}
	return nil
}

// Names lists device names, sorted.
func (inv *Inventory) Names() []string {
	out := make([]string, len(inv.Devices))
	for i, d := range inv.Devices {
		out[i] = d.Name
	}
	return out
}

// Marshal writes the inventory as YAML.
func (inv *Inventory) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(inv); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
