package github

import (
	"bytes"
	"flag"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The body GitHub receives is pinned byte for byte: escaping, layout and
// truncation must not change unnoticed.
func TestBodyGolden(t *testing.T) {
	t.Parallel()
	testkit.GoldenBodies(t, "testdata/body", ".md", spec("ai-0a1b2c3d"), renderBody, *update)
}

// A lone CR is a line break to GitHub, so the detail's line ends are all
// made LF: a detail written with CR, CRLF or LF shows the same, and no CR
// reaches the body.
func TestBodyLineEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, detail, lf string
	}{
		{"lone CR", "cr only\rnext", "cr only\nnext"},
		{"CRLF", "crlf\r\nnext", "crlf\nnext"},
		{"two CRs", "one\r\rtwo", "one\n\ntwo"},
		{"CR before CRLF", "one\r\r\ntwo", "one\n\ntwo"},
		{"CR starts a block", "text\r# Heading\r- item\r@bob", "text\n# Heading\n- item\n@bob"},
		{"CR at the ends", "\r\r\nx\r", "x"},
	}
	for _, tc := range tests {
		s := spec("ai-00000006")
		s.Detail = tc.detail
		got := renderBody(s, "")
		s.Detail = tc.lf
		if want := renderBody(s, ""); got != want {
			t.Errorf("%s: the body differs from the one with LF line ends:\n got %q\nwant %q", tc.name, got, want)
		}
		if strings.Contains(got, "\r") {
			t.Errorf("%s: a CR in the body: %q", tc.name, got)
		}
	}
}

// Document text cannot undo its escaping with a backslash, a backtick or
// a bracket of its own: a mention stays code, "<" stays text, whether in
// the detail or in a field of the head.
func TestBodyDocumentTextStaysInert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		shows      string // text the body must show
	}{
		{"backtick before a mention", "x`@bob", "x`@bob"},
		{"backslash before a mention", `\@bob`, `\@bob`},
		{"lone backtick", "a ` b @bob", "a ` b @bob"},
		{"mention in backticks", "`ping @bob`", "`ping @bob`"},
		{"backslash before a comment", `\<!-- hidden @bob`, `\<!-- hidden @bob`},
		{"backslash before a tag", `\<img src=x onerror=alert(1)> @bob`, `\<img src=x onerror=alert(1)> @bob`},
		{"link", "[@bob](https://evil.example) ![i](https://evil.example/x.png)", "[@bob](https://evil.example) ![i](https://evil.example/x.png)"},
		{"reference", "[x] @bob\n\n[x]: https://evil.example", "[x]: https://evil.example"},
	}
	for _, tc := range tests {
		for _, field := range []string{"detail", "owner"} {
			s := spec("ai-0000000b")
			if field == "detail" {
				s.Detail = tc.text
			} else {
				s.OwnerText = tc.text
			}
			body := renderBody(s, "")
			if l := live(body); l["@bob"] {
				t.Errorf("%s in the %s: @bob is mentioned:\n%s", tc.name, field, body)
			}
			shows := tc.shows
			if field == "owner" {
				shows = strings.Join(strings.Fields(shows), " ")
			}
			if v := visible(body); !strings.Contains(v, shows) {
				t.Errorf("%s in the %s: the body does not show %q:\n%s\nshows:\n%s", tc.name, field, shows, body, v)
			}
		}
	}
}

// limited is the GitHub dialect with another limit, so that a small body
// can be cut at every point.
type limited struct {
	markdown
	limit int
}

func (l limited) Limit() int { return l.limit }

// A body cut to fit, at any length, keeps its escaping: it is the whole
// body up to a point that splits no escape, code span or character, and
// it mentions nobody and references no issue that the whole body did not
// (a cut "`@carolyn`" must not leave "`@car" pinging @car).
func TestBodyCutKeepsEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*ticket.Spec)
	}{
		{"mentions", func(s *ticket.Spec) {
			s.Detail = "Paged @carolyn and @acme/oncall-team; see #1234.\n@erin-x (#56) and @frank."
		}},
		{"escapes", func(s *ticket.Spec) {
			s.Detail = "a<b --> c \\<d \\\\@gus pmsync:v1 x é🚒 <<< @hal"
		}},
		{"code", func(s *ticket.Spec) {
			s.Detail = "run `ping @bob` now, ``a ` @cyd`` and `@dee` then @ed `"
		}},
		{"head", func(s *ticket.Spec) {
			s.OwnerText = "@alice-smith \\* `x` <y>"
			s.Factors = []ticket.Ref{
				{Text: "@bobby \\_ #77 `z`", URL: "https://github.com/acme/sre/issues/77"},
				{Text: "[@cyd] \\ @dot", URL: "ftp://x"},
			}
		}},
	}
	for _, tc := range tests {
		s := spec("ai-00000008")
		tc.change(&s)
		checkCuts(t, tc.name, s, 0, 1<<20)
	}
}

