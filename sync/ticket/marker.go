package ticket

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MarkerPrefix starts every marker; the version is part of it so a future
// grammar can be told apart (SPEC §4.1).
const MarkerPrefix = "pmsync:v1"

// Marker names the postmortem and item a ticket was opened for, and the
// installation that opened it.
type Marker struct {
	PM    string // postmortem id
	Item  string // item key (ai-/cf-…)
	Owner string // owner id of the installation
}

// String renders "pmsync:v1 pm=<id> item=<key> owner=<owner>". Values are
// percent-encoded so spaces and "=" in ids cannot break the grammar.
func (m Marker) String() string {
	return fmt.Sprintf("%s pm=%s item=%s owner=%s", MarkerPrefix, enc(m.PM), enc(m.Item), enc(m.Owner))
}

func enc(s string) string {
	// PathEscape keeps "/" (ids are paths) and escapes space, "=", "%".
	return strings.ReplaceAll(url.PathEscape(s), "=", "%3D")
}

// ErrNoMarker means a text carries no pmsync marker.
var ErrNoMarker = errors.New("no pmsync marker")

// ParseMarker finds the marker in a ticket's body. The grammar is strict:
// the prefix, then exactly pm=, item= and owner= in that order, each a
// non-empty percent-encoded value, separated by single spaces. A text
// with a malformed marker is an error, not a guess.
func ParseMarker(text string) (Marker, error) {
	i := strings.Index(text, MarkerPrefix+" ")
	if i < 0 {
		if strings.Contains(text, "pmsync:v") {
			return Marker{}, fmt.Errorf("unsupported marker version in %q", excerpt(text, strings.Index(text, "pmsync:v")))
		}
		return Marker{}, ErrNoMarker
	}
	rest := text[i+len(MarkerPrefix)+1:]
	if j := strings.IndexAny(rest, "\r\n"); j >= 0 {
		rest = rest[:j]
	}
	// Its own copy: the marker's fields would otherwise keep the whole
	// body they were cut from alive (a listing of 10,000 tickets kept
	// 7 MB of bodies).
	rest = strings.Clone(strings.TrimSuffix(strings.TrimSpace(rest), "-->"))
	fields := strings.Fields(rest)
	if len(fields) != 3 {
		return Marker{}, fmt.Errorf("malformed marker %q: want pm=, item= and owner=", excerpt(text, i))
	}
	var m Marker
	for k, want := range []string{"pm", "item", "owner"} {
		key, val, ok := strings.Cut(fields[k], "=")
		if !ok || key != want || val == "" {
			return Marker{}, fmt.Errorf("malformed marker %q: field %d must be %s=", excerpt(text, i), k+1, want)
		}
		dec, err := url.PathUnescape(val)
		if err != nil {
			return Marker{}, fmt.Errorf("malformed marker %q: %v", excerpt(text, i), err)
		}
		switch want {
		case "pm":
			m.PM = dec
		case "item":
			m.Item = dec
		case "owner":
			m.Owner = dec
		}
	}
	return m, nil
}

func excerpt(s string, i int) string {
	e := min(len(s), i+120)
	if j := strings.IndexAny(s[i:e], "\r\n"); j >= 0 {
		e = i + j
	}
	return s[i:e]
}
