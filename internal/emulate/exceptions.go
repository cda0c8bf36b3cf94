package emulate

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
)

// Exception explains a known, reasoned difference between the simulator and
// FRR. Its scope is not a list of networks, devices or prefixes: it is a
// condition computed from the simulated network (Context) for each
// difference, so an exception written for one vendor behaviour cannot
// excuse a difference with another cause elsewhere (issue: a catch-all
// "reflected next hop" exception once hid an injected tie-break bug).
type Exception struct {
	ID     string `yaml:"id"`
	Status string `yaml:"status"` // frr-difference (simulator bugs are fixed, never listed)
	Kind   string `yaml:"kind"`   // bgp | isis | fib | export: the kind of compared entry
	// When constrains the shape of the difference: "sim-only" (FRR lacks the
	// route), "frr-only", "both" (present on both sides, attributes differ).
	When string `yaml:"when"`
	// Differs, for "both": the attributes allowed to differ; the others must
	// be equal. An exception about next hops cannot hide a wrong AS path.
	Differs []string `yaml:"differs"`
	// Condition says in words what the predicate of the same id checks.
	Condition string `yaml:"condition"`
	Reason    string `yaml:"reason"`

	match predicate
}

// predicate decides, from the simulated network, whether the difference d
// has the cause the exception describes.
type predicate func(c *Context, d Diff) bool

// predicates: one per exception in exceptions.yaml, by id. An id without a
// predicate (or a predicate without an entry) is an error: no exception
// matches by shape alone.
var predicates = map[string]predicate{
	"redistributed-gateway-next-hop":    redistributedGatewayNextHop,
	"redistributed-gateway-own-address": redistributedGatewayOwnAddress,
	// The same cause seen in the forwarding table: no BGP route, no FIB entry.
	"redistributed-gateway-own-address-fib": redistributedGatewayOwnAddress,
	"redistributed-gateway-next-hop-fib":    forwardsTowardsGateway,
	"reflected-next-hop-self":               reflectedNextHopSelf,
	"frr84-nht-self-resolution":             selfResolvingOrigin,
	"frr84-nht-self-resolution-fib":         selfResolvingOrigin,
	"frr84-nht-self-resolution-ebgp":        selfResolvingOtherSender,
	"frr84-nht-self-resolution-ebgp-fib":    selfResolvingOtherSender,
	"frr84-aggregate-not-installed":         aggregateNotInstalled,
	"frr84-aggregate-not-installed-fib":     aggregateNotInstalledFIB,
	"frr84-aggregate-not-installed-export":  aggregateNotInstalledExport,
	"frr84-parallel-adjacency-next-hop":     parallelAdjacencyNextHop,
	"frr84-parallel-adjacency-next-hop-fib": parallelAdjacencyNextHop,
}

//go:embed exceptions.yaml
var exceptionsYAML []byte

// Exceptions returns the documented exceptions (internal/emulate/exceptions.yaml),
// each bound to its predicate.
func Exceptions() ([]Exception, error) {
	return parseExceptions(exceptionsYAML)
}

