package emulate

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The parts of FRR 8.4's JSON that the comparison and the observation read.

// frrPath is one path of "show bgp ipv4 unicast json detail" (FRR 8.4): the
// detailed form carries origin and communities, which the short form lacks.
type frrPath struct {
	Valid     bool    `json:"valid"`
	Bestpath  any     `json:"bestpath"` // bool, or {"overall": bool}
	Multipath bool    `json:"multipath"`
	Metric    *uint32 `json:"metric"`
	LocPrf    *uint32 `json:"locPrf"`
	Origin    string  `json:"origin"` // IGP, EGP, incomplete
	ASPath    struct {
		String string `json:"string"` // "Local" when empty
	} `json:"aspath"`
	Community *struct {
		List []string `json:"list"`
	} `json:"community"`
	Peer struct {
		PeerID string `json:"peerId"` // the neighbor it came from, 0.0.0.0 when local
	} `json:"peer"`
	Nexthops []struct {
		IP string `json:"ip"`
	} `json:"nexthops"`
}

// wellKnown: FRR's names for the well-known communities in its JSON, as the
// numbers the simulator prints (RFC 1997, RFC 7999, RFC 8326, RFC 8642).
var wellKnown = map[string]string{
	"gracefulShutdown": "65535:0",
	"acceptOwn":        "65535:1",
	"blackhole":        "65535:666",
	"noExport":         "65535:65281",
	"noAdvertise":      "65535:65282",
	"localAs":          "65535:65283",
	"noPeer":           "65535:65284",
}

// communities are the path's standard communities, normalised and sorted.
func (p frrPath) communities() []string {
	if p.Community == nil || len(p.Community.List) == 0 {
		return nil
	}
	var out []string
	for _, c := range p.Community.List {
		if n, ok := wellKnown[c]; ok {
			c = n
		}
		out = append(out, c)
	}
	return slices.Sorted(slices.Values(out))
}

func (p frrPath) best() bool {
	switch x := p.Bestpath.(type) {
	case bool:
		return x
	case map[string]any:
		b, _ := x["overall"].(bool)
		return b
	}
	return false
}

type ribNexthop struct {
	IP            string `json:"ip"`
	InterfaceName string `json:"interfaceName"`
	Active        bool   `json:"active"`
	Recursive     bool   `json:"recursive"`
	Blackhole     bool   `json:"blackhole"`
	Unreachable   bool   `json:"unreachable"`
}

// ribEntry is one route of "show ip route json".
type ribEntry struct {
	Protocol string       `json:"protocol"`
	Selected bool         `json:"selected"`
	Metric   uint32       `json:"metric"`
	Nexthops []ribNexthop `json:"nexthops"`
}

// frrTables is one router's BGP table and RIB, decoded once.
type frrTables struct {
	BGP map[netip.Prefix][]frrPath
	RIB map[netip.Prefix][]ribEntry
}

// tables decodes st's BGP table and RIB on first use; the comparison and
// the observation both read them.
func (st *RouterState) tables() (*frrTables, error) {
	if st.decoded != nil {
		return st.decoded, nil
	}
	bgp, err := bgpPaths(st.BGP)
	if err != nil {
		return nil, fmt.Errorf("bgp json: %w", err)
	}
	var raw map[string][]ribEntry
	if err := json.Unmarshal(st.RIB, &raw); err != nil {
		return nil, fmt.Errorf("rib json: %w", err)
	}
	rib, err := byPrefix(raw)
	if err != nil {
		return nil, fmt.Errorf("rib json: %w", err)
	}
	st.decoded = &frrTables{BGP: bgp, RIB: rib}
	return st.decoded, nil
}

// bgpPaths decodes "show bgp ipv4 unicast json detail" (a router's or a
// speaker's). FRR 8.4 starts each prefix's list with a header object
// (prefix, version) that is not a path: it has no AS path and no origin.
func bgpPaths(raw json.RawMessage) (map[netip.Prefix][]frrPath, error) {
	var doc struct {
		Routes map[string][]frrPath `json:"routes"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
	}
	for k, ps := range doc.Routes {
		doc.Routes[k] = slices.DeleteFunc(ps, func(p frrPath) bool { return p.Origin == "" && p.ASPath.String == "" })
	}
	return byPrefix(doc.Routes)
}

func byPrefix[T any](m map[string]T) (map[netip.Prefix]T, error) {
	out := make(map[netip.Prefix]T, len(m))
	for k, v := range m {
		p, err := netip.ParsePrefix(k)
		if err != nil {
			return nil, fmt.Errorf("prefix %q: %w", k, err)
		}
		out[p.Masked()] = v
	}
	return out, nil
}

func parseASPath(s string) []uint32 {
	out := []uint32{}
	for _, f := range strings.Fields(s) {
		if v, err := strconv.ParseUint(f, 10, 32); err == nil {
			out = append(out, uint32(v))
		}
	}
	return out
}
