// Package contract checks HTTP traffic against the trackers' published
// OpenAPI descriptions (testdata/contracts), so that fakes and simulators
// answer in the vendors' real shapes and clients send what the vendors
// accept. It is for tests: failures are reported through testing.TB.
package contract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Load reads and validates an OpenAPI file and builds its router. The
// document's date-time format also accepts Jira's offsets without a colon
// (2021-01-17T12:34:00.000+0000), which RFC 3339 does not.
func Load(path string) (*openapi3.T, routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("contract: load %s: %w", path, err)
	}
	// Set on the document, not globally, so other tests' formats are untouched.
	doc.SetStringFormatValidator("date-time", openapi3.NewCallbackValidator(validateDateTime))
	// Several vendor examples do not match their own schemas (PROVENANCE.md).
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, nil, fmt.Errorf("contract: %s is not valid OpenAPI: %w", path, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("contract: router for %s: %w", path, err)
	}
	return doc, router, nil
}

var dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$`)

// validateDateTime accepts RFC 3339 and Jira's ±hhmm offsets.
func validateDateTime(v string) error {
	m := dateTimeRE.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf("not a date-time: %q", v)
	}
	layout := "2006-01-02T15:04:05"
	if m[1] != "" {
		layout += "." + strings.Repeat("0", len(m[1])-1)
	}
	switch zone := m[2]; {
	case zone == "Z":
		layout += "Z07:00"
	case strings.Contains(zone, ":"):
		layout += "-07:00"
	default:
		layout += "-0700"
	}
	if _, err := time.Parse(layout, v); err != nil {
		return fmt.Errorf("not a date-time: %q: %v", v, err)
	}
	return nil
}

// Options tune Middleware.
type Options struct {
	// StripPrefix is removed from request paths before routing, e.g.
	// "/api/v3" for GitHub Enterprise Server.
	StripPrefix string
	// SkipRequestBody lists operationIds whose request bodies are not
	// checked. Every entry is a documented client or spec quirk; say
	// which beside it (see GoGitHubV60RequestQuirks).
	SkipRequestBody map[string]bool
	// ExcludeReadOnly accepts read-only properties in request bodies
	// (go-jira sends whole objects back).
	ExcludeReadOnly bool
	// AllowUndocumentedStatus lists statuses accepted, body unchecked,
	// when the operation does not document them: answers injected by
	// fault hooks (5xx, 429, 403 rate limits, 401). Every other status
	// must be documented and its body must match.
	AllowUndocumentedStatus []int
}

// GoGitHubV60RequestQuirks are the request bodies go-github v60 sends that
// GitHub accepts but its description rejects: AddLabelsToIssue sends a bare
// array of names, the spec's oneOf wants an object ({"labels": [...]}).
var GoGitHubV60RequestQuirks = map[string]bool{"issues/add-labels": true}

// Middleware checks every request against doc before passing it to next,
// and every answer of next before it reaches the client; each mismatch,
// and each request no operation matches, is a t.Errorf naming the method,
// path and kin-openapi's reason. Answers are buffered so that the error is
// reported before the client sees the answer; a handler that hijacks the
// connection (a simulated reset) is not checked.
func Middleware(t testing.TB, doc *openapi3.T, router routers.Router, next http.Handler, opts Options) http.Handler {
	server := serverURL(doc)
	fopts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true, // every mismatch of a message at once
		// Without details: kin-openapi would print the whole schema (the
		// issue schema is pages long) with every error.
		SchemaValidationOptions: append(doc.GetSchemaValidationOptions(), openapi3.DisableSchemaErrorDetails()),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("contract: %s %s: reading request body: %v", r.Method, r.URL, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		where := r.Method + " " + r.URL.RequestURI()

		vr := validationRequest(r, body, server, opts.StripPrefix)
		route, params, rerr := router.FindRoute(vr)
		var in *openapi3filter.RequestValidationInput
		if rerr != nil {
			t.Errorf("contract: %s: no operation in the spec: %v", where, rerr)
		} else {
			o := *fopts
			o.ExcludeRequestBody = opts.SkipRequestBody[route.Operation.OperationID]
			o.ExcludeReadOnlyValidations = opts.ExcludeReadOnly
			in = &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route, Options: &o}
			if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
				t.Errorf("contract: %s: request: %v", where, err)
			}
		}

		rec := &recorder{under: w, header: http.Header{}}
		next.ServeHTTP(rec, r)
		if rec.hijacked || (rec.status == 0 && r.Context().Err() != nil) {
			return // a dropped connection, or a client that gave up waiting
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if in != nil {
			checkResponse(t, where, in, rec, opts)
		}
		rec.flush()
	})
}

func checkResponse(t testing.TB, where string, in *openapi3filter.RequestValidationInput, rec *recorder, opts Options) {
	documented := in.Route.Operation.Responses.Status(rec.status) != nil ||
		in.Route.Operation.Responses.Default() != nil
	if !documented && slices.Contains(opts.AllowUndocumentedStatus, rec.status) {
		return
	}
	o := *in.Options
	// A body-less 204 needs no Content-Type, though Jira's spec declares JSON.
	o.ExcludeResponseBody = rec.status == http.StatusNoContent && rec.body.Len() == 0
	err := openapi3filter.ValidateResponse(in.Request.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.status,
		Header:                 rec.header,
		Body:                   io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		Options:                &o,
	})
	if err != nil {
		t.Errorf("contract: %s -> %d: response: %v", where, rec.status, err)
	}
}

// serverURL is the document's first server: requests are rewritten to it
// so that the router, which matches scheme and host, finds their route.
func serverURL(doc *openapi3.T) *url.URL {
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil && u.Host != "" && !strings.Contains(u.Host, "{") {
			return u
		}
	}
	return &url.URL{}
}

func validationRequest(r *http.Request, body []byte, server *url.URL, strip string) *http.Request {
	vr := r.Clone(r.Context())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	u := *r.URL
	if strip != "" {
		if p, ok := strings.CutPrefix(u.Path, strip); ok && (p == "" || p[0] == '/') {
			u.Path = p
			u.RawPath = strings.TrimPrefix(u.RawPath, strip)
		}
	}
	if server.Host != "" {
		u.Scheme, u.Host = server.Scheme, server.Host
		vr.Host = server.Host
		base := strings.TrimRight(server.Path, "/")
		u.Path = base + u.Path
		if u.RawPath != "" {
			u.RawPath = base + u.RawPath
		}
	}
	vr.URL = &u
	return vr
}

// recorder buffers an answer so that it can be checked before it is sent.
type recorder struct {
	under    http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

// Hijack lets a simulator drop the connection through the middleware.
func (rec *recorder) Hijack() (c net.Conn, rw *bufio.ReadWriter, err error) {
	c, rw, err = http.NewResponseController(rec.under).Hijack()
	if err == nil {
		rec.hijacked = true
	}
	return c, rw, err
}

func (rec *recorder) flush() {
	h := rec.under.Header()
	for k, vs := range rec.header {
		h[k] = vs
	}
	rec.under.WriteHeader(rec.status)
	_, _ = rec.under.Write(rec.body.Bytes())
}

// Dir is the folder of the vendors' OpenAPI descriptions inside this
// repository, testdata/contracts at the module root (the folder holding
// go.mod, found by walking up from the working directory, which is the
// package's folder under go test). PROVENANCE.md there says where each
// file comes from and how it was trimmed.
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "contracts"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("contract: no go.mod above the working directory; run the tests from inside the repository")
		}
		dir = parent
	}
}

// Path is the path of one contract file, such as github.openapi.json.
func Path(file string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, file), nil
}

// MustLoad loads the contract file (see Dir), or fails the test. The Jira description (jira.openapi.json) comes back relaxed as
// Relax says, the way every Jira test needs it. A file is loaded once per
// test process and shared: loading and validating a contract costs about
// 0.1 s of CPU, and the crash tests build hundreds of servers. Callers
// must not change what it returns.
func MustLoad(t testing.TB, file string) (*openapi3.T, routers.Router) {
	t.Helper()
	p, err := Path(file)
	if err != nil {
		t.Fatal(err)
	}
	l := sharedFor(p)
	l.once.Do(func() {
		l.doc, l.router, l.err = Load(p)
		if l.err == nil && file == "jira.openapi.json" {
			Relax(l.doc)
		}
	})
	if l.err != nil {
		t.Fatal(l.err)
	}
	return l.doc, l.router
}

// shared is one contract file as MustLoad loaded it.
type shared struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// cache holds MustLoad's contracts by path. A test-only package, so a
// process-wide cache is harmless and saves each test its own load.
var cache = struct {
	sync.Mutex
	m map[string]*shared
}{m: map[string]*shared{}}

func sharedFor(path string) *shared {
	cache.Lock()
	defer cache.Unlock()
	l := cache.m[path]
	if l == nil {
		l = &shared{}
		cache.m[path] = l
	}
	return l
}
