package factory

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/sync/ticket"
)

func load(t *testing.T, yaml string, env []string) *config.Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pmsync.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestJiraOAuth: the third way to authenticate. The refresh token is
// exchanged at the token URL and the access token sent as Bearer.
func TestJiraOAuth(t *testing.T) {
	var mu sync.Mutex
	var grants, auths []string
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		grants = append(grants, r.Form.Get("grant_type")+" "+r.Form.Get("refresh_token")+" "+r.Form.Get("client_secret"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"access-1","token_type":"Bearer","expires_in":3600,"refresh_token":"refresh-2"}`))
	}))
	defer tokens.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issues":[],"isLast":true}`))
	}))
	defer api.Close()
	env := []string{"JIRA_CLIENT_SECRET=client-secret-x", "JIRA_REFRESH=refresh-1"}
	cfg := load(t, `trackers:
  jira:
    type: jira
    deployment: cloud
    base_url: `+api.URL+`/ex/jira/cloud-1/
    project: OPS
    oauth: {client_id: cid, client_secret_env: JIRA_CLIENT_SECRET, refresh_token_env: JIRA_REFRESH, token_url: `+tokens.URL+`, web_url: https://acme.atlassian.net/}
`, env)
	trs, err := New(cfg, Options{Env: env, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trs["jira"].Find(context.Background(), ticket.Target{Tracker: "jira", Project: "OPS"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if len(grants) != 1 || grants[0] != "refresh_token refresh-1 client-secret-x" {
		t.Fatalf("token requests %q", grants)
	}
	if len(auths) == 0 || auths[0] != "Bearer access-1" {
		t.Fatalf("API saw Authorization %q", auths)
	}
	if _, ok := trs["jira"].Recognize(ticket.Ref{URL: "https://acme.atlassian.net/browse/OPS-1"}); !ok {
		t.Error("browse URLs on oauth.web_url not recognised")
	}
}

// TestSecretsMissing: a missing secret is a configuration error naming
// the key and the variable, never a value.
func TestSecretsMissing(t *testing.T) {
	cfg := load(t, "trackers:\n  gh: {type: github, repo: a/b, token_env: GH_TOKEN}\n  jira: {type: jira, deployment: cloud, base_url: https://x.example/, project: OPS, user_env: JU, token_env: JT}\n", nil)
	_, err := New(cfg, Options{Env: []string{"JT=secret-value-123"}})
	if err == nil {
		t.Fatal("missing secrets accepted")
	}
	for _, want := range []string{"GH_TOKEN", "trackers.jira.user"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret-value-123") {
		t.Fatal("a secret value is in the error")
	}
}

// TestInsecureHTTPWarnsEveryRun: allow_insecure_http accepts a token sent
// in clear text, and each run (each New) says so in the log.
func TestInsecureHTTPWarnsEveryRun(t *testing.T) {
	cfg := load(t, `
trackers:
  gh: {type: github, base_url: "http://ghe.acme.example/api/v3/", allow_insecure_http: true, repo: acme/sre, token_env: GH_TOKEN}
  local: {type: github, base_url: "http://127.0.0.1:9/api/v3/", repo: acme/sre, token_env: GH_TOKEN}
routes:
  - {tracker: gh}
`, nil)
	for range 2 {
		var logs strings.Builder
		_, err := New(cfg, Options{Env: []string{"GH_TOKEN=tok-must-not-leak"}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(logs.String(), "clear text"); n != 1 || !strings.Contains(logs.String(), "trackers.gh.base_url") || strings.Contains(logs.String(), "tok-must-not-leak") {
			t.Fatalf("%d warnings (want 1, for gh only):\n%s", n, logs.String())
		}
	}
}
