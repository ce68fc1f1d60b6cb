package hostile

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
)

// marker is planted in every hostile value that reaches the database, so
// that the recorded SQL can be searched for it: it must only ever appear
// among the bound arguments, never in the SQL text.
const marker = "zqjx"

// abuseRows is the size of the table the abuse suite runs against.
const abuseRows = 500

// client sends requests to srv exactly as written: the query goes on the
// wire byte for byte, not re-encoded by net/url.
type client struct {
	tb  testing.TB
	srv *httptest.Server
	c   *http.Client
}

func (c client) get(path, rawQuery string) response {
	c.tb.Helper()
	u, err := url.Parse(c.srv.URL)
	if err != nil {
		c.tb.Fatal(err)
	}
	u.Path, u.RawQuery = path, rawQuery
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	req.URL.RawQuery = rawQuery
	res, err := c.c.Do(req)
	if err != nil {
		c.tb.Fatalf("GET %s?%.200s: %v", path, rawQuery, err)
	}
	return readResponse(c.tb, res)
}

// serve starts a on 127.0.0.1 for the test's lifetime.
func serve(tb testing.TB, a *api) client {
	tb.Helper()
	srv := httptest.NewServer(a.mux)
	tb.Cleanup(srv.Close)
	return client{tb: tb, srv: srv, c: srv.Client()}
}

// abuseCase is one hostile request and what the API must answer.
type abuseCase struct {
	name  string
	path  string
	query string
	// bad lists the parameters a 400 must name; nil means the answer is
	// a correct page.
	bad []string
	// keep selects the rows a correct page is made of, in the default
	// order, when check is set (nil: every row).
	keep  func(dataset.Item) bool
	check bool
	// reaches says the hostile value is valid input that must reach the
	// database, as a bound argument.
	reaches bool
}

const (
	items = "/api/items"
	feed  = "/api/items/feed"
)

func esc(s string) string { return url.QueryEscape(s) }

// digitRuns finds numbers long enough not to occur in SQL text by chance.
var digitRuns = regexp.MustCompile(`[0-9]{6,}`)

func category(name string) func(dataset.Item) bool {
	return func(it dataset.Item) bool { return it.Category == name }
}

func none(dataset.Item) bool { return false }

