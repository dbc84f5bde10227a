package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
)

// HTML writes the report as one self-contained page: inline CSS (with a
// print style), five inline SVG charts each followed by the table of its
// numbers (completion by incident month, open items by age, completion
// by team: bars; weekly completion and the 30/60/90-day cohorts: lines),
// a sparkline per team's weekly completion, and every table the Markdown
// has. People are shown by name. It needs no network and has no JavaScript; html/template
// escapes every text that comes from a document or a tracker, and
// tickets are linked only to http(s) URLs.
//
// Table cells break lines only at spaces (see words): a team, a ticket
// such as acme/platform-infrastructure#12345 or a hyphenated word is
// never split. To keep tables narrow, a list shows secondary facts (an
// item's ticket, an owner's team) on a muted second line of the main
// cell rather than in a column of their own. A table wider than the page
// scrolls sideways in its own box (a breakdown keeping its first column
// in view), never the page; printed, the boxes show their whole table
// and rows are not split across pages. The browser test measures this
// at 1280 and 800 pixels and at an A4 page's width.
//
// The charts are hand-built SVG (html.go's chart types, drawn by the page
// template) rather than a charting library's output. We tried the two
// maintained-enough Go libraries that emit SVG: github.com/wcharczuk/
// go-chart/v2 v2.1.2 (no release since 2021) and github.com/go-analyze/
// charts v0.6.4. Both draw bars as anonymous <path> elements, with no
// class, data attribute or <title> to make a bar countable or readable by
// a screen reader; both name the font 'Roboto Medium', which the page
// would then have to embed (they measure labels with their built-in
// copy through golang/freetype, so the browser's fallback font breaks
// the layout); go-chart wrote a label containing "<b>" into the SVG
// unescaped, so every document text would have to be pre-escaped by
// hand, outside html/template. The charts are about two hundred lines
// of arithmetic here, escaped by the same template as the rest of the
// page and without a font or freetype dependency.
func (r *Report) HTML(w io.Writer) error {
	b := bufio.NewWriter(w)
	if err := htmlPage.Execute(b, newHTMLView(r)); err != nil {
		return err
	}
	return b.Flush()
}

// htmlView is what the page template reads: the report plus the charts
// and the cells the template cannot compute itself.
type htmlView struct {
	R         *Report
	Summary   string
	Headline  []htmlKV
	Month     htmlChart
	Trend     htmlLines // weekly completion
	Cohort    htmlLines // done within 30, 60, 90 days by incident month
	TeamTrend []htmlTeamTrend
	TrendNote string
	Age       htmlChart
	Team      htmlChart
	AgeRows   []htmlKV
	Slippage  string
	OpenTotal int
	// Docs are the postmortems' titles by id, for the lists that carry
	// only a postmortem's id.
	Docs map[string]string
}

type htmlKV struct {
	Key, Value, Note string
}

// htmlChart is one bar chart, laid out in SVG user units.
type htmlChart struct {
	ID, Title, Desc string
	Width, Height   int
	Horizontal      bool
	Rotate          bool // column labels turned 45° when the bars are narrow
	Bars            []htmlBar
	Axis            []htmlTick // gridlines
	// Plot area.
	X0, Y0, X1, Y1 int
}

type htmlBar struct {
	Label     string // shown, possibly shortened
	FullLabel string // in the <title>
	Value     string // data-value: the number, "" when absent
	ValueText string // shown next to the bar
	X, Y      float64
	W, H      float64
	// Label and value text positions.
	LX, LY, VX, VY float64
}

type htmlTick struct {
	Label          string
	Anchor         string // the label's text-anchor
	X1, Y1, X2, Y2 float64
	TX, TY         float64
}

