package wiring

import (
	"fmt"
	"time"
)

// DayFlag is a YYYY-MM-DD command-line flag (--now) setting *T, as a
// pflag.Value; a bad date is a usage error naming the form.
type DayFlag struct{ T *time.Time }

func (d DayFlag) String() string {
	if d.T == nil || d.T.IsZero() {
		return ""
	}
	return d.T.Format("2006-01-02")
}

// Set parses s.
func (d DayFlag) Set(s string) error {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return fmt.Errorf("want a date YYYY-MM-DD, got %q", s)
	}
	*d.T = t
	return nil
}

// Type names the value in help output.
func (DayFlag) Type() string { return "date" }
