package ghsim_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

// The issue-label operations keep an issue's labels: added once, created
// in the repo when missing, removed one by one; every answer is checked
// against GitHub's description.
func TestIssueLabels(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	n, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x", Labels: []string{"postmortem"}})
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	labels := func() []string {
		is, _ := e.sim.Issue("acme", "sre", 1)
		return is.Labels
	}
	e.clock.Advance(time.Minute)
	steps := []struct {
		method, path, body string
		status             int
		want               []string
	}{
		{"POST", "/repos/acme/sre/issues/1/labels", `{"labels":["pmsync:due-soon"]}`, 200, []string{"postmortem", "pmsync:due-soon"}},
		// Added again, and in another case: still one.
		{"POST", "/repos/acme/sre/issues/1/labels", `{"labels":["PMSYNC:due-soon",{"name":"sev1"}]}`, 200, []string{"postmortem", "pmsync:due-soon", "sev1"}},
		{"GET", "/repos/acme/sre/issues/1/labels", "", 200, []string{"postmortem", "pmsync:due-soon", "sev1"}},
		{"DELETE", "/repos/acme/sre/issues/1/labels/PMSYNC:DUE-SOON", "", 200, []string{"postmortem", "sev1"}},
		{"DELETE", "/repos/acme/sre/issues/1/labels/pmsync:due-soon", "", 404, []string{"postmortem", "sev1"}},
		{"POST", "/repos/acme/sre/issues/1/labels", `{"labels":[""]}`, 422, []string{"postmortem", "sev1"}},
		{"POST", "/repos/acme/sre/issues/1/labels", `{}`, 422, []string{"postmortem", "sev1"}},
		{"PUT", "/repos/acme/sre/issues/1/labels", `{"labels":["a"]}`, 200, []string{"a"}},
		{"DELETE", "/repos/acme/sre/issues/1/labels", "", 204, nil},
		{"POST", "/repos/acme/sre/issues/9/labels", `{"labels":["a"]}`, 404, nil},
	}
	for _, s := range steps {
		resp, _ := e.raw(t, s.method, s.path, "t0ken", s.body)
		if resp.StatusCode != s.status {
			t.Errorf("%s %s: status %d, want %d", s.method, s.path, resp.StatusCode, s.status)
		}
		if got := labels(); !slices.Equal(got, s.want) {
			t.Errorf("%s %s: labels %v, want %v", s.method, s.path, got, s.want)
		}
	}
	// The repo has the labels made on the way; the issue shows its change.
	ls, _, err := e.gh.Issues.ListLabels(t.Context(), "acme", "sre", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.GetName())
	}
	if !slices.Equal(names, []string{"postmortem", "pmsync:due-soon", "sev1", "a"}) {
		t.Errorf("repo labels %v", names)
	}
	is, _ := e.sim.Issue("acme", "sre", 1)
	if !is.UpdatedAt.Equal(start.Add(time.Minute)) {
		t.Errorf("updated %v, want %v", is.UpdatedAt, start.Add(time.Minute))
	}
	// go-github's own remove call.
	if _, err := e.gh.Issues.RemoveLabelForIssue(t.Context(), "acme", "sre", 1, "nope"); err == nil {
		t.Error("removing a label the issue lacks succeeded")
	} else if status, _ := errorJSON(t, err); status != http.StatusNotFound {
		t.Errorf("status %d", status)
	}
}
