package httpadapter_test

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// problem decodes a problem+json response, checking its framing.
func problem(tb testing.TB, res *http.Response, status int) httpadapter.Problem {
	tb.Helper()
	body := readBody(tb, res)
	if res.StatusCode != status {
		tb.Fatalf("status %d, want %d: %s", res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Errorf("Content-Type %q", ct)
	}
	var p httpadapter.Problem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		tb.Fatalf("not a problem: %v: %s", err, body)
	}
	if p.Type != "about:blank" || p.Status != status || p.Title != http.StatusText(status) || p.Detail == "" {
		tb.Errorf("problem framing: %+v", p)
	}
	for _, ip := range p.InvalidParams {
		if ip.Reason == "" {
			tb.Errorf("invalid param %q has no reason", ip.Name)
		}
	}
	return p
}

func names(p httpadapter.Problem) []string {
	var out []string
	for _, ip := range p.InvalidParams {
		out = append(out, ip.Name)
	}
	return out
}

// TestParameterErrors sends each kind of bad input and checks the 400
// names exactly the offending parameters.
func TestParameterErrors(t *testing.T) {
	off := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{})
	reject := offsetHandler(t, paginate.OffsetConfig{RejectOverMax: true}, httpadapter.Config{})
	renamed := offsetHandler(t, paginate.OffsetConfig{RejectOverMax: true}, httpadapter.Config{Parser: httpadapter.ParserConfig{
		Params: httpadapter.Params{Page: "p", PerPage: "limit", Sort: "order", Fields: "only"}}})
	fewFilters := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Parser: httpadapter.ParserConfig{MaxFilters: 2}})
	cur := cursorHandler(t, items, httpadapter.Config{})

	long := strings.Repeat("a", httpadapter.DefaultMaxQueryLen)
	for _, tc := range []struct {
		name   string
		h      http.Handler
		query  string
		want   []string
		reason string // a word the first reason must contain
	}{
		{"page not a number", off, "page=abc", []string{"page"}, "integer"},
		{"page zero", off, "page=0", []string{"page"}, "positive"},
		{"page negative", off, "page=-1", []string{"page"}, "positive"},
		{"page overflow", off, "page=9223372036854775808", []string{"page"}, "large"},
		{"page float", off, "page=1.5", []string{"page"}, "integer"},
		{"per_page not a number", off, "per_page=ten", []string{"per_page"}, "integer"},
		{"per_page zero", off, "per_page=0", []string{"per_page"}, "positive"},
		{"per_page over max rejected", reject, "per_page=101", []string{"per_page"}, "100"},
		{"repeated page", off, "page=1&page=2", []string{"page"}, "more than once"},
		{"repeated filter", off, "price[gte]=1&price[gte]=2", []string{"price[gte]"}, "more than once"},
		{"eq given twice", off, "category=home&category[eq]=toys", []string{"category[eq]"}, "twice"},
		{"empty sort", off, "sort=", []string{"sort"}, "empty"},
		{"empty page", off, "page", []string{"page"}, "empty"},
		{"empty filter", off, "category=", []string{"category"}, "empty"},
		{"non-UTF-8 value", off, "category=%ff%fe", []string{"category"}, "UTF-8"},
		{"non-UTF-8 name", off, "%ff=1", []string{"\uFFFD"}, "UTF-8"},
		{"NUL byte", off, "category=a%00b", []string{"category"}, "UTF-8"},
		{"bad percent-encoding", off, "category=%zz", []string{"category"}, "percent"},
		{"unknown parameter", off, "colour=red", []string{"colour"}, "unknown"},
		{"unknown operator", off, "price[like]=1", []string{"price[like]"}, "operator"},
		{"operator not allowed", off, "category[lt]=b", []string{"category[lt]"}, "accept"},
		{"empty brackets", off, "price[]=1", []string{"price[]"}, "unknown"},
		{"nested brackets", off, "price[[[[gte]]]]=1", []string{"price[[[[gte]]]]"}, "unknown"},
		{"unparsable value", off, "price[gte]=cheap", []string{"price[gte]"}, "integer"},
		{"bad time", off, "created_at[lt]=yesterday", []string{"created_at[lt]"}, "RFC 3339"},
		{"unknown sort field", off, "sort=colour", []string{"sort"}, "unknown"},
		{"sort field twice", off, "sort=-price,price", []string{"sort"}, "twice"},
		{"unknown field", off, "fields=id,colour", []string{"fields"}, "unknown"},
		{"cursor on offset endpoint", off, "after=abc", []string{"after"}, "page"},
		{"page on cursor endpoint", cur, "page=2", []string{"page"}, "cursor"},
		{"after and before", cur, "after=a&before=b", []string{"before"}, "after"},
		{"forged cursor", cur, "after=AAAA", []string{"after"}, "issued"},
		{"forged before cursor", cur, "before=not-a-cursor", []string{"before"}, "issued"},
		{"too many filters", fewFilters, "price[gte]=1&price[lte]=9&category=home&category[ne]=x", []string{"category"}, "filters"},
		{"query too long", off, "sort=id&category=" + long, []string{"category"}, "limit"},
		{"SQL in a value", off, "price[gte]=1;DROP%20TABLE%20items", []string{"price[gte]"}, "integer"},
		{"SQL in a sort", off, "sort=id;DELETE+FROM+items", []string{"sort"}, "unknown"},
		{"every problem at once", off, "page=x&sort=nope&price[gte]=y&fields=&colour=1",
			[]string{"page", "sort", "price[gte]", "fields", "colour"}, "integer"},
		{"renamed page", renamed, "p=0", []string{"p"}, "positive"},
		{"renamed per_page from the paginator", renamed, "limit=500", []string{"limit"}, "100"},
		{"renamed sort and fields", renamed, "order=nope&only=nope", []string{"order", "only"}, "unknown"},
		{"default name not special when renamed", renamed, "page=1", []string{"page"}, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := problem(t, get(t, tc.h, "/items?"+tc.query), http.StatusBadRequest)
			if diff := cmp.Diff(tc.want, names(p)); diff != "" {
				t.Errorf("invalid_params names (-want +got):\n%s", diff)
			}
			if len(p.InvalidParams) > 0 && !strings.Contains(p.InvalidParams[0].Reason, tc.reason) {
				t.Errorf("reason %q does not mention %q", p.InvalidParams[0].Reason, tc.reason)
			}
			if !strings.Contains(p.Detail, tc.want[0]) {
				t.Errorf("detail %q does not name %s", p.Detail, tc.want[0])
			}
		})
	}
}

