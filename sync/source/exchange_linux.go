package source

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps two names in dir atomically (renameat2 RENAME_EXCHANGE):
// a's inode goes to b and b's to a, so the file that was at b — whatever
// an editor put there a moment ago — is still reachable afterwards.
// errNoExchange means the file system cannot.
func exchange(dir *os.File, a, b string) error {
	err := unix.Renameat2(int(dir.Fd()), a, int(dir.Fd()), b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return errNoExchange
	}
	return err
}
