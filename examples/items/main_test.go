package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

const testRows = 250

// server is a running example server.
type server struct {
	base string
	mu   sync.Mutex
	out  strings.Builder // everything run printed
	stop func() error
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// start runs the example with args on 127.0.0.1:0 and returns once it
// listens. It stops when the test ends.
func start(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	srv := &server{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			srv.mu.Lock()
			srv.out.WriteString(line + "\n")
			srv.mu.Unlock()
			if rest, ok := strings.CutPrefix(line, "listening on "); ok {
				ready <- rest
			}
		}
		close(ready)
	}()
	var stopped bool
	srv.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if err := srv.stop(); err != nil {
			t.Errorf("run returned %v", err)
		}
	})
	select {
	case base, ok := <-ready:
		if !ok {
			cancel()
			t.Fatalf("server exited before listening: %v\n%s", <-done, srv.output())
		}
		srv.base = base
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start:\n%s", srv.output())
	}
	return srv
}

// envelope is the JSON of both endpoints.
type envelope struct {
	Total      *int64          `json:"total"`
	Page       *int            `json:"page"`
	PerPage    int             `json:"per_page"`
	Pages      *int            `json:"pages"`
	HasNext    bool            `json:"has_next"`
	HasPrev    bool            `json:"has_prev"`
	NextCursor *string         `json:"next_cursor"`
	PrevCursor *string         `json:"prev_cursor"`
	Links      links           `json:"links"`
	Items      []itemsapi.Item `json:"items"`
	raw        []map[string]json.RawMessage
	keys       []string
}

