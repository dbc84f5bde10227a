package jira

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/sync/ticket"
)

// CloseDuplicate comments, links "Duplicate" and moves the issue to a
// done status with the resolution Duplicate; when the transition screen
// refuses the resolution, the transition is made without it.
func TestCloseDuplicate(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		for _, refuse := range []bool{false, true} {
			name := f.String()
			if refuse {
				name += " resolution refused"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var refused atomic.Int64
				e := newEnv(t, f, func(c *envConfig) {
					if refuse {
						c.wrap = refuseResolution(&refused)
					}
				})
				keep, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
				if err != nil {
					t.Fatal(err)
				}
				dup, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
				if err != nil {
					t.Fatal(err)
				}
				if err := e.tr.CloseDuplicate(t.Context(), dup, keep); err != nil {
					t.Fatal(err)
				}
				is := e.mustIssue(t, dup.Ref.Text)
				wantRes := "Duplicate"
				if refuse {
					wantRes = "Won't Do" // the status's own
				}
				if is.StatusCategory != "done" || is.Status != "Won't Do" || is.Resolution != wantRes {
					t.Errorf("status %q (%s) resolution %q, want Won't Do / %s", is.Status, is.StatusCategory, is.Resolution, wantRes)
				}
				if len(is.Comments) != 1 || is.Comments[0].Body != "Closed by pmsync as a duplicate of OPS-1 (same postmortem item)." {
					t.Errorf("comments %+v", is.Comments)
				}
				if len(is.Links) != 1 || is.Links[0] != (jirasim.Link{Type: "Duplicate", Direction: "outward", Key: "OPS-1"}) {
					t.Errorf("links %+v, want OPS-2 duplicates OPS-1", is.Links)
				}
				if k := e.mustIssue(t, "OPS-1"); k.StatusCategory != "new" {
					t.Errorf("the kept issue is %s", k.Status)
				}
				want := 1
				if refuse {
					want = 2
				}
				if n := e.calls("POST", "/rest/api/2/issue/OPS-2/transitions"); n != want || refuse && refused.Load() != 1 {
					t.Errorf("%d transition POSTs (%d refused), want %d", n, refused.Load(), want)
				}
				got, err := e.tr.Get(t.Context(), []ticket.Ref{dup.Ref})
				if err != nil || len(got) != 1 || got[0].Status.State != ticket.StateWontDo {
					t.Errorf("read back %+v %v", got, err)
				}
			})
		}
	}
}

// refuseResolution answers a transition that sets a resolution as a
// workflow whose screen lacks the field does.
func refuseResolution(n *atomic.Int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/transitions") {
				b, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(b))
				if bytes.Contains(b, []byte(`"resolution"`)) {
					n.Add(1)
					w.Header().Set("Content-Type", "application/json;charset=UTF-8")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = io.WriteString(w, `{"errorMessages":[],"errors":{"resolution":"Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown."}}`)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestDoneTransitionChoice(t *testing.T) {
	t.Parallel()
	tr := func(id, name, cat string, res bool) jiraTransition {
		x := jiraTransition{ID: id, Name: name}
		x.To.Name, x.To.StatusCategory.Key = name, cat
		if res {
			x.Fields = map[string]jiraTransitionField{"resolution": {}}
		}
		return x
	}
	for _, tc := range []struct {
		trs  []jiraTransition
		want string
	}{
		{[]jiraTransition{tr("1", "Start", "indeterminate", false), tr("2", "Done", "done", true), tr("3", "Won't Do", "done", true)}, "3"},
		{[]jiraTransition{tr("2", "Done", "done", true), tr("3", "Cancel", "done", false), tr("4", "Close as Duplicate", "done", false)}, "4"},
		{[]jiraTransition{tr("2", "Resolve", "done", false), tr("3", "Close", "done", true)}, "3"},
		{[]jiraTransition{tr("1", "Start", "indeterminate", false)}, ""},
	} {
		got, ok := doneTransition(tc.trs)
		if ok != (tc.want != "") || ok && got.ID != tc.want {
			t.Errorf("picked %q %v, want %q", got.ID, ok, tc.want)
		}
	}
}
