package postmortem

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file reads the dates, timestamps and spans written in postmortems
// (SPEC §2.2, §2.4; value formats from research/postmortem-survey.md §5.4).
// Every error names the text it could not read and says what to write.

// dueSpanForms lists the span forms ParseSpan accepts, for error messages.
const dueSpanForms = `write a number and a unit: 14d, 2w, 3m (months), 1y, "30 days", "2 weeks", "6 months", "+2w"`

// dueDateForms lists the date forms ParseDate accepts, for error messages.
const dueDateForms = "write ISO YYYY-MM-DD (also accepted: 2026/04/01, Apr 1, 2026, 1 April 2026, Q2 2026)"

// dueMaxSpanDays bounds a span (about a century) so that arithmetic on it
// cannot overflow and a typo like 20260d is reported instead of obeyed.
const dueMaxSpanDays = 36600

// dueUnits maps a unit word (lower case) to the span of one unit.
var dueUnits = map[string]Span{
	"d": {Days: 1}, "day": {Days: 1}, "days": {Days: 1},
	"w": {Days: 7}, "wk": {Days: 7}, "wks": {Days: 7}, "week": {Days: 7}, "weeks": {Days: 7},
	"m": {Months: 1}, "mo": {Months: 1}, "mos": {Months: 1}, "mon": {Months: 1}, "month": {Months: 1}, "months": {Months: 1},
	"y": {Months: 12}, "yr": {Months: 12}, "yrs": {Months: 12}, "year": {Months: 12}, "years": {Months: 12},
}

// dueNumberWords are the counts a span may spell out ("a month", "two weeks").
var dueNumberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

var (
	dueSpanRe = regexp.MustCompile(`^(?:(\d{1,6})\s*|([a-z]+)\s+)([a-z]+)$`)
	// dueRangeSpanRe is "1-3 months": the upper bound counts.
	dueRangeSpanRe = regexp.MustCompile(`^(\d{1,6})\s*(?:-|–|—|to)\s*(\d{1,6})\s*([a-z]+)$`)
	dueLinkRe      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	dueWeekdayRe   = regexp.MustCompile(`(?i)^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?\s*,?\s+`)
	// dueISORe is YYYY-MM-DD (or / or .) and whatever follows.
	dueISORe = regexp.MustCompile(`^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(.*)$`)
	// dueISOTimeRe is the time part ParseDate ignores after an ISO date.
	dueISOTimeRe = regexp.MustCompile(`(?i)^(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?\s*(?:z|[+\-−]\d{1,2}(?::?\d{2})?|\(?[a-z][a-z/_+\-0-9:]*\)?)?$`)
	// dueNumericRe is DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY (or two-digit years).
	dueNumericRe = regexp.MustCompile(`^(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{2}|\d{4})$`)
	dueQuarterRe = regexp.MustCompile(`(?i)^q(\d)\s*[-/ ,']?\s*(\d{4})$`)
	dueYearQRe   = regexp.MustCompile(`(?i)^(\d{4})\s*[-/ ]?\s*q(\d)$`)
	dueDayRe     = regexp.MustCompile(`(?i)^(\d{1,2})(?:st|nd|rd|th)?$`)
	dueYearRe    = regexp.MustCompile(`^\d{4}$`)
	dueClockRe   = regexp.MustCompile(`(?i)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([ap])\.?m\b\.?)?`)
	dueOffsetRe  = regexp.MustCompile(`(?i)^(?:(?:utc|gmt|ut)\s*)?([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$`)
	// Windows named in horizon labels.
	dueRangeWindowRe = regexp.MustCompile(`(?i)\b(\d{1,4})\s*(?:-|–|—|to)\s*(\d{1,4})\s*(days?|weeks?|months?|years?)\b`)
	dueNextWindowRe  = regexp.MustCompile(`(?i)\b(?:(?:in|within)\s+(?:the\s+)?(?:next\s+)?|next\s+)(\d{1,4})\s*(days?|d|weeks?|wks?|w|months?|mos?|m|years?|yrs?|y)\b`)
	dueParenWindowRe = regexp.MustCompile(`(?i)\(\s*(?:~\s*|about\s+)?(\d{1,4})\s*(days?|weeks?|months?|years?)\s*\)`)
)

