// Package memory is a strict in-memory tracker: real enough to run the
// whole engine in tests (markers, statuses, duplicates, deletions), with
// hooks to fail calls and count them.
package memory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Tracker is an in-memory tracker. The zero value is not usable; use New.
type Tracker struct {
	name string
	now  func() time.Time

	mu     sync.Mutex
	issues map[string]*issue // by "repo#n"
	next   map[string]int    // next number by repo
	calls  []string
	seq    int // ids of comments
	// Fail, when set, is consulted before every call ("find", "get",
	// "create", "close", and Nudge's "labels", "label", "comment",
	// "unlabel", "twins", "uncomment"); a non-nil error fails that call. A comment failing with
	// trackers.ErrPermanent was refused (its label is taken back); any
	// other error leaves it unknown whether it was posted.
	Fail func(op string) error
}

type issue struct {
	t        ticket.Ticket
	body     string
	deleted  bool
	comments []Comment
}

// Comment is a comment a ticket received (and still has).
type Comment struct {
	ID   string
	Text string // as rendered (Comment.Render with a plain dialect)
	Time time.Time
}

// New returns an empty tracker named name. now is its clock (nil: time.Now).
func New(name string, now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{name: name, now: now, issues: map[string]*issue{}, next: map[string]int{}}
}

var (
	_ trackers.Tracker    = (*Tracker)(nil)
	_ trackers.Identifier = (*Tracker)(nil)
	_ trackers.Nudger     = (*Tracker)(nil)
)

// Account is the author of the tickets the tracker creates.
const Account = "pmsync"

// Account is the account tickets created here have as author; the
// "account" operation can be failed through Fail.
func (m *Tracker) Account(context.Context, ticket.Target) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("account"); err != nil {
		return "", err
	}
	return Account, nil
}

// Name is the tracker's name.
func (m *Tracker) Name() string { return m.name }

func (m *Tracker) call(op string) error {
	m.calls = append(m.calls, op)
	if m.Fail != nil {
		return m.Fail(op)
	}
	return nil
}

// Calls returns the operations called so far.
func (m *Tracker) Calls() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.calls...)
}

func where(t ticket.Target) string {
	if t.Repo != "" {
		return t.Repo
	}
	return t.Project
}

// refOf hands out references shaped like the real trackers' (documents
// recognise tickets by those shapes): GitHub issue URLs for repos, Jira
// browse URLs for projects.
func refOf(where string, n int) ticket.Ref {
	if strings.Contains(where, "/") {
		return ticket.Ref{Text: where + "#" + strconv.Itoa(n), URL: "https://mem.example/" + where + "/issues/" + strconv.Itoa(n)}
	}
	key := where + "-" + strconv.Itoa(n)
	return ticket.Ref{Text: key, URL: "https://mem.example/browse/" + key}
}

// keyOf is the map key of a reference.
func keyOf(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Text
}

// Recognize accepts the references this tracker hands out.
func (m *Tracker) Recognize(ref ticket.Ref) (ticket.Target, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	is, ok := m.issues[keyOf(ref)]
	if !ok {
		for _, c := range m.issues {
			if c.t.Ref.Text == ref.Text {
				is, ok = c, true
			}
		}
	}
	if !ok {
		return ticket.Target{}, strings.HasPrefix(ref.URL, "https://mem.example/")
	}
	return is.t.Target, true
}

// Find lists marked tickets of target updated at or after since.
func (m *Tracker) Find(_ context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("find"); err != nil {
		return nil, err
	}
	var out []ticket.Ticket
	for _, is := range m.issues {
		if is.deleted || is.t.Target != target || !is.t.HasMarker {
			continue
		}
		if !since.IsZero() && is.t.Updated.Before(since) {
			continue
		}
		out = append(out, is.ticket())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.Text < out[j].Ref.Text })
	return out, nil
}

// FindChanged lists every ticket of target updated at or after since,
// marked or not (trackers.ChangeLister).
func (m *Tracker) FindChanged(_ context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("find-changed"); err != nil {
		return nil, err
	}
	if since.IsZero() {
		return nil, errors.New("memory: FindChanged needs a since")
	}
	var out []ticket.Ticket
	for _, is := range m.issues {
		if is.deleted || is.t.Target != target || is.t.Updated.Before(since) {
			continue
		}
		out = append(out, is.ticket())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.Text < out[j].Ref.Text })
	return out, nil
}

