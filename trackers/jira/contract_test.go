package jira

import (
	"net/http"
	"path/filepath"
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
	shared, err := contract.FindSharedDir()
	if err != nil {
		return spec3{}, err
	}
	doc, router, err := contract.Load(filepath.Join(shared, "contracts", "jira.openapi.json"))
	if err == nil {
		relax(doc)
	}
	return spec3{doc, router}, err
})

// relax reads two things in Jira's description as OpenAPI 3.0.3 means
// them, where kin-openapi is stricter:
//   - a schema without a type accepts null ("nullable ... only if type is
//     explicitly defined"): Jira sends "assignee": null, "resolution":
//     null in IssueBean.fields, whose schema is additionalProperties {};
//   - a response whose JSON schema is empty ({}) says nothing about its
//     body: Jira answers POST issueLink with 201 and no body at all, which
//     kin-openapi cannot decode as JSON.
//
// The document is this package's own copy (loaded once here).
func relax(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		sc := ref.Value
		seen[sc] = true
		if sc.Type == nil || sc.Type.IsEmpty() {
			sc.Nullable = true
		}
		for _, p := range sc.Properties {
			walk(p)
		}
		walk(sc.Items)
		walk(sc.AdditionalProperties.Schema)
		walk(sc.Not)
		for _, l := range []openapi3.SchemaRefs{sc.AllOf, sc.AnyOf, sc.OneOf} {
			for _, r := range l {
				walk(r)
			}
		}
	}
	for _, sc := range doc.Components.Schemas {
		walk(sc)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					if empty(mt.Schema) {
						mt.Schema = nil
						continue
					}
					walk(mt.Schema)
				}
			}
		}
	}
}

func empty(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil || ref.Ref != "" {
		return false
	}
	sc := ref.Value
	return (sc.Type == nil || sc.Type.IsEmpty()) && len(sc.Properties) == 0 && sc.Items == nil &&
		sc.AdditionalProperties.Schema == nil && sc.AdditionalProperties.Has == nil &&
		len(sc.AllOf)+len(sc.AnyOf)+len(sc.OneOf) == 0 && sc.Not == nil
}

// validated checks every request pmsync sends and every answer it gets
// against Jira's published description. Statuses the fault hook injects
// (5xx, 429) are not documented for every operation.
func validated(t *testing.T, h http.Handler, prefix string) http.Handler {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return contract.Middleware(t, c.doc, c.router, unanswered(h), contract.Options{
		StripPrefix:             prefix,
		AllowUndocumentedStatus: []int{401, 403, 429, 500, 502, 503},
	})
}

// unanswered drops the connection when the simulator gave no answer
// because the client gave up: the middleware would otherwise check the
// silence as an empty 200.
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
