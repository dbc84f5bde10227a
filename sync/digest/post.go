package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/pmsync/pmsync/internal/retry"
)

// Defaults of a Poster.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultRetries  = 3
	DefaultMaxAfter = time.Minute
	maxAnswer       = 4 << 10 // bytes of an answer read
)

// Poster posts digests to an incoming webhook. Its zero value is ready
// to use.
type Poster struct {
	// Client sends the requests (default: one with DefaultTimeout that
	// follows no redirect).
	Client *http.Client
	// Retries is how many times a post that failed with a 5xx, a 429 or
	// a network error is repeated (DefaultRetries when 0; -1 for none).
	Retries int
	// Backoff is the wait before each retry (First 1s, doubling, when
	// zero); a Retry-After of at most MaxAfter is waited out.
	Backoff retry.Policy
	// Now tells the time for Retry-After dates (time.Now when nil).
	Now func() time.Time
	// Sleep waits between attempts (retry.Sleep when nil).
	Sleep func(context.Context, time.Duration) error
}

// Error is a post that failed. Its message names the team and says what
// to do; it never holds the webhook's URL, whose path is its secret.
type Error struct {
	Team string
	// Status is the last HTTP status (0: no answer).
	Status int
	// Retryable tells a failure the next run may not meet (a 5xx, a 429,
	// the network) from one it will (a 4xx: a revoked webhook, a
	// payload refused).
	Retryable bool
	msg       string
}

func (e *Error) Error() string { return e.msg }

// slackCode is the shape of the short error codes Slack answers with
// (invalid_payload, no_service, channel_is_archived); any other answer
// is not repeated in a message, since a server may echo what it got.
var slackCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Post posts m to the webhook at webhook. It retries 5xx, 429 and
// network failures with backoff, waits out a Retry-After within ctx's
// deadline and MaxAfter, and gives up at once on other 4xx answers.
// The error, a *Error, does not contain webhook.
func (p *Poster) Post(ctx context.Context, webhook string, m Message) error {
	fail := func(status int, retryable bool, format string, args ...any) error {
		msg := fmt.Sprintf("digest for team %q: ", m.Team) + fmt.Sprintf(format, args...)
		return &Error{Team: m.Team, Status: status, Retryable: retryable, msg: scrub(msg, webhook)}
	}
	u, err := url.Parse(webhook)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fail(0, false, "the webhook is not an http(s) URL; check the secret digests.webhook_env or digests.webhook_file names")
	}
	body, err := json.Marshal(m.Payload)
	if err != nil {
		return fail(0, false, "encode: %v", err)
	}
	retries := p.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	sleep, now := p.Sleep, p.Now
	if sleep == nil {
		sleep = retry.Sleep
	}
	if now == nil {
		now = time.Now
	}
	client := p.Client
	if client == nil {
		client = &http.Client{
			Timeout:       DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	maxAfter := p.Backoff.MaxAfter
	if maxAfter <= 0 {
		maxAfter = DefaultMaxAfter
	}

	var last error
	for attempt := 0; ; attempt++ {
		status, answer, err := post(ctx, client, webhook, body)
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return fail(0, true, "stopped before it was posted (%v); the next run posts it", ctx.Err())
		case err != nil:
			if retry.Classify(err) == retry.Never {
				return fail(0, false, "%s; check the webhook's host and its TLS certificate", netCause(err))
			}
			last = fail(0, true, "%s after %d attempt(s); the next run tries again", netCause(err), attempt+1)
		case status >= 200 && status < 300:
			return nil
		case status == http.StatusTooManyRequests || status >= 500:
			last = fail(status, true, "the webhook answered %d%s after %d attempt(s); the next run tries again", status, code(answer.body), attempt+1)
			if after, ok := retry.After(answer.retryAfter, now()); ok && status == http.StatusTooManyRequests {
				if after > maxAfter {
					return fail(status, true, "the webhook is rate limited for %s, longer than pmsync waits; the next run tries again", after.Round(time.Second))
				}
				wait = after
			}
		case status >= 300 && status < 400:
			return fail(status, false, "the webhook answered %d, a redirect, which pmsync does not follow; check the URL digests.webhook_env or digests.webhook_file gives", status)
		default:
			return fail(status, false, "the webhook answered %d%s; %s", status, code(answer.body), advice(status))
		}
		if attempt >= retries {
			return last
		}
		wait = max(wait, p.Backoff.Delay(attempt))
		if dl, ok := ctx.Deadline(); ok && now().Add(wait).After(dl) {
			return fail(status, true, "gave up: the next attempt would be after the run's deadline (%v); the next run tries again", unwrapMsg(last))
		}
		if err := sleep(ctx, wait); err != nil {
			return fail(status, true, "stopped before it was posted (%v); the next run posts it", err)
		}
	}
}

// answer is what the webhook said.
type answer struct {
	body       string
	retryAfter string
}

func post(ctx context.Context, client *http.Client, webhook string, body []byte) (int, answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhook, bytes.NewReader(body))
	if err != nil {
		return 0, answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, answer{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection can be reused
	return resp.StatusCode, answer{body: strings.TrimSpace(string(b)), retryAfter: resp.Header.Get("Retry-After")}, nil
}

// code is Slack's error code from an answer, as " (invalid_payload)",
// or "" for anything else.
func code(body string) string {
	if slackCode.MatchString(body) {
		return " (" + body + ")"
	}
	return ""
}

func advice(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "the webhook refused the message; report it as a pmsync bug with the team's digest (pmsync plan shows it)"
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return "the webhook was revoked, or its channel archived or restricted; create a new one and update the secret digests.webhook_env or digests.webhook_file names"
	}
	return "check the webhook and the secret digests.webhook_env or digests.webhook_file names"
}

// netCause is a transport error without the request's URL (url.Error
// puts it in front of the cause).
func netCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "post failed: " + err.Error()
}

func unwrapMsg(err error) string {
	var e *Error
	if errors.As(err, &e) {
		_, rest, _ := strings.Cut(e.msg, ": ")
		return rest
	}
	return fmt.Sprint(err)
}

// scrub removes the webhook's URL, its path and its query from msg, in
// case a cause still quotes them.
func scrub(msg, webhook string) string {
	if webhook == "" {
		return msg
	}
	parts := []string{webhook, url.PathEscape(webhook), url.QueryEscape(webhook)}
	if u, err := url.Parse(webhook); err == nil {
		for _, s := range []string{u.EscapedPath(), u.Path, u.RawQuery} {
			if len(s) > 1 {
				parts = append(parts, s)
			}
		}
	}
	for _, s := range parts {
		msg = strings.ReplaceAll(msg, s, "[webhook]")
	}
	return msg
}
