// Command pmsync opens a ticket for every contributing factor and action
// item of finalized postmortems, writes the tickets' status back into the
// documents, and reports on follow-through. See SPEC.md §5.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultMemoryLimit is the soft memory limit when GOMEMLIMIT is unset.
const defaultMemoryLimit = 64 << 20

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// SPEC §8 budgets 64 MiB for 10,000 items. The live heap is well
		// under it; without a soft limit the GC lets garbage double the
		// peak. GOMEMLIMIT (e.g. "off") overrides this.
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default handling so a second
	// one kills a run that is slow to wind down.
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