func abuseCases() []abuseCase {
	long := strings.Repeat("A", 100<<10)
	return []abuseCase{
		// SQL fragments, quotes and comments where only names are allowed.
		{name: "sort with a statement", path: items, query: "sort=" + esc("name;DROP TABLE items"), bad: []string{"sort"}},
		{name: "sort with a direction keyword", path: items, query: "sort=" + esc("price desc"), bad: []string{"sort"}},
		{name: "sort with a subquery", path: items, query: "sort=" + esc("(SELECT 1)"), bad: []string{"sort"}},
		{name: "sort with a comment", path: feed, query: "sort=" + esc("-price--"), bad: []string{"sort"}},
		{name: "sort with a quote", path: items, query: "sort=" + esc("name'"), bad: []string{"sort"}},
		{name: "sort by a column not declared", path: items, query: "sort=discount", bad: []string{"sort"}},
		{name: "fields with FROM", path: items, query: "fields=" + esc("id,name FROM items--"), bad: []string{"fields"}},
		{name: "fields star", path: feed, query: "fields=*", bad: []string{"fields"}},
		{name: "filter on an undeclared column", path: items, query: "discount=5", bad: []string{"discount"}},
		{name: "filter name with SQL", path: items, query: esc("category=1 OR 1") + "=1", bad: []string{"category=1 OR 1"}},
		{name: "operator with SQL", path: items, query: esc("price[gte] OR 1=1") + "=1", bad: []string{"price[gte] OR 1=1"}},
		{name: "unknown operator", path: items, query: esc("price[like]") + "=1", bad: []string{"price[like]"}},
		// Hostile text where text is allowed: a correct (empty) page, the
		// text bound as an argument.
		{name: "quote OR", path: items, check: true, query: "category=" + esc(marker+"' OR '1'='1"), keep: none, reaches: true},
		{name: "comment", path: items, check: true, query: "category=" + esc(marker+"'; --"), keep: none, reaches: true},
		{name: "block comment", path: feed, query: "category=" + esc("books/**/OR/**/1=1"+marker), keep: none, reaches: true},
		{name: "stacked statement", path: items, check: true, query: "category=" + esc(marker+"'); DROP TABLE items; --"), keep: none, reaches: true},
		{name: "backslash quote and hash comment", path: items, check: true, query: "category=" + esc(marker+`\' OR 1=1 #`), keep: none, reaches: true},
		{name: "double quotes and backslash", path: items, check: true, query: "category=" + esc(marker+`\" OR ""="`), keep: none, reaches: true},
		{name: "in with a quote", path: items, check: true, query: esc("category[in]") + "=" + esc("books,"+marker+"') OR ('1'='1"), keep: category("books"), reaches: true},
		{name: "ne with a quote", path: items, check: true, query: esc("category[ne]") + "=" + esc(marker+"' --"), reaches: true},
		{name: "unicode", path: items, check: true, query: "category=" + esc("bóoks"+marker+"日本語🙂"), keep: none, reaches: true},
		{name: "right-to-left override", path: feed, query: "category=" + esc("\u202e"+marker+"skoob"), keep: none, reaches: true},
		{name: "percent and underscore", path: items, check: true, query: "category=" + esc("%"+marker+"_"), keep: none, reaches: true},
		{name: "real category", path: items, check: true, query: "category=books", keep: category("books")},
		// Bytes that are not text.
		{name: "NUL in a value", path: items, query: "category=books%00", bad: []string{"category"}},
		{name: "NUL in a name", path: items, query: "cat%00egory=books", bad: []string{"category"}},
		{name: "invalid UTF-8", path: items, query: "category=%FF%FE", bad: []string{"category"}},
		{name: "overlong UTF-8", path: items, query: "category=%C0%AF", bad: []string{"category"}},
		{name: "malformed escape", path: items, query: "category=%zz", bad: []string{"category"}},
		// Size.
		{name: "100 KB value", path: items, query: "category=" + long, bad: []string{"category"}},
		{name: "100 KB cursor", path: feed, query: "after=" + long, bad: []string{"after"}},
		{name: "100 KB name", path: items, query: long + "=1", bad: []string{long[:64] + "…"}},
		{name: "thousands of repeated params", path: items, query: strings.Repeat("page=1&", 3000) + "page=1", bad: []string{"page"}},
		{name: "deeply bracketed name", path: items, query: "price" + strings.Repeat("%5B", 500) + "gte" + strings.Repeat("%5D", 500) + "=1", bad: []string{"price" + strings.Repeat("[", 59) + "…"}},
		{name: "nested brackets", path: items, query: esc("price[gte][lt]") + "=1", bad: []string{"price[gte][lt]"}},
		{name: "empty brackets", path: items, query: esc("price[]") + "=1", bad: []string{"price[]"}},
		// Numbers.
		{name: "page past int64", path: items, query: "page=9223372036854775808", bad: []string{"page"}},
		{name: "page at int64 max", path: items, query: "page=9223372036854775807", bad: []string{"page"}},
		{name: "negative page", path: items, query: "page=-1", bad: []string{"page"}},
		{name: "page below int64", path: items, query: "page=-9223372036854775809", bad: []string{"page"}},
		{name: "page zero", path: items, query: "page=0", bad: []string{"page"}},
		{name: "page in exponent form", path: items, query: "page=1e3", bad: []string{"page"}},
		{name: "page in hex", path: items, query: "page=0x10", bad: []string{"page"}},
		{name: "page with a plus", path: items, query: "page=%2B2", bad: []string{"page"}},
		{name: "page with spaces", path: items, query: "page=%202", bad: []string{"page"}},
		{name: "page with leading zeros", path: items, check: true, query: "page=0000000000000000000000001"},
		{name: "page far past the end", path: items, check: true, query: "page=999999999"},
		{name: "per_page at the max", path: items, check: true, query: "per_page=100"},
		{name: "per_page over the max is clamped", path: items, check: true, query: "per_page=101"},
		{name: "per_page far over the max", path: feed, query: "per_page=999999999"},
		{name: "per_page past int64", path: items, query: "per_page=18446744073709551616", bad: []string{"per_page"}},
		{name: "negative per_page", path: feed, query: "per_page=-10", bad: []string{"per_page"}},
		{name: "per_page zero", path: items, query: "per_page=0", bad: []string{"per_page"}},
		{name: "price past int64", path: items, query: esc("price[gte]") + "=9223372036854775808", bad: []string{"price[gte]"}},
		{name: "price at int64 min", path: items, query: esc("price[gte]") + "=-9223372036854775808"},
		{name: "price with SQL", path: items, query: esc("price[lt]") + "=" + esc("1 OR 1=1"), bad: []string{"price[lt]"}},
		{name: "date with SQL", path: items, query: esc("created_at[lt]") + "=" + esc("2024-01-01' OR '1'='1"), bad: []string{"created_at[lt]"}},
		{name: "date out of range", path: items, query: esc("created_at[lt]") + "=" + esc("2024-13-45"), bad: []string{"created_at[lt]"}},
		{name: "year 9999", path: items, query: esc("created_at[lt]") + "=" + esc("9999-12-31T23:59:59Z")},
		// Relations: names and fields are whitelisted, and hostile text
		// where text is allowed is bound, with relations included.
		{name: "include with a statement", path: items, query: "include=" + esc("seller;DROP TABLE items"), bad: []string{"include"}},
		{name: "include star", path: feed, query: "include=*", bad: []string{"include"}},
		{name: "include twice in one list", path: items, query: "include=seller,seller", bad: []string{"include"}},
		{name: "include given twice", path: items, query: "include=seller&include=reviews", bad: []string{"include"}},
		{name: "include in another case", path: items, query: "include=SELLER", bad: []string{"include"}},
		{name: "include a table", path: items, query: "include=sellers", bad: []string{"include"}},
		{name: "include with NUL", path: items, query: "include=seller%00", bad: []string{"include"}},
		{name: "100 KB include", path: feed, query: "include=" + long, bad: []string{"include"}},
		{name: "relation fields with SQL", path: items, query: "include=seller&" + esc("fields[seller]") + "=" + esc("name' OR 1=1 --"), bad: []string{"fields[seller]"}},
		{name: "relation fields with FROM", path: feed, query: "include=reviews&" + esc("fields[reviews]") + "=" + esc("rating FROM reviews"), bad: []string{"fields[reviews]"}},
		{name: "relation fields of a column not declared", path: items, query: "include=seller&" + esc("fields[seller]") + "=password", bad: []string{"fields[seller]"}},
		{name: "relation fields of a relation with SQL", path: items, query: "include=seller&" + esc("fields[seller' OR 1=1]") + "=name", bad: []string{"fields[seller' OR 1=1]"}},
		{name: "relation fields without include", path: items, query: esc("fields[seller]") + "=name", bad: []string{"fields[seller]"}},
		{name: "relation fields of another relation", path: feed, query: "include=reviews&" + esc("fields[seller]") + "=name", bad: []string{"fields[seller]"}},
		{name: "relation fields nested", path: items, query: "include=seller&" + esc("fields[seller][name]") + "=x", bad: []string{"fields[seller][name]"}},
		{name: "include and a quote", path: items, check: true, query: "include=seller,reviews&category=" + esc(marker+"' OR '1'='1"), keep: none, reaches: true},
		{name: "include and in with a quote", path: items, check: true, query: "include=reviews&" + esc("fields[reviews]") + "=rating&" + esc("category[in]") + "=" + esc("books,"+marker+"') OR ('1'='1"), keep: category("books"), reaches: true},
		{name: "include on the feed with a comment", path: feed, query: "include=seller&category=" + esc(marker+"'; --"), keep: none, reaches: true},
		// Parameters of the other mode.
		{name: "page on the feed", path: feed, query: "page=2", bad: []string{"page"}},
		{name: "cursor on the offset endpoint", path: items, query: "after=abc", bad: []string{"after"}},
		{name: "both cursors", path: feed, query: "after=abc&before=abc", bad: []string{"before"}},
		{name: "every parameter bad at once", path: items, query: "page=x&per_page=y&sort=z&fields=w&price[gt]=v&nope=1",
			bad: []string{"fields", "nope", "page", "per_page", "price[gt]", "sort"}},
	}
}

