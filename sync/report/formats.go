package report

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// JSON writes the report as indented JSON in the documented schema. HTML
// characters are escaped (\u003c …) so the output is safe to embed.
//
// The output is what a json.Encoder with SetIndent("", "  ") writes, but
// made one field of the report at a time and indented while it is
// written: the Encoder would hold the compact and the indented copy of
// the whole report at once. A field tagged omitempty is left out when it
// is its zero value, as the Encoder does.
func (r *Report) JSON(w io.Writer) error {
	return r.writeJSON(w, true)
}

// writeJSON writes the report's JSON, indented or compact (compact is
// what json.Encoder writes).
func (r *Report) writeJSON(w io.Writer, indent bool) error {
	b := bufio.NewWriter(w)
	ind := &indenter{b: b, compact: !indent, streams: map[reflect.Type]bool{}}
	if err := writeStruct(ind, reflect.ValueOf(r).Elem()); err != nil {
		return err
	}
	b.WriteByte('\n')
	return b.Flush()
}

// writeStruct writes a struct field by field, as encoding/json does
// (its type has no embedded fields: see streams).
func writeStruct(ind *indenter, v reflect.Value) error {
	t := v.Type()
	ind.write([]byte{'{'})
	sep := false
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",omitempty,") && emptyJSON(v.Field(i)) {
			continue
		}
		key, err := json.Marshal(cmp.Or(name, f.Name))
		if err != nil {
			return err
		}
		if sep {
			ind.write([]byte{','})
		}
		sep = true
		ind.write(key)
		ind.write([]byte{':'})
		if err := writeJSONValue(ind, v.Field(i)); err != nil {
			return err
		}
	}
	ind.write([]byte{'}'})
	return nil
}

// writeJSONValue writes v as encoding/json does. The item lists (at
// 100,000 items the items alone are about 100 MB of JSON) are written an
// element at a time, each row derived, encoded and let go in turn; so are
// slices and structs that hold such lists, so that no list is ever held
// encoded whole.
func writeJSONValue(ind *indenter, v reflect.Value) error {
	switch {
	case v.Type().Implements(reflect.TypeFor[seqJSON]()):
		var err error
		ind.write([]byte{'['})
		n := 0
		v.Interface().(seqJSON).eachJSON(func(e any) bool {
			if n > 0 {
				ind.write([]byte{','})
			}
			n++
			var val []byte
			if val, err = json.Marshal(e); err != nil {
				return false
			}
			ind.write(val)
			return true
		})
		ind.write([]byte{']'})
		return err
	case v.Kind() == reflect.Struct && ind.streamed(v.Type()):
		return writeStruct(ind, v)
	case v.Kind() == reflect.Slice && !v.IsNil() && v.Type().Elem().Kind() != reflect.Uint8:
		ind.write([]byte{'['})
		for j := range v.Len() {
			if j > 0 {
				ind.write([]byte{','})
			}
			if err := writeJSONValue(ind, v.Index(j)); err != nil {
				return err
			}
		}
		ind.write([]byte{']'})
		return nil
	}
	val, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	ind.write(val)
	return nil
}

// streamed reports whether values of t hold an item list (seqJSON), so
// that writeJSONValue goes into them rather than encoding them whole. A
// struct with embedded fields is encoded whole (writeStruct does not
// promote fields); none of the report's lists is in one.
func (in *indenter) streamed(t reflect.Type) bool {
	if s, ok := in.streams[t]; ok {
		return s
	}
	in.streams[t] = false // a recursive type is not streamed through itself
	s := false
	switch {
	case t.Implements(reflect.TypeFor[seqJSON]()):
		s = true
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Pointer:
		s = in.streamed(t.Elem())
	case t.Kind() == reflect.Struct:
		embedded := false
		for i := range t.NumField() {
			f := t.Field(i)
			embedded = embedded || f.Anonymous
			s = s || (f.IsExported() && in.streamed(f.Type))
		}
		s = s && !embedded
	}
	in.streams[t] = s
	return s
}

// emptyJSON is encoding/json's "empty" for omitempty.
func emptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return v.IsZero()
}

// indenter writes compact JSON (no space outside strings), given in any
// number of pieces, indented by two spaces a level as json.Indent does:
// an empty object or array stays {} or [].
type indenter struct {
	b                       *bufio.Writer
	depth                   int
	inString, escaped, open bool
	compact                 bool                  // pass the pieces through as they are
	streams                 map[reflect.Type]bool // streamed's answers
}

