package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/gittest"
	"github.com/pmsync/pmsync/internal/redact"
	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/trackers/factory"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostile stands in front of a tracker or git server and answers some
// requests itself with an error that echoes the request's credentials
// (the Authorization header, the token, the Basic password) in its body,
// in the message fields each client reads, and in its headers.
type hostile struct {
	next   http.Handler
	flavor string // github, jira or git: the shape of the error body
	// every answers one request in every (0: none, 1: all) itself; only
	// answers matches, when set, are considered.
	every   atomic.Int64
	matches func(*http.Request) bool
	status  int // 0: cycle through hostileStatuses
	n       atomic.Int64
	echoed  atomic.Int64
}

// hostileStatuses are the answers it cycles through: a 500 is retried
// (a GET, once a second), the rest fail at once.
var hostileStatuses = []int{401, 400, 500, 403, 404, 422}

func (h *hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	every := h.every.Load()
	if every == 0 || (h.matches != nil && !h.matches(r)) {
		h.next.ServeHTTP(w, r)
		return
	}
	n := h.n.Add(1)
	if n%every != 0 {
		h.next.ServeHTTP(w, r)
		return
	}
	h.echoed.Add(1)
	auth := r.Header.Get("Authorization")
	_, pass, _ := r.BasicAuth()
	echo := fmt.Sprintf("you sent Authorization: %s (password %s, token %s)", auth, pass, strings.TrimPrefix(auth, "Bearer "))
	status := h.status
	if status == 0 {
		status = hostileStatuses[int(n)%len(hostileStatuses)]
	}
	w.Header().Set("X-Echo-Authorization", auth)
	w.Header().Set("WWW-Authenticate", `Basic realm="`+pass+`"`)
	var body any
	switch h.flavor {
	case "github":
		body = map[string]any{"message": echo, "documentation_url": "https://docs.example/?auth=" + url.QueryEscape(auth),
			"errors": []map[string]string{{"resource": "Issue", "field": "title", "code": "custom", "message": echo}}}
	case "jira":
		body = map[string]any{"errorMessages": []string{echo}, "errors": map[string]string{"summary": echo, "project": pass}}
	default:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprintln(w, echo)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// secretForms are what must never be shown: each token, and the Basic
// credentials built from it.
func secretForms(user string, tokens ...string) []string {
	var out []string
	for _, t := range tokens {
		out = append(out, t, base64.StdEncoding.EncodeToString([]byte(user+":"+t)),
			base64.StdEncoding.EncodeToString([]byte(gittest.User+":"+t)))
	}
	return out
}

// assertNoSecret fails when any of secrets appears in text.
func assertNoSecret(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if i := strings.Index(text, s); i >= 0 {
			lo, hi := max(0, i-200), min(len(text), i+len(s)+50)
			t.Errorf("%s contains a secret (%q…): …%s…", where, s[:6], text[lo:hi])
		}
	}
}

// assertNoSecretInFiles checks every file below dir.
func assertNoSecretInFiles(t *testing.T, dir string, secrets []string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		assertNoSecret(t, p, string(b), secrets)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTokensNeverShownByHostileServers: GitHub and Jira servers that echo
// the credentials of every request they fail (401, 400, 500, 403, 404,
// 422, in the fields each client quotes) get them shown nowhere: not on
// stdout or stderr (debug logs, text and JSON output), not in the report
// files, the state file or the postmortems, after a run where everything
// fails, a run where every other request fails, and pmsync report.
func TestTokensNeverShownByHostileServers(t *testing.T) {
	doc, router := contract.MustLoad(t, "jira.openapi.json")
	const jiraUser = "pmsync@acme.example"
	var jh http.Handler
	jsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { jh.ServeHTTP(w, r) }))
	defer jsrv.Close()
	jsim := jirasim.New(jirasim.Options{Accounts: map[string]string{jiraUser: jiraToken}, BaseURL: jsrv.URL})
	jhost := &hostile{next: contract.Middleware(t, doc, router, jsim, contract.Options{}), flavor: "jira"}
	jh = jhost

	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	ghost := &hostile{next: e.srv.Config.Handler, flavor: "github"}
	e.srv.Config.Handler = ghost
	reports := filepath.Join(filepath.Dir(e.dir), "reports")
	cfg := fmt.Sprintf(`owner_id: hostile
source: {path: %q}
trackers:
  gh:   {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: 1ms}
  jira: {type: jira, deployment: cloud, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS, write_interval: 1ms}
routes:
  - {match: {team: payments}, tracker: jira, project: PAY}
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {tracker: gh}
people:
  alice: {github: alice-gh, jira: 5b10ac8d82e05b22cc7d4ef5}
  bob:   {github: bob-gh, jira: 5b10ac8d82e05b22cc7d4ef6}
  carol: {email: carol@acme.example, github: carol-gh, jira: 5b10ac8d82e05b22cc7d4ef7}
  dave:  {email: dave@acme.example, github: dave-gh, jira: 5b10ac8d82e05b22cc7d4ef8}
teams:
  payments: {jira: PAY}
  platform: {github: acme/platform}
report: {dir: %q, formats: [md, html, json, csv]}
`, e.dir, e.srv.URL+"/", jsrv.URL+"/", reports)
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GH_TOKEN=" + testToken, "JIRA_USER=" + jiraUser, "JIRA_TOKEN=" + jiraToken}
	secrets := secretForms(jiraUser, testToken, jiraToken)

	runs := []struct {
		name  string
		every int64
		args  []string
	}{
		{"every request fails", 1, []string{"sync", "--log-level", "debug"}},
		{"every other request fails", 2, []string{"sync", "--log-level", "debug"}},
		{"every third request fails, json", 3, []string{"sync", "--log-level", "debug", "--format", "json"}},
		{"report, every request fails", 1, []string{"report", "--log-level", "debug", "--out", reports}},
		{"report, every other request fails", 2, []string{"report", "--log-level", "debug", "--out", reports}},
		{"plan, every request fails", 1, []string{"plan", "--log-level", "debug"}},
	}
	for _, r := range runs {
		ghost.every.Store(r.every)
		jhost.every.Store(r.every)
		code, out, errOut := runCmd(t, env, append(r.args, "--config", e.config)...)
		if code != exitFailed {
			t.Errorf("%s: exit %d, want %d (some calls failed)", r.name, code, exitFailed)
		}
		assertNoSecret(t, r.name+": stdout", out, secrets)
		assertNoSecret(t, r.name+": stderr", errOut, secrets)
		if !strings.Contains(out+errOut, "REDACTED") {
			t.Errorf("%s: no redacted echo in the output; the hostile answers were not shown at all:\n%s\n%s", r.name, out, errOut)
		}
	}
	if ghost.echoed.Load() == 0 || jhost.echoed.Load() == 0 {
		t.Fatalf("hostile answers: github %d, jira %d; want both", ghost.echoed.Load(), jhost.echoed.Load())
	}
	if len(e.issues()) <= 12 || len(jsim.Issues("PAY")) == 0 {
		t.Fatalf("no ticket was created between the hostile answers (github %d, jira %d): the partial runs tested nothing", len(e.issues())-12, len(jsim.Issues("PAY")))
	}
	if n := assertNoSecretInFiles(t, reports, secrets); n < 4 {
		t.Errorf("%d report files, want md, html, json and csv", n)
	}
	if _, err := os.Stat(filepath.Join(e.dir, ".pmsync", "state.json")); err != nil {
		t.Errorf("no state file: %v", err)
	}
	assertNoSecretInFiles(t, e.dir, secrets) // the postmortems and .pmsync/
}

