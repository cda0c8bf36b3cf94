package emulate

import (
	"strconv"
	"strings"

	"fmt"
	"github.com/backstop-net/backstop/models/network"
	"net/netip"
	"sort"

	"github.com/backstop-net/backstop/internal/emulate/frr"
	"github.com/backstop-net/backstop/internal/sim"
)

// fibOf turns "show ip route json" into forwarding entries: the selected
// route of each prefix; connected, static and aggregate (blackhole) routes
// originate, the others forward to their directly connected next hops.
func fibOf(rib map[netip.Prefix][]ribEntry) []sim.FIBRoute {
	var out []sim.FIBRoute
	for p, ents := range rib {
		for _, e := range ents {
			if !e.Selected {
				continue
			}
			r := sim.FIBRoute{Prefix: p, Protocol: e.Protocol}
			switch e.Protocol {
			case "connected", "local":
				r.Originates = true
			}
			for _, h := range e.Nexthops {
				if h.Blackhole || h.Unreachable {
					// Discard statics, and bgpd's aggregates, are installed
					// as blackholes.
					r.Blackhole = true
					continue
				}
				if !h.Active || h.Recursive || h.IP == "" {
					continue
				}
				if a, err := netip.ParseAddr(h.IP); err == nil {
					r.NextHops = append(r.NextHops, a)
				}
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Prefix.String() < out[j].Prefix.String() })
	return out
}

// Observe builds what FRR reached as a sim.Observation and returns the
// simulation result seen through it: the policies then evaluate FRR's
// routing (sessions, FIBs, what every external speaker received) instead of
// the simulator's.
func Observe(res *sim.Result, cfg *frr.Config, conv *Converged) (*sim.Result, error) {
	o := &sim.Observation{Source: "FRR", Converged: true,
		Established: map[string]map[netip.Addr]bool{},
		Received:    map[string]map[netip.Addr][]netip.Prefix{},
		FIB:         map[string][]sim.FIBRoute{}}
	for _, m := range conv.Missing {
		o.Notes = append(o.Notes, "FRR did not establish a session the simulation has: "+m)
	}
	for _, r := range cfg.Routers {
		st := conv.States[r.Name]
		if st == nil {
			return nil, fmt.Errorf("%s: no FRR state", r.Name)
		}
		est := map[netip.Addr]bool{}
		for a, s := range st.Sessions {
			if ip, err := netip.ParseAddr(a); err == nil {
				est[ip] = s == "Established"
			}
		}
		o.Established[r.Name] = est
		tab, err := st.tables()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		recv := map[netip.Addr][]netip.Prefix{}
		for p, ps := range tab.BGP {
			for _, x := range ps {
				if a, err := netip.ParseAddr(x.Peer.PeerID); err == nil && !a.IsUnspecified() {
					recv[a] = append(recv[a], p)
				}
			}
		}
		o.Received[r.Name] = recv
		o.FIB[r.Name] = fibOf(tab.RIB)
	}
	for _, s := range cfg.Speakers {
		raw, ok := conv.Speakers[s.Name]
		if !ok {
			return nil, fmt.Errorf("speaker %s: no FRR state", s.Name)
		}
		paths, err := bgpPaths(raw)
		if err != nil {
			return nil, fmt.Errorf("speaker %s: bgp json: %w", s.Name, err)
		}
		for p, ps := range paths {
			for _, x := range ps {
				if x.Peer.PeerID != s.PeerAddr.String() {
					continue // its own announcement
				}
				cs, err := parseCommunities(x.communities())
				if err != nil {
					return nil, fmt.Errorf("speaker %s: %s: %w", s.Name, p, err)
				}
				o.Advertised = append(o.Advertised, sim.Advertisement{Device: s.Device, Neighbor: s.Addr.Addr(),
					Prefix: p, ASPath: parseASPath(x.ASPath.String), Communities: cs})
			}
		}
	}
	return res.Observe(o), nil
}

// parseCommunities reads normalised "asn:value" communities.
func parseCommunities(ss []string) ([]network.Community, error) {
	var out []network.Community
	for _, c := range ss {
		hi, lo, ok := strings.Cut(c, ":")
		a, err1 := strconv.ParseUint(hi, 10, 16)
		b, err2 := strconv.ParseUint(lo, 10, 16)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("community %q: not a standard community", c)
		}
		out = append(out, network.Community(a<<16|b))
	}
	return out, nil
}

// communityStrings formats communities as the comparison does.
func communityStrings(cs []network.Community) []string {
	var out []string
	for _, c := range cs {
		out = append(out, strconv.Itoa(int(c>>16))+":"+strconv.Itoa(int(c&0xffff)))
	}
	return sortedOrNil(out)
}
