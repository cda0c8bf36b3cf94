// Package compile turns a snapshot's OpenConfig trees into the vendor-neutral
// network model the simulator runs on.
//
// Stage: after snapshot (and change, for a candidate), before sim. Input: a
// *snapshot.Snapshot. Output: a *network.Network with devices, interfaces,
// IS-IS, BGP (peer-group inheritance resolved), statics, aggregates,
// redistribution and compiled routing policy, plus the environment.
//
// Compile fails closed: a reference that does not resolve (a policy, a set, a
// peer-group), an unparseable address or prefix or a bad regex is a bad-input
// error naming the device and the path; and every configured leaf outside the
// modelled subset is listed in Network.Unmodelled so that a policy can decide
// what it means, instead of the simulator silently ignoring it.
package compile

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/network"
	"github.com/backstop-net/backstop/models/oc"
)

// Compile builds the network model of a snapshot.
func Compile(s *snapshot.Snapshot) (*network.Network, error) { return CompileWith(s, nil) }

// DeviceCache keeps compiled devices between runs (internal/compilecache).
// A device's compiled form depends only on its name and its bytes (and on
// the compiler, which the cache's key covers): inventory facts (role, site,
// tags) and the device's ID are set by Compile afterwards, and the file name
// only appears in errors, which are never cached. Get returns a device the
// caller owns (no two calls share memory); a miss of any kind is false.
type DeviceCache interface {
	Get(name string, raw []byte) (*network.Device, []network.Unmodelled, bool)
	Put(name string, raw []byte, d *network.Device, unmod []network.Unmodelled)
}

// CompileWith is Compile reading and filling a device cache (nil: none).
// Devices rendered from a tree (a SetRequest applied to running, a gNMI
// Get) bypass the cache: their tree, not their rendering, is what was
// compiled, so their bytes are not a faithful key.
func CompileWith(s *snapshot.Snapshot, cache DeviceCache) (*network.Network, error) {
	if s == nil {
		return nil, fmt.Errorf("compile: nil snapshot")
	}
	net := &network.Network{}
	names := s.Names()
	ids := make(map[string]network.DeviceID, len(names))
	for i, n := range names {
		ids[n] = network.DeviceID(i)
	}
	for i, n := range names {
		d, unmod, err := compileCached(n, s.Devices[n], cache)
		if err != nil {
			return nil, err
		}
		d.ID = network.DeviceID(i)
		if s.Inventory != nil {
			if inv := s.Inventory.Device(n); inv != nil {
				d.Role, d.Site = inv.Role, inv.Site
				d.Tags = append([]string(nil), inv.Tags...)
			}
		}
		net.Devices = append(net.Devices, d)
		net.Unmodelled = append(net.Unmodelled, unmod...)
	}
	sort.Slice(net.Unmodelled, func(i, j int) bool {
		a, b := net.Unmodelled[i], net.Unmodelled[j]
		if a.Device != b.Device {
			return a.Device < b.Device
		}
		return a.Path < b.Path
	})

	if s.Inventory != nil {
		for _, l := range s.Inventory.Links {
			a, okA := ids[l.A]
			b, okB := ids[l.B]
			if !okA || !okB {
				return nil, fault.Badf("inventory link %s:%s - %s:%s: device has no config", l.A, l.AIface, l.B, l.BIface)
			}
			net.ExplicitLinks = append(net.ExplicitLinks, network.ExplicitLink{
				A: a, B: b, AIface: normaliseIface(l.AIface), BIface: normaliseIface(l.BIface)})
		}
	}
	if err := compileEnvironment(s.Environment, ids, net); err != nil {
		return nil, err
	}
	return net, nil
}

func compileEnvironment(env *snapshot.Environment, ids map[string]network.DeviceID, net *network.Network) error {
	if env == nil {
		return nil
	}
	for _, p := range env.ExternalPeers {
		id, ok := ids[p.Device]
		if !ok {
			return fault.Badf("environment line %d: external peer %s: unknown device %q", p.Line, p.Neighbor, p.Device)
		}
		name := p.Name
		if name == "" {
			name = p.Device + "/" + p.Neighbor.String()
		}
		net.External = append(net.External, network.ExternalPeer{
			Name: name, Device: id, Neighbor: p.Neighbor, ASN: p.ASN, Role: p.Role,
			Announces: append([]netip.Prefix(nil), p.Announces...)})
	}
	for _, a := range env.Anycast {
		svc := network.AnycastService{Service: a.Service, Prefix: a.Prefix,
			ReachAny: append([]netip.Prefix(nil), a.Health.ReachAny...)}
		for _, st := range a.Sites {
			id, ok := ids[st.Device]
			if !ok {
				return fault.Badf("environment line %d: anycast %s site %s: unknown device %q", a.Line, a.Service, st.Site, st.Device)
			}
			svc.Sites = append(svc.Sites, network.AnycastSite{Site: st.Site, Device: id, Neighbor: st.Neighbor, ASN: st.ASN})
		}
		net.Anycast = append(net.Anycast, svc)
	}
	return nil
}

