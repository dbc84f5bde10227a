// Package metrics pushes a run's Prometheus metrics to a Pushgateway at the
// end of each run (SPEC §7), when metrics.pushgateway_url is set.
//
// Two groups are pushed, both with PUT (which replaces a whole group):
//
//   - {job, instance}: everything about this run. Replacing the group
//     each run drops series that no longer apply (a team with no items
//     left, a tracker no longer routed to), which POST would keep.
//   - {job, instance, group="last_success"}: only
//     pmsync_last_success_timestamp_seconds, pushed only by a successful
//     run, so a failed run cannot overwrite or delete it. Keeping it in
//     the run's group with POST on failure would instead leave stale
//     series behind whenever a metric had no series in the failed run.
//
// The per-tracker API counts are gauges holding this run's totals: each
// CronJob run is a fresh process, so a counter would restart every run and
// rate() over the Pushgateway's copy would be meaningless (two runs of
// 100 calls each look like no increase). The names keep the _total suffix
// to say "total for the run".
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

// TrackerStats are one tracker's API counts for the run.
type TrackerStats struct{ Calls, Errors, RateLimited int64 }

// Run is what one run pushes.
type Run struct {
	Now      time.Time
	Duration time.Duration
	Success  bool          // no document or item failed
	Items    []report.Item // in-scope items as the run leaves them
	Trackers map[string]TrackerStats
}

// Item states as the pmsync_items state label spells them.
const (
	StateNoTicket   = "no_ticket"        // no ticket (yet)
	StateDoneInDoc  = "done_in_document" // the document says done, no ticket opened
	StateUnknown    = "unknown"          // a ticket whose state no run has read yet
	groupLabel      = "group"
	lastSuccessName = "last_success"
)

// states is every state reported for each team, zeros included, so a
// dashboard sees 0 rather than a gap when a state empties.
var states = []string{
	string(ticket.StateOpen), string(ticket.StateInProgress), string(ticket.StateDone),
	string(ticket.StateWontDo), string(ticket.StateMissing), StateNoTicket, StateDoneInDoc,
}

// ItemState is the pmsync_items state label of an item.
func ItemState(it report.Item) string {
	switch {
	case it.DoneInDoc:
		return StateDoneInDoc
	case it.State == "" && it.Ticket.IsZero():
		return StateNoTicket
	}
	switch it.State {
	case ticket.StateOpen, ticket.StateInProgress, ticket.StateDone, ticket.StateWontDo, ticket.StateMissing:
		return string(it.State)
	}
	return StateUnknown
}

// Overdue reports whether an item is open or in progress with a due date
// before today, the UTC date of now.
func Overdue(it report.Item, now time.Time) bool {
	if it.Due.IsZero() || (it.State != ticket.StateOpen && it.State != ticket.StateInProgress) || it.DoneInDoc {
		return false
	}
	n := now.UTC()
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	// The due date is a calendar date: compare it as written.
	due := time.Date(it.Due.Year(), it.Due.Month(), it.Due.Day(), 0, 0, 0, 0, time.UTC)
	return due.Before(today)
}

