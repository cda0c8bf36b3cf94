// Package policy loads the invariants a change must keep (policies/*.yaml) and
// evaluates them on the simulated network before and after the change.
//
// Stage: after sim, before verdict. Input: a policy file, the running and
// candidate simulation results and the change list. Output: Findings (what
// broke, how badly, and which changed lines cause it) and Checks (every
// invariant and object evaluated, for JUnit-style reports).
package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/backstop-net/backstop/internal/fault"
	"go.yaml.in/yaml/v3"
)

// Severity of a finding.
type Severity string

const (
	Block  Severity = "block"
	Warn   Severity = "warn"
	Ignore Severity = "ignore"
)

// Kinds of invariants.
const (
	KindCriticalPrefixes = "critical_prefixes"
	KindAnycast          = "anycast"
	KindBGPSessions      = "bgp_sessions"
	KindBlastRadius      = "blast_radius"
	KindUnmodelled       = "unmodelled"
	KindReachability     = "reachability"
	KindAgreement        = "agreement"   // both ends of links, adjacencies and sessions agree
	KindEgress           = "egress"      // Internet-bound traffic still leaves at the selected peers
	KindConvergence      = "convergence" // built in: a simulation that does not converge never passes
)

// File is a parsed policy file.
type File struct {
	Version    int         `yaml:"version"`
	Invariants []Invariant `yaml:"invariants"`
	Path       string      `yaml:"-"`
	Digest     string      `yaml:"-"`
}

// SessionSelector picks BGP sessions and the peers at their far end. Every
// field given must match:
//   - role: the external peer's role (environment.yaml), or the inventory role
//     of a router at either end of an eBGP session (a transit provider's
//     router kept in the inventory as role transit, in its own AS);
//   - asn: the peer's AS number, external or inventoried;
//   - device: a device at either end, or an external peer's name;
//   - neighbor: the neighbor address configured on the inventoried end.
type SessionSelector struct {
	Role     string     `yaml:"role,omitempty"`
	ASN      uint32     `yaml:"asn,omitempty"`
	Device   string     `yaml:"device,omitempty"`
	Neighbor netip.Addr `yaml:"neighbor,omitempty"`
}

// empty: a selector that names nothing would match every peer.
func (sel SessionSelector) empty() bool {
	return sel.Role == "" && sel.ASN == 0 && sel.Device == "" && !sel.Neighbor.IsValid()
}

// AllowRule is one explicit relaxation of the unmodelled invariant.
type AllowRule struct {
	// Path is a gNMI path pattern; "*" matches any run of characters
	// (slashes and keys included), e.g. "/routing-policy/*/match-tag-set/*".
	Path   string `yaml:"path"`
	Reason string `yaml:"reason"`
	Line   int    `yaml:"-"`
}

// Matches reports whether a leaf path is covered by the rule.
func (a AllowRule) Matches(path string) bool { return globMatch(a.Path, path) }

