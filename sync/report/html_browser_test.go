package report

import (
	"bytes"
	"context"
	"fmt"
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
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browserWidths are the viewport widths the page must lay out at: a
// laptop and a narrow window (or a tablet held upright).
var browserWidths = []int64{1280, 800}

// printWidth is an A4 page's printable width in CSS pixels: 210 mm less
// Chromium's default margins of 0.4 in on each side.
const printWidth = 718

// TestHTMLBrowser opens a large report (wideInput: many teams with long
// names, long ticket refs and titles, injected markup) in headless
// Chromium at each of browserWidths and checks that
//   - no table cell breaks a word across lines or overflows its box,
//   - the page never scrolls sideways (wide tables scroll in their own box),
//   - the five charts draw their bars and points, each team its sparkline,
//   - the page loads nothing but itself, and injected text stays text;
//
// and, in the print style, that no table box cuts anything off.
//
// PMSYNC_SCREENSHOT=1 writes full-page screenshots to
// $PMSYNC_SCREENSHOT_DIR, or else to pmsync-report-screenshots under the
// temporary directory: report-1280.png and report-800.png, the same with
// every table box scrolled to its end (report-1280-scrolled.png, …), and
// report-print.png in the print style.
func TestHTMLBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := chromiumPath + " is missing; install it with: apt-get update && apt-get install -y chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	r := Compute(wideInput())
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

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
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
		chromedp.WindowSize(1280, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	browser, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(browser); err != nil { // start the browser
		t.Fatal(err)
	}

	for _, w := range browserWidths {
		t.Run(fmt.Sprintf("%dpx", w), func(t *testing.T) {
			tab := openPage(t, browser, pageURL, w, false)
			checkLayout(t, tab.ctx, w)
			checkCharts(t, tab.ctx, r)
			checkInert(t, tab)
			screenshot(t, tab.ctx, w, fmt.Sprintf("report-%d.png", w))
			// And with every table box scrolled to its end, to see that a
			// breakdown keeps its first column in view.
			scrolled, err := chromedp.Run(tab.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("div.table")).filter(b => { b.scrollLeft = b.scrollWidth; return b.scrollLeft > 0 }).length`))
			if err != nil {
				t.Fatal(err)
			}
			if scrolled > 0 {
				screenshot(t, tab.ctx, w, fmt.Sprintf("report-%d-scrolled.png", w))
			}
		})
	}
	t.Run("print", func(t *testing.T) {
		tab := openPage(t, browser, pageURL, printWidth, true)
		checkPrint(t, tab.ctx)
		screenshot(t, tab.ctx, printWidth, "report-print.png")
	})
}

// browserTab is one page open at one width, with what it asked the
// network for and the dialogs it opened.
type browserTab struct {
	ctx      context.Context
	url      string
	mu       sync.Mutex
	requests []string
	dialogs  []string
}

// openPage opens url in a new tab of the browser with a viewport width
// CSS pixels wide (and the print style when print is set) and waits for it
// to load.
func openPage(t *testing.T, browser context.Context, url string, width int64, print bool) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	// Open the tab first, so that the listener sees the whole navigation.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	tab := &browserTab{ctx: ctx, url: url}
	dismiss := make(chan struct{}, 8)
	if err := chromedp.Listen(ctx, func(ev any) {
		tab.mu.Lock()
		defer tab.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			tab.requests = append(tab.requests, ev.Request.URL)
		case *page.EventJavascriptDialogOpening:
			tab.dialogs = append(tab.dialogs, ev.Message)
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
			_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				return err
			}))
		}
	}()
	t.Cleanup(func() { close(dismiss) })

	media := ""
	if print {
		media = "print"
	}
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, t, page.Enable, page.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
			return err
		}),
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("footer")),
		chromedp.Sleep(200*time.Millisecond), // let a stray onerror or onload fire
	)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// layout is what measureLayout returns.
type layout struct {
	InnerWidth  int `json:"innerWidth"`  // the viewport, with its scroll bar
	ClientWidth int `json:"clientWidth"` // the viewport without a scroll bar
	ScrollWidth int `json:"scrollWidth"` // the document's
	Cells       int `json:"cells"`
	Words       int `json:"words"`
	// MaxOverflow is the most, in CSS pixels, that a cell's content
	// (scrollWidth) or its widest word is wider than the cell's box.
	MaxOverflow     float64  `json:"maxOverflow"`
	MaxOverflowCell string   `json:"maxOverflowCell"`
	Overflowing     []string `json:"overflowing"` // cells whose content is wider than the cell
	Broken          []string `json:"broken"`      // words laid out on more than one line
	Boxes           int      `json:"boxes"`       // table boxes (div.table)
	Scrolling       []string `json:"scrolling"`   // the table boxes that scroll sideways, by their first header
	CutOff          []string `json:"cutOff"`      // table boxes whose content is wider than they are, in print
	PrintOverflow   string   `json:"printOverflow"`
}

// measureLayout measures, for every table cell, whether a word (a run of
// non-space characters) is split across lines, by the distinct line boxes
// of the word's client rectangles, and how much the cell's content or its
// widest word exceeds the cell's content box; and the document's and
// every table box's scroll width.
const measureLayout = `(() => {
  const de = document.documentElement;
  const out = {innerWidth: window.innerWidth, clientWidth: de.clientWidth, scrollWidth: de.scrollWidth,
    cells: 0, words: 0, maxOverflow: 0, maxOverflowCell: "", overflowing: [], broken: [], boxes: 0, scrolling: [], cutOff: [], printOverflow: ""};
  const name = el => (el.closest("section") ? el.closest("section").id + ": " : "") + JSON.stringify(el.textContent.trim().slice(0, 60));
  for (const cell of document.querySelectorAll("td, th")) {
    out.cells++;
    const cs = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    let over = cell.scrollWidth - cell.clientWidth;
    // The cell's text as one string, mapped back to its text nodes, so a
    // word that spans inline elements (a link, a span) is still one word;
    // a block (a second line) starts a new word.
    const nodes = [];
    let text = "", last = null;
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      let block = n.parentElement;
      while (block !== cell && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
      if (last && block !== last) text += "\n";
      last = block;
      nodes.push({n, at: text.length});
      text += n.data;
    }
    const at = i => {
      let k = nodes.length - 1;
      while (k > 0 && nodes[k].at > i) k--;
      return [nodes[k].n, i - nodes[k].at];
    };
    for (const m of text.matchAll(/\S+/g)) {
      out.words++;
      const rg = document.createRange();
      rg.setStart(...at(m.index));
      const [en, eo] = at(m.index + m[0].length - 1);
      rg.setEnd(en, eo + 1);
      const rects = Array.from(rg.getClientRects()).filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;
      const tops = rects.map(r => r.top), bottoms = rects.map(r => r.bottom);
      if (Math.min(...bottoms) <= Math.max(...tops)) {
        out.broken.push(name(cell) + " splits " + JSON.stringify(m[0]));
        continue;
      }
      const b = rg.getBoundingClientRect();
      over = Math.max(over, b.width - inner);
    }
    if (over > out.maxOverflow) {
      out.maxOverflow = over;
      out.maxOverflowCell = name(cell);
    }
    if (over > 0.5) out.overflowing.push(name(cell) + " by " + over.toFixed(1) + " px");
  }
  for (const box of document.querySelectorAll("div.table")) {
    out.boxes++;
    const th = box.querySelector("th");
    const label = (box.closest("section") ? box.closest("section").id : "") + " (" + (th ? th.textContent : "") + ")";
    if (box.scrollWidth > box.clientWidth + 0.5) {
      out.scrolling.push(label + " by " + (box.scrollWidth - box.clientWidth) + " px");
      if (getComputedStyle(box).overflowX !== "auto" && getComputedStyle(box).overflowX !== "scroll") out.cutOff.push(label);
    }
    out.printOverflow = getComputedStyle(box).overflowX;
  }
  out.maxOverflow = Math.round(out.maxOverflow * 10) / 10;
  return out;
})()`

func measure(t *testing.T, ctx context.Context) layout {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measureLayout))
	if err != nil {
		t.Fatal(err)
	}
	if l.Cells == 0 || l.Words == 0 {
		t.Fatalf("measured %d cells, %d words: the page has no tables", l.Cells, l.Words)
	}
	if l.Boxes == 0 {
		t.Error("no table is in a table box (div.table)")
	}
	return l
}

func checkLayout(t *testing.T, ctx context.Context, width int64) {
	l := measure(t, ctx)
	t.Logf("%d px: %d cells, %d words; max cell overflow %.1f px (%s); %d words split; document scrollWidth %d, clientWidth %d, innerWidth %d; %d of %d table boxes scroll sideways %q",
		width, l.Cells, l.Words, l.MaxOverflow, l.MaxOverflowCell, len(l.Broken), l.ScrollWidth, l.ClientWidth, l.InnerWidth, len(l.Scrolling), l.Boxes, l.Scrolling)
	if int64(l.InnerWidth) != width {
		t.Errorf("innerWidth %d, want %d: the viewport was not set", l.InnerWidth, width)
	}
	for _, b := range l.Broken {
		t.Errorf("word split across lines: %s", b)
	}
	for _, o := range l.Overflowing {
		t.Errorf("cell content wider than its cell: %s", o)
	}
	if l.ScrollWidth > l.ClientWidth || l.ScrollWidth > l.InnerWidth {
		t.Errorf("the page scrolls sideways: scrollWidth %d > clientWidth %d (innerWidth %d)", l.ScrollWidth, l.ClientWidth, l.InnerWidth)
	}
	if len(l.CutOff) > 0 {
		t.Errorf("table boxes too narrow for their table, without a scroll bar: %q", l.CutOff)
	}
	// At laptop width every table fits the page without scrolling.
	if width >= 1280 && len(l.Scrolling) > 0 {
		t.Errorf("at %d px, tables scroll sideways: %q", width, l.Scrolling)
	}
}

// checkPrint: in the print style, at an A4 page's width, the page is no
// wider than the paper and no table box hides columns behind a scroll bar
// that paper does not have; the charts are drawn; no row or chart is
// split across pages.
func checkPrint(t *testing.T, ctx context.Context) {
	l := measure(t, ctx)
	t.Logf("print, %d px: %d cells; max cell overflow %.1f px (%s); %d words split; document scrollWidth %d, clientWidth %d; table boxes wider than the page %q",
		printWidth, l.Cells, l.MaxOverflow, l.MaxOverflowCell, len(l.Broken), l.ScrollWidth, l.ClientWidth, l.Scrolling)
	if l.PrintOverflow != "visible" {
		t.Errorf("table boxes have overflow-x %q in print, want visible", l.PrintOverflow)
	}
	if len(l.Scrolling) > 0 {
		t.Errorf("in print, tables wider than the page (cut off on paper): %q", l.Scrolling)
	}
	if l.ScrollWidth > l.ClientWidth {
		t.Errorf("in print, the page is wider than the paper: scrollWidth %d > %d", l.ScrollWidth, l.ClientWidth)
	}
	for _, o := range l.Overflowing {
		t.Errorf("in print, cell content wider than its cell: %s", o)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("svg.chart")).filter(s => s.getBoundingClientRect().width > 200).length`))
	if err != nil {
		t.Fatal(err)
	}
	if drawn != 5 {
		t.Errorf("in print, %d charts drawn, want 5", drawn)
	}
	split, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("tr, figure")).filter(e => getComputedStyle(e).breakInside !== "avoid").length`))
	if err != nil {
		t.Fatal(err)
	}
	if split > 0 {
		t.Errorf("in print, %d table rows or charts may be split across pages", split)
	}
}

// checkCharts: the five charts are there, with one bar or point per row
// of their tables (per figure, for the cohorts), the bars have an area,
// and each team has its sparkline.
func checkCharts(t *testing.T, ctx context.Context, r *Report) {
	t.Helper()
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("svg.chart"); n != 5 {
		t.Errorf("%d charts, want 5", n)
	}
	for id, want := range chartMarks(r) {
		got := count("#" + id + " rect.bar, #" + id + " circle.point")
		if got != want || want == 0 {
			t.Errorf("%s: %d bars or points, want %d (> 0)", id, got, want)
		}
	}
	if n, want := count("svg.spark"), len(r.Trends.ByTeam); n != want {
		t.Errorf("%d sparklines, want one per team, %d", n, want)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("rect.bar")).filter(r => { const b = r.getBBox(); return b.width * b.height > 0 }).length`))
	if err != nil {
		t.Fatal(err)
	}
	if drawn == 0 {
		t.Error("no bar has an area: the charts are empty")
	}
}

