package github

import (
	"bytes"
	"flag"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/pmsync/pmsync/internal/testkit"
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
