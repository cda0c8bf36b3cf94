package lab

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gnmiCli finds gnmi_cli (github.com/openconfig/gnmi/cmd/gnmi_cli@v0.14.1,
// installed by .ci/install-gnmi-cli.sh) in PATH or GOPATH/bin.
func gnmiCli(t *testing.T) string {
	if p, err := exec.LookPath("gnmi_cli"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "gnmi_cli")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("gnmi_cli not installed: run .ci/install-gnmi-cli.sh (go install github.com/openconfig/gnmi/cmd/gnmi_cli@v0.14.1) to run the interop test")
	return ""
}

// TestInteropGnmiCli: a gNMI client nobody on this team wrote does Get,
// Set and Capabilities against a lab target over TLS.
func TestInteropGnmiCli(t *testing.T) {
	cli := gnmiCli(t)
	l := start(t, fleet(t, 2), WithTLS())
	tg := l.Target("r001")
	ca := filepath.Join(l.Dir(), "ca.pem")
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		args = append([]string{"-address", tg.Addr(), "-ca_crt", ca, "-server_name", "localhost", "-timeout", "10s"}, args...)
		out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("gnmi_cli %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	out := run("-capabilities")
	if !strings.Contains(out, "openconfig-interfaces") || !strings.Contains(out, "JSON_IETF") {
		t.Errorf("capabilities:\n%s", out)
	}
	out = run("-get", "-proto", `path: <elem: <name: "interfaces"> elem: <name: "interface" key: <key: "name" value: "et-0/0/0">> elem: <name: "config">> type: CONFIG encoding: JSON_IETF`)
	if !strings.Contains(out, `core: r000`) || !strings.Contains(out, "json_ietf_val") {
		t.Errorf("get:\n%s", out)
	}
	run("-set", "-proto", `update: <path: <elem: <name: "interfaces"> elem: <name: "interface" key: <key: "name" value: "et-0/0/0">> elem: <name: "config"> elem: <name: "enabled">> val: <bool_val: false>>
replace: <path: <elem: <name: "interfaces"> elem: <name: "interface" key: <key: "name" value: "lo0">> elem: <name: "config"> elem: <name: "description">> val: <string_val: "set by gnmi_cli">>`)
	cfg := tg.Config()
	if cfg.GetInterface("et-0/0/0").GetEnabled() || cfg.GetInterface("lo0").GetDescription() != "set by gnmi_cli" {
		t.Errorf("set not applied: enabled=%v description=%q", cfg.GetInterface("et-0/0/0").GetEnabled(), cfg.GetInterface("lo0").GetDescription())
	}
	out = run("-get", "-proto", `path: <elem: <name: "interfaces"> elem: <name: "interface" key: <key: "name" value: "lo0">> elem: <name: "config"> elem: <name: "description">> encoding: JSON_IETF`)
	if !strings.Contains(out, "set by gnmi_cli") {
		t.Errorf("get after set:\n%s", out)
	}
}
