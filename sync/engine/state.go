package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/nudge"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// docRun is one document of the run. Its parsed form is dropped once
// its items are collected and read again only to write it back, so a
// steady run over thousands of documents holds items, not documents.
type docRun struct {
	path string
	id   string          // the document's id when read
	doc  *postmortem.Doc // nil when not loaded
	// unread is why the document could not be read again for its
	// creates: its other creates are deferred, not failed again.
	unread  error
	updates map[string]postmortem.Update // what the run changes, by item key
	dirty   bool
	factors map[string][]string // action key → keys of the factors it addresses
	// factorTickets are the tickets the document names for its factors,
	// when its actions name factors. updates holds only what the run
	// changes: the document says the rest (a copy of every linked item
	// was 3.5 MB at 10,000 items).
	factorTickets map[string]ticket.Ref
	// report is where its items are in the report's input items
	// (Report.Items[report[0]:report[1]]): settle moves the updates there.
	report [2]int
}

// set records an update for an item; the document is written at the
// next flush.
func (ds *docRun) set(key string, u postmortem.Update) {
	if ds.updates == nil {
		ds.updates = map[string]postmortem.Update{}
	}
	ds.updates[key] = u
	ds.dirty = true
}

// stateFile is .pmsync/state.json: what sync needs from one run to the
// next (where each target's listing stopped, the owner ids this
// installation's tickets carried before), and what the report cannot get
// again from a steady run that lists only changed tickets (each linked
// ticket's creation date, due date and assignee, its marker as first
// seen; impostors). It is advisory: loadState validates it, and a lost
// file costs one full listing.
type stateFile struct {
	Version int                `json:"version"`
	Targets map[string]listing `json:"targets"`
	// Tickets are the facts last seen of each linked ticket, by URL.
	Tickets map[string]ticketFacts `json:"tickets,omitempty"`
	// Impostors are the marked tickets opened by other accounts, by URL.
	Impostors map[string]Impostor `json:"impostors,omitempty"`
	// Digests are when each team's digest was last posted, by team.
	Digests map[string]time.Time `json:"digests,omitempty"`
	// OwnerAliases are owner ids this installation's tickets carried
	// before its id was written down (see learnAliases).
	OwnerAliases []string `json:"owner_aliases,omitempty"`
}

// listing is where a target's listing stood at the end of a run.
type listing struct {
	Since  time.Time `json:"since"`   // last observation that succeeded
	FullAt time.Time `json:"full_at"` // last full listing
	// Items is how many items were routed here at the last run whose plan
	// was not refused: the share guard counts only items beyond those.
	Items int `json:"items,omitempty"`
}

func (e *Engine) loadState(ctx context.Context, now time.Time) stateFile {
	st := stateFile{Version: 1, Targets: map[string]listing{}, Tickets: map[string]ticketFacts{}, Impostors: map[string]Impostor{}}
	f, err := e.openFile(ctx, StatePath)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			e.log().Warn("state unreadable; listing every ticket", "err", err)
		}
		return st
	}
	err = decodeState(f, &st)
	f.Close()
	if err != nil || st.Version != 1 {
		e.log().Warn("state unreadable; listing every ticket", "path", StatePath)
		return stateFile{Version: 1, Targets: map[string]listing{}, Tickets: map[string]ticketFacts{}, Impostors: map[string]Impostor{}}
	}
	if st.Targets == nil {
		st.Targets = map[string]listing{}
	}
	if st.Tickets == nil {
		st.Tickets = map[string]ticketFacts{}
	}
	if st.Impostors == nil {
		st.Impostors = map[string]Impostor{}
	}
	// The state is advisory: anyone who can change the source (a pull
	// request, in git mode) can change it. A time from the future would
	// turn off the daily full listing, or the listing of what changed,
	// for good; it is dropped, so the target is listed in full.
	for k, ts := range st.Targets {
		if ts.Since.After(now.Add(sinceMargin)) || ts.FullAt.After(now.Add(sinceMargin)) || ts.Items < 0 {
			e.log().Warn("state names a time in the future (or a negative count) for a target; it is ignored and the target listed in full", "target", k, "since", ts.Since, "full_at", ts.FullAt)
			delete(st.Targets, k)
		}
	}
	return st
}