// dueMonths maps month names and abbreviations (lower case) to months.
var dueMonths = map[string]time.Month{
	"jan": time.January, "january": time.January,
	"feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March,
	"apr": time.April, "april": time.April,
	"may": time.May,
	"jun": time.June, "june": time.June,
	"jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October,
	"nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}

// dueZones maps common zone abbreviations to fixed offsets in hours east
// of UTC. Abbreviations are ambiguous in general; these are the readings an
// English-writing SRE team most likely means (IST is India, GST the Gulf).
var dueZones = map[string]float64{
	"UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0,
	"BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "WEST": 1, "MET": 1, "MEST": 2,
	"EET": 2, "EEST": 3, "MSK": 3, "GST": 4,
	"PKT": 5, "SGT": 8, "HKT": 8, "AWST": 8, "JST": 9, "KST": 9,
	"ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
	"PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
	"BRT": -3, "ART": -3,
}

// ParseSpan reads a policy or relative span: "14d", "2w", "3m" (months),
// "1y", "30 days", "2 weeks", "1 month", "+2w", "6 months". A span must be
// positive. Errors say what forms are accepted.
func ParseSpan(s string) (Span, error) {
	t := strings.ToLower(dueClean(s))
	t = strings.TrimSpace(strings.TrimPrefix(t, "+"))
	m := dueSpanRe.FindStringSubmatch(t)
	if m == nil {
		return Span{}, fmt.Errorf("cannot read span %q: %s", s, dueSpanForms)
	}
	n := dueAtoi(m[1])
	if m[2] != "" {
		var ok bool
		if n, ok = dueNumberWords[m[2]]; !ok {
			return Span{}, fmt.Errorf("cannot read span %q: %s", s, dueSpanForms)
		}
	}
	return dueSpanOf(s, n, m[3])
}

// dueSpanOf returns n units as a span, checking its size.
func dueSpanOf(s string, n int, unit string) (Span, error) {
	u, ok := dueUnits[strings.ToLower(unit)]
	if !ok {
		return Span{}, fmt.Errorf("cannot read span %q: unknown unit %q; %s", s, unit, dueSpanForms)
	}
	if n <= 0 {
		return Span{}, fmt.Errorf("span %q is empty: a span must be at least one day", s)
	}
	if n > dueMaxSpanDays || n*(u.Days+31*u.Months) > dueMaxSpanDays {
		return Span{}, fmt.Errorf("span %q is too long (more than 100 years)", s)
	}
	return Span{Days: n * u.Days, Months: n * u.Months}, nil
}

// ParseDate reads a calendar date as written in documents and returns it
// at UTC midnight: 2026-04-01, 2026/04/01, 2026.04.01, Apr 1, 2026,
// April 1 2026, 1 April 2026, 1st April 2026, 7th September, 2022,
// December 08, 2022, Wednesday, 2018-08-22 (the weekday is ignored, not
// checked), Sep 27 2017, Q2 2026 and 2026-Q2 (the last day of the
// quarter), and ISO dates with a time part that is ignored
// (2026-04-01T10:00:00Z, 2026-04-01 10:00). Other dates followed by a time
// are errors here; ParseTimestamp reads them.
//
// Numeric day-month forms (24-10-2024, 24/10/2024, 24.10.2024) are read
// only when they are unambiguous: one part is greater than 12 (so 04/24/2026
// is read as April 24) or both parts are equal. Otherwise the error says to
// write ISO YYYY-MM-DD. A date that does not exist (2026-02-31) is an error
// that says so.
func ParseDate(s string) (time.Time, error) {
	t := dueClean(s)
	if t == "" {
		return time.Time{}, fmt.Errorf("empty date: %s", dueDateForms)
	}
	if c := t[0] | 0x20; c == 'm' || c == 't' || c == 'w' || c == 'f' || c == 's' || strings.HasPrefix(t, "ſ") {
		// Only a weekday's first letter (or the ſ (?i) folds to s) can
		// start what dueWeekdayRe takes off; most dates are digits.
		t = dueWeekdayRe.ReplaceAllString(t, "")
	}

	if isoDay(t) { // the common case, read without dueISORe
		return dueMakeDate(s, dueAtoi(t[:4]), dueAtoi(t[5:7]), dueAtoi(t[8:]))
	}
	if m := dueISORe.FindStringSubmatch(t); m != nil && m[2] == m[4] {
		if rest := m[6]; rest != "" && (m[2] != "-" || !dueISOTimeRe.MatchString(rest)) {
			return time.Time{}, dueUnreadable(s)
		}
		return dueMakeDate(s, dueAtoi(m[1]), dueAtoi(m[3]), dueAtoi(m[5]))
	}
	if m := dueQuarterRe.FindStringSubmatch(t); m != nil {
		return dueQuarter(s, dueAtoi(m[2]), dueAtoi(m[1]))
	}
	if m := dueYearQRe.FindStringSubmatch(t); m != nil {
		return dueQuarter(s, dueAtoi(m[1]), dueAtoi(m[2]))
	}
	if m := dueNumericRe.FindStringSubmatch(t); m != nil && m[2] == m[4] {
		return dueNumericDate(s, dueAtoi(m[1]), dueAtoi(m[3]), m[5])
	}
	if y, mo, d, err := dueNamedDate(s, t); err != nil {
		return time.Time{}, err
	} else if d == 0 {
		return time.Time{}, &dueReadError{fmt.Sprintf("date %q has no day: %s", s, dueDateForms)}
	} else {
		return dueMakeDate(s, y, int(mo), d)
	}
}

// isoDay reports t written YYYY-MM-DD and nothing else: what dueISORe
// matches with "-" twice, two-digit month and day and nothing after.
func isoDay(t string) bool {
	if len(t) != 10 || t[4] != '-' || t[7] != '-' {
		return false
	}
	for _, i := range [8]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// dueNumericDate reads day-month-year (or an unambiguous month-day-year).
func dueNumericDate(s string, a, b int, year string) (time.Time, error) {
	if len(year) == 2 {
		return time.Time{}, fmt.Errorf("date %q has a two-digit year: write ISO YYYY-MM-DD", s)
	}
	y := dueAtoi(year)
	switch {
	case a == 0 || b == 0 || (a > 12 && b > 12):
		return time.Time{}, fmt.Errorf("date %q does not exist: write ISO YYYY-MM-DD", s)
	case a > 12: // DD-MM-YYYY
		return dueMakeDate(s, y, b, a)
	case b > 12: // MM-DD-YYYY: no other reading
		return dueMakeDate(s, y, a, b)
	case a == b:
		return dueMakeDate(s, y, a, a)
	}
	return time.Time{}, fmt.Errorf("date %q is ambiguous (%d %s or %s %d?): write ISO YYYY-MM-DD",
		s, a, time.Month(b), time.Month(a), b)
}

// dueNamedDate reads a date with a month name: month day year, day month
// year or year month day, with commas, ordinals ("1st") and "of". It
// returns d == 0 (and no error) for a month and year without a day.
func dueNamedDate(s, t string) (y int, mo time.Month, d int, err error) {
	bad := dueUnreadable(s)
	if strings.Contains(t, ":") {
		return 0, 0, 0, fmt.Errorf("date %q has a time of day: write the date alone, as ISO YYYY-MM-DD", s)
	}
	fields := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == '-' || r == '/' || r == '.' || r == '\u00a0'
	})
	toks := fields[:0]
	for _, f := range fields {
		if f != "of" && f != "the" {
			toks = append(toks, f)
		}
	}
	monthAt := -1
	for i, f := range toks {
		if m, ok := dueMonths[f]; ok {
			if monthAt >= 0 {
				return 0, 0, 0, bad
			}
			monthAt, mo = i, m
		}
	}
	if monthAt < 0 || len(toks) < 2 || len(toks) > 3 {
		return 0, 0, 0, bad
	}
	var rest []string
	rest = append(rest, toks[:monthAt]...)
	rest = append(rest, toks[monthAt+1:]...)
	if len(toks) == 2 {
		switch {
		case dueYearRe.MatchString(rest[0]):
			return dueAtoi(rest[0]), mo, 0, nil
		case dueDayRe.MatchString(rest[0]):
			return 0, 0, 0, fmt.Errorf("date %q has no year: write ISO YYYY-MM-DD", s)
		}
		return 0, 0, 0, bad
	}
	// Three tokens: the month and two others, one a day and one a year.
	dayTok, yearTok := rest[0], rest[1] // Apr 1 2026, 1 Apr 2026
	if dueYearRe.MatchString(rest[0]) && !dueYearRe.MatchString(rest[1]) {
		yearTok, dayTok = rest[0], rest[1] // 2026 Apr 1
	}
	dm := dueDayRe.FindStringSubmatch(dayTok)
	if dm == nil || !dueYearRe.MatchString(yearTok) {
		return 0, 0, 0, bad
	}
	d = dueAtoi(dm[1])
	if d == 0 {
		return 0, 0, 0, fmt.Errorf("date %q does not exist: there is no day 0", s)
	}
	return dueAtoi(yearTok), mo, d, nil
}

