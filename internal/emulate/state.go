package emulate

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/backstop-net/backstop/internal/sim"
)

// RouterState is what FRR shows on one router after convergence.
type RouterState struct {
	BGP      json.RawMessage // show bgp ipv4 unicast json
	RIB      json.RawMessage // show ip route json
	Sessions map[string]string
	ISIS     int        // prefixes with an IS-IS entry in the RIB
	BGPCount int        // prefixes in the BGP table
	decoded  *frrTables // BGP and RIB decoded, once (tables)
}

// volatile fields stripped before hashing.
var volatile = map[string]bool{"uptime": true, "lastUpdate": true, "peerUptime": true, "peerUptimeMsec": true,
	"peerUptimeEstablishedEpoch": true, "version": true, "tableVersion": true, "internalNextHopNum": true,
	"internalNextHopActiveNum": true, "msgRcvd": true, "msgSent": true, "outq": true, "inq": true, "table": true,
	"ribTableVersion": true, "connectionsEstablished": true, "connectionsDropped": true, "nexthopGroupId": true,
	"installedNexthopGroupId": true, "receivedNexthopGroupId": true}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if volatile[k] {
				delete(x, k)
			} else {
				x[k] = strip(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = strip(x[i])
		}
	}
	return v
}

// splitJSON splits concatenated JSON documents (vtysh with several -c).
func splitJSON(b []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []json.RawMessage
	for dec.More() {
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (l *Lab) probe(name string) (*RouterState, string, error) {
	b, err := l.vtysh(name, "show bgp ipv4 unicast json detail", "show ip route json", "show bgp ipv4 unicast summary json")
	if err != nil && len(b) == 0 {
		return nil, "", err
	}
	docs, err := splitJSON(b)
	if err != nil || len(docs) < 3 {
		return nil, "", fmt.Errorf("%s: incomplete vtysh output (%d documents)", name, len(docs))
	}
	st := &RouterState{BGP: docs[0], RIB: docs[1], Sessions: map[string]string{}}
	var sum struct {
		Peers map[string]struct {
			State string `json:"state"`
		} `json:"peers"`
	}
	json.Unmarshal(docs[2], &sum)
	for a, p := range sum.Peers {
		st.Sessions[a] = p.State
	}
	var x any
	json.Unmarshal(docs[0], &x)
	if m, ok := x.(map[string]any); ok {
		routes, _ := m["routes"].(map[string]any)
		st.BGPCount = len(routes)
	}
	var y any
	json.Unmarshal(docs[1], &y)
	if rib, ok := y.(map[string]any); ok {
		for _, entries := range rib {
			l, _ := entries.([]any)
			for _, e := range l {
				if m, _ := e.(map[string]any); m["protocol"] == "isis" {
					st.ISIS++
					break
				}
			}
		}
	}
	h, _ := json.Marshal([]any{strip(x), strip(y)})
	sum256 := sha256.Sum256(h)
	return st, fmt.Sprintf("%x", sum256[:8]), nil
}

// defaultWaitTimeout bounds a Wait (and the wait before prefix limits) when
// WaitOptions.Timeout is zero.
const defaultWaitTimeout = 90 * time.Second

// WaitOptions steer convergence detection.
type WaitOptions struct {
	Stable  time.Duration // unchanged this long (default 2 s)
	Timeout time.Duration // give up (default 90 s)
	// Expect lists, per router, neighbor addresses whose sessions should be
	// Established before the state counts as final (the simulator's view); after
	// Grace (default 40 s) a stable state is accepted without them.
	Expect map[string][]string
	// ExpectISIS: per router, how many prefixes the simulator has IS-IS
	// routes for. BGP sessions over loopbacks already wait for IS-IS, but a
	// router with no session (or only eBGP) would otherwise be read while
	// its adjacencies are still coming up on a busy machine.
	ExpectISIS map[string]int
	// ExpectBGP: per router, how many prefixes the simulator has BGP paths
	// for. An established session whose updates are still queued (bgpd
	// starved of CPU) would otherwise be read as a stable, smaller table.
	ExpectBGP  map[string]int
	Grace      time.Duration
	SlowStable time.Duration // quiet period when routes are missing (default 10 s)
}

func (st *RouterState) isisCount() int {
	if st == nil {
		return 0
	}
	return st.ISIS
}

// Converged is the final state of every router.
type Converged struct {
	States  map[string]*RouterState
	Elapsed time.Duration // from daemon start to the last observed change
	Missing []string      // expected sessions not established
	// Speakers: each external speaker's BGP table (what it received), by name.
	Speakers map[string]json.RawMessage
}

// probeSpeakers reads what every external speaker received: the view of the
// Internet and of the anycast announcers.
func (l *Lab) probeSpeakers(c *Converged) error {
	c.Speakers = map[string]json.RawMessage{}
	for _, s := range l.cfg.Speakers {
		b, err := l.vtysh("speaker:"+s.Name, "show bgp ipv4 unicast json detail")
		if err != nil {
			return err
		}
		c.Speakers[s.Name] = json.RawMessage(bytes.TrimSpace(b))
	}
	return nil
}

// Wait polls every router until its BGP table and RIB stop changing.
func (l *Lab) Wait(o WaitOptions) (*Converged, error) {
	if o.Stable == 0 {
		o.Stable = 3 * time.Second
	}
	if o.Timeout == 0 {
		o.Timeout = defaultWaitTimeout
	}
	if o.Grace == 0 {
		o.Grace = 40 * time.Second
	}
	if o.SlowStable == 0 {
		o.SlowStable = 10 * time.Second
	}
	var names []string
	for _, r := range l.cfg.Routers {
		names = append(names, r.Name)
	}
	last := map[string]string{}
	lastChange := time.Now()
	// Each call has its own timeout (a later stage or a second reading may
	// start long after the daemons); missing sessions get their grace from
	// the start of the current stage.
	begin := lastChange
	for {
		t0 := time.Now()
		states := make(map[string]*RouterState, len(names))
		hashes := make(map[string]string, len(names))
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 3)
		ok := true
		for _, n := range names {
			wg.Add(1)
			go func(n string) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				st, h, err := l.probe(n)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					ok = false
					return
				}
				states[n], hashes[n] = st, h
			}(n)
		}
		wg.Wait()
		changed := false
		for _, n := range names {
			if hashes[n] != last[n] {
				changed = true
				last[n] = hashes[n]
			}
		}
		if changed || !ok {
			lastChange = t0
		}
		var missing []string
		for r, nbs := range o.Expect {
			for _, a := range nbs {
				if st := states[r]; st == nil || st.Sessions[a] != "Established" {
					missing = append(missing, r+"->"+a)
				}
			}
		}
		sessionsMissing := len(missing)
		for r, n := range o.ExpectBGP {
			if st := states[r]; st == nil || st.BGPCount < n {
				c := 0
				if st != nil {
					c = st.BGPCount
				}
				missing = append(missing, fmt.Sprintf("%s: BGP prefixes %d of %d", r, c, n))
			}
		}
		for r, n := range o.ExpectISIS {
			if st := states[r]; st == nil || st.ISIS < n {
				missing = append(missing, fmt.Sprintf("%s: IS-IS routes %d of %d", r, st.isisCount(), n))
			}
		}
		sort.Strings(missing)
		now := time.Now()
		// Missing sessions wait for the grace period; fewer routes than the
		// simulator expects (a documented difference, or updates still
		// queued on a busy machine) need a longer quiet period instead.
		quiet := now.Sub(lastChange)
		settled := len(missing) == 0 ||
			(sessionsMissing == 0 && quiet >= o.SlowStable) ||
			now.Sub(l.phase) > o.Grace
		if ok && quiet >= o.Stable && settled {
			return &Converged{States: states, Elapsed: lastChange.Sub(l.started), Missing: missing}, nil
		}
		if now.Sub(begin) > o.Timeout {
			return &Converged{States: states, Elapsed: now.Sub(l.started), Missing: missing},
				fmt.Errorf("no stable state after %s (sessions missing: %v)", o.Timeout, missing)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// WaitReceived blocks until every limit's router holds more prefixes from
// that neighbor than the limit allows (its Adj-RIB-In: received), or fails
// after timeout naming the sessions that do not.
//
// A staged network enters its prefix limits after convergence. If a limit
// goes in before the prefixes the simulator counted have arrived, FRR 8.4
// keeps the session up: a path that arrives later over an iBGP session was
// seen not to trip it (CI run of 2026-12-03 16:00 UTC). Entering the limit
// only once the count has passed it makes the lab test the teardown the
// simulator predicts, instead of a race.
func (l *Lab) WaitReceived(limits []sim.PrefixLimit, timeout time.Duration) error {
	if len(limits) == 0 {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for {
		var short []string
		for _, lim := range limits {
			got, err := l.received(lim.Device, lim.Neighbor.String())
			if err != nil {
				return err
			}
			if got <= lim.Max {
				short = append(short, fmt.Sprintf("%s from %s: %d received, the simulator counts %d against max-prefixes %d",
					lim.Device, lim.Neighbor, got, lim.Received, lim.Max))
			}
		}
		if len(short) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("before entering the prefix limits, after %v: %s", timeout, strings.Join(short, "; "))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// received is the size of a router's Adj-RIB-In from one neighbor, before
// import policy: what `maximum-prefix ... force` counts (the renderer sets
// soft-reconfiguration inbound with it) and what the simulator counts.
func (l *Lab) received(router, neighbor string) (uint32, error) {
	b, err := l.vtysh(router, "show bgp ipv4 unicast neighbors "+neighbor+" received-routes json")
	if err != nil {
		return 0, err
	}
	var adj struct {
		Total *uint32 `json:"totalPrefixCounter"`
	}
	if err := json.Unmarshal(b, &adj); err != nil {
		return 0, fmt.Errorf("%s: received routes from %s: %w", router, neighbor, err)
	}
	if adj.Total == nil { // no routes yet: FRR prints {} or no counter
		return 0, nil
	}
	return *adj.Total, nil
}
