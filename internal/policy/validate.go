package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/sim"
)

// Validate checks that every invariant of f names things that exist in the
// running network. A typo in a role, a service, a device or a prefix would
// otherwise make the invariant match nothing and pass every change, so it is
// bad input (exit 4) naming the file and line; an invariant that needs
// environment.yaml data the snapshot lacks says what to add.
func (f *File) Validate(running *sim.Result) error {
	net := running.Net
	extRoles := map[string]bool{}
	for _, x := range net.External {
		extRoles[x.Role] = true
	}
	sessRoles := map[string]bool{}
	for _, s := range running.Sessions {
		sessRoles[s.Role] = true
		if !s.External && !s.IBGP {
			if d := net.Device(s.Peer); d != nil && d.Role != "" {
				sessRoles[d.Role] = true
			}
		}
	}
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
			if len(net.External) == 0 {
				return bad("the running network declares no external peers, so no prefix can be checked towards %s; add external_peers (device, neighbor, asn, role) to environment.yaml or pass --environment",
					strings.Join(inv.ToRoles, "/"))
			}
			for _, r := range inv.ToRoles {
				if !extRoles[r] {
					return bad("to_roles: no external peer has role %q (known roles: %s)", r, known(extRoles))
				}
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
		case KindBGPSessions:
			for _, sel := range inv.Critical {
				if sel.Role != "" && !sessRoles[sel.Role] {
					return bad("critical: no BGP session has role %q (known: %s)", sel.Role, known(sessRoles))
				}
				if sel.Device != "" && net.Device(sel.Device) == nil && !slices.ContainsFunc(running.Sessions, func(s sim.Session) bool { return s.Peer == sel.Device }) {
					return bad("critical: device %q is not in the inventory", sel.Device)
				}
				if !slices.ContainsFunc(running.Sessions, sel.matches) {
					return bad("critical: selector %s matches no configured BGP session", sel)
				}
			}
		case KindBlastRadius:
			if inv.MaxBackboneLinksPct != nil && !devRoles["backbone"] {
				return bad("max_backbone_links_pct: no device has role backbone, so no backbone link can be counted (a gnmic targets file carries no roles); give the inventory roles")
			}
		case KindReachability:
			for _, sel := range inv.From {
				found := false
				for _, d := range net.Devices {
					if sel == d.Name || sel == "role:"+d.Role || sel == "site:"+d.Site || sel == "*" {
						found = true
						break
					}
				}
				if !found {
					return bad("from: %q matches no device (use a device name, role:<role>, site:<site> or *; roles: %s; sites: %s)", sel, known(devRoles), known(sites))
				}
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
	if sel.Device != "" {
		parts = append(parts, "device "+sel.Device)
	}
	if sel.Neighbor.IsValid() {
		parts = append(parts, "neighbor "+sel.Neighbor.String())
	}
	return "{" + strings.Join(parts, ", ") + "}"
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