// dueQuarter returns the last day of a quarter, or an error naming it.
func dueQuarter(s string, y, q int) (time.Time, error) {
	if q < 1 || q > 4 {
		return time.Time{}, fmt.Errorf("date %q does not exist: quarters are Q1 to Q4", s)
	}
	return QuarterEnd(y, q), nil
}

// dueMakeDate checks that a date exists and returns it at UTC midnight.
func dueMakeDate(s string, y, m, d int) (time.Time, error) {
	if m < 1 || m > 12 {
		return time.Time{}, fmt.Errorf("date %q does not exist: there is no month %d", s, m)
	}
	if n := dueDaysIn(y, time.Month(m)); d < 1 || d > n {
		return time.Time{}, fmt.Errorf("date %q does not exist: %s %d has %d days", s, time.Month(m), y, n)
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// dueDaysIn returns the number of days of month m of year y.
func dueDaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// QuarterEnd returns the last day of quarter q (1..4) of year y, at UTC
// midnight. Other values of q count on from year y (0 is Q4 of y-1).
func QuarterEnd(y, q int) time.Time {
	return time.Date(y, time.Month(3*q+1), 0, 0, 0, 0, 0, time.UTC)
}

// ParseDue reads a due date as written on an action item: any ParseDate
// form; a month and year ("June 2026", "end of June 2026": the last day of
// the month); or a relative span (ParseSpan forms, also "in 2 weeks",
// "within 30 days", "next 2 weeks", "1-3 months" for the upper bound)
// counted from the calendar day of anchor. Month arithmetic keeps to the
// end of a short month: Jan 31 + 1 month is Feb 28 (29).
// A relative form with a zero anchor is an error saying the document needs
// a date or resolved_at. Placeholders (TBD, TBC, n/a, -, ?, <date>,
// {{...}}, an empty cell) return (zero, nil): no due date.
func ParseDue(s string, anchor time.Time) (time.Time, error) {
	// The common case, an ISO date alone, is none of the prefixes,
	// placeholders and spans parseDue tries first.
	if isoDay(s) {
		if d, err := dueMakeDate(s, dueAtoi(s[:4]), dueAtoi(s[5:7]), dueAtoi(s[8:])); err == nil {
			return d, nil
		}
	}
	return parseDue(s, anchor)
}

// parseDue is ParseDue without its shortcut.
func parseDue(s string, anchor time.Time) (time.Time, error) {
	t := dueClean(s)
	for _, p := range []string{"due date:", "due:", "due by ", "due ", "by ", "before ", "until ", "on "} {
		if r, ok := dueCutPrefixFold(t, p); ok {
			t = dueClean(r)
			break
		}
	}
	if duePlaceholder(t) {
		return time.Time{}, nil
	}
	if r, ok := dueCutPrefixFold(t, "end of "); ok {
		t = strings.TrimSpace(r)
	}
	low := strings.ToLower(t)

	if sp, ok, err := dueRelative(low); err != nil {
		return time.Time{}, fmt.Errorf("due %q: %w", s, err)
	} else if ok {
		if anchor.IsZero() {
			return time.Time{}, fmt.Errorf("due %q is relative, but there is nothing to count from: "+
				"give the document a date or resolved_at, or write the due date as YYYY-MM-DD", s)
		}
		day := time.Date(anchor.Year(), anchor.Month(), anchor.Day(), 0, 0, 0, 0, time.UTC)
		return dueAdd(day, sp), nil
	}

	d, err := ParseDate(t)
	if err == nil {
		return d, nil
	}
	var unreadable *dueReadError
	if !errors.As(err, &unreadable) {
		return time.Time{}, err // a date that does not exist, is ambiguous, ...
	}
	if y, mo, day, nerr := dueNamedDate(s, t); nerr == nil && day == 0 {
		return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, fmt.Errorf("cannot read due date %q: write ISO YYYY-MM-DD, a quarter (Q2 2026) "+
		"or a span after the incident (+2w, 30 days, within 2 weeks)", s)
}

// findIfLower is re.FindStringSubmatch(s) for an expression that ends in
// [a-z]$, run only when s ends in one.
func findIfLower(re *regexp.Regexp, s string) []string {
	return findIf(s != "" && s[len(s)-1] >= 'a' && s[len(s)-1] <= 'z', re, s)
}

// dueRelative reads the relative forms of a due date (lower case). ok is
// false for text that is not a span; err is set for a span that is wrong
// ("0d", "99999 years").
func dueRelative(low string) (sp Span, ok bool, err error) {
	for _, p := range []string{"within the next ", "in the next ", "the next ", "within ", "next ", "in "} {
		if r, ok := strings.CutPrefix(low, p); ok {
			low = strings.TrimSpace(r)
			break
		}
	}
	for _, p := range []string{" from now", " after the incident", " after resolution", " after"} {
		if r, ok := strings.CutSuffix(low, p); ok {
			low = strings.TrimSpace(r)
			break
		}
	}
	// Both expressions end in a lower-case word (most dates do not): each
	// runs only on a text that does.
	if m := findIfLower(dueRangeSpanRe, low); m != nil {
		if _, unit := dueUnits[m[3]]; unit {
			sp, err = dueSpanOf(low, dueAtoi(m[2]), m[3])
			return sp, err == nil, err
		}
	}
	if m := findIfLower(dueSpanRe, strings.TrimSpace(strings.TrimPrefix(low, "+"))); m != nil {
		if _, unit := dueUnits[m[3]]; unit {
			sp, err = ParseSpan(low)
			return sp, err == nil, err
		}
	}
	if u, unit := dueUnits[low]; unit && len(low) > 2 { // "next week"
		return u, true, nil
	}
	return Span{}, false, nil
}

// dueAdd moves t forward by sp, months first. Unlike time.AddDate, a day
// that does not exist in the target month becomes that month's last day
// (Jan 31 + 1 month = Feb 28), which is what a person writing "1 month"
// means.
func dueAdd(t time.Time, sp Span) time.Time {
	if sp.Months != 0 {
		y, m, d := t.Date()
		target := time.Date(y, m+time.Month(sp.Months), 1, 0, 0, 0, 0, t.Location())
		if n := dueDaysIn(target.Year(), target.Month()); d > n {
			d = n
		}
		h, mi, sec := t.Clock()
		t = time.Date(target.Year(), target.Month(), d, h, mi, sec, t.Nanosecond(), t.Location())
	}
	return t.AddDate(0, 0, sp.Days)
}

// duePlaceholder reports a due cell that means "no due date".
func duePlaceholder(t string) bool {
	low := strings.ToLower(strings.TrimSpace(t))
	switch low {
	case "", "tbd", "tbc", "tba", "n/a", "na", "n.a", "none", "unknown", "not set", "-", "--", "---", "–", "—", "?", "??", "???", "date", "due date":
		return true
	}
	if strings.Contains(low, "{{") || (strings.HasPrefix(low, "<") && strings.HasSuffix(low, ">")) {
		return true
	}
	if strings.HasPrefix(low, "[") && strings.HasSuffix(low, "]") && !strings.ContainsAny(low, "0123456789") {
		return true
	}
	for _, w := range []string{"tbd", "tbc", "tba"} {
		if r, ok := strings.CutPrefix(low, w); ok && (r == "" || !dueIsLetter(r[0])) {
			return true
		}
	}
	return false
}

func dueIsLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// ParseTimestamp reads an incident timestamp: RFC 3339,
// "2026-01-02 14:03 UTC", "2026-01-02 14:03 +01:00", "2026-01-02T14:03"
// with a zone, "2026-01-02 14:03:05Z", and any ParseDate date followed by a
// time ("Sep 27 2017 13:06 UTC", "Feb 04, 2021, 21:45 (UTC)", 12-hour
// "3:26 PM PST"). A timestamp without a zone is an error saying to add one.
// Zones: Z, UTC, GMT, offsets (+01:00, +0100, -05, UTC+1, GMT-3), IANA
// names when the system has them (Europe/Berlin), and a fixed table of
// common abbreviations (PST, CET, BST, ...) read as fixed offsets. The
// result is in the zone as written.
func ParseTimestamp(s string) (time.Time, error) {
	if ts, ok := isoUTC(s); ok {
		return ts, nil
	}
	return parseTimestamp(s)
}

// isoUTC reads "2026-01-02 14:03 UTC" and "2026-01-02 14:03:05 UTC", the
// shape of pmsync's template and of most front matter, as parseTimestamp
// does but without its expressions.
func isoUTC(s string) (time.Time, bool) {
	if (len(s) != 20 && len(s) != 23) || !strings.HasSuffix(s, " UTC") || s[10] != ' ' || !isoDay(s[:10]) {
		return time.Time{}, false
	}
	clock := s[11 : len(s)-4] // "14:03" or "14:03:05"
	for i := 0; i < len(clock); i++ {
		if i%3 == 2 {
			if clock[i] != ':' {
				return time.Time{}, false
			}
		} else if clock[i] < '0' || clock[i] > '9' {
			return time.Time{}, false
		}
	}
	h, m, sec := dueAtoi(clock[:2]), dueAtoi(clock[3:5]), 0
	if len(clock) == 8 {
		sec = dueAtoi(clock[6:])
	}
	day, err := dueMakeDate(s[:10], dueAtoi(s[:4]), dueAtoi(s[5:7]), dueAtoi(s[8:10]))
	if err != nil || h > 23 || m > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, sec, 0, time.UTC), true
}

// parseTimestamp is ParseTimestamp without its shortcut.
func parseTimestamp(s string) (time.Time, error) {
	t := dueClean(s)
	// Only a text with RFC 3339's shape is tried as one: a failed
	// time.Parse allocates its error, for most timestamps as written.
	if len(t) >= 20 && t[4] == '-' && (t[10] == 'T' || t[10] == 't') {
		if ts, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return ts, nil
		}
	}
	loc := dueClockRe.FindStringSubmatchIndex(t)
	if loc == nil {
		return time.Time{}, fmt.Errorf("timestamp %q has no time of day: write e.g. 2026-01-02 14:03 UTC", s)
	}
	m := make([]string, len(loc)/2)
	for i := range m {
		if loc[2*i] >= 0 {
			m[i] = t[loc[2*i]:loc[2*i+1]]
		}
	}
	datePart := strings.TrimSpace(t[:loc[0]])
	if len(datePart) > 1 && (datePart[len(datePart)-1] == 'T' || datePart[len(datePart)-1] == 't') &&
		datePart[len(datePart)-2] >= '0' && datePart[len(datePart)-2] <= '9' {
		datePart = datePart[:len(datePart)-1]
	}
	datePart = strings.TrimSpace(strings.TrimSuffix(strings.TrimRight(datePart, " ,@"), " at"))
	zonePart := strings.TrimSpace(t[loc[1]:])
	if datePart == "" {
		return time.Time{}, fmt.Errorf("timestamp %q has no date: write e.g. 2026-01-02 14:03 UTC", s)
	}
	day, err := ParseDate(datePart)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	hour, minute, sec := dueAtoi(m[1]), dueAtoi(m[2]), dueAtoi(m[3])
	if ampm := strings.ToLower(m[5]); ampm != "" {
		if hour < 1 || hour > 12 {
			return time.Time{}, fmt.Errorf("timestamp %q: hour %d does not exist on a 12-hour clock", s, hour)
		}
		hour %= 12
		if ampm == "p" {
			hour += 12
		}
	}
	if hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("timestamp %q: time %s does not exist", s, m[0])
	}
	nsec := 0
	if f := m[4]; f != "" {
		nsec = dueAtoi(f + strings.Repeat("0", 9-len(f)))
	}
	if zonePart == "" {
		return time.Time{}, fmt.Errorf("timestamp %q has no time zone: add one (e.g. UTC or +01:00); "+
			"the report computes durations from it", s)
	}
	zone, err := dueZone(zonePart)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, sec, nsec, zone), nil
}

