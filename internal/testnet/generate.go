package testnet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/backstop-net/backstop/models/oc"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"github.com/openconfig/ygot/ygot"
	"github.com/openconfig/ygot/ytypes"
	"google.golang.org/protobuf/encoding/protojson"
)

// Files is a generated tree: slash-separated path relative to the output
// directory → content.
type Files map[string][]byte

// GeneratedDirs are the directories (under the output root) the generator
// owns; Write clears them first so removed scenarios do not linger.
var GeneratedDirs = []string{"testdata/backbone", "testdata/scenarios"}

// Generate builds the whole generated tree in memory.
func Generate() (Files, error) {
	n := Build()
	files := Files{}
	running := map[string]*oc.Device{}
	runningJSON := map[string][]byte{}
	for _, d := range n.Devices {
		dev, data, err := canonical(d.Name, d.Render())
		if err != nil {
			return nil, err
		}
		running[d.Name] = dev
		runningJSON[d.Name] = data
		files["testdata/backbone/configs/"+d.Name+".json"] = data
	}
	files["testdata/backbone/inventory.yaml"] = inventoryYAML(n)
	files["testdata/backbone/environment.yaml"] = environmentYAML(n)

	for _, sc := range Scenarios(n) {
		dir := "testdata/scenarios/" + sc.Name + "/"
		var reqs []*gpb.SetRequest
		for _, ch := range sc.Changes {
			req, err := setRequest(ch)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc.Name, err)
			}
			reqs = append(reqs, req)
			cand, err := Apply(running[ch.Device], req)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", sc.Name, ch.Device, err)
			}
			data, err := oc.Marshal(cand)
			if err != nil {
				return nil, err
			}
			// Round trip through the loader: what we commit must load cleanly.
			if _, data, err = canonicalBytes(sc.Name+"/"+ch.Device, data); err != nil {
				return nil, err
			}
			if bytes.Equal(data, runningJSON[ch.Device]) {
				return nil, fmt.Errorf("%s: change to %s is a no-op", sc.Name, ch.Device)
			}
			files[dir+"candidate/"+ch.Device+".json"] = data
		}
		cj, err := changeJSON(reqs)
		if err != nil {
			return nil, err
		}
		files[dir+"change.json"] = cj
		files[dir+"scenario.yaml"] = scenarioYAML(sc)
	}
	return files, nil
}

func canonicalBytes(name string, data []byte) (*oc.Device, []byte, error) {
	var tree M
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, nil, err
	}
	return canonical(name, tree)
}

// Write writes files under root, first removing GeneratedDirs.
func Write(root string, files Files) error {
	for _, d := range GeneratedDirs {
		if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(d))); err != nil {
			return err
		}
	}
	for _, p := range sortedKeys(files) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(f Files) []string {
	ks := make([]string, 0, len(f))
	for k := range f {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// setRequest turns one device's ops into a gNMI SetRequest with prefix.target.
func setRequest(ch Change) (*gpb.SetRequest, error) {
	req := &gpb.SetRequest{Prefix: &gpb.Path{Target: ch.Device}}
	for _, op := range ch.Ops {
		p, err := ygot.StringToStructuredPath(op.Path)
		if err != nil {
			return nil, fmt.Errorf("path %s: %w", op.Path, err)
		}
		if op.Kind == "delete" {
			req.Delete = append(req.Delete, p)
			continue
		}
		v, err := json.Marshal(op.Value)
		if err != nil {
			return nil, err
		}
		u := &gpb.Update{Path: p, Val: &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: v}}}
		switch op.Kind {
		case "update":
			req.Update = append(req.Update, u)
		case "replace":
			req.Replace = append(req.Replace, u)
		default:
			return nil, fmt.Errorf("unknown op %q", op.Kind)
		}
	}
	return req, nil
}

// Apply applies a SetRequest to a copy of dev with gNMI semantics (deletes,
// then replaces, then updates; replace = delete + set, update = merge) using
// ygot's ytypes. The prefix's elements, if any, are prepended to every path.
func Apply(dev *oc.Device, req *gpb.SetRequest) (*oc.Device, error) {
	out, err := oc.Copy(dev)
	if err != nil {
		return nil, err
	}
	root := oc.RootEntry()
	full := func(p *gpb.Path) *gpb.Path {
		q := &gpb.Path{}
		if req.GetPrefix() != nil {
			q.Elem = append(q.Elem, req.GetPrefix().GetElem()...)
		}
		q.Elem = append(q.Elem, p.GetElem()...)
		return q
	}
	for _, p := range req.GetDelete() {
		if err := ytypes.DeleteNode(root, out, full(p)); err != nil {
			return nil, fmt.Errorf("delete %v: %w", p, err)
		}
	}
	for _, u := range req.GetReplace() {
		if err := ytypes.DeleteNode(root, out, full(u.GetPath())); err != nil {
			return nil, fmt.Errorf("replace %v: %w", u.GetPath(), err)
		}
		if err := ytypes.SetNode(root, out, full(u.GetPath()), u.GetVal(), &ytypes.InitMissingElements{}); err != nil {
			return nil, fmt.Errorf("replace %v: %w", u.GetPath(), err)
		}
	}
	for _, u := range req.GetUpdate() {
		if err := ytypes.SetNode(root, out, full(u.GetPath()), u.GetVal(), &ytypes.InitMissingElements{}); err != nil {
			return nil, fmt.Errorf("update %v: %w", u.GetPath(), err)
		}
	}
	return out, nil
}

