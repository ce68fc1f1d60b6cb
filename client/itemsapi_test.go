package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/client"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

// itemsRows is the size of the example API's table in these tests: not a
// multiple of any page size walked.
const itemsRows = 237

// itemsServer serves the example API (internal/itemsapi) over a seeded
// SQLite table under httptest and returns its URL, the database, and a
// count of the requests served.
func itemsServer(tb testing.TB) (string, *sqlx.DB, *atomic.Int64) {
	tb.Helper()
	db := testdb.SQLite(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dataset.Seed(ctx, db, dataset.Options{Table: "items", Rows: itemsRows}); err != nil {
		tb.Fatal(err)
	}
	api, err := itemsapi.New(db, "items", itemsapi.Config{CursorKey: []byte("client-test-key-client-test-key!!")})
	if err != nil {
		tb.Fatal(err)
	}
	var n atomic.Int64
	h := api.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(func() {
		srv.Close()
		api.Close()
	})
	return srv.URL, db, &n
}

// rows reads the table directly with SQL, filtered by where and in the
// order orderBy says.
func rows(tb testing.TB, db *sqlx.DB, where, orderBy string, args ...any) []itemsapi.Item {
	tb.Helper()
	var out []itemsapi.Item
	q := "SELECT id, name, category, price, created_at, seller_id FROM items " + where + " ORDER BY " + orderBy
	if err := db.Select(&out, q, args...); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Walking the example server's offset and cursor endpoints, by Link
// header and by the envelope's next_page and next_cursor, yields every
// row exactly once, in the server's order, for several page sizes and
// sorts; and it fetches no page past the last (MaxPages is exactly the
// number of pages) and no more requests than pages.
func TestItemsAPI(t *testing.T) {
	base, db, served := itemsServer(t)
	type walk struct {
		name string
		path string
		cfg  client.Config
	}
	walks := []walk{
		{"offset by Link", "/api/items", client.Config{Items: "items"}},
		{"offset by next_page", "/api/items", client.Config{Items: "items", Cursor: "next_page", CursorParam: "page"}},
		{"cursor by Link", "/api/items/feed", client.Config{Items: "items"}},
		{"cursor by next_cursor", "/api/items/feed", client.Config{Items: "items", Cursor: "next_cursor", CursorParam: "after"}},
	}
	sorts := []struct {
		param   string // the sort parameter, "" for the default
		orderBy string // the same order in SQL, ties broken by id in the last key's direction
		where   string
		args    []any
		perPage []int // 0: the default page size, 10
	}{
		{"", "created_at DESC, id DESC", "", nil, []int{1, 7, 0, 100}},
		{"price", "price, id", "", nil, []int{13}},
		{"-name", "name DESC, id DESC", "", nil, []int{13}},
		{"category,-price", "category, price DESC, id DESC", "", nil, []int{13}},
		{"name&category[in]=books,toys&price[gte]=50000", "name, id", "WHERE category IN (?, ?) AND price >= ?", []any{"books", "toys", 50000}, []int{4}},
	}
	sameTime := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	for _, s := range sorts {
		want := rows(t, db, s.where, s.orderBy, s.args...)
		if len(want) < 10 {
			t.Fatalf("sort %q: only %d rows", s.param, len(want))
		}
		for _, pp := range s.perPage {
			for _, w := range walks {
				var q []string
				if pp > 0 {
					q = append(q, fmt.Sprintf("per_page=%d", pp))
				}
				if s.param != "" {
					q = append(q, "sort="+s.param)
				}
				u := base + w.path
				if len(q) > 0 {
					u += "?" + strings.Join(q, "&")
				}
				t.Run(fmt.Sprintf("%s/sort=%s/per_page=%d", w.name, s.param, pp), func(t *testing.T) {
					size := pp
					if size == 0 {
						size = 10
					}
					cfg := w.cfg
					cfg.MaxPages = (len(want) + size - 1) / size
					before := served.Load()
					got, err := collect[itemsapi.Item](t.Context(), u, cfg)
					if err != nil {
						t.Fatalf("GET %s: %v (after %d items)", u, err, len(got))
					}
					if n := served.Load() - before; n != int64(cfg.MaxPages) {
						t.Errorf("GET %s: %d requests for %d pages", u, n, cfg.MaxPages)
					}
					if diff := cmp.Diff(want, got, sameTime); diff != "" {
						t.Errorf("GET %s: items (-want +got):\n%s", u, diff)
					}
				})
			}
		}
	}
}