// TestAbuse sends hostile requests through the HTTP layer to the example
// API on each database. Each gets a 400 naming the offending parameters,
// having run no SQL at all, or a correct page, with every client value
// bound as an argument and none in the SQL text; after each, a normal
// request still succeeds.
func TestAbuse(t *testing.T) {
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			e := openRelatedEnv(t, dbName, abuseRows)
			a := newAPI(t, e, apiConfig{})
			c := serve(t, a)
			for _, tc := range append(abuseCases(), cursorCases(t, e, c)...) {
				t.Run(tc.name, func(t *testing.T) {
					e.log.take()
					res := c.get(tc.path, tc.query)
					stmts := e.log.take()
					checkAbuse(t, e, tc, res, stmts)
					if t.Failed() {
						t.Logf("query: %.300s", tc.query)
					}
					if ok := c.get(items, "per_page=3&sort=price"); ok.status != http.StatusOK || len(ok.page.Items) != 3 {
						t.Fatalf("the next normal request got %d: %.300s", ok.status, ok.body)
					}
				})
			}
		})
	}
}

func checkAbuse(t *testing.T, e *env, tc abuseCase, res response, stmts []statement) {
	t.Helper()
	if sql, ok := mentions(stmts, marker); ok {
		t.Errorf("a client value reached the SQL text:\n%s", sql)
	}
	// Numbers are bound too: no long digit run of the query is in the SQL.
	for _, run := range digitRuns.FindAllString(tc.query, -1) {
		if sql, ok := mentions(stmts, run); ok {
			t.Errorf("the client's number %s reached the SQL text:\n%s", run, sql)
		}
	}
	if tc.bad != nil {
		checkBad(t, res, stmts, tc.bad)
		return
	}
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %.300s", res.status, res.body)
	}
	if tc.reaches && !bound(stmts, marker) {
		t.Errorf("the hostile value was not among the bound arguments of %d statements", len(stmts))
	}
	pg := res.page
	if pg.PerPage < 1 || pg.PerPage > 100 {
		t.Errorf("per_page %d outside 1..100", pg.PerPage)
	}
	if len(pg.Items) > pg.PerPage {
		t.Errorf("%d items on a page of %d", len(pg.Items), pg.PerPage)
	}
	if !tc.check {
		return
	}
	want := expected(e.rows, tc.keep)
	if pg.Total == nil {
		t.Fatalf("no total, want %d", len(want))
	}
	if *pg.Total != int64(len(want)) {
		t.Fatalf("total %d, want %d", *pg.Total, len(want))
	}
	start := (pg.Page - 1) * pg.PerPage
	if start > len(want) {
		start = len(want)
	}
	want = want[start:min(start+pg.PerPage, len(want))]
	if len(pg.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(pg.Items), len(want))
	}
	for i := range want {
		if !sameItem(pg.Items[i], want[i]) {
			t.Fatalf("item %d is %+v, want %+v", i, pg.Items[i], want[i])
		}
	}
}