func labelValue(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// registries builds the run group's and the success group's metrics, each
// in a fresh registry (no global state: tests and repeated runs in one
// process stay independent).
func registries(r Run) (run, success *prometheus.Registry) {
	run = prometheus.NewRegistry()
	items := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pmsync_items",
		Help: "Items (contributing factors and action items) of finalized postmortems by ticket state and team, as the last run left them.",
	}, []string{"state", "team"})
	overdue := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pmsync_items_overdue",
		Help: "Open or in-progress items whose due date is before the last run's UTC date, by team.",
	}, []string{"team"})
	lastRun := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pmsync_last_run_timestamp_seconds",
		Help: "When the last run (successful or not) ended, as a Unix time.",
	})
	duration := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pmsync_run_duration_seconds",
		Help: "How long the last run took.",
	})
	calls := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pmsync_api_calls_total",
		Help: "API requests the last run sent to each tracker, retries included (a per-run total, not a counter: each run is a new process).",
	}, []string{"tracker"})
	apiErrors := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pmsync_api_errors_total",
		Help: "Tracker API calls of the last run that failed, by tracker (a per-run total).",
	}, []string{"tracker"})
	limited := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pmsync_api_rate_limited_total",
		Help: "Rate-limit answers the last run waited out, by tracker (a per-run total).",
	}, []string{"tracker"})
	run.MustRegister(items, overdue, lastRun, duration, calls, apiErrors, limited)

	seen := map[string]bool{}
	for _, it := range r.Items {
		team := labelValue(it.Team)
		if !seen[team] {
			seen[team] = true
			for _, s := range states {
				items.WithLabelValues(s, team)
			}
			overdue.WithLabelValues(team)
		}
		items.WithLabelValues(ItemState(it), team).Inc()
		if Overdue(it, r.Now) {
			overdue.WithLabelValues(team).Inc()
		}
	}
	lastRun.Set(unixSeconds(r.Now))
	duration.Set(r.Duration.Seconds())
	names := make([]string, 0, len(r.Trackers))
	for name := range r.Trackers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s, l := r.Trackers[name], labelValue(name)
		calls.WithLabelValues(l).Add(float64(s.Calls))
		apiErrors.WithLabelValues(l).Add(float64(s.Errors))
		limited.WithLabelValues(l).Add(float64(s.RateLimited))
	}

	if !r.Success {
		return run, nil
	}
	success = prometheus.NewRegistry()
	last := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pmsync_last_success_timestamp_seconds",
		Help: "When the last successful run (no document or item failed) ended, as a Unix time.",
	})
	success.MustRegister(last)
	last.Set(unixSeconds(r.Now))
	return run, success
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// Push sends the run's metrics to the Pushgateway at gatewayURL, grouped by
// job and instance (the owner id), replacing what the previous run of the
// same job and instance pushed; the last success time is replaced only when
// r.Success. User information in the URL is sent as basic auth and never
// appears in an error. A nil client means http.DefaultClient.
func Push(ctx context.Context, gatewayURL, job, instance string, r Run, client *http.Client) error {
	if job == "" {
		return errors.New("metrics: metrics.job is empty; set it when metrics.pushgateway_url is set")
	}
	u, user, pass, hasAuth, err := splitURL(gatewayURL)
	if err != nil {
		return err
	}
	if client == nil {
		client = http.DefaultClient
	}
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	runReg, successReg := registries(r)
	pusher := func(reg *prometheus.Registry) *push.Pusher {
		p := push.New(u, job).Grouping("instance", instance).Gatherer(reg).Client(client)
		if hasAuth {
			p = p.BasicAuth(user, pass)
		}
		return p
	}
	if err := pusher(runReg).PushContext(ctx); err != nil {
		return pushError(u, err)
	}
	if successReg != nil {
		if err := pusher(successReg).Grouping(groupLabel, lastSuccessName).PushContext(ctx); err != nil {
			return pushError(u, err)
		}
	}
	return nil
}

// splitURL checks the gateway URL and takes its user information out, so
// that no error (ours, the push library's or net/http's) can show it.
func splitURL(raw string) (base, user, pass string, hasAuth bool, err error) {
	u, perr := url.Parse(raw)
	if perr != nil {
		// url.Error repeats the raw URL, credentials included: keep only
		// the reason.
		var ue *url.Error
		if errors.As(perr, &ue) {
			perr = ue.Err
		}
		return "", "", "", false, fmt.Errorf("metrics: metrics.pushgateway_url is not a valid URL (%v); set it to the Pushgateway's base URL, e.g. http://pushgateway:9091", perr)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		u.User = nil
		return "", "", "", false, fmt.Errorf("metrics: metrics.pushgateway_url %q is not an http(s) URL with a host and no query; set it to the Pushgateway's base URL, e.g. http://pushgateway:9091", u.String())
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
		hasAuth = true
		u.User = nil
	}
	return u.String(), user, pass, hasAuth, nil
}

// maxErrorLen bounds an error's text: the push library quotes the whole
// response body, which may be a proxy's HTML page.
const maxErrorLen = 512

type pushErr struct {
	msg string
	err error
}

func (e *pushErr) Error() string { return e.msg }
func (e *pushErr) Unwrap() error { return e.err }

func pushError(base string, err error) error {
	// One line for the log, whatever the body's layout.
	detail := strings.Join(strings.Fields(err.Error()), " ")
	if len(detail) > maxErrorLen {
		n := maxErrorLen
		for n > 0 && !utf8.RuneStart(detail[n]) {
			n--
		}
		detail = detail[:n] + "…"
	}
	return &pushErr{
		msg: fmt.Sprintf("metrics: pushing to the Pushgateway at %s failed: %s; check metrics.pushgateway_url and that the Pushgateway is up and reachable", base, detail),
		err: err,
	}
}
