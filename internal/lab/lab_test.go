package lab

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/backstop-net/backstop/internal/snapshot"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"github.com/openconfig/gnmi/proto/gnmi_ext"
	"github.com/openconfig/ygot/ygot"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func fleet(t *testing.T, n int) *snapshot.Snapshot {
	t.Helper()
	s, err := Fleet(n, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dial connects a plain generated gNMI client to one lab device, using the
// settings of the lab's own inventory.
func dial(t *testing.T, l *Lab, name string) gpb.GNMIClient {
	t.Helper()
	conn, err := l.Inventory().Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := conn.DialOptions()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClient(conn.Address, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return gpb.NewGNMIClient(cc)
}

func start(t *testing.T, s *snapshot.Snapshot, opts ...Option) *Lab {
	t.Helper()
	l, err := Start(context.Background(), s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func path(t *testing.T, s string) *gpb.Path {
	t.Helper()
	p, err := ygot.StringToStructuredPath(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func getJSON(t *testing.T, c gpb.GNMIClient, p string) (string, error) {
	t.Helper()
	resp, err := c.Get(ctx(t), &gpb.GetRequest{Path: []*gpb.Path{path(t, p)}, Type: gpb.GetRequest_CONFIG, Encoding: gpb.Encoding_JSON_IETF})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, n := range resp.Notification {
		for _, u := range n.Update {
			b.Write(u.Val.GetJsonIetfVal())
		}
	}
	return b.String(), nil
}

func TestCapabilitiesAndGet(t *testing.T) {
	l := start(t, fleet(t, 3), WithTLS(), WithAuth("ops", "pw"))
	c := dial(t, l, "r001")
	caps, err := c.Capabilities(ctx(t), &gpb.CapabilityRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range caps.SupportedModels {
		names = append(names, m.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "openconfig-interfaces") || caps.SupportedEncodings[0] != gpb.Encoding_JSON_IETF {
		t.Errorf("capabilities: %v %v", names, caps.SupportedEncodings)
	}
	root, err := getJSON(t, c, "/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(root, `"openconfig-interfaces:interfaces"`) {
		t.Errorf("root: %.200s", root)
	}
	leaf, err := getJSON(t, c, "/interfaces/interface[name=et-0/0/0]/config/enabled")
	if err != nil || leaf != "true" {
		t.Errorf("leaf = %q, %v", leaf, err)
	}
	cfg, err := getJSON(t, c, "/interfaces/interface[name=lo0]/config")
	if err != nil || !strings.Contains(cfg, `"description": "loopback"`) {
		t.Errorf("config container = %q, %v", cfg, err)
	}
	nb, err := getJSON(t, c, "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=BGP]/bgp/neighbors/neighbor[neighbor-address=*]/config/peer-group")
	if err != nil || nb != `"IBGP"` {
		t.Errorf("wildcard = %q, %v", nb, err)
	}
	if _, err := getJSON(t, c, "/interfaces/interface[name=nope]"); status.Code(err) != codes.NotFound {
		t.Errorf("missing interface: %v", err)
	}
	if _, err := getJSON(t, c, "/frobnicate"); status.Code(err) != codes.NotFound {
		t.Errorf("unknown path: %v", err)
	}
	_, err = c.Get(ctx(t), &gpb.GetRequest{Encoding: gpb.Encoding_PROTO})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("PROTO encoding: %v", err)
	}
}

func TestAuthRejected(t *testing.T) {
	l := start(t, fleet(t, 2), WithAuth("ops", "pw"), WrongPassword("r000"))
	_, err := dial(t, l, "r000").Capabilities(ctx(t), &gpb.CapabilityRequest{})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := dial(t, l, "r001").Capabilities(ctx(t), &gpb.CapabilityRequest{}); err != nil {
		t.Errorf("right password: %v", err)
	}
}

func update(p *gpb.Path, v *gpb.TypedValue) []*gpb.Update {
	return []*gpb.Update{{Path: p, Val: v}}
}

func boolVal(b bool) *gpb.TypedValue {
	return &gpb.TypedValue{Value: &gpb.TypedValue_BoolVal{BoolVal: b}}
}

func TestSetAtomicValidated(t *testing.T) {
	l := start(t, fleet(t, 3))
	c := dial(t, l, "r001")
	en := path(t, "/interfaces/interface[name=et-0/0/0]/config/enabled")
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Update: update(en, boolVal(false))}); err != nil {
		t.Fatal(err)
	}
	if l.Target("r001").Config().GetInterface("et-0/0/0").GetEnabled() {
		t.Error("Set not applied")
	}
	// One bad leafref in a request with a good update: nothing applies.
	pg := path(t, "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=BGP]/bgp/neighbors/neighbor[neighbor-address=10.255.0.1]/config/peer-group")
	_, err := c.Set(ctx(t), &gpb.SetRequest{
		Update: append(update(en, boolVal(true)), &gpb.Update{Path: pg, Val: &gpb.TypedValue{Value: &gpb.TypedValue_StringVal{StringVal: "NOPE"}}}),
	})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "peer-group") {
		t.Fatalf("bad leafref: %v", err)
	}
	if l.Target("r001").Config().GetInterface("et-0/0/0").GetEnabled() {
		t.Error("a failed Set changed the config")
	}
	// Delete of a list entry and replace of a config container, together.
	_, err = c.Set(ctx(t), &gpb.SetRequest{
		Delete:  []*gpb.Path{path(t, "/interfaces/interface[name=et-0/0/1]")},
		Replace: update(path(t, "/interfaces/interface[name=lo0]/config"), &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: []byte(`{"name": "lo0", "type": "iana-if-type:softwareLoopback", "description": "replaced"}`)}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.Target("r001").Config().GetInterface("et-0/0/1") != nil {
		t.Error("et-0/0/1 not deleted")
	}
	lo := l.Target("r001").Config().GetInterface("lo0")
	if lo.GetDescription() != "replaced" || lo.Enabled != nil {
		t.Errorf("replace of config: description %q enabled %v", lo.GetDescription(), lo.Enabled)
	}
}

func withCommit(id string, a *gnmi_ext.Commit) []*gnmi_ext.Extension {
	a.Id = id
	return []*gnmi_ext.Extension{{Ext: &gnmi_ext.Extension_Commit{Commit: a}}}
}

func TestCommitConfirmCancelRollback(t *testing.T) {
	l := start(t, fleet(t, 2))
	c := dial(t, l, "r000")
	tg := l.Target("r000")
	en := path(t, "/interfaces/interface[name=et-0/0/0]/config/enabled")
	enabled := func() bool { return tg.Config().GetInterface("et-0/0/0").GetEnabled() }

	// commit, then a plain Set is refused, then confirm keeps the change.
	_, err := c.Set(ctx(t), &gpb.SetRequest{Update: update(en, boolVal(false)),
		Extension: withCommit("c1", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_Commit{Commit: &gnmi_ext.CommitRequest{RollbackDuration: durationpb.New(time.Minute)}}})})
	if err != nil {
		t.Fatal(err)
	}
	if enabled() || tg.PendingCommit() != "c1" {
		t.Fatal("commit not applied")
	}
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Update: update(en, boolVal(true))}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("plain Set during a pending commit: %v", err)
	}
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Extension: withCommit("other", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_Confirm{Confirm: &gnmi_ext.CommitConfirm{}}})}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("confirm with another id: %v", err)
	}
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Extension: withCommit("c1", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_Confirm{Confirm: &gnmi_ext.CommitConfirm{}}})}); err != nil {
		t.Fatal(err)
	}
	if enabled() || tg.PendingCommit() != "" {
		t.Fatal("confirm lost the change")
	}

	// commit, then cancel: rolled back at once.
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Update: update(en, boolVal(true)),
		Extension: withCommit("c2", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_Commit{Commit: &gnmi_ext.CommitRequest{}}})}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Extension: withCommit("c2", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_Cancel{Cancel: &gnmi_ext.CommitCancel{}}})}); err != nil {
		t.Fatal(err)
	}
	if enabled() {
		t.Fatal("cancel did not roll back")
	}

	// commit with a short timer, moved once, then left unconfirmed: rolled back.
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Update: update(en, boolVal(true)),
		Extension: withCommit("c3", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_Commit{Commit: &gnmi_ext.CommitRequest{RollbackDuration: durationpb.New(time.Hour)}}})}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Extension: withCommit("c3", &gnmi_ext.Commit{Action: &gnmi_ext.Commit_SetRollbackDuration{SetRollbackDuration: &gnmi_ext.CommitSetRollbackDuration{RollbackDuration: durationpb.New(100 * time.Millisecond)}}})}); err != nil {
		t.Fatal(err)
	}
	if !enabled() {
		t.Fatal("commit c3 not applied")
	}
	deadline := time.Now().Add(5 * time.Second)
	for enabled() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if enabled() || tg.PendingCommit() != "" {
		t.Fatal("no automatic rollback")
	}
}

