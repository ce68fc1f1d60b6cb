// Command items is the example API of go-paginate: it creates and seeds an
// items table and serves it over HTTP, with offset pages, cursor pages and
// a small infinite-scroll page. The API itself is internal/itemsapi; this
// program opens and seeds the database, picks the count strategy and
// serves it, set up as a small production service would be.
//
//	go run ./examples/items                       # SQLite in a fresh temporary file, 1,000 rows
//	go run ./examples/items -rows 1000000 -db /tmp/items.db
//	go run ./examples/items -driver postgres -dsn 'postgres://user@127.0.0.1:5432/test'
//	go run ./examples/items -count cached -redis 127.0.0.1:6379
//	go run ./examples/items -shape-report         # which orders and filters an index serves, then exit
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
// and created_at (eq, lt, lte, gt, gte), name (prefix, contains) and
// seller_id (null), and take fields. Prices are integer cents.
// include=seller,reviews embeds each item's seller (or null) and its
// three newest reviews (or []), each
// relation loaded with one query per page whatever its size;
// fields[seller] and fields[reviews] choose their fields. The program
// seeds a sellers and a reviews table beside the items (on PostgreSQL and
// MySQL named after -table: sellers and reviews for items, else
// TABLE_sellers and TABLE_reviews).
//
// # Bounded cost
//
// Every request costs a bounded amount of the database's time:
//
//   - -shapes index (the default) serves only the orders and filter
//     combinations an index serves, as the database's plans say
//     (pagesql.ShapeCheck); any other is a 400 that names sort (or the
//     filter) and lists the orders available. At startup the server
//     checks the orders and filters the API documents and logs how many an
//     index serves and the indexes that would serve the others;
//     -shape-report prints every verdict and exits. -shapes all serves
//     every valid request.
//   - -max-offset (10,000 rows) bounds how deep an offset page may go: an
//     index-served order still reads the rows a page skips.
//   - -budget (1s) is each page's deadline: the statement is canceled (on
//     MySQL and MariaDB the server stops it at the same limit, and on
//     PostgreSQL the connections' statement_timeout is the budget) and
//     the client gets 503 with Retry-After.
//   - -count capped (the default) counts at most 10,001 rows.
//   - The database pool (-max-open-conns, -max-idle-conns,
//     -conn-max-lifetime, -conn-max-idle-time) is sized per driver: on
//     SQLite, readers run in parallel under WAL, each on an OS thread
//     while in cgo, so the pool is as large as the CPUs (at least 4); on
//     PostgreSQL and MySQL, 10 connections, far below max_connections.
//     The API only reads; SQLite has a single writer, so an application
//     that also writes does so through a handle of its own with one
//     connection (SetMaxOpenConns(1)), as the seeding does.
//   - -max-concurrent requests (the pool's size) are served at once and
//     -max-queue (64) more wait, each at most -max-wait (1s); the others
//     get 503 with Retry-After at once, so a burst neither opens more
//     connections nor piles up goroutines.
//   - The HTTP server bounds the time to read a request's headers
//     (-read-header-timeout 5s) and body (-read-timeout 10s), to write a
//     response (-write-timeout 30s), an idle keep-alive connection
//     (-idle-timeout 60s) and the size of the headers (-max-header-bytes
//     64 KiB).
//
// Each response carries a Server-Timing header (shape check, count, fetch
// and total, in milliseconds; -server-timing=false turns it off), and
// pages slower than -slow (250ms) are logged with their sort and filter
// operators, never their values.
//
// On SIGINT or SIGTERM the server stops accepting connections, finishes
// the requests in flight (at most -shutdown-timeout, 15s) and exits.
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
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	// Database drivers, chosen with -driver (pgx's, above, is opened
	// through its stdlib package).
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/mattn/go-sqlite3"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
	"github.com/go-paginate/paginate/cache/rediscache"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	pagesql "github.com/go-paginate/paginate/sql"
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
	count, redis, shapes, allowOrigin       string
	rows                                    int
	shapeReport                             bool

	// Cost per request.
	maxOffset    int64
	budget, slow time.Duration
	serverTiming bool

	// The database pool; zero means the driver's default (see pool).
	maxOpen, maxIdle        int
	connLifetime, connIdle  time.Duration
	maxConcurrent, maxQueue int
	maxWait                 time.Duration

	// The HTTP server.
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout time.Duration
	maxHeaderBytes                                            int
	shutdownTimeout                                           time.Duration
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
	fs.StringVar(&c.count, "count", "capped", "how /api/items counts: exact, none, cached, capped or estimated")
	fs.StringVar(&c.redis, "redis", "", "Redis address (host:port) for -count cached (default: an in-process cache)")
	fs.StringVar(&c.allowOrigin, "allow-origin", "", `origin whose browser code may read the API, such as https://app.example, or "*" for any (default: none)`)
	fs.StringVar(&c.shapes, "shapes", "index", "which orders and filters to serve: index (those an index serves, by the database's plans) or all")
	fs.BoolVar(&c.shapeReport, "shape-report", false, "print which documented orders and filters an index serves, and the indexes that would serve the others, then exit")
	fs.Int64Var(&c.maxOffset, "max-offset", 10_000, "the most rows an offset page may skip (0: unlimited)")
	fs.DurationVar(&c.budget, "budget", time.Second, "the longest a page may take; past it the statement is canceled and the client gets 503 (0: none)")
	fs.DurationVar(&c.slow, "slow", 250*time.Millisecond, "log pages that take at least this long (0: none)")
	fs.BoolVar(&c.serverTiming, "server-timing", true, "add a Server-Timing header to every page")
	fs.IntVar(&c.maxOpen, "max-open-conns", 0, "the most open database connections (default: the CPUs, at least 4, on SQLite; 10 on PostgreSQL and MySQL)")
	fs.IntVar(&c.maxIdle, "max-idle-conns", 0, "the most idle database connections kept (default: -max-open-conns)")
	fs.DurationVar(&c.connLifetime, "conn-max-lifetime", 30*time.Minute, "close database connections older than this (0: never)")
	fs.DurationVar(&c.connIdle, "conn-max-idle-time", 5*time.Minute, "close database connections idle for this long (0: never)")
	fs.IntVar(&c.maxConcurrent, "max-concurrent", 0, "the most API requests served at once (default: -max-open-conns)")
	fs.IntVar(&c.maxQueue, "max-queue", 64, "the most API requests waiting for a turn; more get 503 at once")
	fs.DurationVar(&c.maxWait, "max-wait", time.Second, "the longest an API request waits for a turn before a 503 (0: until the client gives up)")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 5*time.Second, "the longest to read a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 10*time.Second, "the longest to read a whole request")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 30*time.Second, "the longest from the end of a request's headers to the end of its response")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 60*time.Second, "close keep-alive connections idle for this long")
	fs.IntVar(&c.maxHeaderBytes, "max-header-bytes", 64<<10, "the largest request headers accepted, in bytes")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "on SIGINT or SIGTERM, the longest to wait for requests in flight")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.check(fs); err != nil {
		return c, err
	}
	if c.cursorKey == "" {
		c.cursorKey = os.Getenv(cursorKeyEnv)
	}
	return c, nil
}

