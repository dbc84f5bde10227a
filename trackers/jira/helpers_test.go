package jira

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

const (
	botEmail  = "pmsync-bot@acme.example"
	testToken = "ATATT3xFfGF0pmsyncTESTsecret0123456789abcdefXYZ"
	testPAT   = "NjM2pmsyncDCpatSECRET0987654321zyxwvu"
	aliceID   = "5b10ac8d82e05b22cc7d4ef5"
	bobID     = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
)

// flavors are the two deployments every behaviour is checked on.
var flavors = []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter}

// env is one tracker against one simulator, every exchange checked by the
// contract middleware.
type env struct {
	flavor jirasim.Flavor
	sim    *jirasim.Server
	srv    *httptest.Server
	clock  *sim.Clock
	tr     *Tracker
	logs   *testkit.SyncBuffer
	paths  *testkit.PathLog
}

type envConfig struct {
	sim jirasim.Options
	cfg Config
	// prefix serves the simulator under a path (OAuth's /ex/jira/{cloudid}).
	prefix string
	// wrap adds a handler in front of the simulator.
	wrap func(http.Handler) http.Handler
}

func newEnv(t *testing.T, flavor jirasim.Flavor, mutate ...func(*envConfig)) *env {
	t.Helper()
	clock := sim.NewClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	ec := &envConfig{
		sim: jirasim.Options{
			Now:      clock.Now,
			Flavor:   flavor,
			Projects: []string{"OPS", "PAY"},
			Users: []jirasim.User{
				{AccountID: aliceID, Name: "alice", Email: "alice@acme.example", DisplayName: "Alice Example"},
				{AccountID: bobID, Name: "bob", Email: "bob@acme.example", DisplayName: "Bob Builder"},
				{AccountID: "5c0000000000000000000001", Name: "carol", Email: "carol@acme.example", DisplayName: "Carol Gone", Inactive: true},
			},
			Components:   []string{"SRE", "Payments"},
			CustomFields: map[string]string{"customfield_10010": "Team", "customfield_10101": "Epic Link"},
		},
		cfg: Config{Name: "jira", Project: "OPS"},
	}
	if flavor == jirasim.Cloud {
		ec.sim.Accounts = map[string]string{botEmail: testToken}
		ec.cfg.User, ec.cfg.Token, ec.cfg.Deployment = botEmail, testToken, DeploymentCloud
	} else {
		ec.sim.Tokens = map[string]string{testPAT: "pmsync-bot"}
		ec.cfg.Token, ec.cfg.Deployment = testPAT, DeploymentDataCenter
	}
	for _, m := range mutate {
		m(ec)
	}
	e := &env{flavor: flavor, clock: clock, logs: &testkit.SyncBuffer{}, paths: &testkit.PathLog{}}
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.paths.Add(r.Method + " " + strings.TrimPrefix(r.URL.Path, ec.prefix))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.sim = jirasim.New(ec.sim)
	var inner http.Handler = e.sim
	if ec.wrap != nil {
		inner = ec.wrap(inner)
	}
	if ec.prefix != "" {
		inner = http.StripPrefix(ec.prefix, inner)
	}
	h = validated(t, inner, ec.prefix)
	e.srv = srv
	if ec.cfg.BaseURL == "" {
		ec.cfg.BaseURL = srv.URL + ec.prefix + "/"
	}
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr, err := New(ec.cfg, Options{Clock: clock, Logger: logger, Base: srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	e.tr = tr
	return e
}

// calls counts the requests with this method and path that reached the
// server (the prefix cut off).
func (e *env) calls(method, path string) int {
	n := 0
	for _, p := range e.paths.All() {
		if p == method+" "+path {
			n++
		}
	}
	return n
}

// searches counts the JQL searches of the flavour's endpoint.
func (e *env) searches() int {
	return e.calls("GET", "/rest/api/2/search/jql") + e.calls("GET", "/rest/api/2/search")
}

// assignee is the account of alice in the flavour.
func (e *env) alice() string {
	if e.flavor == jirasim.Cloud {
		return aliceID
	}
	return "alice"
}

func (e *env) mustIssue(t *testing.T, key string) jirasim.Issue {
	t.Helper()
	is, ok := e.sim.Issue(key)
	if !ok {
		t.Fatalf("no issue %s", key)
	}
	return is
}

func spec(kind ticket.Kind, item string) ticket.Spec {
	return ticket.Spec{
		Target:      ticket.Target{Tracker: "jira", Project: "OPS"},
		Marker:      ticket.Marker{PM: "2026/checkout-outage", Item: item, Owner: "git@github.com:acme/postmortems.git"},
		Kind:        kind,
		Title:       "Add a saturation alert for the checkout pool",
		Detail:      "The pool ran at 100% for 20 minutes before anyone noticed.\nSecond line: see the {code} dashboard [link].",
		DocTitle:    "Checkout outage",
		DocDate:     time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		DocSeverity: "SEV2",
		DocURL:      "https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md",
		OwnerText:   "alice@acme.example",
		Assignee:    "alice@acme.example",
		Due:         time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Priority:    "P1",
		Type:        "detect",
	}
}

type (
	jiraTransition      = jira.Transition
	jiraTransitionField = jira.TransitionField
)

// newEnvOn is a second tracker (another run) on e's simulator.
func newEnvOn(t *testing.T, e *env) *Tracker {
	t.Helper()
	cfg := Config{Name: "jira", Project: "OPS", BaseURL: e.srv.URL + "/", Deployment: DeploymentCloud, User: botEmail, Token: testToken}
	if e.flavor == jirasim.DataCenter {
		cfg.User, cfg.Token, cfg.Deployment = "", testPAT, DeploymentDataCenter
	}
	tr, err := New(cfg, Options{Clock: e.clock, Base: e.srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
