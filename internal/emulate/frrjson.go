package emulate

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The parts of FRR 8.4's JSON that the comparison and the observation read.

// frrPath is one path of "show bgp ipv4 unicast json".
type frrPath struct {
	Valid    bool    `json:"valid"`
	Bestpath any     `json:"bestpath"` // bool, or {"overall": bool}
	Metric   *uint32 `json:"metric"`
	LocPrf   *uint32 `json:"locPrf"`
	Path     string  `json:"path"`
	PeerID   string  `json:"peerId"` // the neighbor it came from, "(unspec)" when local
	Nexthops []struct {
		IP string `json:"ip"`
	} `json:"nexthops"`
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

// bgpPaths decodes "show bgp ipv4 unicast json" (a router's or a speaker's).
func bgpPaths(raw json.RawMessage) (map[netip.Prefix][]frrPath, error) {
	var doc struct {
		Routes map[string][]frrPath `json:"routes"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
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