// dueZone reads a time zone as written after a time.
func dueZone(z string) (*time.Location, error) {
	z = strings.TrimSpace(strings.Trim(z, "()[] "))
	if len(z) > 1 && z[0] == '+' && dueIsLetter(z[1]) { // "+UTC"
		z = z[1:]
	}
	up := strings.ToUpper(z)
	if h, ok := dueZones[up]; ok {
		if h == 0 {
			return time.UTC, nil
		}
		return time.FixedZone(up, int(h*3600)), nil
	}
	if m := dueOffsetRe.FindStringSubmatch(z); m != nil {
		h, mi := dueAtoi(m[2]), dueAtoi(m[3])
		if h > 14 || mi > 59 {
			return nil, fmt.Errorf("offset %q does not exist: write e.g. +01:00", z)
		}
		off := h*3600 + mi*60
		sign := "+"
		if m[1] != "+" {
			off, sign = -off, "-"
		}
		if off == 0 {
			return time.UTC, nil
		}
		return time.FixedZone(fmt.Sprintf("%s%02d:%02d", sign, h, mi), off), nil
	}
	if strings.Contains(z, "/") && !strings.ContainsAny(z, " \t") {
		if l, err := time.LoadLocation(z); err == nil {
			return l, nil
		}
	}
	return nil, fmt.Errorf("unknown time zone %q: write UTC or an offset like +01:00", z)
}

