package contract

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// recordingTB is a testing.TB that keeps Errorf calls instead of failing,
// to prove the middleware can fail.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

type loaded struct {
	doc    *openapi3.T
	router routers.Router
}

var loadSpecs = sync.OnceValues(func() (map[string]loaded, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	out := map[string]loaded{}
	for _, name := range []string{"github", "jira"} {
		doc, router, err := Load(filepath.Join(dir, name+".openapi.json"))
		if err != nil {
			return nil, err
		}
		out[name] = loaded{doc, router}
	}
	return out, nil
})

func spec(t *testing.T, name string) loaded {
	t.Helper()
	specs, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	return specs[name]
}

// TestContractsInRepository: the contracts the fakes are checked against
// are part of the repository, with their provenance, so a clone with
// nothing beside it can run every test.
func TestContractsInRepository(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"github.openapi.json", "jira.openapi.json", "PROVENANCE.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s is missing from the repository: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "..", "go.mod")); err != nil {
		t.Errorf("contracts at %s, not the repository's testdata/contracts", dir)
	}
}

func TestLoadRejectsBrokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"openapi":"3.0.3","info":{"title":"x"},"paths":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(path); err == nil {
		t.Fatal("a document without info.version loaded")
	}
}

func TestDateTimeAcceptsJiraOffsets(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"2021-01-17T12:34:00.000+0000": true,
		"2021-01-17T12:34:00+05:30":    true,
		"2021-01-17T12:34:00Z":         true,
		"2021-01-17T12:34:00.123-0700": true,
		"2021-02-30T12:34:00Z":         false,
		"2021-01-17 12:34:00Z":         false,
		"2021-01-17T12:34:00":          false,
		"2021-01-17T25:34:00Z":         false,
		"2021-01-17T12:34:00+00":       false,
	}
	jira := spec(t, "jira").doc
	schema := &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}
	for v, ok := range cases {
		err := schema.VisitJSON(v, jira.GetSchemaValidationOptions()...)
		if (err == nil) != ok {
			t.Errorf("%q: valid=%v, want %v (%v)", v, err == nil, ok, err)
		}
	}
	// The relaxed format is the document's own: the global one is untouched.
	if err := schema.VisitJSON("2021-01-17T12:34:00.000+0000"); err == nil {
		t.Error("the global date-time format was changed")
	}
}

// serve sends one request through the middleware around h and returns
// what the middleware reported.
func serve(t *testing.T, opts Options, h http.HandlerFunc, method, path, body string) (*http.Response, []string) {
	t.Helper()
	gh := spec(t, "github")
	rec := &recordingTB{TB: t}
	srv := httptest.NewServer(Middleware(rec, gh.doc, gh.router, h, opts))
	defer srv.Close()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp, rec.errors()
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if body != "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

const validationFailed = `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}],"documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue"}`

func TestMiddlewarePassesValidTraffic(t *testing.T) {
	t.Parallel()
	resp, errs := serve(t, Options{}, answer(422, validationFailed), "POST", "/repos/o/r/issues", `{"title":"x","labels":["a"]}`)
	if len(errs) != 0 {
		t.Fatalf("valid traffic reported: %q", errs)
	}
	if resp.StatusCode != 422 {
		t.Fatalf("status %d did not pass through", resp.StatusCode)
	}
}

func TestMiddlewareReportsInvalidRequests(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, method, path, body, want string }{
		{"missing title", "POST", "/repos/o/r/issues", `{"body":"no title"}`, `property "title" is missing`},
		{"labels not an array", "POST", "/repos/o/r/issues", `{"title":"x","labels":"bug"}`, "labels"},
		{"bad state_reason", "PATCH", "/repos/o/r/issues/1", `{"state":"closed","state_reason":"wontfix"}`, "state_reason"},
		{"bad state filter", "GET", "/repos/o/r/issues?state=merged", "", "state"},
		{"no such operation", "DELETE", "/repos/o/r/issues/1", "", "no operation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, errs := serve(t, Options{AllowUndocumentedStatus: []int{422}}, answer(422, validationFailed), c.method, c.path, c.body)
			if len(errs) != 1 || !strings.Contains(errs[0], c.want) || !strings.Contains(errs[0], c.method) {
				t.Fatalf("want one error about %q, got %q", c.want, errs)
			}
		})
	}
}

func TestMiddlewareReportsInvalidResponses(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, method, path, body string }{
		{"issue without required fields", "GET", "/repos/o/r/issues/1", `{"id":1,"title":"x"}`},
		{"user without user_view_type", "GET", "/user", `{"login":"x"}`},
		{"list not an array", "GET", "/repos/o/r/issues", `{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, errs := serve(t, Options{}, answer(200, c.body), c.method, c.path, "")
			if len(errs) != 1 || !strings.Contains(errs[0], "response") {
				t.Fatalf("want one response error, got %q", errs)
			}
		})
	}
}

func TestMiddlewareUndocumentedStatus(t *testing.T) {
	t.Parallel()
	busy := answer(503, `{"message":"Service Unavailable"}`)
	// GET issue documents no 503.
	if _, errs := serve(t, Options{}, busy, "GET", "/repos/o/r/issues/1", ""); len(errs) != 1 || !strings.Contains(errs[0], "status is not supported") {
		t.Fatalf("undocumented 503 not reported: %q", errs)
	}
	if _, errs := serve(t, Options{AllowUndocumentedStatus: []int{503}}, busy, "GET", "/repos/o/r/issues/1", ""); len(errs) != 0 {
		t.Fatalf("allowed 503 reported: %q", errs)
	}
	// A documented status is still checked when allowed: 404's body must be a basic-error.
	notFound := answer(404, `{"message":["not a string"]}`)
	if _, errs := serve(t, Options{AllowUndocumentedStatus: []int{404}}, notFound, "GET", "/repos/o/r/issues/1", ""); len(errs) != 1 {
		t.Fatalf("bad 404 body not reported: %q", errs)
	}
}

func TestMiddlewareStripPrefix(t *testing.T) {
	t.Parallel()
	h := answer(422, validationFailed)
	if _, errs := serve(t, Options{StripPrefix: "/api/v3"}, h, "POST", "/api/v3/repos/o/r/issues", `{"title":"x"}`); len(errs) != 0 {
		t.Fatalf("GHES path reported: %q", errs)
	}
	if _, errs := serve(t, Options{}, h, "POST", "/api/v3/repos/o/r/issues", `{"title":"x"}`); len(errs) != 1 {
		t.Fatalf("prefixed path without StripPrefix not reported: %q", errs)
	}
}

func TestMiddlewareSkipRequestBody(t *testing.T) {
	t.Parallel()
	// go-github v60's AddLabelsToIssue body: a bare array.
	h := answer(422, validationFailed)
	if _, errs := serve(t, Options{}, h, "POST", "/repos/o/r/issues/1/labels", `["bug"]`); len(errs) != 1 {
		t.Fatalf("bare-array labels body not reported: %q", errs)
	}
	if _, errs := serve(t, Options{SkipRequestBody: GoGitHubV60RequestQuirks}, h, "POST", "/repos/o/r/issues/1/labels", `["bug"]`); len(errs) != 0 {
		t.Fatalf("skipped body reported: %q", errs)
	}
}
