package main

import (
	"log/slog"
	"os"

	"github.com/backstop-net/backstop/internal/compilecache"
	"github.com/spf13/cobra"
)

// cacheFlags are --cache and --no-cache (internal/compilecache).
type cacheFlags struct {
	dir     string
	disable bool
}

func (c *cacheFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.dir, "cache", compilecache.DefaultDir(),
		`folder of compiled devices reused between runs, keyed by config bytes and backstop's build; "off" disables it`)
	cmd.Flags().BoolVar(&c.disable, "no-cache", false, "do not read or write the compile cache (same as --cache off)")
}

// open returns the cache, or nil when disabled. BACKSTOP_DEBUG=1 logs its
// misses and write failures on stderr; they never change a verdict.
func (c *cacheFlags) open(cmd *cobra.Command) *compilecache.Cache {
	if c.disable {
		return nil
	}
	var log *slog.Logger
	if os.Getenv("BACKSTOP_DEBUG") != "" {
		log = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return compilecache.Open(c.dir, log)
}
