package httpadapter_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

// strongTag is the ETag Conditional derives from a body.
func strongTag(body string) string {
	sum := sha256.Sum256([]byte(body))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
}

// serve sends a request through h and returns the response and its body.
func serve(t *testing.T, h http.Handler, method, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// text is a handler that writes body with status (0: none written).
func text(status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if status != 0 {
			w.WriteHeader(status)
		}
		io.WriteString(w, body)
	})
}

func TestConditional(t *testing.T) {
	const body = `{"items":[1,2,3]}`
	etag := strongTag(body)
	h := httpadapter.Conditional(httpadapter.ConditionalConfig{})(text(0, body))

	t.Run("200 gets the validator and caching headers", func(t *testing.T) {
		res, got := serve(t, h, "GET", "/items", nil)
		if res.StatusCode != 200 || got != body {
			t.Fatalf("status %d, body %q", res.StatusCode, got)
		}
		want := http.Header{
			"Etag":           {etag},
			"Cache-Control":  {httpadapter.DefaultCacheControl},
			"Vary":           {"Authorization"},
			"Content-Type":   {"text/plain; charset=utf-8"},
			"Content-Length": {fmt.Sprint(len(body))},
		}
		if diff := cmp.Diff(want, res.Header); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
	})

	t.Run("HEAD gets the same ETag", func(t *testing.T) {
		// Through the page handler, which writes no body for HEAD.
		h := httpadapter.Conditional(httpadapter.ConditionalConfig{})(offsetHandler(t, paginate.OffsetConfig{PerPage: 2}, httpadapter.Config{}))
		getRes, body := serve(t, h, "GET", "/items?page=1", nil)
		etag := getRes.Header.Get("ETag")
		if getRes.StatusCode != 200 || etag != strongTag(body) {
			t.Fatalf("GET: status %d, ETag %q, want %q", getRes.StatusCode, etag, strongTag(body))
		}
		headRes, headBody := serve(t, h, "HEAD", "/items?page=1", nil)
		if headRes.StatusCode != 200 || headBody != "" {
			t.Fatalf("HEAD: status %d, body %q", headRes.StatusCode, headBody)
		}
		for _, k := range []string{"ETag", "Content-Length", "Content-Type", "Link", "X-Total-Count", "Cache-Control", "Vary"} {
			if g, hd := getRes.Header.Get(k), headRes.Header.Get(k); g != hd {
				t.Errorf("%s: GET %q, HEAD %q", k, g, hd)
			}
		}
		res, b := serve(t, h, "HEAD", "/items?page=1", http.Header{"If-None-Match": {etag}})
		if res.StatusCode != 304 || b != "" || res.Header.Get("ETag") != etag {
			t.Errorf("HEAD with If-None-Match: status %d, body %q, ETag %q", res.StatusCode, b, res.Header.Get("ETag"))
		}
		res, b = serve(t, h, "HEAD", "/items?page=0", nil)
		if res.StatusCode != 400 || b != "" || res.Header.Get("ETag") != "" {
			t.Errorf("HEAD of a bad request: status %d, body %q, ETag %q", res.StatusCode, b, res.Header.Get("ETag"))
		}
	})

	other := strongTag("something else")
	cases := []struct {
		name        string
		method      string
		ifNoneMatch []string
		want        int
	}{
		{"no If-None-Match", "GET", nil, 200},
		{"the ETag", "GET", []string{etag}, 304},
		{"the ETag on HEAD", "HEAD", []string{etag}, 304},
		{"the weak form", "GET", []string{"W/" + etag}, 304},
		{"in a list", "GET", []string{other + ", W/\"x\" ,  " + etag}, 304},
		{"in a second field", "GET", []string{other, etag}, 304},
		{"star", "GET", []string{"*"}, 304},
		{"another tag", "GET", []string{other}, 200},
		{"the tag without quotes", "GET", []string{strings.Trim(etag, `"`)}, 200},
		{"malformed before the tag", "GET", []string{`"unterminated, ` + etag}, 200},
		{"empty", "GET", []string{""}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.ifNoneMatch != nil {
				hdr["If-None-Match"] = tc.ifNoneMatch
			}
			res, got := serve(t, h, tc.method, "/items", hdr)
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.want != 304 {
				return
			}
			if got != "" {
				t.Errorf("304 with a body: %q", got)
			}
			want := http.Header{
				"Etag":          {etag},
				"Cache-Control": {httpadapter.DefaultCacheControl},
				"Vary":          {"Authorization"},
			}
			if diff := cmp.Diff(want, res.Header); diff != "" {
				t.Errorf("304 headers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConditionalPassesThrough(t *testing.T) {
	mw := httpadapter.Conditional(httpadapter.ConditionalConfig{MaxBody: 64})
	star := http.Header{"If-None-Match": {"*"}}

	t.Run("errors", func(t *testing.T) {
		res, body := serve(t, mw(text(404, "not here")), "GET", "/", star)
		if res.StatusCode != 404 || body != "not here" {
			t.Fatalf("status %d, body %q", res.StatusCode, body)
		}
		for _, k := range []string{"ETag", "Cache-Control", "Vary"} {
			if v := res.Header.Get(k); v != "" {
				t.Errorf("404 has %s: %q", k, v)
			}
		}
	})
	t.Run("other methods", func(t *testing.T) {
		res, body := serve(t, mw(text(0, "created")), "POST", "/", star)
		if res.StatusCode != 200 || body != "created" || res.Header.Get("ETag") != "" {
			t.Errorf("POST: status %d, body %q, ETag %q", res.StatusCode, body, res.Header.Get("ETag"))
		}
	})
	t.Run("large bodies", func(t *testing.T) {
		big := strings.Repeat("0123456789", 20)
		h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < len(big); i += 30 {
				io.WriteString(w, big[i:min(i+30, len(big))])
			}
		}))
		res, body := serve(t, h, "GET", "/", star)
		if res.StatusCode != 200 || body != big || res.Header.Get("ETag") != "" {
			t.Errorf("large body: status %d, %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("ETag"))
		}
	})
	t.Run("the handler's own headers", func(t *testing.T) {
		h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `W/"v7"`)
			w.Header().Set("Cache-Control", "public, max-age=60")
			w.Header().Set("Vary", "Accept-Encoding, authorization")
			io.WriteString(w, "x")
		}))
		res, _ := serve(t, h, "GET", "/", nil)
		want := http.Header{
			"Etag":           {`W/"v7"`},
			"Cache-Control":  {"public, max-age=60"},
			"Vary":           {"Accept-Encoding, authorization"},
			"Content-Length": {"1"},
		}
		if diff := cmp.Diff(want, res.Header); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
		if res, _ := serve(t, h, "GET", "/", http.Header{"If-None-Match": {`"v7"`}}); res.StatusCode != 304 {
			t.Errorf("If-None-Match with the strong form of a weak ETag: %d, want 304", res.StatusCode)
		}
	})
	t.Run("configured headers", func(t *testing.T) {
		h := httpadapter.Conditional(httpadapter.ConditionalConfig{
			CacheControl: "private, max-age=5",
			Vary:         []string{"authorization", "X-Tenant", "Authorization"},
		})(text(0, "x"))
		res, _ := serve(t, h, "GET", "/", nil)
		if got := res.Header.Get("Cache-Control"); got != "private, max-age=5" {
			t.Errorf("Cache-Control %q", got)
		}
		if diff := cmp.Diff([]string{"Authorization", "X-Tenant"}, res.Header.Values("Vary")); diff != "" {
			t.Errorf("Vary (-want +got):\n%s", diff)
		}
		none := httpadapter.Conditional(httpadapter.ConditionalConfig{Vary: []string{}})(text(0, "x"))
		if res, _ := serve(t, none, "GET", "/", nil); res.Header.Get("Vary") != "" {
			t.Errorf("Vary with an empty list: %q", res.Header.Get("Vary"))
		}
	})
}

