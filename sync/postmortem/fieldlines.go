package postmortem

import (
	"strings"
)

// This file reads an item written with one field a line:
//
//	- Fix the queue alert
//	  Owner: @alice
//	  Due: 2026-04-01
//	  Status: done
//
// A continuation line that starts with a field's label ends the title
// (and the field before it) and is read as that field, in any order.

// lineField is the field a label at the start of a continuation line
// names.
type lineField uint8

const (
	lfNone lineField = iota
	lfOwner
	lfDue
	lfStatus
	lfPriority
	lfTicket
	lfType
	lfTeam
)

// lineLabels are the labels read at the start of a continuation line:
// the table's column names for those fields (columnSynonyms), and
// "target" of fieldLabels (a due word to reTailDate too). "By" and
// "When" start prose too often. Owner lines are left to reOwnerField:
// a label here only ends a field written on the same line before it.
var lineLabels = func() map[string]lineField {
	out := map[string]lineField{"target": lfDue}
	for l, c := range columnSynonyms {
		switch c {
		case colOwner:
			out[l] = lfOwner
		case colDue:
			if l != "by" && l != "when" {
				out[l] = lfDue
			}
		case colStatus:
			out[l] = lfStatus
		case colPriority:
			out[l] = lfPriority
		case colTicket:
			out[l] = lfTicket
		case colType:
			out[l] = lfType
		case colTeam:
			out[l] = lfTeam
		}
	}
	return out
}()

// strongLabels say what follows is their field whatever it reads as. A
// value after another label ("Issue: the alert is noisy", "Target: 99.9%
// of requests") is its field only when it reads as one: a ticket, a date.
var strongLabels = map[string]bool{"due": true, "due date": true, "deadline": true,
	"ticket": true, "jira": true, "tracking bug": true, "tracking issue": true, "tracking link": true}

// maxLineLabel is the longest of lineLabels, and one more byte.
var maxLineLabel = func() int {
	n := 0
	for l := range lineLabels {
		n = max(n, len(l))
	}
	return n + 1
}()

// lineLabel reads a label and its ':' at the start of s: the label (lower
// case, as in lineLabels), its field and the text after the ':'.
func lineLabel(s string) (label string, f lineField, value string) {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return "", lfNone, ""
	}
	c := strings.IndexByte(s[:min(len(s), maxLineLabel)], ':')
	if c < 0 {
		return "", lfNone, ""
	}
	var buf [32]byte
	b := buf[:0]
	for i := 0; i < c; i++ {
		ch := s[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	f, ok := lineLabels[string(b)]
	if !ok {
		return "", lfNone, ""
	}
	return strings.ToLower(s[:c]), f, s[c+1:]
}

// cutFieldLines takes the continuation lines of s that start with a
// field's label off it, into m, and returns the rest. An owner line stays
// (reOwnerField reads it); so does a line whose label's value does not
// read as its field. Fields after a ',' or ';' on such a line ("Due:
// 2026-04-01, Status: done") are read each; an owner among them is left
// in s on a line of its own. A line inside parentheses stays: parenMeta
// reads them. Lines read but whose value is not one
// (Priority: must have) go to the detail.
func cutFieldLines(s string, m *inlineMeta) string {
	nl := strings.IndexByte(s, '\n')
	if nl < 0 || strings.IndexByte(s[nl:], ':') < 0 {
		return s
	}
	var b strings.Builder
	last := 0  // s[last:] is not yet copied to b
	depth := 0 // of parentheses before the line: one open holds its lines (parenMeta reads them)
	for i, seen := nl, 0; i < len(s); {
		depth += strings.Count(s[seen:i], "(") - strings.Count(s[seen:i], ")")
		seen = i
		start := i + 1 // the line's first byte; s[i] is its '\n'
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		line := strings.TrimLeft(s[start:end], " \t")
		if _, f, _ := lineLabel(line); f != lfNone && f != lfOwner && depth <= 0 {
			if keep, ok := m.fieldLine(line); ok {
				b.WriteString(s[last:i])
				if keep != "" {
					b.WriteString("\n" + keep)
				}
				last = end
			}
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// fieldLine reads a continuation line that starts with a label: ok when
// it is metadata, with what of it stays in the text (an owner field).
func (m *inlineMeta) fieldLine(line string) (keep string, ok bool) {
	var owners []string
	// Each part is a label and its value, up to a ',' or ';' before the
	// next label.
	parts := splitFields(line)
	var trial inlineMeta
	trial.keys = m.keys
	var extra []string
	for _, p := range parts {
		label, f, v := lineLabel(p)
		v = strings.TrimSpace(v)
		if f == lfOwner {
			owners = append(owners, p)
			continue
		}
		if !trial.fieldValue(label, f, v) {
			if !strongLabels[label] && f != lfStatus && f != lfPriority && f != lfType && f != lfTeam || v == "" {
				return "", false
			}
			extra = append(extra, strings.TrimSpace(p))
		}
	}
	m.fillFrom(trial)
	m.fieldDetail = append(m.fieldDetail, extra...)
	return strings.Join(owners, ", "), true
}

// splitFields cuts a line before each ',' or ';' that a label follows.
func splitFields(line string) []string {
	var parts []string
	at := 0
	for i := 0; i < len(line); i++ {
		if c := line[i]; c != ',' && c != ';' {
			continue
		}
		if _, f, _ := lineLabel(strings.TrimLeft(line[i+1:], " \t")); f != lfNone {
			parts = append(parts, line[at:i])
			at = i + 1
		}
	}
	return append(parts, strings.TrimLeft(line[at:], " \t"))
}

// fieldValue records the value v of a field line's label (f), and
// reports whether it reads as that field.
func (m *inlineMeta) fieldValue(label string, f lineField, v string) bool {
	if v == "" {
		return false
	}
	switch f {
	case lfDue:
		if !strongLabels[label] && !strings.ContainsAny(v, "0123456789") {
			return false
		}
		m.due = v
	case lfStatus:
		m.setStatus(plain(v))
	case lfPriority:
		p := normPriority(v)
		if p == "" {
			p = normPriority(strings.Trim(strings.SplitN(v, " ", 2)[0], ",;"))
		}
		if p == "" {
			return false
		}
		m.priority = p
	case lfTicket:
		ref, st, _ := parseTicketCell(v, m.keys)
		if ref.IsZero() {
			return false
		}
		m.ticket = ref
		if st != "" {
			m.setStatus(st)
		}
	case lfType:
		if t := plain(v); !rePlaceholder.MatchString(t) {
			m.typ = strings.ToLower(t)
		}
	case lfTeam:
		if t := plain(v); !rePlaceholder.MatchString(t) {
			m.team = t
		}
	default:
		return false
	}
	return true
}

// fillFrom sets the fields of m that o has and m has not: a field read
// first (a line above, or the title's own line) wins, as an "owner:"
// field does over a mention.
func (m *inlineMeta) fillFrom(o inlineMeta) {
	if m.due == "" {
		m.due = o.due
	}
	if m.priority == "" {
		m.priority = o.priority
	}
	if o.statusRaw != "" && m.statusRaw == "" {
		m.statusRaw = o.statusRaw
	}
	m.done = m.done || o.done
	if m.ticket.IsZero() {
		m.ticket = o.ticket
	}
	if m.typ == "" {
		m.typ = o.typ
	}
	if m.team == "" {
		m.team = o.team
	}
}
