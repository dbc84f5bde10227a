package engine

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/source"
)

// TestStateEncode: the state file written one ticket per line says
// exactly what encoding/json would, for every field of the state (the
// fixture must set each one, so a field added later cannot be left out
// of encode), and reads back into the same state.
func TestStateEncode(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	st := stateFile{
		Version: 1,
		Targets: map[string]listing{"gh:acme/sre": {Since: at, FullAt: at, Items: 3}, `jira:"PAY"`: {Since: at}},
		Tickets: map[string]ticketFacts{
			"https://github.com/acme/sre/issues/2": {Created: at, Due: "2026-12-01", Assignee: "alice", Item: "pm-1/a1",
				Steps: []string{"pmsync:due-soon"}, Nudges: []nudgeFact{{Step: "due-soon", At: "2026-11-28", Before: "open|2026-12-01|alice"}}},
			"https://github.com/acme/sre/issues/1": {Item: "pm-1/f1"},
			"PAY-7 <\u2028>":                       {Assignee: "bob\"quoted\""},
		},
		Impostors:    map[string]Impostor{"u": {Tracker: "gh", Target: "acme/sre", Ticket: "acme/sre#9", PM: "pm-1", Item: "a2", Title: "t", Author: "mallory", Seen: at}},
		Digests:      map[string]time.Time{"payments": at},
		OwnerAliases: []string{"dir:/old"},
	}
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("the fixture leaves stateFile.%s empty: set it, so that encode is checked for it", v.Type().Field(i).Name)
		}
	}
	got, err := st.encode()
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("encode wrote invalid JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("encode says\n%s\nencoding/json says\n%s", got, want)
	}
	var back stateFile
	if err := decodeState(bytes.NewReader(got), &back); err != nil || !reflect.DeepEqual(back, st) {
		t.Errorf("read back: %v\n%+v\nwant %+v", err, back, st)
	}
	// One ticket per line, in URL order: a diff of the file shows which
	// tickets changed.
	lines := strings.Split(string(got), "\n")
	var tickets []string
	for _, l := range lines {
		if strings.HasPrefix(l, `    "https://`) || strings.HasPrefix(l, `    "PAY`) {
			tickets = append(tickets, l[:strings.Index(l, `": {`)+1])
		}
	}
	if want := []string{`    "PAY-7 \u003c\u2028\u003e"`, `    "https://github.com/acme/sre/issues/1"`, `    "https://github.com/acme/sre/issues/2"`}; !reflect.DeepEqual(tickets, want) {
		t.Errorf("ticket lines %q, want %q\n%s", tickets, want, got)
	}

	empty, err := stateFile{Version: 1, Targets: map[string]listing{}}.encode()
	if err != nil || string(empty) != "{\n  \"version\": 1,\n  \"targets\": {}\n}\n" {
		t.Errorf("empty state: %v %q", err, empty)
	}
}

// TestDecodeStateAsUnmarshal: the state read a value at a time is what
// json.Unmarshal reads, and what it refuses is refused.
func TestDecodeStateAsUnmarshal(t *testing.T) {
	for _, in := range stateSeeds {
		checkDecodeState(t, []byte(in))
	}
}

// stateSeeds are state files as written, as edited by hand, and broken.
var stateSeeds = []string{
	"{\n  \"version\": 1,\n  \"targets\": {}\n}\n",
	`{"version":1,"targets":{"gh:acme/sre":{"since":"2026-11-02T09:30:00Z","full_at":"2026-11-02T09:30:00Z","items":3}},` +
		`"tickets":{"u1":{"created":"2026-11-02T09:30:00Z","due":"2026-12-01","assignee":"alice","item":"pm-1/a1","steps":["pmsync:due-soon"],` +
		`"nudges":[{"step":"due-soon","at":"2026-11-28","before":"open"}]},"u2":{"item":"pm-1/f1"}},` +
		`"impostors":{"u":{"tracker":"gh","target":"acme/sre","ticket":"acme/sre#9","pm":"pm-1","item":"a2","title":"t","author":"m","seen":"2026-11-02T09:30:00Z"}},` +
		`"digests":{"payments":"2026-11-02T09:30:00Z"},"owner_aliases":["dir:/old"]}`,
	`{"Version":1,"TICKETS":{"u":{"Due":"2026-12-01"}},"unknown":[1,{"a":null}],"targets":null}`,
	`{"version":1,"tickets":{"u":{}},"tickets":{"v":{"due":"x"}}}`,
	`{"version":1,"tickets":null}`,
	`{"version":1,"tickets":{"u":{}}} `,
	`{"version":1,"tickets":{"u":{}}} x`,
	`{"version":1,"tickets":{"u":{"created":"yesterday"}}}`,
	`{"version":"1"}`,
	`{"version":1,"tickets":[]}`,
	`{"version":1,"tickets":{"u":{}}`,
	`{"version":1,}`,
	`[]`,
	``,
}

// checkDecodeState compares decodeState with json.Unmarshal on in: an
// object both read reads the same, and neither reads one the other
// refuses. (json.Unmarshal also takes a bare null, which is no state.)
func checkDecodeState(t *testing.T, in []byte) {
	t.Helper()
	var got, want stateFile
	gotErr := decodeState(bytes.NewReader(in), &got)
	wantErr := json.Unmarshal(in, &want)
	if gotErr == nil && wantErr != nil {
		t.Fatalf("%q: decodeState read it, json.Unmarshal says %v", in, wantErr)
	}
	if gotErr != nil && wantErr == nil && bytes.HasPrefix(bytes.TrimSpace(in), []byte("{")) {
		t.Fatalf("%q: json.Unmarshal read it, decodeState says %v", in, gotErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decodeState read\n%+v\njson.Unmarshal\n%+v", in, got, want)
	}
}

func FuzzDecodeState(f *testing.F) {
	for _, in := range stateSeeds {
		f.Add([]byte(in))
	}
	f.Fuzz(checkDecodeState)
}

// The folder and the git clone let the state be read as a stream; an
// interface change that lost it would read 16 MB at once at 100,000
// tickets, silently.
var (
	_ fileOpener     = (*source.Dir)(nil)
	_ fileOpener     = (*source.Git)(nil)
	_ fileWriterFrom = (*source.Dir)(nil)
	_ fileWriterFrom = (*source.Git)(nil)
)
