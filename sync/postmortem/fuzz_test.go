package postmortem

import (
	"bytes"
	"errors"
	"testing"
)

func addSeeds(f *testing.F) {
	for _, c := range allDocs(f) {
		f.Add(c.src)
	}
	f.Add([]byte("---\nstatus: final\n---\n## Action items\n\n| Action item | Owner |\n|---|---|\n| a \\| b | @x |\n"))
	f.Add([]byte("## Action items\n\n- [ ] x (owner: @a, due: 2026-04-01, P1) <!-- pmsync --> ([a/b#1](https://github.com/a/b/issues/1): Open)\n"))
	f.Add([]byte("> | Action item | Owner |\n> |---|---|\n> | x |\n"))
	f.Add([]byte("\xef\xbb\xbf---\r\nstatus: draft\r\n---\r\n"))
	f.Add([]byte("## Action items\n\n- **Alert on queue depth**\n  Owner: @a\n  Due: 2026-04-01\n\n1. **Drain**\r\n   Owner: Al Bo\r\n   Status: done\r\n"))
	f.Add([]byte("## Action items\n\nAlert on queue depth.\nOwner: none Due: 2026-04-01\n\n- x (owner: a@\n  due: 2026-04-01)\n"))
}

// FuzzParse: parsing never panics, and rendering without updates gives
// back the input byte for byte.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	p := NewParser(testOptions())
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := p.Parse("fuzz.md", src)
		if err != nil {
			return
		}
		out, changed, err := d.Render(nil)
		if err != nil || changed || !bytes.Equal(out, src) {
			t.Fatalf("render without updates changed the document (changed=%v err=%v)", changed, err)
		}
	})
}

// FuzzWriteBack: write-back applied twice equals once, and parsing the
// written document returns the same items with the new tickets.
func FuzzWriteBack(f *testing.F) {
	addSeeds(f)
	p := NewParser(testOptions())
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := p.Parse("fuzz.md", src)
		if err != nil {
			return
		}
		ups := updatesFor(d)
		once, _, err := d.Render(ups)
		if errors.Is(err, ErrUnsafeWriteBack) {
			return // refused, and the document left alone: safe
		}
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		d2, err := p.Parse("fuzz.md", once)
		if err != nil {
			t.Fatalf("written document does not parse: %v", err)
		}
		twice, changed, err := d2.Render(ups)
		if err != nil || changed || !bytes.Equal(once, twice) {
			t.Fatalf("second write-back changed the document (changed=%v err=%v)\n%q\n%q", changed, err, once, twice)
		}
		if len(d.Factors) != len(d2.Factors) || len(d.Actions) != len(d2.Actions) {
			t.Fatalf("items changed: %d/%d -> %d/%d\n%q\n%q", len(d.Factors), len(d.Actions), len(d2.Factors), len(d2.Actions), src, once)
		}
		for i, it := range append(append([]*Item{}, d2.Factors...), d2.Actions...) {
			old := append(append([]*Item{}, d.Factors...), d.Actions...)[i]
			u, ok := ups[old.Key]
			if !ok {
				continue
			}
			if it.Key != old.Key || it.Ticket != u.Ticket || it.Status != u.Status {
				t.Fatalf("item %d read back as %s %+v %+v, want %s %+v %+v\n%q", i, it.Key, it.Ticket, it.Status, old.Key, u.Ticket, u.Status, once)
			}
		}
	})
}