// Get fetches tickets by reference; unknown or deleted ones are Missing.
func (m *Tracker) Get(_ context.Context, refs []ticket.Ref) ([]ticket.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("get"); err != nil {
		return nil, err
	}
	var out []ticket.Ticket
	for _, r := range refs {
		is, ok := m.issues[keyOf(r)]
		if !ok || is.deleted {
			out = append(out, ticket.Ticket{Ref: r, Status: ticket.Status{State: ticket.StateMissing}})
			continue
		}
		out = append(out, is.ticket())
	}
	return out, nil
}

// Create opens a ticket.
func (m *Tracker) Create(_ context.Context, s ticket.Spec) (ticket.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("create"); err != nil {
		return ticket.Ticket{}, err
	}
	repo := where(s.Target)
	if repo == "" || s.Title == "" {
		return ticket.Ticket{}, trackers.Permanent(errors.New("memory: create needs a repo and a title"))
	}
	m.next[repo]++
	n := m.next[repo]
	now := m.now()
	t := ticket.Ticket{
		Target: s.Target, Ref: refOf(repo, n), Marker: s.Marker, HasMarker: true, Title: s.Title,
		Status: ticket.Status{State: ticket.StateOpen}, Created: now, Updated: now,
		Assignee: s.Assignee, Due: s.Due, Author: Account,
	}
	m.issues[keyOf(t.Ref)] = &issue{t: t, body: s.Marker.String()}
	return t, nil
}

// CloseDuplicate closes dup.
func (m *Tracker) CloseDuplicate(_ context.Context, dup, keep ticket.Ticket) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("close"); err != nil {
		return err
	}
	is, ok := m.issues[keyOf(dup.Ref)]
	if !ok || is.deleted {
		return fmt.Errorf("memory: close %s: %w", dup.Ref.Text, trackers.ErrNotFound)
	}
	is.t.Status = ticket.Status{State: ticket.StateWontDo}
	is.t.Updated = m.now()
	return nil
}

// All returns every ticket (deleted ones excluded), sorted by reference.
func (m *Tracker) All() []ticket.Ticket {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ticket.Ticket
	for _, is := range m.issues {
		if !is.deleted {
			out = append(out, is.ticket())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.Text < out[j].Ref.Text })
	return out
}

func (m *Tracker) byText(ref string) (*issue, bool) {
	for _, is := range m.issues {
		if is.t.Ref.Text == ref {
			return is, true
		}
	}
	return nil, false
}

// SetStatus changes a ticket's status, as a person would in the tracker.
func (m *Tracker) SetStatus(ref string, st ticket.Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if is, ok := m.byText(ref); ok {
		is.t.Status = st
		is.t.Updated = m.now()
	}
}

// Edit changes a ticket as a person (or another installation) could:
// its marker, author or title.
func (m *Tracker) Edit(ref string, fn func(*ticket.Ticket)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if is, ok := m.byText(ref); ok {
		fn(&is.t)
		is.t.Updated = m.now()
	}
}

// Delete removes a ticket.
func (m *Tracker) Delete(ref string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if is, ok := m.byText(ref); ok {
		is.deleted = true
	}
}

// Inject adds a ticket as if another run (or person) had created it; an
// empty Author means pmsync's account (another run).
func (m *Tracker) Inject(t ticket.Ticket) ticket.Ticket {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.Author == "" {
		t.Author = Account
	}
	t.Labels = slices.Clone(t.Labels)
	repo := where(t.Target)
	m.next[repo]++
	t.Ref = refOf(repo, m.next[repo])
	if t.Created.IsZero() {
		t.Created = m.now()
	}
	t.Updated = t.Created
	m.issues[keyOf(t.Ref)] = &issue{t: t}
	return t
}

// ticket is the issue as a read returns it: its labels copied.
func (is *issue) ticket() ticket.Ticket {
	t := is.t
	t.Labels = slices.Clone(is.t.Labels)
	return t
}