// MatchHorizon finds the horizon a heading or label names and returns its
// span. An explicit window in the label wins over the map: "next 2 weeks",
// "In progress (next 2 weeks)", "within 30 days", "(2 weeks)", "(1-3
// months)" (the upper bound); name is then the window text ("next 2
// weeks"). Otherwise horizons is searched: its keys ("short-term") and the
// label are compared as words, ignoring case, Markdown, spaces, hyphens and
// underscores, so "### Short term", "Short-Term Improvements" and
// "Medium-term (1-3 months)" all name theirs; the key found earliest in the
// label wins (then the longer key). name is then the key normalised
// (lower case, words joined by '-'). ok is false when nothing matches.
func MatchHorizon(label string, horizons map[string]Span) (name string, span Span, ok bool) {
	return newHorizonWords(horizons).match(label)
}

// horizonWords are the configured horizons split into words once (a
// parser matches every heading and label against them).
type horizonWords []horizonWord

type horizonWord struct {
	words []string
	name  string // the words joined by "-"
	span  Span
}

func newHorizonWords(horizons map[string]Span) horizonWords {
	out := make(horizonWords, 0, len(horizons))
	for key, sp := range horizons {
		if kw := dueWords(key); len(kw) > 0 {
			out = append(out, horizonWord{words: kw, name: strings.Join(kw, "-"), span: sp})
		}
	}
	return out
}

