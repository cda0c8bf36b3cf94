// Package network is the compact, vendor-neutral model the simulator runs on.
//
// internal/compile builds one Network per snapshot from the OpenConfig trees and
// the environment; internal/sim reads it and never looks at OpenConfig. Devices
// are addressed by DeviceID (their index in Network.Devices, sorted by name) so
// the simulator's inner loops work on small integers, not strings. Addresses and
// prefixes are net/netip values throughout.
package network

import (
	"net/netip"
	"regexp"
)

// DeviceID is a device's index in Network.Devices.
type DeviceID int32

// Network is one snapshot, compiled.
type Network struct {
	Devices []*Device // sorted by Name; Devices[i].ID == i
	// Links listed explicitly in the inventory (by interface name); the simulator
	// adds the links it infers from shared subnets.
	ExplicitLinks []ExplicitLink
	// Cables are the physical port pairs that links may be inferred over
	// (keys from CableKey); nil lets any two interfaces that share a subnet
	// form a link, as for a snapshot on its own. A candidate gets the ports
	// its running network links (sim.PinCabling): a change can move an
	// address to another port, but it cannot move the cable.
	Cables     map[string]bool
	External   []ExternalPeer   // eBGP speakers outside the inventory (environment.yaml)
	Anycast    []AnycastService // anycast announcers and their health rules
	Unmodelled []Unmodelled     // config present but outside the modelled subset, all devices
}