func newHTMLView(r *Report) htmlView {
	t := r.Totals
	v := htmlView{
		R:         r,
		Summary:   fmt.Sprintf("As of %s: %s with %s; the factors are counted apart.", r.Today, plural(r.Postmortems, "postmortem"), kindSummary(r.ByKind)),
		OpenTotal: t.Open + t.InProgress,
		Docs:      map[string]string{},
	}
	for _, d := range r.Documents {
		v.Docs[d.ID] = d.Title
	}
	v.Headline = []htmlKV{
		{"Completion rate", pct(t.CompletionRate), fmt.Sprintf("%d done of %d; won't do excluded", t.Done, t.Items-t.WontDo)},
		{"On-time rate", pct(t.OnTimeRate), fmt.Sprintf("%d of %d done items with a due and a done date", t.DoneOnTime, t.DoneOnTime+t.DoneLate)},
		{"Overdue", strconv.Itoa(t.Overdue), fmt.Sprintf("of %d open or in progress; %d more due within %d days", t.Open+t.InProgress, t.DueSoon, dueSoonDays)},
		{"Time to close", closeTime(t.TimeToClose), fmt.Sprintf("median / p90 from the postmortem, over %s", plural(t.TimeToClose.Count, "done item"))},
	}
	for _, bk := range r.OpenByAge.Buckets {
		v.AgeRows = append(v.AgeRows, htmlKV{Key: bk.Label + " days", Value: strconv.Itoa(bk.Count)})
	}
	if r.OpenByAge.Unknown > 0 {
		v.AgeRows = append(v.AgeRows, htmlKV{Key: "no date", Value: strconv.Itoa(r.OpenByAge.Unknown)})
	}

	var month []chartValue
	for _, g := range r.ByMonth {
		month = append(month, rateValue(or(g.Key, "unknown"), g.Counts))
	}
	v.Month = columns("chart-month", "Completion by incident month", "Share of each month's action items done, won't do excluded.", month, true)

	var age []chartValue
	for _, row := range v.AgeRows {
		n, _ := strconv.Atoi(row.Value)
		age = append(age, chartValue{label: row.Key, value: float64(n), has: true, text: row.Value})
	}
	v.Age = columns("chart-age", "Open action items by age", "Open and in-progress action items by days since the postmortem, when the commitment was made.", age, false)

	var team []chartValue
	for _, g := range r.ByTeam {
		team = append(team, rateValue(or(g.Key, "(none)"), g.Counts))
	}
	v.Team = rows("chart-team", "Completion by team", "Share of each team's action items done, won't do excluded.", team)

	v.Trend, v.TeamTrend, v.TrendNote = trendCharts(r.Trends)
	v.Cohort = cohortChart(r.Cohorts)

	s := r.Slippage
	if s.Slipped == 0 {
		v.Slippage = fmt.Sprintf("No tracker due date is later than its document's (%d action items compared).", s.Compared)
	} else {
		v.Slippage = fmt.Sprintf("%d of %d action items (%s) have a tracker due date later than the document's: by %d days median, %d max, %d in total.",
			s.Slipped, s.Compared, pct(s.Rate), *s.MedianDays, *s.MaxDays, s.TotalDays)
	}
	return v
}

type chartValue struct {
	label string
	value float64 // 0..1 for rates, a count otherwise
	has   bool
	text  string
}

func rateValue(label string, c Counts) chartValue {
	v := chartValue{label: label, text: pct(c.CompletionRate)}
	if c.CompletionRate != nil {
		v.value, v.has = *c.CompletionRate, true
	}
	return v
}

// Layout, in SVG user units (the SVG scales to the page width).
const (
	chartW        = 640
	chartLabelW   = 210 // room for the labels of horizontal bars
	chartRowH     = 26
	chartColH     = 200
	chartPad      = 28
	chartLabel    = 18 // characters of a column's label shown before "…"
	chartRowLabel = 30 // characters of a row's label shown before "…"
)

