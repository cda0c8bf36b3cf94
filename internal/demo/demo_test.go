package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/verdict"
)

// The demo is the README's first command: it must pull over real gRPC and get
// BLOCK for the 2021 drain and PASS for the one-link drain, plaintext and TLS.
func TestDemo(t *testing.T) {
	for _, tls := range []bool{false, true} {
		var out bytes.Buffer
		reps, err := Run(context.Background(), &out, Options{TLS: tls})
		if err != nil {
			t.Fatalf("tls=%v: %v\n%s", tls, err, out.String())
		}
		if len(reps) != 2 || reps[0].Verdict != verdict.Block || reps[1].Verdict != verdict.Pass {
			t.Fatalf("tls=%v: verdicts %v", tls, reps)
		}
		if !strings.Contains(out.String(), "pulled the running config of 20 devices over gNMI") {
			t.Errorf("tls=%v: output does not show the pull:\n%.300s", tls, out.String())
		}
	}
}
