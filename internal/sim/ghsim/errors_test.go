package ghsim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

func TestIssueErrors(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{Users: []string{"alice"}}, contract.Options{})
	ctx := context.Background()
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "gone soon"}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Delete("acme", "sre", 1); err != nil {
		t.Fatal(err)
	}

	_, _, err := e.gh.Issues.Get(ctx, "acme", "sre", 1)
	status, body := errorJSON(t, err)
	if status != 410 || body["message"] != "This issue was deleted" || body["documentation_url"] == "" {
		t.Errorf("deleted issue: %d %v", status, body)
	}
	if list, _, err := e.gh.Issues.ListByRepo(ctx, "acme", "sre", &github.IssueListByRepoOptions{State: "all"}); err != nil || len(list) != 0 {
		t.Errorf("deleted issue listed: %v, %v", list, err)
	}
	_, _, err = e.gh.Issues.Get(ctx, "acme", "sre", 99)
	if status, body := errorJSON(t, err); status != 404 || body["message"] != "Not Found" {
		t.Errorf("unknown issue: %d %v", status, body)
	}

	_, _, err = e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{
		Title: ptr("long"), Body: ptr(strings.Repeat("é", 65537))})
	status, body = errorJSON(t, err)
	if status != 422 {
		t.Fatalf("long body: %d", status)
	}
	jsonEqual(t, body, `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"custom","field":"body",
		"message":"body is too long (maximum is 65536 characters)"}],
		"documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue","status":"422"}`)
	// 65,536 characters (not bytes) is still fine.
	if _, _, err := e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{
		Title: ptr("long"), Body: ptr(strings.Repeat("é", 65536))}); err != nil {
		t.Errorf("body of 65536 characters: %v", err)
	}
	_, _, err = e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{Title: ptr(strings.Repeat("t", 257))})
	if status, body := errorJSON(t, err); status != 422 || !strings.Contains(fmt.Sprint(body["errors"]), "title is too long (maximum is 256 characters)") {
		t.Errorf("long title: %d %v", status, body)
	}

	_, _, err = e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{Title: ptr("x"), Assignees: &[]string{"mallory"}})
	status, body = errorJSON(t, err)
	if status != 422 {
		t.Fatalf("unknown assignee: %d", status)
	}
	jsonEqual(t, body, `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"invalid","field":"assignees","value":"mallory"}],
		"documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue","status":"422"}`)
	_, _, err = e.gh.Issues.Edit(ctx, "acme", "sre", 2, &github.IssueRequest{Assignees: &[]string{"alice", "mallory"}})
	if status, _ := errorJSON(t, err); status != 422 {
		t.Errorf("unknown assignee on update: %d", status)
	}
	_, _, err = e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{Title: ptr("x"), Milestone: ptr(7)})
	if status, _ := errorJSON(t, err); status != 422 {
		t.Errorf("unknown milestone: %d", status)
	}
	if _, _, err := e.gh.Issues.CreateComment(ctx, "acme", "sre", 1, &github.IssueComment{Body: ptr("x")}); err == nil {
		t.Error("comment on a deleted issue accepted")
	}
	_, _, err = e.gh.Issues.CreateComment(ctx, "acme", "sre", 2, &github.IssueComment{Body: ptr(strings.Repeat("x", 65537))})
	if status, body := errorJSON(t, err); status != 422 || !strings.Contains(fmt.Sprint(body["errors"]), "IssueComment") {
		t.Errorf("long comment: %d %v", status, body)
	}
	if got := e.sim.Issues("acme", "sre"); len(got) != 1 || got[0].Number != 2 {
		t.Errorf("rejected requests changed state: %+v", got)
	}
}

func TestLabelLimits(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	ctx := context.Background()
	for _, c := range []struct {
		label github.Label
		want  string
	}{
		{github.Label{Name: ptr(strings.Repeat("n", 51))}, "name is too long (maximum is 50 characters)"},
		{github.Label{Name: ptr("ok"), Description: ptr(strings.Repeat("d", 101))}, "description is too long (maximum is 100 characters)"},
		{github.Label{Name: ptr("ok"), Color: ptr("#ff0000")}, "invalid"},
	} {
		_, _, err := e.gh.Issues.CreateLabel(ctx, "acme", "sre", &c.label)
		if status, body := errorJSON(t, err); status != 422 || !strings.Contains(fmt.Sprint(body["errors"]), c.want) {
			t.Errorf("%s: %d %v", c.want, status, body)
		}
	}
	if _, _, err := e.gh.Issues.GetLabel(ctx, "acme", "sre", "nope"); err == nil {
		t.Error("unknown label found")
	}
}

