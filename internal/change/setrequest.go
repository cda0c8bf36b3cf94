package change

// Candidate from a gNMI SetRequest: the exact request an automation system is
// about to send, applied to a deep copy of each target device's running tree.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
)

// LoadSetRequests reads a change file: a gNMI SetRequest in textproto
// (prototext, the form gnmi_cli and gnmic use) or protobuf JSON (protojson),
// or a JSON array of SetRequests (one per device). Each request names its
// device in prefix.target; target, when not empty (the --target flag), fills
// in requests that name none and must agree with those that do. A request
// that names no device at all is bad input.
func LoadSetRequests(path string, target string) ([]*gpb.SetRequest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.Bad(err)
	}
	reqs, err := setParse(data)
	if err != nil {
		return nil, fault.Badf("%s: %w", path, err)
	}
	if len(reqs) == 0 {
		return nil, fault.Badf("%s: no SetRequest in the file", path)
	}
	for i, r := range reqs {
		t := r.GetPrefix().GetTarget()
		switch {
		case t == "" && target == "":
			return nil, fault.Badf("%s: request %d names no device: set prefix.target or pass --target", path, i+1)
		case t == "":
			if r.Prefix == nil {
				r.Prefix = &gpb.Path{}
			}
			r.Prefix.Target = target
		case target != "" && t != target:
			return nil, fault.Badf("%s: request %d targets %q but --target is %q", path, i+1, t, target)
		}
		if len(r.GetDelete())+len(r.GetReplace())+len(r.GetUpdate())+len(r.GetUnionReplace()) == 0 {
			return nil, fault.Badf("%s: request %d (%s) changes nothing", path, i+1, r.Prefix.Target)
		}
		if len(r.GetUnionReplace()) > 0 {
			return nil, fault.Badf("%s: request %d (%s): union_replace is not supported", path, i+1, r.Prefix.Target)
		}
	}
	return reqs, nil
}

// setParse decodes textproto, protojson, or a JSON array of protojson.
func setParse(data []byte) ([]*gpb.SetRequest, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		var items []json.RawMessage
		if trimmed[0] == '[' {
			if err := json.Unmarshal(trimmed, &items); err != nil {
				return nil, fmt.Errorf("JSON list of SetRequests: %w", err)
			}
		} else {
			items = []json.RawMessage{trimmed}
		}
		out := make([]*gpb.SetRequest, 0, len(items))
		for i, it := range items {
			r := &gpb.SetRequest{}
			if err := protojson.Unmarshal(it, r); err != nil {
				return nil, fmt.Errorf("SetRequest %d (protobuf JSON): %w", i+1, err)
			}
			out = append(out, r)
		}
		return out, nil
	}
	r := &gpb.SetRequest{}
	if err := prototext.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("SetRequest (textproto): %w", err)
	}
	return []*gpb.SetRequest{r}, nil
}

// ApplySetRequests returns the candidate: running with each targeted device's
// tree replaced by a deep copy with its requests applied (deletes, replaces,
// updates in gNMI order; several requests for one device apply in file
// order) and validated against the schema. The running snapshot is not
// modified. An unknown device, a path that does not apply or a result that
// violates the schema (a dangling leafref, a value out of range) is bad
// input naming the device and the gNMI path.
func ApplySetRequests(running *snapshot.Snapshot, reqs []*gpb.SetRequest) (*snapshot.Snapshot, error) {
	return ApplySetRequestsFrom(running, reqs, "")
}