// globMatch matches s against a pattern whose only wildcard is "*".
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// Invariant is one rule. Which fields apply depends on Kind (policies/README.md).
type Invariant struct {
	Name     string   `yaml:"name"`
	Kind     string   `yaml:"kind"`
	Severity Severity `yaml:"severity,omitempty"`
	// critical_prefixes, anycast
	OnAnyLoss Severity `yaml:"on_any_loss,omitempty"`
	// critical_prefixes
	Prefixes []netip.Prefix `yaml:"prefixes,omitempty"`
	// ToRoles is shorthand for to_peers: [{role: R}, ...].
	ToRoles     []string `yaml:"to_roles,omitempty"`
	MinSites    int      `yaml:"min_sites,omitempty"`
	MinSessions int      `yaml:"min_sessions,omitempty"`
	// MinSessionsPerAS: every peer AS selected by to_peers that receives the
	// prefix in the running network must keep receiving it on at least this
	// many sessions ("announced to each transit", not just to enough of them).
	MinSessionsPerAS int `yaml:"min_sessions_per_as,omitempty"`
	// critical_prefixes: who must receive the prefixes; anycast: whose view
	// counts as "visible from the Internet" (default: every external peer
	// that is not an anycast announcer, and every inventoried router of
	// another AS with role transit).
	ToPeers []SessionSelector `yaml:"to_peers,omitempty"`
	// anycast
	Service         string `yaml:"service,omitempty"`
	MinHealthySites int    `yaml:"min_healthy_sites,omitempty"`
	// bgp_sessions
	Critical []SessionSelector `yaml:"critical,omitempty"`
	MaxLost  *int              `yaml:"max_lost,omitempty"`
	// MinEstablishedPerAS: for each peer AS among the critical sessions, at
	// least this many must stay established ("a session to each transit").
	MinEstablishedPerAS int `yaml:"min_established_per_as,omitempty"`
	// blast_radius
	MaxBackboneLinksPct *float64 `yaml:"max_backbone_links_pct,omitempty"`
	MaxDevices          *int     `yaml:"max_devices,omitempty"`
	// MaxDevicesRemoved: devices whose routing config the change removes
	// altogether (no addressed interface, no IS-IS, no BGP left): a wiped
	// router is a decommissioning, not a config change.
	MaxDevicesRemoved *int `yaml:"max_devices_removed,omitempty"`
	// reachability
	From []string `yaml:"from,omitempty"` // device names, or role:<role> / site:<site>
	// FromPeers: traffic entering from these peers: the inventoried end of
	// each selected session to an external peer, or the inventoried peer
	// router itself.
	FromPeers []SessionSelector `yaml:"from_peers,omitempty"`
	To        []netip.Prefix    `yaml:"to,omitempty"`
	// egress: from (device selectors as for reachability), to (destinations
	// outside the network, default 0.0.0.0/0) and via_peers (where the
	// traffic must leave, default [{role: transit}]).
	ViaPeers []SessionSelector `yaml:"via_peers,omitempty"`
	// unmodelled
	Changed Severity `yaml:"changed,omitempty"`
	Present Severity `yaml:"present,omitempty"`
	// Allow relaxes unmodelled config explicitly, per path pattern and with a
	// reason that every report shows: matching leaves (and unknown policy
	// statements made only of them) warn instead of blocking.
	Allow []AllowRule `yaml:"allow,omitempty"`

	Line int `yaml:"-"`
}

// Load reads and checks a policy file. Errors name the file and line; a policy
// that cannot be read is bad input (exit 4), never an empty policy.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.Bad(err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fault.Badf("%s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// Parse decodes policy YAML.
func Parse(data []byte) (*File, error) {
	f := &File{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		return nil, fault.Bad(err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	if len(root.Content) > 0 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "invariants" {
				for j, it := range m.Content[i+1].Content {
					if j < len(f.Invariants) {
						f.Invariants[j].Line = it.Line
					}
				}
			}
		}
	}
	if f.Version != 1 {
		return nil, fault.Badf("version must be 1 (got %d)", f.Version)
	}
	if len(f.Invariants) == 0 {
		return nil, fault.Badf("no invariants: an empty policy would pass every change")
	}
	names := map[string]int{}
	for i := range f.Invariants {
		inv := &f.Invariants[i]
		if err := inv.check(); err != nil {
			return nil, fault.Badf("line %d: invariant %q: %w", inv.Line, inv.Name, err)
		}
		if l, dup := names[inv.Name]; dup {
			return nil, fault.Badf("line %d: invariant name %q already used at line %d", inv.Line, inv.Name, l)
		}
		names[inv.Name] = inv.Line
	}
	sum := sha256.Sum256(data)
	f.Digest = hex.EncodeToString(sum[:8])
	return f, nil
}

func checkSeverity(s Severity, what string, allowIgnore bool) error {
	switch s {
	case Block, Warn:
		return nil
	case Ignore, "":
		if allowIgnore {
			return nil
		}
	}
	return fmt.Errorf("%s must be block or warn%s, not %q", what, map[bool]string{true: " (or ignore)"}[allowIgnore], s)
}