// devCompiler holds one device's state while it is compiled.
type devCompiler struct {
	name     string
	file     string // where the config came from, for error messages
	raw      []byte
	rendered bool
	tree     *oc.Device
	dev      *network.Device
	unmod    []network.Unmodelled
	stmt     *network.Statement // the policy statement being compiled, if any
	floating []floatingHop      // static next hops with a preference above eBGP's
}

type floatingHop struct {
	path       string // the preference leaf
	preference uint32
}

// errf is a bad-input error naming the file and line (when the config came
// from a file), the device and the path.
func (c *devCompiler) errf(path, format string, args ...any) error {
	where := c.name
	if c.file != "" {
		where = c.file + ": " + c.name
		if l := oc.LineOfPath(c.raw, path); l > 0 && !c.rendered {
			where = fmt.Sprintf("%s: line %d: %s", c.file, l, c.name)
		}
	}
	return fault.Badf("%s: %s: %s", where, path, fmt.Sprintf(format, args...))
}

// unmodelled records config the simulator cannot interpret: leaves the
// classifier rejects, vendor augmentations, and modelled leaves whose value it
// cannot represent (e.g. set-med "+10"). Inside a routing-policy statement it
// also makes the statement unknown: a statement with a condition or action
// the simulator does not understand must never be run as if that condition or
// action were absent (that would make it match, or act on, every route).
func (c *devCompiler) unmodelled(path, reason string) {
	c.unmod = append(c.unmod, network.Unmodelled{Device: c.name, Path: path, Reason: reason})
	if c.stmt != nil && (path == c.stmt.Path || strings.HasPrefix(path, c.stmt.Path+"/")) {
		c.stmt.Unknown = append(c.stmt.Unknown, path+": "+reason)
	} else if st := c.statementOf(path); st != nil {
		st.Unknown = append(st.Unknown, path+": "+reason)
	}
}

// unmodelledOnce is unmodelled for a leaf that many objects read (a global
// setting every neighbor inherits): one finding, not one per neighbor.
func (c *devCompiler) unmodelledOnce(path, reason string) {
	for _, u := range c.unmod {
		if u.Path == path {
			return
		}
	}
	c.unmodelled(path, reason)
}

// statementOf returns the compiled policy statement whose subtree holds path.
func (c *devCompiler) statementOf(path string) *network.Statement {
	if !strings.HasPrefix(path, rpPath+"/policy-definitions/") {
		return nil
	}
	for _, pol := range c.dev.Policies {
		if !strings.HasPrefix(path, pol.Path+"/") {
			continue
		}
		for i := range pol.Statements {
			st := &pol.Statements[i]
			if path == st.Path || strings.HasPrefix(path, st.Path+"/") {
				return st
			}
		}
	}
	return nil
}

func compileCached(name string, dc *snapshot.DeviceConfig, cache DeviceCache) (*network.Device, []network.Unmodelled, error) {
	useCache := cache != nil && dc != nil && !dc.Rendered && len(dc.Raw) > 0
	if useCache {
		if d, unmod, ok := cache.Get(name, dc.Raw); ok {
			return d, unmod, nil
		}
	}
	if err := dc.Decoded(); err != nil {
		return nil, nil, err
	}
	d, unmod, err := compileDevice(name, dc)
	if err == nil && useCache {
		cache.Put(name, dc.Raw, d, unmod)
	}
	return d, unmod, err
}

func compileDevice(name string, dc *snapshot.DeviceConfig) (*network.Device, []network.Unmodelled, error) {
	c := &devCompiler{name: name, dev: &network.Device{Name: name,
		Policies: map[string]*network.Policy{}, PrefixSets: map[string]*network.PrefixSet{},
		CommunitySets: map[string]*network.CommunitySet{}, ASPathSets: map[string]*network.ASPathSet{}}}
	if dc == nil || dc.Tree == nil {
		return nil, nil, fault.Badf("%s: no configuration tree", name)
	}
	c.tree, c.file, c.raw, c.rendered = dc.Tree, dc.File, dc.Raw, dc.Rendered
	if err := c.interfaces(); err != nil {
		return nil, nil, err
	}
	if err := c.routingPolicy(); err != nil {
		return nil, nil, err
	}
	if err := c.networkInstance(); err != nil {
		return nil, nil, err
	}
	c.floatingRedistributed()
	for _, ig := range dc.Ignored {
		c.unmodelled(ig.Path, ReasonNotInBinding)
	}
	for _, l := range oc.Leaves(dc.Tree) {
		if reason := Classify(&l); reason != "" {
			c.unmodelled(l.Path, reason)
		}
	}
	return c.dev, c.unmod, nil
}