// changeJSON renders the SetRequests as protobuf JSON: one object for a
// single device, an array for several. protojson's whitespace is unstable on
// purpose, so the output is compacted and re-indented.
func changeJSON(reqs []*gpb.SetRequest) ([]byte, error) {
	var parts [][]byte
	for _, r := range reqs {
		b, err := protojson.Marshal(r)
		if err != nil {
			return nil, err
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return nil, err
		}
		parts = append(parts, c.Bytes())
	}
	raw := parts[0]
	if len(parts) > 1 {
		raw = append(append([]byte("["), bytes.Join(parts, []byte(","))...), ']')
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// ParseChange reads a change.json (one SetRequest or an array of them).
func ParseChange(data []byte) ([]*gpb.SetRequest, error) {
	trim := bytes.TrimSpace(data)
	var raws []json.RawMessage
	if len(trim) > 0 && trim[0] == '[' {
		if err := json.Unmarshal(trim, &raws); err != nil {
			return nil, err
		}
	} else {
		raws = []json.RawMessage{trim}
	}
	var out []*gpb.SetRequest
	for _, r := range raws {
		req := &gpb.SetRequest{}
		if err := protojson.Unmarshal(r, req); err != nil {
			return nil, err
		}
		out = append(out, req)
	}
	return out, nil
}

func yamlList(xs []string) string { return "[" + strings.Join(xs, ", ") + "]" }

func scenarioYAML(sc Scenario) []byte {
	var b strings.Builder
	b.WriteString("# Generated by `go run ./internal/testnet/gen -out .`; do not edit.\n")
	fmt.Fprintf(&b, "name: %s\n", sc.Name)
	b.WriteString("description: >-\n")
	for _, line := range wrap(sc.Description, 96) {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	fmt.Fprintf(&b, "expect: %s\n", sc.Expect)
	fs := append([]string(nil), sc.Findings...)
	sort.Strings(fs)
	fmt.Fprintf(&b, "expect_findings: %s\n", yamlList(fs))
	var devs []string
	for _, c := range sc.Changes {
		devs = append(devs, c.Device)
	}
	fmt.Fprintf(&b, "devices: %s\n", yamlList(devs))
	if sc.FRR != "" {
		b.WriteString("frr_cannot_confirm: >-\n")
		for _, line := range wrap(sc.FRR, 96) {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	return []byte(b.String())
}

func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func inventoryYAML(n *Network) []byte {
	var b strings.Builder
	b.WriteString("# The backstop test backbone. Generated by `go run ./internal/testnet/gen -out .`; do not edit.\n")
	b.WriteString("# Addresses are placeholders; the gNMI lab (internal/lab) fills in real ones.\n")
	b.WriteString("devices:\n")
	for _, d := range n.Devices {
		fmt.Fprintf(&b, "  - name: %s\n    address: 127.0.0.1:0\n    role: %s\n    site: %s\n", d.Name, d.Role, d.Site)
		if d.Role == "backbone" && contains(RouteReflectors, d.Name) {
			b.WriteString("    tags: [route-reflector]\n")
		}
	}
	return []byte(b.String())
}

func environmentYAML(n *Network) []byte {
	var b strings.Builder
	b.WriteString("# What the world outside the inventory announces. Generated; do not edit.\n")
	b.WriteString("external_peers:\n")
	for _, p := range POPs {
		e := n.Device("edge1." + p.Site)
		for _, nb := range e.BGP {
			if nb.Role != "transit" {
				continue
			}
			fmt.Fprintf(&b, "  - {name: %s, device: %s, neighbor: %s, asn: %d, role: transit, announces: [0.0.0.0/0]}\n",
				strings.ToLower(strings.Fields(nb.Desc)[0])+"-"+p.Site, e.Name, nb.Addr, nb.PeerAS)
		}
	}
	b.WriteString("anycast:\n")
	fmt.Fprintf(&b, "  - service: dns\n    prefix: %s\n    sites:\n", DNSPrefix)
	for _, p := range POPs {
		e := n.Device("edge1." + p.Site)
		for _, nb := range e.BGP {
			if nb.Role == "anycast" {
				fmt.Fprintf(&b, "      - {site: %s, device: %s, neighbor: %s, asn: %d}\n", p.Site, e.Name, nb.Addr, nb.PeerAS)
			}
		}
	}
	var reach []string
	for _, dc := range DCs {
		reach = append(reach, DCPrefix(dc.N).String())
	}
	fmt.Fprintf(&b, "    health: {reach_any: %s}   # the data-centre prefixes\n", yamlList(reach))
	return []byte(b.String())
}
