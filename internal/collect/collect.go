// Package collect pulls the running configuration of every inventoried
// device over gNMI and builds a snapshot from it.
//
// Stage: after inventory, before snapshot consumers. Input: an Inventory (and
// the Environment to carry along). Output: a Snapshot plus a Report of what
// each device said in Capabilities. Each device gets one gNMI Get (type
// CONFIG, encoding JSON_IETF, path "/" with origin openconfig) over TLS unless
// the inventory says insecure, with a per-attempt timeout and retries with
// backoff for transient failures (Unavailable, DeadlineExceeded).
//
// Fail closed: if any device cannot be pulled, Pull returns no snapshot and an
// error naming every failed device with its cause. Access failures
// (unreachable, TLS, authentication, timeout, a gNMI error) are
// fault.Access (exit 5); unusable content (malformed JSON, config that does
// not fit the schema) is fault.BadInput (exit 4); when both occur, access wins.
//
// Members of models the binding does not carry (vendor augmentations) are
// not a failure: they stay in the pulled JSON, are listed per device in
// DeviceConfig.Ignored and in the report, and compile reports them as
// unmodelled, where a policy decides whether they matter.
package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Defaults.
const (
	DefaultParallel = 32
	DefaultRetries  = 2
	DefaultBackoff  = 500 * time.Millisecond
	maxMessage      = 256 << 20 // a full config can be large
)

// Options tune a pull. The zero value is sensible.
type Options struct {
	Parallel int           // devices pulled at once (default 32)
	Timeout  time.Duration // per attempt, for devices whose inventory sets none (default 30s)
	Retries  int           // extra attempts after a transient failure (default 2; -1: none)
	Backoff  time.Duration // first wait before a retry, doubled each time (default 500ms)
	// Progress receives progress output. nil means os.Stderr: an updating
	// line on a terminal, and only failures and a summary elsewhere (CI).
	Progress io.Writer
}

// Cause classifies a device failure.
type Cause string

const (
	Unreachable Cause = "unreachable"
	TLSFailure  Cause = "TLS"
	AuthFailure Cause = "authentication"
	Timeout     Cause = "timeout"
	GNMIError   Cause = "gNMI error"
	BadContent  Cause = "bad content"
	BadSettings Cause = "bad inventory settings"
)

func (c Cause) kind() fault.Kind {
	switch c {
	case BadContent, BadSettings:
		return fault.BadInput
	}
	return fault.Access
}

// Report says what happened per device.
type Report struct {
	Devices []DeviceReport // sorted by name
	Elapsed time.Duration
}

// DeviceReport is one device's pull.
type DeviceReport struct {
	Name          string
	Address       string
	Attempts      int
	Elapsed       time.Duration
	Bytes         int // JSON received
	Notifications int
	Capabilities  *Capabilities
	Ignored       []string // paths the binding does not model, kept in the config
	Cause         Cause    // empty on success
	Err           error
}

// Capabilities is what a device reported in gNMI Capabilities.
type Capabilities struct {
	GNMIVersion string   `json:"gnmi_version"`
	Encodings   []string `json:"encodings"`
	Models      []Model  `json:"models"`
}

// Model is one supported YANG model.
type Model struct {
	Name         string `json:"name"`
	Organization string `json:"organization,omitempty"`
	Version      string `json:"version,omitempty"`
}

// Failed lists the failed devices.
func (r *Report) Failed() []DeviceReport {
	var out []DeviceReport
	for _, d := range r.Devices {
		if d.Err != nil {
			out = append(out, d)
		}
	}
	return out
}

// Pull fetches every device of inv and returns the running snapshot. On any
// failure it returns no snapshot, the report, and an error naming each
// failed device (see the package comment for exit codes).
func Pull(ctx context.Context, inv *inventory.Inventory, env *snapshot.Environment, opts Options) (*snapshot.Snapshot, *Report, error) {
	opts = opts.withDefaults()
	if env == nil {
		env = &snapshot.Environment{}
	}
	if len(inv.Devices) == 0 {
		return nil, nil, fault.Badf("the inventory lists no devices")
	}
	start := time.Now()
	names := inv.Names()
	reps := make([]DeviceReport, len(names))
	devs := make([]*snapshot.DeviceConfig, len(names))
	prog := newProgress(opts.Progress, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Parallel)
	for i, n := range names {
		g.Go(func() error {
			devs[i], reps[i] = pullOne(gctx, inv, n, opts)
			prog.done(reps[i])
			return nil // every device is tried; failures are collected
		})
	}
	_ = g.Wait()
	rep := &Report{Devices: reps, Elapsed: time.Since(start)}
	prog.finish(rep)
	if err := failure(rep, len(names)); err != nil {
		return nil, rep, err
	}
	m := make(map[string]*snapshot.DeviceConfig, len(devs))
	for _, d := range devs {
		m[d.Name] = d
	}
	return &snapshot.Snapshot{Source: fmt.Sprintf("gNMI pull of %d devices", len(names)),
		Inventory: inv, Environment: env, Devices: m}, rep, nil
}

