package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/backstop-net/backstop/internal/bench"
)

// startProfiles writes a CPU profile and an allocation profile of this one
// command when the environment asks for them (backstop bench --profile-dir
// sets them on its check children). Environment variables rather than flags,
// so that any command can be profiled exactly as it is run.
func startProfiles(stderr io.Writer) (stop func()) {
	cpuPath, memPath := os.Getenv(bench.ProfileEnv.CPU), os.Getenv(bench.ProfileEnv.Mem)
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "backstop: %s: %v\n", bench.ProfileEnv.CPU, err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			_ = cpu.Close()
		}
		if memPath != "" {
			runtime.GC()
			f, err := os.Create(memPath)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "backstop: %s: %v\n", bench.ProfileEnv.Mem, err)
			}
		}
	}
}
