// Package emulate runs a compiled network on FRRouting in Linux network
// namespaces and compares the routers' RIBs with the simulator's (the
// conformance tests and `backstop emulate`).
//
// One namespace per router and per external speaker (named <prefix><index>,
// the prefix unique per process and lab), veth pairs for the links the
// simulator infers (down links too, with the disabled ends admin-down),
// loopback addresses on lo, and zebra/staticd/isisd/bgpd started directly from
// /usr/lib/frr with per-router config, pid, zserv and vty paths under a
// temporary directory. Everything started is recorded and removed by Close —
// daemons by PID, then the namespaces — also when a bring-up step fails and on
// SIGINT/SIGTERM (see HandleSignals).
package emulate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/backstop-net/backstop/internal/emulate/frr"
	"github.com/backstop-net/backstop/internal/sim"
)

// FRRBin is where Debian's frr package installs the daemons.
var FRRBin = "/usr/lib/frr"

// Available says why the lab cannot run here, or nil.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("emulation needs root (network namespaces)")
	}
	for _, d := range []string{"zebra", "bgpd", "isisd", "staticd"} {
		if _, err := os.Stat(filepath.Join(FRRBin, d)); err != nil {
			return fmt.Errorf("FRR is not installed (%s/%s missing): apt-get install frr", FRRBin, d)
		}
	}
	for _, b := range []string{"vtysh", "ip"} {
		if _, err := exec.LookPath(b); err != nil {
			return fmt.Errorf("%s not found", b)
		}
	}
	name := fmt.Sprintf("bs%dprobe%d", os.Getpid(), labSeq.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return fmt.Errorf("network namespaces unavailable: %s", strings.TrimSpace(string(out)))
	}
	exec.Command("ip", "netns", "del", name).Run()
	return nil
}

var labSeq atomic.Int64

// node is one namespace: a router or a speaker.
type node struct {
	name  string // router or speaker name
	ns    string
	dir   string
	files map[string]string
}

// Lab is a running emulation.
type Lab struct {
	Dir    string
	cfg    *frr.Config
	nodes  []*node
	byName map[string]*node
	mu     sync.Mutex
	nsMade []string
	pids   []int
	// starting counts daemons between "ip netns exec" and their pid being
	// recorded: Close waits for them, or a daemon forking while Close scans
	// the namespace outlives it (seen in CI: a bgpd left after Ctrl-C).
	starting sync.WaitGroup
	started  time.Time
	phase    time.Time // when the current stage began (start-up, or deferred lines entered)
	closed   bool
	done     chan struct{} // closed when the first Close has finished
	keepDir  bool
}

var (
	liveMu   sync.Mutex
	live     = map[*Lab]bool{}
	shutdown bool // CloseAll ran: no new lab may start
)

// waitIfShuttingDown blocks a caller whose lab was closed under it by the
// signal handler: the handler is still removing namespaces and will exit the
// process; returning would let main exit first and leave them behind.
func waitIfShuttingDown() {
	liveMu.Lock()
	s := shutdown
	liveMu.Unlock()
	if s {
		select {}
	}
}

// HandleSignals closes every live lab on SIGINT/SIGTERM, then exits 130.
// Safe to call more than once (the CLI's tests run several commands in one
// process): the handler is installed once.
func HandleSignals() {
	signalsOnce.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			s := <-ch
			fmt.Fprintf(os.Stderr, "emulate: %v: removing lab namespaces and daemons\n", s)
			CloseAll()
			os.Exit(130)
		}()
	})
}

var signalsOnce sync.Once

