package main

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/redact"
)

// logger builds the run's logger: level from --log-level, else the config;
// format from the config, where auto means JSON unless stderr is a terminal.
func (a *app) logger(cfg *config.Config) (*slog.Logger, error) {
	level, format := "info", "auto"
	if cfg != nil {
		level, format = cfg.Log.Level, cfg.Log.Format
	}
	if a.logLevel != "" {
		level = a.logLevel
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil || strings.ContainsAny(level, "+-") {
		return nil, usageError("--log-level: must be debug, info, warn or error, got %q", level)
	}
	l := newLogger(a.stderr, lv, format)
	return slog.New(redact.Handler{Handler: l.Handler(), S: &a.secrets}), nil
}

// newLogger writes to w as JSON or text; "auto" picks text for a terminal
// and JSON for everything else (a CronJob's log collector).
func newLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" || (format == "auto" && isTerminal(w)) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// isTerminal reports whether w is a character device, which is as close to
// "a person is watching" as the standard library gets.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