func (o Options) withDefaults() Options {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.Timeout <= 0 {
		o.Timeout = inventory.DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	return o
}

// failure builds the fail-closed error listing every failed device.
func failure(rep *Report, total int) error {
	failed := rep.Failed()
	if len(failed) == 0 {
		return nil
	}
	kind := fault.BadInput
	var b strings.Builder
	fmt.Fprintf(&b, "pull failed for %d of %d devices (no snapshot written: a partial network never passes):", len(failed), total)
	for _, d := range failed {
		if d.Cause.kind() == fault.Access {
			kind = fault.Access
		}
		fmt.Fprintf(&b, "\n  %s (%s): %s: %v", d.Name, d.Address, d.Cause, d.Err)
	}
	if kind == fault.Access {
		return fault.Accessf("%s", b.String())
	}
	return fault.Badf("%s", b.String())
}

// pullOne pulls one device with retries.
func pullOne(ctx context.Context, inv *inventory.Inventory, name string, opts Options) (*snapshot.DeviceConfig, DeviceReport) {
	start := time.Now()
	rep := DeviceReport{Name: name}
	if d := inv.Device(name); d != nil {
		rep.Address = d.Address
	}
	conn, err := inv.Resolve(name)
	if err != nil {
		rep.Cause, rep.Err = BadSettings, err
		return nil, rep
	}
	dopts, err := conn.DialOptions()
	if err != nil {
		rep.Cause, rep.Err = BadSettings, err
		return nil, rep
	}
	dopts = append(dopts, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage)))
	cc, err := grpc.NewClient(conn.Address, dopts...)
	if err != nil {
		rep.Cause, rep.Err = BadSettings, err
		return nil, rep
	}
	defer cc.Close()
	client := gpb.NewGNMIClient(cc)
	timeout := conn.Timeout
	if timeout == 0 {
		timeout = opts.Timeout
	}
	wait := opts.Backoff
	var dc *snapshot.DeviceConfig
	for attempt := 0; ; attempt++ {
		rep.Attempts = attempt + 1
		dc, err = attemptOne(ctx, client, conn, timeout, &rep)
		if err == nil || attempt >= opts.Retries || !transient(err) || ctx.Err() != nil {
			break
		}
		jitter := time.Duration(rand.Int64N(int64(wait)/2 + 1))
		select {
		case <-time.After(wait + jitter):
		case <-ctx.Done():
		}
		wait *= 2
	}
	rep.Elapsed = time.Since(start)
	if err != nil {
		rep.Cause, rep.Err = classify(err)
		return nil, rep
	}
	return dc, rep
}

// contentError marks a failure of what the device sent.
type contentError struct{ err error }

func (e *contentError) Error() string { return e.err.Error() }
func (e *contentError) Unwrap() error { return e.err }

func attemptOne(ctx context.Context, client gpb.GNMIClient, conn *inventory.Conn, timeout time.Duration, rep *DeviceReport) (*snapshot.DeviceConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	caps, err := client.Capabilities(ctx, &gpb.CapabilityRequest{})
	if err != nil {
		return nil, err
	}
	rep.Capabilities = capabilities(caps)
	resp, err := client.Get(ctx, &gpb.GetRequest{
		Path:     []*gpb.Path{{Origin: "openconfig"}},
		Type:     gpb.GetRequest_CONFIG,
		Encoding: gpb.Encoding_JSON_IETF,
	})
	if err != nil {
		return nil, err
	}
	rep.Notifications = len(resp.GetNotification())
	if len(resp.GetNotification()) == 0 {
		return nil, &contentError{errors.New("Get returned no notification")}
	}
	data, err := oc.Assemble(resp.GetNotification())
	if err != nil {
		return nil, &contentError{fmt.Errorf("reassembling the response: %w", err)}
	}
	rep.Bytes = len(data)
	dc, err := snapshot.Decode(conn.Name, "gnmi://"+conn.Address, data)
	if err != nil {
		return nil, &contentError{err}
	}
	rep.Ignored = rep.Ignored[:0]
	for _, ig := range dc.Ignored {
		rep.Ignored = append(rep.Ignored, ig.Path)
	}
	return dc, nil
}

