package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/lab"
	"github.com/backstop-net/backstop/internal/snapshot"
	"github.com/backstop-net/backstop/models/oc"
)

const secret = "s3cret-Pa55"

func fleet(t testing.TB, n int) *snapshot.Snapshot {
	t.Helper()
	s, err := lab.Fleet(n, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startLab(t testing.TB, s *snapshot.Snapshot, opts ...lab.Option) *lab.Lab {
	t.Helper()
	l, err := lab.Start(context.Background(), s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func quiet(o Options) Options {
	o.Progress = &bytes.Buffer{}
	return o
}

func sameTrees(t *testing.T, want, got *snapshot.Snapshot) {
	t.Helper()
	if len(got.Devices) != len(want.Devices) {
		t.Fatalf("pulled %d devices, want %d", len(got.Devices), len(want.Devices))
	}
	for n, w := range want.Devices {
		g := got.Devices[n]
		if g == nil {
			t.Fatalf("%s not pulled", n)
		}
		wb, _ := oc.Marshal(w.Tree)
		gb, _ := oc.Marshal(g.Tree)
		if !bytes.Equal(wb, gb) {
			t.Errorf("%s: pulled tree differs from the served one", n)
		}
		if !strings.HasPrefix(g.File, "gnmi://127.0.0.1:") {
			t.Errorf("%s: File %q", n, g.File)
		}
	}
}

func TestPullManyPlaintext(t *testing.T) {
	s := fleet(t, 24)
	l := startLab(t, s)
	got, rep, err := Pull(context.Background(), l.Inventory(), nil, quiet(Options{Parallel: 5}))
	if err != nil {
		t.Fatal(err)
	}
	sameTrees(t, s, got)
	for _, d := range rep.Devices {
		if d.Capabilities == nil || len(d.Capabilities.Models) == 0 {
			t.Fatalf("%s: no capabilities recorded", d.Name)
		}
		if d.Attempts != 1 {
			t.Errorf("%s: %d attempts", d.Name, d.Attempts)
		}
	}
	dir := t.TempDir()
	if err := got.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteCapabilities(dir, rep); err != nil {
		t.Fatal(err)
	}
	var caps struct {
		Devices map[string]struct {
			Encodings []string `json:"encodings"`
			Models    []Model  `json:"models"`
		} `json:"devices"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, CapabilitiesFile))
	if err := json.Unmarshal(b, &caps); err != nil {
		t.Fatal(err)
	}
	if c := caps.Devices["r003"]; len(c.Models) == 0 || c.Encodings[0] != "JSON_IETF" {
		t.Errorf("capabilities.json: %+v", c)
	}
	back, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameTreesLoaded(t, s, back)
}

func sameTreesLoaded(t *testing.T, want, got *snapshot.Snapshot) {
	t.Helper()
	for n, w := range want.Devices {
		wb, _ := oc.Marshal(w.Tree)
		gb, _ := oc.Marshal(got.Devices[n].Tree)
		if !bytes.Equal(wb, gb) {
			t.Errorf("%s: saved tree differs", n)
		}
	}
}

func TestPullTLSWithPassword(t *testing.T) {
	s := fleet(t, 6)
	l := startLab(t, s, lab.WithTLS(), lab.WithAuth("backstop", secret))
	inv := l.Inventory()
	if inv.Devices[0].TLS.Insecure || inv.Devices[0].TLS.CA == "" {
		t.Fatalf("lab inventory TLS %+v", inv.Devices[0].TLS)
	}
	got, _, err := Pull(context.Background(), inv, nil, quiet(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	sameTrees(t, s, got)
	// The inventory written to disk names the password file, never the password.
	b, err := inv.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(secret)) || !bytes.Contains(b, []byte("password_file")) {
		t.Errorf("inventory YAML:\n%s", b)
	}
}

func TestPullMultiNotification(t *testing.T) {
	s := fleet(t, 5)
	l := startLab(t, s, lab.MultiNotification())
	got, rep, err := Pull(context.Background(), l.Inventory(), nil, quiet(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	sameTrees(t, s, got)
	if rep.Devices[0].Notifications < 3 {
		t.Errorf("lab sent %d notifications, want several", rep.Devices[0].Notifications)
	}
}

func TestPullUnknownModelPathsAreRecorded(t *testing.T) {
	s := fleet(t, 3)
	l := startLab(t, s, lab.UnknownPaths("r001"), lab.MultiNotification("r002"), lab.UnknownPaths("r002"))
	got, rep, err := Pull(context.Background(), l.Inventory(), nil, quiet(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"r001", "r002"} {
		ig := got.Devices[n].Ignored
		if len(ig) != 2 || ig[0].Path != "/acme-lab:chassis" || !strings.HasSuffix(ig[1].Path, "/config/acme-lab:frobnicate") {
			t.Errorf("%s: Ignored = %+v", n, ig)
		}
		if !bytes.Contains(got.Devices[n].Raw, []byte("acme-lab:chassis")) {
			t.Errorf("%s: unmodelled members dropped from the pulled JSON", n)
		}
	}
	if len(got.Devices["r000"].Ignored) != 0 {
		t.Errorf("r000: Ignored = %+v", got.Devices["r000"].Ignored)
	}
	if len(rep.Devices[1].Ignored) != 2 {
		t.Errorf("report: %+v", rep.Devices[1].Ignored)
	}
	// Saved and loaded again, the unmodelled members are still reported.
	dir := t.TempDir()
	if err := got.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Devices["r002"].Ignored) != 2 {
		t.Errorf("after save/load: %+v", back.Devices["r002"].Ignored)
	}
}

// Every fault fails the whole pull closed, names the device and its cause,
// and maps to the documented exit code.
func TestPullFaults(t *testing.T) {
	s := fleet(t, 3)
	cases := []struct {
		name  string
		opts  []lab.Option
		inv   func(*inventory.Inventory)
		exit  int
		cause Cause
	}{
		{"down", []lab.Option{lab.Down("r001")}, nil, 5, Unreachable},
		{"slow", []lab.Option{lab.Slow(3*time.Second, "r001")}, nil, 5, Timeout},
		{"wrong password", []lab.Option{lab.WithAuth("backstop", secret), lab.WrongPassword("r001")}, nil, 5, AuthFailure},
		{"no password", []lab.Option{lab.WithAuth("backstop", secret)}, func(inv *inventory.Inventory) {
			inv.Devices[1].Credentials = inventory.Credentials{}
		}, 5, AuthFailure},
		{"bad cert", []lab.Option{lab.WithTLS()}, func(inv *inventory.Inventory) {
			inv.Devices[1].TLS = &inventory.TLS{} // system roots do not know the lab CA
		}, 5, TLSFailure},
		{"plaintext client, TLS server", []lab.Option{lab.WithTLS()}, func(inv *inventory.Inventory) {
			inv.Devices[1].TLS = &inventory.TLS{Insecure: true}
		}, 5, Unreachable},
		{"garbage JSON", []lab.Option{lab.GarbageJSON("r001")}, nil, 4, BadContent},
		{"missing password env", nil, func(inv *inventory.Inventory) {
			inv.Devices[1].Credentials = inventory.Credentials{Username: "x", PasswordEnv: "BACKSTOP_TEST_UNSET_VAR"}
		}, 4, BadSettings},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := startLab(t, s, c.opts...)
			inv := l.Inventory()
			if c.inv != nil {
				c.inv(inv)
			}
			got, rep, err := Pull(context.Background(), inv, nil, quiet(Options{Timeout: 300 * time.Millisecond, Backoff: 10 * time.Millisecond}))
			if err == nil || got != nil {
				t.Fatalf("pull passed: %v", err)
			}
			if fault.ExitCode(err) != c.exit {
				t.Errorf("exit %d, want %d: %v", fault.ExitCode(err), c.exit, err)
			}
			failed := rep.Failed()
			if len(failed) != 1 || failed[0].Name != "r001" || failed[0].Cause != c.cause {
				t.Fatalf("failed = %+v, want r001 %s", failed, c.cause)
			}
			if !strings.Contains(err.Error(), "r001 (127.0.0.1:") || !strings.Contains(err.Error(), string(c.cause)) {
				t.Errorf("error does not name the device and cause: %v", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the password: %v", err)
			}
			if c.cause == Timeout && failed[0].Attempts != 1+DefaultRetries {
				t.Errorf("timeout retried %d times", failed[0].Attempts)
			}
		})
	}
}

func TestPullListsEveryFailedDevice(t *testing.T) {
	s := fleet(t, 6)
	l := startLab(t, s, lab.Down("r001", "r004"), lab.GarbageJSON("r002"))
	_, rep, err := Pull(context.Background(), l.Inventory(), nil, quiet(Options{Retries: -1}))
	if err == nil {
		t.Fatal("pull passed")
	}
	if fault.ExitCode(err) != 5 {
		t.Errorf("mixed failures: exit %d, want 5 (access wins)", fault.ExitCode(err))
	}
	for _, n := range []string{"r001", "r002", "r004"} {
		if !strings.Contains(err.Error(), n+" (") {
			t.Errorf("error does not name %s: %v", n, err)
		}
	}
	if len(rep.Failed()) != 3 {
		t.Errorf("%d failed", len(rep.Failed()))
	}
}

func TestPullRetriesTransient(t *testing.T) {
	// Slow on the first attempts only is hard to arrange; a device that is
	// slower than the timeout shows the retries and the backoff instead.
	s := fleet(t, 1)
	l := startLab(t, s, lab.Slow(time.Second))
	start := time.Now()
	_, rep, err := Pull(context.Background(), l.Inventory(), nil, quiet(Options{Timeout: 100 * time.Millisecond, Retries: 2, Backoff: 50 * time.Millisecond}))
	if err == nil {
		t.Fatal("pull passed")
	}
	if rep.Devices[0].Attempts != 3 {
		t.Errorf("attempts %d", rep.Devices[0].Attempts)
	}
	if el := time.Since(start); el < 300*time.Millisecond+150*time.Millisecond {
		t.Errorf("no backoff between attempts: %v", el)
	}
}

func TestPullProgressQuietOffTerminal(t *testing.T) {
	s := fleet(t, 2)
	l := startLab(t, s, lab.Down("r000"))
	var buf bytes.Buffer
	_, _, _ = Pull(context.Background(), l.Inventory(), nil, Options{Progress: &buf, Retries: -1})
	out := buf.String()
	if strings.Contains(out, "\r") || !strings.Contains(out, "pull r000: unreachable") || !strings.Contains(out, "pulled 1/2") {
		t.Errorf("progress output:\n%q", out)
	}
}