// match is MatchHorizon.
func (hw horizonWords) match(label string) (name string, span Span, ok bool) {
	text := strings.TrimLeft(strings.TrimSpace(label), "# ")
	if strings.Contains(text, "](") {
		text = dueLinkRe.ReplaceAllString(text, "$1")
	}
	// The window expressions need a number: most headings have none.
	if !strings.ContainsAny(text, "0123456789") {
		goto named
	}
	if m := dueRangeWindowRe.FindStringSubmatch(text); m != nil {
		if sp, err := dueSpanOf(m[0], dueAtoi(m[2]), m[3]); err == nil {
			return dueWindowName(m[0]), sp, true
		}
	}
	if m := dueNextWindowRe.FindStringSubmatch(text); m != nil {
		if sp, err := dueSpanOf(m[0], dueAtoi(m[1]), m[2]); err == nil {
			return dueWindowName(m[0]), sp, true
		}
	}
	if m := dueParenWindowRe.FindStringSubmatch(text); m != nil {
		if sp, err := dueSpanOf(m[0], dueAtoi(m[1]), m[2]); err == nil {
			return dueWindowName(m[1] + " " + m[2]), sp, true
		}
	}

	if sp, err := ParseSpan(text); err == nil { // a label that is only a window: "2 weeks"
		return dueWindowName(dueClean(text)), sp, true
	}

named:
	words := dueWords(text)
	bestAt, bestLen := -1, 0
	for _, h := range hw {
		at := dueIndexWords(words, h.words)
		if at < 0 {
			continue
		}
		if bestAt < 0 || at < bestAt || at == bestAt && (len(h.words) > bestLen || len(h.words) == bestLen && h.name < name) {
			bestAt, bestLen, name, span = at, len(h.words), h.name, h.span
		}
	}
	if bestAt < 0 {
		return "", Span{}, false
	}
	return name, span, true
}