// TestGitTokenNeverShownByHostileServer: a git server that echoes the
// credentials in its error answers, to the clone or only to the push,
// gets them shown neither in the output nor in the report.
func TestGitTokenNeverShownByHostileServer(t *testing.T) {
	push := func(r *http.Request) bool { return strings.Contains(r.URL.String(), "receive-pack") }
	tests := []struct {
		name    string
		status  int
		matches func(*http.Request) bool
	}{
		{"clone 401", 401, nil},
		{"clone 403", 403, nil},
		{"clone 404", 404, nil},
		{"clone 500", 500, nil},
		{"push 401", 401, push},
		{"push 500", 500, push},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, e, env := newGitEnv(t, "")
			target, err := url.Parse(repo.URL)
			if err != nil {
				t.Fatal(err)
			}
			target.Path = ""
			h := &hostile{next: httputil.NewSingleHostReverseProxy(target), flavor: "git", matches: tt.matches, status: tt.status}
			h.every.Store(1)
			proxy := httptest.NewServer(h)
			defer proxy.Close()
			cfg, _ := os.ReadFile(e.config)
			text := strings.Replace(string(cfg), fmt.Sprintf("url: %q", repo.URL), fmt.Sprintf("url: %q, dir: %q", proxy.URL+"/repo.git", t.TempDir()), 1)
			if err := os.WriteFile(e.config, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmd(t, env, "sync", "--config", e.config, "--log-level", "debug")
			if code != exitFailed {
				t.Errorf("exit %d, want %d\n%s\n%s", code, exitFailed, out, errOut)
			}
			if h.echoed.Load() == 0 {
				t.Fatal("the server echoed nothing")
			}
			secrets := secretForms(gittest.User, gitToken, testToken)
			assertNoSecret(t, "stdout", out, secrets)
			assertNoSecret(t, "stderr", errOut, secrets)
			if tt.matches != nil { // the clone worked: the run wrote its report
				assertNoSecretInFiles(t, filepath.Join(filepath.Dir(e.dir), "reports"), secrets)
			}
		})
	}
}

