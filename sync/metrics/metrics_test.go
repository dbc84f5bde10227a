package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

const installHint = "DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y -qq prometheus-pushgateway"

// startGateway runs the real Pushgateway on a free loopback port, without
// persistence, and returns its base URL once /-/ready answers.
func startGateway(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus-pushgateway")
	if err != nil {
		bin = "/usr/bin/prometheus-pushgateway"
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("prometheus-pushgateway is not installed (.ci/run installs it): %v", err)
			}
			t.Skipf("prometheus-pushgateway is not installed; run as root: %s", installHint)
		}
	}
	// The port is picked then released: another process may take it in
	// between, so a gateway that exits at once is retried on a new port.
	var lastLog string
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		// The gateway's log, written by exec's copier goroutine.
		log := &testkit.SyncBuffer{}
		cmd := exec.Command(bin, "--web.listen-address="+addr, "--persistence.file=")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		base := "http://" + addr
		if waitReady(base, exited) {
			t.Cleanup(stop)
			return base
		}
		stop()
		lastLog = log.String()
	}
	t.Fatalf("prometheus-pushgateway did not become ready; its log:\n%s", lastLog)
	return ""
}

func waitReady(base string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// scrape reads the gateway's /metrics as Prometheus would.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// find returns the value of the series of name whose labels include want,
// failing when there is not exactly one.
func find(t *testing.T, mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	t.Helper()
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	var found []*dto.Metric
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, v := range want {
			if labels[k] != v {
				ok = false
			}
		}
		if ok {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		return 0, false
	case 1:
		return found[0].GetGauge().GetValue(), true
	}
	t.Fatalf("%s%v: %d series match, want 1", name, want, len(found))
	return 0, false
}

func expect(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) {
	t.Helper()
	got, ok := find(t, mfs, name, labels)
	if !ok {
		t.Errorf("%s%v: not pushed", name, labels)
		return
	}
	if got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func day(s string) time.Time {
	d, err := time.Parse(ticket.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

var ref = ticket.Ref{Text: "acme/sre#1", URL: "https://github.com/acme/sre/issues/1"}

func sampleRun(now time.Time, success bool) Run {
	return Run{
		Now:      now,
		Duration: 3500 * time.Millisecond,
		Success:  success,
		Items: []report.Item{
			{Team: "sre", Ticket: ref, State: ticket.StateOpen, Due: day("2024-05-01")},       // overdue
			{Team: "sre", Ticket: ref, State: ticket.StateOpen, Due: day("2024-05-09")},       // overdue
			{Team: "sre", Ticket: ref, State: ticket.StateInProgress, Due: day("2024-05-10")}, // due today: not overdue
			{Team: "sre", Ticket: ref, State: ticket.StateDone, Due: day("2024-04-01")},
			{Team: "sre", Ticket: ref, State: ticket.StateWontDo, Due: day("2024-04-01")},
			{Team: "", State: "", Due: day("2024-04-01")}, // no ticket: not counted overdue
			{Team: "", DoneInDoc: true},
			{Team: "", Ticket: ref, State: ticket.StateMissing},
			{Team: "", Ticket: ref, State: ticket.StateInProgress, Due: day("2024-05-02")}, // overdue
			{Team: "payments", Ticket: ref, State: ticket.StateOpen},                       // no due date
		},
		Trackers: map[string]TrackerStats{
			"github": {Calls: 42, Errors: 1, RateLimited: 2},
			"jira":   {Calls: 7},
		},
	}
}

func TestPushReadBackFromPushgateway(t *testing.T) {
	t.Parallel()
	base := startGateway(t)
	now := time.Date(2024, 5, 10, 23, 30, 15, 0, time.UTC)
	if err := Push(context.Background(), base, "pmsync", "acme", sampleRun(now, true), nil); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, base)
	g := map[string]string{"job": "pmsync", "instance": "acme"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range g {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	items := map[[2]string]float64{
		{"open", "sre"}: 2, {"in_progress", "sre"}: 1, {"done", "sre"}: 1, {"wont_do", "sre"}: 1,
		{"missing", "sre"}: 0, {"no_ticket", "sre"}: 0, {"done_in_document", "sre"}: 0,
		{"open", "none"}: 0, {"in_progress", "none"}: 1, {"done", "none"}: 0, {"wont_do", "none"}: 0,
		{"missing", "none"}: 1, {"no_ticket", "none"}: 1, {"done_in_document", "none"}: 1,
		{"open", "payments"}: 1, {"done", "payments"}: 0,
	}
	for k, want := range items {
		expect(t, mfs, "pmsync_items", with("state", k[0], "team", k[1]), want)
	}
	if n := len(mfs["pmsync_items"].GetMetric()); n != 3*len(states) {
		t.Errorf("pmsync_items has %d series, want %d (7 states × 3 teams)", n, 3*len(states))
	}
	expect(t, mfs, "pmsync_items_overdue", with("team", "sre"), 2)
	expect(t, mfs, "pmsync_items_overdue", with("team", "none"), 1)
	expect(t, mfs, "pmsync_items_overdue", with("team", "payments"), 0)
	expect(t, mfs, "pmsync_last_run_timestamp_seconds", g, float64(now.Unix()))
	expect(t, mfs, "pmsync_last_success_timestamp_seconds", with("group", "last_success"), float64(now.Unix()))
	expect(t, mfs, "pmsync_run_duration_seconds", g, 3.5)
	expect(t, mfs, "pmsync_api_calls_total", with("tracker", "github"), 42)
	expect(t, mfs, "pmsync_api_errors_total", with("tracker", "github"), 1)
	expect(t, mfs, "pmsync_api_rate_limited_total", with("tracker", "github"), 2)
	expect(t, mfs, "pmsync_api_calls_total", with("tracker", "jira"), 7)
	expect(t, mfs, "pmsync_api_errors_total", with("tracker", "jira"), 0)
	expect(t, mfs, "pmsync_api_rate_limited_total", with("tracker", "jira"), 0)
	for name, mf := range mfs {
		if strings.HasPrefix(name, "pmsync_") && (mf.GetHelp() == "" || mf.GetType() != dto.MetricType_GAUGE) {
			t.Errorf("%s: help %q, type %v; want help text and a gauge", name, mf.GetHelp(), mf.GetType())
		}
	}
}

// A failed run must not overwrite the last success time, and each run's
// push replaces the previous run's series (no stale team left behind).
func TestFailedRunKeepsLastSuccess(t *testing.T) {
	t.Parallel()
	base := startGateway(t)
	ctx := context.Background()
	t1 := time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	t2 := t1.Add(24 * time.Hour)
	t3 := t2.Add(24 * time.Hour)
	g := map[string]string{"job": "pmsync", "instance": "acme"}
	success := map[string]string{"job": "pmsync", "instance": "acme", "group": "last_success"}

	first := Run{Now: t1, Success: true, Items: []report.Item{{Team: "old", Ticket: ref, State: ticket.StateOpen}}}
	if err := Push(ctx, base, "pmsync", "acme", first, nil); err != nil {
		t.Fatal(err)
	}
	failed := Run{Now: t2, Success: false, Items: []report.Item{{Team: "new", Ticket: ref, State: ticket.StateOpen}}}
	if err := Push(ctx, base, "pmsync", "acme", failed, nil); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, base)
	expect(t, mfs, "pmsync_last_run_timestamp_seconds", g, float64(t2.Unix()))
	expect(t, mfs, "pmsync_last_success_timestamp_seconds", success, float64(t1.Unix()))
	if n := len(mfs["pmsync_last_success_timestamp_seconds"].GetMetric()); n != 1 {
		t.Errorf("pmsync_last_success_timestamp_seconds has %d series, want 1", n)
	}
	expect(t, mfs, "pmsync_items", map[string]string{"team": "new", "state": "open"}, 1)
	if _, ok := find(t, mfs, "pmsync_items", map[string]string{"team": "old", "state": "open"}); ok {
		t.Error("the failed run's push left the previous run's team \"old\" behind")
	}

	if err := Push(ctx, base, "pmsync", "acme", Run{Now: t3, Success: true}, nil); err != nil {
		t.Fatal(err)
	}
	mfs = scrape(t, base)
	expect(t, mfs, "pmsync_last_run_timestamp_seconds", g, float64(t3.Unix()))
	expect(t, mfs, "pmsync_last_success_timestamp_seconds", success, float64(t3.Unix()))
	if _, ok := find(t, mfs, "pmsync_items", map[string]string{"team": "new"}); ok {
		t.Error("a run with no items left the previous run's items behind")
	}

	// Another owner is its own group.
	if err := Push(ctx, base, "pmsync", "other", Run{Now: t1, Success: true}, nil); err != nil {
		t.Fatal(err)
	}
	mfs = scrape(t, base)
	expect(t, mfs, "pmsync_last_success_timestamp_seconds", success, float64(t3.Unix()))
	expect(t, mfs, "pmsync_last_success_timestamp_seconds", map[string]string{"instance": "other"}, float64(t1.Unix()))
}

func TestPushErrorHidesCredentials(t *testing.T) {
	t.Parallel()
	var gotUser, gotPass string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotUser, gotPass, _ = r.BasicAuth()
		mu.Unlock()
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	withAuth := strings.Replace(srv.URL, "http://", "http://alice:s3cr%40t@", 1)

	err := Push(context.Background(), withAuth, "pmsync", "acme", sampleRun(time.Now(), true), srv.Client())
	if err == nil {
		t.Fatal("Push to a server answering 500: no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, srv.URL) || !strings.Contains(msg, "500") {
		t.Errorf("error does not name the URL %s and the status: %s", srv.URL, msg)
	}
	for _, leak := range []string{"s3cr", "alice"} {
		if strings.Contains(msg, leak) {
			t.Errorf("error shows %q: %s", leak, msg)
		}
	}
	mu.Lock()
	if gotUser != "alice" || gotPass != "s3cr@t" {
		t.Errorf("basic auth sent: %q %q, want the URL's user information", gotUser, gotPass)
	}
	mu.Unlock()

	// Invalid URLs: url.Parse's own error would repeat the password.
	for _, bad := range []string{"http://alice:s3cret@bad host:9091", "ftp://alice:s3cret@gw:9091", "http://alice:s3cret@gw:9091/?x=1"} {
		err := Push(context.Background(), bad, "pmsync", "acme", Run{}, srv.Client())
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "metrics.pushgateway_url") {
			t.Errorf("Push(%q) = %v; want an error naming the setting, without the password", bad, err)
		}
	}

	// A gateway that is not there: a network error, still without the
	// password, and a canceled context stays recognizable.
	srv2 := httptest.NewServer(http.NotFoundHandler())
	down := srv2.URL
	srv2.Close()
	err = Push(context.Background(), strings.Replace(down, "http://", "http://alice:s3cret@", 1), "pmsync", "acme", Run{}, nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), down) {
		t.Errorf("Push to a closed port = %v; want an error naming %s without the password", err, down)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Push(ctx, srv.URL, "pmsync", "acme", Run{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Push with a canceled context = %v; want context.Canceled", err)
	}
}

func TestPushErrorIsBounded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, strings.Repeat("é<html>", 10000))
	}))
	defer srv.Close()
	err := Push(context.Background(), srv.URL, "pmsync", "acme", Run{}, nil)
	if err == nil || len(err.Error()) > 2*maxErrorLen || !strings.Contains(err.Error(), "502") {
		t.Errorf("error for a large body: %d bytes: %.200v", len(fmt.Sprint(err)), err)
	}
	if err := Push(context.Background(), srv.URL, "", "acme", Run{}, nil); err == nil || !strings.Contains(err.Error(), "metrics.job") {
		t.Errorf("Push with no job = %v; want an error naming metrics.job", err)
	}
}

