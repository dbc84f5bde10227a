package github

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

const (
	testToken = "ghp_pmsyncTESTsecret0123456789abcdefXYZ"
	testRepo  = "acme/sre"
	botLogin  = "pmsync-bot"
)

// env is one tracker against one simulator, every exchange checked by the
// contract middleware.
type env struct {
	sim   *ghsim.Server
	srv   *httptest.Server
	clock *sim.Clock
	tr    *Tracker
	logs  *testkit.SyncBuffer
	paths *testkit.PathLog
}

type envConfig struct {
	sim  ghsim.Options
	cfg  Config
	ghes bool // serve under /api/v3/
	// wrap adds a handler in front of the simulator (e.g. App tokens).
	wrap func(http.Handler) http.Handler
}

func newEnv(t *testing.T, mutate ...func(*envConfig)) *env {
	t.Helper()
	// The simulated clock starts at the wall clock: go-github compares
	// rate-limit resets with time.Now.
	clock := sim.NewClock(time.Now().UTC().Truncate(time.Second))
	ec := &envConfig{
		sim: ghsim.Options{Now: clock.Now, Tokens: map[string]string{testToken: botLogin}},
		cfg: Config{Name: "gh", Repo: testRepo, Token: testToken},
	}
	for _, m := range mutate {
		m(ec)
	}
	e := &env{clock: clock, logs: &testkit.SyncBuffer{}, paths: &testkit.PathLog{}}
	var h http.Handler
	// The simulator's html_url must be on the tracker's web host: a
	// loopback server is its own web host, like GitHub Enterprise Server.
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.paths.Add(r.Method + " " + r.URL.Path)
		h.ServeHTTP(w, r)
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	if ec.sim.HTMLBase == "" {
		ec.sim.HTMLBase = srv.URL
	}
	e.sim = ghsim.New(ec.sim)
	var inner http.Handler = e.sim
	if ec.wrap != nil {
		inner = ec.wrap(inner)
	}
	h = validated(t, inner)
	e.srv = srv
	if ec.cfg.BaseURL == "" {
		ec.cfg.BaseURL = srv.URL + "/"
		if ec.ghes {
			ec.cfg.BaseURL = srv.URL + "/api/v3/"
		}
	}
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr, err := New(ec.cfg, Options{Clock: clock, Logger: logger, Base: srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	e.tr = tr
	return e
}

// calls counts the requests with this method and path (without the
// /api/v3 prefix) that reached the server. They are logged on arrival:
// the simulator records a dropped connection only after dropping it.
func (e *env) calls(method, path string) int {
	n := 0
	for _, p := range e.paths.All() {
		if p == method+" "+path || p == method+" /api/v3"+path {
			n++
		}
	}
	return n
}

func spec(item string) ticket.Spec {
	return ticket.Spec{
		Target:      ticket.Target{Tracker: "gh", Repo: testRepo},
		Marker:      ticket.Marker{PM: "2026/checkout-outage", Item: item, Owner: "git@github.com:acme/postmortems.git"},
		Kind:        ticket.Action,
		Title:       "Add a saturation alert for the checkout pool",
		Detail:      "The pool ran at 100% for 20 minutes before anyone noticed.",
		DocTitle:    "Checkout outage",
		DocDate:     time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		DocSeverity: "SEV2",
		DocURL:      "https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md",
		OwnerText:   "@alice",
		Assignee:    "alice",
		Due:         time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Priority:    "P1",
		Type:        "detect",
		Factors:     []ticket.Ref{{Text: "acme/sre#12", URL: "https://github.com/acme/sre/issues/12"}},
	}
}
