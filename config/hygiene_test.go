package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClearTextCredentialsRefused: a token is never sent over http://
// off this machine unless allow_insecure_http says so.
func TestClearTextCredentialsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // "" when valid
	}{
		{"https", func(c *Config) { c.Trackers["gh"] = withURL(c.Trackers["gh"], "https://ghe.acme.example/api/v3/") }, ""},
		{"http to a host", func(c *Config) { c.Trackers["gh"] = withURL(c.Trackers["gh"], "http://ghe.acme.example/api/v3/") },
			"trackers.gh.base_url: is http://: the credentials would cross the network in clear text; use https://, or set trackers.gh.allow_insecure_http: true"},
		{"http to loopback", func(c *Config) { c.Trackers["gh"] = withURL(c.Trackers["gh"], "http://127.0.0.1:8080/") }, ""},
		{"http to localhost", func(c *Config) { c.Trackers["gh"] = withURL(c.Trackers["gh"], "http://localhost:8080/") }, ""},
		{"http to ::1", func(c *Config) { c.Trackers["gh"] = withURL(c.Trackers["gh"], "http://[::1]:8080/") }, ""},
		{"http allowed", func(c *Config) {
			tr := withURL(c.Trackers["gh"], "http://ghe.acme.example/")
			tr.AllowInsecureHTTP = true
			c.Trackers["gh"] = tr
		}, ""},
		{"oauth token_url over http", func(c *Config) {
			tr := c.Trackers["jira"]
			tr.TokenEnv, tr.UserEnv = "", ""
			tr.OAuth = OAuth{ClientID: "id", ClientSecretEnv: "S", RefreshTokenEnv: "R", TokenURL: "http://auth.acme.example/oauth/token"}
			c.Trackers["jira"] = tr
		}, "trackers.jira.oauth.token_url: is http://"},
		{"git over http with a token", func(c *Config) {
			c.Source.Type, c.Source.Git.URL, c.Source.Git.TokenEnv = "git", "http://git.acme.example/pm.git", "GIT_TOKEN"
		}, "source.git.url: is http://"},
		{"git over http with a token, allowed", func(c *Config) {
			c.Source.Type, c.Source.Git.URL, c.Source.Git.TokenEnv = "git", "http://git.acme.example/pm.git", "GIT_TOKEN"
			c.Source.Git.AllowInsecureHTTP = true
		}, ""},
		{"git over http without a token", func(c *Config) { c.Source.Type, c.Source.Git.URL = "git", "http://git.acme.example/pm.git" }, ""},
		{"allowed repos", func(c *Config) {
			tr := c.Trackers["gh"]
			tr.AllowedRepos = []string{"acme/other", "tools/*"}
			c.Trackers["gh"] = tr
		}, ""},
		{"allowed repo with a partial wildcard", func(c *Config) {
			tr := c.Trackers["gh"]
			tr.AllowedRepos = []string{"acme/svc-*"}
			c.Trackers["gh"] = tr
		}, "trackers.gh.allowed_repos[0]: must be owner/name or owner/*"},
		{"allowed repo not owner/name", func(c *Config) {
			tr := c.Trackers["gh"]
			tr.AllowedRepos = []string{"*"}
			c.Trackers["gh"] = tr
		}, "trackers.gh.allowed_repos[0]: must be owner/name or owner/*"},
		{"allowed projects on github", func(c *Config) {
			tr := c.Trackers["gh"]
			tr.AllowedProjects = []string{"SEC"}
			c.Trackers["gh"] = tr
		}, "trackers.gh.allowed_projects: applies to jira trackers only"},
		{"allowed project not a key", func(c *Config) {
			tr := c.Trackers["jira"]
			tr.AllowedProjects = []string{"sec ret"}
			c.Trackers["jira"] = tr
		}, "trackers.jira.allowed_projects[0]: must be a Jira project key"},
		{"response cap too large", func(c *Config) {
			tr := c.Trackers["gh"]
			tr.MaxResponseBytes = 2 << 30
			c.Trackers["gh"] = tr
		}, "trackers.gh.max_response_bytes: must be between 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := loadValid(t)
			tt.mutate(c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

func withURL(t Tracker, u string) Tracker { t.BaseURL = u; return t }

// TestSecretFileBounded: token_file: /dev/zero used to be read without
// end; a secret file is a regular file of at most 64 KiB, and one every
// user can read gets a warning.
func TestSecretFileBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var warned []string
	s := Secrets{Warn: func(m string) { warned = append(warned, m) }}
	ref := func(p string) SecretRef { return SecretRef{Key: "trackers.gh.token", File: p} }

	// Refused for what it is, before any read (a read of /dev/zero would
	// not end: the test's timeout would catch it).
	if _, err := s.Resolve(ref("/dev/zero")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("/dev/zero: %v", err)
	}
	big := write("big", strings.Repeat("x", MaxSecretFile+1), 0o600)
	if _, err := s.Resolve(ref(big)); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("big file: %v", err)
	}
	if len(warned) != 0 {
		t.Fatalf("warnings for private files: %v", warned)
	}
	open := write("open", "tok\n", 0o666)
	if v, err := s.Resolve(ref(open)); err != nil || v != "tok" {
		t.Fatalf("0666 file: %q, %v", v, err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "every user") || strings.Contains(warned[0], "tok\n") {
		t.Fatalf("warnings: %v", warned)
	}
	for _, mode := range []os.FileMode{0o400, 0o440, 0o600} {
		warned = nil
		p := write("m"+mode.String(), "tok", mode)
		if _, err := s.Resolve(ref(p)); err != nil || len(warned) != 0 {
			t.Fatalf("mode %v: %v, warnings %v", mode, err, warned)
		}
	}
}
