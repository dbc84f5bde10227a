package trackers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Timeout bounds each HTTP exchange, body included, to d. It sits below
// Transport, so a rate-limit wait is never cut short by it.
func Timeout(base http.RoundTripper, d time.Duration) http.RoundTripper {
	return timeoutTransport{base: base, d: d}
}

type timeoutTransport struct {
	base http.RoundTripper
	d    time.Duration
}

func (t timeoutTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(r.Context(), t.d)
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelBody{resp.Body, cancel}
	return resp, nil
}

// cancelBody ends the exchange's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Defaults fills in an adapter's collaborators left nil (the wall clock, a
// logger that discards, http.DefaultTransport) and puts the per-request
// timeout d on the transport, below the pacing Transport the adapter
// builds on it.
func Defaults(clock Clock, log *slog.Logger, base http.RoundTripper, d time.Duration) (Clock, *slog.Logger, http.RoundTripper) {
	if clock == nil {
		clock = RealClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return clock, log, Timeout(base, d)
}