// checkBad checks the answer to bad input: a 400 problem naming the
// parameters bad, and no SQL run.
func checkBad(t *testing.T, res response, stmts []statement, bad []string) {
	t.Helper()
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %.300s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != httpadapter.ProblemContentType {
		t.Errorf("Content-Type %q, want %q", ct, httpadapter.ProblemContentType)
	}
	want := slices.Clone(bad)
	slices.Sort(want)
	if got := res.names(); !slices.Equal(got, want) {
		t.Errorf("invalid_params name %q, want %q", got, want)
	}
	if len(stmts) > 0 {
		t.Errorf("bad input ran %d statements, want none; the first: %s", len(stmts), stmts[0].SQL)
	}
}

// cursorCases are forged, tampered and replayed cursors, made from real
// ones the API hands out.
func cursorCases(t *testing.T, e *env, c client) []abuseCase {
	t.Helper()
	first := c.get(feed, "per_page=5")
	if first.status != http.StatusOK || first.page.NextCursor == nil {
		t.Fatalf("first feed page: %d %.300s", first.status, first.body)
	}
	next := *first.page.NextCursor
	second := c.get(feed, "per_page=5&after="+next)
	if second.status != http.StatusOK || second.page.PrevCursor == nil {
		t.Fatalf("second feed page: %d %.300s", second.status, second.body)
	}
	prev := *second.page.PrevCursor

	forged := forgedCursor(t, e, []byte(strings.Repeat("k", 32)))
	tampered := []byte(next)
	tampered[len(tampered)/2] ^= 'A' ^ 'B'
	if tampered[len(tampered)/2] == next[len(next)/2] {
		tampered[len(tampered)/2] = 'C'
	}
	return []abuseCase{
		{name: "replayed cursor", path: feed, query: "per_page=5&after=" + next},
		{name: "replayed cursor again", path: feed, query: "per_page=5&after=" + next},
		{name: "cursor backward", path: feed, query: "per_page=5&before=" + prev},
		{name: "cursor with another sort", path: feed, query: "per_page=5&sort=price&after=" + next, bad: []string{"after"}},
		{name: "cursor with another filter", path: feed, query: "per_page=5&category=books&after=" + next, bad: []string{"after"}},
		{name: "cursor with another page size", path: feed, query: "per_page=7&after=" + next},
		{name: "before cursor as after", path: feed, query: "per_page=5&after=" + prev},
		{name: "forged cursor", path: feed, query: "per_page=5&after=" + forged, bad: []string{"after"}},
		{name: "tampered cursor", path: feed, query: "after=" + string(tampered), bad: []string{"after"}},
		{name: "truncated cursor", path: feed, query: "after=" + next[:len(next)-1], bad: []string{"after"}},
		{name: "cursor with a newline", path: feed, query: "after=" + next[:10] + "%0A" + next[10:], bad: []string{"after"}},
		{name: "cursor padded", path: feed, query: "after=" + next + "%3D%3D", bad: []string{"after"}},
		{name: "cursor in standard base64", path: feed, query: "after=" + strings.NewReplacer("-", "%2B", "_", "%2F").Replace(next), bad: []string{"after"}},
		{name: "cursor with SQL", path: feed, query: "after=" + esc(next+"' OR 1=1 --"), bad: []string{"after"}},
		{name: "cursor from the feed on the offset endpoint", path: items, query: "after=" + next, bad: []string{"after"}},
	}
}

