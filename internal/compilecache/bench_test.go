package compilecache

import (
	"testing"

	"github.com/backstop-net/backstop/internal/compile"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// BenchmarkLoadCompile loads and compiles the shipped backbone (20 routers)
// as check does for its running side: without a cache (decode + compile every
// device) and with a warm one (read every compiled device, decode none).
func BenchmarkLoadCompile(b *testing.B) {
	const dir = "../../testdata/backbone"
	loadCompile := func(b *testing.B, c *Cache) {
		opt := snapshot.Options{}
		if c != nil {
			opt.Defer = c.Has
		}
		s, err := snapshot.LoadWith(dir, opt)
		if err != nil {
			b.Fatal(err)
		}
		var dc compile.DeviceCache
		if c != nil {
			dc = c
		}
		if _, err := compile.CompileWith(s, dc); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("off", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			loadCompile(b, nil)
		}
	})
	b.Run("warm", func(b *testing.B) {
		c := OpenWithIdentity(b.TempDir(), "bench", nil)
		loadCompile(b, c)
		cold := c.Stats()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			loadCompile(b, c)
		}
		if c.Stats().Misses > cold.Misses {
			b.Fatalf("warm run missed: %+v", c.Stats())
		}
	})
}
