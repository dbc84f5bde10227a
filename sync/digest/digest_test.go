package digest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

var (
	now  = time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	opts = Options{Now: now, DueSoon: 3}
)

// validate checks a payload, as JSON, against
// testdata/slack-payload.schema.json.
func validate(t *testing.T, body []byte) error {
	t.Helper()
	return testkit.JSONSchema(t, "testdata/slack-payload.schema.json")(body)
}

func mustValidate(t *testing.T, m Message) {
	t.Helper()
	b, err := json.Marshal(m.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, b); err != nil {
		t.Errorf("team %q: payload does not match the schema: %v\n%s", m.Team, err, b)
	}
}

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

func it(team, key string, due time.Time) Item {
	return Item{
		Team: team, Key: key, Title: "Fix " + key, Doc: "db.md", DocTitle: "DB failover", Owner: "Alice Example", Due: due,
		Link: "https://git.example/pm/blob/main/db.md#action-items",
		Ref:  ticket.Ref{Text: "acme/sre#" + strings.TrimPrefix(key, "ai-"), URL: "https://github.com/acme/sre/issues/" + strings.TrimPrefix(key, "ai-")},
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	items := []Item{
		it("payments", "ai-1", day(11, 14)), // due soon
		it("payments", "ai-2", day(10, 1)),  // oldest overdue
		it("payments", "ai-3", day(11, 11)), // overdue 1 day
		it("payments", "ai-4", day(11, 16)), // beyond due soon
		it("payments", "ai-5", day(11, 12)), // due today
		it("payments", "ai-6", time.Time{}), // no due date
		it("quiet", "ai-7", day(12, 30)),    // nothing to say
		it("infra", "ai-8", day(11, 13)),
	}
	items[2].Owner = ""
	msgs := Build(items, opts)
	var teams []string
	for _, m := range msgs {
		teams = append(teams, m.Team)
		mustValidate(t, m)
	}
	if !reflect.DeepEqual(teams, []string{"infra", "payments"}) {
		t.Fatalf("teams = %v, want infra and payments (quiet has nothing)", teams)
	}
	p := msgs[1]
	if p.Overdue != 2 || p.DueSoon != 2 || p.Shown != 4 {
		t.Errorf("counts: %+v", p)
	}
	if want := "Follow-ups of payments on 2026-11-12: 2 overdue, 2 due soon."; p.Payload.Text != want {
		t.Errorf("text = %q, want %q", p.Payload.Text, want)
	}
	var all []string
	for _, b := range p.Payload.Blocks {
		all = append(all, b.Text.Text)
	}
	got := strings.Join(all, "\n")
	want := `*Follow-ups of payments on 2026-11-12: 2 overdue, 2 due soon.*
*Overdue*
• <https://github.com/acme/sre/issues/2|acme/sre#2> Fix ai-2: Alice Example, due 2026-10-01, 42 days overdue (<https://git.example/pm/blob/main/db.md#action-items|DB failover>)
• <https://github.com/acme/sre/issues/3|acme/sre#3> Fix ai-3: no owner, due 2026-11-11, 1 day overdue (<https://git.example/pm/blob/main/db.md#action-items|DB failover>)
*Due soon*
• <https://github.com/acme/sre/issues/5|acme/sre#5> Fix ai-5: Alice Example, due today (<https://git.example/pm/blob/main/db.md#action-items|DB failover>)
• <https://github.com/acme/sre/issues/1|acme/sre#1> Fix ai-1: Alice Example, due 2026-11-14, in 2 days (<https://git.example/pm/blob/main/db.md#action-items|DB failover>)`
	if got != want {
		t.Errorf("blocks:\n%s\nwant\n%s", got, want)
	}
	wantComment := `Follow-ups of payments on 2026-11-12: 2 overdue, 2 due soon.

Overdue:
- Fix ai-2: Alice Example, due 2026-10-01, 42 days overdue, https://github.com/acme/sre/issues/2 (DB failover: https://git.example/pm/blob/main/db.md#action-items)
- Fix ai-3: no owner, due 2026-11-11, 1 day overdue, https://github.com/acme/sre/issues/3 (DB failover: https://git.example/pm/blob/main/db.md#action-items)

Due soon:
- Fix ai-5: Alice Example, due today, https://github.com/acme/sre/issues/5 (DB failover: https://git.example/pm/blob/main/db.md#action-items)
- Fix ai-1: Alice Example, due 2026-11-14, in 2 days, https://github.com/acme/sre/issues/1 (DB failover: https://git.example/pm/blob/main/db.md#action-items)`
	if p.Comment.Text != wantComment {
		t.Errorf("comment:\n%s\nwant\n%s", p.Comment.Text, wantComment)
	}
	if len(p.Comment.Mentions) != 0 {
		t.Errorf("a digest mentions nobody: %+v", p.Comment.Mentions)
	}
	if again := Build(items, opts); !reflect.DeepEqual(again, msgs) {
		t.Error("two builds of the same input differ")
	}
	if got := Build(items[6:7], opts); len(got) != 0 {
		t.Errorf("a team with nothing due got %+v", got)
	}
}

// TestBuildEscapes: text from documents cannot make links or mentions.
func TestBuildEscapes(t *testing.T) {
	t.Parallel()
	x := it("payments", "ai-1", day(11, 1))
	x.Title = "<!channel> ping & <https://evil.example|click here> *now*"
	x.Owner = "<@U123>"
	x.DocTitle = "a|b > c"
	x.Ref = ticket.Ref{Text: "acme/sre#1|x>", URL: "https://github.com/acme/sre/issues/1?a=1&b=<2>|3"}
	x.Link = "javascript:alert(1)"
	msgs := Build([]Item{x}, opts)
	mustValidate(t, msgs[0])
	line := msgs[0].Payload.Blocks[1].Text.Text
	for _, bad := range []string{"<!channel>", "<@U123>", "<https://evil", "javascript:"} {
		if strings.Contains(line, bad) {
			t.Errorf("%q in %s", bad, line)
		}
	}
	for _, good := range []string{"&lt;!channel&gt; ping &amp; &lt;https://evil.example|click here&gt;", "&lt;@U123&gt;",
		"<https://github.com/acme/sre/issues/1?a=1&amp;b=%3C2%3E%7C3|acme/sre#1¦x&gt;>", "(a|b &gt; c)"} {
		if !strings.Contains(line, good) {
			t.Errorf("%q not in %s", good, line)
		}
	}
}

// TestBuildLimits: a long list stays within Slack's limits and says how
// many it leaves out.
func TestBuildLimits(t *testing.T) {
	t.Parallel()
	var items []Item
	for i := range 500 {
		x := it("payments", fmt.Sprintf("ai-%03d", i), day(10, 1).AddDate(0, 0, i%40))
		x.Title = strings.Repeat("&<>", 200) // escapes to five times its length
		x.Ref.URL += "?" + strings.Repeat("q", 400)
		items = append(items, x)
	}
	for _, max := range []int{0, 10, 1000} {
		m := Build(items, Options{Now: now, DueSoon: 3, MaxItems: max})[0]
		mustValidate(t, m)
		total := 0
		for _, b := range m.Payload.Blocks {
			total += len(b.Text.Text)
		}
		if len(m.Payload.Blocks) > maxBlocks || total > maxBlocksText {
			t.Errorf("max %d: %d blocks, %d characters", max, len(m.Payload.Blocks), total)
		}
		if m.Shown == 0 || m.Shown == len(items) || (max > 0 && m.Shown > max) {
			t.Errorf("max %d: shown %d of %d", max, m.Shown, len(items))
		}
		last := m.Payload.Blocks[len(m.Payload.Blocks)-1].Text.Text
		if want := fmt.Sprintf("_and %d more (see the follow-through report)._", len(items)-m.Shown); last != want {
			t.Errorf("max %d: last block %q, want %q", max, last, want)
		}
		if !strings.HasSuffix(m.Comment.Text, fmt.Sprintf("And %d more (see the follow-through report).", len(items)-m.Shown)) {
			t.Errorf("max %d: the comment does not count the rest", max)
		}
	}
}

func TestSchemaRefusesUnescaped(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"text": "<!channel>", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]}`,
		`{"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a & b"}}]}`,
		`{"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "<https://e.example|a|b>"}}]}`,
		`{"text": "x", "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "x"}}]}`,
		`{"text": "x", "blocks": []}`,
	} {
		if err := validate(t, []byte(body)); err == nil {
			t.Errorf("the schema accepts %s", body)
		}
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	week := 168 * time.Hour
	last := map[string]time.Time{
		"a": now.Add(-week),
		"b": now.Add(-week + time.Minute),
		"c": {},
	}
	teams := []string{"d", "c", "b", "a", "a"}
	if got := Due(teams, last, week, now); !reflect.DeepEqual(got, []string{"a", "c", "d"}) {
		t.Errorf("Due = %v, want a (a week ago), c and d (never)", got)
	}
	if got := Due(teams, last, 0, now); got != nil {
		t.Errorf("every 0: %v, want none", got)
	}
}
