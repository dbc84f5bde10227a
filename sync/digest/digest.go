// Package digest builds each team's digest of its overdue and due-soon
// follow-ups (SPEC §6.1) and posts it to a Slack-compatible incoming
// webhook. Building is pure; posting retries what is worth retrying and
// returns an error the caller reports without failing the sync.
//
// The message is a Slack incoming-webhook payload: a plain fallback text
// and section blocks of mrkdwn, within Slack's limits (a section's text
// under 3,000 characters, at most 50 blocks). Text from documents and
// trackers is escaped (&, < and >) so that it cannot make links or
// mentions such as <!channel>. testdata/slack-payload.schema.json is the
// payload shape this package relies on, with its sources.
package digest

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Item is one open action item a digest may list.
type Item struct {
	Team     string
	Key      string // item key
	Title    string
	Doc      string // the postmortem's path
	DocTitle string
	// Link is the URL of the item's section of the postmortem; may be
	// empty.
	Link  string
	Owner string    // the owner's display name; "" for none
	Due   time.Time // zero: none (never listed)
	Ref   ticket.Ref
}

// Options shape the digests.
type Options struct {
	Now time.Time
	// Location is the time zone days are counted in (UTC when nil).
	Location *time.Location
	// DueSoon is how many days before its due date an item is listed as
	// due soon.
	DueSoon int
	// MaxItems caps the lines of one message (DefaultMaxItems when 0);
	// the rest is counted in an "and N more" line.
	MaxItems int
}

// Limits of one message. Slack's are a section's text of 3,000
// characters and 50 blocks; messages whose blocks hold much more than
// 12,000 characters in all have been refused (msg_blocks_too_long).
const (
	DefaultMaxItems = 100
	maxSectionText  = 2900
	maxBlocks       = 50
	maxBlocksText   = 12000
	maxTitle        = 150
	maxFallback     = 300
	maxURL          = 500
)

// Message is one team's digest.
type Message struct {
	Team    string
	Overdue int
	DueSoon int
	// Shown is how many items the message lists; the rest are counted.
	Shown   int
	Payload Payload
	// Comment is the same digest as a ticket comment in plain text, for a
	// team's digest issue.
	Comment ticket.Comment
}

// Payload is a Slack incoming-webhook message.
type Payload struct {
	Text   string  `json:"text"`
	Blocks []Block `json:"blocks"`
}

// Block is a section block.
type Block struct {
	Type string `json:"type"`
	Text Text   `json:"text"`
}

// Text is a text object.
type Text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func section(mrkdwn string) Block {
	return Block{Type: "section", Text: Text{Type: "mrkdwn", Text: mrkdwn}}
}

// entry is an item with how late it is.
type entry struct {
	Item
	days int // past due (> 0) or until due (≤ 0)
}

// Build makes one message per team with overdue or due-soon items:
// overdue items first, then those due soon, each oldest due date first,
// with owner and links. Teams with neither get no message; items without
// a team are listed under the team "".
func Build(items []Item, o Options) []Message {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := o.Now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	byTeam := map[string][]entry{}
	for _, it := range items {
		if it.Due.IsZero() {
			continue
		}
		dy, dm, dd := it.Due.Date()
		days := int(today.Sub(time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		if days > 0 || -days <= o.DueSoon {
			byTeam[it.Team] = append(byTeam[it.Team], entry{it, days})
		}
	}
	var out []Message
	for _, team := range slices.Sorted(maps.Keys(byTeam)) {
		es := byTeam[team]
		slices.SortFunc(es, func(a, b entry) int {
			return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Doc, b.Doc), strings.Compare(a.Key, b.Key), strings.Compare(a.Ref.Text, b.Ref.Text))
		})
		out = append(out, build(team, es, today, o))
	}
	return out
}