// checkInert: the injected markup of evilInput shows as text and runs
// nothing, and the page asked the network for nothing but itself.
func checkInert(t *testing.T, tab *browserTab) {
	t.Helper()
	type dom struct {
		Imgs, Scripts, Handlers, JSLinks int
		Text                             string
	}
	d, err := chromedp.Run(tab.ctx, chromedp.Evaluate[dom](`({
  Imgs: document.querySelectorAll("img").length,
  Scripts: document.querySelectorAll("script").length,
  Handlers: Array.from(document.querySelectorAll("*")).filter(e => Array.from(e.attributes).some(a => a.name.startsWith("on"))).length,
  JSLinks: Array.from(document.querySelectorAll("a[href]")).filter(a => !/^https?:/.test(a.href)).length,
  Text: document.body.textContent,
})`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Imgs != 0 || d.Scripts != 0 || d.Handlers != 0 || d.JSLinks != 0 {
		t.Errorf("the page has %d <img>, %d <script>, %d elements with event handlers and %d links that are not http(s)", d.Imgs, d.Scripts, d.Handlers, d.JSLinks)
	}
	for _, s := range []string{evilTitle, `</title><script>alert(3)</script>`, `"><img src=x onerror=alert(4)>`, "<svg onload=alert(2)>"} {
		if !strings.Contains(d.Text, s) {
			t.Errorf("the page text lacks the literal %q", s)
		}
	}

	tab.mu.Lock()
	defer tab.mu.Unlock()
	if len(tab.dialogs) > 0 {
		t.Errorf("the page opened dialogs: %q", tab.dialogs)
	}
	var other []string
	for _, u := range tab.requests {
		if u != tab.url {
			other = append(other, u)
		}
	}
	if len(other) > 0 {
		t.Errorf("the page made requests besides itself: %q", other)
	}
	if len(tab.requests) == 0 {
		t.Error("no request seen: the network listener did not work")
	}
}

// screenshot takes a full-page screenshot at the viewport's width; with
// PMSYNC_SCREENSHOT=1 it keeps it (see TestHTMLBrowser). It is slow on a
// long page, so it is taken only then.
//
// The viewport is first made as tall as the page: a full-page capture of
// a shorter viewport lays the page out again without the scroll bar, 15
// pixels wider, but crops the picture to the old width.
func screenshot(t *testing.T, ctx context.Context, width int64, name string) {
	t.Helper()
	if os.Getenv("PMSYNC_SCREENSHOT") != "1" {
		return
	}
	height, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if len(shot) == 0 {
		t.Fatal("empty screenshot")
	}
	dir := os.Getenv("PMSYNC_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "pmsync-report-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}
