package oc

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openconfig/ygot/exampleoc"
	"github.com/openconfig/ygot/ygot"
)

// benchBase is a device with the parts every router has: a few interfaces
// with addresses, a default instance, IS-IS-free BGP global and a policy.
func benchBase(name string) *Device {
	d := &Device{}
	for i := 0; i < 48; i++ {
		n := fmt.Sprintf("et-0/0/%d", i)
		ifc := d.GetOrCreateInterface(n)
		ifc.Description = ygot.String("to " + name + " peer " + n)
		ifc.Enabled = ygot.Bool(true)
		ifc.Mtu = ygot.Uint16(9192)
		ifc.Type = exampleoc.IETFInterfaces_InterfaceType_ethernetCsmacd
		a := ifc.GetOrCreateSubinterface(0).GetOrCreateIpv4().GetOrCreateAddress(fmt.Sprintf("10.1.%d.0", i))
		a.PrefixLength = ygot.Uint8(31)
	}
	ni := d.GetOrCreateNetworkInstance("DEFAULT")
	ni.Type = exampleoc.NetworkInstanceTypes_NETWORK_INSTANCE_TYPE_DEFAULT_INSTANCE
	g := ni.GetOrCreateProtocol(exampleoc.PolicyTypes_INSTALL_PROTOCOL_TYPE_BGP, "BGP").GetOrCreateBgp().GetOrCreateGlobal()
	g.As = ygot.Uint32(65000)
	g.RouterId = ygot.String("10.0.0.1")
	g.GetOrCreateAfiSafi(exampleoc.BgpTypes_AFI_SAFI_TYPE_IPV4_UNICAST).Enabled = ygot.Bool(true)
	pd := d.GetOrCreateRoutingPolicy().GetOrCreatePolicyDefinition("IBGP-OUT")
	for i, res := range []exampleoc.E_RoutingPolicy_PolicyResultType{exampleoc.RoutingPolicy_PolicyResultType_ACCEPT_ROUTE, exampleoc.RoutingPolicy_PolicyResultType_REJECT_ROUTE} {
		st, err := pd.AppendNewStatement(fmt.Sprintf("%d-stmt", (i+1)*10))
		if err != nil {
			panic(err)
		}
		st.GetOrCreateActions().PolicyResult = res
	}
	return d
}

// benchRR is a route reflector with n iBGP clients, each with its own
// policies and transport, the shape of the largest backbone configs.
func benchRR(tb testing.TB, n int) []byte {
	d := benchBase("rr")
	bgp := d.GetOrCreateNetworkInstance("DEFAULT").GetOrCreateProtocol(exampleoc.PolicyTypes_INSTALL_PROTOCOL_TYPE_BGP, "BGP").GetOrCreateBgp()
	pg := bgp.GetOrCreatePeerGroup("RR-CLIENTS")
	pg.PeerAs = ygot.Uint32(65000)
	pg.GetOrCreateRouteReflector().RouteReflectorClient = ygot.Bool(true)
	for i := 0; i < n; i++ {
		nb := bgp.GetOrCreateNeighbor(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		nb.PeerAs = ygot.Uint32(65000)
		nb.PeerGroup = ygot.String("RR-CLIENTS")
		nb.Enabled = ygot.Bool(true)
		nb.Description = ygot.String(fmt.Sprintf("r%04d loopback", i))
		ap := nb.GetOrCreateApplyPolicy()
		ap.ImportPolicy = []string{"IBGP-IN"}
		ap.ExportPolicy = []string{"IBGP-OUT", "NO-BOGONS"}
		ap.DefaultImportPolicy = exampleoc.RoutingPolicy_DefaultPolicyType_REJECT_ROUTE
		ap.DefaultExportPolicy = exampleoc.RoutingPolicy_DefaultPolicyType_REJECT_ROUTE
		nb.GetOrCreateTransport().LocalAddress = ygot.String("10.0.0.1")
		nb.GetOrCreateRouteReflector().RouteReflectorClient = ygot.Bool(true)
		nb.GetOrCreateRouteReflector().RouteReflectorClusterId = exampleoc.UnionString("10.0.0.1")
		nb.GetOrCreateTimers().HoldTime = ygot.Uint16(90)
		nb.GetOrCreateAfiSafi(exampleoc.BgpTypes_AFI_SAFI_TYPE_IPV4_UNICAST).Enabled = ygot.Bool(true)
	}
	return benchMarshal(tb, d)
}

// benchDC is a data-centre router with statics static routes (discard or
// next-hop) and one prefix-set of entries prefixes.
func benchDC(tb testing.TB, statics, entries int) []byte {
	d := benchBase("dc")
	st := d.GetOrCreateNetworkInstance("DEFAULT").GetOrCreateProtocol(exampleoc.PolicyTypes_INSTALL_PROTOCOL_TYPE_STATIC, "STATIC")
	for i := 0; i < statics; i++ {
		s := st.GetOrCreateStatic(fmt.Sprintf("10.%d.%d.%d/32", 100+i/65536, (i/256)%256, i%256))
		s.SetTag = exampleoc.UnionUint32(uint32(100 + i%7))
		nh := s.GetOrCreateNextHop("0")
		if i%2 == 0 {
			nh.NextHop = exampleoc.LocalRouting_LOCAL_DEFINED_NEXT_HOP_DROP
		} else {
			nh.NextHop = exampleoc.UnionString(fmt.Sprintf("10.1.%d.1", i%48))
			nh.Metric = ygot.Uint32(10)
		}
	}
	ps := d.GetOrCreateRoutingPolicy().GetOrCreateDefinedSets().GetOrCreatePrefixSet("DC-PREFIXES")
	ps.Mode = exampleoc.PrefixSet_Mode_IPV4
	for i := 0; i < entries; i++ {
		ps.GetOrCreatePrefix(fmt.Sprintf("10.%d.%d.%d/32", 200+i/65536, (i/256)%256, i%256), "exact")
	}
	return benchMarshal(tb, d)
}

func benchMarshal(tb testing.TB, d *Device) []byte {
	b, err := Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// benchInputs are the large real-shaped configs, built once.
var benchInputs = map[string]func(testing.TB) []byte{
	"rr400":  func(tb testing.TB) []byte { return benchRR(tb, 400) },
	"dc5000": func(tb testing.TB) []byte { return benchDC(tb, 5000, 5000) },
}

func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"rr400", "dc5000"} {
		data := benchInputs[name](b)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := Load(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoadYgot(b *testing.B) {
	for _, name := range []string{"rr400", "dc5000"} {
		data := benchInputs[name](b)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := loadYgot(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodingJSON is the yardstick: encoding/json into map[string]any
// on the same bytes.
func BenchmarkEncodingJSON(b *testing.B) {
	for _, name := range []string{"rr400", "dc5000"} {
		data := benchInputs[name](b)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(data, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The stages of Load, to see which one bounds it.
func BenchmarkLoadStages(b *testing.B) {
	for _, name := range []string{"rr400", "dc5000"} {
		data := benchInputs[name](b)
		b.Run(name+"/decodeStrict", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := decodeStrict(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/bind", func(b *testing.B) {
			root, _, err := loadChecked(data)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				// The binder does not modify the tree, so one tree serves.
				if err := bindRoot(RootEntry(), &Device{}, root); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/decode+check", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := loadChecked(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLeaves is the walk compile (unmodelled leaves) and the diff run
// on every device of both sides.
func BenchmarkLeaves(b *testing.B) {
	for _, name := range []string{"rr400", "dc5000"} {
		d, _, err := Load(benchInputs[name](b))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Leaves(d)
			}
		})
	}
}