func TestItemStateAndOverdue(t *testing.T) {
	now := time.Date(2024, 5, 10, 0, 30, 0, 0, time.FixedZone("PDT", -7*3600)) // 07:30 UTC on the 10th
	cases := []struct {
		it      report.Item
		state   string
		overdue bool
	}{
		{report.Item{}, "no_ticket", false},
		{report.Item{Due: day("2024-01-01")}, "no_ticket", false},
		{report.Item{DoneInDoc: true, Due: day("2024-01-01")}, "done_in_document", false},
		{report.Item{Ticket: ref}, "unknown", false},
		{report.Item{Ticket: ref, State: ticket.StateOpen, Due: day("2024-05-09")}, "open", true},
		{report.Item{Ticket: ref, State: ticket.StateOpen, Due: day("2024-05-10")}, "open", false},
		{report.Item{Ticket: ref, State: ticket.StateInProgress, Due: day("2024-05-09")}, "in_progress", true},
		{report.Item{Ticket: ref, State: ticket.StateDone, Due: day("2024-05-09")}, "done", false},
		{report.Item{Ticket: ref, State: ticket.StateWontDo, Due: day("2024-05-09")}, "wont_do", false},
		{report.Item{Ticket: ref, State: ticket.StateMissing, Due: day("2024-05-09")}, "missing", false},
		// A state from the document's status column, ticket link lost.
		{report.Item{State: ticket.StateOpen, Due: day("2024-05-09")}, "open", true},
	}
	for i, c := range cases {
		if got := ItemState(c.it); got != c.state {
			t.Errorf("%d: ItemState = %q, want %q", i, got, c.state)
		}
		if got := Overdue(c.it, now); got != c.overdue {
			t.Errorf("%d: Overdue = %v, want %v", i, got, c.overdue)
		}
	}
}
