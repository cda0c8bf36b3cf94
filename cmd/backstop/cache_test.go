package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCacheFlag: --cache DIR fills DIR and a warm run prints the same JSON;
// --no-cache and --cache off leave DIR untouched and print it too.
func TestCacheFlag(t *testing.T) {
	dir := t.TempDir()
	entries := func() int {
		n := 0
		filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	args := append(scenario("drain-backbone"), "--output", "json")
	codeOff, off, _ := runCLI(t, append(args, "--cache", "off")...)
	_, noCache, _ := runCLI(t, append(args, "--no-cache", "--cache", dir)...)
	if entries() != 0 {
		t.Fatalf("disabled cache wrote %d entries", entries())
	}
	codeCold, cold, _ := runCLI(t, append(args, "--cache", dir)...)
	n := entries()
	if n < 20 {
		t.Fatalf("cold run wrote %d entries, want one per device and candidate", n)
	}
	codeWarm, warm, _ := runCLI(t, append(args, "--cache", dir)...)
	if entries() != n {
		t.Fatalf("warm run wrote entries: %d then %d", n, entries())
	}
	if codeOff != 3 || codeCold != codeOff || codeWarm != codeOff || off != noCache || off != cold || off != warm || len(off) < 1000 {
		t.Fatalf("exit codes %d/%d/%d; outputs differ between cache off, cold and warm", codeOff, codeCold, codeWarm)
	}
}
