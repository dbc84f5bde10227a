package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// This file keeps the report's history (SPEC §6): each sync appends a
// compact snapshot of the action items' figures to a JSON Lines file
// beside the report; Compute turns the snapshots into weekly trends.

// HistoryFile is the history's file name; the engine keeps it in
// report.dir, beside the report.
const HistoryFile = "history.jsonl"

// Tiers of the history's compaction, by a snapshot's age in seconds
// relative to the newest snapshot (see compact).
const (
	hourlyFor = 14 * 86400  // up to 14 days old: the last of each UTC hour
	dailyFor  = 365 * 86400 // up to 365 days old: the last of each UTC day; older: of each ISO week
)

// Figures are the action items' counters a snapshot keeps. The states
// partition the items: items = done + wont_do + open + missing, where
// missing (tickets that are gone) is what remains. Overdue is a subset
// of open.
type Figures struct {
	Items  int `json:"items"`
	Done   int `json:"done"`
	WontDo int `json:"wont_do"`
	// Open: open or in progress.
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
}

// Completion is the completion rate, done / (items − won't do), as the
// report's; nil when that is 0.
func (f Figures) Completion() *float64 { return ratio(f.Done, f.Items-f.WontDo) }

// Snapshot is the report's action-item figures at one moment: overall,
// per team and per severity (keys as in the report's by_team and
// by_severity; "" is none). The maps hold only keys with items.
type Snapshot struct {
	At         time.Time // the report's moment (Report.GeneratedAt), UTC
	Total      Figures
	Teams      map[string]Figures
	Severities map[string]Figures
}

// Snap takes the snapshot of a computed report: its action items only
// (factors are not counted), from Report.Items.
func Snap(r *Report) Snapshot {
	at, _ := time.Parse(time.RFC3339, r.GeneratedAt)
	s := Snapshot{At: at.UTC(), Teams: map[string]Figures{}, Severities: map[string]Figures{}}
	for it := range r.Items.All() {
		if it.Kind != string(ticket.Action) {
			continue
		}
		s.Total.add(it)
		team, sev := s.Teams[it.Team], s.Severities[it.Severity]
		team.add(it)
		sev.add(it)
		s.Teams[it.Team], s.Severities[it.Severity] = team, sev
	}
	return s
}

func (f *Figures) add(it *ItemRow) {
	f.Items++
	switch ticket.State(it.State) {
	case ticket.StateDone:
		f.Done++
	case ticket.StateWontDo:
		f.WontDo++
	case ticket.StateOpen, ticket.StateInProgress:
		f.Open++
	}
	if it.Overdue {
		f.Overdue++
	}
}

// The file holds one JSON object a line, oldest first:
//
//	{"at":"2026-11-25T12:00:00Z","total":[120,80,5,33,7],
//	 "teams":{"db":[10,5,0,5,1],…},"severities":{"SEV1":[…],…}}
//
// Each figure list is [items, done, wont_do, open, overdue]. Columns may
// be added at the end; a reader ignores the ones it does not know.
type snapshotLine struct {
	At         string           `json:"at"`
	Total      []int            `json:"total"`
	Teams      map[string][]int `json:"teams,omitempty"`
	Severities map[string][]int `json:"severities,omitempty"`
}

const figureColumns = 5

func (f Figures) columns() []int { return []int{f.Items, f.Done, f.WontDo, f.Open, f.Overdue} }

func figuresOf(c []int) (Figures, error) {
	if len(c) < figureColumns {
		return Figures{}, fmt.Errorf("%d figures, want %d", len(c), figureColumns)
	}
	return Figures{Items: c[0], Done: c[1], WontDo: c[2], Open: c[3], Overdue: c[4]}, nil
}

func columnsOf(m map[string]Figures) map[string][]int {
	out := make(map[string][]int, len(m))
	for k, f := range m {
		out[k] = f.columns()
	}
	return out
}

func figuresMap(m map[string][]int) (map[string]Figures, error) {
	out := make(map[string]Figures, len(m))
	for k, c := range m {
		f, err := figuresOf(c)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		out[k] = f
	}
	return out, nil
}

// MarshalJSON writes the snapshot as one line of the history file.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	return json.Marshal(snapshotLine{
		At: s.At.UTC().Format(time.RFC3339), Total: s.Total.columns(),
		Teams: columnsOf(s.Teams), Severities: columnsOf(s.Severities),
	})
}

// UnmarshalJSON reads one line of the history file.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	var l snapshotLine
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	return l.snapshot(s)
}

func (l *snapshotLine) snapshot(s *Snapshot) error {
	at, err := time.Parse(time.RFC3339, l.At)
	if err != nil {
		return fmt.Errorf("at: %w", err)
	}
	total, err := figuresOf(l.Total)
	if err != nil {
		return fmt.Errorf("total: %w", err)
	}
	teams, err := figuresMap(l.Teams)
	if err != nil {
		return fmt.Errorf("teams %w", err)
	}
	sevs, err := figuresMap(l.Severities)
	if err != nil {
		return fmt.Errorf("severities %w", err)
	}
	*s = Snapshot{At: at.UTC(), Total: total, Teams: teams, Severities: sevs}
	return nil
}

// ReadHistory reads the history file, oldest snapshot first. A missing
// file is an empty history. A last line that does not parse (a write
// torn by a crash, or a file cut short) is skipped with a warning on
// slog's default logger; a bad line before the last is an error, so a
// damaged file is never silently rewritten without it.
func ReadHistory(path string) ([]Snapshot, error) {
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer fh.Close()
	snaps, torn, err := readHistory(fh)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	if torn > 0 {
		slog.Default().Warn("history: skipped a torn last line", "file", path, "line", torn)
	}
	return snaps, nil
}

