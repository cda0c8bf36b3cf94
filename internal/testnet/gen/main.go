// Command gen (re)writes the generated test network and change scenarios:
// testdata/backbone and testdata/scenarios under -out (the repository root).
//
//	go run ./internal/testnet/gen -out .
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/backstop-net/backstop/internal/testnet"
)

func main() {
	out := flag.String("out", ".", "repository root to write testdata/ under")
	flag.Parse()
	files, err := testnet.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := testnet.Write(*out, files); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d files under %s\n", len(files), *out)
}
