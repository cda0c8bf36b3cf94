// Package sim simulates the routing of a whole network: L3 links inferred from
// shared subnets, IS-IS SPF, BGP sessions, BGP route propagation with routing
// policy, and the anycast-health fixed point that turned the 2021 backbone
// drain into a global DNS outage.
//
// Stage: after compile, before policy. Input: a *network.Network. Output: a
// *Result, deterministic for a given input. The simulator never reads
// OpenConfig; everything it knows comes from models/network.
package sim

import (
	"net/netip"
	"sync"

	"github.com/backstop-net/backstop/models/network"
)

// Result is the simulated state of one network.
type Result struct {
	Net         *network.Network
	Links       []Link      // every inferred or listed link, up or down, sorted
	Adjacencies []Adjacency // IS-IS adjacencies that are up
	Sessions    []Session   // every configured BGP session, established or not, sorted
	Anycast     []AnycastSite
	Converged   bool // the anycast/aggregate fixed point was reached
	Iterations  int
	Notes       []string // why the fixed point did not converge, BGP oscillation, ...
	// Disagreements are parameters both ends of a link, IS-IS adjacency or BGP
	// session must agree on and do not (or a protocol rule one end breaks).
	// Real routers refuse such an adjacency or session, so the simulation
	// takes it down too; the policy stage reports each one with the leaves of
	// both ends. Sorted by Object.
	Disagreements []Disagreement

	state    *state
	igp      *igp
	bgp      *bgpResult
	topo     *topology
	external []externalNode
	obs      *observed // set by Observe: routing state from another stack
	adv      *advCache // Advertised, computed once (policies ask many times)
}

type advCache struct {
	once sync.Once
	list []Advertisement
}

// Link is an L3 link between two devices.
type Link struct {
	A, B           string // device names, A < B
	AIface, BIface string
	Subnet         netip.Prefix
	Up             bool
	Reason         string // why it is down
	Backbone       bool   // both ends have role backbone
	a, b           network.DeviceID
	uncabled       bool // inferred between ports that running does not link (PinCabling)
}

// Cabled reports whether a cable is known to join the link's ports: false
// for a link inferred between ports that the running network does not link
// (PinCabling). Such a link is down; a lab wires no cable for it.
func (l Link) Cabled() bool { return !l.uncabled }

// Key identifies a link independently of its state.
func (l Link) Key() string { return l.A + ":" + l.AIface + "--" + l.B + ":" + l.BIface }

// Disagreement is one reason a link, adjacency or session is refused.
type Disagreement struct {
	Kind    string   // "link", "isis-adjacency", "isis-instance", "bgp-session", "address"
	Object  string   // stable across running and candidate, e.g. "isis adjacency r1 et-0/0/1 — r2 et-0/0/2"
	Devices []string // the devices involved (both ends where there are two), sorted
	Leaves  []string // "<device> <OpenConfig path>" of the disagreeing leaves on every end
	Reason  string   // what real routers do about it, e.g. "MTU 9000 vs 1500: IS-IS hellos are padded to the MTU, no adjacency"
	// Unsimulated marks the simulator's own refusal: routers differ on the
	// object (a static or a session resolved over BGP) and backstop does not
	// model it, rather than both ends disagreeing.
	Unsimulated bool
}

// Adjacency is an IS-IS adjacency at one level.
type Adjacency struct {
	A, B           string
	AIface, BIface string
	Level          int
	MetricAB       uint32 // A's metric towards B
	MetricBA       uint32
}

// Session is a configured BGP session seen from its first end.
type Session struct {
	Device       string     // the inventoried end (A)
	LocalAddr    netip.Addr // A's address on the session (may be zero when unspecified)
	Neighbor     netip.Addr // the address A's config points at
	Peer         string     // B's device name, or the external peer's name
	PeerAS       uint32
	LocalAS      uint32
	External     bool   // B is outside the inventory (environment.yaml)
	Role         string // external peer role (transit, ix, anycast:<service>); internal: "ibgp" or "ebgp"
	IBGP         bool
	Established  bool
	Reason       string // why it is not established
	Path         string // A's neighbor config path
	PeerPath     string // B's neighbor config path (internal peers)
	a, b         network.DeviceID
	aNbr, bNbr   int  // indexes into Device.BGP.Neighbors (bNbr -1 for external)
	externalNode int  // index into Result.external, -1 for internal
	noRoute      bool // down because an end has no route to the other (sessionsOverBGP)
	// Limit is set when the session was torn down because an end received
	// more prefixes than its max-prefixes: the lab (internal/emulate) must
	// reach that count before it enters the limit, or it tests nothing.
	Limit *PrefixLimit
}

// PrefixLimit is a max-prefixes teardown: Device received Received prefixes
// from its neighbor at Neighbor (the address in Device's config), above Max.
type PrefixLimit struct {
	Device   string
	Neighbor netip.Addr
	Received uint32
	Max      uint32
}

// Key identifies a session independently of its state.
func (s Session) Key() string { return s.Device + "|" + s.Neighbor.String() }

// AnycastSite is the state of one anycast announcer.
type AnycastSite struct {
	Service    string
	Prefix     netip.Prefix
	Site       string
	Device     string
	Neighbor   netip.Addr
	SessionUp  bool
	Healthy    bool // its edge router forwards to at least one reach_any prefix
	Announcing bool // healthy and its session is up
	Reason     string
	HealthPath []string // the forwarding path that made it healthy, or the one that failed
}

// Origin is the BGP ORIGIN attribute.
type Origin uint8

const (
	OriginIGP Origin = iota
	OriginEGP
	OriginIncomplete
)

func (o Origin) String() string { return [...]string{"igp", "egp", "incomplete"}[o] }

// Path is one BGP path in a router's Adj-RIB-In (after import policy).
type Path struct {
	NextHop      netip.Addr // zero: originated by this router
	ASPath       []uint32
	Origin       Origin
	LocalPref    uint32
	MED          uint32
	HasMED       bool
	Communities  []network.Community // sorted, unique
	OriginatorID netip.Addr
	ClusterList  []netip.Addr

	Local      bool             // originated on this router
	Source     network.Protocol // protocol the route came from (BGP for learned routes)
	EBGP       bool             // learned over eBGP
	FromPeer   netip.Addr       // neighbor address it was learned from
	FromDevice string           // peer device name (or external peer name)
	PeerRID    netip.Addr       // router-id of the advertising peer
	PeerAS     uint32
	IGPCost    uint32
	session    int32 // index into Result.Sessions, -1 local
	fromB      bool  // learned at the session's A end from its B end (false: at B from A)
	nhDevice   network.DeviceID
	nhExternal bool
}
