package github

import (
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/pmsync/pmsync/internal/contract"
)

type spec3 struct {
	doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (spec3, error) {
	path, err := contract.Path("github.openapi.json")
	if err != nil {
		return spec3{}, err
	}
	doc, router, err := contract.Load(path)
	return spec3{doc, router}, err
})

// validated checks every request pmsync sends and every answer it gets
// against GitHub's published description. Statuses the fault hook injects
// (5xx, 429, rate-limit 403s) are not documented for every operation.
func validated(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return contract.Middleware(t, c.doc, c.router, unanswered(h), contract.Options{
		StripPrefix:             "/api/v3",
		AllowUndocumentedStatus: []int{401, 403, 429, 500, 502, 503},
	})
}

// unanswered drops the connection when the simulator gave no answer
// because the client gave up (a delay fault cut by the client's timeout):
// the middleware would otherwise check the silence as an empty 200.
func unanswered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := &wroteWriter{ResponseWriter: w}
		next.ServeHTTP(ww, r)
		if !ww.wrote && r.Context().Err() != nil {
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
		}
	})
}

type wroteWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *wroteWriter) WriteHeader(code int) { w.wrote = true; w.ResponseWriter.WriteHeader(code) }

func (w *wroteWriter) Write(b []byte) (int, error) { w.wrote = true; return w.ResponseWriter.Write(b) }

// Unwrap lets the simulator hijack through this writer.
func (w *wroteWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
