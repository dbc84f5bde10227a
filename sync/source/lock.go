package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrLocked means another pmsync run holds the source's lock.
var ErrLocked = errors.New("another pmsync run is syncing this source")

// Lock takes the folder's run lock (.pmsync/lock, flock), waiting until
// ctx is done. Two runs on one folder then never interleave; the
// CronJob's concurrencyPolicy: Forbid does the same across pods.
func (d *Dir) Lock(ctx context.Context) (unlock func(), err error) {
	if err := d.root.MkdirAll(".pmsync", 0o755); err != nil {
		return nil, fmt.Errorf("source: lock: %w", err)
	}
	f, err := d.root.OpenFile(filepath.Join(".pmsync", "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("source: lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("source: lock: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("source %s: %w", d.abs, ErrLocked)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