// CloseAll closes every lab not closed yet.
func CloseAll() {
	liveMu.Lock()
	shutdown = true
	labs := make([]*Lab, 0, len(live))
	for l := range live {
		labs = append(labs, l)
	}
	liveMu.Unlock()
	for _, l := range labs {
		l.Close()
	}
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// ipBatch runs "ip -batch -" (optionally in a namespace) with the given lines.
func ipBatch(ns string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	args := []string{"-batch", "-"}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	cmd := exec.Command("ip", args...)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Start brings the rendered network up. links are the simulator's links (all
// of them; a link is created whatever its state, and the ends whose interface
// is disabled are set admin-down). On error everything started is removed.
func Start(cfg *frr.Config, links []sim.Link, baseDir string) (_ *Lab, err error) {
	dir, err := os.MkdirTemp(baseDir, "backstop-lab-")
	if err != nil {
		return nil, err
	}
	// l, not the result: "return nil, err" must not hide the lab from the
	// cleanup below.
	l := &Lab{Dir: dir, cfg: cfg, byName: map[string]*node{}, done: make(chan struct{})}
	liveMu.Lock()
	if shutdown {
		liveMu.Unlock()
		os.RemoveAll(dir)
		waitIfShuttingDown()
	}
	live[l] = true
	liveMu.Unlock()
	defer func() {
		if err != nil {
			l.Close()
			waitIfShuttingDown()
		}
	}()
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	prefix := fmt.Sprintf("bs%d-%d-", os.Getpid(), labSeq.Add(1))
	for i, r := range cfg.Routers {
		n := &node{name: r.Name, ns: fmt.Sprintf("%sr%d", prefix, i), dir: filepath.Join(dir, fmt.Sprintf("r%d", i)), files: r.Files}
		l.nodes = append(l.nodes, n)
		l.byName[r.Name] = n
	}
	for i, s := range cfg.Speakers {
		n := &node{name: s.Name, ns: fmt.Sprintf("%sx%d", prefix, i), dir: filepath.Join(dir, fmt.Sprintf("x%d", i)), files: s.Files}
		l.nodes = append(l.nodes, n)
		l.byName["speaker:"+s.Name] = n
	}
	for _, n := range l.nodes {
		if err := l.addNamespace(n.ns); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(n.dir, 0o755); err != nil {
			return nil, err
		}
	}
	if err := l.wire(links); err != nil {
		return nil, err
	}
	if err := l.startDaemons(); err != nil {
		return nil, err
	}
	return l, nil
}

// addNamespace creates a namespace under the lab's lock, so that a Close
// running concurrently (Ctrl-C during bring-up) either sees it and deletes it
// or has already marked the lab closed and no namespace is made.
func (l *Lab) addNamespace(ns string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lab closed during bring-up")
	}
	if err := run("ip", "netns", "add", ns); err != nil {
		return err
	}
	l.nsMade = append(l.nsMade, ns)
	return nil
}

func (l *Lab) router(name string) *frr.Router {
	for i := range l.cfg.Routers {
		if l.cfg.Routers[i].Name == name {
			return &l.cfg.Routers[i]
		}
	}
	return nil
}

// wire creates veths, addresses and interface states.
func (l *Lab) wire(links []sim.Link) error {
	perNS := map[string][]string{} // ns -> ip batch lines run after the veths exist
	placed := map[string]bool{}    // router|ocIface that has a veth
	var root []string
	for _, lk := range links {
		if !lk.Cabled() {
			continue // the ports stay stubs: a cable to nothing, as in running
		}
		ra, rb := l.router(lk.A), l.router(lk.B)
		if ra == nil || rb == nil {
			return fmt.Errorf("link %s: unknown device", lk.Key())
		}
		ka, kb := lk.A+"|"+lk.AIface, lk.B+"|"+lk.BIface
		if placed[ka] || placed[kb] {
			return &frr.Error{Device: lk.A, Feature: fmt.Sprintf("interface in several links (a shared LAN) at %s", lk.Key())}
		}
		placed[ka], placed[kb] = true, true
		na, nb := l.byName[lk.A], l.byName[lk.B]
		root = append(root, fmt.Sprintf("link add %s netns %s type veth peer name %s netns %s",
			ra.IfMap[lk.AIface], na.ns, rb.IfMap[lk.BIface], nb.ns))
	}
	for _, s := range l.cfg.Speakers {
		r := l.router(s.Device)
		k := s.Device + "|" + s.Iface
		if placed[k] {
			return &frr.Error{Device: s.Device, Feature: fmt.Sprintf("external speaker %s on an interface that also links to a router", s.Name)}
		}
		placed[k] = true
		sn := l.byName["speaker:"+s.Name]
		root = append(root, fmt.Sprintf("link add %s netns %s type veth peer name ext0 netns %s", r.IfMap[s.Iface], l.byName[s.Device].ns, sn.ns))
		perNS[sn.ns] = append(perNS[sn.ns], "link set lo up", fmt.Sprintf("addr add %s dev ext0", s.Addr), "link set ext0 up")
	}
	// Interfaces with addresses but no link: a veth whose peer stays in the same
	// namespace, so the subnet is connected as on a router with a cable to nothing
	// that answers.
	for _, r := range l.cfg.Routers {
		n := l.byName[r.Name]
		lines := []string{"link set lo up"}
		stub := 0
		for _, ifc := range r.Ifaces {
			if ifc.Loopback {
				if ifc.Enabled {
					for _, a := range ifc.Addresses {
						lines = append(lines, fmt.Sprintf("addr add %s dev lo", a))
					}
				}
				continue
			}
			if !placed[r.Name+"|"+ifc.OC] {
				if len(ifc.Addresses) == 0 {
					continue
				}
				peer := fmt.Sprintf("stub%d", stub)
				stub++
				lines = append(lines, fmt.Sprintf("link add %s type veth peer name %s", ifc.Linux, peer), fmt.Sprintf("link set %s up", peer))
			}
			for _, a := range ifc.Addresses {
				lines = append(lines, fmt.Sprintf("addr add %s dev %s", a, ifc.Linux))
			}
			if ifc.MTU > 0 {
				lines = append(lines, fmt.Sprintf("link set %s mtu %d", ifc.Linux, ifc.MTU))
			}
			st := "up"
			if !ifc.Enabled {
				st = "down"
			}
			lines = append(lines, fmt.Sprintf("link set %s %s", ifc.Linux, st))
		}
		perNS[n.ns] = append(lines, perNS[n.ns]...)
	}
	if err := ipBatch("", root); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(l.nodes))
	sem := make(chan struct{}, 4)
	for _, n := range l.nodes {
		wg.Add(1)
		go func(n *node) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := ipBatch(n.ns, perNS[n.ns]); err != nil {
				errs <- fmt.Errorf("%s: %w", n.name, err)
				return
			}
			if err := run("ip", "netns", "exec", n.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
				errs <- err
			}
		}(n)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

var daemonOrder = []string{"zebra", "staticd", "isisd", "bgpd"}

func (l *Lab) startDaemon(n *node, d string) error {
	conf := filepath.Join(n.dir, d+".conf")
	pidf := filepath.Join(n.dir, d+".pid")
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return errors.New("lab closed during bring-up")
	}
	l.starting.Add(1)
	l.mu.Unlock()
	defer l.starting.Done()
	args := []string{"netns", "exec", n.ns, filepath.Join(FRRBin, d), "-d", "-f", conf, "-i", pidf,
		"-z", filepath.Join(n.dir, "zserv.api"), "--vty_socket", n.dir, "-P", "0", "-u", "frr", "-g", "frr",
		"--log", "file:" + filepath.Join(n.dir, d+".log")}
	if d == "zebra" {
		args = append(args, "-s", "90000000")
	}
	if err := run(append([]string{"ip"}, args...)...); err != nil {
		return err
	}
	// -d: the daemon forks; its pid file names the process to stop.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(pidf)
		if err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				l.mu.Lock()
				defer l.mu.Unlock()
				if l.closed { // Close ran while this daemon started
					syscall.Kill(pid, syscall.SIGKILL)
					return errors.New("lab closed during bring-up")
				}
				l.pids = append(l.pids, pid)
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s %s: no pid file after start (see %s)", n.name, d, filepath.Join(n.dir, d+".log"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (l *Lab) startDaemons() error {
	for _, n := range l.nodes {
		for d, text := range n.files {
			if err := os.WriteFile(filepath.Join(n.dir, d+".conf"), []byte(text), 0o644); err != nil {
				return err
			}
		}
		if err := run("chown", "-R", "frr:frr", n.dir); err != nil {
			return err
		}
	}
	l.started = time.Now()
	l.phase = l.started
	for _, d := range daemonOrder {
		var wg sync.WaitGroup
		errs := make(chan error, len(l.nodes))
		sem := make(chan struct{}, 4)
		for _, n := range l.nodes {
			if _, ok := n.files[d]; !ok {
				continue
			}
			wg.Add(1)
			go func(n *node) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				if err := l.startDaemon(n, d); err != nil {
					errs <- err
				}
			}(n)
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// Close stops every daemon the lab started (by PID), kills whatever is left in
// its namespaces (only processes it started can be there), deletes the
// namespaces and the state directory. Safe to call twice.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		// The first Close (maybe the signal handler's) may still be
		// deleting namespaces; returning now could let main exit first.
		<-l.done
		return nil
	}
	l.closed = true
	defer close(l.done)
	nss := append([]string(nil), l.nsMade...)
	keep := l.keepDir
	l.mu.Unlock()
	// A daemon being started now records its pid or, seeing closed, kills
	// itself; either way it is gone or in pids before the namespaces are
	// scanned below.
	l.starting.Wait()
	l.mu.Lock()
	pids := append([]int(nil), l.pids...)
	l.mu.Unlock()
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	var errs []error
	for _, ns := range nss {
		if out, err := exec.Command("ip", "netns", "pids", ns).Output(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
					pids = append(pids, pid)
				}
			}
		}
		if err := run("ip", "netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	// SIGKILL is asynchronous: the caller (and the process exiting right
	// after the signal handler) must not see a daemon still alive.
	deadline = time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !keep {
		os.RemoveAll(l.Dir)
	}
	liveMu.Lock()
	delete(live, l)
	liveMu.Unlock()
	return errors.Join(errs...)
}

