// Package report computes the follow-through report leadership reads
// (SPEC §6) from the postmortems and the trackers' current state, and
// renders it as Markdown, HTML, JSON and CSV. Computing is pure: the input
// carries everything, including today's date.
//
// # Definitions (SPEC §6)
//
//   - completion rate = done / (items − won't do); on-time rate = done on or
//     before due / done with a due date;
//   - overdue = not done and due < today; age = today − ticket created;
//     time to close = done date − ticket created (median and p90);
//   - time to detect = detected_at − started_at; to respond = responded_at −
//     detected_at; to resolve = resolved_at − started_at (median by
//     severity);
//   - breakdowns: by team, by owner, by severity, by incident month; the
//     list of overdue items (oldest first); orphaned tickets; drift; hygiene
//     (finalized postmortems with no action items, factors no action item
//     addresses, items without owner or due date, owners who resolve to no
//     tracker account);
//   - done on time vs done late vs won't do, and due-date slippage: items
//     whose tracker due date moved later than the document's, how often and
//     by how many days.
//
// # Decisions
//
// Items are factors and action items alike (SPEC §1); by_kind splits them.
//
// Dates. Today is the UTC date of Input.Now. Every date (due, created,
// done) is compared as a UTC calendar day; differences are whole days.
//
// State. An item checked in the document (DoneInDoc) is done. An item
// without a state (no ticket yet) or with an unknown one is open. The
// states partition the items: open, in_progress, done, wont_do, missing.
//
// Due. The due date that counts is the document's (Item.Due): it is what
// the postmortem promised and what the write-back marks overdue. The
// tracker's due date is only compared with it (slippage, drift).
//
// Overdue: open or in progress, with a due date, and due < today (due
// today is not overdue). Missing tickets are not overdue; they are listed
// on their own (Report.Missing) and stay in the completion denominator,
// since the promise is not shown to be kept. Won't do is never overdue.
//
// On time: done date ≤ due. Done items split into done_on_time, done_late,
// done_without_due (no due date) and done_undated (a due date but no done
// date, e.g. checked in the document: neither on time nor late). The
// on-time rate is done_on_time / (done_on_time + done_late).
//
// Rates are 0..1 and absent (null in Go, omitted in JSON, "—" in
// Markdown) when the denominator is 0, so "no data" never reads as 0%.
//
// Percentiles use the nearest-rank method: the p-th percentile of n
// ascending values is the value at 1-based rank ⌈p·n/100⌉, always an
// observed value. The median is the 50th percentile, i.e. the lower of
// the two middle values for an even n.
//
// Time to close: done items with a done date and a creation date; a done
// date before creation counts as 0. Per team and in every other
// breakdown row too.
//
// Open items by age: open and in-progress items with a creation date, in
// buckets 0-30, 31-60, 61-90, 91-180, >180 days; those without a ticket
// are counted as unknown.
//
// Incident times: minutes, median by severity, each from the documents
// that have both of its timestamps; a negative duration is left out and
// listed in hygiene.bad_timestamps. Severities are trimmed and
// upper-cased ("sev1" and "SEV1" are one group).
//
// Slippage compares items with a ticket the tracker still has (not
// missing) and both due dates; slipped = tracker due later than the
// document's, by how many days (median, max, total).
//
// Drift, for items with a ticket that is not missing, in any state:
// owner when the document's owner resolves to an account and the
// tracker's assignee differs (case-insensitively; unassigned included);
// due when the tracker has a due date and it differs from the document's.
// A tracker without due dates (GitHub) or a document without an owner is
// not drift.
//
// Hygiene: postmortems without action items; factors no action
// addresses, only for postmortems where at least one action names the
// factors it addresses — a postmortem with factors and actions where none
// does is listed once under hygiene.unlinked instead of flagging every
// factor; items (factors too) without owner; without due date; owners
// that resolve to no tracker account, except team owners (opened
// unassigned by design, Item.OwnerTeam).
//
// Breakdown keys: team as Item.Team; owner as written in the document
// (a tracker account id is unreadable to people); severity upper-cased;
// incident month YYYY-MM of the document's date. Key "" is none and sorts
// last; other keys sort ascending.
//
// Order. Items: doc id, line, key. Overdue: due, doc id, key. Drift: doc
// id, key, field. Documents: incident date newest first, undated last,
// then id. Hygiene lists: doc id, then line.
//
// # JSON schema pmsync.report/v1
//
// Field names are snake_case and appear in this order; lists are [] when
// empty, never null; optional values are omitted when absent. Dates are
// "YYYY-MM-DD" (UTC).
//
//	schema          "pmsync.report/v1"
//	generated_at    Input.Now, RFC 3339 UTC
//	today           YYYY-MM-DD
//	postmortems     number of documents
//	totals          Counts
//	overdue         [ItemRow] oldest due first
//	missing         [ItemRow] tickets that are gone
//	open_by_age     {buckets: [{label, min_days, max_days?, count}], unknown}
//	by_team, by_owner, by_severity, by_month, by_kind
//	                [{key, ...Counts}]
//	incident_times  [{severity, documents, detect, respond, resolve}]
//	                each {count, median_minutes?}
//	slippage        {compared, slipped, rate?, median_days?, max_days?, total_days}
//	drift           [{...ItemRef, field: owner|due, document, tracker}]
//	orphans         [{doc_id, key, ticket, ticket_url?, target?, title, state,
//	                  assignee?, created?}]
//	impostors       [{ticket, ticket_url?, target, doc_id, key, title, author,
//	                  seen}] tickets with pmsync's marker opened by another
//	                  account (not adopted; added in v0.2)
//	hygiene         {no_action_items: [DocRef], unaddressed_factors: [ItemRef],
//	                 unlinked: [DocRef], no_owner: [ItemRef], no_due: [ItemRef],
//	                 unknown_owners: [ItemRef],
//	                 bad_timestamps: [{...DocRef, measure, minutes}]}
//	documents       [{...DocRef, severity?, teams, ...Counts}] newest first
//	items           [ItemRow] one per item
//
//	Counts   items, done, done_on_time, done_late, done_without_due,
//	         done_undated, wont_do, open, in_progress, overdue, missing,
//	         no_ticket, completion_rate?, on_time_rate?,
//	         time_to_close {count, median_days?, p90_days?}
//	DocRef   id, title, path?, date?
//	ItemRef  doc_id, doc_title, kind (action|factor), key, text, line?,
//	         team?, owner?, state, ticket?, ticket_url?
//	ItemRow  ...ItemRef, incident_date?, severity?, owner_account?, due?,
//	         done_in_doc, no_ticket, created?, done?, overdue,
//	         days_overdue?, on_time?, age_days?, days_to_close?,
//	         tracker_due?, tracker_assignee?, slip_days?
//
// # CSV
//
// One row per item (Report.Items) under CSVHeader, the ItemRow fields in
// that order. Booleans are true/false; absent values are empty. A cell
// that starts with = + - @, a tab or a carriage return gets a leading
// apostrophe ("'@alice") so a spreadsheet shows it as text instead of
// running it as a formula.
//
// # Markdown
//
// Headline numbers in one short table, then the overdue items oldest
// first, the per-team table, then the rest. Every text from a document or
// a tracker is escaped for table cells: line breaks become spaces, < > &
// become entities, and \ ` * _ [ ] | ~ are backslash-escaped; tickets are
// linked only to http(s) URLs.
package report
