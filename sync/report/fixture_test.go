package report

import (
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
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

// posted is a reminder posted on at; moved is the day the item moved
// after it, "" when it did not within 7 days.
func posted(step, at, moved string) Nudge {
	n := Nudge{Step: step, At: d(at)}
	if moved != "" {
		n.Moved = d(moved)
	}
	return n
}

// fixtureDirectory is the config's people and teams. Jira accounts are
// user names here (Data Center), GitHub accounts logins.
var fixtureDirectory = postmortem.Directory{
	People: map[string]postmortem.Person{
		"alice": {Key: "alice", Name: "Alice Example", Email: "alice@acme.example", GitHub: "alice-gh", Jira: "alice"},
		"bob":   {Key: "bob", Name: "Bob Example", Jira: "bob"},
		"carol": {Key: "carol", Name: "Carol Example", Jira: "carol"},
		"dave":  {Key: "dave", Name: "Dave Example", GitHub: "dave"},
		"frank": {Key: "frank", Name: "Frank Example", Jira: "frank"},
		"grace": {Key: "grace", Jira: "grace"}, // no name: shown by key
	},
	Teams: map[string]postmortem.Team{
		"auth":     {Key: "auth", Jira: "AUTH"},
		"payments": {Key: "payments", Jira: "PAY"},
	},
}

// fixture: six postmortems, twenty-three items: sixteen action items
// and seven factors. The numbers in the comments (#1 … #23) are the
// items the tests refer to. Today is 2026-03-15.
//
// Owners (action items), merged through the directory:
//
//	alice  "Alice Example"  @alice #2 #4, alice@ #17, Alice Example #18
//	bob    "Bob Example"    @bob #3, bob@ #20
//	dave   "Dave Example"   @dave #7 #9 #10
//	frank  "Frank Example"  @frank #12
//	grace  "grace"          @grace #14 (no name in people)
//	team:auth               team-auth #15, @acme/auth #22
//	(unresolved)            Erin Example #8, Zed Unknown #19
//	(no owner)              #13
func fixture() Input {
	return Input{
		Now:       fixtureNow,
		Directory: fixtureDirectory,
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
			{ // No date, no severity, no timestamps; one action item.
				Path: "pm/legacy-notes.md", ID: "legacy-notes", Title: "Legacy notes",
			},
			{ // SEV2, 2025-05-19: 300 days before today; no timestamps. Its
				// team is written four ways, all "payments" in the directory.
				Path: "pm/2025-05-payments.md", ID: "2025-05-payments", Title: "Payments queue stall",
				Date: d("2025-05-19"), Severity: "SEV2", Teams: []string{"Payments"},
			},
		},
		Items: []Item{
			// --- 2025-11-db-outage (team db) ---
			{ // #1 factor, no owner, no due; done 10 days after the
				// postmortem (Nov 10 → 20), 8 after the ticket was opened.
				DocID: "2025-11-db-outage", Key: "cf-d1f1", Kind: ticket.Factor, Text: "Connection pool too small", Line: 10,
				Team: "db", NoOwner: true,
				Ticket: jira("OPS-1"), State: ticket.StateDone, Created: ts("2025-11-12T09:00:00Z"), Done: ts("2025-11-20T17:00:00Z"),
				TrackerAssignee: "zoe", // no owner in the document: not drift
			},
			{ // #2 done on time (Nov 28 ≤ Dec 1); close 18 days from the
				// postmortem (Nov 10 → 28), 16 from the ticket (Nov 12).
				DocID: "2025-11-db-outage", Key: "ai-d1a1", Kind: ticket.Action, Text: "Raise pool size", Line: 20,
				Team: "db", Owner: "@alice", Person: "alice", OwnerAccount: "alice", Due: d("2025-12-01"), Addresses: []string{"cf-d1f1"},
				Ticket: jira("OPS-2"), State: ticket.StateDone, Created: ts("2025-11-12T09:00:00Z"), Done: ts("2025-11-28T12:00:00Z"),
				TrackerDue: d("2025-12-01"), TrackerAssignee: "alice",
				Nudges: []Nudge{posted("due-soon", "2025-11-28", "2025-11-28")}, // closed that day
			},
			{ // #3 done late (Jan 10 > Dec 15); close 61 days from the
				// postmortem (Nov 10 → Jan 10: 20 + 31 + 10), 59 from the
				// ticket; tracker due
				// moved Dec 15 → Jan 5: slipped 21 days; assignee differs
				// only in case: not drift.
				DocID: "2025-11-db-outage", Key: "ai-d1a2", Kind: ticket.Action, Text: "Add saturation alert", Line: 21,
				Team: "db", Owner: "@bob", Person: "bob", OwnerAccount: "bob", Due: d("2025-12-15"), Addresses: []string{"cf-d1f1"},
				Ticket: jira("OPS-3"), State: ticket.StateDone, Created: ts("2025-11-12T09:00:00Z"), Done: ts("2026-01-10T08:00:00Z"),
				TrackerDue: d("2026-01-05"), TrackerAssignee: "Bob",
			},
			{ // #4 in progress, due Jan 15: 59 days overdue; age 125 from
				// the postmortem (Nov 10 → Mar 15: 20 + 31 + 31 + 28 + 15),
				// 123 from the ticket; tracker assignee carol: owner drift,
				// shown as Alice Example → Carol Example.
				DocID: "2025-11-db-outage", Key: "ai-d1a3", Kind: ticket.Action, Text: "Write runbook for failover", Line: 22,
				Team: "db", Owner: "@alice", Person: "alice", OwnerAccount: "alice", Due: d("2026-01-15"),
				Ticket: jira("OPS-4"), State: ticket.StateInProgress, Created: ts("2025-11-12T09:00:00Z"),
				TrackerDue: d("2026-01-15"), TrackerAssignee: "carol",
				// Five nudges; only the overdue one was followed by a move
				// (to in progress, four days later).
				Nudges: []Nudge{
					posted("due-soon", "2026-01-12", ""), posted("due-today", "2026-01-15", ""),
					posted("overdue", "2026-01-16", "2026-01-20"), posted("escalated-7d", "2026-01-22", ""),
					posted("escalated-30d", "2026-02-14", ""),
				},
			},
			{ // #5 factor won't do; no action addresses it.
				DocID: "2025-11-db-outage", Key: "cf-d1f2", Kind: ticket.Factor, Text: "Failover untested", Line: 11,
				Team: "db", NoOwner: true,
				Ticket: jira("OPS-5"), State: ticket.StateWontDo, Created: ts("2025-11-12T09:00:00Z"),
			},
			// --- 2025-12-cdn (team edge, GitHub: no tracker due) ---
			{ // #6 factor done on time (Dec 20 ≤ Jan 5); close 15 from the
				// postmortem (Dec 5), 14 from the ticket (Dec 6).
				DocID: "2025-12-cdn", Key: "cf-d2f1", Kind: ticket.Factor, Text: "Cache key ignores host header", Line: 8,
				Team: "edge", NoOwner: true, Due: d("2026-01-05"),
				Ticket: gh("10"), State: ticket.StateDone, Created: ts("2025-12-06T10:00:00Z"), Done: ts("2025-12-20T10:00:00Z"),
			},
			{ // #7 done ON the due day: on time; close 31 from the
				// postmortem (Dec 5 → Jan 5), 30 from the ticket; unassigned
				// in the tracker: owner drift.
				DocID: "2025-12-cdn", Key: "ai-d2a1", Kind: ticket.Action, Text: "Include host in cache key", Line: 15,
				Team: "edge", Owner: "@dave", Person: "dave", OwnerAccount: "dave", Due: d("2026-01-05"), Addresses: []string{"cf-d2f1"},
				Ticket: gh("11"), State: ticket.StateDone, Created: ts("2025-12-06T10:00:00Z"), Done: ts("2026-01-05T23:59:00Z"),
			},
			{ // #8 open, due Feb 10: 33 days overdue; age 100 (Dec 5 →
				// Mar 15: 26 + 31 + 28 + 15), 99 from the ticket; owner not
				// in people: unresolved, no account.
				DocID: "2025-12-cdn", Key: "ai-d2a2", Kind: ticket.Action, Text: "Purge poisoned entries automatically", Line: 16,
				Team: "edge", Owner: "Erin Example", Due: d("2026-02-10"), Addresses: []string{"cf-d2f1"},
				Ticket: gh("12"), State: ticket.StateOpen, Created: ts("2025-12-06T10:00:00Z"),
				// Neither moved it; the 30-day one is 3 days old: waiting.
				Nudges: []Nudge{posted("overdue", "2026-02-11", ""), posted("escalated-30d", "2026-03-12", "")},
			},
			{ // #9 checked in the document: done, date unknown.
				DocID: "2025-12-cdn", Key: "ai-d2a3", Kind: ticket.Action, Text: "Document cache rules", Line: 17,
				Team: "edge", Owner: "@dave", Person: "dave", OwnerAccount: "dave", Due: d("2026-02-15"), Addresses: []string{"cf-d2f1"},
				DoneInDoc: true,
			},
			{ // #10 ticket gone: missing; neither overdue (due Mar 1) nor
				// drift nor slippage, whatever the stale tracker fields say.
				DocID: "2025-12-cdn", Key: "ai-d2a4", Kind: ticket.Action, Text: "Load-test the edge | origin", Line: 18,
				Team: "edge", Owner: "@dave", Person: "dave", OwnerAccount: "dave", Due: d("2026-03-01"),
				Ticket: gh("13"), State: ticket.StateMissing, Created: ts("2025-12-06T10:00:00Z"),
				TrackerDue: d("2026-04-01"),
				Nudges:     []Nudge{posted("overdue", "2026-03-02", "")}, // 13 days ago: not waiting
			},
			// --- 2026-01-login (team auth; no action names a factor) ---
			{ // #11 factor open, no due; age 54 (Jan 20 → Mar 15: 11 + 28
				// + 15), 53 from the ticket: an open factor bug.
				DocID: "2026-01-login", Key: "cf-d3f1", Kind: ticket.Factor, Text: "Token caches expired together", Line: 9,
				Team: "auth", NoOwner: true,
				Ticket: jira("AUTH-1"), State: ticket.StateOpen, Created: ts("2026-01-21T09:00:00Z"),
				// A factor: its nudge is in its row, not in the nudge section.
				Nudges: []Nudge{posted("overdue", "2026-03-01", "2026-03-02")},
			},
			{ // #12 open, due TODAY (not overdue: due < today is false;
				// due soon); age 54; created Jan 21 23:30 at -05:00 = Jan 22
				// UTC: 52 from the ticket; tracker due Mar 27: slipped 12
				// days.
				DocID: "2026-01-login", Key: "ai-d3a1", Kind: ticket.Action, Text: "Jitter token expiry", Line: 14,
				Team: "auth", Owner: "@frank", Person: "frank", OwnerAccount: "frank", Due: d("2026-03-15"),
				Ticket: jira("AUTH-2"), State: ticket.StateOpen, Created: ts("2026-01-21T23:30:00-05:00"),
				TrackerDue: d("2026-03-27"), TrackerAssignee: "frank",
				// The due-soon nudge moved it (the tracker due date); today's
				// has not yet: waiting.
				Nudges: []Nudge{posted("due-soon", "2026-03-12", "2026-03-13"), posted("due-today", "2026-03-15", "")},
			},
			{ // #13 no owner, no ticket yet: open, due Feb 10: 33 days
				// overdue; age 54 from the postmortem, none from a ticket.
				DocID: "2026-01-login", Key: "ai-d3a2", Kind: ticket.Action, Text: "Alert on login error rate", Line: 15,
				Team: "auth", NoOwner: true, Due: d("2026-02-10"),
			},
			{ // #14 no team; in progress, due yesterday: 1 day overdue;
				// age 54, 14 from the ticket; tracker due EARLIER (Mar 10):
				// drift, not slippage.
				DocID: "2026-01-login", Key: "ai-d3a3", Kind: ticket.Action, Text: "Retire legacy login", Line: 16,
				Owner: "@grace", Person: "grace", OwnerAccount: "grace", Due: d("2026-03-14"),
				Ticket: jira("AUTH-4"), State: ticket.StateInProgress, Created: ts("2026-03-01T00:00:00Z"),
				TrackerDue: d("2026-03-10"), TrackerAssignee: "grace",
				Nudges: []Nudge{posted("overdue", "2026-03-15", "")}, // no team; today: waiting
			},
			{ // #15 team owner (no account by design); won't do.
				DocID: "2026-01-login", Key: "ai-d3a4", Kind: ticket.Action, Text: "Decide on SSO vendor", Line: 17,
				Team: "auth", Owner: "team-auth", OwnerTeam: "auth", Due: d("2026-02-28"),
				Ticket: jira("AUTH-5"), State: ticket.StateWontDo, Created: ts("2026-01-21T09:00:00Z"),
			},
			// --- 2026-02-billing (factors only) ---
			{ // #16 factor done the day it was opened: close 1 from the
				// postmortem (Feb 3 → 4), 0 from the ticket; no due.
				DocID: "2026-02-billing", Key: "cf-d4f1", Kind: ticket.Factor, Text: "Invoice job single-threaded", Line: 7,
				Team: "db", NoOwner: true,
				Ticket: jira("OPS-9"), State: ticket.StateDone, Created: ts("2026-02-04T08:00:00Z"), Done: ts("2026-02-04T16:00:00Z"),
			},
			// --- 2025-05-payments (team payments, 300 days ago) ---
			{ // #17 open, due 2025-06-30: 258 days overdue (Jun 30 → Mar
				// 15: 365 − 107); its ticket was opened YESTERDAY: age 300
				// from the postmortem, 1 from the ticket.
				DocID: "2025-05-payments", Key: "ai-p1", Kind: ticket.Action, Text: "Alert on queue age", Line: 20,
				Team: "Payments", Owner: "alice@", Person: "alice", OwnerAccount: "alice", Due: d("2025-06-30"), Addresses: []string{"cf-p1"},
				Ticket: jira("PAY-1"), State: ticket.StateOpen, Created: ts("2026-03-14T10:00:00Z"), TrackerAssignee: "alice",
			},
			{ // #18 in progress, due Feb 20: 23 days overdue; age 300, 299
				// from the ticket (May 20); assigned to zoe, whom the
				// directory does not know: drift Alice Example → zoe.
				DocID: "2025-05-payments", Key: "ai-p2", Kind: ticket.Action, Text: "Autoscale the consumers", Line: 21,
				Team: "@acme/payments", Owner: "Alice Example", Person: "alice", OwnerAccount: "alice", Due: d("2026-02-20"),
				Ticket: jira("PAY-2"), State: ticket.StateInProgress, Created: ts("2025-05-20T09:00:00Z"), TrackerAssignee: "zoe",
				Nudges: []Nudge{posted("escalated-7d", "2026-02-27", "2026-03-02")}, // reassigned
			},
			{ // #19 open, due Mar 20: due soon (in 5 days); owner not in
				// people: unresolved, no account.
				DocID: "2025-05-payments", Key: "ai-p3", Kind: ticket.Action, Text: "Document the replay procedure", Line: 22,
				Team: "payments", Owner: "Zed Unknown", Due: d("2026-03-20"),
				Ticket: jira("PAY-3"), State: ticket.StateOpen, Created: ts("2025-05-20T09:00:00Z"),
			},
			{ // #20 done on time (Jun 18 ≤ Jun 30); close 30 days from the
				// postmortem (May 19 → Jun 18: 12 + 18), 17 from the ticket
				// (Jun 1).
				DocID: "2025-05-payments", Key: "ai-p4", Kind: ticket.Action, Text: "Raise the consumer prefetch", Line: 23,
				Team: "PAYMENTS", Owner: "bob@", Person: "bob", OwnerAccount: "bob", Due: d("2025-06-30"),
				Ticket: jira("PAY-4"), State: ticket.StateDone, Created: ts("2025-06-01T09:00:00Z"), Done: ts("2025-06-18T15:00:00Z"),
				TrackerAssignee: "bob",
				Nudges:          []Nudge{posted("needs-owner", "2025-06-04", "2025-06-05")}, // assigned the next day
			},
			{ // #21 factor, open factor bug (age 300), addressed by #17.
				DocID: "2025-05-payments", Key: "cf-p1", Kind: ticket.Factor, Text: "Consumers stalled on a poison message", Line: 10,
				Team: "Payments", NoOwner: true,
				Ticket: jira("PAY-5"), State: ticket.StateOpen, Created: ts("2025-05-20T09:00:00Z"),
			},
			{ // #23 factor, open, no ticket yet; no action addresses it.
				DocID: "2025-05-payments", Key: "cf-p2", Kind: ticket.Factor, Text: "Queue age not monitored", Line: 11,
				Team: "Payments", NoOwner: true,
			},
			// --- legacy-notes (no date) ---
			{ // #22 a team owner (no account by design); team auth from
				// its owner; open, no due; the postmortem has no date, so
				// its age counts from the ticket: Mar 5 → 15 = 10.
				DocID: "legacy-notes", Key: "ai-l1", Kind: ticket.Action, Text: "Archive the old runbooks", Line: 5,
				Team: "auth", Owner: "@acme/auth", OwnerTeam: "auth",
				Ticket: gh("20"), State: ticket.StateOpen, Created: ts("2026-03-05T12:00:00Z"),
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
