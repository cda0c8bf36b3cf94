// Package lab runs in-process gNMI targets that serve a snapshot over real
// gRPC on 127.0.0.1, one listener per device on an ephemeral port: the demo
// runs against it and the tests of collect pull from it.
//
// Stage: beside collect (it plays the fleet). Input: a Snapshot. Output:
// running targets and the inventory that reaches them. Each target answers
// Capabilities, Get (any path, JSON_IETF), Set (delete/replace/update applied
// atomically and schema-validated, with the gNMI Commit extension: commit
// with a rollback timer, confirm, cancel, rollback on expiry) and Subscribe
// (ONCE, and STREAM with ON_CHANGE for config). Options inject the faults a
// real fleet shows: a device down, slow, rejecting the password, answering
// garbage JSON or unknown models, or splitting its answer into several
// notifications.
package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/snapshot"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Fault is the misbehaviour injected into one target.
type Fault struct {
	Down              bool          // no listener: the address refuses connections
	Delay             time.Duration // every RPC waits this long first
	WrongPassword     bool          // the target expects another password than the inventory's
	GarbageJSON       bool          // Get of "/" returns malformed JSON
	UnknownPaths      bool          // Get of "/" carries members of a model the binding lacks
	MultiNotification bool          // Get of "/" answers with several notifications of sub-trees and leaves
}

// Option configures a lab.
type Option func(*config)

type config struct {
	tls        bool
	user, pass string
	faults     map[string]Fault // "" applies to every device
}

// WithTLS serves TLS with a server certificate for 127.0.0.1/localhost
// signed by a CA the lab generates (written to its directory as ca.pem).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithAuth makes every target require this username and password in the
// gRPC metadata ("username"/"password").
func WithAuth(user, pass string) Option {
	return func(c *config) { c.user, c.pass = user, pass }
}

// WithFault injects f into the named devices (all devices when none is named).
func WithFault(f Fault, devices ...string) Option {
	return func(c *config) {
		if len(devices) == 0 {
			devices = []string{""}
		}
		for _, d := range devices {
			c.faults[d] = mergeFault(c.faults[d], f)
		}
	}
}

func mergeFault(a, b Fault) Fault {
	a.Down = a.Down || b.Down
	if b.Delay > a.Delay {
		a.Delay = b.Delay
	}
	a.WrongPassword = a.WrongPassword || b.WrongPassword
	a.GarbageJSON = a.GarbageJSON || b.GarbageJSON
	a.UnknownPaths = a.UnknownPaths || b.UnknownPaths
	a.MultiNotification = a.MultiNotification || b.MultiNotification
	return a
}

// Down, Slow, WrongPassword, GarbageJSON, UnknownPaths and
// MultiNotification are shorthands for WithFault.
func Down(devices ...string) Option { return WithFault(Fault{Down: true}, devices...) }

// Slow delays every RPC of the named devices by d.
func Slow(d time.Duration, devices ...string) Option {
	return WithFault(Fault{Delay: d}, devices...)
}

// WrongPassword makes the named devices reject the inventory's password.
func WrongPassword(devices ...string) Option {
	return WithFault(Fault{WrongPassword: true}, devices...)
}

// GarbageJSON makes the named devices answer Get "/" with malformed JSON.
func GarbageJSON(devices ...string) Option {
	return WithFault(Fault{GarbageJSON: true}, devices...)
}

// UnknownPaths adds vendor members the binding does not model to the
// named devices' Get "/" answers.
func UnknownPaths(devices ...string) Option {
	return WithFault(Fault{UnknownPaths: true}, devices...)
}

// MultiNotification splits the named devices' Get "/" answers into several
// notifications carrying sub-trees and single leaves.
func MultiNotification(devices ...string) Option {
	return WithFault(Fault{MultiNotification: true}, devices...)
}