func capabilities(c *gpb.CapabilityResponse) *Capabilities {
	out := &Capabilities{GNMIVersion: c.GetGNMIVersion(), Encodings: []string{}, Models: []Model{}}
	for _, e := range c.GetSupportedEncodings() {
		out.Encodings = append(out.Encodings, e.String())
	}
	for _, m := range c.GetSupportedModels() {
		out.Models = append(out.Models, Model{Name: m.GetName(), Organization: m.GetOrganization(), Version: m.GetVersion()})
	}
	sort.Slice(out.Models, func(i, j int) bool { return out.Models[i].Name < out.Models[j].Name })
	return out
}

func transient(err error) bool {
	var ce *contentError
	if errors.As(err, &ce) {
		return false
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return true
	case codes.Unavailable:
		return !isTLS(err)
	}
	return false
}

func isTLS(err error) bool {
	m := err.Error()
	return strings.Contains(m, "x509") || strings.Contains(m, "tls:") || strings.Contains(m, "handshake") ||
		strings.Contains(m, "certificate")
}

// classify names the cause of a failure and cleans the message.
func classify(err error) (Cause, error) {
	var ce *contentError
	if errors.As(err, &ce) {
		return BadContent, ce.err
	}
	st, ok := status.FromError(err)
	if !ok {
		return GNMIError, err
	}
	msg := errors.New(st.Message())
	switch st.Code() {
	case codes.Unauthenticated, codes.PermissionDenied:
		return AuthFailure, fmt.Errorf("%s: %w", st.Code(), msg)
	case codes.DeadlineExceeded:
		return Timeout, errors.New("no answer within the timeout")
	case codes.Unavailable:
		if isTLS(err) {
			return TLSFailure, msg
		}
		return Unreachable, msg
	}
	return GNMIError, fmt.Errorf("%s: %w", st.Code(), msg)
}

// CapabilitiesFile is the name of the file WriteCapabilities writes.
const CapabilitiesFile = "capabilities.json"

// WriteCapabilities writes what each device reported in Capabilities, and
// the config paths it sent that the binding does not model, as
// <dir>/capabilities.json (deterministic: no timings).
func WriteCapabilities(dir string, rep *Report) error {
	type dev struct {
		Address string `json:"address"`
		*Capabilities
		Unmodelled []string `json:"unmodelled_paths,omitempty"`
	}
	out := struct {
		Devices map[string]dev `json:"devices"`
	}{Devices: map[string]dev{}}
	for _, d := range rep.Devices {
		out.Devices[d.Name] = dev{Address: d.Address, Capabilities: d.Capabilities, Unmodelled: d.Ignored}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, CapabilitiesFile), append(b, '\n'), 0o644)
}

// --- progress ---

type progress struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	total  int
	n, bad int
	last   time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if w == nil {
		p.w = os.Stderr
		p.tty = isTerminal(os.Stderr)
	}
	return p
}

// isTerminal: a character device and not CI.
func isTerminal(f *os.File) bool {
	if os.Getenv("CI") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) done(d DeviceReport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if d.Err != nil {
		p.bad++
		if p.tty {
			fmt.Fprint(p.w, "\r\033[K")
		}
		fmt.Fprintf(p.w, "pull %s: %s\n", d.Name, d.Cause)
	}
	if p.tty && (time.Since(p.last) > 50*time.Millisecond || p.n == p.total) {
		p.last = time.Now()
		width := 30
		fill := width * p.n / p.total
		fmt.Fprintf(p.w, "\r\033[Kpulling [%s%s] %d/%d", strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.n, p.total)
		if p.bad > 0 {
			fmt.Fprintf(p.w, " (%d failed)", p.bad)
		}
	}
}

func (p *progress) finish(r *Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "pulled %d/%d devices in %s\n", p.n-p.bad, p.total, r.Elapsed.Round(time.Millisecond))
}