func (inv *Invariant) check() error {
	if inv.Name == "" {
		inv.Name = inv.Kind
	}
	switch inv.Kind {
	case KindCriticalPrefixes:
		if len(inv.Prefixes) == 0 {
			return fmt.Errorf("critical_prefixes needs prefixes")
		}
		// A negative minimum would silently disable the invariant.
		if inv.MinSites < 0 || inv.MinSessions < 0 {
			return fmt.Errorf("min_sites and min_sessions must not be negative")
		}
		for _, p := range inv.Prefixes {
			if !p.IsValid() || p != p.Masked() {
				return fmt.Errorf("prefix %s has host bits set (did you mean %s?)", p, p.Masked())
			}
		}
		if inv.MinSessionsPerAS < 0 {
			return fmt.Errorf("min_sessions_per_as must not be negative")
		}
		for _, r := range inv.ToRoles {
			inv.ToPeers = append(inv.ToPeers, SessionSelector{Role: r})
		}
		inv.ToRoles = nil
		if len(inv.ToPeers) == 0 {
			inv.ToPeers = []SessionSelector{{Role: "transit"}}
		}
		if err := checkSelectors(inv.ToPeers, "to_peers"); err != nil {
			return err
		}
		if err := checkSeverity(inv.OnAnyLoss, "on_any_loss", true); err != nil {
			return err
		}
	case KindAnycast:
		if err := checkSeverity(inv.OnAnyLoss, "on_any_loss", true); err != nil {
			return err
		}
		if inv.MinHealthySites < 0 {
			return fmt.Errorf("min_healthy_sites must not be negative")
		}
		if err := checkSelectors(inv.ToPeers, "to_peers"); err != nil {
			return err
		}
	case KindBGPSessions:
		if len(inv.Critical) == 0 && inv.MaxLost == nil {
			return fmt.Errorf("bgp_sessions needs critical sessions or max_lost")
		}
		if inv.MaxLost != nil && *inv.MaxLost < 0 {
			return fmt.Errorf("max_lost must not be negative")
		}
		if err := checkSelectors(inv.Critical, "critical"); err != nil {
			return err
		}
		if inv.MinEstablishedPerAS < 0 {
			return fmt.Errorf("min_established_per_as must not be negative")
		}
		if inv.MinEstablishedPerAS > 0 && len(inv.Critical) == 0 {
			return fmt.Errorf("min_established_per_as counts the critical sessions per peer AS; name them in critical")
		}
	case KindBlastRadius:
		if inv.MaxBackboneLinksPct == nil && inv.MaxDevices == nil && inv.MaxDevicesRemoved == nil {
			return fmt.Errorf("blast_radius needs max_backbone_links_pct, max_devices or max_devices_removed")
		}
		if p := inv.MaxBackboneLinksPct; p != nil && (*p < 0 || *p > 100) {
			return fmt.Errorf("max_backbone_links_pct must be between 0 and 100")
		}
		if inv.MaxDevices != nil && *inv.MaxDevices < 0 {
			return fmt.Errorf("max_devices must not be negative")
		}
		if inv.MaxDevicesRemoved != nil && *inv.MaxDevicesRemoved < 0 {
			return fmt.Errorf("max_devices_removed must not be negative")
		}
	case KindAgreement:
	case KindEgress:
		if len(inv.From) == 0 {
			return fmt.Errorf("egress needs from")
		}
		if len(inv.To) == 0 {
			inv.To = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
		}
		if len(inv.ViaPeers) == 0 {
			inv.ViaPeers = []SessionSelector{{Role: "transit"}}
		}
		if err := checkSelectors(inv.ViaPeers, "via_peers"); err != nil {
			return err
		}
	case KindReachability:
		if len(inv.From) == 0 && len(inv.FromPeers) == 0 || len(inv.To) == 0 {
			return fmt.Errorf("reachability needs from (or from_peers) and to")
		}
		if err := checkSelectors(inv.FromPeers, "from_peers"); err != nil {
			return err
		}
	case KindUnmodelled:
		if inv.Changed == "" {
			inv.Changed = Warn
		}
		if inv.Present == "" {
			inv.Present = Ignore
		}
		if err := checkSeverity(inv.Changed, "changed", true); err != nil {
			return err
		}
		if err := checkSeverity(inv.Present, "present", true); err != nil {
			return err
		}
		for i, a := range inv.Allow {
			if strings.TrimSpace(a.Path) == "" || !strings.HasPrefix(a.Path, "/") && a.Path != "*" {
				return fmt.Errorf("allow[%d]: path must be a gNMI path pattern starting with /", i)
			}
			if strings.TrimSpace(a.Reason) == "" {
				return fmt.Errorf("allow[%d] (%s): a relaxation needs a reason; it is shown in every report", i, a.Path)
			}
		}
		return nil
	case "":
		return fmt.Errorf("missing kind")
	default:
		return fmt.Errorf("unknown kind %q (critical_prefixes, anycast, bgp_sessions, blast_radius, reachability, egress, agreement, unmodelled)", inv.Kind)
	}
	return checkSeverity(inv.Severity, "severity", false)
}
