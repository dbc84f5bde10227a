package report

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

const evilTitle = `<img src=x onerror=alert(1)>`

// evilInput is the fixture plus a postmortem whose title, team, item text
// and ticket try to inject HTML and script into the page.
func evilInput() Input {
	in := fixture()
	in.Docs = append(in.Docs, Doc{ID: "evil", Title: evilTitle, Date: d("2026-01-05"), Severity: `<b>SEV1</b>`, Teams: []string{`<svg onload=alert(2)>`}})
	in.Items = append(in.Items,
		Item{DocID: "evil", Key: "ai-e1", Kind: ticket.Action, Text: `</title><script>alert(3)</script>`, Team: `<svg onload=alert(2)>`,
			Owner: `"><img src=x onerror=alert(4)>`, OwnerAccount: "mallory", Due: d("2026-02-01"), State: ticket.StateOpen, Created: d("2026-01-06"),
			Ticket: ticket.Ref{Text: "X-1", URL: "javascript:alert(5)"}},
		Item{DocID: "evil", Key: "ai-e2", Kind: ticket.Action, Text: "two", Team: `<svg onload=alert(2)>`,
			Owner: "@mallory", OwnerAccount: "mallory", Due: d("2026-02-01"), State: ticket.StateOpen, Created: d("2026-01-06"),
			Ticket: ticket.Ref{Text: "X-2", URL: `https://x.example/a"><script>alert(6)</script>`}},
	)
	return in
}

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.HTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLGolden(t *testing.T) {
	out := renderHTML(t, Compute(fixture()))
	path := filepath.Join("testdata", "report.html")
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("report.html differs from the golden file (go test -update rewrites it)")
	}
}

// spanTag matches the spans that keep words whole (span.nw) or start a
// cell's second line (span.sub).
var spanTag = regexp.MustCompile(`<span class="(nw|sub)">|</span>`)

func TestHTMLEscapes(t *testing.T) {
	out := renderHTML(t, Compute(evilInput()))
	for _, bad := range []string{"<img", "<script", "<svg onload", "<b>SEV1", "javascript:", `"&gt;<`, `"><img`} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	// The texts, with the spans that keep their words whole taken out.
	text := spanTag.ReplaceAllString(out, "")
	for _, good := range []string{
		"&lt;img src=x onerror=alert(1)&gt;",
		"&#34;&gt;&lt;img src=x onerror=alert(4)&gt;",         // the owner                  // the title, in tables
		"&lt;svg onload=alert(2)&gt;",                         // the team, in the chart and tables
		"&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;", // the item text
		"&lt;B&gt;SEV1&lt;/B&gt;",                             // upper-cased severity
		`<div class="sub">X-1</div>`,                          // not linked: not http(s)
		`<a class="nw" href="https://x.example/a%22%3E%3Cscript%3Ealert%286%29%3C/script%3E">X-2</a>`,
	} {
		if !strings.Contains(text, good) {
			t.Errorf("HTML lacks %q", good)
		}
	}
}

var hrefAttr = regexp.MustCompile(`<a class="nw" href="[^"]*">`)

