package memory

import (
	"errors"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/trackertest"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

type control struct{ m *Tracker }

func (c control) Close(_ testing.TB, r ticket.Ref, how string) {
	st := ticket.Status{State: ticket.StateDone, Done: c.m.now()}
	if how == "wontdo" {
		st = ticket.Status{State: ticket.StateWontDo}
	}
	c.m.SetStatus(r.Text, st)
}

func (c control) Start(_ testing.TB, r ticket.Ref) bool {
	c.m.SetStatus(r.Text, ticket.Status{State: ticket.StateInProgress})
	return true
}

func (c control) Delete(_ testing.TB, r ticket.Ref) { c.m.Delete(r.Text) }

func (c control) Comments(_ testing.TB, r ticket.Ref) []string {
	var out []string
	for _, cm := range c.m.Comments(r.Text) {
		out = append(out, cm.Text)
	}
	return out
}

// FailNextComment fails the next comment: refused and server errors with
// trackers.ErrPermanent (the memory tracker's "not posted").
func (c control) FailNextComment(_ testing.TB, kind string) {
	failed := false
	c.m.Fail = func(op string) error {
		if op != "comment" || failed {
			return nil
		}
		failed = true
		if kind == "refused" || kind == "server-error" {
			return trackers.Permanent(errors.New(kind))
		}
		return errors.New(kind)
	}
}

func TestConformance(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	trackertest.Run(t, trackertest.Harness{
		Target: ticket.Target{Tracker: "mem", Repo: "acme/sre"},
		Today:  func() time.Time { return now },
		New: func(t *testing.T) (trackers.Tracker, trackertest.Control) {
			m := New("mem", func() time.Time { return now })
			return m, control{m}
		},
	})
}