// TestHugeInput: thousands of repeated parameters and 100 KB values are
// answered with a short 400, not echoed back.
func TestHugeInput(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Parser: httpadapter.ParserConfig{MaxQueryLen: 1 << 20}})
	repeated := strings.Repeat("price[gte]=1&", 5000)
	res := get(t, h, "/items?"+repeated)
	p := problem(t, res, http.StatusBadRequest)
	if diff := cmp.Diff([]string{"price[gte]"}, names(p)); diff != "" {
		t.Errorf("a parameter repeated 5000 times is named once (-want +got):\n%s", diff)
	}
	big := strings.Repeat("x", 100_000)
	res = get(t, h, "/items?category="+big+"&"+big+"=1")
	body := readBody(t, res)
	if res.StatusCode != http.StatusBadRequest || len(body) > 2000 {
		t.Errorf("status %d, %d-byte body for 100 KB values", res.StatusCode, len(body))
	}
}

// TestManyBadParams checks that a query with thousands of different bad
// parameters gets a bounded answer that still says how many were bad.
func TestManyBadParams(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Parser: httpadapter.ParserConfig{MaxQueryLen: 1 << 20}})
	var q strings.Builder
	const n = 3000
	for i := range n {
		fmt.Fprintf(&q, "unknown%d=1&", i)
	}
	res := get(t, h, "/items?"+q.String())
	p := problem(t, res, http.StatusBadRequest)
	if len(p.InvalidParams) != httpadapter.MaxInvalidParams {
		t.Errorf("%d invalid params listed, want %d", len(p.InvalidParams), httpadapter.MaxInvalidParams)
	}
	if !strings.HasPrefix(p.Detail, strconv.Itoa(n)+" query parameters are invalid, the first 20 listed: ") {
		t.Errorf("detail %q does not give the count", p.Detail)
	}
	if body, _ := json.Marshal(p); len(body) > 4096 {
		t.Errorf("%d-byte problem for %d bad parameters", len(body), n)
	}
}

