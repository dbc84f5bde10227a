package main

import (
	"log/slog"
	"strings"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/redact"
	"github.com/pmsync/pmsync/internal/wiring"
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
	l := wiring.NewLogger(a.stderr, lv, format)
	return slog.New(redact.Handler{Handler: l.Handler(), S: &a.secrets}), nil
}
