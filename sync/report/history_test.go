package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/memprobe"
)

func row(kind, team, sev, state string, overdue bool) ItemRow {
	return ItemRow{ItemRef: ItemRef{Kind: kind, Team: team, State: state}, Severity: sev, Overdue: overdue}
}

func TestSnap(t *testing.T) {
	r := &Report{GeneratedAt: "2026-03-16T01:30:00+05:00", Items: ListOf([]ItemRow{
		row("action", "db", "SEV1", "done", false),
		row("action", "db", "SEV1", "in_progress", true),
		row("action", "db", "SEV2", "open", false),
		row("action", "edge", "SEV2", "wont_do", false),
		row("action", "edge", "SEV2", "missing", false),
		row("action", "", "", "open", true),
		row("factor", "db", "SEV1", "open", false), // not counted
	})}
	s := Snap(r)
	want := Snapshot{
		At: time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC),
		// 6 action items: 1 done, 1 won't do, 3 open or in progress, 1
		// missing; 2 overdue.
		Total: Figures{Items: 6, Done: 1, WontDo: 1, Open: 3, Overdue: 2},
		Teams: map[string]Figures{
			"db":   {Items: 3, Done: 1, Open: 2, Overdue: 1},
			"edge": {Items: 2, WontDo: 1},
			"":     {Items: 1, Open: 1, Overdue: 1},
		},
		Severities: map[string]Figures{
			"SEV1": {Items: 2, Done: 1, Open: 1, Overdue: 1},
			"SEV2": {Items: 3, WontDo: 1, Open: 1},
			"":     {Items: 1, Open: 1, Overdue: 1},
		},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Snap:\n got %+v\nwant %+v", s, want)
	}
	// 1 done / (6 − 1 won't do) = 0.2.
	if got := s.Total.Completion(); got == nil || *got != 0.2 {
		t.Errorf("completion = %v, want 0.2", got)
	}
	if got := s.Teams["edge"].Completion(); got == nil || *got != 0 {
		t.Errorf("edge completion = %v, want 0 (1 missing of 1)", got)
	}
	if got := (Figures{Items: 1, WontDo: 1}).Completion(); got != nil {
		t.Errorf("all won't do: completion = %v, want none", *got)
	}
}