// columns lays out vertical bars; rate charts run 0–100 %, count charts
// 0 to a round maximum.
func columns(id, title, desc string, vals []chartValue, rate bool) htmlChart {
	c := htmlChart{ID: id, Title: title, Desc: desc, Width: chartW, Height: chartColH + 2*chartPad + 10}
	c.X0, c.Y0, c.X1, c.Y1 = 44, chartPad, chartW-12, chartPad+chartColH
	max, ticks := scale(vals, rate)
	plotH := float64(c.Y1 - c.Y0)
	c.Axis = yAxis(ticks, max, c.X0, c.X1, c.Y1, plotH)
	if len(vals) == 0 {
		return c
	}
	slot := float64(c.X1-c.X0) / float64(len(vals))
	if slot < 64 {
		c.Rotate = true
		c.Height += 70
	}
	bw := slot * 0.6
	if bw > 56 {
		bw = 56
	}
	for i, v := range vals {
		h := v.value / max * plotH
		x := float64(c.X0) + slot*float64(i) + (slot-bw)/2
		bar := bar(v, rate, chartLabel)
		bar.X, bar.Y, bar.W, bar.H = round1(x), round1(float64(c.Y1)-h), round1(bw), round1(h)
		bar.LX, bar.LY = round1(x+bw/2), float64(c.Y1+16)
		bar.VX, bar.VY = bar.LX, round1(float64(c.Y1)-h-5)
		c.Bars = append(c.Bars, bar)
	}
	return c
}

// yAxis is the gridlines of a vertical scale, from 0 at y1 up to max,
// plotH higher, across x0..x1, labelled on the left.
func yAxis(ticks []tick, max float64, x0, x1, y1 int, plotH float64) []htmlTick {
	var axis []htmlTick
	for _, t := range ticks {
		y := float64(y1) - t.v/max*plotH
		axis = append(axis, htmlTick{Label: t.label, Anchor: "end", X1: float64(x0), Y1: y, X2: float64(x1), Y2: y, TX: float64(x0 - 6), TY: y + 4})
	}
	return axis
}

// rows lays out horizontal bars of rates, one row per value.
func rows(id, title, desc string, vals []chartValue) htmlChart {
	n := len(vals)
	c := htmlChart{ID: id, Title: title, Desc: desc, Width: chartW, Horizontal: true}
	c.X0, c.Y0, c.X1 = chartLabelW+8, 10, chartW-56
	c.Y1 = c.Y0 + n*chartRowH
	if n == 0 {
		c.Y1 = c.Y0 + chartRowH
	}
	c.Height = c.Y1 + 26
	plotW := float64(c.X1 - c.X0)
	_, ticks := scale(vals, true)
	for _, t := range ticks {
		x := float64(c.X0) + t.v*plotW
		c.Axis = append(c.Axis, htmlTick{Label: t.label, Anchor: "middle", X1: x, Y1: float64(c.Y0), X2: x, Y2: float64(c.Y1), TX: x, TY: float64(c.Y1 + 16)})
	}
	for i, v := range vals {
		w := v.value * plotW
		y := float64(c.Y0 + i*chartRowH)
		bar := bar(v, true, chartRowLabel)
		bar.X, bar.Y, bar.W, bar.H = float64(c.X0), round1(y+5), round1(w), chartRowH-10
		bar.LX, bar.LY = float64(c.X0-8), round1(y+chartRowH/2+4)
		bar.VX, bar.VY = round1(float64(c.X0)+w+6), bar.LY
		c.Bars = append(c.Bars, bar)
	}
	return c
}

func bar(v chartValue, rate bool, room int) htmlBar {
	b := htmlBar{Label: shorten(v.label, room), FullLabel: v.label, ValueText: v.text}
	if v.has {
		if rate {
			b.Value = strconv.FormatFloat(v.value, 'f', 4, 64)
		} else {
			b.Value = strconv.FormatFloat(v.value, 'f', -1, 64)
		}
	}
	return b
}

type tick struct {
	v     float64
	label string
}