func build(team string, es []entry, today time.Time, o Options) Message {
	msg := Message{Team: team}
	for _, e := range es {
		if e.days > 0 {
			msg.Overdue++
		} else {
			msg.DueSoon++
		}
	}
	max := cmp.Or(o.MaxItems, DefaultMaxItems)
	name := team
	if name == "" {
		name = "no team"
	}
	summary := fmt.Sprintf("Follow-ups of %s on %s: %d overdue, %d due soon.", name, today.Format(ticket.DateLayout), msg.Overdue, msg.DueSoon)
	msg.Payload.Text = Escape(truncate(summary, maxFallback))

	// Blocks: the summary, then each list's heading and lines, packed
	// into sections under the limits, leaving room for "and N more".
	blocks := []Block{section("*" + Escape(summary) + "*")}
	total := len(blocks[0].Text.Text) // text in blocks
	var cur strings.Builder           // the section being filled
	flush := func() {
		if cur.Len() > 0 {
			blocks = append(blocks, section(cur.String()))
			total += cur.Len()
			cur.Reset()
		}
	}
	plain := []string{summary}
	heading := ""
	for _, e := range es {
		h := "*Overdue*"
		if e.days <= 0 {
			h = "*Due soon*"
		}
		line := slackLine(e)
		need := len(line) + 1
		if h != heading {
			need += len(h) + 1
		}
		after := len(blocks) + 1 // blocks once this line is in
		if cur.Len() > 0 && (h != heading || cur.Len()+need > maxSectionText) {
			after++
		}
		if msg.Shown >= max || after+1 > maxBlocks || total+cur.Len()+need > maxBlocksText-200 {
			break
		}
		if h != heading {
			flush()
			cur.WriteString(h)
			plain = append(plain, "", strings.Trim(h, "*")+":")
			heading = h
		}
		if cur.Len()+need > maxSectionText {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		plain = append(plain, plainLine(e))
		msg.Shown++
	}
	flush()
	if rest := len(es) - msg.Shown; rest > 0 {
		more := fmt.Sprintf("and %d more (see the follow-through report).", rest)
		blocks = append(blocks, section("_"+more+"_"))
		plain = append(plain, "", "And "+more[len("and "):])
	}
	msg.Payload.Blocks = blocks
	msg.Comment = ticket.Comment{Text: strings.Join(plain, "\n")}
	return msg
}

// when says how late an entry is.
func when(e entry) string {
	due := e.Due.Format(ticket.DateLayout)
	switch {
	case e.days == 1:
		return "due " + due + ", 1 day overdue"
	case e.days > 1:
		return fmt.Sprintf("due %s, %d days overdue", due, e.days)
	case e.days == 0:
		return "due today"
	case e.days == -1:
		return "due tomorrow"
	}
	return fmt.Sprintf("due %s, in %d days", due, -e.days)
}

func owner(e entry) string {
	if e.Owner == "" {
		return "no owner"
	}
	return e.Owner
}

// slackLine is an entry as one mrkdwn line:
// • <ticket|acme/sre#12> Add an alert: alice, due 2026-11-05, 8 days overdue (<section|DB failover>)
func slackLine(e entry) string {
	var b strings.Builder
	b.WriteString("• ")
	if ref := link(e.Ref.URL, cmp.Or(e.Ref.Text, "ticket")); ref != "" {
		b.WriteString(ref + " ")
	} else if e.Ref.Text != "" {
		b.WriteString(Escape(e.Ref.Text) + " ")
	}
	b.WriteString(Escape(truncate(oneLine(e.Title), maxTitle)))
	b.WriteString(": " + Escape(truncate(oneLine(owner(e)), 80)) + ", " + when(e))
	doc := truncate(oneLine(cmp.Or(e.DocTitle, e.Doc, "postmortem")), 80)
	if l := link(e.Link, doc); l != "" {
		b.WriteString(" (" + l + ")")
	} else {
		b.WriteString(" (" + Escape(doc) + ")")
	}
	return b.String()
}

// plainLine is an entry as a line of plain text (the tracker escapes it).
func plainLine(e entry) string {
	s := "- " + truncate(oneLine(e.Title), maxTitle) + ": " + truncate(oneLine(owner(e)), 80) + ", " + when(e)
	if e.Ref.Text != "" || e.Ref.URL != "" {
		s += ", " + cmp.Or(e.Ref.URL, e.Ref.Text)
	}
	doc := truncate(oneLine(cmp.Or(e.DocTitle, e.Doc)), 80)
	switch {
	case e.Link != "":
		s += " (" + doc + ": " + e.Link + ")"
	case doc != "":
		s += " (" + doc + ")"
	}
	return s
}

// Escape makes text safe inside Slack mrkdwn: &, < and > become HTML
// entities, as Slack's formatting reference requires, so the text cannot
// open a link or a mention such as <!channel>.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// link is a Slack link <url|text>, or "" when u is not an http(s) URL.
// The URL's |, < and > are percent-encoded and its & escaped, so that
// neither part can end the link early.
func link(u, text string) string {
	p, err := url.Parse(u)
	if u == "" || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	safe := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", "&", "&amp;", " ", "%20", "\n", "", "\r", "").Replace(u)
	if len(safe) > maxURL {
		return "" // the text alone, so that one line stays within a section
	}
	return "<" + safe + "|" + strings.ReplaceAll(Escape(text), "|", "¦") + ">"
}

// oneLine folds whitespace, so that a title cannot start a quote or a
// list in the message.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to at most n runes, ending with … when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
