package sim

import (
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/backstop-net/backstop/models/network"
)

// PolicyUnknown is a routing-policy statement that a route reached but whose
// conditions or actions the simulator does not model (compile lists the
// leaves). The route's fate there is unknown, so nothing that depends on the
// prefix can be judged: the policy stage blocks on it.
type PolicyUnknown struct {
	Device    string
	Policy    string
	Statement string
	Path      string   // the statement's OpenConfig path
	Leaves    []string // "<path>: <reason>" of what is not modelled
}

// unknownSink collects PolicyUnknowns per prefix; BGP propagation runs
// prefixes in parallel, so it locks.
type unknownSink struct {
	mu  sync.Mutex
	hit map[netip.Prefix]map[string]PolicyUnknown
}

func newUnknownSink() *unknownSink {
	return &unknownSink{hit: map[netip.Prefix]map[string]PolicyUnknown{}}
}

func (u *unknownSink) add(p netip.Prefix, d *network.Device, pol *network.Policy, st *network.Statement) {
	if u == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.hit[p]
	if m == nil {
		m = map[string]PolicyUnknown{}
		u.hit[p] = m
	}
	k := d.Name + "\x00" + st.Path
	if _, ok := m[k]; !ok {
		m[k] = PolicyUnknown{Device: d.Name, Policy: pol.Name, Statement: st.Name, Path: st.Path,
			Leaves: append([]string(nil), st.Unknown...)}
	}
}

// take removes and returns what was recorded for p, sorted.
func (u *unknownSink) take(p netip.Prefix) []PolicyUnknown {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.hit[p]
	delete(u.hit, p)
	return sortedUnknowns(m)
}

func (u *unknownSink) get(p netip.Prefix) []PolicyUnknown {
	u.mu.Lock()
	defer u.mu.Unlock()
	return sortedUnknowns(u.hit[p])
}

func sortedUnknowns(m map[string]PolicyUnknown) []PolicyUnknown {
	if len(m) == 0 {
		return nil
	}
	out := make([]PolicyUnknown, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// policyCtx starts a policy evaluation for BGP propagation.
func (s *state) policyCtx(d *network.Device, p netip.Prefix) *policyCtx {
	return &policyCtx{dev: d, prefix: p, unknown: s.bgpUnknown, sets: s.setIndex}
}

// propagateClass propagates one prefix class and keeps, with its RIBs, the
// unknown statements its routes reached: every prefix of the class shares them.
func (s *state) propagateClass(w *propagator, pid int32) *prefixRIB {
	r := w.propagate(pid)
	r.unknown = s.bgpUnknown.take(s.bgp.prefixes[pid])
	return r
}

// PolicyUnknowns lists the unknown statements that routes for exactly p
// reached (BGP propagation and redistribution into BGP), sorted.
func (r *Result) PolicyUnknowns(p netip.Prefix) []PolicyUnknown {
	if r.state == nil || r.bgp == nil {
		return nil
	}
	p = p.Masked()
	var out []PolicyUnknown
	if pid, ok := r.bgp.pid[p]; ok && r.bgp.ribs[pid] != nil {
		out = append(out, r.bgp.ribs[pid].unknown...)
	}
	out = append(out, r.state.localUnknown.get(p)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Path < out[j].Path
	})
	return dedupeUnknowns(out)
}

// PolicyUnknownsCovering lists the unknown statements reached by routes for p
// or for any BGP prefix that covers p or lies inside it: forwarding to p
// depends on all of them.
func (r *Result) PolicyUnknownsCovering(p netip.Prefix) []PolicyUnknown {
	if r.bgp == nil {
		return nil
	}
	var out []PolicyUnknown
	for _, q := range r.bgp.prefixes {
		if q.Overlaps(p) {
			out = append(out, r.PolicyUnknowns(q)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Path < out[j].Path
	})
	return dedupeUnknowns(out)
}

// AllPolicyUnknowns lists every unknown statement any route reached.
func (r *Result) AllPolicyUnknowns() []PolicyUnknown {
	if r.bgp == nil {
		return nil
	}
	var out []PolicyUnknown
	for _, q := range r.bgp.prefixes {
		out = append(out, r.PolicyUnknowns(q)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Path < out[j].Path
	})
	return dedupeUnknowns(out)
}

func dedupeUnknowns(l []PolicyUnknown) []PolicyUnknown {
	out := l[:0]
	for i, u := range l {
		if i > 0 && u.Device == l[i-1].Device && u.Path == l[i-1].Path {
			continue
		}
		out = append(out, u)
	}
	return out
}

// String is "<device> policy <name> statement <name>".
func (u PolicyUnknown) String() string {
	return u.Device + " policy " + u.Policy + " statement " + u.Statement + " (" + strings.Join(u.Leaves, "; ") + ")"
}

// KnowsPrefix reports whether any router or external speaker in the network
// has or originates a BGP route for exactly p: a policy naming a prefix the
// network has never heard of is a typo, not an invariant that holds.
func (r *Result) KnowsPrefix(p netip.Prefix) bool {
	if r.bgp == nil {
		return false
	}
	_, ok := r.bgp.pid[p.Masked()]
	return ok
}

// LocalOrigins lists the devices that originate p or a more specific of it
// into BGP themselves (redistributed or aggregated), as "device|prefix"
// keys. It reads only the prefixes inside p, so policies can ask it per
// critical prefix on a 1,000-router network.
func (r *Result) LocalOrigins(p netip.Prefix) map[string]netip.Prefix {
	out := map[string]netip.Prefix{}
	if r.bgp == nil || r.state == nil {
		return out
	}
	for pid, q := range r.bgp.prefixes {
		if !inside(q, p) {
			continue
		}
		for d := range r.Net.Devices {
			if bp := r.state.bestAt(int32(pid), int32(d)); bp != nil && bp.Local {
				out[r.Net.Devices[d].Name+"|"+q.String()] = q
			}
		}
	}
	return out
}

// ConnectedInside lists the connected subnets inside p (equal or more
// specific) of interfaces that are up, as "device|prefix" keys. A router
// delivers traffic for such a subnet to the interface itself, and the
// forwarding walk counts that as arrival: it cannot tell a data centre's
// server LAN from a loopback that a change numbers out of the data centre's
// prefix. The policy stage compares the owners before and after instead.
func (r *Result) ConnectedInside(p netip.Prefix) map[string]netip.Prefix {
	out := map[string]netip.Prefix{}
	if r.topo == nil {
		return out
	}
	for d, m := range r.topo.connected {
		for q := range m {
			if inside(q, p) {
				out[r.Net.Devices[d].Name+"|"+q.String()] = q
			}
		}
	}
	return out
}

// HasBestBGP reports whether device has a best BGP route for exactly p: the
// question Routes(device) answers for one prefix, without rendering every
// route of the device (the policy stage asks it per lost announcement).
func (r *Result) HasBestBGP(device string, p netip.Prefix) bool {
	d := r.Net.Device(device)
	if d == nil || r.bgp == nil || r.state == nil {
		return false
	}
	pid, ok := r.bgp.pid[p]
	return ok && r.state.bestAt(int32(pid), int32(d.ID)) != nil
}
