// Package report computes the follow-through report leadership reads
// (SPEC §6) from the postmortems and the trackers' current state, and
// renders it as Markdown, HTML, JSON and CSV. Computing is pure: the input
// carries everything, including today's date and the directory.
//
// # Definitions (SPEC §6)
//
//   - completion rate = done / (items − won't do); on-time rate = done on or
//     before due / done with a due date;
//   - the headline figures (completion, on time, overdue) are about action
//     items, the commitments; contributing factors are reported apart (open
//     factor bugs, factors no action addresses);
//   - owners and teams are merged through the directory (the config's
//     people and teams): every spelling that resolves to one person is one
//     row, shown by name;
//   - overdue = not done and due < today; age = today − the postmortem's
//     date (when the commitment was made); time to close = done date −
//     postmortem date (median and p90); the figures from the ticket's
//     creation are kept as secondary ones;
//   - escalation view: overdue action items per team in tiers, oldest
//     first; who carries the most overdue work;
//   - nudges: the reminders posted on action items' tickets, and how many
//     were followed within 7 days by the item moving, by step and team;
//   - time to detect = detected_at − started_at; to respond = responded_at −
//     detected_at; to resolve = resolved_at − started_at (median by
//     severity);
//   - breakdowns: by team, by owner, by severity, by incident month; the list
//     of overdue items (oldest first); orphaned tickets; drift; hygiene
//     (finalized postmortems with no action items, factors no action item
//     addresses, action items without owner or due date, owners who resolve
//     to no tracker account);
//   - done on time vs done late vs won't do, and due-date slippage: items
//     whose tracker due date moved later than the document's, how often and
//     by how many days.
//
// # Decisions
//
// Action items and factors. Totals, the overdue list, open items by age,
// the escalation view, the carrying table, slippage, every breakdown but
// by_kind and the documents' counters are about action items. Factors are
// counted in Factors (their counters, how many have a ticket, the open
// factor bugs, the factors no action addresses) and in by_kind; missing
// tickets and drift list both kinds, since both are tickets.
//
// Dates. Today is the UTC date of Input.Now. Every date (due, created,
// done, the postmortem's) is compared as a UTC calendar day; differences
// are whole days.
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
// today is not overdue). Due soon: open or in progress and due within the
// next 7 days, today included. Missing tickets are not overdue; they are
// listed on their own (Report.Missing) and stay in the completion
// denominator, since the promise is not shown to be kept. Won't do is
// never overdue.
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
// Age and time to close count from the postmortem's date, when the
// commitment was made. When the postmortem has no date they count from
// the ticket's creation, and the item says so (from_ticket); with neither
// date there is no age. A done date before the start counts as 0 days.
// The secondary figures count from the ticket's creation: ticket_age_days,
// days_to_close_from_ticket, time_to_close_from_ticket. Time to close is
// over the done items with a done date (not those checked in the
// document), overall and in every breakdown row.
//
// Open items by age: open and in-progress action items in buckets 0-30,
// 31-60, 61-90, 91-180, >180 days; those with no date at all are counted
// as unknown.
//
// Escalation: per team, the overdue and due-soon action items in five
// tiers of days overdue (today − due), oldest first: >90, 31-90, 8-30,
// 1-7, and due soon (−7..0). Teams with the most overdue first, then the
// oldest, then by key (none last). Carrying: the by_owner rows with an
// overdue action item, most overdue first, then the oldest, then in
// by_owner order.
//
// Nudges (SPEC §6.1) count the action items' Item.Nudges; factors are
// not nudged, and a nudge on a factor's ticket is only in its row. A
// nudge moved its item when Nudge.Moved is set: the engine decides the 7
// days, and the report takes Moved as given rather than count them again.
// moved_rate = moved / sent, overall (the headline), per step and per
// team. nudged_items: action items with a nudge; still_open: of those,
// open or in progress; waiting: nudges posted in the last 7 days (today −
// posted ≤ 7, UTC days) not followed by a move yet. Steps are trimmed and
// lower-cased, ordered due-soon, due-today, overdue, escalated-<n>d by n,
// needs-owner, then any other step by name, none last; only steps with a
// nudge have a row. Teams as in by_team, by key, none last. An item's
// nudges is how many it has (factors too) and last_nudge the latest,
// step@YYYY-MM-DD (of one day, the one listed last).
//
// People. An owner that resolved to a person of the directory
// (Item.Person) is one by_owner row whatever its spelling, keyed by the
// person's key and shown by the directory's name (the key when it has
// none). A team owner is a row per team ("team:" + key). An @handle that
// is not in people is a GitHub login: a row per login, case folded
// ("@login"). Every other owner written is the one unresolved row
// (UnresolvedOwner), which lists its spellings; no owner is key "". Rows:
// people and logins by name ignoring case, then teams, unresolved, none.
// A tracker account (assignee, owner account) is shown as the person who
// has it when the directory knows it (one person only), else as is.
//
// Teams. An item's team is the directory's team key when its spelling
// names one as an owner would (case and separators folded, "@org/key",
// "key team"); else the spellings that differ only in case are one team,
// shown as the first in byte order.
//
// Incident times: minutes, median by severity, each from the documents
// that have both of its timestamps; a negative duration is left out and
// listed in hygiene.bad_timestamps. Severities are trimmed and
// upper-cased ("sev1" and "SEV1" are one group).
//
// Slippage compares action items with a ticket the tracker still has (not
// missing) and both due dates; slipped = tracker due later than the
// document's, by how many days (median, max, total).
//
// Drift, for items with a ticket that is not missing, in any state:
// owner when the document's owner resolves to an account and the
// tracker's assignee differs (case-insensitively; unassigned included);
// due when the tracker has a due date and it differs from the document's.
// A tracker without due dates (GitHub) or a document without an owner is
// not drift. Owners are shown by name where the directory knows the
// account; the accounts compared are kept beside.
//
// Hygiene lists what someone must fix: postmortems without action items;
// factors no action addresses, only for postmortems where at least one
// action names the factors it addresses (naming them is optional: a
// postmortem where none does is listed once, in factors.unlinked, and
// its factors are not checked); action items not done or dropped (open,
// in progress, missing) without owner, without due date, or whose owner
// resolves to no tracker account, except team owners (opened unassigned
// by design, Item.OwnerTeam). Factors need no owner and no due date.
//
// Breakdown keys: team as merged above; owner as above; severity
// upper-cased; incident month YYYY-MM of the document's date. Key "" is
// none and sorts last; other keys sort ascending.
//
// Order. Items: doc id, line, key. Overdue: due, doc id, key. Open factor
// bugs: postmortem date (undated last), then items' order. Drift: doc id,
// key, field. Documents: incident date newest first, undated last, then
// id. Hygiene lists: doc id, then line.
//
// # JSON schema pmsync.report/v2
//
// Field names are snake_case and appear in this order; lists are [] when
// empty, never null; optional values are omitted when absent. Dates are
// "YYYY-MM-DD" (UTC). v2 changed from v1: totals, the breakdowns (but
// by_kind), open_by_age, slippage and the documents' counters count
// action items only; factors, escalation and carrying are new (nudges,
// and the items' nudges and last_nudge, were added within v2); by_owner
// and by_team merge through the directory; age_days and days_to_close
// count from the postmortem's date; drift shows names; hygiene lists
// action items only and no longer has unlinked (now factors.unlinked).
//
//	schema          "pmsync.report/v2"
//	generated_at    Input.Now, RFC 3339 UTC
//	today           YYYY-MM-DD
//	postmortems     number of documents
//	totals          Counts of the action items
//	factors         {counts: Counts, with_ticket, open_bugs: [ItemRow],
//	                 unaddressed: [ItemRef], unlinked: [DocRef]}
//	overdue         [ItemRow] overdue action items, oldest due first
//	missing         [ItemRow] items whose ticket is gone (factors too)
//	open_by_age     {buckets: [{label, min_days, max_days?, count}], unknown}
//	escalation      [{team, overdue, due_soon, oldest_days_overdue,
//	                  tiers: [{label, min_days_overdue, max_days_overdue?,
//	                  items: [{...ItemRef, due, days_overdue}]}]}]
//	carrying        [{key, name, overdue, oldest_days_overdue, due_soon}]
//	nudges          {sent, moved, moved_rate?, nudged_items, still_open,
//	                 waiting, by_step: [{step, sent, moved, moved_rate?}],
//	                 by_team: [{team, sent, moved, moved_rate?}]}
//	by_team, by_owner, by_severity, by_month, by_kind
//	                [{key, name?, spellings?, ...Counts}]
//	incident_times  [{severity, documents, detect, respond, resolve}]
//	                each {count, median_minutes?}
//	slippage        {compared, slipped, rate?, median_days?, max_days?, total_days}
//	drift           [{...ItemRef, field: owner|due, document, tracker,
//	                  document_account?, tracker_account?}]
//	orphans         [{doc_id, key, ticket, ticket_url?, target?, title, state,
//	                  assignee?, created?}]
//	impostors       [{ticket, ticket_url?, target, doc_id, key, title, author,
//	                  seen}] tickets with pmsync's marker opened by another
//	                  account (not adopted)
//	hygiene         {no_action_items: [DocRef], unaddressed_factors: [ItemRef],
//	                 no_owner: [ItemRef], no_due: [ItemRef],
//	                 unknown_owners: [ItemRef],
//	                 bad_timestamps: [{...DocRef, measure, minutes}]}
//	documents       [{...DocRef, severity?, teams, factors, open_factors,
//	                  ...Counts}] newest first
//	items           [ItemRow] one per item, factors too
//
//	Counts   items, done, done_on_time, done_late, done_without_due,
//	         done_undated, wont_do, open, in_progress, overdue, due_soon,
//	         missing, no_ticket, completion_rate?, on_time_rate?,
//	         time_to_close {count, median_days?, p90_days?},
//	         time_to_close_from_ticket {…}
//	DocRef   id, title, path?, date?
//	ItemRef  doc_id, doc_title, kind (action|factor), key, text, line?,
//	         team?, owner? (as written), person?, owner_name?, state,
//	         ticket?, ticket_url?
//	ItemRow  ...ItemRef, incident_date?, severity?, owner_account?, due?,
//	         done_in_doc, no_ticket, created?, done?, overdue,
//	         days_overdue?, due_soon, on_time?, age_days?, ticket_age_days?,
//	         days_to_close?, days_to_close_from_ticket?, from_ticket?,
//	         tracker_due?, tracker_assignee?, tracker_assignee_name?,
//	         slip_days?, nudges?, last_nudge?
//
// # CSV
//
// One row per item (Report.Items) under CSVHeader: the v1 columns in their
// order (team, age_days and days_to_close with v2's meaning), then
// person, owner_name, due_soon, from_ticket, ticket_age_days,
// days_to_close_from_ticket, tracker_assignee_name; then nudges (a count,
// 0 when none) and last_nudge (step@YYYY-MM-DD). Booleans are
// true/false; absent values are empty. A cell that starts with = + - @, a
// tab or a carriage return gets a leading apostrophe ("'@alice") so a
// spreadsheet shows it as text instead of running it as a formula.
//
// # Markdown
//
// Headline numbers of the action items in one short table, then the
// overdue action items oldest first, the escalation view, who carries the
// most overdue work, the nudges ("No nudges were posted." when none), the
// per-team table, then the rest; people by name.
// Every text from a document or a tracker is escaped for table cells:
// line breaks become spaces, < > & become entities, and \ ` * _ [ ] | ~
// are backslash-escaped; tickets are linked only to http(s) URLs.
package report
