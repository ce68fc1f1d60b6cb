package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gocmp "github.com/google/go-cmp/cmp"
)

// getFrom sends a GET to path on s with the given Origin ("" for none).
func (s *server) getFrom(t *testing.T, path, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// A request with an Origin learns that Link and X-Total-Count may be
// read; -allow-origin decides which origins may read at all.
func TestCORSHeaders(t *testing.T) {
	s := start(t, "-rows", "30", "-allow-origin", "https://app.example")
	for _, tc := range []struct {
		path, origin string
		allow        string
		expose       []string
	}{
		{"/api/items?per_page=5", "", "", nil},
		{"/api/items?per_page=5", "https://app.example", "https://app.example", []string{"Link", "X-Total-Count"}},
		{"/api/items/feed?per_page=5", "https://app.example", "https://app.example", []string{"Link", "X-Total-Count"}},
		{"/api/items?per_page=5", "https://other.example", "", []string{"Link", "X-Total-Count"}},
	} {
		res := s.getFrom(t, tc.path, tc.origin)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", tc.path, res.StatusCode)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != tc.allow {
			t.Errorf("GET %s from %q: Access-Control-Allow-Origin %q, want %q", tc.path, tc.origin, got, tc.allow)
		}
		if diff := gocmp.Diff(tc.expose, res.Header.Values("Access-Control-Expose-Headers")); diff != "" {
			t.Errorf("GET %s from %q: Access-Control-Expose-Headers (-want +got):\n%s", tc.path, tc.origin, diff)
		}
		if diff := gocmp.Diff([]string{"Origin"}, res.Header.Values("Vary")); diff != "" {
			t.Errorf("GET %s from %q: Vary (-want +got):\n%s", tc.path, tc.origin, diff)
		}
	}
}

// TestBrowserReadsHeadersCrossOrigin fetches a page of the API in headless
// Chromium from a document of another origin (localhost, the API being
// 127.0.0.1): the script reads Link and X-Total-Count, which a browser
// hides from cross-origin code unless the response exposes them, and the
// body's links; the ETag, not exposed, stays hidden.
func TestBrowserReadsHeadersCrossOrigin(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromium(t)
	s := start(t, "-rows", "30", "-allow-origin", "*")
	// A JSON document of the API, under the other name: it has no
	// Content-Security-Policy to stop the fetch, as the index page has.
	page := strings.Replace(s.base, "127.0.0.1", "localhost", 1) + "/api/items?per_page=1"

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		Origin, Link, Total, ETag, Last string
	}
	script := `fetch("` + s.base + `/api/items?per_page=7").then(async r => {
		const body = await r.json();
		return {Origin: location.origin, Link: r.headers.get("Link") || "", Total: r.headers.get("X-Total-Count") || "",
			ETag: r.headers.get("ETag") || "", Last: body.links.last || ""};
	})`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[seen](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin == s.base {
		t.Fatalf("the document's origin %s is the API's: the fetch is not cross-origin", got.Origin)
	}
	last := s.base + "/api/items?per_page=7&page=5"
	want := seen{Origin: got.Origin, Link: got.Link, Total: "30", Last: last}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("what the cross-origin script read (-want +got):\n%s", diff)
	}
	if !strings.Contains(got.Link, "<"+last+`>; rel="last"`) {
		t.Errorf("the script read the Link header %q, want one with rel=last %s", got.Link, last)
	}
}