func parseExceptions(b []byte) ([]Exception, error) {
	var doc struct {
		Exceptions []Exception `yaml:"exceptions"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // no glob fields (networks, devices, prefixes) any more
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("exceptions.yaml: %w", err)
	}
	seen := map[string]bool{}
	for i := range doc.Exceptions {
		e := &doc.Exceptions[i]
		if e.ID == "" || e.Reason == "" || e.Condition == "" {
			return nil, fmt.Errorf("exceptions.yaml: every exception needs id, condition and reason (%+v)", *e)
		}
		// A simulator bug is fixed in internal/sim, never excused here.
		if e.Status != "frr-difference" {
			return nil, fmt.Errorf("exceptions.yaml: %s: status %q: only frr-difference may be listed", e.ID, e.Status)
		}
		if e.Kind != "bgp" && e.Kind != "isis" && e.Kind != "fib" && e.Kind != "export" {
			return nil, fmt.Errorf("exceptions.yaml: %s: kind %q: bgp, isis, fib or export", e.ID, e.Kind)
		}
		switch e.When {
		case "sim-only", "frr-only":
		case "both":
			if len(e.Differs) == 0 {
				return nil, fmt.Errorf("exceptions.yaml: %s: when both needs the attributes that may differ", e.ID)
			}
		default:
			return nil, fmt.Errorf("exceptions.yaml: %s: when %q: sim-only, frr-only or both", e.ID, e.When)
		}
		if e.match = predicates[e.ID]; e.match == nil {
			return nil, fmt.Errorf("exceptions.yaml: %s: no predicate in exceptions.go", e.ID)
		}
		seen[e.ID] = true
	}
	for id := range predicates {
		if !seen[id] {
			return nil, fmt.Errorf("exceptions.yaml: predicate %s has no entry", id)
		}
	}
	return doc.Exceptions, nil
}

// Context is what the predicates read: the simulated network, indexed once.
type Context struct {
	net   *network.Network
	res   *sim.Result
	bgp   map[string]map[string]*sim.BGPRoute // device → prefix → route
	isis  map[string]map[string]*sim.ISISRoute
	owner map[netip.Addr]string // interface address → device
}

// NewContext indexes a simulation for the exception predicates.
func NewContext(res *sim.Result) *Context {
	c := &Context{net: res.Net, res: res, bgp: map[string]map[string]*sim.BGPRoute{},
		isis: map[string]map[string]*sim.ISISRoute{}, owner: map[netip.Addr]string{}}
	for _, rs := range res.Routes("") {
		m := map[string]*sim.BGPRoute{}
		for i := range rs.BGP {
			m[rs.BGP[i].Prefix] = &rs.BGP[i]
		}
		c.bgp[rs.Device] = m
		im := map[string]*sim.ISISRoute{}
		for i := range rs.ISIS {
			im[rs.ISIS[i].Prefix] = &rs.ISIS[i]
		}
		c.isis[rs.Device] = im
	}
	for _, d := range res.Net.Devices {
		for _, ifc := range d.Interfaces {
			for _, a := range ifc.Addresses {
				c.owner[a.Addr()] = d.Name
			}
		}
	}
	return c
}

// best is the device's simulated best path for prefix, or nil.
func (c *Context) best(dev, prefix string) *sim.PathOut {
	r := c.bgp[dev][prefix]
	if r == nil || len(r.Paths) == 0 || !r.Paths[0].Best {
		return nil
	}
	return &r.Paths[0]
}

// Explain marks every unequal diff whose shape and computed condition an
// exception covers.
func Explain(diffs []Diff, ex []Exception, c *Context) {
	for i := range diffs {
		d := &diffs[i]
		d.Exception = ""
		if d.Equal {
			continue
		}
		for _, e := range ex {
			if e.covers(c, *d) {
				d.Exception = e.ID
				break
			}
		}
	}
}

func (e Exception) covers(c *Context, d Diff) bool {
	shape := "both"
	switch {
	case !d.FRR.Present:
		shape = "sim-only"
	case !d.Sim.Present:
		shape = "frr-only"
	}
	if e.Kind != d.Kind || e.When != shape || e.match == nil || c == nil {
		return false
	}
	if shape == "both" && !subset(differing(d.Sim, d.FRR), e.Differs) {
		return false
	}
	return e.match(c, d)
}

// differing names the attributes in which two present routes differ.
func differing(a, b Route) []string {
	var out []string
	if a.NextHop != b.NextHop {
		out = append(out, "next_hop")
	}
	if !slices.Equal(a.ASPath, b.ASPath) {
		out = append(out, "as_path")
	}
	if a.LocalPref != b.LocalPref {
		out = append(out, "local_pref")
	}
	if a.MED != b.MED {
		out = append(out, "med")
	}
	if a.Origin != b.Origin {
		out = append(out, "origin")
	}
	if !slices.Equal(a.Communities, b.Communities) {
		out = append(out, "communities")
	}
	if !slices.Equal(a.Multipath, b.Multipath) {
		out = append(out, "multipath")
	}
	if a.Metric != b.Metric {
		out = append(out, "metric")
	}
	if !slices.Equal(a.Hops, b.Hops) {
		out = append(out, "hops")
	}
	return out
}

func subset(a, of []string) bool {
	for _, x := range a {
		if !slices.Contains(of, x) {
			return false
		}
	}
	return true
}

// gateways: the RIB gateways of prefix at device o when o redistributes
// it into BGP from a static with a next-hop address or from IS-IS, and o's
// BGP best path for it is that local origination.
func (c *Context) gateways(o *network.Device, prefix string) []netip.Addr {
	p := c.best(o.Name, prefix)
	if p == nil || p.Source != "local" {
		return nil
	}
	var out []netip.Addr
	switch p.Protocol {
	case "static":
		for _, s := range o.Statics {
			if s.Prefix.String() != prefix {
				continue
			}
			for _, h := range s.NextHops {
				if h.Addr.IsValid() {
					out = append(out, h.Addr)
				}
			}
		}
	case "isis":
		if r := c.isis[o.Name][prefix]; r != nil {
			for _, h := range r.NextHops {
				if a, err := netip.ParseAddr(h.Address); err == nil {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// redistributedGatewayNextHop: FRR (like IOS) keeps a redistributed route's
// RIB gateway as its BGP next hop; the simulator uses next hop self (Junos).
// Condition: some router originates the prefix into BGP by redistributing a
// static with a next-hop address or an IS-IS route, FRR's next hop at this
// device is one of that route's gateways, and this device is not the
// originator (whose own route is compared as locally originated).
func redistributedGatewayNextHop(c *Context, d Diff) bool {
	frrNH, err := netip.ParseAddr(d.FRR.NextHop)
	if err != nil {
		return false
	}
	for _, o := range c.net.Devices {
		if slices.Contains(c.gateways(o, d.Prefix), frrNH) {
			return true
		}
	}
	return false
}

// redistributedGatewayOwnAddress: the router that owns such a gateway address
// receives the route with its own address as next hop and FRR drops it.
// Condition: some other router originates the prefix by redistribution with
// a gateway that is an address of this device.
func redistributedGatewayOwnAddress(c *Context, d Diff) bool {
	for _, o := range c.net.Devices {
		if o.Name == d.Device {
			continue
		}
		for _, g := range c.gateways(o, d.Prefix) {
			if c.owner[g] == d.Device {
				return true
			}
		}
	}
	return false
}

// selfResolvingOrigin: FRR 8.4 sometimes uses a path whose next hop resolves
// only through the path's own prefix; the simulator never does. Condition:
// the simulation has no BGP route for the prefix here, and a router that
// originates the prefix (its own best path is local) has an address inside
// it, the next hop its path carries.
func selfResolvingOrigin(c *Context, d Diff) bool {
	if c.best(d.Device, d.Prefix) != nil {
		return false
	}
	q, err := netip.ParsePrefix(d.Prefix)
	if err != nil {
		return false
	}
	for a, dev := range c.owner {
		if q.Contains(a) {
			if p := c.best(dev, d.Prefix); p != nil && p.Source == "local" {
				return true
			}
		}
	}
	return false
}

// selfResolvingOtherSender: frr84-nht-self-resolution one AS further. FRR's
// copy at another router S of the sender's AS was usable (so S sent it,
// without the MED the originator sets), the simulator's was not (so only
// the originator's path arrives). Condition: the simulated best path here
// is eBGP from an inventoried router; FRR's next hop (bgp) or every next hop
// (fib) is an address of S, another router of that sender's AS; and the
// condition of frr84-nht-self-resolution holds at S.
func selfResolvingOtherSender(c *Context, d Diff) bool {
	p := c.best(d.Device, d.Prefix)
	if p == nil || p.Source != "ebgp" || p.FromDevice == "" {
		return false
	}
	hops := []string{d.FRR.NextHop}
	if d.Kind == "fib" {
		hops = d.FRR.Hops
	}
	var other string
	for _, h := range hops {
		a, err := netip.ParseAddr(h)
		if err != nil || c.owner[a] == "" || (other != "" && c.owner[a] != other) {
			return false
		}
		other = c.owner[a]
	}
	sender, o := c.net.Device(p.FromDevice), c.net.Device(other)
	if o == nil || sender == nil || o == sender || o.BGP == nil || sender.BGP == nil || o.BGP.AS != sender.BGP.AS {
		return false
	}
	return selfResolvingOrigin(c, Diff{Device: other, Prefix: d.Prefix})
}

// reflectedNextHopSelf: OpenConfig (and the simulator) apply an export
// policy's next-hop self to reflected routes; FRR never changes the next hop
// of a reflected iBGP route. Condition: the simulated best path at this
// device was received over iBGP from a route reflector whose own best path
// for the prefix is iBGP-learned (so it reflected it), the simulated next hop
// is the reflector's own address (self was applied) where the reflector's
// path had another one, and FRR's next hop is that unchanged next hop.
func reflectedNextHopSelf(c *Context, d Diff) bool {
	p := c.best(d.Device, d.Prefix)
	if p == nil || p.Source != "ibgp" || p.FromDevice == "" {
		return false
	}
	rr := c.net.Device(p.FromDevice)
	if rr == nil || rr.BGP == nil || !slices.ContainsFunc(rr.BGP.Neighbors, func(n network.Neighbor) bool { return n.RRClient }) {
		return false
	}
	rp := c.best(rr.Name, d.Prefix)
	if rp == nil || rp.Source != "ibgp" {
		return false
	}
	simNH, err := netip.ParseAddr(p.NextHop)
	if err != nil || c.owner[simNH] != rr.Name || rp.NextHop == p.NextHop {
		return false
	}
	return d.FRR.NextHop == rp.NextHop
}

// aggregateNotInstalled: FRR 8.4 does not install its own aggregate when a
// peer's identical aggregate arrived first (fixed in FRR 9.0). Condition:
// this device and another one both configure the prefix as a local
// aggregate, the simulated best path here is the local aggregate, and FRR's
// next hop is an address of another router that aggregates it.
func aggregateNotInstalled(c *Context, d Diff) bool {
	origin, others := c.aggregateBug(d.Device, d.Prefix)
	if origin == "" {
		return false
	}
	if p := c.best(d.Device, d.Prefix); p.Source == "ebgp" {
		// One AS further the sender and so the next hop are the same;
		// only what the origin's aggregate policy set differs (the
		// exception's differs list keeps it to communities).
		return d.FRR.NextHop == d.Sim.NextHop
	}
	nh, err := netip.ParseAddr(d.FRR.NextHop)
	if err != nil {
		return false
	}
	return slices.Contains(others, c.owner[nh])
}

// aggregateNotInstalledFIB: the forwarding side. FRR forwards with another
// aggregator's path where the simulator discards locally or forwards towards
// the origin; bgpd may even show its own aggregate as best while zebra never
// got it (the shipped scenarios, edge1.iad and edge1.sin), so FRR's hops are
// not checked against a particular aggregator.
func aggregateNotInstalledFIB(c *Context, d Diff) bool {
	origin, _ := c.aggregateBug(d.Device, d.Prefix)
	return origin != "" && d.FRR.NextHop == "forward"
}

// aggregateNotInstalledExport: what this router sends an external speaker
// is FRR's path (the other aggregator's, without the attributes the origin's
// aggregate policy sets): only the communities may differ.
func aggregateNotInstalledExport(c *Context, d Diff) bool {
	origin, _ := c.aggregateBug(d.Device, d.Prefix)
	return origin != ""
}

// aggregateBug: the condition of frr84-aggregate-not-installed for the
// simulated best path at dev. origin is the router whose local aggregate
// that path is (dev itself, or the router it was learned from: the
// originator ID when reflected); others are the other routers that
// aggregate the same prefix, whose path FRR's origin already has and so
// keeps instead of installing its own. Empty origin: the condition does not
// hold.
func (c *Context) aggregateBug(dev, prefix string) (origin string, others []string) {
	aggregates := func(d *network.Device) bool {
		return d != nil && slices.ContainsFunc(d.Aggregates, func(a network.Aggregate) bool { return a.Prefix.String() == prefix })
	}
	p := c.best(dev, prefix)
	if p == nil {
		return "", nil
	}
	switch {
	case p.Source == "ebgp" && p.FromDevice != "" && p.FromDevice != dev:
		// Learned from an inventoried router of another AS: the
		// aggregate is that sender's (gen/100: r12 gets the origin's
		// communities in the simulation, the other aggregator's in FRR).
		return c.aggregateBug(p.FromDevice, prefix)
	case p.Source == "local":
		origin = dev
	case p.Source == "ibgp" && p.OriginatorID != "":
		for _, o := range c.net.Devices {
			if o.BGP != nil && o.BGP.RouterID.String() == p.OriginatorID {
				origin = o.Name
			}
		}
	case p.Source == "ibgp":
		origin = p.FromDevice
	}
	op := c.best(origin, prefix)
	if origin == "" || !aggregates(c.net.Device(origin)) || op == nil || op.Source != "local" || op.Protocol != "aggregate" {
		return "", nil
	}
	for _, o := range c.net.Devices {
		if o.Name != origin && aggregates(o) {
			others = append(others, o.Name)
		}
	}
	if len(others) == 0 {
		return "", nil
	}
	return origin, others
}

// parallelAdjacencyNextHop: with two links to the same neighbour at different
// metrics, FRR 8.4 takes the next hop from whichever adjacency it lists
// first. Condition: this device has at least two IS-IS adjacencies to one
// neighbour with different metrics from this side, and every next hop that
// only one side has is an address of that neighbour. The fib variant is the
// same cause seen in the forwarding of BGP prefixes resolved over that IGP
// route.
func parallelAdjacencyNextHop(c *Context, d Diff) bool {
	metrics := map[string][]uint32{}
	for _, a := range c.res.Adjacencies {
		switch d.Device {
		case a.A:
			metrics[a.B] = append(metrics[a.B], a.MetricAB)
		case a.B:
			metrics[a.A] = append(metrics[a.A], a.MetricBA)
		}
	}
	// Only the hops one side has and the other has not must lead to that
	// neighbour: a prefix with ECMP over another neighbour too keeps that
	// branch on both sides.
	var differ []string
	for _, h := range d.Sim.Hops {
		if !slices.Contains(d.FRR.Hops, h) {
			differ = append(differ, h)
		}
	}
	for _, h := range d.FRR.Hops {
		if !slices.Contains(d.Sim.Hops, h) {
			differ = append(differ, h)
		}
	}
	if len(differ) == 0 {
		return false
	}
	var nbr string
	for _, h := range differ {
		addr, _, _ := strings.Cut(h, "%")
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return false
		}
		o := c.owner[a]
		if o == "" || (nbr != "" && o != nbr) {
			return false
		}
		nbr = o
	}
	ms := metrics[nbr]
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	return len(ms) >= 2 && ms[0] != ms[len(ms)-1]
}

// forwardsTowardsGateway: the forwarding side of
// redistributedGatewayNextHop. With the gateway as BGP next hop, FRR
// resolves it through the IGP and forwards straight towards the gateway;
// the simulator forwards towards the originator. Condition: a router
// redistributes the prefix with gateway G, and FRR's next hops here are
// exactly this router's IGP next hops towards G (or G itself when it is on
// a connected subnet).
func forwardsTowardsGateway(c *Context, d Diff) bool {
	if d.FRR.NextHop != "forward" || len(d.FRR.Hops) == 0 {
		return false
	}
	for _, o := range c.net.Devices {
		for _, g := range c.gateways(o, d.Prefix) {
			if want := c.igpHops(d.Device, g); want != nil && slices.Equal(want, d.FRR.Hops) {
				return true
			}
		}
	}
	return false
}

// igpHops: dev's next hops towards address a, sorted: a itself when it is
// on one of dev's connected subnets, else the hops of dev's longest IS-IS
// route covering a; nil when neither.
func (c *Context) igpHops(dev string, a netip.Addr) []string {
	if d := c.net.Device(dev); d != nil {
		for _, ifc := range d.Interfaces {
			for _, p := range ifc.Addresses {
				if p.Bits() < 32 && p.Masked().Contains(a) {
					return []string{a.String()}
				}
			}
		}
	}
	var best *sim.ISISRoute
	bestBits := -1
	for ps, r := range c.isis[dev] {
		p, err := netip.ParsePrefix(ps)
		if err == nil && p.Contains(a) && p.Bits() > bestBits {
			best, bestBits = r, p.Bits()
		}
	}
	if best == nil {
		return nil
	}
	var out []string
	for _, h := range best.NextHops {
		out = append(out, h.Address)
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}