// scale returns the axis maximum and its gridlines: 0–100 % for rates;
// for counts, the smallest of 1, 2, 5 × 10ⁿ that holds the largest value,
// in at most five steps.
func scale(vals []chartValue, rate bool) (float64, []tick) {
	if rate {
		return 1, []tick{{0, "0%"}, {0.25, "25%"}, {0.5, "50%"}, {0.75, "75%"}, {1, "100%"}}
	}
	top := 0.0
	for _, v := range vals {
		if v.value > top {
			top = v.value
		}
	}
	step, grow := 1.0, []float64{2, 2.5, 2} // 1, 2, 5, 10, 20, 50, …
	for i := 0; top > step*5; i++ {
		step *= grow[i%3]
	}
	n := int(top/step + 0.999999)
	if n < 1 {
		n = 1
	}
	var ts []tick
	for i := 0; i <= n; i++ {
		ts = append(ts, tick{float64(i) * step, strconv.FormatFloat(float64(i)*step, 'f', -1, 64)})
	}
	return float64(n) * step, ts
}

// htmlLines is a line chart of rates (0–100 %) over categories on the x
// axis (weeks, months), laid out in SVG user units; a series breaks where
// it has no value.
type htmlLines struct {
	ID, Title, Desc string
	Width, Height   int
	Rotate          bool // x labels turned 45°
	Axis            []htmlTick
	XLabels         []htmlTick
	Series          []htmlSeries
	Legend          bool
	X0, Y0, X1, Y1  int
}

type htmlSeries struct {
	Name   string
	Class  string // s0, s1, …: the series' colour
	Paths  []string
	Points []htmlPoint
	// Legend position: a short line and the name.
	LX, LY float64
}

type htmlPoint struct {
	X, Y  float64
	Value string // data-value: the rate, 0..1
	Title string
}

// lineValue is one point of a series: its x category's index, and its
// rate; a nil rate is a gap.
type lineValue struct {
	rate  *float64
	title string
}

// lines lays out a line chart: labels are the x categories, series the
// values per category, one slice per series, each as long as labels. at
// places the categories on the x axis, 0..1, increasing; nil: evenly.
func lines(id, title, desc string, labels []string, at []float64, names []string, series [][]lineValue) htmlLines {
	c := htmlLines{ID: id, Title: title, Desc: desc, Width: chartW, Height: chartColH + 2*chartPad + 10, Legend: len(names) > 1}
	c.X0, c.Y0, c.X1, c.Y1 = 44, chartPad, chartW-12, chartPad+chartColH
	if c.Legend {
		c.Y0 += 16
		c.Height += 16
		c.Y1 += 16
	}
	max, ticks := scale(nil, true)
	plotH := float64(c.Y1 - c.Y0)
	c.Axis = yAxis(ticks, max, c.X0, c.X1, c.Y1, plotH)
	n := len(labels)
	if n == 0 {
		return c
	}
	if at == nil {
		at = evenly(n)
	}
	// Half a slot of room on either side.
	slot := float64(c.X1-c.X0) / float64(n)
	x := func(i int) float64 { return round1(float64(c.X0) + slot/2 + at[i]*(float64(c.X1-c.X0)-slot)) }
	// At most about ten labels, every step-th, the last always.
	step := (n + 9) / 10
	if float64(c.X1-c.X0)/float64((n+step-1)/step) < 64 {
		c.Rotate = true
		c.Height += 50
	}
	for i, l := range labels {
		if (n-1-i)%step != 0 {
			continue
		}
		c.XLabels = append(c.XLabels, htmlTick{Label: shorten(l, chartLabel), X1: x(i), Y1: float64(c.Y1), X2: x(i), Y2: float64(c.Y1 + 4), TX: x(i), TY: float64(c.Y1 + 16)})
	}
	for k, vals := range series {
		sr := htmlSeries{Name: names[k], Class: "s" + strconv.Itoa(k), LX: float64(c.X0 + 8 + 150*k), LY: float64(c.Y0 - 18)}
		var line polyline
		for i, v := range vals {
			if v.rate == nil {
				line.gap()
				continue
			}
			px, py := x(i), round1(float64(c.Y1)-*v.rate*plotH)
			line.to(px, py)
			sr.Points = append(sr.Points, htmlPoint{X: px, Y: py, Value: strconv.FormatFloat(*v.rate, 'f', 4, 64), Title: v.title})
		}
		sr.Paths = line.paths()
		c.Series = append(c.Series, sr)
	}
	return c
}

