// Package netgen generates networks as an independent topology description
// (plain Go data: routers, interfaces, IS-IS, BGP, routing policy, statics,
// aggregates, redistribution, and the outside world), and renders that
// description two ways: as an OpenConfig snapshot folder (RFC 7951 JSON,
// inventory.yaml, environment.yaml) and as FRRouting 8.4 configuration.
//
// Neither renderer goes through internal/compile or models/network: a
// conformance run loads the OpenConfig rendering through backstop's normal
// path (snapshot → compile → sim) and compares it with FRR running the other
// rendering, so a wrong reading of OpenConfig shows up as a difference instead
// of being copied into both sides.
//
// Stage: test and benchmark input, before snapshot. Input: Options (a seed and
// a size). Output: a *Topology, and files.
package netgen

import "net/netip"

// Result is a policy result or a default policy.
type Result string

// Policy results. ResultNone: the statement falls through (or, as a
// default policy, the implicit default applies: iBGP accept, eBGP reject).
const (
	ResultNone   Result = ""
	ResultAccept Result = "ACCEPT_ROUTE"
	ResultReject Result = "REJECT_ROUTE"
)

// Level is an IS-IS level set.
type Level int

// IS-IS levels.
const (
	Level1  Level = 1
	Level2  Level = 2
	Level12 Level = 3
)

// Topology is a whole network: the inventoried routers and the world outside.
type Topology struct {
	Name     string
	Routers  []*Router // sorted by name
	Transits []Transit
	Anycast  []Anycast
	// Faults names the deliberate breakages a conformance network carries
	// (an MTU mismatch, a drained link...): what the simulator and FRR must
	// agree is broken.
	Faults []string
}

// Router is one inventoried router.
type Router struct {
	Name       string
	Role       string // backbone, rr, edge, dc, customer
	Site       string
	Tags       []string
	RouterID   netip.Addr
	Interfaces []*Interface // sorted by name
	ISIS       *ISIS
	BGP        *BGP

	PrefixSets    []PrefixSet
	CommunitySets []CommunitySet
	ASPathSets    []ASPathSet
	Policies      []Policy

	Statics      []Static
	Aggregates   []netip.Prefix // local aggregates (discard)
	Redistribute []Redistribution
}

// Interface is a physical (or loopback) interface with one IPv4 address on
// subinterface 0.
type Interface struct {
	Name     string
	Desc     string
	Loopback bool
	Enabled  bool
	MTU      int // 0: not configured
	Addr     netip.Prefix
	ISIS     *ISISInterface // nil: IS-IS does not run here
	Peer     string         // the router at the far end ("" for an external or stub subnet)
}

// ISIS is a router's IS-IS instance.
type ISIS struct {
	Area     string // "49.0001"
	SystemID string // "0000.0000.0001"
	Levels   Level
	Overload bool
}

// ISISInterface is IS-IS on one interface.
type ISISInterface struct {
	Passive      bool
	PointToPoint bool
	Levels       Level  // 0: the instance's levels
	Metric       uint32 // the same on every level; 0: not configured (FRR and the simulator: 10)
	HelloAuth    string // a clear-text hello password ("": none)
}

// BGP is a router's BGP instance.
type BGP struct {
	AS        uint32
	RouterID  netip.Addr
	ClusterID netip.Addr // set on the route-reflector-client peer-group ("": none)
	Multipath *Multipath
	Groups    []PeerGroup
	Neighbors []Neighbor
}

// Multipath is use-multiple-paths (global IPv4 unicast).
type Multipath struct {
	EBGP, IBGP      uint32
	AllowMultipleAS bool
}

// PeerGroup is a BGP peer-group; a neighbor inherits what it does not set.
type PeerGroup struct {
	Name      string
	PeerAS    uint32
	RRClient  bool
	ClusterID netip.Addr
	LocalAddr netip.Addr
	Import    []string
	Export    []string
	DefImport Result
	DefExport Result
}

// Neighbor is one BGP neighbor.
type Neighbor struct {
	Addr      netip.Addr
	PeerAS    uint32
	LocalAS   uint32 // 0: the global AS
	Group     string
	Desc      string
	LocalAddr netip.Addr // update-source
	RRClient  bool
	Import    []string
	Export    []string
	DefImport Result
	DefExport Result
	MaxPrefix uint32 // 0: no limit
	Password  string // TCP MD5 ("" none)
}

