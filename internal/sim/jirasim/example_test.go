package jirasim_test

import (
	"fmt"
	"net/http/httptest"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
)

func Example() {
	sim := jirasim.New(jirasim.Options{
		Accounts: map[string]string{"bot@acme.example": "api-token"},
		Users:    []jirasim.User{{AccountID: "5b10ac8d82e05b22cc7d4ef5", DisplayName: "Alice Example"}},
	})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	hc := (&jira.BasicAuthTransport{Username: "bot@acme.example", Password: "api-token"}).Client()
	c, _ := jira.NewClient(hc, srv.URL)
	is, _, err := c.Issue.Create(&jira.Issue{Fields: &jira.IssueFields{
		Project: jira.Project{Key: "OPS"}, Type: jira.IssueType{Name: "Task"},
		Summary:  "Add a saturation alert",
		Labels:   []string{"postmortem", "pm-payments-outage"},
		Assignee: &jira.User{AccountID: "5b10ac8d82e05b22cc7d4ef5"},
	}})
	if err != nil {
		panic(err)
	}
	_ = sim.Transition(is.Key, "Won't Do", "")

	found, _, _ := c.Issue.SearchV2JQL(`project = OPS AND labels = "pm-payments-outage"`,
		&jira.SearchOptionsV2{Fields: []string{"status", "resolution"}})
	for _, f := range found {
		fmt.Println(f.Key, f.Fields.Status.Name, f.Fields.Status.StatusCategory.Key, f.Fields.Resolution.Name)
	}
	// Output:
	// OPS-1 Won't Do done Won't Do
}