func TestCursorBoundToSortAndFilters(t *testing.T) {
	h := cursorHandler(t, items, httpadapter.Config{})
	first := decode(t, readBody(t, get(t, h, "/feed?sort=price&per_page=2")))
	next, _ := first["next_cursor"].(string)
	if next == "" {
		t.Fatalf("no next_cursor: %v", first)
	}
	// The cursor works with its own sort...
	if res := get(t, h, "/feed?sort=price&per_page=2&after="+url.QueryEscape(next)); res.StatusCode != http.StatusOK {
		t.Fatalf("following the cursor: status %d", res.StatusCode)
	}
	// ...and is a 400 naming it under another sort or filter.
	for _, q := range []string{"sort=-price", "sort=price&category=home", "category[ne]=toys&sort=price"} {
		p := problem(t, get(t, h, "/feed?"+q+"&after="+url.QueryEscape(next)), http.StatusBadRequest)
		if diff := cmp.Diff([]string{"after"}, names(p)); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", q, diff)
		}
	}
}

func TestClampingAndPastTheEnd(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{MaxPerPage: 3}, httpadapter.Config{})
	m := decode(t, readBody(t, get(t, h, "/items?per_page=500")))
	if m["per_page"] != 3.0 || len(m["items"].([]any)) != 3 || m["pages"] != 2.0 {
		t.Errorf("per_page=500 with max 3: %v", m)
	}
	// Past the end: 200, empty, with the true total and a way back.
	res := get(t, h, "/items?page=7")
	m = decode(t, readBody(t, res))
	if res.StatusCode != 200 || len(m["items"].([]any)) != 0 || m["total"] != 5.0 || m["pages"] != 2.0 || m["has_next"] != false || m["has_prev"] != true {
		t.Errorf("page past the end: %d %v", res.StatusCode, m)
	}
	if got := rels(res.Header.Get("Link")); !cmp.Equal(got, []string{"first", "prev", "last"}) {
		t.Errorf("rels past the end: %v", got)
	}

	strict := offsetHandler(t, paginate.OffsetConfig{Strict: true}, httpadapter.Config{})
	p := problem(t, get(t, strict, "/items?page=7"), http.StatusNotFound)
	if len(p.InvalidParams) != 0 || !strings.Contains(p.Detail, "7") {
		t.Errorf("strict past the end: %+v", p)
	}
	if res := get(t, strict, "/items?page=1"); res.StatusCode != 200 {
		t.Errorf("strict page 1: %d", res.StatusCode)
	}
}

func TestLinkHeader(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{})
	// Other parameters keep their order and values, encoded again; the
	// page is replaced.
	res := get(t, h, "/v1/items?category[in]=home%2Ctoys&page=2&sort=-price&per_page=1&fields=id")
	const base = "http://example.com/v1/items?category%5Bin%5D=home%2Ctoys&sort=-price&per_page=1&fields=id&page="
	want := `<` + base + `1>; rel="first", <` + base + `1>; rel="prev", <` + base + `3>; rel="next", <` + base + `3>; rel="last"`
	if got := res.Header.Get("Link"); got != want {
		t.Errorf("Link:\n got %s\nwant %s", got, want)
	}
	if got := res.Header.Get("X-Total-Count"); got != "3" {
		t.Errorf("X-Total-Count = %q, want 3 (home and toys)", got)
	}

	// TLS gives https; BaseURL overrides scheme and host; RequestURI keeps
	// a prefix a router stripped.
	req := httptest.NewRequest(http.MethodGet, "https://api.test/items?per_page=2", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("Link"); !strings.HasPrefix(got, `<https://api.test/items?per_page=2&page=1>; rel="first"`) {
		t.Errorf("TLS Link: %s", got)
	}
	based := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Writer: httpadapter.WriterConfig{BaseURL: "https://public.example"}})
	rec = httptest.NewRecorder()
	based.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/items?per_page=2", nil))
	if got := rec.Header().Get("Link"); !strings.HasPrefix(got, `<https://public.example/items?per_page=2&page=1>; rel="first"`) {
		t.Errorf("BaseURL Link: %s", got)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", h))
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/items?per_page=4", nil))
	if got := rec.Header().Get("Link"); !strings.Contains(got, `<http://example.com/api/items?per_page=4&page=2>; rel="next"`) {
		t.Errorf("stripped prefix Link: %s", got)
	}

	// Cursor mode: first drops the cursor, next replaces after/before
	// with after, prev with before, and last is before the end.
	c := cursorHandler(t, items, httpadapter.Config{})
	res = get(t, c, "/feed?sort=id&per_page=2&category[ne]=zzz")
	m := decode(t, readBody(t, res))
	next := m["next_cursor"].(string)
	const feed = `http://example.com/feed?sort=id&per_page=2&category%5Bne%5D=zzz`
	last := lastCursor(t, "sort=id&per_page=2&category[ne]=zzz")
	wantLinks := `<` + feed + `>; rel="first", <` + feed + `&after=` + next + `>; rel="next", <` + feed + `&before=` + last + `>; rel="last"`
	if got := res.Header.Get("Link"); got != wantLinks {
		t.Errorf("cursor Link:\n got %s\nwant %s", got, wantLinks)
	}
	if res.Header.Get("X-Total-Count") != "" {
		t.Error("cursor page has X-Total-Count")
	}
}