// forgedCursor returns a first-page next cursor signed with key.
func forgedCursor(t *testing.T, e *env, key []byte) string {
	t.Helper()
	a := newAPI(t, e, apiConfig{keyset: paginate.KeysetConfig{Keys: [][]byte{key}}})
	page, err := a.keyset.Paginate(context.Background(), paginate.Request{PerPage: 5})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("forging a cursor: %v", err)
	}
	return page.NextCursor
}

// TestLimits checks the limits on filter count, query length and In list
// size: safe defaults, configurable, and answered with a 400 naming the
// parameter that crossed them, before any SQL runs.
func TestLimits(t *testing.T) {
	if httpadapter.DefaultMaxFilters != 20 || httpadapter.DefaultMaxQueryLen != 8192 {
		t.Errorf("default limits are %d filters and %d bytes, documented as 20 and 8192", httpadapter.DefaultMaxFilters, httpadapter.DefaultMaxQueryLen)
	}
	if paginate.MaxInValues != 100 {
		t.Errorf("MaxInValues is %d, documented as 100", paginate.MaxInValues)
	}
	e := openEnv(t, "sqlite", abuseRows)
	defaults := serve(t, newAPI(t, e, apiConfig{adapter: httpadapter.Config{Parser: httpadapter.ParserConfig{Ignore: []string{"pad"}}}}))
	tight := serve(t, newAPI(t, e, apiConfig{adapter: httpadapter.Config{Parser: httpadapter.ParserConfig{MaxFilters: 2, MaxQueryLen: 100}}}))
	roomy := serve(t, newAPI(t, e, apiConfig{adapter: httpadapter.Config{Parser: httpadapter.ParserConfig{MaxQueryLen: 1 << 20}}}))

	pad := func(n int) string { return "pad=" + strings.Repeat("x", n-len("pad=")) }
	inList := func(n int) string {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = dataset.Categories[i%len(dataset.Categories)]
		}
		return esc("category[in]") + "=" + strings.Join(vals, ",")
	}
	// Every distinct filter the example schema allows: 13, under the
	// default of 20.
	all := "category=books&category[ne]=toys&category[in]=books,home&" +
		"price=1099&price[lt]=5&price[lte]=5&price[gt]=5&price[gte]=5&" +
		"created_at=2024-01-01&created_at[lt]=2024-01-01&created_at[lte]=2024-01-01&created_at[gt]=2024-01-01&created_at[gte]=2024-01-01"
	for _, tc := range []struct {
		name  string
		c     client
		query string
		bad   []string
	}{
		{"query at the default length", defaults, pad(httpadapter.DefaultMaxQueryLen), nil},
		{"query over the default length", defaults, pad(httpadapter.DefaultMaxQueryLen + 1), []string{"pad"}},
		{"13 filters under the default", defaults, all, nil},
		{"100 values in a list", defaults, inList(100), nil},
		{"101 values in a list", defaults, inList(101), []string{"category[in]"}},
		{"filters at a configured limit", tight, "price[gte]=100&price[lt]=90000", nil},
		{"filters over a configured limit", tight, "price[gte]=100&price[lt]=90000&category=books", []string{"category"}},
		{"query at a configured length", tight, "category=" + strings.Repeat("b", 91), nil},
		{"query over a configured length", tight, "category=" + strings.Repeat("b", 92), []string{"category"}},
		// Under a roomy length limit, repetition is caught on its own and
		// named once.
		{"thousands of repeated params", roomy, strings.Repeat("page=1&", 3000) + "page=1", []string{"page"}},
		{"thousands of repeated filters", roomy, strings.Repeat("category=books&", 3000), []string{"category"}},
		{"50,000 brackets", roomy, "price" + strings.Repeat("%5B", 50000) + "=1", []string{"price" + strings.Repeat("[", 59) + "…"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.log.take()
			res := tc.c.get(items, tc.query)
			stmts := e.log.take()
			if tc.bad == nil {
				if res.status != http.StatusOK {
					t.Fatalf("status %d, want 200: %.300s", res.status, res.body)
				}
				return
			}
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", res.status, res.body)
			}
			if got := res.names(); !slices.Equal(got, tc.bad) {
				t.Errorf("invalid_params name %q, want %q", got, tc.bad)
			}
			if len(stmts) > 0 {
				t.Errorf("ran %d statements for input over a limit", len(stmts))
			}
		})
	}
}
