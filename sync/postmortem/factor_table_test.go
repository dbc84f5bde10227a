package postmortem

import "testing"

// TestFactorTableTextColumn: in a table under a factors heading, a
// "Factor" column (which in an action table names the factor an action
// addresses) is the factor's own text when no other column is; an ID
// column beside it gives the key. The same text for a table an editor
// re-flowed into one paragraph (its rows are reported, not ticketed).
func TestFactorTableTextColumn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, table string
		keys        bool
	}{
		{"table", "| ID | Factor | Ticket |\n|---|---|---|\n| F1 | Disk filled up | |\n| F2 | No alert on disk usage | |\n", true},
		{"re-flowed table", "| ID | Factor | Ticket | |---|---|---| | F1 | Disk filled up | | | F2 | No alert on disk usage | |\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "---\nid: pm-1\nstatus: final\ndate: 2026-06-01\n---\n# Incident\n\n## Contributing factors\n\n" + tc.table
			d, err := NewParser(testOptions()).Parse("pm.md", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Factors) != 2 {
				t.Fatalf("%d factors, want 2", len(d.Factors))
			}
			for i, want := range []struct{ key, text string }{{"cf-f1", "Disk filled up"}, {"cf-f2", "No alert on disk usage"}} {
				if f := d.Factors[i]; tc.keys && f.Key != want.key || f.Text != want.text {
					t.Errorf("factor %d = %s %q, want %s %q", i, f.Key, f.Text, want.key, want.text)
				}
			}
		})
	}
}