// FuzzBodyCut: any detail, cut anywhere.
func FuzzBodyCut(f *testing.F) {
	for _, seed := range []string{
		"Paged @carolyn; see #1234.", "a<b --> \\<d \\\\@gus é🚒", "run `ping @bob` now, ``a ` @cyd`` and ` @ed",
		"[#12](https://x/12) [a [b] c](d) ![i](j)", "```\n@bob\n```\n    @ann", "\\`@x` `` ` ``",
	} {
		f.Add(seed, uint16(0))
	}
	f.Fuzz(func(t *testing.T, detail string, from uint16) {
		s := spec("ai-00000010")
		s.Detail = detail
		checkCuts(t, "", s, int(from), 20)
	})
}

// checkCuts renders s cut to n lengths (or fewer), from the shortest
// plus skip on, and checks each against the whole body.
func checkCuts(t *testing.T, name string, s ticket.Spec, skip, n int) {
	t.Helper()
	full := ticket.Body(s, "", limited{limit: 1 << 20})
	fullLive := live(full)
	footer := markdown{}.Footer(s.Marker)
	start := len(footer) + len(truncated)
	start += skip % max(1, len(full)-start)
	for limit := start; limit < min(len(full), start+n); limit++ {
		name := fmt.Sprintf("%s, limit %d", name, limit)
		body := ticket.Body(s, "", limited{limit: limit})
		if len(body) > limit || !strings.HasSuffix(body, footer) {
			t.Errorf("%s: %d bytes, footer kept %v", name, len(body), strings.HasSuffix(body, footer))
			continue
		}
		i := strings.Index(body, truncated)
		if i < 0 {
			t.Errorf("%s: no truncation note in %q", name, body)
			continue
		}
		kept := body[:i]
		if !strings.HasPrefix(full, kept) {
			t.Errorf("%s: what is kept is not the start of the whole body:\n%q", name, kept)
			continue
		}
		if next := full[len(kept)]; !utf8.RuneStart(next) || oddBackslashes(kept) && isASCIIPunct(next) {
			t.Errorf("%s: cut inside a character or escape: …%q|%q…", name, kept[max(0, len(kept)-12):], full[len(kept):len(kept)+4])
		}
		for m := range live(body) {
			if !fullLive[m] {
				t.Errorf("%s: %s is live in the cut body, not in the whole one: …%q", name, m, kept[max(0, len(kept)-40):])
			}
		}
	}
}

func oddBackslashes(s string) bool {
	n := len(s) - len(strings.TrimRight(s, "\\"))
	return n%2 == 1
}

var (
	gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	// inertRE is HTML whose text GitHub links neither as a mention nor as
	// a reference.
	inertRE = []*regexp.Regexp{
		regexp.MustCompile(`(?s)<pre\b.*?</pre>`), regexp.MustCompile(`(?s)<code\b.*?</code>`), regexp.MustCompile(`(?s)<a\b.*?</a>`),
	}
	tagRE = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	// liveRE is a mention or an issue reference after anything but a
	// word character (GitHub is stricter about some).
	liveRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?|#[0-9]+)`)
)

// render is md as GitHub Flavored Markdown, raw HTML kept.
func render(md string) string {
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		panic(err)
	}
	return b.String()
}

// visible is the text md shows.
func visible(md string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(render(md), ""))
}

// live is the set of mentions and issue references in the text md shows,
// outside code and links.
func live(md string) map[string]bool {
	h := render(md)
	for _, re := range inertRE {
		h = re.ReplaceAllString(h, " ")
	}
	text := html.UnescapeString(tagRE.ReplaceAllString(h, " "))
	out := map[string]bool{}
	for _, m := range liveRE.FindAllStringSubmatch(text, -1) {
		out[m[1]] = true
	}
	return out
}