// htmlTeamTrend is one team's row of the trends table: first and last
// week, and a sparkline of its weekly completion.
type htmlTeamTrend struct {
	Team                      string
	Completion, Open, Overdue string
	Since                     string   // the first week with action items, when before this one
	Spark                     []string // SVG path segments, in a 100 × 20 box
	Dots                      []htmlPoint
	Title                     string
}

// trendCharts lays out the weekly completion chart and the team rows.
func trendCharts(t Trends) (htmlLines, []htmlTeamTrend, string) {
	var labels []string
	var vals []lineValue
	for _, p := range t.Overall {
		labels = append(labels, p.Week)
		vals = append(vals, lineValue{rate: p.CompletionRate, title: fmt.Sprintf("%s (snapshot %s): %s done, %d of %d action items", p.Week, p.Date, pct(p.CompletionRate), p.Done, p.Items)})
	}
	at := weeksAt(t.Overall)
	c := lines("chart-trend", "Weekly completion", "Share of the action items done at each week's last snapshot, won't do excluded; a week without a snapshot has no point.",
		labels, at, []string{"Completion"}, [][]lineValue{vals})
	note := fmt.Sprintf("%s, from %s to %s.", plural(len(t.Overall), "week"), first(labels), last(labels))
	if len(t.Overall) == 1 {
		note = "No earlier week in the history yet: this report is the only point."
	}

	var teams []htmlTeamTrend
	for _, tt := range t.ByTeam {
		if len(tt.Points) == 0 {
			continue
		}
		// From the first week the team had action items.
		from := 0
		for from < len(tt.Points)-1 && tt.Points[from].Items == 0 {
			from++
		}
		a, b := tt.Points[from], tt.Points[len(tt.Points)-1]
		row := htmlTeamTrend{
			Team:       or(tt.Team, "(none)"),
			Completion: pct(b.CompletionRate),
			Open:       strconv.Itoa(b.Open),
			Overdue:    strconv.Itoa(b.Overdue),
		}
		if from < len(tt.Points)-1 {
			row.Since = a.Week
			row.Completion = pct(a.CompletionRate) + " → " + row.Completion
			row.Open = strconv.Itoa(a.Open) + " → " + row.Open
			row.Overdue = strconv.Itoa(a.Overdue) + " → " + row.Overdue
		}
		var titles []string
		var line polyline
		for i, p := range tt.Points {
			titles = append(titles, p.Week+" "+pct(p.CompletionRate))
			if p.CompletionRate == nil {
				line.gap()
				continue
			}
			x := 50.0
			if i < len(at) && len(tt.Points) == len(at) {
				x = round1(2 + 96*at[i])
			}
			y := round1(18 - 16**p.CompletionRate)
			line.to(x, y)
			if i == len(tt.Points)-1 {
				row.Dots = append(row.Dots, htmlPoint{X: x, Y: y})
			}
		}
		row.Spark = line.paths()
		row.Title = "Weekly completion of " + row.Team + ": " + strings.Join(titles, ", ")
		teams = append(teams, row)
	}
	return c, teams, note
}