// fetch GETs path from s and decodes the envelope.
func (s *server) fetch(t *testing.T, path string) (envelope, *http.Response) {
	t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	if res.StatusCode != http.StatusOK {
		return env, res
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
	var top map[string]json.RawMessage
	json.Unmarshal(body, &top)
	for k := range top {
		env.keys = append(env.keys, k)
	}
	slices.Sort(env.keys)
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	json.Unmarshal(body, &raw)
	env.raw = raw.Items
	return env, res
}

// model returns the table's rows as the API should show them.
func model(n int) []itemsapi.Item {
	out := make([]itemsapi.Item, n)
	for i := range out {
		r := dataset.Row(int64(i + 1))
		out[i] = itemsapi.Item{ID: r.ID, Name: r.Name, Category: r.Category, Price: r.Price, CreatedAt: r.CreatedAt, SellerID: r.SellerID}
	}
	return out
}

// sorted orders items as a sort parameter says, id breaking ties in the
// direction of the last key.
func sorted(items []itemsapi.Item, sort string) []itemsapi.Item {
	out := slices.Clone(items)
	keys := strings.Split(sort, ",")
	lastDesc := strings.HasPrefix(keys[len(keys)-1], "-")
	slices.SortStableFunc(out, func(a, b itemsapi.Item) int {
		for _, k := range keys {
			desc := strings.HasPrefix(k, "-")
			var c int
			switch strings.TrimPrefix(k, "-") {
			case "id":
				c = cmp.Compare(a.ID, b.ID)
			case "name":
				c = strings.Compare(a.Name, b.Name)
			case "category":
				c = strings.Compare(a.Category, b.Category)
			case "price":
				c = cmp.Compare(a.Price, b.Price)
			case "created_at":
				c = a.CreatedAt.Compare(b.CreatedAt)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		if lastDesc {
			return cmp.Compare(b.ID, a.ID)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func ids(items []itemsapi.Item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestOffsetEndpoint(t *testing.T) {
	// Every order and filter, indexed or not (TestShapes checks that).
	s := start(t, "-rows", strconv.Itoa(testRows), "-shapes", "all")
	all := model(testRows)

	env, res := s.fetch(t, "/api/items")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if *env.Page != 1 || env.PerPage != 10 || *env.Total != testRows || *env.Pages != 25 || !env.HasNext || env.HasPrev {
		t.Errorf("defaults: page %d per_page %d total %d pages %d has_next %v has_prev %v", *env.Page, env.PerPage, *env.Total, *env.Pages, env.HasNext, env.HasPrev)
	}
	if diff := gocmp.Diff(sorted(all, "-created_at")[:10], env.Items); diff != "" {
		t.Errorf("first page (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff([]string{"has_next", "has_prev", "items", "links", "next_page", "page", "pages", "per_page", "prev_page", "total"}, env.keys); diff != "" {
		t.Errorf("envelope keys (-want +got):\n%s", diff)
	}
	if got := res.Header.Get("X-Total-Count"); got != strconv.Itoa(testRows) {
		t.Errorf("X-Total-Count %q", got)
	}
	checkItemKeys(t, env.raw)
	checkOffsetEdges(t, s)
	checkOffsetQueries(t, s, all)

	// Sparse fields.
	env, _ = s.fetch(t, "/api/items?fields=name,price&sort=id&per_page=3")
	for i, it := range env.raw {
		if len(it) != 2 || it["name"] == nil || it["price"] == nil {
			t.Errorf("item %d with fields=name,price: %v", i, it)
		}
	}
	if env.Items[0].Name != all[0].Name || env.Items[0].Price != all[0].Price {
		t.Errorf("sparse item %+v, want name and price of %+v", env.Items[0], all[0])
	}
}

// checkOffsetEdges checks a clamped page size and a page past the end.
func checkOffsetEdges(t *testing.T, s *server) {
	t.Helper()
	// Clamping reports the clamped size.
	env, _ := s.fetch(t, "/api/items?per_page=500")
	if env.PerPage != 100 || len(env.Items) != 100 || *env.Pages != 3 {
		t.Errorf("per_page=500: per_page %d, %d items, %d pages", env.PerPage, len(env.Items), *env.Pages)
	}
	// Past the end: 200, empty, correct total and pages.
	env, res := s.fetch(t, "/api/items?page=26")
	if res.StatusCode != 200 || len(env.Items) != 0 || *env.Total != testRows || *env.Pages != 25 || env.HasNext || !env.HasPrev {
		t.Errorf("past the end: status %d, %+v", res.StatusCode, env)
	}
}

// checkItemKeys checks that items have exactly the five keys, and
// created_at in RFC 3339.
func checkItemKeys(t *testing.T, raw []map[string]json.RawMessage) {
	t.Helper()
	for _, it := range raw {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range it {
				if !yield(k) {
					return
				}
			}
		})
		if diff := gocmp.Diff([]string{"category", "created_at", "id", "name", "price", "seller_id"}, keys); diff != "" {
			t.Fatalf("item keys (-want +got):\n%s", diff)
		}
		var ts string
		json.Unmarshal(it["created_at"], &ts)
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("created_at %q is not RFC 3339", ts)
		}
	}
}

// checkOffsetQueries checks pages of /api/items under every sort, with
// filters and fields, against the model all.
func checkOffsetQueries(t *testing.T, s *server, all []itemsapi.Item) {
	t.Helper()
	for _, tc := range []struct {
		query, sort string
		keep        func(itemsapi.Item) bool
	}{
		{"sort=price&page=3", "price", nil},
		{"sort=-name,category&page=2", "-name,category", nil},
		{"sort=category,-price", "category,-price", nil},
		{"sort=id&category[in]=books,toys", "id", func(it itemsapi.Item) bool { return it.Category == "books" || it.Category == "toys" }},
		{"sort=-id&category[ne]=books&price[lt]=50000", "-id", func(it itemsapi.Item) bool { return it.Category != "books" && it.Price < 50000 }},
		{"sort=created_at&created_at[gte]=2024-01-01T00:30:00Z&created_at[lt]=2024-01-01T01:00:00Z", "created_at",
			func(it itemsapi.Item) bool {
				return !it.CreatedAt.Before(time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC)) && it.CreatedAt.Before(time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC))
			}},
		{"category=toys&price[gte]=10099&price[lte]=60099", "-created_at", func(it itemsapi.Item) bool { return it.Category == "toys" && it.Price >= 10099 && it.Price <= 60099 }},
	} {
		t.Run(tc.query, func(t *testing.T) {
			want := all
			if tc.keep != nil {
				want = slices.DeleteFunc(slices.Clone(all), func(it itemsapi.Item) bool { return !tc.keep(it) })
			}
			want = sorted(want, tc.sort)
			page := 1
			if m := regexp.MustCompile(`page=(\d+)`).FindStringSubmatch(tc.query); m != nil {
				page, _ = strconv.Atoi(m[1])
			}
			env, res := s.fetch(t, "/api/items?"+tc.query)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			from, to := min((page-1)*10, len(want)), min(page*10, len(want))
			if diff := gocmp.Diff(ids(want[from:to]), ids(env.Items)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if *env.Total != int64(len(want)) {
				t.Errorf("total %d, want %d", *env.Total, len(want))
			}
		})
	}
}

// TestFeedWalk walks the feed forward to the end and back to the start
// under several sorts and filters, seeing every matching row once each
// way, in order.
func TestFeedWalk(t *testing.T) {
	s := start(t, "-rows", strconv.Itoa(testRows), "-cursor-key", strings.Repeat("k", 32), "-shapes", "all")
	all := model(testRows)
	for _, tc := range []struct {
		query, sort string
		keep        func(itemsapi.Item) bool
	}{
		{"", "-created_at", nil},
		{"sort=price", "price", nil},
		{"sort=-name", "-name", nil},
		{"sort=category,-created_at", "category,-created_at", nil},
		{"sort=-price&category[in]=home,garden", "-price", func(it itemsapi.Item) bool { return it.Category == "home" || it.Category == "garden" }},
		{"sort=created_at&price[gt]=20000", "created_at", func(it itemsapi.Item) bool { return it.Price > 20000 }},
	} {
		t.Run(tc.sort+"?"+tc.query, func(t *testing.T) {
			want := all
			if tc.keep != nil {
				want = slices.DeleteFunc(slices.Clone(all), func(it itemsapi.Item) bool { return !tc.keep(it) })
			}
			want = sorted(want, tc.sort)
			q := "/api/items/feed?per_page=17"
			if tc.query != "" {
				q += "&" + tc.query
			}
			var forward []itemsapi.Item
			var lastPrev *string
			var lastLen int
			for u, n := q, 0; ; n++ {
				env, res := s.fetch(t, u)
				if res.StatusCode != 200 {
					t.Fatalf("GET %s: %d", u, res.StatusCode)
				}
				if env.Total != nil || env.Pages != nil || res.Header.Get("X-Total-Count") != "" {
					t.Fatal("the feed reports a total")
				}
				if env.HasPrev != (n > 0) {
					t.Fatalf("page %d: has_prev %v", n, env.HasPrev)
				}
				forward = append(forward, env.Items...)
				lastPrev, lastLen = env.PrevCursor, len(env.Items)
				if !env.HasNext {
					if env.NextCursor != nil {
						t.Fatal("next_cursor without has_next")
					}
					break
				}
				u = q + "&after=" + url.QueryEscape(*env.NextCursor)
			}
			if diff := gocmp.Diff(ids(want), ids(forward)); diff != "" {
				t.Fatalf("forward walk (-want +got):\n%s", diff)
			}
			var backward []itemsapi.Item
			for c := lastPrev; c != nil; {
				env, res := s.fetch(t, q+"&before="+url.QueryEscape(*c))
				if res.StatusCode != 200 {
					t.Fatalf("before: %d", res.StatusCode)
				}
				backward = append(slices.Clone(env.Items), backward...)
				c = env.PrevCursor
			}
			if diff := gocmp.Diff(ids(want[:len(want)-lastLen]), ids(backward)); diff != "" {
				t.Fatalf("backward walk (-want +got):\n%s", diff)
			}
		})
	}
}

// problemNames returns the invalid_params names of a 400.
func problemNames(t *testing.T, s *server, path string) []string {
	t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 400 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	var p struct {
		InvalidParams []struct{ Name string } `json:"invalid_params"`
	}
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ip := range p.InvalidParams {
		out = append(out, ip.Name)
	}
	return out
}

func TestCursorKeyAndRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "items.db")
	key := "a secret cursor key of 32 bytes+"
	s := start(t, "-rows", "100", "-db", db, "-cursor-key", key)
	if strings.Contains(s.output(), "development key") {
		t.Error("warned about the development key although one was given")
	}
	env, _ := s.fetch(t, "/api/items/feed?sort=price&per_page=5")
	cursor := url.QueryEscape(*env.NextCursor)
	want, _ := s.fetch(t, "/api/items/feed?sort=price&per_page=5&after="+cursor)

	// The cursor belongs to its sort and filters.
	for _, q := range []string{"sort=-price", "sort=price&category=toys"} {
		if diff := gocmp.Diff([]string{"after"}, problemNames(t, s, "/api/items/feed?"+q+"&after="+cursor)); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", q, diff)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// A restart with the same key (from the environment this time) and
	// the same database accepts the cursor...
	t.Setenv(cursorKeyEnv, key)
	s = start(t, "-rows", "100", "-db", db)
	got, res := s.fetch(t, "/api/items/feed?sort=price&per_page=5&after="+cursor)
	if res.StatusCode != 200 {
		t.Fatalf("cursor after restart: %d", res.StatusCode)
	}
	if diff := gocmp.Diff(want.Items, got.Items); diff != "" {
		t.Errorf("page after restart (-before +after):\n%s", diff)
	}
	s.stop()
	// ...and one with another key does not.
	t.Setenv(cursorKeyEnv, "")
	s = start(t, "-rows", "100", "-db", db)
	if !strings.Contains(s.output(), "development key") {
		t.Errorf("no warning about the development key:\n%s", s.output())
	}
	if diff := gocmp.Diff([]string{"after"}, problemNames(t, s, "/api/items/feed?sort=price&per_page=5&after="+cursor)); diff != "" {
		t.Errorf("cursor under another key (-want +got):\n%s", diff)
	}
}

// TestCurlLines runs every printed curl line's request.
func TestCurlLines(t *testing.T) {
	s := start(t)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.output(), "in a browser") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	lines := regexp.MustCompile(`(?m)curl (-g |-i )?'([^']+)'(.*)$`).FindAllStringSubmatch(s.output(), -1)
	if len(lines) < 5 {
		t.Fatalf("only %d curl lines:\n%s", len(lines), s.output())
	}
	for _, l := range lines {
		u := l[2]
		if strings.Contains(u, "[") && l[1] != "-g " {
			t.Errorf("%s has brackets but no -g: curl would read them as a glob", u)
		}
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := 200
		if strings.Contains(l[3], "# 400") {
			want = 400
		}
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d: %s", u, res.StatusCode, want, body)
		}
		if want == 200 && strings.Contains(string(body), `"items":[]`) {
			t.Errorf("%s: no items with the default rows", u)
		}
	}
}

func TestIndexPage(t *testing.T) {
	s := start(t, "-rows", "10")
	res, err := http.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "/api/items/feed") {
		t.Errorf("GET /: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := http.Get(s.base + "/nope"); res.StatusCode != 404 {
		t.Errorf("GET /nope: %d", res.StatusCode)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-rows", "-1"},
		{"-driver", "oracle"},
		{"-driver", "postgres"},
		{"-dsn", "x"},
		{"extra"},
		{"-cursor-key", "short"},
		{"-shapes", "some"},
		{"-shapes", "all", "-shape-report"},
		{"-budget", "-1s"},
		{"-max-open-conns", "-1"},
		{"-idle-timeout", "0"},
		{"-budget", "30s", "-write-timeout", "20s"},
	} {
		if err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0", "-rows", "1"}, args...), io.Discard); err == nil {
			t.Errorf("run %v: no error", args)
		}
	}
}

func TestPostgres(t *testing.T) {
	db := testdb.Postgres(t) // skips without PAGINATE_POSTGRES_DSN
	dsn := testdb.Env(t, testdb.PostgresEnv)
	table := testdb.Name("items")
	dropTables(t, db, table)
	s := start(t, "-driver", "postgres", "-dsn", dsn, "-table", table, "-rows", "120")
	env, res := s.fetch(t, "/api/items?per_page=7&page=2")
	if res.StatusCode != 200 || *env.Total != 120 {
		t.Fatalf("status %d, %+v", res.StatusCode, env)
	}
	want := sorted(model(120), "-created_at")[7:14]
	if diff := gocmp.Diff(ids(want), ids(env.Items)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for i := range want {
		if !want[i].CreatedAt.Equal(env.Items[i].CreatedAt) {
			t.Errorf("created_at %v, want %v", env.Items[i].CreatedAt, want[i].CreatedAt)
		}
	}
	feed, _ := s.fetch(t, "/api/items/feed?per_page=7&category=books")
	if len(feed.Items) == 0 || feed.NextCursor == nil {
		t.Errorf("feed: %+v", feed)
	}
	// No index serves an in filter on category in created_at order.
	if diff := gocmp.Diff([]string{"category[in]"}, problemNames(t, s, "/api/items/feed?per_page=7&category[in]=books,toys")); diff != "" {
		t.Errorf("in filter (-want +got):\n%s", diff)
	}
}

// TestShapes checks the default shape policy: an order an index serves
// is paged, one no index serves is a 400 naming sort with the orders
// available, a filter no index serves with the order is a 400 naming the
// filter, a page deeper than -max-offset is a 400 naming page; each
// answer carries Server-Timing; and -shape-report prints the verdicts.
func TestShapes(t *testing.T) {
	s := start(t, "-rows", "300")
	for _, path := range []string{"/api/items?sort=price&price[gte]=1000", "/api/items/feed?sort=-name", "/api/items?category=books&created_at[gte]=2024-01-01T00:00:00Z"} {
		env, res := s.fetch(t, path)
		if res.StatusCode != 200 || len(env.Items) == 0 {
			t.Errorf("GET %s: %d, %d items", path, res.StatusCode, len(env.Items))
		}
		if st := res.Header.Get("Server-Timing"); !strings.Contains(st, "fetch;dur=") || !strings.Contains(st, "total;dur=") {
			t.Errorf("GET %s: Server-Timing %q", path, st)
		}
	}
	for path, param := range map[string]string{
		"/api/items?sort=-price,name":                      "sort",
		"/api/items/feed?sort=category,-price":             "sort",
		"/api/items?sort=price&created_at[lt]=2024-01-01":  "created_at[lt]",
		"/api/items/feed?category%5Bne%5D=books":           "category[ne]",
		"/api/items?page=2000&per_page=10":                 "page",
		"/api/items?sort=name&category=books&per_page=100": "category",
	} {
		if diff := gocmp.Diff([]string{param}, problemNames(t, s, path)); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", path, diff)
		}
	}
	res, err := http.Get(s.base + "/api/items?sort=-price,name")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "no index serves this order; orders available: -created_at, created_at, id, -id, name, -name, category, -category, price, -price") {
		t.Errorf("refused order: %s", body)
	}

	var out strings.Builder
	if err := run(context.Background(), []string{"-rows", "300", "-shape-report"}, &out); err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{
		"served   /api/items       sort=-created_at\n",
		"served   /api/items/feed  sort=price&price[lt]&price[gte]\n",
		"refused  /api/items       sort=name&category  -- CREATE INDEX items_category_name_id ON items (category, name, id)\n",
		"refused  /api/items/feed  sort=-created_at&category[ne]  -- no index serves category[ne]",
		"served   /api/items       sort=name&name[prefix]\n",
		"refused  /api/items       sort=name&name[contains]  -- no index serves name[contains]",
		"refused  /api/items       sort=id&seller_id[null]  -- CREATE INDEX items_seller_id_id ON items (seller_id, id)\n",
		fmt.Sprintf(" of %d documented shapes are served by an index\n", 2*2*len(itemsapi.Sorts())*len(itemsapi.FilterSets())),
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// dropTables drops, when the test ends, the items table the example
// seeds under the name table and its sellers and reviews tables.
func dropTables(t *testing.T, db *sqlx.DB, table string) {
	t.Helper()
	sellers, reviews := relatedTables(table)
	for _, name := range []string{table, sellers, reviews} {
		testdb.DropTable(t, db, name)
	}
}