// check checks the flags' values.
func (c *config) check(fs *flag.FlagSet) error {
	switch c.count {
	case "exact", "none", "cached", "capped", "estimated":
	default:
		return fmt.Errorf("unknown -count %q: want exact, none, cached, capped or estimated", c.count)
	}
	switch {
	case c.shapes != "index" && c.shapes != "all":
		return fmt.Errorf("unknown -shapes %q: want index or all", c.shapes)
	case c.shapeReport && c.shapes != "index":
		return errors.New("-shape-report needs -shapes index")
	case c.redis != "" && c.count != "cached":
		return errors.New("-redis is for -count cached")
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.rows < 0:
		return errors.New("-rows must not be negative")
	}
	return c.checkLimits()
}

// checkLimits checks the flags that bound time, sizes and counts.
func (c *config) checkLimits() error {
	switch {
	case c.maxOffset < 0 || c.budget < 0 || c.slow < 0 || c.connLifetime < 0 || c.connIdle < 0 || c.maxWait < 0:
		return errors.New("-max-offset, -budget, -slow, -conn-max-lifetime, -conn-max-idle-time and -max-wait must not be negative")
	case c.maxOpen < 0 || c.maxIdle < 0 || c.maxConcurrent < 0 || c.maxQueue < 0:
		return errors.New("-max-open-conns, -max-idle-conns, -max-concurrent and -max-queue must not be negative")
	case c.readHeaderTimeout <= 0 || c.readTimeout <= 0 || c.writeTimeout <= 0 || c.idleTimeout <= 0 || c.shutdownTimeout <= 0 || c.maxHeaderBytes <= 0:
		return errors.New("the server's timeouts, -shutdown-timeout and -max-header-bytes must be positive")
	case c.budget > 0 && c.writeTimeout <= c.budget+c.maxWait:
		return errors.New("-write-timeout must exceed -budget plus -max-wait, or slow pages lose their 503")
	}
	return nil
}

