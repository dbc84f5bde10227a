package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Exit codes of SPEC §5.
const (
	exitOK          = 0
	exitFailed      = 1 // some documents or items failed; the rest is done
	exitUsage       = 2 // usage or configuration error; nothing changed
	exitInterrupted = 3 // signal or deadline; what was done is written back
)

// exitError carries the exit code a command's error maps to. A nil err
// exits with code and prints nothing (the command already reported).
type exitError struct {
	code  int
	usage bool // print the --help hint
	err   error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is a bad flag value or argument: exit 2 with a --help hint.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, usage: true, err: fmt.Errorf(format, args...)}
}

// configError is a configuration that cannot be used: exit 2.
func configError(err error) error {
	return &exitError{code: exitUsage, err: err}
}

// failedError means some documents or items failed: exit 1.
func failedError(err error) error {
	return &exitError{code: exitFailed, err: err}
}

// silentExit exits with code without a message, for commands that have
// printed their own findings (lint).
func silentExit(code int) error {
	return &exitError{code: code}
}

// exitCode prints err to stderr and returns the exit code it maps to.
// started says whether a command's RunE was entered: errors before that
// come from cobra (unknown command or flag, bad arguments) and are usage
// errors.
func exitCode(ctx context.Context, stderr io.Writer, cmdPath string, err error, started bool) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		msg := err.Error()
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			msg += " (" + cause.Error() + ")"
		}
		fmt.Fprintf(stderr, "pmsync: interrupted: %s\n", msg)
		return exitInterrupted
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		if started {
			ee = &exitError{code: exitFailed, err: err}
		} else {
			ee = &exitError{code: exitUsage, usage: true, err: err}
		}
	}
	if ee.err != nil {
		fmt.Fprintf(stderr, "pmsync: %v\n", ee.err)
	}
	if ee.usage {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmdPath)
	}
	return ee.code
}