func TestSnapshotLine(t *testing.T) {
	s := Snapshot{
		At:         time.Date(2026, 11, 25, 12, 0, 0, 0, time.FixedZone("+02", 7200)),
		Total:      Figures{Items: 120, Done: 80, WontDo: 5, Open: 33, Overdue: 7},
		Teams:      map[string]Figures{"db": {Items: 10, Done: 5, Open: 5, Overdue: 1}, "": {Items: 1, Open: 1}},
		Severities: map[string]Figures{"SEV1": {Items: 3, Done: 3}},
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"at":"2026-11-25T10:00:00Z","total":[120,80,5,33,7],"teams":{"":[1,0,0,1,0],"db":[10,5,0,5,1]},"severities":{"SEV1":[3,3,0,0,0]}}`
	if string(b) != want {
		t.Errorf("line:\n got %s\nwant %s", b, want)
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	s.At = s.At.UTC()
	if !reflect.DeepEqual(back, s) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, s)
	}

	// A later version's extra columns are ignored.
	if err := json.Unmarshal([]byte(`{"at":"2026-11-25T10:00:00Z","total":[1,1,0,0,0,9],"extra":true}`), &back); err != nil {
		t.Errorf("extra column: %v", err)
	} else if back.Total != (Figures{Items: 1, Done: 1}) || back.Teams == nil {
		t.Errorf("extra column: %+v", back)
	}
	for _, bad := range []string{
		`{"at":"2026-11-25T10:00:00Z","total":[1,1,0,0]}`,
		`{"at":"2026-11-25","total":[1,1,0,0,0]}`,
		`{"at":"2026-11-25T10:00:00Z","total":[1,1,0,0,0],"teams":{"db":[1]}}`,
		`{"at":"2026-11-25T10:00:00Z","total":[1,1,0,0,0],"severities":{"SEV1":[]}}`,
		`{"at":"2026-11-25T10:00:00Z","total":[1,1`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// snapAt is a snapshot at t with figures that vary with t, so a test can
// tell snapshots apart.
func snapAt(t time.Time) Snapshot {
	n := int(t.Unix()/3600) % 1000
	return Snapshot{At: t, Total: Figures{Items: n, Done: n / 2}, Teams: map[string]Figures{}, Severities: map[string]Figures{}}
}

func writeLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func line(t *testing.T, s Snapshot) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func TestReadHistory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, HistoryFile)
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a, b := snapAt(t0), snapAt(t0.Add(time.Hour))

	got, err := ReadHistory(path)
	if err != nil || got != nil {
		t.Errorf("missing file: %v, %v; want an empty history", got, err)
	}

	// Blank lines are skipped; a last line without its newline is kept.
	writeLines(t, path, line(t, a), "\n", strings.TrimSuffix(line(t, b), "\n"))
	if got, err := ReadHistory(path); err != nil || len(got) != 2 || !got[1].At.Equal(b.At) {
		t.Errorf("got %v, %v; want 2 snapshots", got, err)
	}

	// A torn last line (a write cut short) is skipped.
	torn := line(t, b)[:40]
	writeLines(t, path, line(t, a), line(t, b), torn)
	got, tornAt, err := readHistory(strings.NewReader(line(t, a) + line(t, b) + torn))
	if err != nil || len(got) != 2 || tornAt != 3 {
		t.Errorf("torn: %d snapshots, torn line %d, %v; want 2, 3, nil", len(got), tornAt, err)
	}
	if got, err := ReadHistory(path); err != nil || len(got) != 2 {
		t.Errorf("torn: %d snapshots, %v; want 2, nil", len(got), err)
	}
	// The same followed by blank lines.
	if got, tornAt, err := readHistory(strings.NewReader(line(t, a) + torn + "\n\n")); err != nil || len(got) != 1 || tornAt != 2 {
		t.Errorf("torn then blank: %d snapshots, torn line %d, %v; want 1, 2, nil", len(got), tornAt, err)
	}

	// A bad line before the last is an error: the file is damaged, not
	// torn, and AppendHistory must not rewrite it without that line.
	writeLines(t, path, line(t, a), "garbage\n", line(t, b))
	if _, err := ReadHistory(path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad middle line: %v; want an error naming line 2", err)
	}
	before, _ := os.ReadFile(path)
	if err := AppendHistory(path, snapAt(t0.Add(2*time.Hour))); err == nil {
		t.Error("AppendHistory on a damaged file: no error")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("AppendHistory changed a damaged file")
	}
}

func TestAppendHistory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", HistoryFile) // the folder is created
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := AppendHistory(path, snapAt(t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadHistory(path)
	if err != nil || len(got) != 3 {
		t.Fatalf("got %d snapshots, %v; want 3", len(got), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode: %v, %v; want 0644", fi.Mode(), err)
	}

	// A torn last line is dropped by the next append, which ends up
	// whole: one line a snapshot, each ending in a newline.
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"at":"2026-11-02T12:00:00Z","tot`)
	fh.Close()
	if err := AppendHistory(path, snapAt(t0.Add(4*time.Hour))); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 4 || !strings.HasSuffix(string(data), "}\n") || strings.Contains(string(data), "T12:00") {
		t.Errorf("after a torn line: %d lines:\n%s", n, data)
	}

	// Out of order and at the same hour: sorted, and of two snapshots in
	// one hour (both recent) the later is kept.
	if err := AppendHistory(path, snapAt(t0.Add(30*time.Minute))); err != nil {
		t.Fatal(err)
	}
	got, _ = ReadHistory(path)
	var at []string
	for _, s := range got {
		at = append(at, s.At.Format("15:04"))
	}
	if strings.Join(at, " ") != "09:30 10:00 11:00 13:00" {
		t.Errorf("times: %v; want 09:30 10:00 11:00 13:00", at)
	}

	// No temporary file is left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only %s", len(entries), HistoryFile)
	}
}