// Device returns the device with the given name, or nil.
func (n *Network) Device(name string) *Device {
	lo, hi := 0, len(n.Devices)
	for lo < hi {
		m := (lo + hi) / 2
		if n.Devices[m].Name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(n.Devices) && n.Devices[lo].Name == name {
		return n.Devices[lo]
	}
	return nil
}

// Device is one router.
type Device struct {
	ID   DeviceID
	Name string
	Role string // backbone, edge, dc, dns, ... (inventory)
	Site string
	Tags []string

	Interfaces []Interface // sorted by Name; one entry per addressed subinterface
	ISIS       *ISIS       // nil when IS-IS is not configured
	BGP        *BGP        // nil when BGP is not configured

	Statics          []StaticRoute
	Aggregates       []Aggregate
	TableConnections []TableConnection // redistribution into BGP

	Policies      map[string]*Policy // policy-definitions by name
	PrefixSets    map[string]*PrefixSet
	CommunitySets map[string]*CommunitySet
	ASPathSets    map[string]*ASPathSet
}

// Interface returns the interface with the given (normalised) name, or nil.
func (d *Device) Interface(name string) *Interface {
	for i := range d.Interfaces {
		if d.Interfaces[i].Name == name {
			return &d.Interfaces[i]
		}
	}
	return nil
}

// Interface is an L3 (sub)interface. Subinterface 0 of "et-0/0/1" is named
// "et-0/0/1"; other subinterfaces are "et-0/0/1.100".
type Interface struct {
	Name      string
	Parent    string // physical interface name
	Subif     uint32
	Enabled   bool           // interface and subinterface both enabled
	Addresses []netip.Prefix // host address with its prefix length, e.g. 10.0.0.1/31 (not masked)
	Loopback  bool           // a loopback (type softwareLoopback or name starts with lo/Loopback)
	Path      string         // OpenConfig path of the interface, for causes
	// Both ends of a link must agree on these (internal/sim/agree.go).
	MTU     uint32 // /interfaces/interface/config/mtu (L2), 0 = not configured (vendor default)
	IPv4MTU uint32 // subinterface ipv4/config/mtu (L3), 0 = not configured
	// ethernet/config port-speed and duplex-mode (enum names) and
	// auto-negotiate ("true", "false"); "" = not configured.
	PortSpeed, Duplex, AutoNeg string
	IfPath                     string // path of the physical interface, e.g. /interfaces/interface[name=et-0/0/1]
	SubPath                    string // path of the subinterface holding the addresses and the ipv4 mtu
}

// Level is an IS-IS level set.
type Level uint8

const (
	Level1  Level = 1
	Level2  Level = 2
	Level12 Level = Level1 | Level2
)

// Has reports whether l includes level n (1 or 2).
func (l Level) Has(n int) bool { return l&(1<<(n-1)) != 0 }

// ISIS is the IS-IS instance of the default network instance.
type ISIS struct {
	Enabled    bool
	Levels     Level    // level-capability of the instance
	Areas      []string // area addresses, from the NETs (e.g. "49.0001")
	SystemID   string   // from the NET, e.g. "0000.0000.0001"
	Interfaces []ISISInterface
	Path       string
	// Overload is lsp-bit/overload-bit/config/set-bit: others do not route
	// through this router (ISO 10589 §7.2.8.1, RFC 3787 §9); its own prefixes stay reachable.
	Overload bool
	// MetricStyle per level (index 0: level 1): "NARROW_METRIC", "WIDE_METRIC"
	// or "" when not configured (the vendor default, compared as its own value).
	MetricStyle [2]string
	LevelAuth   [2]ISISAuth // levels/level/authentication (LSP/SNP authentication)
}

// ISISAuth is one IS-IS authentication container. The password itself is never
// kept: KeyHash is a SHA-256 of it, enough to tell whether two ends agree.
type ISISAuth struct {
	Enabled  bool
	Mode     string // auth-mode (MD5, TEXT)
	Type     string // auth-type (SIMPLE_KEY, KEYCHAIN)
	Keychain string
	KeyHash  string
	Path     string // OpenConfig path of the authentication container (set when configured)
}

// ISISInterface is IS-IS configuration of one interface.
type ISISInterface struct {
	Interface    string // normalised interface name
	Enabled      bool
	Passive      bool
	Levels       Level     // levels enabled on the interface (intersected with instance levels by sim)
	Metric       [2]uint32 // level-1, level-2 metric (default 10)
	PointToPoint bool
	Path         string
	Auth         ISISAuth    // interfaces/interface/authentication (hello authentication)
	HelloAuth    [2]ISISAuth // levels/level/hello-authentication per level
}

// BGP is the BGP instance of the default network instance, with neighbor
// settings already resolved through peer-group and global inheritance.
type BGP struct {
	AS       uint32
	RouterID netip.Addr
	// RouterIDPath is the leaf RouterID came from (BGP global, or the
	// network instance's fallback); empty when unset.
	RouterIDPath string
	ClusterID    netip.Addr // route-reflector cluster id; zero means the router-id
	Neighbors    []Neighbor // sorted by Address
	Path         string

	// use-multiple-paths (global or global afi-safi IPV4_UNICAST): how many
	// equal paths may be installed; 0 or 1 means no multipath.
	MaxPathsEBGP    uint32
	MaxPathsIBGP    uint32
	AllowMultipleAS bool // ebgp/config/allow-multiple-as: multipath across neighbouring ASes
}

// Neighbor is one configured BGP neighbor, effective values after inheritance.
type Neighbor struct {
	Address      netip.Addr
	PeerAS       uint32
	LocalAS      uint32 // the AS this router speaks on the session (local-as or global AS)
	PeerGroup    string
	Enabled      bool
	LocalAddress netip.Addr // transport/local-address when an address; zero when unset
	LocalIface   string     // transport/local-address when it names an interface
	RRClient     bool
	Multihop     bool  // ebgp-multihop enabled
	MultihopTTL  uint8 // 0 = unset
	IPv4Unicast  bool  // afi-safi IPV4_UNICAST enabled
	Import       PolicyChain
	Export       PolicyChain
	Path         string // OpenConfig path of the neighbor, for causes

	Passive         bool   // transport/config/passive-mode: never opens the TCP connection
	Port            uint16 // config/neighbor-port, the peer's TCP port; 0 when unset (179)
	AuthHash        string // SHA-256 (hex) of auth-password, "" when none: the password never enters the model
	MaxPrefixes     uint32 // ipv4-unicast prefix-limit/config/max-prefixes; 0 = no limit
	PreventTeardown bool   // prefix-limit/config/prevent-teardown
	// Leaves maps a leaf, relative to the neighbor (e.g. "config/peer-as",
	// "transport/config/local-address"), to the full OpenConfig path its
	// effective value was set at (the neighbor, its peer-group or global), so
	// a finding names the leaf an operator has to change. Absent: not set
	// anywhere (LeafPath then names the neighbor's own leaf).
	Leaves map[string]string
}

// LeafPath is the OpenConfig path of a neighbor leaf: where its effective
// value was set, or the neighbor's own leaf when it was never set.
func (n *Neighbor) LeafPath(leaf string) string {
	if p, ok := n.Leaves[leaf]; ok {
		return p
	}
	return n.Path + "/" + leaf
}

// IBGP reports whether the session is internal.
func (n *Neighbor) IBGP() bool { return n.PeerAS == n.LocalAS }

// Result is a routing-policy outcome.
type Result uint8

const (
	ResultNone   Result = iota // no decision: continue with the next statement/policy
	ResultAccept               // ACCEPT_ROUTE
	ResultReject               // REJECT_ROUTE
)

func (r Result) String() string {
	switch r {
	case ResultAccept:
		return "accept"
	case ResultReject:
		return "reject"
	}
	return "none"
}

// PolicyChain is an apply-policy import or export chain.
type PolicyChain struct {
	Policies []string // evaluated in order
	// Default is the default-{import,export}-policy. DefaultSet is false when the
	// config (neighbor, peer-group and global) never set it; the simulator then
	// applies the documented implicit default (iBGP accept, eBGP reject: RFC 8212).
	Default    Result
	DefaultSet bool
}

// Protocol is a route source, as in OpenConfig's INSTALL_PROTOCOL_TYPE.
type Protocol uint8

const (
	ProtoNone Protocol = iota
	ProtoConnected
	ProtoStatic
	ProtoLocalAggregate
	ProtoISIS
	ProtoBGP
)

func (p Protocol) String() string {
	return [...]string{"none", "connected", "static", "aggregate", "isis", "bgp"}[p]
}

// StaticRoute is a static route of the default instance.
type StaticRoute struct {
	Prefix   netip.Prefix
	NextHops []StaticNextHop
	Path     string
}

// StaticNextHop is one next hop of a static route.
type StaticNextHop struct {
	Addr      netip.Addr // zero when Discard or interface-only
	Interface string
	Discard   bool // DROP / null route: originates the prefix locally
	Metric    uint32
	// Preference is config/preference, the administrative distance of this
	// next hop (0 when unset: the static default, 1). A higher one makes a
	// floating static that only wins when no better route exists.
	Preference uint32
}

// Aggregate is a local aggregate (LOCAL_AGGREGATE protocol): active only while
// a more specific route contributes to it.
type Aggregate struct {
	Prefix  netip.Prefix
	Discard bool
	Path    string
}

// TableConnection redistributes routes of Src into BGP (Dst is always BGP in
// the modelled subset; others are reported as unmodelled).
type TableConnection struct {
	Src    Protocol
	Import PolicyChain // DefaultSet false: everything is redistributed
	Path   string
}

// Policy is a compiled policy-definition.
type Policy struct {
	Name       string
	Statements []Statement
	Path       string
}

// Statement is one policy statement: when all Conditions hold, Actions apply.
type Statement struct {
	Name       string
	Conditions Conditions
	Actions    Actions
	Path       string
	// Unknown lists the statement's leaves the simulator cannot interpret
	// ("<path>: <reason>"). Such a statement is never guessed at: a route
	// that reaches it gets an unknown result, which the policy stage turns
	// into a blocking finding naming the statement and these leaves.
	Unknown []string
}

// MatchMode is a match-set-options value.
type MatchMode uint8

const (
	MatchAny MatchMode = iota
	MatchAll
	MatchInvert
)

// Conditions of a statement; nil/zero members are absent.
type Conditions struct {
	PrefixSet       string    // prefix-set name
	PrefixSetMode   MatchMode // ANY or INVERT
	CommunitySet    string
	CommunityMode   MatchMode
	ASPathSet       string
	ASPathMode      MatchMode
	InstallProtocol Protocol // ProtoNone = absent
	CallPolicy      string
	RouteType       RouteType // bgp-conditions route-type; RouteAny = absent
	OriginEq        Origin    // bgp-conditions origin-eq; OriginUnset = absent
	MEDEq           *uint32   // bgp-conditions med-eq
	LocalPrefEq     *uint32   // bgp-conditions local-pref-eq
}

// RouteType is the bgp-conditions route-type: how the route was learned.
type RouteType uint8

const (
	RouteAny      RouteType = iota
	RouteInternal           // learned over iBGP
	RouteExternal           // learned over eBGP
)

// Origin is a BGP ORIGIN value as policy sets or matches it; OriginUnset
// means the condition or action is absent.
type Origin uint8

const (
	OriginUnset Origin = iota
	OriginIGP
	OriginEGP
	OriginIncomplete
)

// Actions of a statement.
type Actions struct {
	Result       Result
	SetLocalPref *uint32
	SetMED       *uint32
	Community    *CommunityAction
	Prepend      *Prepend
	NextHop      *NextHopAction
	SetOrigin    Origin // set-route-origin; OriginUnset = absent
}

// CommunityMethod is set-community's method.
type CommunityMethod uint8

const (
	CommunityAdd CommunityMethod = iota
	CommunityRemove
	CommunityReplace
)

// CommunityAction is set-community: inline communities or a referenced set.
type CommunityAction struct {
	Method      CommunityMethod
	Communities []Community // inline values
	SetRef      string      // community-set name (REMOVE may use its regex members)
}

// Prepend is set-as-path-prepend.
type Prepend struct {
	ASN    uint32 // 0 = the router's own AS
	Repeat uint8  // at least 1
}

// NextHopAction is set-next-hop.
type NextHopAction struct {
	Self bool
	Addr netip.Addr
}

// Community is a standard RFC 1997 community, high 16 bits ASN.
type Community uint32

// PrefixSet is an IPv4/IPv6 prefix-set with masklength ranges.
type PrefixSet struct {
	Name    string
	Entries []PrefixRange
}

// PrefixRange matches prefixes inside Prefix whose length is within [Min, Max].
type PrefixRange struct {
	Prefix   netip.Prefix
	Min, Max uint8
}

// Matches reports whether p falls in the range.
func (r PrefixRange) Matches(p netip.Prefix) bool {
	l := p.Bits()
	return l >= int(r.Min) && l <= int(r.Max) && r.Prefix.Bits() <= l && r.Prefix.Contains(p.Addr()) &&
		r.Prefix.Addr().Is4() == p.Addr().Is4()
}

// Matches reports whether any entry matches p.
func (s *PrefixSet) Matches(p netip.Prefix) bool {
	for _, e := range s.Entries {
		if e.Matches(p) {
			return true
		}
	}
	return false
}

// CommunitySet is a community-set; members are exact values or regexes.
type CommunitySet struct {
	Name    string
	Members []CommunityMatcher
}

// CommunityMatcher matches one community, exactly or by regex on "ASN:VALUE".
type CommunityMatcher struct {
	Value Community
	Regex *regexp.Regexp // non-nil for regex members
	Text  string
}

// ASPathSet is an as-path-set; members are regexes over the AS path written
// as space-separated ASNs (Cisco/Junos style, "_" matches a boundary).
type ASPathSet struct {
	Name    string
	Members []*regexp.Regexp
	Text    []string
}

// CableKey names the cable between two physical ports, in either order.
func CableKey(a, aPort, b, bPort string) string {
	x, y := a+" "+aPort, b+" "+bPort
	if y < x {
		x, y = y, x
	}
	return x + " -- " + y
}

// ExplicitLink is a link listed in the inventory.
type ExplicitLink struct {
	A, B           DeviceID
	AIface, BIface string
}

// ExternalPeer is an eBGP speaker outside the inventory.
type ExternalPeer struct {
	Name      string // "<device>/<neighbor>" unless given
	Device    DeviceID
	Neighbor  netip.Addr
	ASN       uint32
	Role      string // transit, ix, peer, ...
	Announces []netip.Prefix
	Expect    *PeerExpect // nil: the peer accepts whatever our end says
}

// PeerExpect is what an external speaker's end of the session is configured
// to expect of ours. The peer is outside the inventory and does not change
// with our candidate, so a check pins it to what made the running session
// work (sim.PinExternalPeers): a one-sided change of our end is refused, as
// the real peer would refuse it.
type PeerExpect struct {
	AS       uint32     // the AS it expects us to speak (our local-as or global AS)
	Source   netip.Addr // the neighbor address it has for us (our source address)
	AuthHash string     // the password it signs with (SHA-256), "" for none
	Port     uint16     // our neighbor-port towards it (0: 179)
	Passive  bool       // whether our end was passive (it may be passive itself otherwise)
	// Subnet is the subnet the speaker shares with our end (its connected
	// route), zero for a multihop session: a single-hop eBGP speaker uses
	// only next hops inside it.
	Subnet netip.Prefix
	// Iface is the physical port of our end that faced the speaker
	// (single-hop): its cable stays there whatever a change moves.
	Iface string
}

// AnycastService is one anycast service (e.g. DNS) and its announcers.
type AnycastService struct {
	Service  string
	Prefix   netip.Prefix
	Sites    []AnycastSite
	ReachAny []netip.Prefix // health: a forwarding path to any of these
}

// AnycastSite is one announcer of an anycast service.
type AnycastSite struct {
	Site     string
	Device   DeviceID
	Neighbor netip.Addr
	ASN      uint32
	Expect   *PeerExpect
}

// Unmodelled is config present on a device but outside the modelled subset.
type Unmodelled struct {
	Device string
	Path   string
	Reason string
}
