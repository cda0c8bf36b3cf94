package collect

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backstop-net/backstop/internal/inventory"
	"github.com/backstop-net/backstop/internal/lab"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// bench200 is 200 devices with realistic configs: the 20 routers of
// testdata/backbone cloned ten times (24-51 KB of JSON each), or a
// synthetic fleet of similar size when the testdata is absent.
func bench200(b *testing.B) *snapshot.Snapshot {
	src, err := snapshot.Load("../../testdata/backbone")
	if err != nil {
		b.Logf("testdata/backbone unavailable (%v): synthetic fleet", err)
		s, err := lab.Fleet(200, 60)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	out := &snapshot.Snapshot{Inventory: &inventory.Inventory{}, Environment: &snapshot.Environment{},
		Devices: map[string]*snapshot.DeviceConfig{}}
	for k := 0; len(out.Devices) < 200; k++ {
		for _, n := range src.Names() {
			if len(out.Devices) == 200 {
				break
			}
			name := fmt.Sprintf("%s-%02d", n, k)
			d := *src.Devices[n]
			d.Name = name
			out.Devices[name] = &d
			out.Inventory.Devices = append(out.Inventory.Devices, inventory.Device{Name: name, Role: "backbone"})
		}
	}
	return out
}

// peakRSS reads the process's high-water resident set (Linux), in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkPull200 pulls 200 lab devices over real gRPC (TLS, password) and
// reports devices/s, the peak Go heap during the pull and the process's peak
// RSS (which includes the 200 in-process targets serving them).
func BenchmarkPull200(b *testing.B) {
	s := bench200(b)
	l, err := lab.Start(context.Background(), s, lab.WithTLS(), lab.WithAuth("bench", "bench-pw"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	inv := l.Inventory()
	var bytes int
	for _, d := range s.Devices {
		bytes += len(d.Raw)
	}
	b.Logf("200 devices, %d KB of config JSON (%.1f KB/device avg)", bytes/1024, float64(bytes)/1024/200)
	runtime.GC()

	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		got, _, err := Pull(context.Background(), inv, nil, Options{Progress: &strings.Builder{}})
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Devices) != 200 {
			b.Fatalf("%d devices", len(got.Devices))
		}
	}
	el := time.Since(start)
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(200*b.N)/el.Seconds(), "devices/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
}
