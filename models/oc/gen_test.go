package oc_test

import (
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/testnet"
	"github.com/backstop-net/backstop/models/oc"
)

// The generator's output, fresh (the committed testdata is checked to be
// current elsewhere, but this does not rely on that): every config the
// fast path binds exactly as ytypes does, without falling back.
func TestFastBinderMatchesYtypesOnGeneratedConfigs(t *testing.T) {
	files, err := testnet.Generate()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, data := range files {
		if !strings.HasSuffix(name, ".json") || !(strings.Contains(name, "/configs/") || strings.Contains(name, "/candidate/")) {
			continue
		}
		n++
		before := oc.Fallbacks()
		if d := oc.SameLoad(data); d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if got := oc.Fallbacks() - before; got != 0 {
			t.Errorf("%s: fell back to ytypes", name)
		}
	}
	if n < 20 {
		t.Errorf("only %d generated configs", n)
	}
}
