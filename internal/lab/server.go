package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/backstop-net/backstop/models/oc"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"github.com/openconfig/gnmi/proto/gnmi_ext"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// DefaultRollback is the rollback timer of a commit that sets none.
const DefaultRollback = 10 * time.Minute

// Target is one gNMI target serving one device's config.
type Target struct {
	gpb.UnimplementedGNMIServer

	name, addr string
	fault      Fault
	user, pass string
	srv        *grpc.Server

	mu      sync.Mutex
	tree    *oc.Device // replaced, never mutated, on every change
	rootRaw []byte     // tree rendered as JSON_IETF, cached until the next change
	changed chan struct{}
	pending *pendingCommit
	stopped bool
}

type pendingCommit struct {
	id     string
	before *oc.Device
	timer  *time.Timer
}

func newTarget(name string, tree *oc.Device, f Fault) *Target {
	return &Target{name: name, tree: tree, fault: f, changed: make(chan struct{})}
}

// Name is the device name.
func (t *Target) Name() string { return t.name }

// Addr is the target's host:port.
func (t *Target) Addr() string { return t.addr }

// Config returns the current config tree (a copy).
func (t *Target) Config() *oc.Device {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, err := oc.Copy(t.tree)
	if err != nil {
		panic(err) // copying a validated tree cannot fail
	}
	return c
}

// PendingCommit returns the id of the commit awaiting confirmation, if any.
func (t *Target) PendingCommit() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		return ""
	}
	return t.pending.id
}

func (t *Target) stop() {
	t.mu.Lock()
	t.stopped = true
	if t.pending != nil {
		t.pending.timer.Stop()
	}
	t.mu.Unlock()
	if t.srv != nil {
		t.srv.Stop()
	}
}

// --- auth and fault gates ---

