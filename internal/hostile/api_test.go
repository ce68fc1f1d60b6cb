package hostile

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
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

// envelope is a page of the API, and response one answer from it.
type (
	envelope = apitest.Envelope[itemsapi.Item]
	response = apitest.Response[itemsapi.Item]
)

// readResponse reads an answer of the API.
func readResponse(tb testing.TB, res *http.Response) response {
	tb.Helper()
	return apitest.Read[itemsapi.Item](tb, res)
}

// expected returns the rows 1..n of the dataset that keep keeps (all
// when keep is nil), in the API's default order: created_at descending,
// then id descending.
func expected(n int, keep func(itemsapi.Item) bool) []itemsapi.Item {
	return apitest.Sorted(apitest.Filter(apitest.Items(n), keep), "-created_at")
}
