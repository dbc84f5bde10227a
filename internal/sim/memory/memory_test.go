package memory

import (
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
