package main

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

// walkCase is one order and filter of the feed, and the rows it holds.
type walkCase struct {
	query, sort string
	keep        func(itemsapi.Item) bool
}

var walkCases = []walkCase{
	{"", "-created_at", nil},
	{"sort=price", "price", nil},
	{"sort=-name,id", "-name,id", nil},
	{"sort=category,-created_at", "category,-created_at", nil},
	{"sort=-price&category[in]=home,garden", "-price", func(it itemsapi.Item) bool { return it.Category == "home" || it.Category == "garden" }},
	{"sort=created_at&price[gt]=20000", "created_at", func(it itemsapi.Item) bool { return it.Price > 20000 }},
	{"category=nothing", "-created_at", func(itemsapi.Item) bool { return false }},
}

// links holds the envelope's links and the Link header's, which must
// agree.
type links map[string]*string

// pageLinks fetches path and checks that its body's links are its Link
// header's.
func (s *server) pageLinks(t *testing.T, path string) (envelope, links) {
	t.Helper()
	env, res := s.fetch(t, path)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	header := links{"first": nil, "prev": nil, "next": nil, "last": nil}
	for _, part := range strings.Split(res.Header.Get("Link"), ", ") {
		if u, rel, ok := strings.Cut(part, `>; rel="`); ok {
			v := strings.TrimPrefix(u, "<")
			header[strings.TrimSuffix(rel, `"`)] = &v
		}
	}
	if diff := gocmp.Diff(header, env.Links); diff != "" {
		t.Fatalf("GET %s: body links differ from the Link header (-header +body):\n%s", path, diff)
	}
	return env, env.Links
}

// mustQuery returns the query parameters of path.
func mustQuery(t *testing.T, path string) url.Values {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// path turns a link into a path on s.
func (s *server) path(t *testing.T, link *string) string {
	t.Helper()
	if link == nil || !strings.HasPrefix(*link, s.base+"/") {
		t.Fatalf("link %v is not on %s", link, s.base)
	}
	return strings.TrimPrefix(*link, s.base)
}

// checkWalkFromLast starts at the first page of the feed, follows its
// last link and walks back through prev links, for several orders,
// filters and page sizes: the last page holds the final per_page rows,
// has no next page, and the walk back sees every matching row exactly
// once, in order.
func checkWalkFromLast(t *testing.T, s *server, rows int, cases []walkCase, sizes []int) {
	all := model(rows)
	for _, tc := range cases {
		want := all
		if tc.keep != nil {
			want = slices.DeleteFunc(slices.Clone(all), func(it itemsapi.Item) bool { return !tc.keep(it) })
		}
		want = sorted(want, tc.sort)
		for _, perPage := range sizes {
			t.Run(tc.sort+"?"+tc.query+"&per_page="+strconv.Itoa(perPage), func(t *testing.T) {
				q := "/api/items/feed?per_page=" + strconv.Itoa(perPage)
				if tc.query != "" {
					q += "&" + tc.query
				}
				_, first := s.pageLinks(t, q)
				// The first link is the same query, encoded again.
				if u, err := url.Parse(s.path(t, first["first"])); err != nil || u.Path != "/api/items/feed" || gocmp.Diff(mustQuery(t, q), u.Query()) != "" {
					t.Errorf("first link %s, want the query of %s", *first["first"], q)
				}
				last, lastLinks := s.pageLinks(t, s.path(t, first["last"]))
				tail := want[len(want)-min(perPage, len(want)):]
				if diff := gocmp.Diff(ids(tail), ids(last.Items)); diff != "" {
					t.Errorf("last page (-want +got):\n%s", diff)
				}
				if last.HasNext || last.NextCursor != nil || lastLinks["next"] != nil {
					t.Errorf("last page: has_next %v, next_cursor %v, next link %v", last.HasNext, last.NextCursor, lastLinks["next"])
				}
				if last.HasPrev != (len(want) > perPage) || (lastLinks["prev"] != nil) != last.HasPrev {
					t.Errorf("last page: has_prev %v, prev link %v, for %d rows", last.HasPrev, lastLinks["prev"], len(want))
				}
				if gocmp.Diff(first["last"], lastLinks["last"]) != "" || gocmp.Diff(first["first"], lastLinks["first"]) != "" {
					t.Errorf("the last page's first and last links differ from the first page's")
				}
				backward := slices.Clone(last.Items)
				for link, pages := lastLinks["prev"], 0; link != nil; pages++ {
					if pages > len(want) {
						t.Fatalf("backward walk still going after %d pages, at %s", pages, *link)
					}
					env, ls := s.pageLinks(t, s.path(t, link))
					if !env.HasNext || ls["next"] == nil {
						t.Fatalf("a page before the last has no next: %s", *link)
					}
					backward = append(slices.Clone(env.Items), backward...)
					link = ls["prev"]
				}
				if diff := gocmp.Diff(ids(want), ids(backward)); diff != "" {
					t.Errorf("backward walk from the last link (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestFeedFromLast(t *testing.T) {
	const rows = 120
	// Every order, indexed or not: the walks are what is tested here.
	s := start(t, "-rows", strconv.Itoa(rows), "-shapes", "all")
	checkWalkFromLast(t, s, rows, walkCases, []int{1, 7, 50})
}

func TestFeedFromLastPostgres(t *testing.T) {
	db := testdb.Postgres(t) // skips without PAGINATE_POSTGRES_DSN
	table := testdb.Name("items")
	dropTables(t, db, table)
	s := start(t, "-driver", "postgres", "-dsn", testdb.Env(t, testdb.PostgresEnv), "-table", table, "-rows", "60", "-shapes", "all")
	checkWalkFromLast(t, s, 60, walkCases, []int{7, 50})
}

func TestFeedFromLastMariaDB(t *testing.T) {
	db := testdb.MySQL(t) // skips without PAGINATE_MYSQL_DSN
	table := testdb.Name("items")
	dropTables(t, db, table)
	s := start(t, "-driver", "mysql", "-dsn", testdb.Env(t, testdb.MySQLEnv), "-table", table, "-rows", "60", "-shapes", "all")
	checkWalkFromLast(t, s, 60, walkCases, []int{7, 50})
}