// Through the page handler: a page's ETag changes with its content, and a
// client that has the page gets a 304.
func TestConditionalPages(t *testing.T) {
	schema := newSchema(t)
	m, err := paginate.NewMemory(items, schema, paginate.MemoryConfig[Item]{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := paginate.NewOffset(m, schema, paginate.OffsetConfig{PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := httpadapter.Handler(p, nil, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpadapter.Conditional(httpadapter.ConditionalConfig{})(pages))
	defer srv.Close()

	get := func(path, ifNoneMatch string) *http.Response {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	first := get("/items?page=1", "")
	etag := first.Header.Get("ETag")
	if first.StatusCode != 200 || etag == "" {
		t.Fatalf("page 1: status %d, ETag %q", first.StatusCode, etag)
	}
	if res := get("/items?page=1", etag); res.StatusCode != 304 || res.Header.Get("ETag") != etag {
		t.Errorf("page 1 again: status %d, ETag %q", res.StatusCode, res.Header.Get("ETag"))
	}
	second := get("/items?page=2", etag)
	if second.StatusCode != 200 || second.Header.Get("ETag") == etag {
		t.Errorf("page 2 with page 1's ETag: status %d, ETag %q", second.StatusCode, second.Header.Get("ETag"))
	}
	if res := get("/items?page=0", "*"); res.StatusCode != 400 || res.Header.Get("ETag") != "" {
		t.Errorf("bad request: status %d, ETag %q", res.StatusCode, res.Header.Get("ETag"))
	}
}

func ExampleConditional() {
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":["a","b"]}`)
	})
	h := httpadapter.Conditional(httpadapter.ConditionalConfig{Vary: []string{"Authorization"}})(pages)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/items", nil))
	etag := rec.Header().Get("ETag")
	fmt.Println(rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Vary"))

	req := httptest.NewRequest("GET", "/items", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.Len(), rec.Header().Get("ETag") == etag)
	// Output:
	// 200 private, no-cache Authorization
	// 304 0 true
}

// TestETagOverTime: the same page of unchanged data has the same body, and
// so the same ETag, on every request, however far apart: a client that
// has the page gets 304 Not Modified. The paginator's clock is driven, so
// the requests are 1.5 s, then an hour, apart without the test waiting.
// In cursor mode this needs cursors that do not change with the time they
// are issued at.
func TestETagOverTime(t *testing.T) {
	s := newSchema(t)
	m := memory(t, s, items)
	var now atomic.Int64 // nanoseconds since the Unix epoch
	now.Store(fixedNow().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	ks, err := paginate.NewKeyset(m, s, paginate.KeysetConfig{Keys: [][]byte{testKey}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	off, err := paginate.NewOffset(m, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	mw := httpadapter.Conditional(httpadapter.ConditionalConfig{})
	feed, err := httpadapter.Handler(ks, nil, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := httpadapter.Handler(off, nil, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}

	// The feed's second page has a next and a previous cursor.
	res, body := serve(t, mw(feed), "GET", "/feed?sort=id&per_page=2", nil)
	next := decode(t, []byte(body))["next_cursor"]
	if res.StatusCode != 200 || next == nil {
		t.Fatalf("first feed page: status %d: %s", res.StatusCode, body)
	}
	for _, tc := range []struct {
		name, target string
		h            http.Handler
	}{
		{"cursor page", "/feed?sort=id&per_page=2&after=" + url.QueryEscape(next.(string)), mw(feed)},
		{"offset page", "/items?sort=id&per_page=2&page=2", mw(list)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now.Store(fixedNow().UnixNano())
			first, firstBody := serve(t, tc.h, "GET", tc.target, nil)
			etag := first.Header.Get("ETag")
			if first.StatusCode != 200 || etag == "" {
				t.Fatalf("status %d, ETag %q: %s", first.StatusCode, etag, firstBody)
			}
			for _, later := range []time.Duration{1500 * time.Millisecond, time.Hour} {
				now.Store(fixedNow().Add(later).UnixNano())
				again, againBody := serve(t, tc.h, "GET", tc.target, nil)
				if diff := cmp.Diff(firstBody, againBody); diff != "" {
					t.Errorf("%v later, the same page has another body (-first +later):\n%s", later, diff)
				}
				res, _ := serve(t, tc.h, "GET", tc.target, http.Header{"If-None-Match": {etag}})
				if res.StatusCode != http.StatusNotModified {
					t.Errorf("%v later, If-None-Match with the page's ETag: status %d, want 304 (ETag now %q, was %q)",
						later, res.StatusCode, again.Header.Get("ETag"), etag)
				}
			}
		})
	}
}
