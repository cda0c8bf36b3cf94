package frr

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/models/network"
)

// A static next hop's preference is zebra's administrative distance.
func TestStaticPreferenceIsDistance(t *testing.T) {
	d := &network.Device{Name: "r1", Statics: []network.StaticRoute{
		{Prefix: netip.MustParsePrefix("0.0.0.0/0"), NextHops: []network.StaticNextHop{{Discard: true, Preference: 250}}},
		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), NextHops: []network.StaticNextHop{{Addr: netip.MustParseAddr("192.0.2.1"), Preference: 1}}},
	}}
	got, err := renderStatics(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "ip route 0.0.0.0/0 blackhole 250\nip route 10.0.0.0/8 192.0.2.1\n!\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// IS-IS hello authentication: a stand-in key derived from the model's hash
// (equal keys stay equal, different ones differ); what isisd cannot express
// is refused, never dropped.
func TestISISHelloAuthRendering(t *testing.T) {
	dev := func(a network.ISISAuth, lsp bool) *network.Device {
		d := &network.Device{Name: "r1", Interfaces: []network.Interface{{Name: "et-0/0/0", Enabled: true}}}
		d.ISIS = &network.ISIS{Enabled: true, SystemID: "0000.0000.0001", Areas: []string{"49.0001"}, Levels: network.Level2,
			Interfaces: []network.ISISInterface{{Interface: "et-0/0/0", Enabled: true, Levels: network.Level12, PointToPoint: true}}}
		d.ISIS.Interfaces[0].HelloAuth[1] = a
		if lsp {
			d.ISIS.LevelAuth[1] = a
		}
		return d
	}
	md5 := network.ISISAuth{Enabled: true, Mode: "MD5", Type: "SIMPLE_KEY", KeyHash: "0123456789abcdef0123456789abcdef"}
	out, err := renderISIS(dev(md5, false), map[string]string{"et-0/0/0": "eth0"})
	if err != nil || !strings.Contains(out, "interface eth0\n") || !strings.Contains(out, " isis password md5 k0123456789abcdef0123\n") {
		t.Fatalf("err %v\n%s", err, out)
	}
	if _, err := renderISIS(dev(md5, true), map[string]string{"et-0/0/0": "eth0"}); err == nil || !strings.Contains(err.Error(), "LSP authentication") {
		t.Errorf("LSP authentication must be refused: %v", err)
	}
	chain := network.ISISAuth{Enabled: true, Type: "KEYCHAIN", Keychain: "K"}
	if _, err := renderISIS(dev(chain, false), map[string]string{"et-0/0/0": "eth0"}); err == nil {
		t.Errorf("a key chain must be refused")
	}
}
