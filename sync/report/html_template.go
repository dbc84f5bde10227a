package report

// htmlTemplate is the page. It has no script, no external URL (the fonts
// are the reader's own; the empty data: icon keeps browsers from fetching
// /favicon.ico) and one stylesheet, with a print style; every chart is
// followed by the table of its numbers.
const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pmsync">
<link rel="icon" href="data:,">
<title>Postmortem follow-through, {{.R.Today}}</title>
<style>
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bar: #2f6fb0; --bg-alt: #f6f8fa; --warn: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 80rem; padding: 1.5rem; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.02rem; margin: 1.2rem 0 .4rem; }
p.lead { color: var(--muted); margin: 0 0 1rem; }
p.offline { margin: .5rem 0; padding: .5rem .8rem; border-left: 4px solid var(--warn); background: #fdf3f2; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.headline > div { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; }
.headline .k { color: var(--muted); font-size: .85rem; }
.headline .v { font-size: 1.7rem; font-weight: 600; }
.headline .n { color: var(--muted); font-size: .8rem; }
.headline .overdue .v { color: var(--warn); }
figure { margin: 1rem 0 1.5rem; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: .88rem; margin-bottom: .3rem; }
p, figcaption, h1, h2, h3 { overflow-wrap: break-word; }
svg.chart { display: block; width: 100%; max-width: 44rem; height: auto; font: 12px system-ui, sans-serif; }
svg.chart .bar { fill: var(--bar); }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .label { fill: var(--ink); }
svg.chart .value { fill: var(--ink); font-weight: 600; }
svg.chart .empty { fill: var(--muted); }
/* Line widths narrow from the first series to the last, so lines that
   coincide still show each other. */
svg.chart .line, svg.chart .key { fill: none; stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .s0 .line, svg.chart .s0 .key { stroke-width: 7; }
svg.chart .s1 .line, svg.chart .s1 .key { stroke-width: 4.5; }
svg.chart .s2 .line, svg.chart .s2 .key { stroke-width: 2; }
svg.chart .s0 .line, svg.chart .s0 .key { stroke: #9ec5e8; }
svg.chart .s0 .point { fill: #9ec5e8; r: 5.5px; }
svg.chart .s1 .line, svg.chart .s1 .key { stroke: #4f8fcb; }
svg.chart .s1 .point { fill: #4f8fcb; r: 4px; }
svg.chart .s2 .line, svg.chart .s2 .key { stroke: #16477a; }
svg.chart .s2 .point { fill: #16477a; r: 2.5px; }
svg.chart .s0:only-of-type .line { stroke: var(--bar); stroke-width: 2.5; }
svg.chart .s0:only-of-type .point { fill: var(--bar); r: 3.5px; }
svg.spark { display: block; width: 100px; height: 20px; }
svg.spark path { fill: none; stroke: var(--bar); stroke-width: 1.5; }
svg.spark circle { fill: var(--bar); }
svg.spark .base { stroke: var(--line); stroke-width: 1; }
/* Tables break lines only at spaces: a token (ticket, team, key, date) or
   a word with a hyphen or a slash stays whole (td.tok, span.nw). A table
   wider than the page scrolls sideways in its own box, never the page. */
div.table { overflow-x: auto; margin: .4rem 0 1rem; }
div.table.narrow { width: fit-content; max-width: 100%; }
/* Separate borders, one per cell edge: collapsed borders do not travel
   with a sticky cell. */
table { border-collapse: separate; border-spacing: 0; font-size: .88rem; width: 100%; }
.narrow table { min-width: 24rem; }
th, td { border: 0 solid var(--line); border-width: 0 1px 1px 0; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th:first-child, td:first-child { border-left-width: 1px; }
thead th { border-top-width: 1px; }
th { background: var(--bg-alt); font-weight: 600; }
td.tok, td.date, td.num, .nw { white-space: nowrap; }
.sub { display: block; color: var(--muted); font-size: .92em; font-weight: normal; }
td.date, td.num, th.num { font-variant-numeric: tabular-nums; }
td.num, th.num { text-align: right; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
/* A breakdown that scrolls keeps its first column, the team or owner, in view. */
table.groups td:first-child, table.groups th:first-child { position: sticky; left: 0; }
table.groups tbody tr:nth-child(odd) td:first-child { background: #fff; }
.none { color: var(--muted); font-style: italic; }
td.zero { color: var(--muted); }
tr.team th { padding-top: .5rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
@media (max-width: 60rem) {
  body { padding: 1rem .75rem; }
  table { font-size: .82rem; }
  th, td { padding: .25rem .3rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, .headline > div, tr { break-inside: avoid; page-break-inside: avoid; }
  tr.team { break-after: avoid; page-break-after: avoid; }
  /* Paper does not scroll: a table box shows its whole table. */
  div.table { overflow: visible; }
  table.groups td:first-child, table.groups th:first-child { position: static; }
  table { font-size: 8pt; }
  th, td { padding: 2pt 3pt; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  svg.chart { max-width: 36rem; }
  svg.chart, svg.spark, th, .headline > div, p.offline { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tbody tr:nth-child(even) td { background: none; }
}
</style>
</head>
<body>
<header>
<h1>Postmortem follow-through</h1>
{{- with .R.Provenance}}
<p class="offline" role="note"><strong>{{.}}</strong></p>
{{- end}}
<p class="lead">{{.Summary}}</p>
</header>
<main>
<section id="headline" aria-labelledby="h-headline">
<h2 id="h-headline">Headline</h2>
<div class="headline">
{{- range $i, $h := .Headline}}
<div{{if eq $i 2}} class="overdue"{{end}}><div class="k">{{$h.Key}}</div><div class="v">{{$h.Value}}</div><div class="n">{{$h.Note}}</div></div>
{{- end}}
</div>
{{- with .R.Totals}}
<div class="table narrow"><table>
<thead><tr><th>Action items</th><th class="num">Value</th></tr></thead>
<tbody>
<tr><td>Done on time / late / no due date / date unknown</td><td class="num">{{.DoneOnTime}} / {{.DoneLate}} / {{.DoneWithoutDue}} / {{.DoneUndated}}</td></tr>
<tr><td>Won't do</td><td class="num">{{.WontDo}}</td></tr>
<tr><td>Open / in progress (without a ticket yet)</td><td class="num">{{.Open}} / {{.InProgress}} ({{.NoTicket}})</td></tr>
<tr><td>Due within 7 days</td><td class="num">{{.DueSoon}}</td></tr>
<tr><td>Missing tickets</td><td class="num">{{.Missing}}</td></tr>
<tr><td>Time to close from ticket creation, median / p90</td><td class="num">{{closeCount .TimeToCloseFromTicket}}</td></tr>
</tbody>
</table></div>
{{- end}}
{{- with .R.Factors}}
<p>Contributing factors, counted apart: {{.Counts.Items}} ({{.WithTicket}} with a ticket; {{.OpenBugs.Len}} open factor bugs); see <a href="#factors">Contributing factors</a>.</p>
{{- end}}
</section>

<section id="month" aria-labelledby="h-month">
<h2 id="h-month">Completion by incident month</h2>
{{template "chart" .Month}}
{{template "groups" groupTable "Month" .R.ByMonth}}
</section>

<section id="age" aria-labelledby="h-age">
<h2 id="h-age">Open action items by age</h2>
{{template "chart" .Age}}
{{- if .AgeRows}}
<div class="table narrow"><table>
<thead><tr><th>Age</th><th class="num">Open action items</th></tr></thead>
<tbody>
{{- range .AgeRows}}
<tr><td class="tok">{{.Key}}</td><td class="num">{{.Value}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="team" aria-labelledby="h-team">
<h2 id="h-team">By team</h2>
<p>The breakdowns count action items, as the headline does; factors are counted under <a href="#factors">Contributing factors</a>.</p>
{{template "chart" .Team}}
{{template "groups" groupTable "Team" .R.ByTeam}}
</section>

<section id="trends" aria-labelledby="h-trends">
<h2 id="h-trends">Trends</h2>
<p>Action items, one point per ISO week: the last snapshot of the week, this week's from this report. {{.TrendNote}}</p>
{{template "lines" .Trend}}
{{- if .R.Trends.Overall}}
<div class="table narrow"><table>
<thead><tr><th>Week <span class="sub">snapshot</span></th><th class="num">Action items</th><th class="num">Done</th><th class="num">Completion</th><th class="num">Open or in progress</th><th class="num">Overdue</th><th class="num">Won't do</th></tr></thead>
<tbody>
{{- range .R.Trends.Overall}}
<tr><td class="tok">{{.Week}}<span class="sub">{{.Date}}</span></td><td class="num">{{.Items}}</td><td class="num">{{.Done}}</td><td class="num">{{pct .CompletionRate}}</td><td class="num">{{.Open}}</td><td class="num">{{.Overdue}}</td><td class="num">{{.WontDo}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- end}}
<h3>Trends by team</h3>
{{- if .TeamTrend}}
<p>From the first week a team had action items to this week; the line is its weekly completion, 0–100 %, with a gap for a week without action items.</p>
<div class="table narrow"><table class="groups">
<thead><tr><th>Team <span class="sub">since</span></th><th class="num">Completion</th><th>Weekly completion</th><th class="num">Open or in progress</th><th class="num">Overdue</th></tr></thead>
<tbody>
{{- range .TeamTrend}}
<tr><td>{{words .Team}}<span class="sub">{{or .Since "this week"}}</span></td><td class="num">{{.Completion}}</td><td><svg class="spark" role="img" viewBox="0 0 100 20" width="100" height="20"><title>{{.Title}}</title><line class="base" x1="2" y1="18" x2="98" y2="18"/>{{range .Spark}}<path d="{{.}}"/>{{end}}{{range .Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="2"/>{{end}}</svg></td><td class="num">{{.Open}}</td><td class="num">{{.Overdue}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="cohorts" aria-labelledby="h-cohorts">
<h2 id="h-cohorts">Action items done within 30, 60 and 90 days, by incident month</h2>
<p>Share of each month's action items (won't do excluded) done within 30, 60 and 90 days of their postmortem's date. A figure appears once that many days have passed since the month's latest postmortem. Items done without a known done date count in “Done now” only.</p>
{{template "lines" .Cohort}}
{{- if .R.Cohorts}}
<div class="table"><table>
<thead><tr><th>Month</th><th class="num">Postmortems</th><th class="num">Action items</th><th class="num">Within 30 days</th><th class="num">Within 60 days</th><th class="num">Within 90 days</th><th class="num">Done now <span class="sub">date unknown</span></th></tr></thead>
<tbody>
{{- range .R.Cohorts}}
<tr><td class="tok">{{.Month}}</td><td class="num">{{.Postmortems}}</td><td class="num">{{.Items}}</td>{{template "within" .Within30}}{{template "within" .Within60}}{{template "within" .Within90}}<td class="num">{{.Done}}<span class="sub">{{.DoneUndated}}</span></td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="overdue" aria-labelledby="h-overdue">
<h2 id="h-overdue">Overdue action items, oldest first</h2>
{{- if .R.Overdue.Len}}
<div class="table"><table>
<thead><tr><th class="num">Overdue <span class="sub">due date</span></th><th>Item <span class="sub">and ticket</span></th><th>Owner <span class="sub">and team</span></th><th>Postmortem</th></tr></thead>
<tbody>
{{- range .R.Overdue.All}}
<tr><td class="num">{{plural .DaysOverdue "day"}}<span class="sub">{{.Due}}</span></td><td>{{words (item .ItemRef)}}{{template "sub" ticket .Ticket .TicketURL}}</td><td>{{words (owner .ItemRef)}}<div class="sub">{{words (or .Team "no team")}}</div></td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="escalation" aria-labelledby="h-escalation">
<h2 id="h-escalation">Escalation by team</h2>
<p>Overdue action items of each team by days overdue, and those due within the next 7 days; the team with the most overdue first.</p>
{{- if .R.Escalation}}
<div class="table"><table class="groups">
<thead><tr><th>Team</th>{{range tiers}}<th class="num">{{tier .}}</th>{{end}}<th class="num">Oldest, days overdue</th></tr></thead>
<tbody>
{{- range .R.Escalation}}
<tr><td>{{words (or .Team "(none)")}}</td>{{range .Tiers}}<td class="num{{if not .Items.Len}} zero{{end}}">{{.Items.Len}}</td>{{end}}<td class="num">{{.OldestDaysOverdue}}</td></tr>
{{- end}}
</tbody>
</table></div>
<h3>Team by team</h3>
<div class="table"><table>
<thead><tr><th class="num">Overdue <span class="sub">due date</span></th><th>Item <span class="sub">and ticket</span></th><th>Owner</th><th>Postmortem</th></tr></thead>
{{- range .R.Escalation}}
<tbody>
<tr class="team"><th colspan="4">{{words (or .Team "(no team)")}} <span class="sub">{{.Overdue}} overdue, {{.DueSoon}} due within 7 days</span></th></tr>
{{- range .Tiers}}
{{- range .Items.All}}
<tr><td class="num">{{lateness .DaysOverdue}}<span class="sub">{{.Due}}</span></td><td>{{words (item .ItemRef)}}{{template "sub" ticket .Ticket .TicketURL}}</td><td>{{words (owner .ItemRef)}}</td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
{{- end}}
</tbody>
{{- end}}
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="carrying" aria-labelledby="h-carrying">
<h2 id="h-carrying">Who carries the most overdue work</h2>
{{- if .R.Carrying}}
<div class="table narrow"><table>
<thead><tr><th>Owner</th><th class="num">Overdue</th><th class="num">Oldest, days overdue</th><th class="num">Due within 7 days</th></tr></thead>
<tbody>
{{- range .R.Carrying}}
<tr><td>{{words (ownerLabel .Key .Name)}}</td><td class="num">{{.Overdue}}</td><td class="num">{{.OldestDaysOverdue}}</td><td class="num">{{.DueSoon}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="nudges" aria-labelledby="h-nudges">
<h2 id="h-nudges">Nudges</h2>
{{- with .R.Nudges}}
{{- if .Sent}}
<p><strong>Did the nudges work?</strong> {{nudgeLine .}}</p>
<div class="table narrow"><table>
<thead><tr><th>Step</th><th class="num">Sent</th><th class="num">Moved within 7 days</th><th class="num">Rate</th></tr></thead>
<tbody>
{{- range .ByStep}}
<tr><td>{{words (step .Step)}}</td><td class="num">{{.Sent}}</td><td class="num">{{.Moved}}</td><td class="num">{{pct .MovedRate}}</td></tr>
{{- end}}
</tbody>
</table></div>
<h3>Nudges by team</h3>
<div class="table narrow"><table class="groups">
<thead><tr><th>Team</th><th class="num">Sent</th><th class="num">Moved within 7 days</th><th class="num">Rate</th></tr></thead>
<tbody>
{{- range .ByTeam}}
<tr><td>{{words (or .Team "(none)")}}</td><td class="num">{{.Sent}}</td><td class="num">{{.Moved}}</td><td class="num">{{pct .MovedRate}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">No nudges were posted.</p>
{{- end}}
{{- end}}
</section>

<section id="owner" aria-labelledby="h-owner">
<h2 id="h-owner">By owner</h2>
{{template "groups" groupTable "Owner" .R.ByOwner}}
</section>
<section id="severity" aria-labelledby="h-severity">
<h2 id="h-severity">By severity</h2>
{{template "groups" groupTable "Severity" .R.BySeverity}}
</section>
<section id="kind" aria-labelledby="h-kind">
<h2 id="h-kind">By kind</h2>
{{template "groups" groupTable "Kind" .R.ByKind}}
</section>

<section id="factors" aria-labelledby="h-factors">
<h2 id="h-factors">Contributing factors</h2>
{{- with .R.Factors}}
<p>Factors are counted apart from the action items: their tickets are bugs to fix, not commitments with a due date.</p>
{{- with .Counts}}
<div class="table narrow"><table>
<thead><tr><th class="num">Factors</th><th class="num">With a ticket</th><th class="num">Done</th><th class="num">Won't do</th><th class="num">Open or in progress</th><th class="num">Missing</th><th class="num">No ticket yet</th></tr></thead>
<tbody>
<tr><td class="num">{{.Items}}</td><td class="num">{{$.R.Factors.WithTicket}}</td><td class="num">{{.Done}}</td><td class="num">{{.WontDo}}</td><td class="num">{{add .Open .InProgress}}</td><td class="num">{{.Missing}}</td><td class="num">{{.NoTicket}}</td></tr>
</tbody>
</table></div>
{{- end}}
<h3>Open factor bugs, oldest postmortem first</h3>
{{- if .OpenBugs.Len}}
<div class="table"><table>
<thead><tr><th class="num">Age <span class="sub">postmortem date</span></th><th>Factor <span class="sub">state and ticket</span></th><th>Team</th><th>Postmortem</th></tr></thead>
<tbody>
{{- range .OpenBugs.All}}
<tr><td class="num">{{with .AgeDays}}{{plural . "day"}}{{else}}—{{end}}<span class="sub">{{or .IncidentDate "—"}}</span></td><td>{{words (item .ItemRef)}}<div class="sub">{{state .State}} · {{template "ticket" ticket .Ticket .TicketURL}}</div></td><td>{{words (or .Team "—")}}</td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
<h3>Factors no action item addresses</h3>
{{- if .Unaddressed}}
<div class="table"><table>
<thead><tr><th>Factor <span class="sub">and ticket</span></th><th>State</th><th>Postmortem</th></tr></thead>
<tbody>
{{- range .Unaddressed}}
<tr><td>{{words (item .)}}{{template "sub" ticket .Ticket .TicketURL}}</td><td class="tok">{{state .State}}</td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
{{- if .Unlinked}}
<p>Not checked one by one: in {{plural (len .Unlinked) "postmortem"}} no action item names a factor (naming them is optional):</p>
{{template "docs" .Unlinked}}
{{- end}}
{{- end}}
</section>

<section id="times" aria-labelledby="h-times">
<h2 id="h-times">Time to detect, respond and resolve</h2>
<p>Median by severity, from the postmortems that have both timestamps (how many in parentheses).</p>
{{- if .R.IncidentTimes}}
<div class="table"><table>
<thead><tr><th>Severity</th><th class="num">Postmortems</th><th class="num">Detect</th><th class="num">Respond</th><th class="num">Resolve</th></tr></thead>
<tbody>
{{- range .R.IncidentTimes}}
<tr><td>{{words (or .Severity "(none)")}}</td><td class="num">{{.Documents}}</td><td class="num">{{minutes .Detect}}</td><td class="num">{{minutes .Respond}}</td><td class="num">{{minutes .Resolve}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="slippage" aria-labelledby="h-slippage">
<h2 id="h-slippage">Due-date slippage</h2>
<p>{{.Slippage}}</p>
</section>

<section id="missing" aria-labelledby="h-missing">
<h2 id="h-missing">Missing tickets</h2>
{{- if .R.Missing.Len}}
<div class="table"><table>
<thead><tr><th>Item <span class="sub">kind and ticket</span></th><th>Owner</th><th>Postmortem</th></tr></thead>
<tbody>
{{- range .R.Missing.All}}
<tr><td>{{words (item .ItemRef)}}{{template "kindTicket" .ItemRef}}</td><td>{{words (owner .ItemRef)}}</td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="drift" aria-labelledby="h-drift">
<h2 id="h-drift">Drift between document and tracker</h2>
{{- if .R.Drift}}
<div class="table"><table>
<thead><tr><th>Item <span class="sub">and ticket</span></th><th>Field</th><th>Document <span class="sub">and tracker</span></th><th>Postmortem</th></tr></thead>
<tbody>
{{- range .R.Drift}}
<tr><td>{{words (item .ItemRef)}}{{template "sub" ticket .Ticket .TicketURL}}</td><td>{{.Field}}</td><td>{{words (or .Document "—")}}<div class="sub">tracker: {{words (or .Tracker "(unassigned)")}}</div></td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="orphans" aria-labelledby="h-orphans">
<h2 id="h-orphans">Orphaned tickets</h2>
{{- if .R.Orphans}}
<div class="table"><table>
<thead><tr><th>Title <span class="sub">and ticket</span></th><th>State</th><th>Postmortem <span class="sub">and item</span></th><th>Created</th></tr></thead>
<tbody>
{{- range .R.Orphans}}
<tr><td>{{words .Title}}{{template "sub" ticket .Ticket .TicketURL}}</td><td class="tok">{{state .State}}</td><td>{{words (docByID $.Docs .DocID)}}<div class="sub">{{words .Key}}</div></td><td class="date">{{or .Created "—"}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="impostors" aria-labelledby="h-impostors">
<h2 id="h-impostors">Tickets with pmsync's marker opened by another account</h2>
{{- if .R.Impostors}}
<p>pmsync did not adopt these: someone copied its marker. Close them, or trust the account with <code>trusted_authors</code>.</p>
<div class="table"><table>
<thead><tr><th>Title <span class="sub">and ticket</span></th><th>Opened by <span class="sub">first seen</span></th><th>Postmortem <span class="sub">and item</span></th></tr></thead>
<tbody>
{{- range .R.Impostors}}
<tr><td>{{words .Title}}{{template "sub" ticket .Ticket .TicketURL}}</td><td>{{words .Author}}<div class="sub">{{or .Seen "—"}}</div></td><td>{{words (docByID $.Docs .DocID)}}<div class="sub">{{words .Key}}</div></td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>

<section id="hygiene" aria-labelledby="h-hygiene">
<h2 id="h-hygiene">Hygiene</h2>
{{- with .R.Hygiene}}
<p>What to fix in the postmortems or in <code>people</code>: action items that are done or dropped are not listed.</p>
<h3>Postmortems without action items</h3>
{{template "docs" .NoActionItems}}
<h3>Factors no action item addresses</h3>
{{- if .UnaddressedFactors}}
<p>{{plural (len .UnaddressedFactors) "factor"}}, listed under <a href="#factors">Contributing factors</a>.</p>
{{- else}}
<p class="none">None.</p>
{{- end}}
<h3>Action items without an owner</h3>
{{template "items" .NoOwner}}
<h3>Action items without a due date</h3>
{{template "items" .NoDue}}
<h3>Owners with no tracker account</h3>
{{template "items" .UnknownOwners}}
<h3>Timestamps out of order</h3>
{{- if .BadTimestamps}}
<div class="table narrow"><table>
<thead><tr><th>Postmortem</th><th>Measure</th><th class="num">Duration</th></tr></thead>
<tbody>
{{- range .BadTimestamps}}
<tr><td>{{words (doc .ID .Title)}}</td><td>{{.Measure}}</td><td class="num">{{mins .Minutes}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
{{- end}}
</section>

<section id="docs" aria-labelledby="h-docs">
<h2 id="h-docs">Postmortems</h2>
{{- if .R.Documents}}
<div class="table"><table>
<thead><tr><th>Date</th><th>Postmortem</th><th>Severity</th><th class="num">Action items</th><th class="num">Done</th><th class="num">Overdue</th><th class="num">Completion</th><th class="num">Factors <span class="sub">open</span></th></tr></thead>
<tbody>
{{- range .R.Documents}}
<tr><td class="date">{{or .Date "—"}}</td><td>{{words (doc .ID .Title)}}</td><td>{{words (or .Severity "—")}}</td><td class="num">{{.Items}}</td><td class="num">{{.Done}}</td><td class="num">{{.Overdue}}</td><td class="num">{{pct .CompletionRate}}</td><td class="num">{{.Factors}}<span class="sub">{{.OpenFactors}} open</span></td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
</section>
</main>
<footer>Generated by pmsync at {{.R.GeneratedAt}} ({{.R.Schema}}).</footer>
</body>
</html>
{{define "ticket"}}{{if .URL}}<a class="nw" href="{{.URL}}">{{.Text}}</a>{{else}}<span class="nw">{{or .Text "—"}}</span>{{end}}{{end}}
{{- define "kindTicket"}}<div class="sub">{{kind .Kind}}{{with ticket .Ticket .TicketURL}}{{if .Text}} · {{template "ticket" .}}{{end}}{{end}}</div>{{end}}
{{- define "sub"}}<div class="sub">{{if .Text}}{{template "ticket" .}}{{else}}no ticket{{end}}</div>{{end}}
{{- define "groups"}}
{{- if .Groups}}
<div class="table"><table class="groups">
<thead><tr><th>{{.Name}}</th><th class="num">Items</th><th class="num">Done</th><th class="num">Completion</th><th class="num">On time</th><th class="num">Overdue</th><th class="num">Open or in progress</th><th class="num">Won't do</th><th class="num">Missing</th><th class="num">Time to close, median / p90</th></tr></thead>
<tbody>
{{- range .Groups}}
<tr><td>{{if $.Owners}}{{words (ownerLabel .Key .Name)}}{{if and (unresolved .Key) .Spellings}}<div class="sub">as written: {{words (join .Spellings)}}</div>{{end}}{{else}}{{words (or .Key "(none)")}}{{end}}</td><td class="num">{{.Items}}</td><td class="num">{{.Done}}</td><td class="num">{{pct .CompletionRate}}</td><td class="num">{{pct .OnTimeRate}}</td><td class="num">{{.Overdue}}</td><td class="num">{{add .Open .InProgress}}</td><td class="num">{{.WontDo}}</td><td class="num">{{.Missing}}</td><td class="num">{{closeTime .TimeToClose}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
{{- end}}
{{- define "docs"}}
{{- if .}}
<div class="table narrow"><table>
<thead><tr><th>Postmortem</th><th>Date</th></tr></thead>
<tbody>
{{- range .}}
<tr><td>{{words (doc .ID .Title)}}</td><td class="date">{{or .Date "—"}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
{{- end}}
{{- define "items"}}
{{- if .}}
<div class="table"><table>
<thead><tr><th>Item <span class="sub">and ticket</span></th><th>Owner</th><th>State</th><th>Postmortem</th></tr></thead>
<tbody>
{{- range .}}
<tr><td>{{words (item .)}}{{template "sub" ticket .Ticket .TicketURL}}</td><td>{{words (owner .)}}</td><td class="tok">{{state .State}}</td><td>{{words (doc .DocID .DocTitle)}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="none">None.</p>
{{- end}}
{{- end}}
{{- define "within"}}{{if .}}<td class="num">{{pct .Share}}<span class="sub">{{.Done}} done</span></td>{{else}}<td class="num zero">not yet</td>{{end}}{{end}}
{{- define "lines"}}
{{- template "chartHead" .}}
{{- range .XLabels}}
<line class="grid" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"/>
<text class="label" x="{{.TX}}" y="{{.TY}}" text-anchor="{{if $.Rotate}}end{{else}}middle{{end}}"{{if $.Rotate}} transform="rotate(-45 {{.TX}} {{.TY}})"{{end}}>{{.Label}}</text>
{{- end}}
{{- if not .XLabels}}
<text class="empty" x="{{.X0}}" y="{{add .Y0 16}}">No data.</text>
{{- end}}
{{- range .Series}}
<g class="series {{.Class}}">
{{- if $.Legend}}
<line class="key" x1="{{.LX}}" y1="{{.LY}}" x2="{{add1 .LX 18}}" y2="{{.LY}}"/><text class="label" x="{{add1 .LX 24}}" y="{{add1 .LY 4}}">{{.Name}}</text>
{{- end}}
{{- range .Paths}}
<path class="line" d="{{.}}"/>
{{- end}}
{{- range .Points}}
<circle class="point" data-value="{{.Value}}" cx="{{.X}}" cy="{{.Y}}" r="3.5"><title>{{.Title}}</title></circle>
{{- end}}
</g>
{{- end}}
</svg>
</figure>
{{- end}}
{{- define "chartHead"}}
<figure>
<figcaption id="{{.ID}}-title">{{.Title}}: {{.Desc}} The table below has the numbers.</figcaption>
<svg class="chart" id="{{.ID}}" role="img" aria-labelledby="{{.ID}}-title" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}">
{{- range .Axis}}
<line class="grid" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"/>
<text class="tick" x="{{.TX}}" y="{{.TY}}" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{- end}}
{{- end}}
{{- define "chart"}}
{{- template "chartHead" .}}
{{- if not .Bars}}
<text class="empty" x="{{.X0}}" y="{{add .Y0 16}}">No data.</text>
{{- end}}
{{- range .Bars}}
<g>
<title>{{.FullLabel}}: {{.ValueText}}</title>
<rect class="bar" data-value="{{.Value}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"/>
<text class="label" x="{{.LX}}" y="{{.LY}}" text-anchor="{{if $.Horizontal}}end{{else if $.Rotate}}end{{else}}middle{{end}}"{{if $.Rotate}} transform="rotate(-45 {{.LX}} {{.LY}})"{{end}}>{{.Label}}</text>
<text class="value" x="{{.VX}}" y="{{.VY}}" text-anchor="{{if $.Horizontal}}start{{else}}middle{{end}}">{{.ValueText}}</text>
</g>
{{- end}}
</svg>
</figure>
{{- end}}
`
