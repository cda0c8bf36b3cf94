package frr

import (
	"net/netip"
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
