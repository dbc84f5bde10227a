package report

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// TestHTMLBrowser opens the report in headless Chromium: the three charts
// draw their bars, the page loads nothing but itself, an injected title
// shows as text and runs nothing. PMSYNC_SCREENSHOT=1 also writes the
// full-page screenshot to testdata/report-screenshot.png.
func TestHTMLBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := chromiumPath + " is missing; install it with: apt-get update && apt-get install -y chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	r := Compute(evilInput())
	var page0 bytes.Buffer
	if err := r.HTML(&page0); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page0.Bytes())
	}))
	defer srv.Close()
	pageURL := srv.URL + "/report.html"

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1200, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	// Open the tab first, so that the listener sees the whole navigation.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var requests, dialogs []string
	dismiss := make(chan struct{}, 8)
	if err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *page.EventJavascriptDialogOpening:
			dialogs = append(dialogs, ev.Message)
			select {
			case dismiss <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// A dialog would block the page: dismiss it (outside the listener,
	// which must not run commands) so the test fails instead of hanging.
	go func() {
		for range dismiss {
			_ = chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				return err
			}))
		}
	}()
	defer close(dismiss)

	err := chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, page.Enable, page.EnableParams{})
			return err
		}),
		chromedp.Navigate(pageURL),
		chromedp.WaitReady(chromedp.CSS("footer")),
		chromedp.Sleep(200*time.Millisecond), // let a stray onerror or onload fire
	)
	if err != nil {
		t.Fatal(err)
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	charts := count("svg.chart")
	monthBars, ageBars, teamBars := count("#chart-month rect.bar"), count("#chart-age rect.bar"), count("#chart-team rect.bar")
	imgs, scripts := count("body img, img[src=x]"), count("script")
	text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.textContent`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}

	if charts != 3 {
		t.Errorf("%d charts, want 3", charts)
	}
	wantAge := len(r.OpenByAge.Buckets)
	if r.OpenByAge.Unknown > 0 {
		wantAge++
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{{"month", monthBars, len(r.ByMonth)}, {"age", ageBars, wantAge}, {"team", teamBars, len(r.ByTeam)}} {
		if c.got != c.want || c.want == 0 {
			t.Errorf("%s chart: %d bars, want %d (> 0)", c.name, c.got, c.want)
		}
	}
	bars, err := chromedp.Run(bctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll("rect.bar")).map(r => { const b = r.getBBox(); return b.width * b.height > 0 ? 1 : 0 })`))
	if err != nil {
		t.Fatal(err)
	}
	drawn := 0
	for _, b := range bars {
		drawn += b
	}
	if drawn == 0 {
		t.Error("no bar has an area: the charts are empty")
	}

	if imgs != 0 || scripts != 0 {
		t.Errorf("the page has %d <img> and %d <script> elements", imgs, scripts)
	}
	if !strings.Contains(text, evilTitle) {
		t.Errorf("the page text lacks the literal title %q", evilTitle)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("the page opened dialogs: %q", dialogs)
	}
	var other []string
	for _, u := range requests {
		if u != pageURL {
			other = append(other, u)
		}
	}
	if len(other) > 0 {
		t.Errorf("the page made requests besides itself: %q", other)
	}
	if len(requests) == 0 {
		t.Error("no request seen: the network listener did not work")
	}

	p := filepath.Join(t.TempDir(), "report-screenshot.png")
	if err := os.WriteFile(p, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	if os.Getenv("PMSYNC_SCREENSHOT") == "1" {
		if err := os.WriteFile(filepath.Join("testdata", "report-screenshot.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
