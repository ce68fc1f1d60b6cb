package httpadapter_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
)

// rawEscape escapes only the bytes that would end or change a query
// value, leaving <>",; and the like as a client may send them.
func rawEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '%', '&', '#', '+', ' ', '\t':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseLink returns the target of each rel of a Link header, failing on
// any link-value that is not exactly <absolute URL>; rel="name".
func parseLink(t *testing.T, v string) map[string]*url.URL {
	t.Helper()
	targets, err := apitest.ParseLinks(v)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*url.URL{}
	for rel, target := range targets {
		u, err := url.Parse(target)
		if err != nil || !u.IsAbs() {
			t.Fatalf("link target %q: absolute %v, error %v", target, err == nil && u.IsAbs(), err)
		}
		out[rel] = u
	}
	return out
}

// The path as the client wrote it, before a router stripped a prefix, is
// escaped again in Link URLs and in the body's links: a > or a " in it
// cannot end a link and add one.
func TestLinkEscapesThePath(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{PerPage: 2}, httpadapter.Config{})
	for _, raw := range []string{
		`/api/items>;rel="next",<https://evil.example/`,
		`/api/it"ems<x>`,
		"/api/caf%C3%A9",
	} {
		// As a router that stripped the prefix /api passes it on.
		req := httptest.NewRequest(http.MethodGet, "/x?page=2", nil)
		req.RequestURI = raw + "?page=2"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", raw, rec.Code)
		}
		links := parseLink(t, rec.Header().Get("Link"))
		if len(links) != 4 {
			t.Errorf("%s: %d links in %q, want first, prev, next, last", raw, len(links), rec.Header().Get("Link"))
		}
		want, err := url.PathUnescape(raw)
		if err != nil {
			t.Fatal(err)
		}
		for rel, u := range links {
			if u.Host != "example.com" || u.Path != want {
				t.Errorf("%s: rel %q points to host %q, path %q", raw, rel, u.Host, u.Path)
			}
		}
		// Two quotes around each of the four rels, none in a URL.
		if n := strings.Count(rec.Header().Get("Link"), `"`); n != 8 {
			t.Errorf("%s: %d quotes in %q", raw, n, rec.Header().Get("Link"))
		}
	}
}