// TestHistoryData: the same through the file's content, as the engine
// does with a git clone.
func TestHistoryData(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	data, err := AppendHistoryData(nil, snapAt(t0))
	if err != nil {
		t.Fatal(err)
	}
	// A torn last line is dropped; same hour: the later is kept.
	data = append(data, `{"at":"2026-11-02T10:00:00Z","tot`...)
	for _, at := range []time.Time{t0.Add(time.Hour), t0.Add(90 * time.Minute)} {
		if data, err = AppendHistoryData(data, snapAt(at)); err != nil {
			t.Fatal(err)
		}
	}
	if want := line(t, snapAt(t0)) + line(t, snapAt(t0.Add(90*time.Minute))); string(data) != want {
		t.Errorf("content:\n%s\nwant\n%s", data, want)
	}
	got, err := DecodeHistory(data)
	if err != nil || len(got) != 2 || !got[1].At.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("decoded %v, %v", got, err)
	}
	if got, err := DecodeHistory(nil); err != nil || len(got) != 0 {
		t.Errorf("no data: %v, %v", got, err)
	}
	if _, err := AppendHistoryData([]byte("garbage\n"+line(t, snapAt(t0))), snapAt(t0)); err == nil {
		t.Error("damaged content: no error")
	}
}

// TestAppendHistoryConcurrent: readers never see a damaged file while one
// writer appends; two writers at once leave a whole file, but each may
// lose what the other appended while it was writing (its rename wins).
func TestAppendHistoryConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), HistoryFile)
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	const n = 40
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readErr error
	var mu sync.Mutex
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ReadHistory(path); err != nil {
					mu.Lock()
					readErr = err
					mu.Unlock()
				}
			}
		})
	}
	for i := range n { // one writer: every snapshot kept (one an hour)
		if err := AppendHistory(path, snapAt(t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Errorf("a reader failed: %v", readErr)
	}
	if got, err := ReadHistory(path); err != nil || len(got) != n {
		t.Errorf("one writer: %d snapshots, %v; want %d", len(got), err, n)
	}

	var werr [2]error
	for w := range 2 {
		wg.Go(func() {
			for i := range n {
				if err := AppendHistory(path, snapAt(t0.Add(time.Duration(n+2*i+w)*time.Hour))); err != nil {
					werr[w] = err
				}
			}
		})
	}
	wg.Wait()
	got, err := ReadHistory(path)
	if err != nil || werr[0] != nil || werr[1] != nil {
		t.Fatalf("two writers: %v %v %v", err, werr[0], werr[1])
	}
	// The first n are in every version of the file; of the 2n appended
	// since, at least the last writer's last is there.
	if len(got) < n+1 || len(got) > 3*n || !got[n-1].At.Equal(t0.Add((n-1)*time.Hour)) {
		t.Errorf("two writers: %d snapshots, want %d to %d, the first %d kept", len(got), n+1, 3*n, n)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only %s", len(entries), HistoryFile)
	}
}

// twoYears is the history of hourly syncs from 2025-01-01 00:00 to
// 2026-12-31 23:00 UTC (17,520 runs), compacted after each run as
// AppendHistory does, with the figures of 22 teams and 4 severities.
func twoYears() []Snapshot {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var h []Snapshot
	for i := range 17520 {
		h = compact(append(h, bigSnap(t0.Add(time.Duration(i)*time.Hour), i)))
	}
	return h
}

var teamNames = []string{"api-gateway", "auth", "billing", "checkout", "data-platform", "db", "edge", "email", "frontend", "growth",
	"identity", "infra", "ml-platform", "mobile", "networking", "observability", "payments", "search", "security", "storage", "support-tools", "web"}

// bigSnap has figures of realistic size, hundreds of action items in
// all, that change once a day (run i is hour i).
func bigSnap(at time.Time, i int) Snapshot {
	s := daySnap(i / 24)
	s.At = at
	return s
}

var daySnaps sync.Map // day → Snapshot: the maps are shared, to make twoYears quick

func daySnap(i int) Snapshot {
	if s, ok := daySnaps.Load(i); ok {
		return s.(Snapshot)
	}
	s := Snapshot{Teams: map[string]Figures{}, Severities: map[string]Figures{}}
	for k, name := range teamNames {
		items := 20 + (i+k*7)%40
		f := Figures{Items: items, Done: items / 2, WontDo: k % 3, Open: items - items/2 - k%3, Overdue: (items + k) % 9}
		s.Teams[name] = f
		sev := fmt.Sprintf("SEV%d", k%4+1)
		g := s.Severities[sev]
		g.Items, g.Done, g.WontDo, g.Open, g.Overdue = g.Items+f.Items, g.Done+f.Done, g.WontDo+f.WontDo, g.Open+f.Open, g.Overdue+f.Overdue
		s.Severities[sev] = g
		s.Total.Items, s.Total.Done, s.Total.WontDo, s.Total.Open, s.Total.Overdue = s.Total.Items+f.Items, s.Total.Done+f.Done, s.Total.WontDo+f.WontDo, s.Total.Open+f.Open, s.Total.Overdue+f.Overdue
	}
	daySnaps.Store(i, s)
	return s
}

func TestCompactTwoYearsHourly(t *testing.T) {
	h := twoYears()
	newest := h[len(h)-1].At
	tier := map[string][]time.Time{}
	for _, s := range h {
		switch age := newest.Sub(s.At); {
		case age <= 14*24*time.Hour:
			tier["hourly"] = append(tier["hourly"], s.At)
		case age <= 365*24*time.Hour:
			tier["daily"] = append(tier["daily"], s.At)
		default:
			tier["weekly"] = append(tier["weekly"], s.At)
		}
	}
	// Newest: 2026-12-31 23:00.
	// Hourly: ages 0 … 336 h, 2026-12-17 23:00 … 2026-12-31 23:00: 337.
	// Daily: ages 337 h … 8,760 h (365 days), 2025-12-31 23:00 …
	// 2026-12-17 22:00: the one snapshot of 2025-12-31 in this tier
	// (23:00) + one for each day 2026-01-01 … 2026-12-17 (351; the 17th's
	// is 22:00) = 352.
	// Weekly: older, up to 2025-12-31 22:00. Only each day's 23:00
	// survived the daily tier (2025-12-31's 22:00 went when its 23:00
	// turned daily), so: 2025-W01 … 2025-W52 (the last of 2025-W01 is
	// Sun 01-05, of W52 Sun 12-28) = 52, + 2026-W01 (Mon 2025-12-29 …)
	// whose last old one is 2025-12-30 23:00 = 53.
	// In all 337 + 352 + 53 = 742.
	want := map[string]int{"hourly": 337, "daily": 352, "weekly": 53}
	for k, n := range want {
		if len(tier[k]) != n {
			t.Errorf("%s: %d snapshots, want %d", k, len(tier[k]), n)
		}
	}
	if len(h) != 742 {
		t.Errorf("%d snapshots, want 742", len(h))
	}
	first := func(k string) string { return tier[k][0].Format("2006-01-02 15:04") }
	last := func(k string) string { return tier[k][len(tier[k])-1].Format("2006-01-02 15:04") }
	for _, c := range [][3]string{
		{"hourly", "2026-12-17 23:00", "2026-12-31 23:00"},
		{"daily", "2025-12-31 23:00", "2026-12-17 22:00"},
		{"weekly", "2025-01-05 23:00", "2025-12-30 23:00"},
	} {
		if first(c[0]) != c[1] || last(c[0]) != c[2] {
			t.Errorf("%s: %s … %s, want %s … %s", c[0], first(c[0]), last(c[0]), c[1], c[2])
		}
	}
	for i := 1; i < len(tier["daily"]); i++ {
		if day(tier["daily"][i]).Sub(day(tier["daily"][i-1])) != 24*time.Hour {
			t.Fatalf("daily: %v after %v", tier["daily"][i], tier["daily"][i-1])
		}
	}
	for i, at := range tier["weekly"] {
		if at.Weekday() != time.Sunday && i != len(tier["weekly"])-1 {
			t.Errorf("weekly: %v is not a week's last day", at)
		}
	}
	// The last snapshot of every ISO week survives: weekly trends are
	// the same as without compaction.
	weeks := map[string]time.Time{}
	for _, s := range h {
		weeks[isoWeek(s.At)] = s.At
	}
	for _, w := range []string{"2025-W10", "2025-W52", "2026-W01", "2026-W30", "2026-W50"} {
		y, n := weeks[w].ISOWeek()
		next := weeks[w].Add(time.Hour)
		if ny, nn := next.ISOWeek(); ny == y && nn == n {
			t.Errorf("%s: kept %v, not the week's last run", w, weeks[w])
		}
	}

	// Compacting again changes nothing.
	again := compact(append([]Snapshot(nil), h...))
	if len(again) != len(h) {
		t.Errorf("compacting twice: %d, then %d", len(h), len(again))
	}

	// On disk: the size; a day later it is no larger.
	path := filepath.Join(t.TempDir(), HistoryFile)
	if err := writeHistory(path, h); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	t.Logf("2 years of hourly syncs, 22 teams, 4 severities: %d snapshots, %d bytes (%.0f KiB)", len(h), fi.Size(), float64(fi.Size())/1024)
	if fi.Size() > 1<<20 {
		t.Errorf("history is %d bytes, want under 1 MiB", fi.Size())
	}
	// A day more: 23 runs in memory, the 24th through the file.
	for i := 1; i < 24; i++ {
		h = compact(append(h, bigSnap(newest.Add(time.Duration(i)*time.Hour), 17519+i)))
	}
	if err := writeHistory(path, h); err != nil {
		t.Fatal(err)
	}
	if err := AppendHistory(path, bigSnap(newest.Add(24*time.Hour), 17519+24)); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	// A day later: hourly 337, daily 352 (a day in, a day out), weekly
	// 53 (2026-W01 gains 2025-12-31 23:00 in place of 12-30, no new
	// week); 742 again.
	if len(got) != 742 {
		t.Errorf("a day later: %d snapshots, want 742", len(got))
	}
}

// BenchmarkReadHistory2y: reading the history of 2 years of hourly syncs
// (22 teams, 4 severities), with its size and the heap reading needs.
func BenchmarkReadHistory2y(b *testing.B) {
	path := filepath.Join(b.TempDir(), HistoryFile)
	if err := writeHistory(path, twoYears()); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	var peak uint64
	for range 3 {
		peak = max(peak, memprobe.Peak(func() {
			if _, err := ReadHistory(path); err != nil {
				b.Fatal(err)
			}
		}))
	}
	for b.Loop() {
		if _, err := ReadHistory(path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fi.Size())/1024, "file-KiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}

// BenchmarkAppendHistory2y: one sync's append (read, compact, rewrite,
// fsync) onto 2 years of hourly history.
func BenchmarkAppendHistory2y(b *testing.B) {
	path := filepath.Join(b.TempDir(), HistoryFile)
	h := twoYears()
	if err := writeHistory(path, h); err != nil {
		b.Fatal(err)
	}
	at := h[len(h)-1].At
	i := 0
	for b.Loop() {
		i++
		if err := AppendHistory(path, bigSnap(at.Add(time.Duration(i)*time.Hour), 17519+i)); err != nil {
			b.Fatal(err)
		}
	}
}