// alive says whether pid still runs. A zombie does not: the daemons fork
// away from us and, in containers whose init does not reap, stay zombies
// for good, which kill(pid, 0) still reports as present.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// KeepDir keeps the state directory (configs, logs) after Close.
func (l *Lab) KeepDir() {
	l.mu.Lock()
	l.keepDir = true
	l.mu.Unlock()
}

// ApplyDeferred enters the routers' deferred configuration (speakers false)
// or the speakers' (true) and starts a new stage for Wait. It reports
// whether there was any.
func (l *Lab) ApplyDeferred(speakers bool) (bool, error) {
	type job struct {
		name  string
		lines []string
	}
	var jobs []job
	if speakers {
		for _, s := range l.cfg.Speakers {
			if len(s.Deferred) > 0 {
				jobs = append(jobs, job{"speaker:" + s.Name, s.Deferred})
			}
		}
	} else {
		for _, r := range l.cfg.Routers {
			if len(r.Deferred) > 0 {
				jobs = append(jobs, job{r.Name, r.Deferred})
			}
		}
	}
	for _, j := range jobs {
		out, err := l.vtysh(j.name, append([]string{"configure terminal"}, j.lines...)...)
		// vtysh reports a rejected line on stdout and may still exit 0: any
		// output is a line FRR did not take.
		if err == nil && len(bytes.TrimSpace(out)) > 0 {
			err = fmt.Errorf("vtysh %s: %s", j.name, strings.TrimSpace(string(out)))
		}
		if err != nil {
			return true, fmt.Errorf("deferred configuration: %w", err)
		}
	}
	if len(jobs) > 0 {
		l.phase = time.Now()
	}
	return len(jobs) > 0, nil
}

// vtysh runs commands against a router's daemons.
func (l *Lab) vtysh(name string, cmds ...string) ([]byte, error) {
	n := l.byName[name]
	if n == nil {
		return nil, fmt.Errorf("unknown router %s", name)
	}
	args := []string{"--vty_socket", n.dir}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("vtysh", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("vtysh %s: %v: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}
