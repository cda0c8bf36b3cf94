package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/backstop-net/backstop/internal/sim"
	"github.com/backstop-net/backstop/models/network"
)

// Peers are selected the same way in every invariant (SessionSelector),
// whether they are external (environment.yaml) or routers of the inventory
// in another AS. Selecting only what environment.yaml declares made
// critical_prefixes and anycast match nothing, and pass every change, on
// networks that keep their transit routers in the inventory.

func deviceRole(net *network.Network, name string) string {
	if d := net.Device(name); d != nil {
		return d.Role
	}
	return ""
}

func deviceAS(net *network.Network, name string) uint32 {
	if d := net.Device(name); d != nil && d.BGP != nil {
		return d.BGP.AS
	}
	return 0
}

func (sel SessionSelector) matchSession(net *network.Network, s sim.Session) bool {
	ebgpInternal := !s.External && !s.IBGP
	if sel.Role != "" && s.Role != sel.Role &&
		!(ebgpInternal && (deviceRole(net, s.Device) == sel.Role || deviceRole(net, s.Peer) == sel.Role)) {
		return false
	}
	if sel.ASN != 0 && s.PeerAS != sel.ASN && !(ebgpInternal && deviceAS(net, s.Device) == sel.ASN) {
		return false
	}
	if sel.Device != "" && s.Device != sel.Device && s.Peer != sel.Device {
		return false
	}
	if sel.Neighbor.IsValid() && s.Neighbor != sel.Neighbor {
		return false
	}
	return true
}

// selectsRouter: an inventoried router is itself one of the selected peers
// (what it sends to another selected peer is not "ours").
func (sel SessionSelector) selectsRouter(net *network.Network, name string) bool {
	if sel.Role != "" && deviceRole(net, name) != sel.Role {
		return false
	}
	if sel.ASN != 0 && deviceAS(net, name) != sel.ASN {
		return false
	}
	if sel.Device != "" && name != sel.Device {
		return false
	}
	return !sel.Neighbor.IsValid()
}

func (sel SessionSelector) matchAdvertisement(net *network.Network, a sim.Advertisement) bool {
	if sel.Role != "" && a.Role != sel.Role {
		return false
	}
	if sel.ASN != 0 && a.PeerAS != sel.ASN {
		return false
	}
	if sel.Device != "" && a.Device != sel.Device && a.Peer != sel.Device {
		return false
	}
	if sel.Neighbor.IsValid() && a.Neighbor != sel.Neighbor {
		return false
	}
	// What one provider passes to another is not an announcement of ours:
	// the sender must not be a selected peer itself, nor a router of the
	// receiver's kind (a transit's router feeding another transit).
	return !(a.Inventoried && (sel.selectsRouter(net, a.Device) || deviceRole(net, a.Device) == a.Role))
}

func anySession(net *network.Network, l []SessionSelector, s sim.Session) bool {
	return slices.ContainsFunc(l, func(sel SessionSelector) bool { return sel.matchSession(net, s) })
}

func anyAdvertisement(net *network.Network, l []SessionSelector, a sim.Advertisement) bool {
	return slices.ContainsFunc(l, func(sel SessionSelector) bool { return sel.matchAdvertisement(net, a) })
}

// peersLabel names selected peers in summaries: "transit" for role-only
// selectors, as they always read.
func peersLabel(l []SessionSelector) string {
	var parts []string
	for _, sel := range l {
		if sel.Role != "" && sel.ASN == 0 && sel.Device == "" && !sel.Neighbor.IsValid() {
			parts = append(parts, sel.Role)
		} else {
			parts = append(parts, strings.Trim(sel.String(), "{}"))
		}
	}
	return strings.Join(parts, "/")
}

// peerAS labels a peer AS in findings.
func peerAS(asn uint32) string { return fmt.Sprintf("AS%d", asn) }
