package netgen

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Changes are the candidate changes Change knows.
var Changes = []string{"drain-site", "drain-all", "policy-edit"}

// Change returns a candidate of t and the names of the routers it changes.
// t is not modified: changed routers are copies.
//
//   - drain-site: every link from the first edge's site to other sites is
//     disabled on that site's end (a site taken out of service).
//   - drain-all: every inter-site link of every backbone router is disabled
//     on both ends (the 2021 command).
//   - policy-edit: every edge's transit import policy raises the local
//     preference of the default route (50 → 60).
func Change(t *Topology, kind string) (*Topology, []string, error) {
	site := map[string]string{}
	for _, r := range t.Routers {
		site[r.Name] = r.Site
	}
	changed := map[string]*Router{}
	edit := func(r *Router) *Router {
		if c, ok := changed[r.Name]; ok {
			return c
		}
		c := r.clone()
		changed[r.Name] = c
		return c
	}
	switch kind {
	case "drain-site":
		var target string
		for _, r := range t.Routers {
			if r.Role == "edge" {
				target = r.Site
				break
			}
		}
		for _, r := range t.Routers {
			if r.Site != target {
				continue
			}
			for k, i := range r.Interfaces {
				if i.Peer != "" && site[i.Peer] != target && i.Enabled {
					edit(r).Interfaces[k].Enabled = false
				}
			}
		}
	case "drain-all":
		for _, r := range t.Routers {
			if r.Role != "backbone" && r.Role != "rr" {
				continue
			}
			for k, i := range r.Interfaces {
				if i.Peer != "" && site[i.Peer] != r.Site && i.Enabled {
					edit(r).Interfaces[k].Enabled = false
				}
			}
		}
	case "policy-edit":
		for _, r := range t.Routers {
			for pi, p := range r.Policies {
				if p.Name != "TRANSIT-IN" {
					continue
				}
				for si, s := range p.Statements {
					if s.PrefixSet == "DEFAULT-ROUTE" && s.LocalPref != nil {
						edit(r).Policies[pi].Statements[si].LocalPref = u32(int(*s.LocalPref) + 10)
					}
				}
			}
		}
	default:
		return nil, nil, fmt.Errorf("netgen: unknown change %q (known: %v)", kind, Changes)
	}
	if len(changed) == 0 {
		return nil, nil, fmt.Errorf("netgen: change %s changes nothing in %s", kind, t.Name)
	}
	c := *t
	c.Name = t.Name + "+" + kind
	c.Routers = make([]*Router, len(t.Routers))
	var names []string
	for i, r := range t.Routers {
		c.Routers[i] = r
		if x, ok := changed[r.Name]; ok {
			c.Routers[i] = x
			names = append(names, r.Name)
		}
	}
	sort.Strings(names)
	return &c, names, nil
}

// clone copies what Change edits (interfaces and policies); the rest is shared.
func (r *Router) clone() *Router {
	c := *r
	c.Interfaces = make([]*Interface, len(r.Interfaces))
	for k, i := range r.Interfaces {
		x := *i
		c.Interfaces[k] = &x
	}
	c.Policies = make([]Policy, len(r.Policies))
	for k, p := range r.Policies {
		c.Policies[k] = Policy{Name: p.Name, Statements: append([]Statement(nil), p.Statements...)}
	}
	return &c
}

// RenderCandidate returns the candidate files of a change: changed routers'
// configs as candidate/<router>.json (a folder of per-device files, which
// `backstop check --candidate` reads on top of the running snapshot).
func RenderCandidate(cand *Topology, changed []string) (map[string][]byte, error) {
	all, err := RenderOpenConfig(cand)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, n := range changed {
		out["candidate/"+n+".json"] = all["configs/"+n+".json"]
	}
	return out, nil
}

// Write generates the network o describes into dir as a snapshot folder and,
// when change is not "", its candidate under dir/candidate. It returns the
// topology and the routers the change touches.
func Write(dir string, o Options, change string) (*Topology, []string, error) {
	t, err := Generate(o)
	if err != nil {
		return nil, nil, err
	}
	files, err := RenderOpenConfig(t)
	if err != nil {
		return nil, nil, err
	}
	var changed []string
	if change != "" {
		cand, names, err := Change(t, change)
		if err != nil {
			return nil, nil, err
		}
		cf, err := RenderCandidate(cand, names)
		if err != nil {
			return nil, nil, err
		}
		for k, v := range cf {
			files[k] = v
		}
		changed = names
	}
	if err := os.RemoveAll(filepath.Join(dir, "candidate")); err != nil {
		return nil, nil, err
	}
	return t, changed, WriteFiles(dir, files)
}
