package redact

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactHandler(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	s := &Secrets{}
	s.Add("tok-123456")
	s.Add("ab") // too short to scrub safely: ignored
	log := slog.New(Handler{slog.NewJSONHandler(&out, nil), s})
	log.With("header", "Bearer tok-123456").Info("server echoed tok-123456",
		"err", errors.New("401 for token tok-123456"),
		slog.Group("req", "auth", "token tok-123456"), "n", 3, "word", "about")
	got := out.String()
	if strings.Contains(got, "tok-123456") {
		t.Fatalf("secret in log: %s", got)
	}
	if strings.Count(got, "[REDACTED]") != 4 || !strings.Contains(got, `"word":"about"`) || !strings.Contains(got, `"n":3`) {
		t.Fatalf("log: %s", got)
	}
}
