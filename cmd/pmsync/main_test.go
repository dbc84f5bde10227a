package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/config"
)

// runCmd runs a command line with empty stdin and the given environment.
func runCmd(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(""), &out, &errOut, env)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	t.Parallel()
	unknownKey := writeFile(t, "unknown.yaml", "source: {path: pm}\ntrackers:\n  gh: {type: github, repo: a/b, tokn_env: X}\n")
	secretKey := writeFile(t, "secret.yaml", "trackers:\n  gh: {type: github, repo: a/b, token: ghp_leakme}\n")
	invalid := writeFile(t, "invalid.yaml", "source: {type: svn}\nlog: {level: loud}\n")
	valid := writeFile(t, "valid.yaml", "source: {path: pm}\n")
	missing := filepath.Join(t.TempDir(), "missing.yaml")

	tests := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		wantOut  []string
		wantErr  []string
		notInErr []string
	}{
		{name: "version", args: []string{"version"}, wantCode: exitOK, wantOut: []string{"pmsync ", "go1."}},
		{name: "help", args: []string{"--help"}, wantCode: exitOK, wantOut: []string{"Usage:", "lint", "version"}},
		{name: "no command", args: nil, wantCode: exitUsage, wantErr: []string{"missing command", "pmsync --help"}},
		{name: "unknown command", args: []string{"snyc"}, wantCode: exitUsage, wantErr: []string{`unknown command "snyc"`, "Run 'pmsync --help'"}},
		{name: "unknown flag", args: []string{"--frobnicate"}, wantCode: exitUsage, wantErr: []string{"unknown flag: --frobnicate", "--help"}},
		{name: "unknown subcommand flag", args: []string{"lint", "--frobnicate"}, wantCode: exitUsage, wantErr: []string{"unknown flag", "Run 'pmsync lint --help'"}},
		{name: "extra argument", args: []string{"version", "now"}, wantCode: exitUsage, wantErr: []string{"now", "--help"}},
		{name: "bad flag value", args: []string{"lint", "--format", "xml"}, wantCode: exitUsage, wantErr: []string{"--format", "xml", "--help"}},
		{
			name: "config with unknown key", args: []string{"--config", unknownKey, "lint"},
			wantCode: exitUsage, wantErr: []string{"trackers.gh.tokn_env", "unknown key"}, notInErr: []string{"--help"},
		},
		{
			name: "config with a secret in it", args: []string{"lint", "--config=" + secretKey},
			wantCode: exitUsage, wantErr: []string{"trackers.gh.token", "token_env or token_file"}, notInErr: []string{"ghp_leakme"},
		},
		{
			name: "invalid config", args: []string{"lint", "--config", invalid},
			wantCode: exitUsage, wantErr: []string{"source.type", "log.level", "fix these keys"},
		},
		{
			name: "missing config from flag", args: []string{"lint", "--config", missing},
			wantCode: exitUsage, wantErr: []string{missing, "--config", "does not exist"},
		},
		{
			name: "missing config from env", args: []string{"lint"}, env: []string{"PMSYNC_CONFIG=" + missing},
			wantCode: exitUsage, wantErr: []string{missing, "PMSYNC_CONFIG", "does not exist"},
		},
		{
			name: "flag wins over env", args: []string{"lint", "--config", valid}, env: []string{"PMSYNC_CONFIG=" + missing},
			wantCode: exitUsage, wantErr: []string{`"pm" does not exist`},
		},
		{
			name: "env override makes config invalid", args: []string{"lint", "--config", valid}, env: []string{"PMSYNC_SOURCE_TYPE=svn"},
			wantCode: exitUsage, wantErr: []string{"source.type"},
		},
		{name: "lint without source folder", args: []string{"lint"}, wantCode: exitUsage, wantErr: []string{`"postmortems" does not exist`, "source.path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout %q does not contain %q", out, w)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not contain %q", errOut, w)
				}
			}
			for _, n := range tt.notInErr {
				if strings.Contains(errOut, n) {
					t.Errorf("stderr %q contains %q", errOut, n)
				}
			}
		})
	}
}

func TestReportExitCodes(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("terminated signal received"))

	tests := []struct {
		name    string
		ctx     context.Context
		err     error
		started bool
		want    int
		wantErr string
	}{
		{"ok", context.Background(), nil, true, exitOK, ""},
		{"failed items", context.Background(), failedError(errors.New("2 items failed")), true, exitFailed, "2 items failed"},
		{"plain error from a command", context.Background(), errors.New("boom"), true, exitFailed, "boom"},
		{"plain error from cobra", context.Background(), errors.New("bad args"), false, exitUsage, "--help"},
		{"config", context.Background(), configError(errors.New("bad key")), true, exitUsage, "bad key"},
		{"interrupted", canceled, fmt.Errorf("sync: %w", context.Canceled), true, exitInterrupted, "terminated signal received"},
		{"deadline", context.Background(), failedError(fmt.Errorf("x: %w", context.DeadlineExceeded)), true, exitInterrupted, "interrupted"},
		{"silent", context.Background(), silentExit(exitFailed), true, exitFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			if got := exitCode(tt.ctx, &stderr, "pmsync x", tt.err, tt.started); got != tt.want {
				t.Errorf("exit code = %d, want %d", got, tt.want)
			}
			if tt.wantErr == "" && stderr.Len() > 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.wantErr)
			}
		})
	}
}

func TestVersionString(t *testing.T) {
	t.Parallel()
	bi := func(mainVersion string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Version: mainVersion}, Settings: settings}, true
		}
	}
	tests := []struct {
		name string
		read func() (*debug.BuildInfo, bool)
		want []string
	}{
		{"no build info", func() (*debug.BuildInfo, bool) { return nil, false }, []string{"pmsync dev (go"}},
		{"revision", bi("(devel)", debug.BuildSetting{Key: "vcs.revision", Value: "0123456789abcdef0123"}), []string{"pmsync dev (go", ", 0123456789ab)"}},
		{"dirty", bi("", debug.BuildSetting{Key: "vcs.revision", Value: "abc"}, debug.BuildSetting{Key: "vcs.modified", Value: "true"}), []string{", abc-dirty)"}},
		{"module version", bi("v1.2.3"), []string{"pmsync v1.2.3 (go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := versionString(tt.read)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("versionString = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		flag      string
		cfg       config.Log
		wantJSON  bool
		wantDebug bool
		wantErr   bool
	}{
		{name: "auto on a pipe is JSON", cfg: config.Log{Level: "info", Format: "auto"}, wantJSON: true},
		{name: "text forced", cfg: config.Log{Level: "info", Format: "text"}},
		{name: "level from config", cfg: config.Log{Level: "debug", Format: "json"}, wantJSON: true, wantDebug: true},
		{name: "flag wins", flag: "debug", cfg: config.Log{Level: "error", Format: "json"}, wantJSON: true, wantDebug: true},
		{name: "bad flag", flag: "loud", cfg: config.Log{Level: "info", Format: "auto"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			a := &app{stderr: &buf, logLevel: tt.flag}
			log, err := a.logger(&config.Config{Log: tt.cfg})
			if tt.wantErr {
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != exitUsage {
					t.Fatalf("logger error = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			log.Info("hello", slog.String("doc", "a.md"))
			if got := strings.HasPrefix(buf.String(), "{"); got != tt.wantJSON {
				t.Errorf("JSON = %v, want %v: %q", got, tt.wantJSON, buf.String())
			}
			if got := log.Enabled(context.Background(), slog.LevelDebug); got != tt.wantDebug {
				t.Errorf("debug enabled = %v, want %v", got, tt.wantDebug)
			}
		})
	}
}