// pool returns the pool's sizes for the driver, the flags' where set.
// SQLite readers run in parallel under WAL, each in cgo on an OS thread,
// so more connections than CPUs add threads and file descriptors but no
// throughput; PostgreSQL and MySQL get a pool far below their
// max_connections.
func (c *config) pool() (maxOpen, maxIdle int) {
	maxOpen = c.maxOpen
	if maxOpen == 0 {
		maxOpen = 10
		if c.driver == "sqlite" {
			maxOpen = max(4, runtime.GOMAXPROCS(0))
		}
	}
	maxIdle = c.maxIdle
	if maxIdle == 0 || maxIdle > maxOpen {
		maxIdle = maxOpen
	}
	return maxOpen, maxIdle
}

// run starts the server and serves until ctx is done, then finishes the
// requests in flight. It prints the address it listens on, then curl
// lines, to stdout.
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
	maxOpen, maxIdle := cfg.pool()
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxIdle)
	db.SetConnMaxLifetime(cfg.connLifetime)
	db.SetConnMaxIdleTime(cfg.connIdle)
	logger.Info("database ready", "driver", cfg.driver, "rows", cfg.rows, "max_open_conns", maxOpen, "took", time.Since(start).Round(time.Millisecond))

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
		SellersTable:     sellers,
		ReviewsTable:     reviews,
		CursorKey:        []byte(key),
		Count:            counter,
		Logger:           logger,
		Index:            http.HandlerFunc(index),
		CheckShapes:      cfg.shapes == "index",
		StatementTimeout: cfg.budget,
		Offset:           paginate.OffsetConfig{MaxOffset: cfg.maxOffset},
		Adapter: httpadapter.Config{
			Cost: httpadapter.CostConfig{
				Budget:       cfg.budget,
				ServerTiming: cfg.serverTiming,
				SlowPage:     cfg.slow,
			},
			// Cross-origin requests (those with an Origin header) may
			// read Link and X-Total-Count.
			Writer: httpadapter.WriterConfig{ExposeHeaders: true},
		},
	})
	if err != nil {
		return err
	}
	defer api.Close()
	// The declaration is checked against the database before serving: a
	// column that holds NULL, another type or times in another form than
	// declared fails the start with what to change, rather than the first
	// request.
	if err := api.Backend().Check(ctx); err != nil {
		return err
	}
	if cfg.shapes == "index" {
		verdicts, err := api.ShapeReport(ctx)
		if err != nil {
			return err
		}
		if cfg.shapeReport {
			writeShapeReport(stdout, verdicts)
			return nil
		}
		logShapeReport(logger, verdicts)
	}

	concurrent := cfg.maxConcurrent
	if concurrent == 0 {
		concurrent = maxOpen
	}
	limit, err := httpadapter.Limit(httpadapter.LimitConfig{Concurrent: concurrent, Queue: cfg.maxQueue, MaxWait: cfg.maxWait})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           allowOrigin(cfg.allowOrigin, limit(api.Handler())),
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    cfg.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "listening on %s\n\n", base)
	printCurlLines(stdout, base, cfg.shapes == "index")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, close idle connections, and let the requests in
	// flight finish; past the timeout, close the rest.
	logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// printCurlLines prints requests to try.
