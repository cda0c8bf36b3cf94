package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"

	"github.com/backstop-net/backstop/models/network"
)

// Observation is the routing state another routing stack reached for the same
// network: internal/emulate runs it on FRR. Policies are evaluated on it
// exactly as on a simulation (Result.Observe), so a verdict can be checked
// against real routing code rather than only against backstop's model of it.
type Observation struct {
	Source    string // "FRR", in reasons
	Converged bool
	Notes     []string
	// Established: per device, the neighbor addresses whose session is up.
	Established map[string]map[netip.Addr]bool
	// Received: per device and neighbor, the prefixes the neighbor's paths
	// put in the device's BGP table (after its import policy).
	Received map[string]map[netip.Addr][]netip.Prefix
	// Advertised: what every external speaker received. Device, Neighbor
	// (the device's address for the speaker), Prefix and ASPath are filled;
	// Observe fills Peer, Role and Site.
	Advertised []Advertisement
	// FIB: per device, the routes it forwards with.
	FIB map[string][]FIBRoute
}

// FIBRoute is one forwarding entry of an observed device.
type FIBRoute struct {
	Prefix netip.Prefix
	// Originates: a connected route (traffic is delivered on the subnet).
	Originates bool
	// Blackhole: a discard route (a static to null, an aggregate). It
	// delivers only where it lies inside the walk's target and the device
	// originates it into BGP (as in the simulated walk); elsewhere it drops.
	Blackhole bool
	Protocol  string
	NextHops  []netip.Addr // directly connected next-hop addresses
}

type observed struct {
	o   *Observation
	fib map[string][]FIBRoute // sorted longest prefix first
}

// Observe returns a Result whose sessions, advertisements, forwarding and
// anycast health are those of o; the network, links and IS-IS adjacencies
// stay the simulation's (they are inputs of the observed stack, not its
// output). r itself is not changed.
func (r *Result) Observe(o *Observation) *Result {
	src := o.Source
	if src == "" {
		src = "the observed network"
	}
	x := *r
	x.obs = &observed{o: o, fib: map[string][]FIBRoute{}}
	x.adv = &advCache{}
	for dev, routes := range o.FIB {
		rs := slices.Clone(routes)
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Prefix.Bits() > rs[j].Prefix.Bits() })
		x.obs.fib[dev] = rs
	}
	x.Converged = r.Converged && o.Converged
	x.Notes = append(slices.Clone(r.Notes), o.Notes...)
	x.Sessions = slices.Clone(r.Sessions)
	for i := range x.Sessions {
		s := &x.Sessions[i]
		up := o.Established[s.Device][s.Neighbor]
		switch {
		case up == s.Established:
		case up:
			s.Established, s.Reason = true, ""
		default:
			s.Established = false
			s.Reason = "not established in " + src
			if r.Sessions[i].Reason != "" {
				s.Reason = r.Sessions[i].Reason
			}
		}
	}
	x.Anycast = slices.Clone(r.Anycast)
	for i := range x.Anycast {
		a := &x.Anycast[i]
		a.SessionUp = o.Established[a.Device][a.Neighbor]
		a.Healthy, a.HealthPath, a.Reason = x.observedHealth(a)
		accepted := slices.Contains(o.Received[a.Device][a.Neighbor], a.Prefix.Masked())
		// Selected: the edge forwards the service prefix to this announcer
		// (as the simulated rule: best path or in the multipath set).
		selected := false
		for _, rt := range x.obs.fib[a.Device] {
			if rt.Prefix == a.Prefix.Masked() {
				selected = slices.Contains(rt.NextHops, a.Neighbor)
				break
			}
		}
		a.Announcing = a.Healthy && a.SessionUp && accepted && selected
		switch {
		case a.Healthy && !a.SessionUp:
			a.Reason = "its BGP session to " + a.Device + " is down in " + src
		case a.Healthy && !accepted:
			a.Reason = a.Device + " does not accept the announcement of " + a.Prefix.String() + " in " + src
		case a.Healthy && !selected:
			a.Reason = a.Device + " does not forward " + a.Prefix.String() + " to this announcer in " + src
		}
	}
	return &x
}