// DecodeHistory is ReadHistory for the file's content, e.g. read from a
// git clone (report.RepoFiles); nil or empty data is an empty history.
func DecodeHistory(data []byte) ([]Snapshot, error) {
	snaps, torn, err := readHistory(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if torn > 0 {
		slog.Default().Warn("history: skipped a torn last line", "line", torn)
	}
	return snaps, nil
}

// AppendHistoryData is AppendHistory for the file's content: it returns
// the new content (s added, compacted) for the caller to write whole,
// e.g. into a git clone with report.RepoFiles. nil data is an empty
// history.
func AppendHistoryData(data []byte, s Snapshot) ([]byte, error) {
	snaps, err := DecodeHistory(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := encodeHistory(&b, compact(append(snaps, s))); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return b.Bytes(), nil
}

// readHistory parses the lines of a history file. torn is the number of
// the last line when it was skipped, else 0. Blank lines are skipped.
func readHistory(r io.Reader) (snaps []Snapshot, torn int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var bad error
	badLine := 0
	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, 0, rerr
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			if bad != nil {
				// The bad line was not the last.
				return nil, 0, fmt.Errorf("line %d: %w (fix or delete that line)", badLine, bad)
			}
			var l snapshotLine // not through Snapshot.UnmarshalJSON: that scans each line twice
			var s Snapshot
			if err := cmp.Or(json.Unmarshal(line, &l), l.snapshot(&s)); err != nil {
				bad, badLine = err, n
			} else {
				snaps = append(snaps, s)
			}
		}
		if rerr == io.EOF {
			return snaps, badLine, nil
		}
	}
}

// AppendHistory adds s to the history file and compacts it (see
// compact). The file is rewritten whole through a temporary file in the
// same folder, synced and renamed over it, so a crash leaves the old file
// or the new one, never a mix; a torn last line left by anything else is
// dropped. Two writers at once leave a whole file, but what one appended
// while the other was writing may be lost (the last rename wins): run
// one writer at a time.
// The folder is created if needed.
func AppendHistory(path string, s Snapshot) error {
	snaps, err := ReadHistory(path)
	if err != nil {
		return err
	}
	snaps = compact(append(snaps, s))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := writeHistory(path, snaps); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// writeHistory replaces path with snaps, durably: temporary file, fsync,
// rename, fsync of the folder.
func writeHistory(path string, snaps []Snapshot) (err error) {
	dir := filepath.Dir(path)
	fh, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fh.Close()
			os.Remove(fh.Name())
		}
	}()
	bw := bufio.NewWriterSize(fh, 64<<10)
	if err := encodeHistory(bw, snaps); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := fh.Chmod(0o644); err != nil {
		return err
	}
	if err := fh.Sync(); err != nil {
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	if err := os.Rename(fh.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the folder is; not every system can sync
	// a folder (Windows cannot), which loses at most this append.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// encodeHistory writes one line a snapshot.
func encodeHistory(w io.Writer, snaps []Snapshot) error {
	e := json.NewEncoder(w)
	for _, s := range snaps {
		if err := e.Encode(s); err != nil {
			return err
		}
	}
	return nil
}

// compact sorts snapshots by time (stably: of two at the same moment the
// later appended wins) and thins them by age relative to the newest one:
// up to 14 days old, the last snapshot of each UTC hour is kept; up to
// 365 days, the last of each UTC day; older, the last of each ISO week
// (UTC). Applied on every append, this keeps the file to about 337
// hourly + 351 daily snapshots plus 52 a year beyond the first, however
// often pmsync runs. The last snapshot of every ISO week survives, so
// compaction never changes the weekly trends. It reuses snaps' storage.
func compact(snaps []Snapshot) []Snapshot {
	if len(snaps) == 0 {
		return snaps
	}
	byTime := func(a, b Snapshot) int { return a.At.Compare(b.At) }
	if !slices.IsSortedFunc(snaps, byTime) {
		slices.SortStableFunc(snaps, byTime)
	}
	newest := snaps[len(snaps)-1].At.Unix()
	type bucket struct {
		tier  int
		start int64 // hour, day or ISO week number since the Unix epoch
	}
	keyOf := func(at time.Time) bucket {
		sec := at.Unix()
		hours := floorDiv(sec, 3600)
		switch age := newest - sec; {
		case age <= hourlyFor:
			return bucket{0, hours}
		case age <= dailyFor:
			return bucket{1, floorDiv(hours, 24)}
		default:
			// 1970-01-01 was a Thursday: day 3 of its ISO week.
			return bucket{2, floorDiv(floorDiv(hours, 24)+3, 7)}
		}
	}
	// Newest first: a snapshot is kept when it opens a bucket. Tiers and
	// buckets are monotone in time, so a bucket's snapshots are adjacent.
	// The kept ones move to the end of snaps, in place.
	w := len(snaps) - 1
	last := keyOf(snaps[w].At)
	for i := len(snaps) - 2; i >= 0; i-- {
		if k := keyOf(snaps[i].At); k != last {
			w--
			snaps[w] = snaps[i]
			last = k
		}
	}
	clear(snaps[:w]) // let the dropped snapshots' maps go
	return snaps[w:]
}

// floorDiv is a / b rounded down (b > 0), for times before 1970 too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// isoMonday is the Monday (UTC midnight) that starts t's ISO week.
func isoMonday(t time.Time) time.Time {
	d := day(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// isoWeek names t's ISO week (UTC), e.g. "2026-W48".
func isoWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}