func (t *Target) gate(ctx context.Context) error {
	if t.fault.Delay > 0 {
		select {
		case <-time.After(t.fault.Delay):
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	if t.user == "" {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	get := func(k string) string {
		if v := md.Get(k); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if get("username") != t.user || get("password") != t.pass {
		return status.Error(codes.Unauthenticated, "invalid username or password")
	}
	return nil
}

func (t *Target) unaryGate(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := t.gate(ctx); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

func (t *Target) streamGate(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := t.gate(ss.Context()); err != nil {
		return err
	}
	return h(srv, ss)
}

// --- Capabilities ---

var models = sync.OnceValue(oc.Models)

// Capabilities lists the OpenConfig models of the binding and JSON_IETF.
func (t *Target) Capabilities(context.Context, *gpb.CapabilityRequest) (*gpb.CapabilityResponse, error) {
	return &gpb.CapabilityResponse{
		SupportedModels:    models(),
		SupportedEncodings: []gpb.Encoding{gpb.Encoding_JSON_IETF, gpb.Encoding_JSON},
		GNMIVersion:        "0.10.0",
	}, nil
}

// --- Get ---

func (t *Target) current() *oc.Device {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tree
}

func checkEncoding(e gpb.Encoding) error {
	if e != gpb.Encoding_JSON_IETF && e != gpb.Encoding_JSON {
		return status.Errorf(codes.Unimplemented, "encoding %v is not supported: use JSON_IETF", e)
	}
	return nil
}

func checkOrigin(p *gpb.Path) error {
	if o := p.GetOrigin(); o != "" && o != "openconfig" {
		return status.Errorf(codes.InvalidArgument, "origin %q is not served (openconfig only)", o)
	}
	return nil
}

func prefixFor(req *gpb.Path) *gpb.Path {
	return &gpb.Path{Origin: "openconfig", Target: req.GetTarget()}
}

func jsonVal(b []byte) *gpb.TypedValue {
	return &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: b}}
}

// Get serves the config at any path as JSON_IETF. Path "/" is the whole tree.
func (t *Target) Get(ctx context.Context, req *gpb.GetRequest) (*gpb.GetResponse, error) {
	if err := checkEncoding(req.GetEncoding()); err != nil {
		return nil, err
	}
	if req.GetType() == gpb.GetRequest_STATE || req.GetType() == gpb.GetRequest_OPERATIONAL {
		return &gpb.GetResponse{}, nil // the lab holds config only
	}
	tree := t.current()
	now := time.Now().UnixNano()
	paths := req.GetPath()
	if len(paths) == 0 {
		paths = []*gpb.Path{{}}
	}
	resp := &gpb.GetResponse{}
	for _, p := range paths {
		full, err := oc.JoinPath(req.GetPrefix(), p)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "%v", err)
		}
		if err := checkOrigin(full); err != nil {
			return nil, err
		}
		if len(full.GetElem()) == 0 {
			ns, err := t.getRoot(tree, req.GetPrefix(), now)
			if err != nil {
				return nil, err
			}
			resp.Notification = append(resp.Notification, ns...)
			continue
		}
		pvs, err := oc.GetJSON(tree, full)
		if err != nil {
			return nil, status.Errorf(codes.NotFound, "%v", err)
		}
		if len(pvs) == 0 {
			return nil, status.Errorf(codes.NotFound, "%s: no data", oc.PathString(full))
		}
		n := &gpb.Notification{Timestamp: now, Prefix: prefixFor(req.GetPrefix())}
		for _, pv := range pvs {
			n.Update = append(n.Update, &gpb.Update{Path: pv.Path, Val: jsonVal(pv.JSON)})
		}
		resp.Notification = append(resp.Notification, n)
	}
	return resp, nil
}

// getRoot renders the whole tree, with the injected faults.
func (t *Target) getRoot(tree *oc.Device, reqPrefix *gpb.Path, now int64) ([]*gpb.Notification, error) {
	prefix := prefixFor(reqPrefix)
	if t.fault.GarbageJSON {
		return []*gpb.Notification{{Timestamp: now, Prefix: prefix, Update: []*gpb.Update{{
			Path: &gpb.Path{}, Val: jsonVal([]byte(`{"openconfig-interfaces:interfaces": {"interface": [{"name": "et-0/0/0",`)),
		}}}}, nil
	}
	b, err := t.rendered(tree)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	if !t.fault.UnknownPaths && !t.fault.MultiNotification {
		return []*gpb.Notification{{Timestamp: now, Prefix: prefix, Update: []*gpb.Update{{Path: &gpb.Path{}, Val: jsonVal(b)}}}}, nil
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	if t.fault.UnknownPaths {
		root["acme-lab:chassis"] = map[string]any{"fans": 4, "airflow": "front-to-back"}
		if ifs, ok := root["openconfig-interfaces:interfaces"].(map[string]any); ok {
			if list, ok := ifs["interface"].([]any); ok && len(list) > 0 {
				if cfg, ok := list[0].(map[string]any)["config"].(map[string]any); ok {
					cfg["acme-lab:frobnicate"] = true
				}
			}
		}
	}
	if !t.fault.MultiNotification {
		b, err := json.MarshalIndent(root, "", "  ")
		if err != nil {
			return nil, status.Errorf(codes.Internal, "%v", err)
		}
		return []*gpb.Notification{{Timestamp: now, Prefix: prefix, Update: []*gpb.Update{{Path: &gpb.Path{}, Val: jsonVal(b)}}}}, nil
	}
	return splitTree(root, prefix, now)
}

// splitTree answers the way some routers do: one notification per top-level
// model, interfaces as one update per interface, and one leaf as a scalar.
func splitTree(root map[string]any, prefix *gpb.Path, now int64) ([]*gpb.Notification, error) {
	names := make([]string, 0, len(root))
	for k := range root {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []*gpb.Notification
	for _, k := range names {
		short := k[strings.IndexByte(k, ':')+1:]
		n := &gpb.Notification{Timestamp: now, Prefix: prefix}
		if ifs, ok := root[k].(map[string]any); ok && short == "interfaces" {
			list, _ := ifs["interface"].([]any)
			var leaf *gpb.Notification
			for _, it := range list {
				m, _ := it.(map[string]any)
				name := fmt.Sprint(m["name"])
				p := &gpb.Path{Elem: []*gpb.PathElem{{Name: "interfaces"}, {Name: "interface", Key: map[string]string{"name": name}}}}
				if cfg, ok := m["config"].(map[string]any); ok && leaf == nil {
					if d, ok := cfg["description"].(string); ok {
						delete(cfg, "description")
						lp := &gpb.Path{Elem: append(append([]*gpb.PathElem(nil), p.Elem...), &gpb.PathElem{Name: "config"}, &gpb.PathElem{Name: "description"})}
						leaf = &gpb.Notification{Timestamp: now, Prefix: prefix, Update: []*gpb.Update{{
							Path: lp, Val: &gpb.TypedValue{Value: &gpb.TypedValue_StringVal{StringVal: d}}}}}
					}
				}
				b, err := json.Marshal(m)
				if err != nil {
					return nil, status.Errorf(codes.Internal, "%v", err)
				}
				n.Update = append(n.Update, &gpb.Update{Path: p, Val: jsonVal(b)})
			}
			out = append(out, n)
			if leaf != nil {
				out = append(out, leaf)
			}
			continue
		}
		b, err := json.Marshal(root[k])
		if err != nil {
			return nil, status.Errorf(codes.Internal, "%v", err)
		}
		n.Update = []*gpb.Update{{Path: &gpb.Path{Elem: []*gpb.PathElem{{Name: k}}}, Val: jsonVal(b)}}
		out = append(out, n)
	}
	return out, nil
}

// --- Set and the Commit extension ---

func commitExt(req *gpb.SetRequest) *gnmi_ext.Commit {
	for _, e := range req.GetExtension() {
		if c := e.GetCommit(); c != nil {
			return c
		}
	}
	return nil
}

// Set applies the request atomically to a copy of the config and validates
// it; nothing changes unless everything applies. With the Commit extension:
// commit starts a confirmed commit with a rollback timer, confirm keeps it,
// cancel rolls back now, set_rollback_duration moves the timer. While a
// commit is pending, a Set without the extension is FAILED_PRECONDITION.
func (t *Target) Set(ctx context.Context, req *gpb.SetRequest) (*gpb.SetResponse, error) {
	ce := commitExt(req)
	hasOps := len(req.GetDelete())+len(req.GetReplace())+len(req.GetUpdate())+len(req.GetUnionReplace()) > 0
	if len(req.GetUnionReplace()) > 0 {
		return nil, status.Error(codes.Unimplemented, "union_replace is not supported")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil, status.Error(codes.Unavailable, errClosed.Error())
	}
	if ce == nil {
		if t.pending != nil {
			return nil, status.Errorf(codes.FailedPrecondition, "commit %q is awaiting confirmation: confirm or cancel it first", t.pending.id)
		}
		if err := t.applyLocked(req); err != nil {
			return nil, err
		}
		return setResponse(req), nil
	}
	if ce.GetId() == "" {
		return nil, status.Error(codes.InvalidArgument, "commit extension without an id")
	}
	switch a := ce.GetAction().(type) {
	case *gnmi_ext.Commit_Commit:
		if t.pending != nil {
			return nil, status.Errorf(codes.FailedPrecondition, "commit %q is already awaiting confirmation", t.pending.id)
		}
		d := DefaultRollback
		if rd := a.Commit.GetRollbackDuration(); rd != nil {
			d = rd.AsDuration()
		}
		if d <= 0 {
			return nil, status.Error(codes.InvalidArgument, "rollback duration must be positive")
		}
		before := t.tree
		if err := t.applyLocked(req); err != nil {
			return nil, err
		}
		p := &pendingCommit{id: ce.GetId(), before: before}
		p.timer = time.AfterFunc(d, func() { t.rollback(p) })
		t.pending = p
	case *gnmi_ext.Commit_Confirm, *gnmi_ext.Commit_Cancel, *gnmi_ext.Commit_SetRollbackDuration:
		if hasOps {
			return nil, status.Error(codes.InvalidArgument, "confirm, cancel and set_rollback_duration carry no changes")
		}
		if t.pending == nil {
			return nil, status.Errorf(codes.FailedPrecondition, "no commit is awaiting confirmation (id %q)", ce.GetId())
		}
		if t.pending.id != ce.GetId() {
			return nil, status.Errorf(codes.FailedPrecondition, "commit %q is awaiting confirmation, not %q", t.pending.id, ce.GetId())
		}
		switch a := a.(type) {
		case *gnmi_ext.Commit_Confirm:
			t.pending.timer.Stop()
			t.pending = nil
		case *gnmi_ext.Commit_Cancel:
			t.pending.timer.Stop()
			t.setTreeLocked(t.pending.before)
			t.pending = nil
		case *gnmi_ext.Commit_SetRollbackDuration:
			d := a.SetRollbackDuration.GetRollbackDuration().AsDuration()
			if d <= 0 {
				return nil, status.Error(codes.InvalidArgument, "rollback duration must be positive")
			}
			t.pending.timer.Reset(d)
		}
	default:
		return nil, status.Error(codes.InvalidArgument, "commit extension without an action")
	}
	return setResponse(req), nil
}

// rollback restores the config of a commit whose timer fired unconfirmed.
func (t *Target) rollback(p *pendingCommit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending != p {
		return // confirmed or cancelled meanwhile
	}
	t.setTreeLocked(p.before)
	t.pending = nil
}

func (t *Target) applyLocked(req *gpb.SetRequest) error {
	for _, p := range append(append([]*gpb.Path{req.GetPrefix()}, req.GetDelete()...), updatePaths(req)...) {
		if err := checkOrigin(p); err != nil {
			return err
		}
	}
	next, err := oc.Copy(t.tree)
	if err != nil {
		return status.Errorf(codes.Internal, "%v", err)
	}
	if err := oc.ApplySet(next, req); err != nil {
		return status.Errorf(codes.InvalidArgument, "%v", err)
	}
	if err := oc.Validate(next); err != nil {
		return status.Errorf(codes.InvalidArgument, "%s: schema validation failed: %v", touched(req), err)
	}
	t.setTreeLocked(next)
	return nil
}

// rendered returns tree as JSON, from the cache when tree is current.
func (t *Target) rendered(tree *oc.Device) ([]byte, error) {
	t.mu.Lock()
	if t.tree == tree && t.rootRaw != nil {
		b := t.rootRaw
		t.mu.Unlock()
		return b, nil
	}
	t.mu.Unlock()
	b, err := oc.Marshal(tree)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if t.tree == tree {
		t.rootRaw = b
	}
	t.mu.Unlock()
	return b, nil
}

func (t *Target) setTreeLocked(tree *oc.Device) {
	t.tree = tree
	t.rootRaw = nil
	close(t.changed)
	t.changed = make(chan struct{})
}

func updatePaths(req *gpb.SetRequest) []*gpb.Path {
	var out []*gpb.Path
	for _, u := range append(append([]*gpb.Update(nil), req.GetReplace()...), req.GetUpdate()...) {
		out = append(out, u.GetPath())
	}
	return out
}

func touched(req *gpb.SetRequest) string {
	var s []string
	for _, p := range append(append([]*gpb.Path(nil), req.GetDelete()...), updatePaths(req)...) {
		full, err := oc.JoinPath(req.GetPrefix(), p)
		if err != nil {
			full = p
		}
		s = append(s, oc.PathString(full))
	}
	return strings.Join(s, ", ")
}

func setResponse(req *gpb.SetRequest) *gpb.SetResponse {
	r := &gpb.SetResponse{Prefix: req.GetPrefix(), Timestamp: time.Now().UnixNano()}
	for _, p := range req.GetDelete() {
		r.Response = append(r.Response, &gpb.UpdateResult{Path: p, Op: gpb.UpdateResult_DELETE})
	}
	for _, u := range req.GetReplace() {
		r.Response = append(r.Response, &gpb.UpdateResult{Path: u.GetPath(), Op: gpb.UpdateResult_REPLACE})
	}
	for _, u := range req.GetUpdate() {
		r.Response = append(r.Response, &gpb.UpdateResult{Path: u.GetPath(), Op: gpb.UpdateResult_UPDATE})
	}
	return r
}

// --- Subscribe ---

// Subscribe serves ONCE, and STREAM subscriptions in ON_CHANGE (or
// TARGET_DEFINED, treated as ON_CHANGE) mode: the current values, a sync
// response, then the new values of the subscribed paths after every change.
func (t *Target) Subscribe(stream gpb.GNMI_SubscribeServer) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	sl := req.GetSubscribe()
	if sl == nil {
		return status.Error(codes.InvalidArgument, "the first SubscribeRequest must carry a subscription list")
	}
	if err := checkEncoding(sl.GetEncoding()); err != nil {
		return err
	}
	var paths []*gpb.Path
	for _, s := range sl.GetSubscription() {
		full, err := oc.JoinPath(sl.GetPrefix(), s.GetPath())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "%v", err)
		}
		if err := checkOrigin(full); err != nil {
			return err
		}
		if err := oc.PathKnown(full); err != nil {
			return status.Errorf(codes.NotFound, "%v", err)
		}
		if sl.GetMode() == gpb.SubscriptionList_STREAM && s.GetMode() == gpb.SubscriptionMode_SAMPLE {
			return status.Error(codes.Unimplemented, "SAMPLE subscriptions are not supported: config is served ON_CHANGE")
		}
		paths = append(paths, full)
	}
	if len(paths) == 0 {
		paths = []*gpb.Path{{}}
	}
	prefix := prefixFor(sl.GetPrefix())
	send := func(tree *oc.Device) error {
		now := time.Now().UnixNano()
		for _, p := range paths {
			pvs, err := oc.GetJSON(tree, p)
			if err != nil {
				return status.Errorf(codes.Internal, "%v", err)
			}
			n := &gpb.Notification{Timestamp: now, Prefix: prefix}
			for _, pv := range pvs {
				n.Update = append(n.Update, &gpb.Update{Path: pv.Path, Val: jsonVal(pv.JSON)})
			}
			if len(pvs) == 0 {
				n.Delete = []*gpb.Path{{Elem: p.GetElem()}}
			}
			if err := stream.Send(&gpb.SubscribeResponse{Response: &gpb.SubscribeResponse_Update{Update: n}}); err != nil {
				return err
			}
		}
		return nil
	}
	syncResp := &gpb.SubscribeResponse{Response: &gpb.SubscribeResponse_SyncResponse{SyncResponse: true}}
	t.mu.Lock()
	tree, changed := t.tree, t.changed
	t.mu.Unlock()
	switch sl.GetMode() {
	case gpb.SubscriptionList_ONCE:
		if !sl.GetUpdatesOnly() {
			if err := send(tree); err != nil {
				return err
			}
		}
		return stream.Send(syncResp)
	case gpb.SubscriptionList_POLL:
		return status.Error(codes.Unimplemented, "POLL subscriptions are not supported")
	}
	if !sl.GetUpdatesOnly() {
		if err := send(tree); err != nil {
			return err
		}
	}
	if err := stream.Send(syncResp); err != nil {
		return err
	}
	ctx := stream.Context()
	go func() { // drain the client side; its end closes ctx
		for {
			if _, err := stream.Recv(); err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
		t.mu.Lock()
		tree, changed = t.tree, t.changed
		stopped := t.stopped
		t.mu.Unlock()
		if stopped {
			return status.Error(codes.Unavailable, errClosed.Error())
		}
		if err := send(tree); err != nil {
			return err
		}
	}
}
