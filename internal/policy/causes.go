package policy

import (
	"regexp"
	"slices"
	"strings"

	"github.com/backstop-net/backstop/internal/change"
)

// causeIndex sorts the change's items by the kind of effect they have, so a
// finding can cite the lines that plausibly cause it: items that moved links,
// adjacencies or sessions anywhere (routing is global), plus policy and
// origination items on the devices the finding is about.
type causeIndex struct {
	all       []change.Item // every item with a routing effect
	linkItems []change.Item // items that took a link down or up
	global    []change.Item // link, IS-IS and session items
	local     map[string][]change.Item
}

var (
	reIface    = regexp.MustCompile(`^/interfaces/interface\[name=([^\]]+)\](?:/subinterfaces/subinterface\[index=(\d+)\])?`)
	reNeighbor = regexp.MustCompile(`/neighbors/neighbor\[neighbor-address=([^\]]+)\]`)
)

// cosmetic leaves have no routing effect.
func cosmetic(path string) bool {
	for _, leaf := range []string{"/description"} {
		if strings.HasSuffix(path, leaf) {
			return true
		}
	}
	return false
}

func classify(in Input) causeIndex {
	ci := causeIndex{local: map[string][]change.Item{}}
	if in.Change == nil {
		return ci
	}
	linkMoved := map[string]bool{} // device|iface
	before := map[string]bool{}
	for _, l := range in.Before.Links {
		before[l.Key()] = l.Up
	}
	for _, l := range in.After.Links {
		if b, ok := before[l.Key()]; !ok || b != l.Up {
			linkMoved[l.A+"|"+l.AIface] = true
			linkMoved[l.B+"|"+l.BIface] = true
		}
	}
	sessBefore := map[string]bool{}
	for _, s := range in.Before.Sessions {
		sessBefore[s.Key()] = s.Established
	}
	sessMoved := map[string]bool{} // device|neighbor
	for _, s := range in.After.Sessions {
		if b, ok := sessBefore[s.Key()]; !ok || b != s.Established {
			sessMoved[s.Device+"|"+s.Neighbor.String()] = true
			if !s.External {
				sessMoved[s.Peer+"|"+s.LocalAddr.String()] = true
			}
		}
		delete(sessBefore, s.Key())
	}
	for k := range sessBefore {
		dev, nbr, _ := strings.Cut(k, "|")
		sessMoved[dev+"|"+nbr] = true
	}
	for _, it := range in.Change.Items {
		if cosmetic(it.Path) {
			continue
		}
		ci.all = append(ci.all, it)
		switch {
		case reIface.MatchString(it.Path):
			m := reIface.FindStringSubmatch(it.Path)
			name := m[1]
			if m[2] != "" && m[2] != "0" {
				name += "." + m[2]
			}
			if linkMoved[it.Device+"|"+name] || linkMoved[it.Device+"|"+m[1]] {
				ci.linkItems = append(ci.linkItems, it)
				ci.global = append(ci.global, it)
			} else {
				ci.local[it.Device] = append(ci.local[it.Device], it)
			}
		case strings.Contains(it.Path, "/isis/"):
			ci.global = append(ci.global, it)
		case reNeighbor.MatchString(it.Path):
			nbr := reNeighbor.FindStringSubmatch(it.Path)[1]
			if sessMoved[it.Device+"|"+nbr] {
				ci.global = append(ci.global, it)
			} else {
				ci.local[it.Device] = append(ci.local[it.Device], it)
			}
		default:
			ci.local[it.Device] = append(ci.local[it.Device], it)
		}
	}
	return ci
}

// forDevices: the global items plus the local items of the named devices; when
// that finds nothing, every item with a routing effect.
func (ci causeIndex) forDevices(devs []string) []change.Item {
	out := slices.Clone(ci.global)
	slices.Sort(devs)
	for _, d := range slices.Compact(devs) {
		out = append(out, ci.local[d]...)
	}
	if len(out) == 0 {
		out = slices.Clone(ci.all)
	}
	slices.SortStableFunc(out, func(a, b change.Item) int {
		if c := strings.Compare(a.Device, b.Device); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}