// ApplySetRequestsFrom is ApplySetRequests recording file (the change file)
// as the origin of each changed device's config.
func ApplySetRequestsFrom(running *snapshot.Snapshot, reqs []*gpb.SetRequest, file string) (*snapshot.Snapshot, error) {
	byDev := map[string][]*gpb.SetRequest{}
	for i, r := range reqs {
		t := r.GetPrefix().GetTarget()
		if t == "" {
			return nil, fault.Badf("SetRequest %d names no device (prefix.target)", i+1)
		}
		if _, ok := running.Devices[t]; !ok {
			return nil, fault.Badf("SetRequest %d: unknown device %q (not in the running snapshot %s)", i+1, t, running.Source)
		}
		byDev[t] = append(byDev[t], r)
	}
	names := make([]string, 0, len(byDev))
	for n := range byDev {
		names = append(names, n)
	}
	sort.Strings(names)
	if file == "" {
		file = "SetRequest"
	}
	repl := map[string]*snapshot.DeviceConfig{}
	for _, n := range names {
		dc, err := setApplyDevice(running.Devices[n], byDev[n], file)
		if err != nil {
			return nil, err
		}
		repl[n] = dc
	}
	return running.WithDevices(file, repl)
}

func setApplyDevice(run *snapshot.DeviceConfig, reqs []*gpb.SetRequest, file string) (*snapshot.DeviceConfig, error) {
	if err := run.Decoded(); err != nil { // deferred by a cached compile
		return nil, err
	}
	tree, err := oc.Copy(run.Tree)
	if err != nil {
		return nil, fmt.Errorf("%s: copying the running tree: %w", run.Name, err)
	}
	for _, r := range reqs {
		if err := setCheckPaths(r); err != nil {
			return nil, fault.Badf("%s: %s: %w", file, run.Name, oc.RedactSet(err, r))
		}
		if err := oc.ApplySet(tree, r); err != nil {
			return nil, fault.Badf("%s: %s: %w", file, run.Name, oc.RedactSet(err, r))
		}
	}
	if err := oc.Validate(tree); err != nil {
		return nil, fault.Badf("%s: %s: the changed config violates the schema (%s): %w", file, run.Name, setPaths(reqs), oc.RedactSet(err, reqs...))
	}
	raw, err := oc.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", run.Name, err)
	}
	// The same protocol checks a candidate file gets (an interface /0, ...).
	if err := oc.CheckRendered(raw); err != nil {
		return nil, fault.Badf("%s: %s: the changed config is invalid (%s): %w", file, run.Name, setPaths(reqs), oc.RedactSet(err, reqs...))
	}
	// Members the binding does not model are kept: the change cannot have
	// touched them (it would have failed on the unknown path).
	return &snapshot.DeviceConfig{Name: run.Name, File: file, Raw: raw, Rendered: true, Tree: tree, Ignored: run.Ignored}, nil
}

// setCheckPaths rejects paths the schema does not know before they reach the
// binding, whose messages do not always name the path.
func setCheckPaths(r *gpb.SetRequest) error {
	if err := oc.CheckWildcards(r); err != nil {
		return err
	}
	check := func(op string, p *gpb.Path) error {
		full, err := oc.JoinPath(r.GetPrefix(), p)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, oc.PathString(p), err)
		}
		if o := full.GetOrigin(); o != "" && o != "openconfig" {
			return fmt.Errorf("%s %s: origin %q is not OpenConfig", op, oc.PathString(full), o)
		}
		if err := oc.PathKnown(full); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	}
	for _, p := range r.GetDelete() {
		if err := check("delete", p); err != nil {
			return err
		}
	}
	for _, u := range r.GetReplace() {
		if err := check("replace", u.GetPath()); err != nil {
			return err
		}
	}
	for _, u := range r.GetUpdate() {
		if err := check("update", u.GetPath()); err != nil {
			return err
		}
	}
	return nil
}

// setPaths lists the paths a device's requests touch, for messages.
func setPaths(reqs []*gpb.SetRequest) string {
	var b bytes.Buffer
	add := func(op string, prefix, p *gpb.Path) {
		full, err := oc.JoinPath(prefix, p)
		if err != nil {
			full = p
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", op, oc.PathString(full))
	}
	for _, r := range reqs {
		for _, p := range r.GetDelete() {
			add("delete", r.GetPrefix(), p)
		}
		for _, u := range r.GetReplace() {
			add("replace", r.GetPrefix(), u.GetPath())
		}
		for _, u := range r.GetUpdate() {
			add("update", r.GetPrefix(), u.GetPath())
		}
	}
	return b.String()
}