// dueWindowName normalises a window's text: lower case, single spaces.
func dueWindowName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.Trim(s, "() "))), " ")
}

// dueWords splits s into lower-case words of letters and digits.
func dueWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// dueIndexWords returns where the word sequence sub starts in words, or -1.
func dueIndexWords(words, sub []string) int {
outer:
	for i := 0; i+len(sub) <= len(words); i++ {
		for j, w := range sub {
			if words[i+j] != w {
				continue outer
			}
		}
		return i
	}
	return -1
}

// dueClean strips what surrounds a value in a cell or list item: spaces,
// Markdown emphasis and code marks, a link's target, trailing punctuation.
func dueClean(s string) string {
	if strings.Contains(s, "](") {
		s = dueLinkRe.ReplaceAllString(s, "$1")
	}
	for {
		old := s
		s = strings.TrimSpace(s)
		for _, w := range []string{"**", "__", "~~", "`", "*", "_"} {
			if len(s) >= 2*len(w) && strings.HasPrefix(s, w) && strings.HasSuffix(s, w) {
				s = strings.TrimSpace(s[len(w) : len(s)-len(w)])
			}
		}
		if len(s) > 1 {
			s = trimPunct(s)
		}
		if s == old {
			return s
		}
	}
}

// dueAtoi converts a string of at most a few digits; "" is 0.
func dueAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// dueReadError is ParseDate's "this is not a date at all" error, which
// lets ParseDue try its other forms; other errors (a date that does not
// exist, an ambiguous one) are final.
type dueReadError struct{ msg string }

func (e *dueReadError) Error() string { return e.msg }

// dueUnreadable returns the error for text that is no date form at all.
func dueUnreadable(s string) error {
	return &dueReadError{fmt.Sprintf("cannot read date %q: %s", s, dueDateForms)}
}

// dueCutPrefixFold removes prefix p (lower case ASCII) from s, ignoring case.
func dueCutPrefixFold(s, p string) (string, bool) {
	if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
		return s[len(p):], true
	}
	return s, false
}