// The client's other query parameters are re-encoded in Link URLs, so no
// value can close the URL and add links of its own.
func TestLinkKeepsOtherParametersSafely(t *testing.T) {
	hostile := []string{
		`a>;rel="next",<https://evil.example/steal?x=`,
		`a>, <https://evil.example/>; rel="last"`,
		"<>\";, \t%&=+#?[]",
		"caf\u00e9 & \u2603",
	}
	cfg := httpadapter.Config{Parser: httpadapter.ParserConfig{Ignore: []string{"tag", "x[y]", "flag"}}}
	offset := offsetHandler(t, paginate.OffsetConfig{PerPage: 2}, cfg)
	cursor := cursorHandler(t, items, cfg)
	for _, v := range hostile {
		for _, tc := range []struct {
			name string
			h    http.Handler
			page string
			rels []string
		}{
			{"offset", offset, "page=2", []string{"first", "prev", "next", "last"}},
			{"cursor", cursor, "per_page=2", []string{"first", "next", "last"}},
		} {
			// As a client may send it: only what would end the value escaped.
			raw := rawEscape(v)
			target := "/items?category[ne]=" + raw + "&tag=" + raw + "&x[y]=" + raw + "&tag=second&" + tc.page + "&flag"
			res := get(t, tc.h, target)
			if res.StatusCode != 200 {
				t.Fatalf("%s %q: status %d: %s", tc.name, target, res.StatusCode, readBody(t, res))
			}
			links := parseLink(t, res.Header.Get("Link"))
			if len(links) != len(tc.rels) {
				t.Errorf("%s: links %q, want rels %q", tc.name, res.Header.Get("Link"), tc.rels)
			}
			for rel, u := range links {
				if u.Scheme != "http" || u.Host != "example.com" || u.Path != "/items" {
					t.Errorf("%s: rel %q points to %s", tc.name, rel, u)
				}
				got := u.Query()
				want := url.Values{"category[ne]": {v}, "tag": {v, "second"}, "x[y]": {v}, "flag": {""}}
				switch {
				case tc.name == "offset":
					want.Set("page", got.Get("page"))
				case rel == "next":
					want.Set("per_page", "2")
					want.Set("after", got.Get("after"))
				case rel == "last":
					want.Set("per_page", "2")
					want.Set("before", got.Get("before"))
				default: // first: no cursor
					want.Set("per_page", "2")
				}
				for _, k := range []string{"page", "after", "before"} {
					if got.Has(k) && got.Get(k) == "" {
						t.Errorf("%s: rel %q has an empty %s", tc.name, rel, k)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: rel %q query (-want +got):\n%s", tc.name, rel, diff)
				}
			}
			for _, rel := range tc.rels {
				if links[rel] == nil {
					t.Errorf("%s: no rel %q in %q", tc.name, rel, res.Header.Get("Link"))
				}
			}
		}
	}
}

func TestConditionalWritesNothingForNothing(t *testing.T) {
	h := httpadapter.Conditional(httpadapter.ConditionalConfig{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, method := range []string{"GET", "HEAD"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/", nil))
		if rec.Flushed || len(rec.Header()) != 0 || rec.Body.Len() != 0 {
			t.Errorf("%s: the middleware wrote headers %v, body %q", method, rec.Header(), rec.Body)
		}
	}
	// A canceled request: the page handler writes nothing, nor does the
	// middleware.
	p := httpadapter.Conditional(httpadapter.ConditionalConfig{})(offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/items", nil).WithContext(ctx))
	if rec.Header().Get("ETag") != "" || rec.Header().Get("Content-Length") == "0" {
		t.Errorf("canceled request: status %d, headers %v", rec.Code, rec.Header())
	}
}

func TestConditionalKeepsContentLength(t *testing.T) {
	h := httpadapter.Conditional(httpadapter.ConditionalConfig{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		if r.Method != "HEAD" {
			w.Write([]byte("hello"))
		}
	}))
	for _, method := range []string{"GET", "HEAD"} {
		res, _ := serve(t, h, method, "/", nil)
		if res.Header.Get("Content-Length") != "5" || res.Header.Get("ETag") != strongTag("hello") {
			t.Errorf("%s: Content-Length %q, ETag %q", method, res.Header.Get("Content-Length"), res.Header.Get("ETag"))
		}
	}
}

// A response too large to buffer still carries Vary and Cache-Control.
func TestConditionalLargeBodyKeepsCachingHeaders(t *testing.T) {
	mw := httpadapter.Conditional(httpadapter.ConditionalConfig{MaxBody: 10})
	big := strings.Repeat("x", 11)
	res, body := serve(t, mw(text(0, big)), "GET", "/", nil)
	if res.StatusCode != 200 || body != big || res.Header.Get("ETag") != "" {
		t.Fatalf("status %d, body %q, ETag %q", res.StatusCode, body, res.Header.Get("ETag"))
	}
	if res.Header.Get("Vary") != "Authorization" || res.Header.Get("Cache-Control") != httpadapter.DefaultCacheControl {
		t.Errorf("Vary %q, Cache-Control %q", res.Header.Get("Vary"), res.Header.Get("Cache-Control"))
	}
	res, body = serve(t, mw(text(0, big)), "HEAD", "/", nil)
	if res.StatusCode != 200 || body != "" || res.Header.Get("Vary") != "Authorization" {
		t.Errorf("HEAD: status %d, body %q, Vary %q", res.StatusCode, body, res.Header.Get("Vary"))
	}
	res, _ = serve(t, mw(text(404, big)), "GET", "/", nil)
	if res.StatusCode != 404 || res.Header.Get("Vary") != "" || res.Header.Get("Cache-Control") != "" {
		t.Errorf("404: status %d, Vary %q, Cache-Control %q", res.StatusCode, res.Header.Get("Vary"), res.Header.Get("Cache-Control"))
	}
}

// wrapped hides a paginator's Config and Schema, as a caching or
// instrumenting wrapper does, but says what it wraps.
// It counts the calls when calls is set.
type wrapped[T any] struct {
	p     paginate.Paginator[T]
	calls *atomic.Int64
}

func (w wrapped[T]) Paginate(ctx context.Context, req paginate.Request) (paginate.Page[T], error) {
	if w.calls != nil {
		w.calls.Add(1)
	}
	return w.p.Paginate(ctx, req)
}

func (w wrapped[T]) Unwrap() paginate.Paginator[T] { return w.p }

// checkCursorMode pages through h by cursor, following Link rel="next".
func checkCursorMode(t *testing.T, ctx context.Context, h http.Handler) {
	t.Helper()
	var ids []float64
	target := "/items?per_page=2&sort=id"
	for range 10 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil))
		res := rec.Result()
		body := readBody(t, res)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", target, res.StatusCode, body)
		}
		m := decode(t, body)
		if _, ok := m["page"]; ok {
			t.Fatalf("%s: served in offset mode: %s", target, body)
		}
		for _, it := range m["items"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(float64))
		}
		next := parseLink(t, res.Header.Get("Link"))["next"]
		if next == nil {
			break
		}
		if next.Query().Get("after") == "" {
			t.Fatalf("next link %s has no cursor", next)
		}
		target = next.RequestURI()
	}
	if len(ids) != len(items) || ids[0] != 1 || ids[len(ids)-1] != float64(len(items)) {
		t.Errorf("ids %v", ids)
	}
}