// Lab is a set of running targets.
type Lab struct {
	targets map[string]*Target
	inv     *inventory.Inventory
	dir     string
	ownDir  bool
	once    sync.Once
}

// Start serves every device of snap on its own 127.0.0.1 listener. The lab
// stops when ctx is done or Close is called.
func Start(ctx context.Context, snap *snapshot.Snapshot, opts ...Option) (*Lab, error) {
	cfg := &config{faults: map[string]Fault{}}
	for _, o := range opts {
		o(cfg)
	}
	l := &Lab{targets: map[string]*Target{}}
	if l.dir == "" {
		d, err := os.MkdirTemp("", "backstop-lab-")
		if err != nil {
			return nil, err
		}
		l.dir, l.ownDir = d, true
	} else if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, err
	}
	var serverOpts []grpc.ServerOption
	var caFile string
	if cfg.tls {
		p, err := newPKI(l.dir)
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("lab certificates: %w", err)
		}
		caFile = p.caFile
		serverOpts = append(serverOpts, grpc.Creds(credentials.NewTLS(&tls.Config{
			Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12})))
	}
	var pwFile string
	if cfg.user != "" {
		pwFile = filepath.Join(l.dir, "password")
		if err := os.WriteFile(pwFile, []byte(cfg.pass+"\n"), 0o600); err != nil {
			l.Close()
			return nil, err
		}
	}
	inv := &inventory.Inventory{Links: snap.Inventory.Links}
	for _, name := range snap.Names() {
		f := mergeFault(cfg.faults[""], cfg.faults[name])
		dc := snap.Devices[name]
		t := newTarget(name, dc.Tree, f)
		if cfg.user != "" {
			t.user, t.pass = cfg.user, cfg.pass
			if f.WrongPassword {
				t.pass = cfg.pass + "-rotated"
			}
		}
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			l.Close()
			return nil, err
		}
		t.addr = lis.Addr().String()
		if f.Down {
			lis.Close() // the port now refuses connections
		} else {
			so := append([]grpc.ServerOption{
				grpc.ChainUnaryInterceptor(t.unaryGate),
				grpc.ChainStreamInterceptor(t.streamGate),
			}, serverOpts...)
			t.srv = grpc.NewServer(so...)
			gpb.RegisterGNMIServer(t.srv, t)
			go func() { _ = t.srv.Serve(lis) }()
		}
		l.targets[name] = t

		d := *snap.Inventory.Device(name)
		d.Address = t.addr
		d.Tags = append([]string(nil), d.Tags...)
		if cfg.tls {
			d.TLS = &inventory.TLS{CA: caFile}
		} else {
			d.TLS = &inventory.TLS{Insecure: true}
		}
		if cfg.user != "" {
			d.Credentials = inventory.Credentials{Username: cfg.user, PasswordFile: pwFile}
		} else {
			d.Credentials = inventory.Credentials{}
		}
		inv.Devices = append(inv.Devices, d)
	}
	sort.Slice(inv.Devices, func(i, j int) bool { return inv.Devices[i].Name < inv.Devices[j].Name })
	l.inv = inv
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	return l, nil
}

// Inventory returns an inventory that reaches the lab: real addresses, TLS
// with the lab's CA (or plaintext, written as insecure), and credentials
// from the lab's password file.
func (l *Lab) Inventory() *inventory.Inventory {
	c := *l.inv
	c.Devices = append([]inventory.Device(nil), l.inv.Devices...)
	return &c
}

// Dir is where the lab keeps its CA and password file.
func (l *Lab) Dir() string { return l.dir }

// Target returns the named target, or nil.
func (l *Lab) Target(name string) *Target { return l.targets[name] }

// Close stops every target and removes the lab's temporary directory.
func (l *Lab) Close() {
	l.once.Do(func() {
		for _, t := range l.targets {
			t.stop()
		}
		if l.ownDir {
			os.RemoveAll(l.dir)
		}
	})
}

var errClosed = errors.New("lab closed")