func (in *indenter) newline() {
	in.b.WriteByte('\n')
	for range in.depth {
		in.b.WriteString("  ")
	}
}

func (in *indenter) write(compact []byte) {
	b := in.b
	if in.compact {
		b.Write(compact)
		return
	}
	for _, c := range compact {
		if in.inString {
			b.WriteByte(c)
			switch {
			case in.escaped:
				in.escaped = false
			case c == '\\':
				in.escaped = true
			case c == '"':
				in.inString = false
			}
			continue
		}
		if in.open && c != '}' && c != ']' {
			in.open = false
			in.depth++
			in.newline()
		}
		switch c {
		case '{', '[':
			in.open = true // the newline waits: {} and [] stay empty
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			in.newline()
		case ':':
			b.WriteString(": ")
		case '}', ']':
			if in.open {
				in.open = false
			} else {
				in.depth--
				in.newline()
			}
			b.WriteByte(c)
		case '"':
			in.inString = true
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// CSVHeader is the fixed header of the CSV: one row per item, columns as
// the JSON fields of ItemRow. The columns v2 added come after v1's, and
// the nudge columns (nudges, last_nudge) after those.
var CSVHeader = []string{
	"doc_id", "doc_title", "incident_date", "severity", "team", "kind", "key", "line", "text",
	"owner", "owner_account", "due", "ticket", "ticket_url", "state", "done_in_doc", "no_ticket",
	"created", "done", "overdue", "days_overdue", "on_time", "age_days", "days_to_close",
	"tracker_due", "tracker_assignee", "slip_days",
	"person", "owner_name", "due_soon", "from_ticket", "ticket_age_days", "days_to_close_from_ticket", "tracker_assignee_name",
	"nudges", "last_nudge",
}

// CSV writes one row per item under CSVHeader. Booleans are true/false;
// absent values are empty cells. A cell starting with = + - @, a tab or a
// carriage return gets a leading apostrophe so spreadsheets do not run it
// as a formula (CSV injection).
func (r *Report) CSV(w io.Writer) error {
	c := csv.NewWriter(w)
	if err := c.Write(CSVHeader); err != nil {
		return err
	}
	for it := range r.Items.All() {
		days := ""
		if it.Overdue {
			days = strconv.Itoa(it.DaysOverdue)
		}
		line := ""
		if it.Line > 0 {
			line = strconv.Itoa(it.Line)
		}
		slip := ""
		if it.SlipDays > 0 {
			slip = strconv.Itoa(it.SlipDays)
		}
		rec := []string{
			it.DocID, it.DocTitle, it.IncidentDate, it.Severity, it.Team, it.Kind, it.Key, line, it.Text,
			it.Owner, it.OwnerAccount, it.Due, it.Ticket, it.TicketURL, it.State, strconv.FormatBool(it.DoneInDoc), strconv.FormatBool(it.NoTicket),
			it.Created, it.Done, strconv.FormatBool(it.Overdue), days, optBool(it.OnTime), optInt(it.AgeDays), optInt(it.DaysToClose),
			it.TrackerDue, it.TrackerAssignee, slip,
			it.Person, it.OwnerName, strconv.FormatBool(it.DueSoon), strconv.FormatBool(it.FromTicket), optInt(it.TicketAgeDays), optInt(it.DaysToCloseFromTicket), it.TrackerAssigneeName,
			strconv.Itoa(it.Nudges), it.LastNudge,
		}
		for i := range rec {
			rec[i] = defuse(rec[i])
		}
		if err := c.Write(rec); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// defuse neutralizes a cell a spreadsheet would read as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func optBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// Digest is a SHA-256 (hex) of the report's content without its
// generation time: two reports with the same digest say the same thing.
// A committed report is replaced only when its digest changes, so the
// repository gets no commit per run just for a new timestamp.
func (r *Report) Digest() string {
	c := *r
	c.GeneratedAt = ""
	h := sha256.New()
	// Streamed into the hash: json.Encoder would first build the whole
	// encoded report (10 MB at 10,000 items). The bytes are the
	// Encoder's, so a digest stored by an earlier version still matches.
	if err := c.writeJSON(h, false); err != nil {
		// Encoding a Report cannot fail (no channels, funcs or cycles);
		// an empty digest never equals a stored one, so the report is
		// rewritten rather than silently kept.
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