func printCurlLines(w io.Writer, base string, shapes bool) {
	fmt.Fprintf(w, "  curl '%s/api/items'\n", base)
	// -g stops curl from reading the brackets of filters as globs.
	fmt.Fprintf(w, "  curl -g '%s/api/items?page=2&per_page=5&sort=-price&price[gte]=1000&price[lt]=5000'\n", base)
	fmt.Fprintf(w, "  curl -g '%s/api/items?category[in]=books,toys&sort=category&fields=id,name,category'\n", base)
	fmt.Fprintf(w, "  curl -g '%s/api/items?per_page=3&include=seller,reviews&fields[reviews]=rating,created_at'\n", base)
	fmt.Fprintf(w, "  curl -g '%s/api/items?sort=name&name[prefix]=Sturdy'\n", base)
	fmt.Fprintf(w, "  curl '%s/api/items/feed?per_page=5'\n", base)
	fmt.Fprintf(w, "  curl -g '%s/api/items/feed?per_page=5&category=books&created_at[gte]=2024-01-01T03:00:00Z'\n", base)
	fmt.Fprintf(w, "  curl -i '%s/api/items?per_page=0'   # 400, application/problem+json\n", base)
	if shapes {
		fmt.Fprintf(w, "  curl -i '%s/api/items?sort=-price,name'   # 400: no index serves this order\n", base)
	}
	fmt.Fprintf(w, "  curl '%s/openapi.json'\n", base)
	fmt.Fprintf(w, "  open %s/ in a browser for the infinite scroll\n\n", base)
}

// writeShapeReport prints one line per verdict: served or not, the
// endpoint, the shape, and for a shape not served the index that would
// serve it or why none can.
func writeShapeReport(w io.Writer, verdicts []pagesql.ShapeVerdict) {
	served := 0
	for _, v := range verdicts {
		endpoint := "/api/items     "
		if v.Shape.Keyset {
			endpoint = "/api/items/feed"
		}
		if v.Served {
			served++
			fmt.Fprintf(w, "served   %s  %s\n", endpoint, v.Shape)
			continue
		}
		fix := v.Index
		if fix == "" {
			fix = v.Reasons[len(v.Reasons)-1]
		}
		fmt.Fprintf(w, "refused  %s  %s  -- %s\n", endpoint, v.Shape, fix)
	}
	fmt.Fprintf(w, "%d of %d documented shapes are served by an index\n", served, len(verdicts))
}

// logShapeReport logs how many documented shapes an index serves, and
// each index that would serve more, with how many.
func logShapeReport(logger *slog.Logger, verdicts []pagesql.ShapeVerdict) {
	served := 0
	indexes := map[string]int{}
	var order []string
	for _, v := range verdicts {
		switch {
		case v.Served:
			served++
		case v.Index != "":
			if indexes[v.Index] == 0 {
				order = append(order, v.Index)
			}
			indexes[v.Index]++
		}
	}
	logger.Info("shapes: requests of the others get a 400 naming the sort or filter; -shape-report lists them", "served", served, "documented", len(verdicts))
	for _, ix := range order {
		logger.Info("shapes: not served; an index that would serve them (if it exists, the planner does not use it for them)", "shapes", indexes[ix], "index", ix)
	}
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
		// Seeding runs without the statements' time limit, on a pool of
		// its own.
		seed, err := openServer(cfg, 0)
		if err != nil {
			return nil, "", nil, err
		}
		sellers, reviews := relatedTables(cfg.table)
		err = dataset.Seed(ctx, seed, dataset.Options{Table: cfg.table, Rows: cfg.rows, Related: true, SellersTable: sellers, ReviewsTable: reviews})
		seed.Close()
		if err != nil {
			return nil, "", nil, err
		}
		db, err := openServer(cfg, cfg.budget)
		if err != nil {
			return nil, "", nil, err
		}
		return db, cfg.table, func() { db.Close() }, nil
	}
	return nil, "", nil, fmt.Errorf("unknown -driver %q: want sqlite, postgres or mysql", cfg.driver)
}

// openServer opens PostgreSQL or MySQL. On PostgreSQL a positive limit is
// the connections' statement_timeout: pgx's cancel request for a
// statement past its deadline is lost when it reaches the server before
// the statement starts, and the server's own limit then stops it.
func openServer(cfg config, limit time.Duration) (*sqlx.DB, error) {
	if cfg.driver == "mysql" {
		return sqlx.Open("mysql", cfg.dsn)
	}
	pc, err := pgx.ParseConfig(cfg.dsn)
	if err != nil {
		return nil, err
	}
	if limit > 0 {
		pc.RuntimeParams["statement_timeout"] = strconv.FormatInt(limit.Milliseconds(), 10)
	}
	return sqlx.NewDb(stdlib.OpenDB(*pc), "pgx"), nil
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