// TestIgnore: ignored parameters pass parsing and stay in links.
func TestIgnore(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Parser: httpadapter.ParserConfig{Ignore: []string{"api_key", "_"}}})
	res := get(t, h, "/items?api_key=k&_=123&per_page=2")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := res.Header.Get("Link"); !strings.Contains(got, "?api_key=k&_=123&per_page=2&page=2>") {
		t.Errorf("Link %s", got)
	}
}

// TestWalkThroughHTTP follows next links to the end and prev links back,
// seeing every row once each way; and from the first page's last link
// back through prev links to the start, seeing every row once.
func TestWalkThroughHTTP(t *testing.T) {
	var data []Item
	for i := 1; i <= 103; i++ {
		data = append(data, Item{ID: int64(i), Name: "n" + strconv.Itoa(i%7), Category: []string{"a", "b", "c"}[i%3], Price: int64(i % 10), CreatedAt: day(1+i%5, 0)})
	}
	srv := httptest.NewServer(cursorHandler(t, data, httpadapter.Config{}))
	defer srv.Close()

	type page struct {
		items   []int64
		hasNext bool
		links   map[string]string
	}
	follow := func(url string) page {
		t.Helper()
		res, err := srv.Client().Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", url, res.StatusCode)
		}
		var env struct {
			Items   []Item
			HasNext bool `json:"has_next"`
		}
		if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
		p := page{hasNext: env.HasNext}
		for _, it := range env.Items {
			p.items = append(p.items, it.ID)
		}
		if p.links, err = apitest.ParseLinks(res.Header.Get("Link")); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		return p
	}
	// walkBack follows prev links from u, returning the rows in order.
	walkBack := func(u string) []int64 {
		t.Helper()
		var backward []int64
		for pages := 0; u != ""; {
			if pages++; pages > maxPages {
				t.Fatalf("backward walk still going after %d pages, at %s", maxPages, u)
			}
			p := follow(u)
			backward = append(slices.Clone(p.items), backward...)
			u = p.links["prev"]
		}
		return backward
	}
	for _, sort := range []string{"-created_at", "price,-name", "category,-id"} {
		t.Run(sort, func(t *testing.T) {
			var forward []int64
			var first, final page
			pages := 0
			for u := srv.URL + "/feed?per_page=7&sort=" + sort; u != ""; {
				if pages++; pages > maxPages {
					t.Fatalf("forward walk still going after %d pages, at %s", maxPages, u)
				}
				final = follow(u)
				if pages == 1 {
					first = final
				}
				forward = append(forward, final.items...)
				u = final.links["next"]
			}
			seen := map[int64]bool{}
			for _, id := range forward {
				if seen[id] {
					t.Fatalf("id %d seen twice going forward", id)
				}
				seen[id] = true
			}
			if len(seen) != len(data) {
				t.Fatalf("forward walk saw %d rows, want %d", len(seen), len(data))
			}
			// Back from the last page of the walk to the first.
			if diff := cmp.Diff(forward[:len(forward)-len(final.items)], walkBack(final.links["prev"])); diff != "" {
				t.Errorf("backward walk differs from forward (-forward +backward):\n%s", diff)
			}

			// The last link: the final 7 rows, nothing after them, and
			// prev links back to the first row.
			last := follow(first.links["last"])
			if diff := cmp.Diff(forward[len(forward)-7:], last.items); diff != "" {
				t.Errorf("last page (-want +got):\n%s", diff)
			}
			if last.hasNext || last.links["next"] != "" {
				t.Errorf("last page: has_next %v, next link %q", last.hasNext, last.links["next"])
			}
			if last.links["last"] != first.links["last"] || last.links["first"] != first.links["first"] {
				t.Errorf("last page's first and last links %q, %q differ from the first page's %q, %q",
					last.links["first"], last.links["last"], first.links["first"], first.links["last"])
			}
			if diff := cmp.Diff(forward, walkBack(first.links["last"])); diff != "" {
				t.Errorf("backward walk from the last link differs from forward (-forward +backward):\n%s", diff)
			}
		})
	}
}