// Nudge takes a follow-up step (trackers.Nudger) in the order the real
// trackers do, through the same trackers.Step.
func (m *Tracker) Nudge(ctx context.Context, ref ticket.Ref, label string, c ticket.Comment) error {
	if err := ticket.CheckLabel(label); err != nil {
		return trackers.Permanent(fmt.Errorf("memory: nudge: %w", err))
	}
	text, err := c.Render(plain{})
	if err != nil {
		return trackers.Permanent(fmt.Errorf("memory: nudge: %w", err))
	}
	// edit runs fn on the issue under the lock, after the op's Fail hook.
	edit := func(op string, fn func(is *issue)) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		if err := m.call(op); err != nil {
			return err
		}
		is, ok := m.issues[keyOf(ref)]
		if !ok || is.deleted {
			return fmt.Errorf("memory: nudge %s: %w", ref.Text, trackers.ErrNotFound)
		}
		fn(is)
		return nil
	}
	step := trackers.Step{
		Label: label,
		Labels: func(context.Context) (labels []string, err error) {
			err = edit("labels", func(is *issue) { labels = slices.Clone(is.t.Labels) })
			return labels, err
		},
		AddLabel: func(context.Context) error {
			return edit("label", func(is *issue) {
				if !slices.Contains(is.t.Labels, label) {
					is.t.Labels = append(is.t.Labels, label)
				}
				is.t.Updated = m.now()
			})
		},
		RemoveLabel: func(context.Context) error {
			return edit("unlabel", func(is *issue) {
				is.t.Labels = slices.DeleteFunc(is.t.Labels, func(l string) bool { return l == label })
				is.t.Updated = m.now()
			})
		},
		Comment: func(context.Context) (id string, err error) {
			err = edit("comment", func(is *issue) { id = m.comment(is, text) })
			return id, err
		},
		// One account posts every comment here: a twin is a comment with
		// the same text.
		Twins: func(_ context.Context, since time.Time) (ids []string, err error) {
			err = edit("twins", func(is *issue) {
				for _, c := range is.comments {
					if c.Text == text && !c.Time.Before(since) {
						ids = append(ids, c.ID)
					}
				}
			})
			return ids, err
		},
		DeleteComment: func(_ context.Context, id string) error {
			return edit("uncomment", func(is *issue) {
				is.comments = slices.DeleteFunc(is.comments, func(c Comment) bool { return c.ID == id })
			})
		},
		NotPosted: func(err error) bool { return errors.Is(err, trackers.ErrPermanent) },
		Now:       m.now,
		What:      ref.Text,
		Log:       slog.New(slog.DiscardHandler),
	}
	return step.Run(ctx)
}

// Comment posts c with no label (trackers.Nudger).
func (m *Tracker) Comment(_ context.Context, ref ticket.Ref, c ticket.Comment) error {
	text, err := c.Render(plain{})
	if err != nil {
		return trackers.Permanent(fmt.Errorf("memory: comment: %w", err))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("comment"); err != nil {
		return err
	}
	is, ok := m.issues[keyOf(ref)]
	if !ok || is.deleted {
		return fmt.Errorf("memory: comment on %s: %w", ref.Text, trackers.ErrNotFound)
	}
	m.comment(is, text)
	return nil
}

// comment adds a comment to is and returns its id; m.mu is held.
func (m *Tracker) comment(is *issue, text string) string {
	m.seq++
	now := m.now()
	id := strconv.Itoa(m.seq)
	is.comments = append(is.comments, Comment{ID: id, Text: text, Time: now})
	is.t.Updated = now
	return id
}

// Comments returns the comments a ticket received, oldest first.
func (m *Tracker) Comments(ref string) []Comment {
	m.mu.Lock()
	defer m.mu.Unlock()
	if is, ok := m.byText(ref); ok {
		return slices.Clone(is.comments)
	}
	return nil
}

// plain is the comment dialect of the memory tracker: text as is,
// mentions as "@id" (teams "@team:id"), links as "text <url>".
type plain struct{}

func (plain) Mention(mn ticket.Mention) (string, error) {
	if mn.ID == "" || strings.ContainsAny(mn.ID, " \t\n") {
		return "", fmt.Errorf("mention %q", mn.ID)
	}
	if mn.Team {
		return "@team:" + mn.ID, nil
	}
	return "@" + mn.ID, nil
}
func (plain) Text(s string) string         { return s }
func (plain) Link(text, url string) string { return text + " <" + url + ">" }
func (plain) Autolink(url string) string   { return "<" + url + ">" }
func (plain) Cut(s string, n int) string   { return ticket.Cut(s, n) }
func (plain) CommentLimit() int            { return 65536 }