// TestPanicShowsNoSecret: a panic is reported as an internal error with
// its value and stack, exit 1, and neither shows a secret resolved in the
// run, however the value carries it.
func TestPanicShowsNoSecret(t *testing.T) {
	docs := filepath.Join(repoRoot(t), "testdata", "postmortems")
	gh := newGHEnv(t, docs, "")
	jira := newJiraEnv(t, jirasim.Cloud, docs)
	ghEnv := []string{"GH_TOKEN=" + testToken}
	jiraBasic := base64.StdEncoding.EncodeToString([]byte("pmsync@acme.example:" + jiraToken))
	tests := []struct {
		name    string
		args    []string
		env     []string
		value   any
		secrets []string
		want    string // in the report
	}{
		{"token in a string", []string{"plan", "--config", gh.config}, ghEnv,
			"request failed with token " + testToken, []string{testToken}, "request failed with token [REDACTED]"},
		{"token in an error", []string{"sync", "--dry-run", "--config", gh.config}, ghEnv,
			fmt.Errorf("wrapped: %w", fmt.Errorf("Authorization: Bearer %s", testToken)), []string{testToken}, "wrapped: Authorization: Bearer [REDACTED]"},
		{"basic credentials in a header", []string{"report", "--config", jira.config, "--out", t.TempDir()}, jira.env,
			http.Header{"Authorization": {"Basic " + jiraBasic}}, []string{jiraToken, jiraBasic}, "map[Authorization:[Basic [REDACTED]]]"},
		{"no secret: shown whole", []string{"version"}, nil, "index out of range [3] with length 3", nil, "index out of range [3] with length 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, env: tt.env}
			a.afterCommand = func(*app) { panic(tt.value) }
			code := a.run(t.Context(), tt.args)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			got := errOut.String()
			for _, w := range []string{"pmsync: internal error (a bug; please report it): " + tt.want + "\n", "goroutine ", "security_test.go"} {
				if !strings.Contains(got, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, got)
				}
			}
			assertNoSecret(t, "stderr", got, tt.secrets)
			assertNoSecret(t, "stdout", out.String(), tt.secrets)
		})
	}
}

