// Package redact keeps secrets out of everything pmsync prints: a set of
// the run's resolved secrets, and a log handler and a writer that replace
// them. The adapters never log secrets; this is the last line of defence
// against a server echoing a header or a wrapped error.
package redact

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Secrets holds the run's secrets; Handler replaces them in every log
// record, Writer in the final error and a panic's report. The zero value
// is ready.
type Secrets struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is cut whole
}

// Add records a secret (shorter than 4 bytes: ignored).
func (s *Secrets) Add(v string) {
	if len(v) < 4 { // too short to scrub without mangling ordinary text
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Basic auth sends base64("user:password"); user and token are both
	// resolved secrets (Jira Cloud), so each pair's encoding is one too.
	for _, o := range s.secrets {
		s.secrets = append(s.secrets, basic(o, v), basic(v, o))
	}
	s.secrets = append(s.secrets, v)
	sort.SliceStable(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// basicRE finds Basic credentials, whose user pmsync may not know (git's
// x-access-token).
var basicRE = regexp.MustCompile(`(?i)\bbasic\s+([A-Za-z0-9+/]{4,}=*)`)

// Scrub returns v with every secret replaced by [REDACTED].
func (s *Secrets) Scrub(v string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.secrets) == 0 {
		return v
	}
	v = basicRE.ReplaceAllStringFunc(v, func(m string) string {
		cred := basicRE.FindStringSubmatch(m)[1]
		dec, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return m
		}
		for _, sec := range s.secrets {
			if strings.Contains(string(dec), sec) {
				return strings.Replace(m, cred, "[REDACTED]", 1)
			}
		}
		return m
	})
	for _, sec := range s.secrets {
		if strings.Contains(v, sec) {
			v = strings.ReplaceAll(v, sec, "[REDACTED]")
		}
	}
	return v
}

// Writer scrubs each write; for output written a line per call (the
// final error, a panic's report).
type Writer struct {
	W io.Writer
	S *Secrets
}

func (w Writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.W, w.S.Scrub(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Handler scrubs every log record before Handler handles it.
type Handler struct {
	slog.Handler
	S *Secrets
}

func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.S.Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h Handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.S.Scrub(v.String()))
	case slog.KindGroup:
		var as []any
		for _, g := range v.Group() {
			as = append(as, h.attr(g))
		}
		return slog.Group(a.Key, as...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.S.Scrub(err.Error()))
		}
	}
	return a
}

func (h Handler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return Handler{h.Handler.WithAttrs(out), h.S}
}

func (h Handler) WithGroup(name string) slog.Handler {
	return Handler{h.Handler.WithGroup(name), h.S}
}
