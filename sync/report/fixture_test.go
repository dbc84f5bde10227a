package report

import (
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Today in the fixture is 2026-03-15: Now is 01:30 on the 16th at +05:00,
// which is 20:30 on the 15th in UTC.
var fixtureNow = time.Date(2026, 3, 16, 1, 30, 0, 0, time.FixedZone("+05", 5*3600))

func d(s string) time.Time {
	t, err := time.Parse(ticket.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func jira(key string) ticket.Ref {
	return ticket.Ref{Text: key, URL: "https://jira.example.com/browse/" + key}
}

func gh(n string) ticket.Ref {
	return ticket.Ref{Text: "acme/edge#" + n, URL: "https://github.com/acme/edge/issues/" + n}
}

// fixture: five postmortems, sixteen items. The numbers in the comments
// (#1 … #16) are the items the tests refer to.
func fixture() Input {
	return Input{
		Now: fixtureNow,
		Docs: []Doc{
			{ // SEV1, 2025-11; detect 10 min, respond 15, resolve 120.
				Path: "pm/2025-11-db-outage.md", ID: "2025-11-db-outage", Title: "Database outage",
				Date: d("2025-11-10"), Severity: "SEV1", Teams: []string{"db"},
				StartedAt: ts("2025-11-10T08:00:00Z"), DetectedAt: ts("2025-11-10T08:10:00Z"),
				RespondedAt: ts("2025-11-10T08:25:00Z"), ResolvedAt: ts("2025-11-10T10:00:00Z"),
			},
			{ // SEV2, 2025-12; detect 30, respond 5, resolve 180.
				Path: "pm/2025-12-cdn.md", ID: "2025-12-cdn", Title: "CDN cache poisoning",
				Date: d("2025-12-05"), Severity: "SEV2", Teams: []string{"edge"},
				StartedAt: ts("2025-12-05T12:00:00Z"), DetectedAt: ts("2025-12-05T12:30:00Z"),
				RespondedAt: ts("2025-12-05T12:35:00Z"), ResolvedAt: ts("2025-12-05T15:00:00Z"),
			},
			{ // "sev1" counts as SEV1, 2026-01; detect 20 (the zone is
				// honoured), no respond, resolve 150.
				Path: "pm/2026-01-login.md", ID: "2026-01-login", Title: "Login errors",
				Date: d("2026-01-20"), Severity: " sev1", Teams: []string{"auth"},
				StartedAt: ts("2026-01-20T09:00:00Z"), DetectedAt: ts("2026-01-20T10:20:00+01:00"),
				ResolvedAt: ts("2026-01-20T11:30:00Z"),
			},
			{ // SEV2, 2026-02, factors only; detected 10 min BEFORE it
				// started (left out, listed); respond 15; resolve 120.
				Path: "pm/2026-02-billing.md", ID: "2026-02-billing", Title: "Billing delay",
				Date: d("2026-02-03"), Severity: "SEV2", Teams: []string{"db"},
				StartedAt: ts("2026-02-03T10:00:00Z"), DetectedAt: ts("2026-02-03T09:50:00Z"),
				RespondedAt: ts("2026-02-03T10:05:00Z"), ResolvedAt: ts("2026-02-03T12:00:00Z"),
			},
			{ // No date, no severity, no items, no timestamps.
				Path: "pm/legacy-notes.md", ID: "legacy-notes", Title: "Legacy notes",
			},
		},
		Items: []Item{
			// --- 2025-11-db-outage (team db) ---
			{ // #1 factor, no owner, no due; done 8 days after created.
				DocID: "2025-11-db-outage", Key: "cf-d1f1", Kind: ticket.Factor, Text: "Connection pool too small", Line: 10,
				Team: "db", NoOwner: true,
				Ticket: jira("OPS-1"), State: ticket.StateDone, Created: ts("2025-11-12T09:00:00Z"), Done: ts("2025-11-20T17:00:00Z"),
				TrackerAssignee: "zoe", // no owner in the document: not drift
			},
			{ // #2 done on time (Nov 28 ≤ Dec 1), close 16 days.
				DocID: "2025-11-db-outage", Key: "ai-d1a1", Kind: ticket.Action, Text: "Raise pool size", Line: 20,
				Team: "db", Owner: "@alice", OwnerAccount: "alice", Due: d("2025-12-01"), Addresses: []string{"cf-d1f1"},
				Ticket: jira("OPS-2"), State: ticket.StateDone, Created: ts("2025-11-12T09:00:00Z"), Done: ts("2025-11-28T12:00:00Z"),
				TrackerDue: d("2025-12-01"), TrackerAssignee: "alice",
			},
			{ // #3 done late (Jan 10 > Dec 15), close 59 days; tracker due
				// moved Dec 15 → Jan 5: slipped 21 days; assignee differs
				// only in case: not drift.
				DocID: "2025-11-db-outage", Key: "ai-d1a2", Kind: ticket.Action, Text: "Add saturation alert", Line: 21,
				Team: "db", Owner: "@bob", OwnerAccount: "bob", Due: d("2025-12-15"), Addresses: []string{"cf-d1f1"},
				Ticket: jira("OPS-3"), State: ticket.StateDone, Created: ts("2025-11-12T09:00:00Z"), Done: ts("2026-01-10T08:00:00Z"),
				TrackerDue: d("2026-01-05"), TrackerAssignee: "Bob",
			},
			{ // #4 in progress, due Jan 15: 59 days overdue; age 123;
				// tracker assignee carol: owner drift.
				DocID: "2025-11-db-outage", Key: "ai-d1a3", Kind: ticket.Action, Text: "Write runbook for failover", Line: 22,
				Team: "db", Owner: "@alice", OwnerAccount: "alice", Due: d("2026-01-15"),
				Ticket: jira("OPS-4"), State: ticket.StateInProgress, Created: ts("2025-11-12T09:00:00Z"),
				TrackerDue: d("2026-01-15"), TrackerAssignee: "carol",
			},
			{ // #5 factor won't do; no action addresses it.
				DocID: "2025-11-db-outage", Key: "cf-d1f2", Kind: ticket.Factor, Text: "Failover untested", Line: 11,
				Team: "db", NoOwner: true,
				Ticket: jira("OPS-5"), State: ticket.StateWontDo, Created: ts("2025-11-12T09:00:00Z"),
			},
			// --- 2025-12-cdn (team edge, GitHub: no tracker due) ---
			{ // #6 factor done on time (Dec 20 ≤ Jan 5), close 14.
				DocID: "2025-12-cdn", Key: "cf-d2f1", Kind: ticket.Factor, Text: "Cache key ignores host header", Line: 8,
				Team: "edge", NoOwner: true, Due: d("2026-01-05"),
				Ticket: gh("10"), State: ticket.StateDone, Created: ts("2025-12-06T10:00:00Z"), Done: ts("2025-12-20T10:00:00Z"),
			},
			{ // #7 done ON the due day: on time; close 30; unassigned in
				// the tracker: owner drift.
				DocID: "2025-12-cdn", Key: "ai-d2a1", Kind: ticket.Action, Text: "Include host in cache key", Line: 15,
				Team: "edge", Owner: "@dave", OwnerAccount: "dave", Due: d("2026-01-05"), Addresses: []string{"cf-d2f1"},
				Ticket: gh("11"), State: ticket.StateDone, Created: ts("2025-12-06T10:00:00Z"), Done: ts("2026-01-05T23:59:00Z"),
			},
			{ // #8 open, due Feb 10: 33 days overdue; age 99; owner
				// resolves to no account.
				DocID: "2025-12-cdn", Key: "ai-d2a2", Kind: ticket.Action, Text: "Purge poisoned entries automatically", Line: 16,
				Team: "edge", Owner: "Erin Example", Due: d("2026-02-10"), Addresses: []string{"cf-d2f1"},
				Ticket: gh("12"), State: ticket.StateOpen, Created: ts("2025-12-06T10:00:00Z"),
			},
			{ // #9 checked in the document: done, date unknown.
				DocID: "2025-12-cdn", Key: "ai-d2a3", Kind: ticket.Action, Text: "Document cache rules", Line: 17,
				Team: "edge", Owner: "@dave", OwnerAccount: "dave", Due: d("2026-02-15"), Addresses: []string{"cf-d2f1"},
				DoneInDoc: true,
			},
			{ // #10 ticket gone: missing; neither overdue (due Mar 1) nor
				// drift nor slippage, whatever the stale tracker fields say.
				DocID: "2025-12-cdn", Key: "ai-d2a4", Kind: ticket.Action, Text: "Load-test the edge | origin", Line: 18,
				Team: "edge", Owner: "@dave", OwnerAccount: "dave", Due: d("2026-03-01"),
				Ticket: gh("13"), State: ticket.StateMissing, Created: ts("2025-12-06T10:00:00Z"),
				TrackerDue: d("2026-04-01"),
			},
			// --- 2026-01-login (team auth; no action names a factor) ---
			{ // #11 factor open, no due; age 53.
				DocID: "2026-01-login", Key: "cf-d3f1", Kind: ticket.Factor, Text: "Token caches expired together", Line: 9,
				Team: "auth", NoOwner: true,
				Ticket: jira("AUTH-1"), State: ticket.StateOpen, Created: ts("2026-01-21T09:00:00Z"),
			},
			{ // #12 open, due TODAY (not overdue: due < today is false);
				// created Jan 21 23:30 at -05:00 = Jan 22 UTC: age 52;
				// tracker due Mar 27: slipped 12 days.
				DocID: "2026-01-login", Key: "ai-d3a1", Kind: ticket.Action, Text: "Jitter token expiry", Line: 14,
				Team: "auth", Owner: "@frank", OwnerAccount: "frank", Due: d("2026-03-15"),
				Ticket: jira("AUTH-2"), State: ticket.StateOpen, Created: ts("2026-01-21T23:30:00-05:00"),
				TrackerDue: d("2026-03-27"), TrackerAssignee: "frank",
			},
			{ // #13 no owner, no ticket yet: open, due Feb 10: 33 days
				// overdue; age unknown.
				DocID: "2026-01-login", Key: "ai-d3a2", Kind: ticket.Action, Text: "Alert on login error rate", Line: 15,
				Team: "auth", NoOwner: true, Due: d("2026-02-10"),
			},
			{ // #14 no team; in progress, due yesterday: 1 day overdue;
				// age 14; tracker due EARLIER (Mar 10): drift, not slippage.
				DocID: "2026-01-login", Key: "ai-d3a3", Kind: ticket.Action, Text: "Retire legacy login", Line: 16,
				Owner: "@grace", OwnerAccount: "grace", Due: d("2026-03-14"),
				Ticket: jira("AUTH-4"), State: ticket.StateInProgress, Created: ts("2026-03-01T00:00:00Z"),
				TrackerDue: d("2026-03-10"), TrackerAssignee: "grace",
			},
			{ // #15 team owner (no account by design); won't do.
				DocID: "2026-01-login", Key: "ai-d3a4", Kind: ticket.Action, Text: "Decide on SSO vendor", Line: 17,
				Team: "auth", Owner: "team-auth", OwnerTeam: true, Due: d("2026-02-28"),
				Ticket: jira("AUTH-5"), State: ticket.StateWontDo, Created: ts("2026-01-21T09:00:00Z"),
			},
			// --- 2026-02-billing (factors only) ---
			{ // #16 factor done the day it was opened: close 0; no due.
				DocID: "2026-02-billing", Key: "cf-d4f1", Kind: ticket.Factor, Text: "Invoice job single-threaded", Line: 7,
				Team: "db", NoOwner: true,
				Ticket: jira("OPS-9"), State: ticket.StateDone, Created: ts("2026-02-04T08:00:00Z"), Done: ts("2026-02-04T16:00:00Z"),
			},
		},
		Orphans: []ticket.Ticket{{
			Target: ticket.Target{Tracker: "jira", Project: "OPS"},
			Ref:    jira("OPS-7"), HasMarker: true,
			Marker: ticket.Marker{PM: "2025-11-db-outage", Item: "ai-0ld1", Owner: "x"},
			Title:  "Old removed item", Status: ticket.Status{State: ticket.StateOpen},
			Created: ts("2025-11-12T09:00:00Z"),
		}},
		Impostors: []Impostor{{
			Ticket: "OPS-12", TicketURL: "https://acme.atlassian.net/browse/OPS-12", Target: "jira:OPS",
			DocID: "2025-11-db-outage", Key: "ai-d1a1", Title: "Copied <b>marker</b> | pipe", Author: "mallory", Seen: "2026-03-01",
		}},
	}
}
