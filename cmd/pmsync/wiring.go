package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
)

// docOptions turns the configuration into the parser's options. Its
// errors are configuration errors (exit 2).
func docOptions(cfg *config.Config) (postmortem.Options, error) {
	o := postmortem.Options{
		FinalWords:        cfg.Finalized.Words,
		FinalWhenUnstated: cfg.Finalized.WhenUnstated == config.WhenUnstatedFinal,
		Directory:         directory(cfg),
		Horizons:          map[string]postmortem.Span{},
		DueAfter:          map[string]postmortem.Span{},
		FactorsListOnly:   cfg.Factors.Prose == config.FactorProseIgnore,
		JiraProjects:      configuredJiraProjects(cfg),
	}
	var problems []string
	spans := func(key string, in map[string]string, out map[string]postmortem.Span) {
		keys := make([]string, 0, len(in))
		for k := range in {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, err := postmortem.ParseSpan(in[k])
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s.%s: %v", key, k, err))
				continue
			}
			out[k] = s
		}
	}
	spans("defaults.due_after", cfg.Defaults.DueAfter, o.DueAfter)
	spans("defaults.horizons", cfg.Defaults.Horizons, o.Horizons)
	if len(problems) > 0 {
		return o, fmt.Errorf("configuration: %s; fix the config file", strings.Join(problems, "; "))
	}
	return o, nil
}

// configuredJiraProjects are the Jira projects the configuration names.
func configuredJiraProjects(cfg *config.Config) []string {
	var out []string
	for _, t := range cfg.Trackers {
		if t.Type == config.TrackerJira {
			out = append(append(out, t.Project), t.AllowedProjects...)
		}
	}
	for _, r := range cfg.Routes {
		out = append(out, r.Project)
	}
	for _, t := range cfg.Teams {
		out = append(out, t.Jira)
	}
	return out
}

func directory(cfg *config.Config) postmortem.Directory {
	d := postmortem.Directory{People: map[string]postmortem.Person{}, Teams: map[string]postmortem.Team{}}
	for k, p := range cfg.People {
		d.People[k] = postmortem.Person{Key: k, Name: p.Name, Email: p.Email, GitHub: p.GitHub, Jira: p.Jira}
	}
	for k, t := range cfg.Teams {
		d.Teams[k] = postmortem.Team{Key: k, GitHub: t.GitHub, Jira: t.Jira}
	}
	return d
}

func router(cfg *config.Config) *route.Router {
	r := &route.Router{Trackers: map[string]route.Tracker{}, Teams: directory(cfg).Teams}
	for name, t := range cfg.Trackers {
		r.Trackers[name] = route.Tracker{Type: t.Type, Repo: t.Repo, Project: t.Project,
			Allowed: append(append([]string(nil), t.AllowedRepos...), t.AllowedProjects...)}
	}
	for _, rt := range cfg.Routes {
		r.Rules = append(r.Rules, route.Rule{
			Team: rt.Match.Team, Service: rt.Match.Service, Severity: rt.Match.Severity, DocTracker: rt.Match.Tracker,
			Tracker: rt.Tracker, Repo: rt.Repo, Project: rt.Project,
		})
	}
	return r
}
