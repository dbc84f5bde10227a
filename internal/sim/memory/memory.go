// Package memory is a strict in-memory tracker: real enough to run the
// whole engine in tests (markers, statuses, duplicates, deletions), with
// hooks to fail calls and count them.
package memory

import (
	"context"
	"errors"
	"fmt"
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
	// Fail, when set, is consulted before every call ("find", "get",
	// "create", "close"); a non-nil error fails that call.
	Fail func(op string) error
}

type issue struct {
	t       ticket.Ticket
	body    string
	deleted bool
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
		out = append(out, is.t)
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
		out = append(out, is.t)
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
		out = append(out, is.t)
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
			out = append(out, is.t)
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