// openFile opens one of pmsync's own files in the source, to be read as
// a stream when the source can (a folder and a git clone can).
func (e *Engine) openFile(ctx context.Context, p string) (io.ReadCloser, error) {
	if o, ok := e.Source.(fileOpener); ok {
		return o.OpenFile(ctx, p)
	}
	b, err := e.Source.ReadFile(ctx, p)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// decodeState decodes the state into st as json.Unmarshal would, a value
// at a time: the file is about 160 bytes a ticket, and read whole it was
// a steady run's largest allocation at 100,000 items (16 MB, alive with
// every item). Due dates, assignees and steps repeat across tickets:
// one copy of each is kept, not one per ticket.
func decodeState(r io.Reader, st *stateFile) error {
	dec := json.NewDecoder(r)
	if err := delim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		// Names match case-insensitively, as json.Unmarshal matches them.
		switch strings.ToLower(key) {
		case "tickets":
			err = decodeTickets(dec, st)
		case "version":
			err = dec.Decode(&st.Version)
		case "targets":
			err = dec.Decode(&st.Targets)
		case "impostors":
			err = dec.Decode(&st.Impostors)
		case "digests":
			err = dec.Decode(&st.Digests)
		case "owner_aliases":
			err = dec.Decode(&st.OwnerAliases)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return fmt.Errorf("state: %s: %w", key, err)
		}
	}
	if err := delim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("state: data after the end")
	}
	return nil
}

// decodeTickets decodes the tickets object, one ticket at a time.
func decodeTickets(dec *json.Decoder, st *stateFile) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		st.Tickets = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want an object, found %v", tok)
	}
	if st.Tickets == nil {
		st.Tickets = map[string]ticketFacts{}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string)
		var f ticketFacts
		if err := dec.Decode(&f); err != nil {
			return err
		}
		f.Due, f.Assignee = intern(f.Due), intern(f.Assignee)
		for i := range f.Steps {
			f.Steps[i] = intern(f.Steps[i])
		}
		st.Tickets[k] = f
	}
	return delim(dec, '}')
}

// delim reads the delimiter want.
func delim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("state: want %v, found %v", want, tok)
	}
	return nil
}

func (e *Engine) saveState(ctx context.Context, st stateFile, observed map[string]listing, factsChanged bool) error {
	if len(observed) == 0 && !factsChanged {
		return nil
	}
	for k, v := range observed {
		st.Targets[k] = v
	}
	if fw, ok := e.Source.(fileWriterFrom); ok {
		return fw.WriteFileFrom(context.WithoutCancel(ctx), StatePath, st.encodeTo)
	}
	b, err := st.encode()
	if err != nil {
		return err
	}
	return e.Source.WriteFile(context.WithoutCancel(ctx), StatePath, b)
}

// encode is the state as encodeTo writes it.
func (st stateFile) encode() ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(256 + 160*len(st.Tickets))
	err := st.encodeTo(&buf)
	return buf.Bytes(), err
}

// encodeTo writes the state as JSON with one ticket per line: readable
// and diffable, and written as it is encoded. (Indenting the whole state
// held the compact form, the indented form and the buffer it is written
// to: 4.3 MB at 10,000 tickets; one buffer, 1.5; a source that writes
// from a writer, none.)
func (st stateFile) encodeTo(out io.Writer) error {
	w := bufio.NewWriter(out)
	w.WriteString("{\n")
	first := true
	field := func(name string, v any) error {
		if !first {
			w.WriteString(",\n")
		}
		first = false
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %q: ", name)
		w.Write(b)
		return nil
	}
	if err := field("version", st.Version); err != nil {
		return err
	}
	if err := field("targets", st.Targets); err != nil {
		return err
	}
	if len(st.Tickets) > 0 {
		w.WriteString(",\n  \"tickets\": {")
		for i, k := range slices.Sorted(maps.Keys(st.Tickets)) {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString("\n    ")
			kb, err := json.Marshal(k)
			if err != nil {
				return err
			}
			w.Write(kb)
			w.WriteString(": ")
			vb, err := json.Marshal(st.Tickets[k])
			if err != nil {
				return err
			}
			w.Write(vb)
		}
		w.WriteString("\n  }")
	}
	for _, f := range []struct {
		name string
		v    any
		some bool
	}{
		{"impostors", st.Impostors, len(st.Impostors) > 0},
		{"digests", st.Digests, len(st.Digests) > 0},
		{"owner_aliases", st.OwnerAliases, len(st.OwnerAliases) > 0},
	} {
		if f.some {
			if err := field(f.name, f.v); err != nil {
				return err
			}
		}
	}
	w.WriteString("\n}\n")
	return w.Flush() // the first write error, if any
}