// maxPages bounds a walk over TestWalkThroughHTTP's rows, ceil(103/7) = 15
// pages: a Link that loops fails the test at this bound instead of hanging
// it.
const maxPages = 20

func TestMiddleware(t *testing.T) {
	s := newSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	var got paginate.Request
	called := 0
	h := httpadapter.Middleware(p)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called++
		q, ok := httpadapter.FromContext(r.Context())
		if !ok {
			t.Error("no parsed query in the context")
			return
		}
		got = q.Request()
	}))
	get(t, h, "/items?page=3&per_page=20&sort=-price,name&fields=id,name&category[in]=a,b&price[gte]=100&created_at[lt]=2024-02-01")
	want := paginate.Request{
		Page: 3, PerPage: 20,
		Sort:   []paginate.SortKey{{Field: "price", Dir: paginate.Desc}, {Field: "name"}},
		Fields: []string{"id", "name"},
		Filters: []paginate.Filter{
			{Field: "category", Op: paginate.In, Values: []any{"a", "b"}},
			{Field: "price", Op: paginate.Gte, Values: []any{int64(100)}},
			{Field: "created_at", Op: paginate.Lt, Values: []any{time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}},
		},
	}
	if called != 1 {
		t.Fatalf("next called %d times", called)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsed request (-want +got):\n%s", diff)
	}
	res := get(t, h, "/items?page=x")
	problem(t, res, http.StatusBadRequest)
	if called != 1 {
		t.Error("next was called on bad input")
	}
	if _, ok := httpadapter.FromContext(context.Background()); ok {
		t.Error("FromContext found a request in an empty context")
	}
}

