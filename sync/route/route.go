// Package route decides which tracker, and which repository or project in
// it, each item goes to (SPEC §5 routes): the first matching rule wins,
// then the document's own tracker key, then the default rule.
package route

import (
	"fmt"
	"strings"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// Target is where one item's ticket lives, and the tracker's type.
type Target struct {
	ticket.Target
	Type string // github | jira
}

// Tracker is what routing needs to know of a configured tracker.
type Tracker struct {
	Type    string
	Repo    string
	Project string
	// Allowed are the repos (github, "owner/name" or "owner/*") or
	// projects (jira) a document may pick besides the targets the
	// configuration names (the tracker's own, the routes', the teams').
	Allowed []string
}

// Rule is one route; empty match fields match anything.
type Rule struct {
	Team, Service, Severity, DocTracker string
	Tracker                             string
	Repo, Project                       string
}

func (r Rule) isDefault() bool {
	return r.Team == "" && r.Service == "" && r.Severity == "" && r.DocTracker == ""
}

// Router routes items.
type Router struct {
	Rules    []Rule
	Trackers map[string]Tracker
	Teams    map[string]postmortem.Team
}

// Route returns the target of one item of a document.
func (r *Router) Route(d *postmortem.Doc, it *postmortem.Item) (Target, error) {
	docTracker, docWhere, _ := strings.Cut(d.Tracker, ":")
	docTracker = strings.ToLower(strings.TrimSpace(docTracker))
	var t Target
	found := false
	for _, rule := range r.Rules {
		if rule.isDefault() || !r.matches(rule, d, it, docTracker) {
			continue
		}
		t, found = r.target(rule.Tracker, rule.Repo, rule.Project)
		break
	}
	if !found && docTracker != "" {
		if _, ok := r.Trackers[docTracker]; !ok {
			return Target{}, fmt.Errorf("tracker %q named by the document is not configured: add it under trackers: or fix the document's tracker key", docTracker)
		}
		repo, project := "", ""
		if strings.Contains(docWhere, "/") {
			repo = docWhere
		} else {
			project = docWhere
		}
		t, found = r.target(docTracker, repo, project)
	}
	if !found {
		for _, rule := range r.Rules {
			if rule.isDefault() {
				t, found = r.target(rule.Tracker, rule.Repo, rule.Project)
				break
			}
		}
	}
	if !found && len(r.Trackers) == 1 {
		for name := range r.Trackers {
			t, found = r.target(name, "", "")
		}
	}
	if !found {
		return Target{}, fmt.Errorf("no route for this item: add a default route (one without match:) to routes")
	}
	// A team owner routes the ticket to the team's own repo or project.
	if team, ok := r.Teams[it.Owner.Team]; ok && it.Owner.Team != "" {
		switch {
		case t.Type == "github" && team.GitHub != "":
			t.Repo = team.GitHub
		case t.Type == "jira" && team.Jira != "":
			t.Project = team.Jira
		}
	}
	if t.Type == "github" && t.Repo == "" || t.Type == "jira" && t.Project == "" {
		return Target{}, fmt.Errorf("route to tracker %q names no repo or project: set repo:/project: on the tracker or the route", t.Tracker)
	}
	if !r.allowed(t) {
		where, key := t.Repo, "allowed_repos"
		if t.Type == "jira" {
			where, key = t.Project, "allowed_projects"
		}
		return Target{}, fmt.Errorf("the document sends its tickets to %s on tracker %q, which the configuration does not allow (a postmortem may pick only among its routes' and teams' targets): fix the document's tracker key, or add %s to trackers.%s.%s",
			where, t.Tracker, where, t.Tracker, key)
	}
	return t, nil
}

// allowed reports a target the configuration names: the tracker's own
// repo or project, a route's, a team's, or one of the tracker's Allowed.
// Anyone who can merge a postmortem must not be able to make pmsync write
// wherever its token reaches.
func (r *Router) allowed(t Target) bool {
	ok := func(where string) bool {
		if where == "" {
			return false
		}
		return t.Type == "jira" && strings.EqualFold(where, t.Project) ||
			t.Type != "jira" && strings.EqualFold(where, t.Repo)
	}
	tr := r.Trackers[t.Tracker]
	if ok(tr.Repo) || ok(tr.Project) {
		return true
	}
	for _, rule := range r.Rules {
		if rule.Tracker == t.Tracker && (ok(rule.Repo) || ok(rule.Project)) {
			return true
		}
	}
	for _, team := range r.Teams {
		if ok(team.GitHub) || ok(team.Jira) {
			return true
		}
	}
	for _, a := range tr.Allowed {
		if ok(a) {
			return true
		}
		if owner, ok := strings.CutSuffix(a, "/*"); ok && t.Type != "jira" && strings.Contains(t.Repo, "/") {
			if o, _, _ := strings.Cut(t.Repo, "/"); strings.EqualFold(o, owner) {
				return true
			}
		}
	}
	return false
}

func (r *Router) target(name, repo, project string) (Target, bool) {
	tr, ok := r.Trackers[name]
	if !ok {
		return Target{}, false
	}
	t := Target{Target: ticket.Target{Tracker: name, Repo: tr.Repo, Project: tr.Project}, Type: tr.Type}
	if repo != "" {
		t.Repo = repo
	}
	if project != "" {
		t.Project = project
	}
	return t, true
}

func (r *Router) matches(rule Rule, d *postmortem.Doc, it *postmortem.Item, docTracker string) bool {
	if rule.Team != "" {
		teams := d.Teams
		if it.Team != "" {
			teams = []string{it.Team}
		} else if it.Owner.Team != "" {
			teams = []string{it.Owner.Team}
		}
		if !containsFold(teams, rule.Team) {
			return false
		}
	}
	if rule.Service != "" && !containsFold(d.Services, rule.Service) {
		return false
	}
	if rule.Severity != "" && !strings.EqualFold(rule.Severity, d.Severity) {
		return false
	}
	if rule.DocTracker != "" && !strings.EqualFold(rule.DocTracker, docTracker) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}
