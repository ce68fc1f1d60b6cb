package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/apitest"
	"github.com/go-paginate/paginate/internal/testdb"
)

// chromium finds a Chromium or Chrome binary, or skips the test (failing
// it in CI or when services are required).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "Chromium not found: install Debian's chromium package (apt-get install chromium) to run the browser test"
	if testdb.Required() || os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestBrowserInfiniteScroll drives the index page in headless Chromium:
// the first page appears, "Load more" and scrolling each append the next
// page, and the list ends with every row exactly once, in feed order.
func TestBrowserInfiniteScroll(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromium(t)
	const rows = 70
	s := start(t, "-rows", "70")

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // tests may run as root, where Chromium's sandbox refuses to start
		chromedp.WindowSize(1000, 700),
	)
	// The whole test is bounded: a context deadline on the browser's
	// context stops it, which fails any action still waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	listed := func() []int64 {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`Array.from(document.querySelectorAll("#items li")).map(li => Number(li.dataset.id))`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := apitest.IDs(apitest.Sorted(apitest.Items(rows), "-created_at"))

	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#items li:nth-child(20)`)),
	); err != nil {
		t.Fatalf("first page: %v", err)
	}
	if diff := gocmp.Diff(want[:20], listed()); diff != "" {
		t.Fatalf("first page (-want +got):\n%s", diff)
	}

	// "Load more" appends the next page.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("more")),
		chromedp.WaitVisible(chromedp.CSS(`#items li:nth-child(40)`)),
	); err != nil {
		t.Fatalf("load more: %v", err)
	}
	if diff := gocmp.Diff(want[:40], listed()); diff != "" {
		t.Fatalf("after Load more (-want +got):\n%s", diff)
	}

	// Scrolling to the bottom loads the next page by itself.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`),
		chromedp.WaitVisible(chromedp.CSS(`#items li:nth-child(60)`)),
	); err != nil {
		t.Fatalf("scroll: %v", err)
	}
	if diff := gocmp.Diff(want[:60], listed()); diff != "" {
		t.Fatalf("after scrolling (-want +got):\n%s", diff)
	}

	// The last, short page, then the end: no button, every row once.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("more")),
		chromedp.WaitVisible(chromedp.CSS(`#items li:nth-child(70)`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("more").hidden`),
	); err != nil {
		t.Fatalf("last page: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if err != nil {
		t.Fatal(err)
	}
	got := listed()
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("whole list (-want +got):\n%s", diff)
	}
	seen := map[int64]bool{}
	for _, id := range got {
		if seen[id] {
			t.Fatalf("item %d listed twice", id)
		}
		seen[id] = true
	}
	if !strings.Contains(status, "70 items") {
		t.Errorf("status %q", status)
	}
}
