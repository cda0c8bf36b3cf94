package inventory

import (
	"fmt"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
)

// gnmicTarget is one entry of a gnmic targets file. Only the connection
// settings backstop uses are read; other gnmic keys are accepted and ignored.
type gnmicTarget struct {
	Address    string   `yaml:"address"`
	Username   *string  `yaml:"username"`
	Password   *string  `yaml:"password"`
	Insecure   *bool    `yaml:"insecure"`
	SkipVerify *bool    `yaml:"skip-verify"`
	TLSCA      *string  `yaml:"tls-ca"`
	TLSCert    *string  `yaml:"tls-cert"`
	TLSKey     *string  `yaml:"tls-key"`
	TLSServer  *string  `yaml:"tls-server-name"`
	Timeout    string   `yaml:"timeout"`
	Tags       []string `yaml:"tags"`
}

type gnmicFile struct {
	gnmicTarget `yaml:",inline"`
	Targets     map[string]*gnmicTarget `yaml:"targets"`
	Rest        map[string]any          `yaml:",inline"`
}

// isTargetsFile reports whether data is a gnmic-style file (top-level
// "targets:" and no "devices:").
func isTargetsFile(data []byte) bool {
	var top map[string]yaml.Node
	if yaml.Unmarshal(data, &top) != nil {
		return false
	}
	_, t := top["targets"]
	_, d := top["devices"]
	return t && !d
}

// ParseTargets reads a gnmic-style targets file:
//
//	username: admin          # top-level values are defaults for every target
//	password: secret
//	skip-verify: true
//	targets:
//	  r1.ams:
//	    address: 192.0.2.1:57400
//	    insecure: true
//	  192.0.2.2:57400:       # the key is the address when address is empty
//	    username: ops
//	    tls-ca: ca.pem
//
// Passwords written in such a file are held in memory only; they are never
// printed and Marshal does not write them.
func ParseTargets(data []byte) (*Inventory, error) {
	var f gnmicFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	lines := map[string]int{}
	if len(root.Content) > 0 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "targets" {
				t := m.Content[i+1]
				for j := 0; j+1 < len(t.Content); j += 2 {
					lines[t.Content[j].Value] = t.Content[j].Line
				}
			}
		}
	}
	if len(f.Targets) == 0 {
		return nil, fmt.Errorf("targets file without targets")
	}
	names := make([]string, 0, len(f.Targets))
	for n := range f.Targets {
		names = append(names, n)
	}
	sort.Strings(names)
	inv := &Inventory{}
	for _, n := range names {
		t := f.Targets[n]
		if t == nil {
			t = &gnmicTarget{}
		}
		d := Device{Name: n, Address: t.Address, Tags: t.Tags, Line: lines[n]}
		if d.Address == "" {
			d.Address = n
		}
		g := &f.gnmicTarget
		str := func(a, b *string) string {
			if a != nil {
				return *a
			}
			if b != nil {
				return *b
			}
			return ""
		}
		flag := func(a, b *bool) bool {
			if a != nil {
				return *a
			}
			return b != nil && *b
		}
		d.TLS = &TLS{
			CA: str(t.TLSCA, g.TLSCA), Cert: str(t.TLSCert, g.TLSCert), Key: str(t.TLSKey, g.TLSKey),
			ServerName: str(t.TLSServer, g.TLSServer),
			Insecure:   flag(t.Insecure, g.Insecure), SkipVerify: flag(t.SkipVerify, g.SkipVerify),
		}
		d.Credentials = Credentials{Username: str(t.Username, g.Username), secret: str(t.Password, g.Password)}
		to := t.Timeout
		if to == "" {
			to = g.Timeout
		}
		if to != "" {
			v, err := time.ParseDuration(to)
			if err != nil {
				return nil, fmt.Errorf("line %d: target %s: bad timeout %q", d.Line, n, to)
			}
			d.Timeout = Duration(v)
		}
		inv.Devices = append(inv.Devices, d)
	}
	return inv, nil
}
