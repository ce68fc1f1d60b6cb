// Command items is the example API of go-paginate: it creates and seeds an
// items table and serves it over HTTP, with offset pages, cursor pages and
// a small infinite-scroll page. The API itself is internal/itemsapi; this
// program opens and seeds the database, picks the count strategy and
// serves it.
//
//	go run ./examples/items                       # SQLite in a fresh temporary file, 1,000 rows
//	go run ./examples/items -rows 1000000 -db /tmp/items.db
//	go run ./examples/items -driver postgres -dsn 'postgres://user@127.0.0.1:5432/test'
//	go run ./examples/items -count cached -redis 127.0.0.1:6379
//
// Endpoints:
//
//	GET /api/items        offset pages: page, per_page (default 10, at most 100, larger
//	                      values clamped), total, pages; a page past the end is empty
//	GET /api/items/feed   cursor pages: after, before, per_page; no COUNT
//	GET /openapi.json     the OpenAPI 3.1 document of the two
//	GET /                 a page listing the feed, loading more on scroll or click
//
// Both APIs sort by id, name, category, price and created_at (default
// -created_at, id breaking ties), filter on category (eq, ne, in), price
// and created_at (eq, lt, lte, gt, gte), and take fields. Prices are integer cents. include=seller,reviews embeds each
// item's seller (or null) and its three newest reviews (or []), each
// relation loaded with one query per page whatever its size;
// fields[seller] and fields[reviews] choose their fields. The program
// seeds a sellers and a reviews table beside the items (on PostgreSQL and
// MySQL named after -table: sellers and reviews for items, else
// TABLE_sellers and TABLE_reviews).
//
// -count chooses how GET /api/items counts: exact (a COUNT per request),
// none (no total; has_next from one extra row), cached (exact counts kept
// for a minute, in process or, with -redis, in Redis), capped (at most
// 10,000 rows counted) or estimated (the planner's estimate on PostgreSQL,
// exact elsewhere). Counts cached in Redis are keyed by the dataset
// (driver, row count and dataset version), so a restart with other -rows
// never serves the totals of the rows seeded before. Both APIs answer
// If-None-Match with 304 Not Modified.
//
// Pages link to their neighbours in the Link header and in the body's
// links object; in cursor mode the last link asks for the final rows
// directly. Browser code on another site may read the API when
// -allow-origin names its origin (or is "*"); it can then read the Link and
// X-Total-Count headers too, which the API lists in
// Access-Control-Expose-Headers for requests that carry an Origin.
//
// Cursors are signed with the key from -cursor-key or PAGINATE_CURSOR_KEY
// (at least 32 bytes), so cursors stay valid across restarts with the same
// key. Without one the server uses a fixed development key, and says so:
// anyone who reads this file can forge cursors for it.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	// Database drivers, chosen with -driver.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
	"github.com/go-paginate/paginate/cache/rediscache"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
)

// devCursorKey signs cursors when no key is configured. It is public, so
// it must never be used in production.
const devCursorKey = "go-paginate example development key: not a secret"

// cursorKeyEnv is the environment variable holding the cursor key.
const cursorKeyEnv = "PAGINATE_CURSOR_KEY"

