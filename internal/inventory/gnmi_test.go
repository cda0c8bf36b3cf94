package inventory

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const pw = "hunter2-very-secret"

func TestResolveDefaultsAndCredentials(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte(pw+"\n"), 0o600)
	t.Setenv("BACKSTOP_TEST_PW", pw)
	inv, err := Parse([]byte(`
defaults:
  tls: {ca: /etc/backstop/ca.pem, server_name: routers.example.net}
  credentials: {username: backstop, password_env: BACKSTOP_TEST_PW}
  timeout: 20s
devices:
  - {name: r1, address: "192.0.2.1:57400"}
  - name: r2
    address: "192.0.2.2:57400"
    tls: {insecure: true}
    credentials: {username: lab, password_file: ` + pwFile + `}
    timeout: 3s
`))
	if err != nil {
		t.Fatal(err)
	}
	r1, err := inv.Resolve("r1")
	if err != nil {
		t.Fatal(err)
	}
	if r1.TLS.CA != "/etc/backstop/ca.pem" || r1.TLS.Insecure || r1.Timeout != 20*time.Second || r1.Credentials.Username != "backstop" {
		t.Errorf("r1 = %+v", r1)
	}
	r2, err := inv.Resolve("r2")
	if err != nil {
		t.Fatal(err)
	}
	if !r2.TLS.Insecure || r2.TLS.CA != "" || r2.Timeout != 3*time.Second || r2.Credentials.Username != "lab" {
		t.Errorf("r2 = %+v", r2)
	}
	for _, c := range []*Conn{r1, r2} {
		got, err := c.Credentials.Password()
		if err != nil || got != pw {
			t.Errorf("%s password: %v", c.Name, err)
		}
		// Every printed form is redacted.
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("dial", "conn", c, "creds", c.Credentials)
		for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, *c, c.Credentials), logged.String()} {
			if strings.Contains(s, pw) {
				t.Errorf("password printed: %s", s)
			}
		}
		if _, err := c.DialOptions(); err != nil && c.Name == "r2" {
			t.Errorf("dial options: %v", err)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	cases := map[string]string{
		"no address":       `devices: [{name: r1}]`,
		"bad address":      `devices: [{name: r1, address: "192.0.2.1"}]`,
		"insecure and tls": `devices: [{name: r1, address: "a:1", tls: {insecure: true, ca: ca.pem}}]`,
		"half mtls":        `devices: [{name: r1, address: "a:1", tls: {cert: c.pem}}]`,
		"two passwords":    `devices: [{name: r1, address: "a:1", credentials: {username: u, password_env: X, password_file: f}}]`,
		"password no user": `devices: [{name: r1, address: "a:1", credentials: {password_env: X}}]`,
	}
	for name, y := range cases {
		inv, err := Parse([]byte(y))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := inv.Resolve("r1"); err == nil {
			t.Errorf("%s: resolved", name)
		}
	}
	inv, _ := Parse([]byte(`devices: [{name: r1, address: "a:1", credentials: {username: u, password_env: BACKSTOP_SURELY_UNSET}}]`))
	c, err := inv.Resolve("r1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DialOptions(); err == nil || !strings.Contains(err.Error(), "BACKSTOP_SURELY_UNSET") {
		t.Errorf("unset env: %v", err)
	}
	inv, _ = Parse([]byte(`devices: [{name: r1, address: "a:1", tls: {ca: /nonexistent/ca.pem}}]`))
	c, _ = inv.Resolve("r1")
	if _, err := c.DialOptions(); err == nil {
		t.Error("missing CA file accepted")
	}
}

func TestGnmicTargets(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "targets.yaml")
	os.WriteFile(p, []byte(`
username: admin
password: `+pw+`
skip-verify: true
timeout: 7s
encoding: json_ietf
targets:
  r1.ams:
    address: 192.0.2.1:57400
    insecure: true
    skip-verify: false
  192.0.2.2:57400:
    username: ops
    tls-ca: /etc/ca.pem
`), 0o600)
	inv, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(inv.Names(), ","); got != "192.0.2.2:57400,r1.ams" {
		t.Fatalf("names %s", got)
	}
	r1, err := inv.Resolve("r1.ams")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Address != "192.0.2.1:57400" || !r1.TLS.Insecure || r1.TLS.SkipVerify || r1.Timeout != 7*time.Second {
		t.Errorf("r1 = %+v", r1)
	}
	if got, _ := r1.Credentials.Password(); got != pw || r1.Credentials.Username != "admin" {
		t.Errorf("r1 credentials %s", r1.Credentials)
	}
	r2, _ := inv.Resolve("192.0.2.2:57400")
	if r2.Address != "192.0.2.2:57400" || r2.TLS.CA != "/etc/ca.pem" || !r2.TLS.SkipVerify || r2.Credentials.Username != "ops" {
		t.Errorf("r2 = %+v", r2)
	}
	b, _ := inv.Marshal()
	if strings.Contains(string(b), pw) || strings.Contains(r1.String(), pw) {
		t.Errorf("password written or printed:\n%s", b)
	}
}