// observedHealth is the anycast health rule on the observed forwarding.
func (r *Result) observedHealth(a *AnycastSite) (bool, []string, string) {
	i := slices.IndexFunc(r.Net.Anycast, func(s network.AnycastService) bool { return s.Service == a.Service })
	if i < 0 {
		return false, nil, "unknown service " + a.Service
	}
	return healthRule(a.Device, r.Net.Anycast[i].ReachAny,
		func(p netip.Prefix) (bool, []string, string) { return r.Reaches(a.Device, p) })
}

func (r *Result) observedAdvertised() []Advertisement {
	type key struct {
		dev string
		nbr netip.Addr
	}
	sess := map[key]Session{}
	for _, s := range r.Sessions {
		if s.External {
			sess[key{s.Device, s.Neighbor}] = s
		}
	}
	var out []Advertisement
	for _, a := range r.obs.o.Advertised {
		s, ok := sess[key{a.Device, a.Neighbor}]
		if !ok {
			continue
		}
		a.Peer, a.Role, a.PeerAS = s.Peer, s.Role, s.PeerAS
		if d := r.Net.Device(a.Device); d != nil {
			a.Site = d.Site
		}
		a.Prefix = a.Prefix.Masked()
		// What the observed stack sent decides NO_EXPORT and BLACKHOLE too:
		// a prefix FRR sends with NO_EXPORT is not announced to the Internet.
		out = append(out, a.withCommunities(a.Communities))
	}
	sortAdvertisements(out)
	return out
}

// observedWalk is walkHops on the observed forwarding tables: longest
// match, with the arrival rule of the simulated walk (state.walk).
func (r *Result) observedWalk(start string, a netip.Addr, target netip.Prefix, x Exit) (bool, []string, string) {
	name := func(d string) string { return d }
	return walkHops(start, name, a, func(d string) (bool, []string, []hopFail) {
		if d != start && x.into(d) {
			return true, nil, nil
		}
		var e *FIBRoute
		for i, rt := range r.obs.fib[d] {
			if rt.Prefix.Contains(a) {
				e = &r.obs.fib[d][i]
				break
			}
		}
		var fails []hopFail
		switch {
		case e == nil:
			return false, nil, []hopFail{{"", fmt.Sprintf("%s has no route to %s", d, a)}}
		case e.Originates:
			return x.Local, nil, localFail(x, d, a, e)
		case e.Blackhole:
			if dev := r.Net.Device(d); dev != nil && inside(e.Prefix, target) && r.state.bgpOrigin(dev.ID, e.Prefix) {
				return x.Local, nil, localFail(x, d, a, e)
			}
			fails = append(fails, hopFail{"", fmt.Sprintf("%s drops traffic to %s: discard route %s (%s)", d, a, e.Prefix, e.Protocol)})
		case len(e.NextHops) == 0:
			return false, nil, []hopFail{{"", fmt.Sprintf("%s has route %s (%s) without a usable next hop", d, e.Prefix, e.Protocol)}}
		}
		var next []string
		handedOff := false
		for _, nh := range e.NextHops {
			if ref, ok := r.topo.owner[nh]; ok {
				next = append(next, r.Net.Devices[ref.dev].Name)
				continue
			}
			peer := nh.String()
			for _, xn := range r.external {
				if xn.addr == nh {
					peer = xn.name
				}
			}
			if x.out(peer) {
				handedOff = true
				continue
			}
			fails = append(fails, hopFail{peer, fmt.Sprintf("%s forwards %s to %s (route %s via %s): it leaves the network",
				d, a, peer, e.Prefix, nh)})
		}
		if handedOff && len(next) == 0 && len(fails) == 0 {
			return true, nil, nil
		}
		return false, next, fails
	})
}

func localFail(x Exit, d string, a netip.Addr, e *FIBRoute) []hopFail {
	if x.Local {
		return nil
	}
	return []hopFail{{"", fmt.Sprintf("%s keeps traffic to %s inside the network (%s %s): it does not leave where it must", d, a, e.Protocol, e.Prefix)}}
}