//go:embed index.html
var indexHTML []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "items:", err)
		}
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	addr, db, driver, dsn, table, cursorKey string
	count, redis, allowOrigin               string
	rows                                    int
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("items", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.db, "db", "", "SQLite database file, reused when it already holds -rows rows (default: a fresh temporary file)")
	fs.IntVar(&c.rows, "rows", 1000, "number of rows to seed")
	fs.StringVar(&c.driver, "driver", "sqlite", "database: sqlite, postgres or mysql")
	fs.StringVar(&c.dsn, "dsn", "", "data source name for -driver postgres or mysql (MySQL needs parseTime=true)")
	fs.StringVar(&c.table, "table", "items", "table to create and seed on PostgreSQL or MySQL (dropped first), with its sellers and reviews tables")
	fs.StringVar(&c.cursorKey, "cursor-key", "", "key that signs cursors, at least 32 bytes (default: $"+cursorKeyEnv+", else a development key)")
	fs.StringVar(&c.count, "count", "exact", "how /api/items counts: exact, none, cached, capped or estimated")
	fs.StringVar(&c.redis, "redis", "", "Redis address (host:port) for -count cached (default: an in-process cache)")
	fs.StringVar(&c.allowOrigin, "allow-origin", "", `origin whose browser code may read the API, such as https://app.example, or "*" for any (default: none)`)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch c.count {
	case "exact", "none", "cached", "capped", "estimated":
	default:
		return c, fmt.Errorf("unknown -count %q: want exact, none, cached, capped or estimated", c.count)
	}
	if c.redis != "" && c.count != "cached" {
		return c, errors.New("-redis is for -count cached")
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.rows < 0 {
		return c, errors.New("-rows must not be negative")
	}
	if c.cursorKey == "" {
		c.cursorKey = os.Getenv(cursorKeyEnv)
	}
	return c, nil
}

// run starts the server and serves until ctx is done. It prints the
// address it listens on, then curl lines, to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))

	start := time.Now()
	db, table, cleanup, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	logger.Info("database ready", "driver", cfg.driver, "rows", cfg.rows, "took", time.Since(start).Round(time.Millisecond))

	key := cfg.cursorKey
	if key == "" {
		key = devCursorKey
		logger.Warn("signing cursors with the public development key; set -cursor-key or " + cursorKeyEnv + " to a secret of at least 32 bytes")
	}
	counter, closeCounter, err := countStrategy(cfg, table, logger)
	if err != nil {
		return err
	}
	defer closeCounter()
	sellers, reviews := relatedTables(table)
	api, err := itemsapi.New(db, table, itemsapi.Config{
		SellersTable: sellers,
		ReviewsTable: reviews,
		CursorKey:    []byte(key),
		Count:        counter,
		Logger:       logger,
		Index:        http.HandlerFunc(index),
		// Cross-origin requests (those with an Origin header) may read
		// Link and X-Total-Count.
		Adapter: httpadapter.Config{Writer: httpadapter.WriterConfig{ExposeHeaders: true}},
	})
	if err != nil {
		return err
	}
	defer api.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           allowOrigin(cfg.allowOrigin, api.Handler()),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "listening on %s\n\n", base)
	fmt.Fprintf(stdout, "  curl '%s/api/items'\n", base)
	// -g stops curl from reading the brackets of filters as globs.
	fmt.Fprintf(stdout, "  curl -g '%s/api/items?page=2&per_page=5&sort=-price,name&category[in]=books,toys'\n", base)
	fmt.Fprintf(stdout, "  curl -g '%s/api/items?price[lt]=1000&fields=id,name,price'\n", base)
	fmt.Fprintf(stdout, "  curl -g '%s/api/items?per_page=3&include=seller,reviews&fields[reviews]=rating,created_at'\n", base)
	fmt.Fprintf(stdout, "  curl '%s/api/items/feed?per_page=5'\n", base)
	fmt.Fprintf(stdout, "  curl -g '%s/api/items/feed?per_page=5&sort=price&created_at[gte]=2024-01-01T03:00:00Z'\n", base)
	fmt.Fprintf(stdout, "  curl -i '%s/api/items?per_page=0'   # 400, application/problem+json\n", base)
	fmt.Fprintf(stdout, "  curl '%s/openapi.json'\n", base)
	fmt.Fprintf(stdout, "  open %s/ in a browser for the infinite scroll\n\n", base)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openDB opens and seeds the database, returning it, the table's name and
