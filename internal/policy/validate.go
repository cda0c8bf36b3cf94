package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
)

// Validate checks that every invariant of f names things that exist in the
// running network. A typo in a role, a service, a device or a prefix would
// otherwise make the invariant match nothing and pass every change, so it is
// bad input (exit 4) naming the file and line; an invariant that needs
// environment.yaml data the snapshot lacks says what to add.
func (f *File) Validate(running *sim.Result) error {
	net := running.Net
	devRoles, sites := map[string]bool{}, map[string]bool{}
	for _, d := range net.Devices {
		devRoles[d.Role] = true
		sites[d.Site] = true
	}
	services := map[string]bool{}
	for _, a := range net.Anycast {
		services[a.Service] = true
	}
	for i := range f.Invariants {
		inv := &f.Invariants[i]
		bad := func(format string, args ...any) error {
			where := "policy"
			if f.Path != "" {
				where = f.Path
			}
			return fault.Badf("%s: line %d: invariant %q: %s", where, inv.Line, inv.Name, fmt.Sprintf(format, args...))
		}
		switch inv.Kind {
		case KindCriticalPrefixes:
			if len(net.External) == 0 && !slices.ContainsFunc(running.Sessions, func(s sim.Session) bool { return !s.IBGP && net.Device(s.Peer) != nil }) {
				return bad("the running network declares no external peers, so no prefix can be checked towards %s; add external_peers (device, neighbor, asn, role) to environment.yaml or pass --environment",
					peersLabel(inv.ToPeers))
			}
			if err := selectorsMatch(running, inv.ToPeers, "to_peers"); err != nil {
				return bad("%v", err)
			}
			for _, p := range inv.Prefixes {
				if !running.KnowsPrefix(p) {
					return bad("prefix %s is not originated or carried anywhere in the running network (a typo, or a prefix-length that differs from what is announced?)", p)
				}
			}
		case KindAnycast:
			if len(net.Anycast) == 0 {
				return bad("the running network declares no anycast services; add anycast (service, prefix, sites, health) to environment.yaml or pass --environment")
			}
			if inv.Service != "" && !services[inv.Service] {
				return bad("service %q is not declared in environment.yaml (known services: %s)", inv.Service, known(services))
			}
			if err := selectorsMatch(running, inv.ToPeers, "to_peers"); err != nil {
				return bad("%v", err)
			}
		case KindBGPSessions:
			for _, sel := range inv.Critical {
				if sel.Device != "" && net.Device(sel.Device) == nil && !slices.ContainsFunc(running.Sessions, func(s sim.Session) bool { return s.Peer == sel.Device }) {
					return bad("critical: device %q is not in the inventory", sel.Device)
				}
			}
			if err := selectorsMatch(running, inv.Critical, "critical"); err != nil {
				return bad("%v", err)
			}
		case KindBlastRadius:
			if inv.MaxBackboneLinksPct != nil && !devRoles["backbone"] {
				return bad("max_backbone_links_pct: no device has role backbone, so no backbone link can be counted (a gnmic targets file carries no roles); give the inventory roles")
			}
		case KindReachability, KindEgress:
			for _, sel := range inv.From {
				if len(fromDevices(net, []string{sel})) == 0 {
					return bad("from: %q matches no device (use a device name, role:<role>, site:<site> or *; roles: %s; sites: %s)", sel, known(devRoles), known(sites))
				}
			}
			if err := selectorsMatch(running, inv.ViaPeers, "via_peers"); err != nil {
				return bad("%v", err)
			}
			if err := selectorsMatch(running, inv.FromPeers, "from_peers"); err != nil {
				return bad("%v", err)
			}
		}
	}
	return nil
}

func (sel SessionSelector) String() string {
	var parts []string
	if sel.Role != "" {
		parts = append(parts, "role "+sel.Role)
	}
	if sel.ASN != 0 {
		parts = append(parts, fmt.Sprintf("asn %d", sel.ASN))
	}
	if sel.Device != "" {
		parts = append(parts, "device "+sel.Device)
	}
	if sel.Neighbor.IsValid() {
		parts = append(parts, "neighbor "+sel.Neighbor.String())
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// selectorsMatch: each selector picks at least one configured session of the
// running network; the error lists what could have been meant.
func selectorsMatch(running *sim.Result, l []SessionSelector, field string) error {
	for _, sel := range l {
		if slices.ContainsFunc(running.Sessions, func(s sim.Session) bool { return sel.matchSession(running.Net, s) }) {
			continue
		}
		roles, ases := map[string]bool{}, map[string]bool{}
		for _, s := range running.Sessions {
			if s.IBGP {
				continue
			}
			ases[fmt.Sprint(s.PeerAS)] = true
			if s.External {
				roles[s.Role] = true
			} else {
				roles[deviceRole(running.Net, s.Peer)] = true
				roles[deviceRole(running.Net, s.Device)] = true
				ases[fmt.Sprint(deviceAS(running.Net, s.Device))] = true
			}
		}
		return fmt.Errorf("%s: no BGP peer matches %s (peer roles: %s; peer ASes: %s)", field, sel, known(roles), known(ases))
	}
	return nil
}

// fromDevices: the devices a from list names (device names, role:<role>,
// site:<site>, *), in inventory order.
func fromDevices(net *network.Network, from []string) []string {
	var out []string
	for _, d := range net.Devices {
		for _, sel := range from {
			if sel == d.Name || sel == "role:"+d.Role || sel == "site:"+d.Site || sel == "*" {
				out = append(out, d.Name)
				break
			}
		}
	}
	return out
}

func checkSelectors(l []SessionSelector, field string) error {
	for _, sel := range l {
		if sel.empty() {
			return fmt.Errorf("%s: an empty selector would match every peer; name a role, asn, device or neighbor", field)
		}
	}
	return nil
}

func known(m map[string]bool) string {
	var l []string
	for k := range m {
		if k != "" {
			l = append(l, k)
		}
	}
	sort.Strings(l)
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