// cohortChart lays out the share of each incident month's action items
// done within 30, 60 and 90 days: one line per number of days.
func cohortChart(cs []Cohort) htmlLines {
	var labels []string
	series := make([][]lineValue, 3)
	for _, c := range cs {
		labels = append(labels, c.Month)
		for k, s := range []*CohortShare{c.Within30, c.Within60, c.Within90} {
			v := lineValue{title: fmt.Sprintf("%s: not yet known within %d days", c.Month, cohortDays[k])}
			if s != nil && s.Share != nil {
				v = lineValue{rate: s.Share, title: fmt.Sprintf("%s: %s done within %d days (%d of %d)", c.Month, pct(s.Share), cohortDays[k], s.Done, c.Items)}
			}
			series[k] = append(series[k], v)
		}
	}
	return lines("chart-cohort", "Done within 30, 60 and 90 days", "one line per number of days; a line stops where its figure is not known yet.",
		labels, nil, []string{"Within 30 days", "Within 60 days", "Within 90 days"}, series)
}

// polyline is the SVG path data of a line that a missing value breaks:
// one path per unbroken run of points.
type polyline struct {
	runs []string
	cur  strings.Builder
}

// to draws the line on to (x, y), or starts a run there.
func (l *polyline) to(x, y float64) {
	if l.cur.Len() == 0 {
		l.cur.WriteString("M")
	} else {
		l.cur.WriteString(" L")
	}
	l.cur.WriteString(strconv.FormatFloat(x, 'f', -1, 64) + " " + strconv.FormatFloat(y, 'f', -1, 64))
}

// gap ends the current run.
func (l *polyline) gap() {
	if l.cur.Len() > 0 {
		l.runs = append(l.runs, l.cur.String())
		l.cur.Reset()
	}
}

func (l *polyline) paths() []string {
	l.gap()
	return l.runs
}

// evenly places n categories evenly, 0..1 (one in the middle).
func evenly(n int) []float64 {
	at := make([]float64, n)
	for i := range at {
		at[i] = 0.5
		if n > 1 {
			at[i] = float64(i) / float64(n-1)
		}
	}
	return at
}

// weeksAt places trend points by their snapshot's date, so that a week
// without a snapshot leaves a wider step; evenly if a date is unreadable.
func weeksAt(ps []TrendPoint) []float64 {
	if len(ps) < 2 {
		return evenly(len(ps))
	}
	ts := make([]time.Time, len(ps))
	for i, p := range ps {
		t, err := time.Parse(ticket.DateLayout, p.Date)
		if err != nil {
			return evenly(len(ps))
		}
		ts[i] = t
	}
	span := ts[len(ts)-1].Sub(ts[0])
	if span <= 0 {
		return evenly(len(ps))
	}
	at := make([]float64, len(ps))
	for i, t := range ts {
		at[i] = float64(t.Sub(ts[0])) / float64(span)
	}
	return at
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

func last(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[len(ss)-1]
}

func round1(f float64) float64 {
	return float64(int(f*10+0.5)) / 10
}

// shorten keeps chart labels inside their room; the <title> and the
// table carry the full text.
func shorten(s string, room int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > room {
		return string(r[:room-1]) + "…"
	}
	return string(r)
}

// htmlLink is a ticket: linked only when its URL is http(s) with a host.
type htmlLink struct {
	Text string
	URL  string
}

func ticketLink(text, link string) htmlLink {
	u, err := url.Parse(link)
	if link == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return htmlLink{Text: text}
	}
	return htmlLink{Text: or(text, link), URL: u.String()}
}

// itemText is an item's text for a table cell, shortened like the
// Markdown's; line breaks and control characters become spaces.
func itemText(it ItemRef) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.TrimSpace(it.Text))
	t := []rune(s)
	if len(t) > maxText {
		s = string(t[:maxText-1]) + "…"
	}
	return or(s, it.Key)
}

// maxWhole is the longest word, in characters, that a table cell keeps
// whole; a longer one (a URL, say) may still break where the browser
// allows, after a slash or a hyphen, rather than widen its column to
// the width of the page.
const maxWhole = 40