func TestSubscribeOnceAndOnChange(t *testing.T) {
	l := start(t, fleet(t, 2))
	c := dial(t, l, "r001")
	p := path(t, "/interfaces/interface[name=et-0/0/0]/config")
	sub := func(mode gpb.SubscriptionList_Mode) gpb.GNMI_SubscribeClient {
		st, err := c.Subscribe(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		err = st.Send(&gpb.SubscribeRequest{Request: &gpb.SubscribeRequest_Subscribe{Subscribe: &gpb.SubscriptionList{
			Mode: mode, Encoding: gpb.Encoding_JSON_IETF,
			Subscription: []*gpb.Subscription{{Path: p, Mode: gpb.SubscriptionMode_ON_CHANGE}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	next := func(st gpb.GNMI_SubscribeClient) map[string]any {
		t.Helper()
		for {
			r, err := st.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if r.GetSyncResponse() {
				return nil
			}
			var m map[string]any
			if err := json.Unmarshal(r.GetUpdate().GetUpdate()[0].GetVal().GetJsonIetfVal(), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	once := sub(gpb.SubscriptionList_ONCE)
	if m := next(once); m["enabled"] != true {
		t.Errorf("ONCE update: %v", m)
	}
	if m := next(once); m != nil {
		t.Errorf("no sync response: %v", m)
	}
	if _, err := once.Recv(); err != io.EOF {
		t.Errorf("ONCE stream not closed: %v", err)
	}

	stream := sub(gpb.SubscriptionList_STREAM)
	if m := next(stream); m["enabled"] != true {
		t.Errorf("initial: %v", m)
	}
	if m := next(stream); m != nil {
		t.Errorf("no sync response: %v", m)
	}
	if _, err := c.Set(ctx(t), &gpb.SetRequest{Update: update(path(t, "/interfaces/interface[name=et-0/0/0]/config/enabled"), boolVal(false))}); err != nil {
		t.Fatal(err)
	}
	if m := next(stream); m["enabled"] != false {
		t.Errorf("on change: %v", m)
	}
}

func TestDownRefuses(t *testing.T) {
	l := start(t, fleet(t, 2), Down("r000"))
	_, err := dial(t, l, "r000").Capabilities(ctx(t), &gpb.CapabilityRequest{})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("down device: %v", err)
	}
}
