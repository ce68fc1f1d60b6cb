package hostile

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

// apiKey signs the API's cursors.
var apiKey = []byte("hostile-test-key-hostile-test-key!!")

// env is one database holding a seeded items table, and with related
// set its sellers and reviews tables.
type env struct {
	name             string
	plain            *sqlx.DB // for setup and for the writers
	db               *sqlx.DB // the API's handle, recording every statement in log
	log              *sqlLog
	table            string
	sellers, reviews string // the related tables, when seeded
	rows             int
}

// openEnv returns the database called name ("sqlite", "postgres" or
// "mysql") with a fresh items table of rows rows, dropped when the test
// ends. PostgreSQL and MySQL are skipped, or failed, as internal/testdb
// says when they are not set up.
func openEnv(tb testing.TB, name string, rows int) *env {
	tb.Helper()
	return openEnvWith(tb, name, rows, false)
}

// openRelatedEnv is openEnv with the items' sellers and reviews.
func openRelatedEnv(tb testing.TB, name string, rows int) *env {
	tb.Helper()
	return openEnvWith(tb, name, rows, true)
}

func openEnvWith(tb testing.TB, name string, rows int, related bool) *env {
	tb.Helper()
	e := &env{name: name, rows: rows}
	switch name {
	case "sqlite":
		path := filepath.Join(tb.TempDir(), "hostile.db")
		e.plain = testdb.SQLiteFile(tb, path)
		e.table = "items"
		e.db, e.log = openCapturing(tb, "sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000")
	case "postgres":
		e.plain = testdb.Postgres(tb)
		e.table = testdb.Name("hostile")
		e.db, e.log = openCapturing(tb, "pgx", os.Getenv(testdb.PostgresEnv))
		e.db.SetMaxOpenConns(10)
	case "mysql":
		e.plain = testdb.MySQL(tb)
		e.table = testdb.Name("hostile")
		e.db, e.log = openCapturing(tb, "mysql", os.Getenv(testdb.MySQLEnv))
		e.db.SetMaxOpenConns(10)
	default:
		tb.Fatalf("unknown database %q", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := dataset.Options{Table: e.table, Rows: rows, Related: related}
	if related {
		e.sellers, e.reviews = e.table+"_sellers", e.table+"_reviews"
		opts.SellersTable, opts.ReviewsTable = e.sellers, e.reviews
	}
	if err := dataset.Seed(ctx, e.plain, opts); err != nil {
		tb.Fatal(err)
	}
	if name != "sqlite" {
		for _, table := range []string{e.table, e.sellers, e.reviews} {
			if table != "" {
				testdb.DropTable(tb, e.plain, table)
			}
		}
	}
	return e
}

// databases are the databases the abuse and consistency tests run on.
var databases = []string{"sqlite", "postgres", "mysql"}

// apiConfig is what may differ between API instances.
type apiConfig struct {
	adapter httpadapter.Config
	offset  paginate.OffsetConfig
	keyset  paginate.KeysetConfig
}

// api is the example's API (internal/itemsapi) over a test's table.
type api struct {
	mux    http.Handler
	offset *paginate.Offset[itemsapi.Item]
	keyset *paginate.Keyset[itemsapi.Item]
}

// newAPI serves the example's API (internal/itemsapi) over e's table,
// through e's capturing handle, with cfg's configurations; cursors are
// signed with apiKey unless cfg.keyset has keys.
func newAPI(tb testing.TB, e *env, cfg apiConfig) *api {
	tb.Helper()
	icfg := itemsapi.Config{Adapter: cfg.adapter, Offset: cfg.offset, Keyset: cfg.keyset, SellersTable: e.sellers, ReviewsTable: e.reviews}
	if cfg.keyset.Keys == nil {
		icfg.CursorKey = apiKey
	}
	a, err := itemsapi.New(e.db, e.table, icfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	return &api{mux: a.Handler(), offset: a.Offset(), keyset: a.Keyset()}
}

// envelope is a page as the API writes it.
type envelope struct {
	Total      *int64             `json:"total"`
	Page       int                `json:"page"`
	PerPage    int                `json:"per_page"`
	Pages      *int               `json:"pages"`
	HasNext    bool               `json:"has_next"`
	HasPrev    bool               `json:"has_prev"`
	NextCursor *string            `json:"next_cursor"`
	PrevCursor *string            `json:"prev_cursor"`
	Links      map[string]*string `json:"links"`
	Items      []itemsapi.Item    `json:"items"`
}

// response is one answer from the API.
type response struct {
	status  int
	header  http.Header
	body    []byte
	page    envelope            // when status is 200
	problem httpadapter.Problem // when the body is problem+json
}

func readResponse(tb testing.TB, res *http.Response) response {
	tb.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("reading the body: %v", err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: body}
	switch {
	case res.StatusCode == http.StatusOK:
		if err := json.Unmarshal(body, &r.page); err != nil {
			tb.Fatalf("200 with a body that is not an envelope: %v\n%.500s", err, body)
		}
	case res.Header.Get("Content-Type") == httpadapter.ProblemContentType:
		if err := json.Unmarshal(body, &r.problem); err != nil {
			tb.Fatalf("%d with a problem body that does not decode: %v\n%.500s", res.StatusCode, err, body)
		}
	}
	return r
}

// names returns the invalid_params names of a problem, sorted.
func (r response) names() []string {
	var out []string
	for _, p := range r.problem.InvalidParams {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

// expected returns the rows 1..n of the dataset that keep selects, in the
// API's default order: created_at descending, then id descending.
func expected(n int, keep func(dataset.Item) bool) []dataset.Item {
	var out []dataset.Item
	for id := int64(1); id <= int64(n); id++ {
		it := dataset.Row(id)
		if keep == nil || keep(it) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b dataset.Item) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	return out
}

// sameItem reports whether the API's item is the dataset's row.
func sameItem(got itemsapi.Item, want dataset.Item) bool {
	return got.ID == want.ID && got.Name == want.Name && got.Category == want.Category &&
		got.Price == want.Price && got.CreatedAt.Equal(want.CreatedAt)
}