func keyset(t *testing.T) paginate.Paginator[Item] {
	t.Helper()
	s := newSchema(t)
	k, err := paginate.NewKeyset(memory(t, s, items), s, paginate.KeysetConfig{Keys: [][]byte{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A paginator whose type does not say how it pages needs the mode stated;
// a stated mode that contradicts the paginator's own is refused.
func TestHandlerMode(t *testing.T) {
	s := newSchema(t)
	wrappedKeyset := wrapped[Item]{p: wrapped[Item]{p: keyset(t)}}
	if _, err := httpadapter.Handler[Item](wrappedKeyset, s, httpadapter.Config{}); err == nil || !strings.Contains(err.Error(), "Config.Parser.Mode") {
		t.Errorf("a wrapper without a mode: error %v, want one naming Config.Parser.Mode", err)
	}
	offset, err := paginate.NewOffset(memory(t, s, items), s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    paginate.Paginator[Item]
		mode httpadapter.Mode
	}{
		{"keyset as offset", keyset(t), httpadapter.OffsetMode},
		{"offset as cursor", offset, httpadapter.CursorMode},
	} {
		_, err := httpadapter.Handler(tc.p, s, httpadapter.Config{Parser: httpadapter.ParserConfig{Mode: tc.mode}})
		if err == nil || !strings.Contains(err.Error(), tc.mode.String()) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.mode)
		}
	}
	h, err := httpadapter.Handler[Item](wrappedKeyset, s, httpadapter.Config{Parser: httpadapter.ParserConfig{Mode: httpadapter.CursorMode}})
	if err != nil {
		t.Fatal(err)
	}
	checkCursorMode(t, context.Background(), h)
}

// cache.Pages over a keyset serves cursors, the second time from the cache.
func TestHandlerCachedKeyset(t *testing.T) {
	store, err := cache.NewLRU(cache.LRUConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	pages, err := cache.NewPages[Item](wrapped[Item]{p: keyset(t), calls: &calls}, cache.Config{Store: store, Name: "items"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpadapter.Handler[Item](pages, newSchema(t), httpadapter.Config{Parser: httpadapter.ParserConfig{Mode: httpadapter.CursorMode}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := cache.WithScope(context.Background(), "tenant-1")
	checkCursorMode(t, ctx, h)
	n := calls.Load()
	if n == 0 {
		t.Fatal("the keyset was never asked")
	}
	checkCursorMode(t, ctx, h)
	if calls.Load() != n {
		t.Errorf("the second pass asked the keyset %d more times; want every page from the cache", calls.Load()-n)
	}
}
