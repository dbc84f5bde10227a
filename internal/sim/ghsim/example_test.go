package ghsim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"

	"github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

func Example() {
	sim := ghsim.New(ghsim.Options{Tokens: map[string]string{"secret": "pmsync-bot"}})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	gh := github.NewClient(nil).WithAuthToken("secret")
	gh.BaseURL, _ = url.Parse(srv.URL + "/")
	is, _, err := gh.Issues.Create(context.Background(), "acme", "sre", &github.IssueRequest{
		Title:  github.String("Add a saturation alert"),
		Labels: &[]string{"postmortem", "action-item"},
	})
	if err != nil {
		panic(err)
	}
	_ = sim.Close("acme", "sre", is.GetNumber(), "not_planned")

	for _, got := range sim.Issues("acme", "sre") {
		fmt.Println(got.Number, got.Author, got.Labels, got.State, got.StateReason)
	}
	fmt.Println(is.GetHTMLURL())
	// Output:
	// 1 pmsync-bot [postmortem action-item] closed not_planned
	// https://github.com/acme/sre/issues/1
}
