// Command pmsync opens a ticket for every contributing factor and action
// item of finalized postmortems, writes the tickets' status back into the
// documents, and reports on follow-through. See SPEC.md §5.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/pmsync/pmsync/internal/wiring"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	// A soft memory limit under the container's (GOMEMLIMIT wins).
	wiring.SetMemoryLimit(memlimit.FromCgroup)
	// GOGC=50 unless GOGC is set: a smaller heap for some CPU.
	wiring.SetGCPercent(os.LookupEnv)
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