func TestMilestoneDueOnKeepsPacificDate(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	for i, c := range []struct{ in, want string }{
		{"2026-04-01T05:00:00Z", "2026-03-31T07:00:00Z"}, // still March 31 in California
		{"2026-04-01T12:00:00Z", "2026-04-01T07:00:00Z"}, // daylight time
		{"2026-01-15T12:00:00Z", "2026-01-15T08:00:00Z"}, // standard time
	} {
		in, _ := time.Parse(time.RFC3339, c.in)
		ms, _, err := e.gh.Issues.CreateMilestone(context.Background(), "acme", "sre",
			&github.Milestone{Title: ptr(fmt.Sprint("m", i)), DueOn: &github.Timestamp{Time: in}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ms.GetDueOn().UTC().Format(time.RFC3339); got != c.want {
			t.Errorf("due_on %s stored as %s, want %s", c.in, got, c.want)
		}
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{Tokens: map[string]string{"good": "bot"}},
		contract.Options{AllowUndocumentedStatus: []int{401}})
	resp, body := e.raw(t, "GET", "/repos/acme/sre/issues", "", "")
	if resp.StatusCode != 401 || body["message"] != "Requires authentication" {
		t.Errorf("no token: %d %v", resp.StatusCode, body)
	}
	resp, body = e.raw(t, "GET", "/repos/acme/sre/issues", "bad", "")
	if resp.StatusCode != 401 || body["message"] != "Bad credentials" || resp.Header.Get("X-RateLimit-Limit") == "" {
		t.Errorf("wrong token: %d %v %v", resp.StatusCode, body, resp.Header)
	}
	if resp, _ := e.raw(t, "GET", "/user", "good", ""); resp.StatusCode != 200 {
		t.Errorf("good token: %d", resp.StatusCode)
	}
	me, _, err := e.client("good").Users.Get(context.Background(), "")
	if err != nil || me.GetLogin() != "bot" {
		t.Errorf("bearer token: %v %v", me.GetLogin(), err)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{RateLimit: 3}, contract.Options{AllowUndocumentedStatus: []int{403}})
	ctx := context.Background()
	for i := range 3 {
		_, resp, err := e.gh.Issues.ListByRepo(ctx, "acme", "sre", nil)
		if err != nil || resp.Rate.Remaining != 2-i || resp.Rate.Limit != 3 {
			t.Fatalf("request %d: %+v, %v", i, resp.Rate, err)
		}
	}
	// /rate_limit is free, even with the budget spent.
	limits, _, err := e.gh.RateLimit.Get(ctx)
	if err != nil || limits.GetCore().Remaining != 0 {
		t.Fatalf("rate_limit: %+v, %v", limits, err)
	}
	_, resp, err := e.gh.Issues.ListByRepo(ctx, "acme", "sre", nil)
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("exhausted budget: %v", err)
	}
	if !rl.Rate.Reset.Time.Equal(start.Add(time.Hour)) || !strings.Contains(rl.Message, "API rate limit exceeded") {
		t.Errorf("rate-limit error: %+v", rl)
	}
	e.clock.Advance(time.Hour)
	if _, resp, err := e.client("t0ken").Issues.ListByRepo(ctx, "acme", "sre", nil); err != nil || resp.Rate.Remaining != 2 {
		t.Fatalf("after reset: %v", err)
	}
	e.sim.SetRateRemaining("pmsync-bot", 0)
	if resp, _ := e.raw(t, "GET", "/user", "t0ken", ""); resp.StatusCode != 403 {
		t.Errorf("SetRateRemaining(0): %d", resp.StatusCode)
	}
}

func TestSecondaryLimit(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{SecondaryLimit: true}, contract.Options{AllowUndocumentedStatus: []int{403}})
	ctx := context.Background()
	create := func(gh *github.Client, i int) error {
		_, _, err := gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{Title: ptr(fmt.Sprint("w", i))})
		return err
	}
	for i := range 80 {
		if err := create(e.gh, i); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		// Reads never count.
		if _, _, err := e.gh.Issues.Get(ctx, "acme", "sre", i+1); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(500 * time.Millisecond)
	}
	err := create(e.gh, 80)
	var ab *github.AbuseRateLimitError
	if !errors.As(err, &ab) || ab.RetryAfter == nil {
		t.Fatalf("81st write in a minute: %v", err)
	}
	// The first write leaves the window 60 s after it: 20 s from now.
	if *ab.RetryAfter != 20*time.Second {
		t.Errorf("Retry-After %v, want 20s", *ab.RetryAfter)
	}
	e.clock.Advance(20 * time.Second)
	if err := create(e.client("t0ken"), 81); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	// Another token has its own window.
	e.clock.Advance(-20 * time.Second)
	if err := create(e.client("other"), 82); err != nil {
		t.Fatalf("other token: %v", err)
	}
	times := e.sim.WriteTimes()
	if len(times) != 83 || !times[1].Equal(start.Add(500*time.Millisecond)) {
		t.Fatalf("%d write times", len(times))
	}
	if len(e.sim.Issues("acme", "sre")) != 82 {
		t.Fatalf("a limited write created an issue")
	}
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	resp, _ := e.raw(t, "GET", "/repos/acme/sre/issues/1", "t0ken", "")
	etag, left := resp.Header.Get("ETag"), resp.Header.Get("X-RateLimit-Remaining")
	if etag == "" {
		t.Fatal("no ETag")
	}
	r2, _ := e.raw(t, "GET", "/repos/acme/sre/issues/1", "t0ken", "", "If-None-Match", etag)
	if r2.StatusCode != 304 || r2.Header.Get("X-RateLimit-Remaining") != left {
		t.Fatalf("If-None-Match: %d, remaining %s (was %s)", r2.StatusCode, r2.Header.Get("X-RateLimit-Remaining"), left)
	}
	if err := e.sim.Close("acme", "sre", 1, "not_planned"); err != nil {
		t.Fatal(err)
	}
	if r3, _ := e.raw(t, "GET", "/repos/acme/sre/issues/1", "t0ken", "", "If-None-Match", etag); r3.StatusCode != 200 {
		t.Fatalf("changed issue: %d", r3.StatusCode)
	}
}