// floatingRedistributed: a floating static (preference above eBGP's 20) that
// is also redistributed into BGP competes with BGP for its own prefix: zebra
// redistributes only the route it selected, so whether the static is
// announced depends on what BGP learns, and learning it can withdraw the
// very announcement it came from. The simulator does not model that loop,
// so the preference leaf stays unmodelled there (fails closed); everywhere
// else floating statics are simulated.
func (c *devCompiler) floatingRedistributed() {
	redistributed := slices.ContainsFunc(c.dev.TableConnections, func(tc network.TableConnection) bool {
		return tc.Src == network.ProtoStatic
	})
	if !redistributed {
		return
	}
	for _, h := range c.floating {
		c.unmodelled(h.path, fmt.Sprintf("floating static route (preference %d) redistributed into BGP: whether it is announced depends on the BGP routes it competes with, which the simulator does not model", h.preference))
	}
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// ReasonNotInBinding is the Unmodelled reason for JSON members the OpenConfig
// binding does not know.
const ReasonNotInBinding = "not in the OpenConfig binding (vendor augmentation?)"

// niPath is the path of the default network instance (named as configured).
func niPath(name string) string {
	return "/network-instances/network-instance[name=" + oc.EscapeKey(name) + "]"
}

// isDefaultNI accepts "DEFAULT" in any case: OpenConfig names it DEFAULT, some
// vendors render it "default".
func isDefaultNI(name string) bool { return strings.EqualFold(name, "DEFAULT") }

func (c *devCompiler) networkInstance() error {
	var niName string
	for n := range c.tree.NetworkInstance {
		if isDefaultNI(n) && (niName == "" || n < niName) {
			niName = n
		}
	}
	if niName == "" {
		return nil
	}
	ni := c.tree.NetworkInstance[niName]
	base := niPath(niName)
	// The simulator runs this instance as the global routing table. Typed as
	// anything but the default instance it is a VRF on the router: its
	// routes and sessions are not the backbone's, so routing there would be
	// a guess (a type change pushed to DEFAULT moves everything out of the
	// global table).
	if t := oc.EnumName(ni.Type); t != "" && t != "DEFAULT_INSTANCE" {
		c.unmodelled(base+"/config/type", "the instance simulated as the global routing table is of type "+t+", not DEFAULT_INSTANCE: its routes would live in a VRF, which backstop does not simulate")
	}

	type proto struct {
		id, name string
		path     string
		enabled  bool
		p        *oc.Protocol
	}
	var protos []proto
	for k, p := range ni.Protocol {
		id := oc.EnumName(k.Identifier)
		protos = append(protos, proto{id: id, name: k.Name,
			path:    base + "/protocols/protocol[identifier=" + id + "][name=" + oc.EscapeKey(k.Name) + "]",
			enabled: p.Enabled == nil || *p.Enabled, p: p})
	}
	sort.Slice(protos, func(i, j int) bool {
		if protos[i].id != protos[j].id {
			return protos[i].id < protos[j].id
		}
		return protos[i].name < protos[j].name
	})
	var routerID string
	if ni.RouterId != nil {
		routerID = *ni.RouterId
	}
	for _, p := range protos {
		switch p.id {
		case "ISIS":
			if c.dev.ISIS != nil {
				c.unmodelled(p.path, "a second IS-IS instance is not simulated")
				continue
			}
			if err := c.isis(p.p.Isis, p.path, p.enabled); err != nil {
				return err
			}
		case "BGP":
			if c.dev.BGP != nil {
				c.unmodelled(p.path, "a second BGP instance is not simulated")
				continue
			}
			if err := c.bgp(p.p.Bgp, p.path, p.enabled, routerID); err != nil {
				return err
			}
		case "STATIC":
			if !p.enabled {
				continue // a disabled protocol installs nothing
			}
			if err := c.statics(p.p.Static, p.path); err != nil {
				return err
			}
		case "LOCAL_AGGREGATE":
			if !p.enabled {
				continue
			}
			if err := c.aggregates(p.p.Aggregate, p.path); err != nil {
				return err
			}
		}
	}
	return c.tableConnections(ni, base)
}