// The page is self-contained: no script, no reference outside it but the
// ticket links, and the five charts.
func TestHTMLSelfContained(t *testing.T) {
	r := Compute(fixture())
	out := renderHTML(t, r)
	const icon = `<link rel="icon" href="data:,">` // no favicon request
	if !strings.Contains(out, icon) {
		t.Error("no empty icon: browsers will fetch /favicon.ico")
	}
	low := strings.ToLower(strings.Replace(out, icon, "", 1))
	for _, bad := range []string{"<script", "javascript:", " on", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", "src="} {
		if bad == " on" {
			if regexp.MustCompile(`<[^>]*\son[a-z]+=`).MatchString(low) {
				t.Error("HTML has an event handler attribute")
			}
			continue
		}
		if strings.Contains(low, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	links := hrefAttr.FindAllString(out, -1)
	if len(links) == 0 {
		t.Error("no ticket links")
	}
	rest := hrefAttr.ReplaceAllString(out, "")
	for _, u := range []string{"http://", "https://", "//"} {
		if i := strings.Index(rest, u); i >= 0 && !(u == "//" && strings.HasPrefix(rest[i-1:], ":")) {
			t.Errorf("HTML references %q outside a ticket link: …%s…", u, rest[max(0, i-40):min(len(rest), i+40)])
		}
	}
	if n := strings.Count(out, `<svg class="chart`); n != 5 {
		t.Errorf("%d charts, want 5", n)
	}
	for id, want := range chartMarks(r) {
		i := strings.Index(out, `id="`+id+`"`)
		j := strings.Index(out[i:], "</svg>")
		if got := strings.Count(out[i:i+j], `class="bar"`) + strings.Count(out[i:i+j], `class="point"`); got != want || want == 0 {
			t.Errorf("%s: %d bars or points, want %d (> 0)", id, got, want)
		}
	}
	// Every chart is followed by a table of its numbers.
	for id := range chartMarks(r) {
		i := strings.Index(out, `id="`+id+`"`)
		rest := out[i:]
		if t1, s := strings.Index(rest, "<table"), strings.Index(rest, "</section>"); t1 < 0 || t1 > s {
			t.Errorf("%s is not followed by a table in its section", id)
		}
	}
}

// chartMarks is how many bars or points each chart of r's page draws.
func chartMarks(r *Report) map[string]int {
	trend, cohort := 0, 0
	for _, p := range r.Trends.Overall {
		if p.CompletionRate != nil {
			trend++
		}
	}
	for _, c := range r.Cohorts {
		for _, s := range []*CohortShare{c.Within30, c.Within60, c.Within90} {
			if s != nil && s.Share != nil {
				cohort++
			}
		}
	}
	return map[string]int{
		"chart-month":  len(r.ByMonth),
		"chart-age":    len(r.OpenByAge.Buckets) + min(r.OpenByAge.Unknown, 1),
		"chart-team":   len(r.ByTeam),
		"chart-trend":  trend,
		"chart-cohort": cohort,
	}
}

func TestHTMLEmpty(t *testing.T) {
	out := renderHTML(t, Compute(Input{Now: fixtureNow}))
	if n := strings.Count(out, `class="bar"`); n != len(Compute(Input{Now: fixtureNow}).OpenByAge.Buckets) {
		t.Errorf("%d bars in an empty report", n)
	}
	if !strings.Contains(out, "No data.") {
		t.Error("empty charts do not say so")
	}
}

// Many months turn the column labels so they do not overlap.
func TestHTMLManyMonths(t *testing.T) {
	vals := make([]chartValue, 14)
	for i := range vals {
		vals[i] = chartValue{label: "2025-01", value: 0.5, has: true, text: "50.0%"}
	}
	if c := columns("x", "t", "d", vals, true); !c.Rotate || len(c.Bars) != 14 {
		t.Errorf("rotate = %v, %d bars", c.Rotate, len(c.Bars))
	}
	if c := columns("x", "t", "d", vals[:4], true); c.Rotate {
		t.Error("four months rotated")
	}
}

// wideInput is a realistic large report for the layout tests: many teams
// with long hyphenated names, GitHub refs like
// acme/platform-infrastructure#12345, long titles and item texts, owners
// written as long handles and as names, plus evilInput's injections.
func wideInput() Input {
	in := evilInput()
	teams := []string{
		"platform-infrastructure", "payments", "identity-and-access-management", "customer-notifications",
		"data-warehouse-ingestion", "edge", "search-relevance", "mobile-ios", "mobile-android",
		"billing-reconciliation", "site-reliability-engineering", "observability-tooling", "developer-experience", "fraud-detection",
	}
	// People are shown by name: long ones, hyphenated ones, one without a
	// name (shown by key), one written in two ways.
	owners := []struct{ written, account, person string }{
		{"@alexandra.richardson-smythe", "alexandra.richardson-smythe", "arichardson"},
		{"Maximilian Oberhausen-Weissmann", "", ""},
		{"@dev-productivity-oncall-rotation", "dev-productivity-oncall-rotation", "dev-productivity-oncall-rotation"},
		{"@li.wei", "li.wei", "lwei"},
		{"@jean-baptiste.dupont", "jean-baptiste.dupont", "jbdupont"},
		{"jean-baptiste.dupont@", "jean-baptiste.dupont", "jbdupont"},
	}
	people := map[string]postmortem.Person{
		"arichardson":                      {Key: "arichardson", Name: "Alexandra Richardson-Smythe", GitHub: "alexandra.richardson-smythe"},
		"lwei":                             {Key: "lwei", Name: "Li Wei", GitHub: "li.wei"},
		"jbdupont":                         {Key: "jbdupont", Name: "Jean-Baptiste Dupont de la Tour-Maubourg", GitHub: "jean-baptiste.dupont"},
		"dev-productivity-oncall-rotation": {Key: "dev-productivity-oncall-rotation", GitHub: "dev-productivity-oncall-rotation"},
	}
	maps.Copy(people, in.Directory.People)
	in.Directory.People = people
	titles := []string{
		"Cascading failure in the payments-reconciliation pipeline after a certificate rotation in eu-west-1",
		"Identity provider outage: SAML assertions rejected for 47 minutes",
		"Notification fan-out saturated the shared Kafka cluster (customer-notifications → data-warehouse-ingestion)",
		"Search relevance regression shipped behind a misconfigured feature-flag",
		"Mobile clients hammered the edge after a retry-storm in v8.14.2-hotfix",
		"Ledger double-posting during the 2026-02-29 leap-day batch",
	}
	texts := []string{
		"Add a circuit-breaker around the certificate-rotation job and page the owning team when it trips",
		"Backfill the missing reconciliation rows for acme/platform-infrastructure#12345",
		"Write a runbook",
		"Rate-limit retries on the client side (exponential back-off with jitter, capped at 30 s)",
		"Migrate the fan-out workers off the shared cluster onto dedicated brokers sized for peak-hour traffic, and document the capacity model so the next migration does not need the same spelunking",
		"Alert on p99 latency > 800 ms for the /v2/ledger/postings endpoint",
	}
	sevs := []string{"SEV1", "SEV2", "SEV3"}
	states := []ticket.State{ticket.StateOpen, ticket.StateInProgress, ticket.StateDone, ticket.StateDone, ticket.StateWontDo, ticket.StateOpen, ticket.StateMissing}
	base := d("2025-06-02")
	for i, title := range titles {
		id := fmt.Sprintf("2025-%02d-%s", 6+i, strings.ToLower(strings.Fields(title)[0]))
		date := base.AddDate(0, 0, 37*i)
		in.Docs = append(in.Docs, Doc{
			Path: "postmortems/" + id + ".md", ID: id, Title: title, Date: date,
			Severity: sevs[i%len(sevs)], Teams: []string{teams[i%len(teams)], teams[(i+5)%len(teams)]},
			StartedAt: date.Add(9 * time.Hour), DetectedAt: date.Add(9*time.Hour + time.Duration(5+7*i)*time.Minute),
			RespondedAt: date.Add(9*time.Hour + time.Duration(20+9*i)*time.Minute), ResolvedAt: date.Add(time.Duration(11+3*i) * time.Hour),
		})
		for j := range 9 {
			n := i*9 + j
			team := teams[n%len(teams)]
			o := owners[n%len(owners)]
			st := states[n%len(states)]
			created := date.Add(time.Duration(24+j) * time.Hour)
			it := Item{
				DocID: id, Key: fmt.Sprintf("ai-%04x", 0xa000+n), Kind: ticket.Action, Text: texts[n%len(texts)], Line: 20 + j,
				Team: team, Owner: o.written, OwnerAccount: o.account, Person: o.person, Due: created.AddDate(0, 0, 21+5*j),
				Ticket: ticket.Ref{
					Text: fmt.Sprintf("acme/%s#%d", team, 12345+n),
					URL:  fmt.Sprintf("https://github.com/acme/%s/issues/%d", team, 12345+n),
				},
				State: st, Created: created,
			}
			if j%4 == 0 {
				it.Kind, it.Key = ticket.Factor, fmt.Sprintf("cf-%04x", 0xc000+n)
			}
			if n%5 == 1 {
				it.Ticket = ticket.Ref{Text: fmt.Sprintf("PLATFORMINFRA-%d", 10423+n), URL: fmt.Sprintf("https://acme.atlassian.net/browse/PLATFORMINFRA-%d", 10423+n)}
			}
			if n%11 == 3 {
				it.Ticket, it.State = ticket.Ref{}, ticket.StateOpen
			}
			if st == ticket.StateDone {
				it.Done = created.AddDate(0, 0, 10+3*j)
			}
			if n%3 == 0 {
				it.TrackerDue = it.Due.AddDate(0, 0, 14)
				it.TrackerAssignee = "someone-else-entirely"
			}
			if n%13 == 2 {
				it.Owner, it.OwnerAccount, it.Person, it.NoOwner = "", "", "", true
			}
			if n%17 == 4 {
				it.Due = time.Time{}
			}
			if n%4 != 0 { // nudges for every team, long names and all
				it.Nudges = []Nudge{{Step: "overdue", At: created.AddDate(0, 0, 22+5*j)}}
				if n%3 == 0 {
					it.Nudges = append(it.Nudges, Nudge{Step: fmt.Sprintf("escalated-%dd", 7+n%30), At: created.AddDate(0, 0, 30+5*j), Moved: created.AddDate(0, 0, 33+5*j)})
				}
			}
			in.Items = append(in.Items, it)
		}
	}
	// Twenty weeks of history, one snapshot a week but none in the ninth
	// week back; completion climbs; fraud-detection has action items only
	// from the twelfth week back.
	for k := 20; k >= 1; k-- {
		if k == 9 {
			continue
		}
		items, done := 30+k/2, 3+(20-k)*2/5
		teamFigs := map[string]Figures{}
		for i, team := range teams[:6] {
			teamFigs[team] = Figures{Items: 6 + i, Done: min(6+i, 1+(20-k)*(i+1)/8), WontDo: 1, Open: 3, Overdue: 1 + k%3}
		}
		if k <= 12 {
			teamFigs["fraud-detection"] = Figures{Items: 2, Done: max(0, 2-k/4), Open: min(2, k/4)}
		}
		in.History = append(in.History, Snapshot{
			At:    fixtureNow.AddDate(0, 0, -7*k).UTC(),
			Total: Figures{Items: items, Done: done, WontDo: 2, Open: items - done - 2, Overdue: 10 + k/2},
			Teams: teamFigs,
		})
	}
	in.Orphans = append(in.Orphans, ticket.Ticket{
		Target:    ticket.Target{Tracker: "github", Repo: "acme/platform-infrastructure"},
		Ref:       ticket.Ref{Text: "acme/platform-infrastructure#12345", URL: "https://github.com/acme/platform-infrastructure/issues/12345"},
		HasMarker: true, Marker: ticket.Marker{PM: "2025-06-cascading", Item: "ai-removed-after-review", Owner: "x"},
		Title:  "Backfill the missing reconciliation rows (removed from the postmortem after review)",
		Status: ticket.Status{State: ticket.StateInProgress}, Created: d("2025-06-10"),
	})
	in.Impostors = append(in.Impostors, Impostor{
		Ticket: "acme/identity-and-access-management#20001", TicketURL: "https://github.com/acme/identity-and-access-management/issues/20001",
		Target: "gh:acme/identity-and-access-management", DocID: "2025-07-identity", Key: "ai-a00b",
		Title: "Copied marker: [pmsync] Rotate the SAML signing certificate before it expires", Author: "someone-helpful-from-another-org", Seen: "2026-03-02",
	})
	return in
}

func TestHTMLWords(t *testing.T) {
	long := "https://example.com/a/very/long/path/that/is/longer/than/forty/characters"
	for in, want := range map[string]string{
		"Write a runbook":                  "Write a runbook",
		"  Write\ta   runbook \n":          "Write a runbook",
		"e.g. it's done: 3,5;":             "e.g. it&#39;s done: 3,5;",
		"acme/platform-infrastructure#123": `<span class="nw">acme/platform-infrastructure#123</span>`,
		"Add a circuit-breaker (now)":      `Add a <span class="nw">circuit-breaker</span> <span class="nw">(now)</span>`,
		"<img src=x onerror=alert(1)>":     `<span class="nw">&lt;img</span> <span class="nw">src=x</span> <span class="nw">onerror=alert(1)&gt;</span>`,
		`"quoted" & <b>`:                   `<span class="nw">&#34;quoted&#34;</span> <span class="nw">&amp;</span> <span class="nw">&lt;b&gt;</span>`,
		"see " + long:                      "see " + long, // too long to keep whole: it may break at a slash
		"Überprüfung läuft":                "Überprüfung läuft",
		"":                                 "",
	} {
		if got := string(words(in)); got != want {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTMLWide: the large report renders, escapes its injections, and its
// tables sit in their boxes (the browser test measures their layout).
func TestHTMLWide(t *testing.T) {
	out := renderHTML(t, Compute(wideInput()))
	for _, bad := range []string{"<img", "<script", "<svg onload", "javascript:", "word-break", "overflow-wrap: anywhere", "break-all"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if tables, boxes := strings.Count(out, "<table"), strings.Count(out, `<div class="table`); tables != boxes || tables < 15 {
		t.Errorf("%d tables, %d table boxes: want every table in a box", tables, boxes)
	}
	for _, want := range []string{
		`<span class="nw">acme/platform-infrastructure#12345</span>`,
		`<a class="nw" href="https://github.com/acme/platform-infrastructure/issues/12345">acme/platform-infrastructure#12345</a>`,
		`<td><span class="nw">identity-and-access-management</span></td>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}