// TestErrorMapping covers the statuses for failures that are not bad input.
func TestErrorMapping(t *testing.T) {
	s := newSchema(t)
	var logs bytes.Buffer
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	w, err := httpadapter.NewWriter[Item](p, httpadapter.WriterConfig{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	secret := errors.New(`paginate/sql: fetch: no such column: "password_hash" in SELECT * FROM users`)
	for _, tc := range []struct {
		name   string
		err    error
		status int
	}{
		{"internal", fmt.Errorf("paginate: fetch: %w", secret), http.StatusInternalServerError},
		{"timeout inside the handler", fmt.Errorf("paginate: count: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{"connections broken", fmt.Errorf("paginate: fetch: paginate/sql: fetch: %w", driver.ErrBadConn), http.StatusServiceUnavailable},
		{"bare sentinel", fmt.Errorf("wrapped: %w", paginate.ErrInvalidSort), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			rec := httptest.NewRecorder()
			w.WriteError(rec, httptest.NewRequest(http.MethodGet, "/items", nil), nil, tc.err)
			pr := problem(t, rec.Result(), tc.status)
			if (tc.status == http.StatusServiceUnavailable) != (rec.Header().Get("Retry-After") != "") {
				t.Errorf("status %d with Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
			}
			if strings.Contains(pr.Detail, "password_hash") || strings.Contains(pr.Detail, "SELECT") {
				t.Errorf("body leaks the error: %+v", pr)
			}
			if tc.status >= 500 && !strings.Contains(logs.String(), tc.err.Error()[:20]) {
				t.Errorf("log lacks the error: %s", logs.String())
			}
		})
	}

	// A request whose client went away gets nothing written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	w.WriteError(rec, httptest.NewRequest(http.MethodGet, "/items", nil).WithContext(ctx), nil, fmt.Errorf("paginate: fetch: %w", context.Canceled))
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("canceled request got a response: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}

	// The same through Handler: a canceled request reaches the paginator,
	// which fails with the context's error, and nothing is written.
	h := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Writer: httpadapter.WriterConfig{Logger: discardLogger()}})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/items", nil).WithContext(ctx))
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("canceled request through Handler got a response: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}

// FuzzParseQuery: any query string yields a request or a RequestError
// whose every entry names a parameter; never a panic.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"", "page=2&per_page=20", "sort=-price,name&fields=id", "category[in]=a,b,c",
		"price[gte]=10&price[lt]=20", "after=abc", "page=1&page=2", "%ff=%fe", "a[b][c]=d",
		"page=9223372036854775808", "category=%00", "&&&=&=", "sort=,,", "fields=id,id",
	} {
		f.Add(seed)
	}
	s := newSchema(f)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := p.ParseQuery(q)
		if err == nil {
			if req := parsed.Request(); req.Page < 0 || req.PerPage < 0 {
				t.Fatalf("negative numbers from %q: %+v", q, req)
			}
			return
		}
		var re *paginate.RequestError
		if !errors.As(err, &re) || len(re.Params) == 0 {
			t.Fatalf("ParseQuery(%q) = %v, want a *RequestError", q, err)
		}
		for _, pe := range re.Params {
			if pe.Reason == "" || pe.Err == nil {
				t.Fatalf("ParseQuery(%q): incomplete %+v", q, pe)
			}
		}
	})
}

// refusing answers every request with a parameter error naming param as
// the core names parameters, as a backend refusing a value it cannot
// store (a time outside its range) does.
type refusing struct {
	paginate.Paginator[Item]
	params []string
}

func (r refusing) Paginate(context.Context, paginate.Request) (paginate.Page[Item], error) {
	re := &paginate.RequestError{}
	for _, p := range r.params {
		re.Params = append(re.Params, &paginate.ParamError{Param: p, Reason: "out of range", Err: paginate.ErrInvalidFilter})
	}
	return paginate.Page[Item]{}, re
}

// TestPaginatorErrorsNamedAsWritten: parameters the paginator blames are
// named as the client wrote them, however it spelled them.
func TestPaginatorErrorsNamedAsWritten(t *testing.T) {
	s := newSchema(t)
	for _, tc := range []struct {
		name, query string
		blamed      []string // as the core names them
		want        []string
	}{
		{"encoded brackets", "created_at%5Blt%5D=0001-01-01T00:00:00%2B01:00", []string{"created_at[lt]"}, []string{"created_at[lt]"}},
		{"eq written out", "category[eq]=home", []string{"category"}, []string{"category[eq]"}},
		{"eq implied", "category=home", []string{"category"}, []string{"category"}},
		{"renamed", "limit=5&order=-price", []string{"per_page", "sort"}, []string{"limit", "order"}},
		{"several", "price%5Bgte%5D=1&category[eq]=home&price[lt]=9", []string{"price[lt]", "category", "price[gte]"}, []string{"price[lt]", "category[eq]", "price[gte]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := refusing{params: tc.blamed}
			h, err := httpadapter.Handler[Item](p, s, httpadapter.Config{Parser: httpadapter.ParserConfig{
				Mode: httpadapter.OffsetMode, Params: httpadapter.Params{PerPage: "limit", Sort: "order"}}})
			if err != nil {
				t.Fatal(err)
			}
			pr := problem(t, get(t, h, "/items?"+tc.query), http.StatusBadRequest)
			if diff := cmp.Diff(tc.want, names(pr)); diff != "" {
				t.Errorf("invalid_params names (-want +got):\n%s", diff)
			}
		})
	}
}