func sortedDocs(m map[string]*docRun) []*docRun {
	out := make([]*docRun, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// ticketFacts is what pmsync last saw of one ticket, kept in the state file so
// the report can give ages, time to close and drift although a steady run
// lists only the tickets that changed.
type ticketFacts struct {
	Created  time.Time `json:"created,omitzero"`
	Due      string    `json:"due,omitempty"` // YYYY-MM-DD
	Assignee string    `json:"assignee,omitempty"`
	// Item is the document and item the ticket's marker named when pmsync
	// first saw it ("pm/item"): a marker that changes later was edited.
	Item string `json:"item,omitempty"`
	// Steps are the nudge labels (pmsync:…) the ticket had when last
	// listed, or was given since: a steady run lists only the tickets
	// that changed, so the labels of the others are known from here. A
	// lost state file costs a full listing, which shows them again.
	Steps []string `json:"steps,omitempty"`
	// Nudges are the nudges this installation posted on the ticket, for
	// the report (sent, and whether the item moved within 7 days).
	Nudges []nudgeFact `json:"nudges,omitempty"`
}

// nudgeFact is one nudge posted: its step, the day, what the item looked
// like then (state, due date, assignee), and the day it was first seen
// to differ, within 7 days.
type nudgeFact struct {
	Step   string `json:"step"`
	At     string `json:"at"` // YYYY-MM-DD
	Before string `json:"before"`
	Moved  string `json:"moved,omitempty"` // YYYY-MM-DD
}

func (f ticketFacts) equal(g ticketFacts) bool {
	return f.Created.Equal(g.Created) && f.Due == g.Due && f.Assignee == g.Assignee && f.Item == g.Item &&
		slices.Equal(f.Steps, g.Steps) && slices.Equal(f.Nudges, g.Nudges)
}

func refKey(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Text
}

// remember records what a ticket says; missing tickets are forgotten.
func (st *stateFile) remember(t ticket.Ticket) bool {
	k := refKey(t.Ref)
	if t.Status.State == ticket.StateMissing {
		if _, ok := st.Tickets[k]; ok {
			delete(st.Tickets, k)
			return true
		}
		return false
	}
	f := ticketFacts{Created: t.Created.UTC(), Assignee: intern(t.Assignee)}
	if !t.Due.IsZero() {
		f.Due = intern(t.Due.UTC().Format(ticket.DateLayout))
	}
	if t.HasMarker {
		f.Item = itemID{t.Marker.PM, t.Marker.Item}.String()
	}
	for _, l := range t.Labels {
		if strings.HasPrefix(strings.ToLower(l), nudge.LabelPrefix) {
			f.Steps = append(f.Steps, intern(strings.ToLower(l)))
		}
	}
	slices.Sort(f.Steps)
	if old, ok := st.Tickets[k]; ok {
		if f.Created.IsZero() {
			f.Created = old.Created
		}
		if old.Item != "" {
			f.Item = old.Item // the first marker seen is the one kept
		}
		f.Nudges = old.Nudges
		if t.Labels == nil {
			// A read that did not return labels (a create's answer in
			// some trackers) keeps what is known.
			f.Steps = old.Steps
		}
		if old.equal(f) {
			return false
		}
	}
	st.Tickets[k] = f
	return true
}
