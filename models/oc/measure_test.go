package oc

import (
	"encoding/json"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system time: on a shared machine wall-clock
// benchmarks swing by 2x with the neighbours' load, CPU time much less, and
// "MB/s per core" is what the target is stated in. GC workers on the other
// core are counted, as they should be.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMeasureThroughput prints MB per CPU-second for each path on the
// benchmark configs. It only runs when asked:
//
//	BACKSTOP_MEASURE=1 go test -run TestMeasureThroughput -v ./models/oc/
func TestMeasureThroughput(t *testing.T) {
	if os.Getenv("BACKSTOP_MEASURE") == "" {
		t.Skip("set BACKSTOP_MEASURE=1")
	}
	for _, name := range []string{"rr400", "dc5000"} {
		data := benchInputs[name](t)
		root, _, err := loadChecked(data)
		if err != nil {
			t.Fatal(err)
		}
		paths := []struct {
			name string
			fn   func()
		}{
			{"encoding/json", func() {
				var m map[string]any
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
			}},
			{"Load (fast)", func() {
				if _, _, err := Load(data); err != nil {
					t.Fatal(err)
				}
			}},
			{"decodeStrict", func() {
				if _, err := decodeStrict(data); err != nil {
					t.Fatal(err)
				}
			}},
			{"decode+check", func() {
				if _, _, err := loadChecked(data); err != nil {
					t.Fatal(err)
				}
			}},
			{"bind", func() {
				if err := bindRoot(RootEntry(), &Device{}, root); err != nil {
					t.Fatal(err)
				}
			}},
			{"loadYgot (old)", func() {
				if _, _, err := loadYgot(data); err != nil {
					t.Fatal(err)
				}
			}},
		}
		for _, p := range paths {
			t0 := time.Now()
			p.fn() // warm the plans and caches
			if p.name == "Load (fast)" {
				t.Logf("%-7s first Load (builds the binder's plans): %v", name, time.Since(t0))
			}
			n := 0
			start := cpuTime()
			wall := time.Now()
			for cpuTime()-start < 2*time.Second || n < 3 {
				p.fn()
				n++
			}
			cpu := cpuTime() - start
			mb := float64(len(data)) * float64(n) / 1e6
			t.Logf("%-7s %-15s %8.1f MB/cpu-s  %8.1f MB/wall-s  (%d runs, %.2f MB each)", name, p.name, mb/cpu.Seconds(), mb/time.Since(wall).Seconds(), n, float64(len(data))/1e6)
		}
	}
}
