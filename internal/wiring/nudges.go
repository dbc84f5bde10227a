package wiring

import (
	"fmt"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/sync/digest"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/sync/nudge"
	"github.com/pmsync/pmsync/sync/ticket"
)

// Nudges turns nudges.*, digests.* and the teams' contacts into the
// engine's (SPEC §6.1). webhook is the digests' webhook URL, resolved by
// the caller ("" when none is configured). Its errors are configuration
// errors (validated by config already; kept for safety).
func Nudges(cfg *config.Config, webhook string) (engine.Nudges, engine.Digests, error) {
	n := cfg.Nudges
	var out engine.Nudges
	loc, err := time.LoadLocation(n.Timezone)
	if err != nil {
		return out, engine.Digests{}, fmt.Errorf("nudges.timezone: %w", err)
	}
	// Digests do not depend on nudges.enabled; they count days as nudges do.
	dg := engine.Digests{Every: cfg.Digests.Every, Webhook: webhook, Issues: map[string]ticket.Ref{}, Poster: &digest.Poster{},
		Location: loc, DueSoon: int(n.DueSoon)}
	for key, t := range cfg.Teams {
		if t.DigestIssue != "" {
			dg.Issues[key] = ticket.Ref{Text: t.DigestIssue}
		}
	}
	if !n.Enabled {
		return out, dg, nil
	}
	pol := nudge.Policy{Enabled: true, DueSoon: int(n.DueSoon), AssignWithin: int(n.AssignWithin),
		Location: loc, Weekends: n.Weekends, Ladder: []nudge.LadderStep{}}
	for _, s := range n.Ladder {
		pol.Ladder = append(pol.Ladder, nudge.LadderStep{After: int(s.After), To: nudge.Target(s.To), Priorities: s.Priorities})
	}
	if n.Hours != "" {
		h, err := nudge.ParseHours(n.Hours)
		if err != nil {
			return out, dg, fmt.Errorf("nudges.hours: %w", err)
		}
		pol.Hours = &h
	}
	out = engine.Nudges{Policy: &pol, MaxPerRun: n.MaxPerRun, Teams: map[string]nudge.Team{}}
	for key, t := range cfg.Teams {
		team := nudge.Team{Escalation: contact(cfg, t.Escalation)}
		lead := contact(cfg, t.Lead)
		team.Team = lead
		if t.GitHubTeam != "" {
			team.Team.GitHub = ticket.Mention{ID: t.GitHubTeam, Team: true}
		}
		out.Teams[key] = team
	}
	return out, dg, nil
}

// contact is how a person is mentioned on each tracker: a key of people
// is their GitHub login and Jira account; anything else is taken as the
// tracker identity itself.
func contact(cfg *config.Config, who string) nudge.Contact {
	if who == "" {
		return nudge.Contact{}
	}
	if p, ok := cfg.People[who]; ok {
		var c nudge.Contact
		if p.GitHub != "" {
			c.GitHub = ticket.Mention{ID: p.GitHub}
		}
		if p.Jira != "" {
			c.Jira = ticket.Mention{ID: p.Jira}
		}
		return c
	}
	return nudge.Contact{GitHub: ticket.Mention{ID: who}, Jira: ticket.Mention{ID: who}}
}
