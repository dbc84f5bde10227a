package ticket

import (
	"errors"
	"strings"
	"testing"
)

// commentTags is a comment dialect that shows which method wrote each part.
type commentTags struct{ tags }

func (commentTags) Mention(m Mention) (string, error) {
	if m.ID == "" {
		return "", errors.New("no id")
	}
	if m.Team {
		return "<team " + m.ID + ">", nil
	}
	return "<@" + m.ID + ">", nil
}

func (commentTags) Text(s string) string { return "<t>" + strings.ToUpper(s) }
func (d commentTags) CommentLimit() int  { return d.limit }

func TestCommentRender(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		c     Comment
		limit int
		want  string
		err   string
	}{
		{
			name: "all parts",
			c: Comment{
				Mentions: []Mention{{ID: "alice"}, {ID: "acme/sre", Team: true}},
				Text:     "Due in 3 days.", Link: "https://x/pm", LinkText: "The  postmortem",
			},
			limit: 1000,
			want:  "<@alice> <team acme/sre>\n\n<t>DUE IN 3 DAYS.\n\n<a https://x/pm><t>THE POSTMORTEM</a>",
		},
		{
			name:  "lines kept, blank runs folded, ends trimmed",
			c:     Comment{Text: "\n\n  one  \r\ntwo\r\r\n\n\n three\n\n"},
			limit: 1000,
			want:  "<t>ONE\n<t>TWO\n\n<t>THREE",
		},
		{
			name:  "link without text shows the URL",
			c:     Comment{Text: "x", Link: "https://x/pm"},
			limit: 1000,
			want:  "<t>X\n\n<a https://x/pm>",
		},
		{
			name:  "mentions alone",
			c:     Comment{Mentions: []Mention{{ID: "bob"}}},
			limit: 1000,
			want:  "<@bob>",
		},
		{
			name:  "only the text is cut",
			c:     Comment{Mentions: []Mention{{ID: "bob"}}, Text: strings.Repeat("a", 100), Link: "https://x"},
			limit: 60,
			want:  "<@bob>\n\n<t>" + strings.Repeat("A", 60-len("<@bob>\n\n<t>")-len("\n\n<a https://x>")-len(CommentCut)) + CommentCut + "\n\n<a https://x>",
		},
		{name: "empty", c: Comment{Text: " \n "}, limit: 1000, err: "empty comment"},
		{name: "bad mention", c: Comment{Mentions: []Mention{{}}, Text: "x"}, limit: 1000, err: "no id"},
		{
			name:  "mentions do not fit",
			c:     Comment{Mentions: []Mention{{ID: strings.Repeat("b", 80)}}, Text: "x"},
			limit: 40,
			err:   "exceed",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.Render(commentTags{tags{limit: tc.limit}})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Render = %q, %v; want an error with %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Render =\n%q\nwant\n%q", got, tc.want)
			}
			if len(got) > tc.limit {
				t.Errorf("%d bytes, over the limit %d", len(got), tc.limit)
			}
		})
	}
}

func TestCheckLabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		label string
		ok    bool
	}{
		{"pmsync:due-soon", true},
		{"pmsync:escalated-30d", true},
		{strings.Repeat("é", MaxLabel), true},
		{strings.Repeat("x", MaxLabel+1), false},
		{"", false},
		{"due soon", false},
		{"a,b", false},
		{"tab\there", false},
		{"nl\n", false},
		{"nbsp\u00a0x", false},
		{"bad\xff", false},
	} {
		if err := CheckLabel(tc.label); (err == nil) != tc.ok {
			t.Errorf("CheckLabel(%q) = %v, want ok %v", tc.label, err, tc.ok)
		}
	}
}
