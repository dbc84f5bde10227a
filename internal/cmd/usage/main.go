// Command usage runs a command and writes its peak resident set, CPU
// time and exit code as JSON: `usage FILE TIMEOUT BIN ARG...`. It sends
// BIN SIGTERM after TIMEOUT and SIGKILL a minute later. BenchmarkScale
// (cmd/pmsync) runs the pmsync binary under it: a child started by the
// large test process itself would inherit the test's high-water mark.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	timeout, err := time.ParseDuration(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage:", err)
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[3], os.Args[4:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "usage:", err)
		os.Exit(1)
	}
	var killed atomic.Bool
	t := time.AfterFunc(timeout, func() {
		killed.Store(true)
		cmd.Process.Signal(syscall.SIGTERM)
		time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	})
	err = cmd.Wait()
	t.Stop()
	var out struct {
		MaxRSS int64 `json:"maxrss"`
		UserNS int64 `json:"user_ns"`
		SysNS  int64 `json:"sys_ns"`
		Exit   int   `json:"exit"`
		Killed bool  `json:"killed"`
	}
	out.Killed, out.Exit = killed.Load(), cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		out.MaxRSS = int64(ru.Maxrss) << 10 // KiB on Linux
		if runtime.GOOS == "darwin" {
			out.MaxRSS = int64(ru.Maxrss)
		}
		out.UserNS, out.SysNS = ru.Utime.Nano(), ru.Stime.Nano()
	}
	b, _ := json.Marshal(out)
	if werr := os.WriteFile(os.Args[1], b, 0o644); werr != nil {
		fmt.Fprintln(os.Stderr, "usage:", werr)
		os.Exit(1)
	}
	_ = err
}
