package postmortem

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func dueDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Span
		wantErr string
	}{
		{in: "14d", want: Span{Days: 14}},
		{in: "2w", want: Span{Days: 14}},
		{in: "3m", want: Span{Months: 3}},
		{in: "1y", want: Span{Months: 12}},
		{in: "30 days", want: Span{Days: 30}},
		{in: "2 weeks", want: Span{Days: 14}},
		{in: "1 month", want: Span{Months: 1}},
		{in: "6 months", want: Span{Months: 6}},
		{in: "+2w", want: Span{Days: 14}},
		{in: "+ 2w", want: Span{Days: 14}},
		{in: "1 day", want: Span{Days: 1}},
		{in: "2 years", want: Span{Months: 24}},
		{in: "56D", want: Span{Days: 56}},
		{in: " 4 Weeks ", want: Span{Days: 28}},
		{in: "`8w`", want: Span{Days: 56}},
		{in: "a month", want: Span{Months: 1}},
		{in: "two weeks", want: Span{Days: 14}},
		{in: "", wantErr: "14d, 2w"},
		{in: "soon", wantErr: "14d, 2w"},
		{in: "14", wantErr: "14d, 2w"},
		{in: "2 fortnights", wantErr: "unknown unit"},
		{in: "0d", wantErr: "at least one day"},
		{in: "-2w", wantErr: "14d, 2w"},
		{in: "999999d", wantErr: "too long"},
		{in: "2weeksish", wantErr: "unknown unit"},
		{in: "2026-04-01", wantErr: "14d, 2w"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSpan(tt.in)
			dueCheckErr(t, err, tt.wantErr)
			if tt.wantErr == "" && got != tt.want {
				t.Errorf("ParseSpan(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		// ISO and its separators.
		{in: "2026-04-01", want: dueDay(2026, 4, 1)},
		{in: "2026/04/01", want: dueDay(2026, 4, 1)},
		{in: "2026.04.01", want: dueDay(2026, 4, 1)},
		{in: "2026-4-1", want: dueDay(2026, 4, 1)},
		{in: "**2026-04-01**", want: dueDay(2026, 4, 1)},
		{in: " `2026-04-01` ", want: dueDay(2026, 4, 1)},
		{in: "2026-04-01T10:00:00Z", want: dueDay(2026, 4, 1)},
		{in: "2026-04-01T23:30:00-08:00", want: dueDay(2026, 4, 1)},
		{in: "2018-07-31T00:00:00Z", want: dueDay(2018, 7, 31)},
		{in: "2026-04-01 10:00", want: dueDay(2026, 4, 1)},
		{in: "2026-04-01 10:00 UTC", want: dueDay(2026, 4, 1)},
		{in: "2026/04/01 10:00", wantErr: "cannot read date"},
		{in: "2026-04/01", wantErr: "cannot read date"},
		// Month names.
		{in: "Apr 1, 2026", want: dueDay(2026, 4, 1)},
		{in: "April 1 2026", want: dueDay(2026, 4, 1)},
		{in: "1 April 2026", want: dueDay(2026, 4, 1)},
		{in: "1st April 2026", want: dueDay(2026, 4, 1)},
		{in: "1st of April, 2026", want: dueDay(2026, 4, 1)},
		{in: "30 April 2026", want: dueDay(2026, 4, 30)},
		{in: "7th September, 2022", want: dueDay(2022, 9, 7)},
		{in: "7th Sept 2022", want: dueDay(2022, 9, 7)},
		{in: "Sept. 7, 2022", want: dueDay(2022, 9, 7)},
		{in: "December 08, 2022", want: dueDay(2022, 12, 8)},
		{in: "Jun 4, 2025", want: dueDay(2025, 6, 4)},
		{in: "October 21, 2025", want: dueDay(2025, 10, 21)},
		{in: "Sep 27 2017", want: dueDay(2017, 9, 27)},
		{in: "Aug-27-2021", want: dueDay(2021, 8, 27)},
		{in: "27-Aug-2021", want: dueDay(2021, 8, 27)},
		{in: "2026 Apr 1", want: dueDay(2026, 4, 1)},
		{in: "22nd February 2024", want: dueDay(2024, 2, 22)},
		{in: "MAY 3 2026", want: dueDay(2026, 5, 3)},
		{in: "Sep 27 2017 13:06", wantErr: "time of day"},
		{in: "June 28", wantErr: "no year"},
		{in: "June 2026", wantErr: "no day"},
		{in: "Apr 0, 2026", wantErr: "does not exist"},
		{in: "Feb 29, 2026", wantErr: "does not exist"},
		{in: "Feb 29, 2024", want: dueDay(2024, 2, 29)},
		{in: "Apr May 2026", wantErr: "cannot read date"},
		// Weekdays are skipped.
		{in: "Wednesday, 2018-08-22", want: dueDay(2018, 8, 22)},
		{in: "Wed 2018-08-22", want: dueDay(2018, 8, 22)},
		{in: "Thursday, June 4, 2025", want: dueDay(2025, 6, 4)},
		{in: "Sat, 1 Aug 2026", want: dueDay(2026, 8, 1)},
		// Quarters: the last day.
		{in: "Q1 2026", want: dueDay(2026, 3, 31)},
		{in: "Q2 2026", want: dueDay(2026, 6, 30)},
		{in: "q3 2026", want: dueDay(2026, 9, 30)},
		{in: "Q4 2026", want: dueDay(2026, 12, 31)},
		{in: "2026-Q2", want: dueDay(2026, 6, 30)},
		{in: "2026 Q4", want: dueDay(2026, 12, 31)},
		{in: "Q1 2024", want: dueDay(2024, 3, 31)},
		{in: "Q2-2026", want: dueDay(2026, 6, 30)},
		{in: "Q5 2026", wantErr: "Q1 to Q4"},
		{in: "Q0 2026", wantErr: "Q1 to Q4"},
		// Numeric day-month-year: only when unambiguous.
		{in: "24-10-2024", want: dueDay(2024, 10, 24)},
		{in: "24/10/2024", want: dueDay(2024, 10, 24)},
		{in: "24.10.2024", want: dueDay(2024, 10, 24)},
		{in: "04/24/2026", want: dueDay(2026, 4, 24)},
		{in: "05/05/2026", want: dueDay(2026, 5, 5)},
		{in: "01/02/2026", wantErr: "ambiguous"},
		{in: "12-11-2024", wantErr: "write ISO YYYY-MM-DD"},
		{in: "24/07/25", wantErr: "two-digit year"},
		{in: "31/02/2026", wantErr: "does not exist"},
		{in: "02/31/2026", wantErr: "does not exist"},
		{in: "31/31/2026", wantErr: "does not exist"},
		{in: "00/05/2026", wantErr: "does not exist"},
		{in: "24-10/2024", wantErr: "cannot read date"},
		// Dates that do not exist.
		{in: "2026-02-30", wantErr: "does not exist"},
		{in: "2026-02-31", wantErr: "does not exist"},
		{in: "2026-13-01", wantErr: "does not exist"},
		{in: "2026-00-10", wantErr: "does not exist"},
		{in: "2026-04-00", wantErr: "does not exist"},
		{in: "2026-04-31", wantErr: "April 2026 has 30 days"},
		{in: "2024-02-29", want: dueDay(2024, 2, 29)},
		{in: "2100-02-29", wantErr: "does not exist"},
		// Not dates.
		{in: "", wantErr: "empty date"},
		{in: "soon", wantErr: "write ISO YYYY-MM-DD"},
		{in: "2w", wantErr: "cannot read date"},
		{in: "12-05", wantErr: "cannot read date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in)
			dueCheckErr(t, err, tt.wantErr)
			if tt.wantErr == "" && !got.Equal(tt.want) {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if tt.wantErr == "" && got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) location = %v, want UTC", tt.in, got.Location())
			}
			if err != nil && !strings.Contains(err.Error(), tt.in) {
				t.Errorf("ParseDate(%q) error %q does not quote the input", tt.in, err)
			}
		})
	}
}

func TestQuarterEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		y, q int
		want time.Time
	}{
		{2026, 1, dueDay(2026, 3, 31)},
		{2026, 2, dueDay(2026, 6, 30)},
		{2026, 3, dueDay(2026, 9, 30)},
		{2026, 4, dueDay(2026, 12, 31)},
		{2024, 1, dueDay(2024, 3, 31)}, // leap year: still March 31
		{2023, 4, dueDay(2023, 12, 31)},
	}
	for _, tt := range tests {
		if got := QuarterEnd(tt.y, tt.q); !got.Equal(tt.want) {
			t.Errorf("QuarterEnd(%d, %d) = %v, want %v", tt.y, tt.q, got, tt.want)
		}
	}
}

func TestParseDue(t *testing.T) {
	t.Parallel()
	anchor := dueDay(2026, 1, 10)
	late := time.Date(2026, 1, 31, 18, 30, 0, 0, time.FixedZone("-05:00", -5*3600)) // Feb 1 in UTC
	tests := []struct {
		name    string
		in      string
		anchor  time.Time
		want    time.Time
		wantErr string
	}{
		{name: "iso", in: "2026-04-01", want: dueDay(2026, 4, 1)},
		{name: "iso ignores anchor", in: "2026-04-01", anchor: anchor, want: dueDay(2026, 4, 1)},
		{name: "slashes", in: "2026/04/01", want: dueDay(2026, 4, 1)},
		{name: "named", in: "Apr 1, 2026", want: dueDay(2026, 4, 1)},
		{name: "day first", in: "30 April 2026", want: dueDay(2026, 4, 30)},
		{name: "quarter", in: "Q2 2026", want: dueDay(2026, 6, 30)},
		{name: "end of quarter", in: "end of Q3 2026", want: dueDay(2026, 9, 30)},
		{name: "month year", in: "June 2026", want: dueDay(2026, 6, 30)},
		{name: "end of month", in: "end of February 2024", want: dueDay(2024, 2, 29)},
		{name: "due prefix", in: "due: 2026-04-01", want: dueDay(2026, 4, 1)},
		{name: "by prefix", in: "by 2026-04-01", want: dueDay(2026, 4, 1)},
		{name: "bold", in: "**2026-04-01**", want: dueDay(2026, 4, 1)},
		{name: "unambiguous dmy", in: "24/10/2026", want: dueDay(2026, 10, 24)},

		{name: "plus weeks", in: "+2w", anchor: anchor, want: dueDay(2026, 1, 24)},
		{name: "days", in: "30d", anchor: anchor, want: dueDay(2026, 2, 9)},
		{name: "words", in: "2 weeks", anchor: anchor, want: dueDay(2026, 1, 24)},
		{name: "in", in: "in 2 weeks", anchor: anchor, want: dueDay(2026, 1, 24)},
		{name: "within", in: "within 30 days", anchor: anchor, want: dueDay(2026, 2, 9)},
		{name: "within 7", in: "within 7 days", anchor: anchor, want: dueDay(2026, 1, 17)},
		{name: "next", in: "next 2 weeks", anchor: anchor, want: dueDay(2026, 1, 24)},
		{name: "next week", in: "next week", anchor: anchor, want: dueDay(2026, 1, 17)},
		{name: "within a month", in: "within a month", anchor: anchor, want: dueDay(2026, 2, 10)},
		{name: "range upper bound", in: "1-3 months", anchor: anchor, want: dueDay(2026, 4, 10)},
		{name: "months", in: "6 months", anchor: anchor, want: dueDay(2026, 7, 10)},
		{name: "year", in: "1y", anchor: anchor, want: dueDay(2027, 1, 10)},
		{name: "jan 31 plus a month", in: "1 month", anchor: dueDay(2026, 1, 31), want: dueDay(2026, 2, 28)},
		{name: "jan 31 plus a month leap", in: "1m", anchor: dueDay(2024, 1, 31), want: dueDay(2024, 2, 29)},
		{name: "aug 31 plus 1m", in: "+1m", anchor: dueDay(2026, 8, 31), want: dueDay(2026, 9, 30)},
		{name: "dec 31 plus 2m", in: "2 months", anchor: dueDay(2025, 12, 31), want: dueDay(2026, 2, 28)},
		{name: "anchor day as written", in: "+1d", anchor: late, want: dueDay(2026, 2, 1)},

		{name: "relative without anchor", in: "+2w", wantErr: "date or resolved_at"},
		{name: "within without anchor", in: "within 30 days", wantErr: "date or resolved_at"},

		{name: "empty", in: ""},
		{name: "TBD", in: "TBD"},
		{name: "tbd lower", in: "tbd"},
		{name: "TBC", in: "TBC"},
		{name: "TBD note", in: "TBD (after Q2 planning)"},
		{name: "n/a", in: "n/a"},
		{name: "N/A bold", in: "**N/A**"},
		{name: "dash", in: "-"},
		{name: "em dash", in: "—"},
		{name: "question", in: "?"},
		{name: "angle", in: "<date>"},
		{name: "angle words", in: "<due date>"},
		{name: "template", in: "{{ due_date }}"},
		{name: "bracket", in: "[date]"},
		{name: "due TBD", in: "due: TBD"},

		{name: "not a date", in: "before re-enabling ArgoCD sync", wantErr: "cannot read due date"},
		{name: "asap", in: "ASAP", wantErr: "cannot read due date"},
		{name: "no year", in: "June 28", wantErr: "no year"},
		{name: "invalid", in: "2026-02-30", wantErr: "does not exist"},
		{name: "invalid dmy", in: "31/02/2026", wantErr: "does not exist"},
		{name: "invalid month", in: "2026-13-01", wantErr: "does not exist"},
		{name: "ambiguous", in: "01/02/2026", wantErr: "ambiguous"},
		{name: "zero span", in: "0d", anchor: anchor, wantErr: "at least one day"},
		{name: "huge span", in: "+99999y", anchor: anchor, wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDue(tt.in, tt.anchor)
			dueCheckErr(t, err, tt.wantErr)
			if tt.wantErr == "" && !got.Equal(tt.want) {
				t.Errorf("ParseDue(%q, %v) = %v, want %v", tt.in, tt.anchor, got, tt.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, time.UTC) }
	tests := []struct {
		in      string
		want    time.Time
		offset  int // seconds east of UTC, checked when want is set
		wantErr string
	}{
		{in: "2026-01-02T14:03:00Z", want: utc(2026, 1, 2, 14, 3, 0)},
		{in: "2026-01-02T14:03:00+01:00", want: utc(2026, 1, 2, 13, 3, 0), offset: 3600},
		{in: "2026-01-02T14:03:00.250Z", want: utc(2026, 1, 2, 14, 3, 0).Add(250 * time.Millisecond)},
		{in: "2026-01-02 14:03 UTC", want: utc(2026, 1, 2, 14, 3, 0)},
		{in: "2026-01-02 14:03 GMT", want: utc(2026, 1, 2, 14, 3, 0)},
		{in: "2026-01-02 14:03 +01:00", want: utc(2026, 1, 2, 13, 3, 0), offset: 3600},
		{in: "2026-01-02 14:03 +0100", want: utc(2026, 1, 2, 13, 3, 0), offset: 3600},
		{in: "2026-01-02 14:03 -05", want: utc(2026, 1, 2, 19, 3, 0), offset: -5 * 3600},
		{in: "2026-01-02 14:03 UTC+1", want: utc(2026, 1, 2, 13, 3, 0), offset: 3600},
		{in: "2026-01-02 14:03 UTC-03:30", want: utc(2026, 1, 2, 17, 33, 0), offset: -(3*3600 + 1800)},
		{in: "2026-01-02T14:03Z", want: utc(2026, 1, 2, 14, 3, 0)},
		{in: "2026-01-02T14:03+01:00", want: utc(2026, 1, 2, 13, 3, 0), offset: 3600},
		{in: "2026-01-02 14:03:05Z", want: utc(2026, 1, 2, 14, 3, 5)},
		{in: "2026-01-02 14:03:05z", want: utc(2026, 1, 2, 14, 3, 5)},
		{in: "2021-12-10   15:40 UTC", want: utc(2021, 12, 10, 15, 40, 0)},
		{in: "2026-01-02 14:03 PST", want: utc(2026, 1, 2, 22, 3, 0), offset: -8 * 3600},
		{in: "2026-07-02 14:03 PDT", want: utc(2026, 7, 2, 21, 3, 0), offset: -7 * 3600},
		{in: "2026-01-02 14:03 CET", want: utc(2026, 1, 2, 13, 3, 0), offset: 3600},
		{in: "2026-07-02 14:03 BST", want: utc(2026, 7, 2, 13, 3, 0), offset: 3600},
		{in: "2026-01-02 14:03 est", want: utc(2026, 1, 2, 19, 3, 0), offset: -5 * 3600},
		{in: "2026-01-02 14:03 IST", want: utc(2026, 1, 2, 8, 33, 0), offset: 5*3600 + 1800},
		{in: "2026-01-02 14:03 (UTC)", want: utc(2026, 1, 2, 14, 3, 0)},
		{in: "Feb 04, 2021, 21:45 (UTC)", want: utc(2021, 2, 4, 21, 45, 0)},
		{in: "Sep 27 2017 13:06 UTC", want: utc(2017, 9, 27, 13, 6, 0)},
		{in: "Aug-27-2021 12:50:07 PM +UTC", want: utc(2021, 8, 27, 12, 50, 7)},
		{in: "July 11, 2025, 12:42 AM UTC", want: utc(2025, 7, 11, 0, 42, 0)},
		{in: "2018-08-22, 03:26pm GMT", want: utc(2018, 8, 22, 15, 26, 0)},
		{in: "2026-01-02 2:54 PM PST", want: utc(2026, 1, 2, 22, 54, 0), offset: -8 * 3600},
		{in: "**2026-01-02 14:03 UTC**", want: utc(2026, 1, 2, 14, 3, 0)},

		{in: "2026-01-02 14:03", wantErr: "no time zone: add one (e.g. UTC or +01:00)"},
		{in: "2026-01-02T14:03", wantErr: "no time zone"},
		{in: "2026-01-02T14:03:05", wantErr: "no time zone"},
		{in: "Sep 27 2017 13:06", wantErr: "no time zone"},
		{in: "2026-01-02", wantErr: "no time of day"},
		{in: "2019-12-03 --:--", wantErr: "no time of day"},
		{in: "21:45 UTC", wantErr: "no date"},
		{in: "2026-01-02 14:03 XYZ", wantErr: "unknown time zone"},
		{in: "2026-01-02 14:03 +25:00", wantErr: "does not exist"},
		{in: "2026-01-02 25:03 UTC", wantErr: "does not exist"},
		{in: "2026-01-02 14:73 UTC", wantErr: "does not exist"},
		{in: "2026-01-02 13:03 PM UTC", wantErr: "12-hour"},
		{in: "2026-02-30 14:03 UTC", wantErr: "does not exist"},
		{in: "2026-01-02 14:03 Local", wantErr: "unknown time zone"},
		{in: "", wantErr: "no time of day"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTimestamp(tt.in)
			dueCheckErr(t, err, tt.wantErr)
			if tt.wantErr != "" {
				return
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseTimestamp(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if _, off := got.Zone(); off != tt.offset {
				t.Errorf("ParseTimestamp(%q) offset = %d, want %d", tt.in, off, tt.offset)
			}
		})
	}
}

func TestParseTimestampIANA(t *testing.T) {
	t.Parallel()
	if _, err := time.LoadLocation("Europe/Berlin"); err != nil {
		t.Skip("no time zone database:", err)
	}
	got, err := ParseTimestamp("2026-07-02 14:03 Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 7, 2, 12, 3, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v (CEST)", got, want)
	}
	got, err = ParseTimestamp("2026-01-02 14:03 Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 1, 2, 13, 3, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v (CET)", got, want)
	}
}

func TestMatchHorizon(t *testing.T) {
	t.Parallel()
	horizons := map[string]Span{
		"immediate":   {Days: 7},
		"short-term":  {Days: 14},
		"Medium Term": {Days: 56},
		"long_term":   {Days: 180},
	}
	tests := []struct {
		label    string
		wantName string
		want     Span
		wantOK   bool
	}{
		// From the corpus (posthog-2025-10-21-feature-flags.md and others).
		{"Immediate Actions (Completed)", "immediate", Span{Days: 7}, true},
		{"Immediate actions (completed)", "immediate", Span{Days: 7}, true},
		{"Short-term Improvements ([Tracked in GitHub Issue #40885](https://github.com/PostHog/posthog/issues/40885))", "short-term", Span{Days: 14}, true},
		{"**In progress (next 2 weeks):**", "next 2 weeks", Span{Days: 14}, true},
		{"Medium-term", "medium-term", Span{Days: 56}, true},
		{"Medium-term Improvements", "medium-term", Span{Days: 56}, true},
		{"Long-term", "long-term", Span{Days: 180}, true},
		{"### Long-term Improvements", "long-term", Span{Days: 180}, true},
		{"Planned actions (planned or in-progress)", "", Span{}, false},
		{"To complete before re-enabling ArgoCD sync:", "", Span{}, false},
		{"Incident response and monitoring:", "", Span{}, false},
		// Spelling variants.
		{"Short term", "short-term", Span{Days: 14}, true},
		{"Short-Term Improvements", "short-term", Span{Days: 14}, true},
		{"SHORT_TERM", "short-term", Span{Days: 14}, true},
		{"### Long-term", "long-term", Span{Days: 180}, true},
		{"Improvements: long term", "long-term", Span{Days: 180}, true},
		{"Shortterm", "", Span{}, false},
		// Explicit windows win over the map.
		{"next 2 weeks", "next 2 weeks", Span{Days: 14}, true},
		{"In progress (next 2 weeks)", "next 2 weeks", Span{Days: 14}, true},
		{"within 30 days", "within 30 days", Span{Days: 30}, true},
		{"Within the next 3 months", "within the next 3 months", Span{Months: 3}, true},
		{"Medium-term (1-3 months)", "1-3 months", Span{Months: 3}, true},
		{"Short-term (1 – 2 weeks)", "1 – 2 weeks", Span{Days: 14}, true},
		{"Short-term (2 weeks)", "2 weeks", Span{Days: 14}, true},
		{"2 weeks", "2 weeks", Span{Days: 14}, true},
		{"Detected within 2 minutes", "", Span{}, false},
		{"Next steps", "", Span{}, false},
		{"", "", Span{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			t.Parallel()
			name, span, ok := MatchHorizon(tt.label, horizons)
			if name != tt.wantName || span != tt.want || ok != tt.wantOK {
				t.Errorf("MatchHorizon(%q) = (%q, %+v, %v), want (%q, %+v, %v)",
					tt.label, name, span, ok, tt.wantName, tt.want, tt.wantOK)
			}
			if ok {
				// The name found matches again (the parser stores it).
				if n2, s2, ok2 := MatchHorizon(name, horizons); !ok2 || n2 != name || s2 != span {
					t.Errorf("MatchHorizon(%q) again = (%q, %+v, %v)", name, n2, s2, ok2)
				}
			}
		})
	}
}

func TestMatchHorizonEarliestKeyWins(t *testing.T) {
	t.Parallel()
	h := map[string]Span{"short-term": {Days: 14}, "long-term": {Days: 180}, "term": {Days: 1}}
	for range 20 { // map order must not matter
		name, span, ok := MatchHorizon("Long-term follow-up of short-term fixes", h)
		if !ok || name != "long-term" || span.Days != 180 {
			t.Fatalf("got (%q, %+v, %v), want long-term", name, span, ok)
		}
	}
	if _, _, ok := MatchHorizon("Short-term", nil); ok {
		t.Error("nil map matched")
	}
}

// dueCheckErr fails unless err is nil when want is "", or contains want.
func dueCheckErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

func FuzzParseDue(f *testing.F) {
	for _, s := range []string{
		"2026-04-01", "2026/04/01", "Apr 1, 2026", "1st April 2026", "Q2 2026", "2026-Q2", "+2w",
		"within 30 days", "next 2 weeks", "1-3 months", "TBD", "{{due}}", "<date>", "31/02/2026",
		"01/02/2026", "Wednesday, 2018-08-22", "2026-04-01T10:00:00Z", "end of June 2026", "İİİ",
		"due: by on 2w", "999999999999d", "Q9 9999", "9999-12-31", "+99999y",
		"2026-01-02 14:03 UTC", "2026-02-30 10:00 UTC", "2026-01-02 24:00 UTC", "2026-01-02 14:03:60 UTC", "0000-00-00",
	} {
		f.Add(s)
	}
	anchor := dueDay(2026, 1, 31)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDue(s, anchor)
		if err == nil && !got.IsZero() && got.Location() != time.UTC {
			t.Errorf("ParseDue(%q) = %v, not UTC", s, got)
		}
		if err == nil && !got.IsZero() && (got.Hour() != 0 || got.Minute() != 0) {
			t.Errorf("ParseDue(%q) = %v, not midnight", s, got)
		}
		_, _ = ParseDue(s, time.Time{})
		// isoDay, ParseDate's way round dueISORe, reads what it reads.
		if m := dueISORe.FindStringSubmatch(s); isoDay(s) != (m != nil && m[2] == "-" && m[4] == "-" && len(m[3]) == 2 && len(m[5]) == 2 && m[6] == "") {
			t.Errorf("isoDay(%q) = %v, dueISORe %q", s, isoDay(s), m)
		}
		shortcutsAgree(t, s, anchor)
		_, _, _ = MatchHorizon(s, map[string]Span{"short-term": {Days: 14}})
	})
}