// words escapes a cell's text so that it wraps only at spaces: a word in
// which the browser could break a line (after a hyphen, a slash, a dash
// or a question mark, between emoji) is kept whole in a nowrap span.
// Words of letters, digits and .,:;' have no such break; they are left
// bare, to keep the page small.
func words(s string) template.HTML {
	var b strings.Builder
	for i, w := range strings.Fields(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		if whole(w) {
			b.WriteString(template.HTMLEscapeString(w))
			continue
		}
		b.WriteString(`<span class="nw">`)
		b.WriteString(template.HTMLEscapeString(w))
		b.WriteString(`</span>`)
	}
	return template.HTML(b.String())
}

// whole reports whether the browser keeps w on one line by itself, or w
// is too long to keep so.
func whole(w string) bool {
	n := 0
	for _, r := range w {
		n++
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".,:;'", r) {
			return n > maxWhole || utf8.RuneCountInString(w) > maxWhole
		}
	}
	return true
}

// ownerLabel is a by_owner row or a carrier as shown: the person's name
// (the page adds the spellings the unresolved row gathers).
func ownerLabel(key, name string) string {
	switch key {
	case "":
		return "(no owner)"
	case UnresolvedOwner:
		return "Unresolved owner"
	}
	return or(name, key)
}

// ownerOf is an item's owner: the person's name, else as written.
func ownerOf(it ItemRef) string {
	return or(it.OwnerName, or(it.Owner, "—"))
}

// tierLabel names an escalation tier.
func tierLabel(t Tier) string {
	switch {
	case t.MinDaysOverdue <= 0:
		return fmt.Sprintf("Due within %d days", -t.MinDaysOverdue)
	case t.MaxDaysOverdue == nil:
		return fmt.Sprintf(">%d days overdue", t.MinDaysOverdue-1)
	}
	return fmt.Sprintf("%d–%d days overdue", t.MinDaysOverdue, *t.MaxDaysOverdue)
}

// lateness is a tier item's first cell: days overdue, or when it is due.
func lateness(days int) string {
	switch {
	case days > 0:
		return plural(days, "day") + " late"
	case days == 0:
		return "due today"
	}
	return "due in " + plural(-days, "day")
}

func htmlState(s string) string {
	switch s {
	case "open", "in_progress", "done", "wont_do", "missing":
		return stateWord(s)
	}
	return s
}

var htmlFuncs = template.FuncMap{
	"pct":        pct,
	"closeTime":  closeTime,
	"minutes":    minutes,
	"state":      htmlState,
	"item":       itemText,
	"ticket":     ticketLink,
	"or":         or,
	"words":      words,
	"plural":     plural,
	"owner":      ownerOf,
	"ownerLabel": ownerLabel,
	"unresolved": func(key string) bool { return key == UnresolvedOwner },
	"join":       func(ss []string) string { return strings.Join(ss, ", ") },
	"tier":       tierLabel,
	"step":       stepName,
	"nudgeLine":  nudgeSummary,
	"tiers":      newTiers,
	"lateness":   lateness,
	"closeCount": func(c CloseTime) string {
		if c.MedianDays == nil {
			return "—"
		}
		return closeTime(c) + " (" + plural(c.Count, "done item") + ")"
	},
	"kind": func(k string) string {
		switch k {
		case "action":
			return "Action item"
		case "factor":
			return "Factor"
		}
		return k
	},
	"docByID": func(docs map[string]string, id string) string {
		return or(docs[id], id)
	},
	"add":  func(a, b int) int { return a + b },
	"add1": func(a, b float64) float64 { return a + b },
	"groupTable": func(name string, gs []Group) map[string]any {
		return map[string]any{"Name": name, "Groups": gs, "Owners": name == "Owner"}
	},
	"doc": func(id, title string) string {
		return or(title, id)
	},
	"mins": func(m float64) string { return strconv.FormatFloat(m, 'f', -1, 64) + " min" },
}

var htmlPage = template.Must(template.New("page").Funcs(htmlFuncs).Parse(htmlTemplate))