// TestScrubberBasicCredentials: the last line of defence also knows the
// encodings a secret travels in: base64 user:token of two resolved
// secrets, and any Basic credentials whose password is a secret.
func TestScrubberBasicCredentials(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"token", []string{"tok-123456"}, "Bearer tok-123456", "Bearer [REDACTED]"},
		{"user then token, bare base64", []string{"me@acme.example", "tok-123456"}, "echo " + b64("me@acme.example:tok-123456"), "echo [REDACTED]"},
		{"token then user", []string{"tok-123456", "me@acme.example"}, "echo " + b64("me@acme.example:tok-123456") + ".", "echo [REDACTED]."},
		{"basic with another user", []string{"tok-123456"}, "Authorization: Basic " + b64("x-access-token:tok-123456"), "Authorization: Basic [REDACTED]"},
		{"basic without a secret", []string{"tok-123456"}, "Authorization: Basic " + b64("someone:else"), "Authorization: Basic " + b64("someone:else")},
		{"prose", []string{"tok-123456"}, "uses basic auth, not basic ones", "uses basic auth, not basic ones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s redact.Secrets
			for _, v := range tt.secrets {
				s.Add(v)
			}
			if got := s.Scrub(tt.in); got != tt.want {
				t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// injectionDocs are postmortems whose every text a user controls tries to
// widen a JQL query to project SECRET: the id (which becomes the pm-
// label and the marker), title, team, tracker key, item texts (quotes,
// backslashes, a literal \u0022, a continuation line) and ticket links.
var injectionDocs = map[string]string{
	"inj-1.md": `---
id: 'inj-1" OR project = SECRET OR labels = "y'
title: 'Quotes \" OR project = SECRET ORDER BY key \\ and \u0022 OR project = SECRET'
status: final
date: 2026-05-01
severity: SEV2
teams: [payments]
---

# Injection through the id and the title

## Contributing factors

- A quote in a factor: a" OR project = SECRET OR labels = "b
- Backslashes in a factor: c\" OR project = SECRET OR summary ~ \\"d

## Action items

| Action item | Due |
|---|---|
| Close the quote x" OR project = SECRET OR labels = "y | 2026-06-01 |
| Escape \u0022) OR project = SECRET OR (key = "OPS-1 | 2026-06-01 |
| Encoded newline %0A OR project = SECRET ORDER BY created -- | 2026-06-01 |
`,
	"inj-2.md": `---
id: inj-2
title: Injection through the team
status: final
date: 2026-05-02
severity: SEV3
teams: ['payments" OR project = "SECRET']
---

# Injection through the team

## Action items

- [ ] Rotate the keys
  ") OR project = SECRET ORDER BY key DESC --
- [ ] Label pm-x" OR labels = "postmortem
`,
	"inj-3.md": `---
id: inj-3
title: Injection through the tracker key
status: final
date: 2026-05-03
tracker: 'jira:OPS" OR project = SECRET OR project = "OPS'
---

# Injection through the tracker key

## Action items

- [ ] Anything at all
`,
	"inj-4.md": `---
id: inj-4
title: Injection through ticket links
status: final
date: 2026-05-04
---

# Injection through ticket links

## Action items

| Action item | Ticket |
|---|---|
| Linked by a forged key | OPS-1" OR project = SECRET OR key = "OPS-2 |
| Linked by a forged URL | [OPS-1](JIRA/browse/OPS-1%22%20OR%20project%20%3D%20SECRET%20OR%20key%20%3D%20%22OPS-2) |
`,
}

// jqlScope returns the projects a JQL restriction cannot reach beyond:
// a project = / in clause or key = / in clause, ANDed with anything, or
// ORs of such; ok is false when the query could match any project.
func jqlScope(e jirasim.Expr) (projects []string, ok bool) {
	switch x := e.(type) {
	case *jirasim.Clause:
		field := strings.ToLower(x.Field)
		if (field != "project" && field != "key" && field != "issuekey") || (x.Op != "=" && x.Op != "in") {
			return nil, false
		}
		for _, v := range x.Values {
			if v.Func != "" || v.Empty {
				return nil, false
			}
			p := v.Text
			if field != "project" {
				i := strings.LastIndexByte(p, '-')
				if i < 0 {
					return nil, false
				}
				p = p[:i]
			}
			projects = append(projects, strings.ToUpper(p))
		}
		return projects, true
	case *jirasim.And:
		for _, term := range x.Terms {
			if p, ok := jqlScope(term); ok {
				return p, true // AND only narrows
			}
		}
	case *jirasim.Or:
		for _, term := range x.Terms {
			p, ok := jqlScope(term)
			if !ok {
				return nil, false
			}
			projects = append(projects, p...)
		}
		return projects, true
	}
	return nil, false
}

// jiraRecorder records every JQL query sent to a Jira server, the keys
// its searches answered, and every request path.
type jiraRecorder struct {
	next  http.Handler
	mu    sync.Mutex
	jql   []string
	keys  []string
	paths []string
}

type teeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (j *jiraRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var jql []string
	if q := r.URL.Query().Get("jql"); q != "" {
		jql = append(jql, q)
	}
	if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/search") {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		var v struct{ JQL string }
		if json.Unmarshal(b, &v) == nil && v.JQL != "" {
			jql = append(jql, v.JQL)
		}
	}
	tw := &teeWriter{ResponseWriter: w}
	j.next.ServeHTTP(tw, r)
	var page struct{ Issues []struct{ Key string } }
	_ = json.Unmarshal(tw.body.Bytes(), &page)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jql = append(j.jql, jql...)
	j.paths = append(j.paths, r.Method+" "+r.URL.Path)
	for _, is := range page.Issues {
		j.keys = append(j.keys, is.Key)
	}
}

// TestJQLInjectionFromDocuments: documents whose ids, titles, teams,
// tracker keys, item texts and ticket links try to break out of JQL's
// quoting are synced (twice) and reported on, against the JQL-evaluating
// simulator, while project SECRET holds pmsync's own marked tickets for
// exactly these items (made by an earlier run routed there, whose links
// were then lost). Every query is scoped to the routed projects, no
// search answers a SECRET ticket, no request touches one, SECRET is
// unchanged and nothing is adopted from it; the injected texts arrive in
// the routed projects as plain text.
func TestJQLInjectionFromDocuments(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(flavor.String(), func(t *testing.T) {
			docs := t.TempDir()
			e := newJiraEnv(t, flavor, docs)
			for name, text := range injectionDocs {
				text = strings.ReplaceAll(text, "JIRA/", e.srv.URL+"/")
				if err := os.WriteFile(filepath.Join(e.dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			original := snapshot(t, e.dir)
			rec := &jiraRecorder{next: e.srv.Config.Handler}
			e.srv.Config.Handler = rec

			// An earlier run, routed to SECRET, made pmsync's own tickets
			// there; its links are lost (as after a crash).
			cfg, _ := os.ReadFile(e.config)
			secretCfg := regexp.MustCompile(`(?s)routes:.*?\nreport:`).ReplaceAllString(string(cfg), "routes:\n  - {tracker: jira, project: SECRET}\nreport:")
			secretPath := filepath.Join(t.TempDir(), "secret.yaml")
			if err := os.WriteFile(secretPath, []byte(secretCfg), 0o644); err != nil {
				t.Fatal(err)
			}
			runCmd(t, e.env, "sync", "--config", secretPath)
			bait := e.sim.Issues("SECRET")
			if len(bait) < 7 {
				t.Fatalf("%d tickets in SECRET, want one per item of inj-1 and inj-2", len(bait))
			}
			for f, text := range original {
				if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.RemoveAll(filepath.Join(e.dir, ".pmsync")); err != nil {
				t.Fatal(err)
			}
			rec.mu.Lock()
			rec.jql, rec.keys, rec.paths = nil, nil, nil
			rec.mu.Unlock()

			for _, args := range [][]string{{"sync"}, {"sync"}, {"report", "--out", t.TempDir()}} {
				code, out, errOut := runCmd(t, e.env, append(args, "--config", e.config)...)
				// Refused by the routing allow-list before it could reach
				// a query.
				if code != exitFailed || !strings.Contains(out, `the document sends its tickets to OPS" OR project = SECRET OR project = "OPS on tracker "jira", which the configuration does not allow`) {
					t.Errorf("%s: exit %d, want %d with inj-3's tracker key refused\n%s\n%s", args[0], code, exitFailed, out, errOut)
				}
			}

			allowed := map[string]bool{"OPS": true, "PAY": true, "PLAT": true}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.jql) == 0 {
				t.Fatal("no JQL was recorded")
			}
			for _, q := range rec.jql {
				parsed, err := jirasim.ParseJQL(q)
				if err != nil {
					t.Errorf("JQL %q does not parse: %v", q, err)
					continue
				}
				projects, ok := jqlScope(parsed.Where)
				if !ok {
					t.Errorf("JQL %q is not scoped to a project", q)
				}
				for _, p := range projects {
					if !allowed[p] {
						t.Errorf("JQL %q reaches project %s", q, p)
					}
				}
			}
			for _, k := range rec.keys {
				if !allowed[projectOfKey(k)] {
					t.Errorf("a search answered %s", k)
				}
			}
			for _, p := range rec.paths {
				if strings.Contains(p, "SECRET") {
					t.Errorf("request %s", p)
				}
			}
			if after := e.sim.Issues("SECRET"); !reflect.DeepEqual(after, bait) {
				t.Errorf("SECRET changed:\nbefore %+v\nafter  %+v", bait, after)
			}

			// The injected texts arrived as plain text, in the routed projects.
			summaries := ""
			for _, p := range []string{"OPS", "PAY", "PLAT"} {
				for _, is := range e.sim.Issues(p) {
					summaries += is.Summary + "\n"
				}
			}
			for _, w := range []string{`x" OR project = SECRET OR labels = "y`, `c" OR project = SECRET OR summary ~ \"d`, `\u0022) OR project = SECRET`, "Rotate the keys"} {
				if !strings.Contains(summaries, w) {
					t.Errorf("no ticket summary holds %q; summaries:\n%s", w, summaries)
				}
			}
			p := postmortem.NewParser(postmortem.Options{})
			linked := 0
			for f, text := range snapshot(t, e.dir) {
				d, err := p.Parse(filepath.Base(f), []byte(text))
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range d.Items() {
					if strings.Contains(it.Ticket.Text+it.Ticket.URL, "SECRET-") {
						t.Errorf("%s:%d adopted %s", f, it.Line, it.Ticket.Text)
					}
					if allowed[projectOfKey(it.Ticket.Text)] {
						linked++
					}
				}
			}
			if linked < len(bait) {
				t.Errorf("%d items linked to tickets in the routed projects, want at least %d", linked, len(bait))
			}
		})
	}
}

func projectOfKey(key string) string {
	if i := strings.LastIndexByte(key, '-'); i > 0 {
		return key[:i]
	}
	return ""
}

// TestTLSVerifiedByDefault: the GitHub and Jira trackers, the git source
// over HTTPS and the Pushgateway push all refuse a server whose
// certificate is not trusted (self-signed), with an error that says so,
// and send it nothing.
func TestTLSVerifiedByDefault(t *testing.T) {
	var reached atomic.Int64
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer tlsSrv.Close()
	// Quiet the server's log of the refused handshakes.
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)

	gh := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	ghCfg, _ := os.ReadFile(gh.config)
	base := fmt.Sprintf("owner_id: tls\nsource: {path: %q}\nreport: {dir: %q}\n", gh.dir, t.TempDir())
	env := []string{"GH_TOKEN=" + testToken, "JIRA_USER=pmsync@acme.example", "JIRA_TOKEN=" + jiraToken, "GIT_TOKEN=" + gitToken,
		"PMSYNC_SOURCE_GIT_RETRY_BACKOFF=5ms"} // retries (source.git.retries) without the 1 s wait
	tests := []struct {
		name     string
		config   string
		wantFail bool
		want     []string // in the errors or the log
	}{
		{"github tracker", base + fmt.Sprintf("trackers:\n  gh: {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre}\n", tlsSrv.URL+"/api/v3/"),
			true, []string{"list tickets in gh:acme/sre", "certificate"}},
		{"jira tracker", base + fmt.Sprintf("trackers:\n  jira: {type: jira, deployment: cloud, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS}\n", tlsSrv.URL+"/"),
			true, []string{"list tickets in jira:OPS", "certificate"}},
		{"jira tracker, deployment auto", base + fmt.Sprintf("trackers:\n  jira: {type: jira, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS}\n", tlsSrv.URL+"/"),
			true, []string{"certificate"}},
		{"git source", strings.Replace(string(ghCfg), fmt.Sprintf("source: {path: %q}", gh.dir),
			fmt.Sprintf("source: {type: git, path: postmortems, git: {url: %q, branch: main, token_env: GIT_TOKEN, dir: %q}}", tlsSrv.URL+"/repo.git", t.TempDir()), 1),
			true, []string{"source: git clone", "certificate"}},
		{"pushgateway", string(ghCfg) + fmt.Sprintf("metrics: {pushgateway_url: %q, job: pmsync}\n", tlsSrv.URL),
			false, []string{"metrics push failed", "certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(writeFile(t, "pmsync.yaml", tt.config), env)
			if err != nil {
				t.Fatal(err)
			}
			reached.Store(0)
			// As pmsync sync runs it, on a simulated clock: the trackers'
			// retries of a failed connection would take 15 s of real time.
			var logs bytes.Buffer
			a := &app{stdout: io.Discard, stderr: io.Discard, env: env}
			fo := factory.Options{Env: env, Clock: sim.NewClock(time.Now())}
			res, err := a.syncOnce(t.Context(), cfg, syncFlags{}, wiring.NewLogger(&logs, slog.LevelInfo, "json"), fo)
			got := logs.String()
			if err != nil {
				got += "\n" + err.Error()
			}
			if res != nil {
				for _, f := range res.Failures {
					got += "\n" + f.String()
				}
			}
			if failed := err != nil || res.Failed(); failed != tt.wantFail {
				t.Errorf("failed = %v, want %v", failed, tt.wantFail)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("errors and logs do not contain %q:\n%s", w, got)
				}
			}
			if n := reached.Load(); n != 0 {
				t.Errorf("%d requests reached the untrusted server", n)
			}
		})
	}
}

// TestNoKeyTurnsOffTLSVerification: there is no configuration key that
// skips certificate verification, anywhere a connection is configured,
// and no code of pmsync sets InsecureSkipVerify.
func TestNoKeyTurnsOffTLSVerification(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ yaml, key string }{
		{"trackers:\n  gh: {type: github, repo: a/b, token_env: T, insecure_skip_verify: true}\n", "trackers.gh.insecure_skip_verify"},
		{"trackers:\n  j: {type: jira, project: OPS, token_env: T, tls: {insecure_skip_verify: true}}\n", "trackers.j.tls"},
		{"source: {type: git, path: pm, git: {url: \"https://x/r.git\", insecure_skip_verify: true}}\n", "source.git.insecure_skip_verify"},
		{"source: {type: git, path: pm, git: {url: \"https://x/r.git\", ssl_verify: false}}\n", "source.git.ssl_verify"},
		{"metrics: {pushgateway_url: \"https://pg:9091\", job: j, insecure_skip_verify: true}\n", "metrics.insecure_skip_verify"},
		{"tls: {insecure_skip_verify: true}\n", "tls"},
	} {
		_, err := config.Load(writeFile(t, "pmsync.yaml", tt.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), tt.key+": unknown key") {
			t.Errorf("%s: Load = %v, want %s: unknown key", tt.yaml, err, tt.key)
		}
	}
	err := filepath.WalkDir(repoRoot(t), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return fs.SkipDir
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("InsecureSkipVerify")) {
			t.Errorf("%s sets InsecureSkipVerify", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSSHHostKeyRequired: an SSH git source without a known_hosts file
// is a configuration error (exit 2) naming both ways out, unless the
// user turns host key checking off, which is then warned about on every
// run.
func TestSSHHostKeyRequired(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, "id_ed25519", string(pem.EncodeToMemory(block)))
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1: the clone fails after the checks.
	src := func(extra string) string {
		return fmt.Sprintf("source: {type: git, path: pm, git: {url: \"ssh://git@127.0.0.1:1/pm.git\", branch: main, retries: 0, ssh_key_file: %q, dir: %q%s}}\n", key, t.TempDir(), extra)
	}
	const warning = "source.git.insecure_ignore_host_key is set: any SSH host key is accepted"
	tests := []struct {
		name     string
		config   string
		env      []string
		wantCode int
		want     []string
		warnings int
	}{
		{"no known_hosts", src(""), nil, exitUsage,
			[]string{"source.git.known_hosts_file: must be set for an SSH source.git.url", "source.git.insecure_ignore_host_key: true"}, 0},
		{"insecure asked for", src(", insecure_ignore_host_key: true"), nil, exitFailed, []string{"source: git clone"}, 1},
		{"insecure from the environment", src(""), []string{"PMSYNC_SOURCE_GIT_INSECURE_IGNORE_HOST_KEY=true"}, exitFailed, []string{"source: git clone"}, 1},
		{"known_hosts", src(", known_hosts_file: " + strconv.Quote(writeFile(t, "known_hosts", knownhosts.Line([]string{"[127.0.0.1]:1"}, pub)+"\n"))),
			nil, exitFailed, []string{"source: git clone"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.env, "sync", "--config", writeFile(t, "pmsync.yaml", tt.config))
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, errOut)
				}
			}
			if n := strings.Count(errOut, warning); n != tt.warnings {
				t.Errorf("%d host key warnings, want %d:\n%s", n, tt.warnings, errOut)
			}
		})
	}
}