// shortcutsAgree: ParseDue and ParseTimestamp read what they read without
// their shortcuts for the common shapes (parseDue, parseTimestamp).
func shortcutsAgree(t *testing.T, s string, anchor time.Time) {
	t.Helper()
	for _, a := range []time.Time{anchor, {}} {
		got, err := ParseDue(s, a)
		want, werr := parseDue(s, a)
		if !got.Equal(want) || got.Location() != want.Location() || (err == nil) != (werr == nil) {
			t.Errorf("ParseDue(%q, %v) = %v, %v; without its shortcut %v, %v", s, a, got, err, want, werr)
		}
	}
	got, err := ParseTimestamp(s)
	want, werr := parseTimestamp(s)
	if !got.Equal(want) || got.Location().String() != want.Location().String() || (err == nil) != (werr == nil) {
		t.Errorf("ParseTimestamp(%q) = %v, %v; without its shortcut %v, %v", s, got, err, want, werr)
	}
}

// TestShortcutsAgree runs shortcutsAgree over every day of four years (and
// impossible ones) as due dates, and as timestamps at the edges of the
// hours, minutes and seconds (and past them) on the first and last days
// of every month of a leap year and of the next. (Every quarter hour of
// every seventh day took 42 s under the race detector.)
func TestShortcutsAgree(t *testing.T) {
	anchor := dueDay(2026, 1, 31)
	n := 0
	for y := 2023; y <= 2026; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				day := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
				shortcutsAgree(t, day, anchor)
				n++
				if y != 2024 && y != 2025 || d > 1 && d < 28 {
					continue
				}
				for _, h := range []int{0, 9, 23, 24} {
					for _, mi := range []int{0, 15, 59, 60} {
						shortcutsAgree(t, fmt.Sprintf("%s %02d:%02d UTC", day, h, mi), anchor)
						n++
						for _, sec := range []int{0, 59, 60} {
							shortcutsAgree(t, fmt.Sprintf("%s %02d:%02d:%02d UTC", day, h, mi, sec), anchor)
							n++
						}
					}
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("checked %d texts", n)
	}
}