// a function that closes it (and removes a temporary file).
func openDB(ctx context.Context, cfg config) (*sqlx.DB, string, func(), error) {
	switch cfg.driver {
	case "sqlite":
		if cfg.dsn != "" {
			return nil, "", nil, errors.New("-dsn is for postgres and mysql; SQLite takes -db")
		}
		path, remove := cfg.db, func() {}
		if path == "" {
			dir, err := os.MkdirTemp("", "paginate-items-")
			if err != nil {
				return nil, "", nil, err
			}
			path, remove = filepath.Join(dir, "items.db"), func() { os.RemoveAll(dir) }
		}
		db, err := dataset.CachedRelated(ctx, path, cfg.rows)
		if err != nil {
			remove()
			return nil, "", nil, err
		}
		return db, "items", func() { db.Close(); remove() }, nil
	case "postgres", "mysql":
		if cfg.dsn == "" {
			return nil, "", nil, fmt.Errorf("-driver %s needs -dsn", cfg.driver)
		}
		name := map[string]string{"postgres": "pgx", "mysql": "mysql"}[cfg.driver]
		db, err := sqlx.Open(name, cfg.dsn)
		if err != nil {
			return nil, "", nil, err
		}
		sellers, reviews := relatedTables(cfg.table)
		if err := dataset.Seed(ctx, db, dataset.Options{Table: cfg.table, Rows: cfg.rows, Related: true, SellersTable: sellers, ReviewsTable: reviews}); err != nil {
			db.Close()
			return nil, "", nil, err
		}
		return db, cfg.table, func() { db.Close() }, nil
	}
	return nil, "", nil, fmt.Errorf("unknown -driver %q: want sqlite, postgres or mysql", cfg.driver)
}

// relatedTables returns the names of the sellers and reviews tables of
// the items table named table: sellers and reviews beside items, else
// named after it.
func relatedTables(table string) (sellers, reviews string) {
	if table == "items" {
		return "sellers", "reviews"
	}
	return table + "_sellers", table + "_reviews"
}

// countStrategy returns the strategy -count names, and a function that
// releases what it holds.
func countStrategy(cfg config, table string, logger *slog.Logger) (paginate.CountStrategy, func(), error) {
	nothing := func() {}
	switch cfg.count {
	case "none":
		return paginate.NoCount{}, nothing, nil
	case "capped":
		return paginate.CappedCount{Max: 10_000}, nothing, nil
	case "estimated":
		return paginate.EstimatedCount{Threshold: 10_000}, nothing, nil
	case "cached":
		var store cache.Store
		release := nothing
		if cfg.redis != "" {
			client := redis.NewClient(redisOptions(cfg.redis))
			store, release = rediscache.New(client, rediscache.Config{}), func() { client.Close() }
		} else {
			lru, err := cache.NewLRU(cache.LRUConfig{})
			if err != nil {
				return nil, nil, err
			}
			store = lru
		}
		// The items are public: every caller sees the same rows and
		// counts, so requests carry no scope. The rows are those the
		// dataset makes for the row count, and the variant names them,
		// so that counts cached in Redis for another dataset, before a
		// restart with other flags or by another server, are never
		// served for this one.
		counts, err := cache.NewCount(nil, cache.Config{Store: store, Name: table, Variant: datasetVariant(cfg), Shared: true, Logger: logger})
		if err != nil {
			release()
			return nil, nil, err
		}
		return counts, release, nil
	}
	return paginate.ExactCount{}, nothing, nil
}

// datasetVariant names the rows the example seeds: the dataset's version
// and row count, and the database, whose comparisons (collation) decide
// what a filter matches.
func datasetVariant(cfg config) string {
	return fmt.Sprintf("dataset=v%d;rows=%d;driver=%s", dataset.Version, cfg.rows, cfg.driver)
}

// redisOptions are the Redis client's options. ContextTimeoutEnabled
// makes the client honour the deadline the cache puts on each call.
func redisOptions(addr string) *redis.Options {
	return &redis.Options{Addr: addr, ContextTimeoutEnabled: true}
}

// allowOrigin lets browser code from origin ("*" for any) read next's
// responses, the smallest CORS policy for a public, read-only API: the
// API's requests are simple GETs, so no preflight reaches it.
func allowOrigin(origin string, next http.Handler) http.Handler {
	if origin == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && (origin == "*" || o == origin) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
		if origin != "*" {
			w.Header().Add("Vary", "Origin")
		}
		next.ServeHTTP(w, r)
	})
}

// index serves the infinite-scroll page.
func index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	w.Write(indexHTML)
}
