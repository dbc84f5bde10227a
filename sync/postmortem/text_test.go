package postmortem

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPlain(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"  plain   text  ", "plain text"},
		{"**bold** and *em* and __strong__ and _em_", "bold and em and strong and em"},
		{"keep snake_case_names and 5 * 3", "keep snake_case_names and 5 * 3"},
		{"[link text](https://x.example/a_b) and ![alt](i.png)", "link text and alt"},
		{"[ref link][1] and [nested [brackets]](u)", "ref link and nested [brackets]"},
		{"`code | with *stars*` stays", "code | with *stars* stays"},
		{"a<br>b<br />c", "a b c"},
		{"<!-- hidden -->shown", "shown"},
		{"<https://example.com/x> autolink", "https://example.com/x autolink"},
		{"&lt;START OF OUTAGE&gt; S&amp;O", "<START OF OUTAGE> S&O"},
		{`escaped \* star and \| pipe`, "escaped * star and | pipe"},
		{"~~struck~~ text", "struck text"},
		{"line one\nline two", "line one line two"},
		{"a < b > c", "a < b > c"},
		{"unclosed [bracket", "unclosed [bracket"},
	}
	for _, tc := range tests {
		if got := plain(tc.in); got != tc.want {
			t.Errorf("plain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormHeading(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Action Items", "action items"},
		{"6. Action items:", "action items"},
		{"## Root Cause(s)", "root cause"},
		{"📝 Follow-ups", "follow ups"},
		{"Action Items & Followups", "action items and followups"},
		{"IV. Root causes", "root causes"},
		{"A) Next steps?", "next steps"},
		{"**Corrective actions**", "corrective actions"},
		{"Short-term Improvements ([Tracked in GitHub Issue #40885](https://x))", "short term improvements"},
		{"2019 incident", "incident"},
	}
	for _, tc := range tests {
		if got := normHeading(tc.in); got != tc.want {
			t.Errorf("normHeading(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStatusWordsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, st := range statuses {
		ref := renderSuffix(refFor(1), st)
		r, got, ok := parseSuffix(ref[len(" "+suffixMarker):])
		if !ok || got != st || r != refFor(1) {
			t.Errorf("suffix %q read back as %+v %+v %v", ref, r, got, ok)
		}
	}
}

func FuzzOneSpace(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a", "a ", "a  b", "a\tb", "a\u00a0b", "a\u2003 b", "\xff \xfe", "a b c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := oneSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("oneSpace(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzAppendNorm checks appendNorm's table for ASCII against the rules
// it encodes, rune by rune (appendNormRunes: what appendNorm was).
func FuzzAppendNorm(f *testing.F) {
	for _, s := range []string{"", "6. Action Items", "Lessons (learned) & next steps", "📝 1. Summary", "Ünïcode Äpfel", "a((b)c)d", "R&D", "\xff(x", "IV. Follow-ups:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendNorm(nil, s)), appendNormRunes(s); got != want {
			t.Errorf("appendNorm(%q) = %q, want %q", s, got, want)
		}
	})
}

func appendNormRunes(s string) string {
	s = strings.TrimSpace(s)
	if k := indexBlank(s); k > 0 && isNumbering(s[:k]) {
		s = s[k+1:]
	}
	var dst []byte
	depth, space := 0, true
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == '&':
			if !space {
				dst = append(dst, ' ')
			}
			dst, space = append(dst, "and "...), true
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			dst, space = append(dst, byte(r)), false
		case r >= 'A' && r <= 'Z':
			dst, space = append(dst, byte(r)+('a'-'A')), false
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			dst, space = utf8.AppendRune(dst, unicode.ToLower(r)), false
		case !space:
			dst, space = append(dst, ' '), true
		}
	}
	out := bytes.TrimRight(dst, " ")
	for {
		k := bytes.IndexByte(out, ' ')
		if k <= 0 || len(bytes.Trim(out[:k], "0123456789")) != 0 {
			break
		}
		out = out[k+1:]
	}
	return string(out)
}