// PrefixSet is a named list of prefix ranges.
type PrefixSet struct {
	Name    string
	Entries []PrefixRange
}

// PrefixRange is a prefix with a mask-length range (Min = Max = Bits for exact).
type PrefixRange struct {
	Prefix   netip.Prefix
	Min, Max int
}

// CommunitySet is a named list of communities ("65000:1") or regexes ("65000:9..").
type CommunitySet struct {
	Name    string
	Members []string
}

// ASPathSet is a named list of AS-path regexes (OpenConfig/Cisco style: "_174$").
type ASPathSet struct {
	Name    string
	Members []string
}

// Policy is a policy-definition: statements in order.
type Policy struct {
	Name       string
	Statements []Statement
}

// Match modes of a set condition.
const (
	MatchAny    = "ANY"
	MatchAll    = "ALL"
	MatchInvert = "INVERT"
)

// Statement is one policy statement.
type Statement struct {
	Name string
	// conditions (all must hold)
	PrefixSet     string
	PrefixMode    string // ANY or INVERT
	CommunitySet  string
	CommunityMode string // ANY, ALL or INVERT
	ASPathSet     string
	ASPathMode    string // ANY or INVERT
	Protocol      string // install-protocol-eq: STATIC, DIRECTLY_CONNECTED, ISIS, LOCAL_AGGREGATE, BGP
	RouteType     string // bgp-conditions route-type: INTERNAL or EXTERNAL
	// actions
	LocalPref   *uint32
	MED         *uint32
	Community   *CommunityAction
	Prepend     *Prepend
	NextHopSelf bool
	NextHop     netip.Addr
	Origin      string // IGP, EGP, INCOMPLETE
	Result      Result
}

// Community methods.
const (
	CommunityAdd     = "ADD"
	CommunityRemove  = "REMOVE"
	CommunityReplace = "REPLACE"
)

// CommunityAction is set-community: inline values, or a reference to a set.
type CommunityAction struct {
	Method string
	Values []string // inline
	SetRef string   // reference
}

// Prepend is set-as-path-prepend (ASN 0: the router's own AS).
type Prepend struct {
	ASN    uint32
	Repeat uint8
}

// Static is a static route with one next hop.
type Static struct {
	Prefix   netip.Prefix
	Discard  bool
	NextHop  netip.Addr
	Distance uint32 // preference; 0: default
}

// Redistribution is a table-connection into BGP.
type Redistribution struct {
	From      string   // STATIC, DIRECTLY_CONNECTED, ISIS, LOCAL_AGGREGATE
	Import    []string // import policies
	DefImport Result   // "" : what the table connection does without a policy (accept)
}

// Transit is an external BGP speaker (environment.yaml external_peers).
type Transit struct {
	Name      string
	Router    string
	Addr      netip.Addr // the speaker's address
	ASN       uint32
	Role      string
	Announces []netip.Prefix
}

// Anycast is an anycast service with its announcers.
type Anycast struct {
	Service  string
	Prefix   netip.Prefix
	Sites    []AnycastSite
	ReachAny []netip.Prefix
}

// AnycastSite is one announcer.
type AnycastSite struct {
	Site   string
	Router string
	Addr   netip.Addr
	ASN    uint32
}

// Router returns the named router, or nil.
func (t *Topology) Router(name string) *Router {
	for _, r := range t.Routers {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Interface returns the named interface, or nil.
func (r *Router) Interface(name string) *Interface {
	for _, i := range r.Interfaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}

// Policy returns the named policy, or nil.
func (r *Router) Policy(name string) *Policy {
	for i := range r.Policies {
		if r.Policies[i].Name == name {
			return &r.Policies[i]
		}
	}
	return nil
}

func (r *Router) hasPolicy(name string) bool { return r.Policy(name) != nil }

func (r *Router) hasPrefixSet(name string) bool {
	for _, s := range r.PrefixSets {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (r *Router) hasCommunitySet(name string) bool {
	for _, s := range r.CommunitySets {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (r *Router) hasASPathSet(name string) bool {
	for _, s := range r.ASPathSets {
		if s.Name == name {
			return true
		}
	}
	return false
}

func u32(v int) *uint32 { x := uint32(v); return &x }
