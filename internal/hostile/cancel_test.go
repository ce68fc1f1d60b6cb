package hostile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

// sleepSeconds is how long the slow query would run if nothing stopped
// it: far longer than any check here waits.
const sleepSeconds = 30

// maxOpen is the pool size of the handle the API uses.
const maxOpen = 3

// openPool opens PostgreSQL through pgx's database/sql driver with at most
// maxOpen connections. By default pgx answers a done context by closing
// the connection, sending PostgreSQL a cancel request for the running
// query as it does; with cancelRequest it sends the cancel request first
// and keeps the connection. A positive statementTimeout is set as the
// connections' statement_timeout.
func openPool(t *testing.T, cancelRequest bool, statementTimeout time.Duration) *sqlx.DB {
	t.Helper()
	dsn := testdb.Env(t, testdb.PostgresEnv)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cancelRequest {
		cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
			return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second}
		}
	}
	if statementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(statementTimeout.Milliseconds(), 10)
	}
	db := sqlx.NewDb(stdlib.OpenDB(*cfg), "pgx")
	db.SetMaxOpenConns(maxOpen)
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		testdb.Unavailable(t, testdb.PostgresEnv, err)
	}
	return db
}

// TestCancellation proves on PostgreSQL that a request whose client gives
// up, or whose server-side deadline passes, returns promptly and stops its
// query on the server, and that the pool serves more requests than it has
// connections afterwards. The slow query is the API's own, over a base
// that joins pg_sleep.
func TestCancellation(t *testing.T) {
	for _, tc := range []struct {
		name          string
		cancelRequest bool
	}{
		{"cancel request", true},
		{"pgx default", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openEnv(t, "postgres", 100)
			db := openPool(t, tc.cancelRequest, 0)
			tag := testdb.Name("slow")
			slowFrom := fmt.Sprintf("%s CROSS JOIN (SELECT pg_sleep(%d) AS %s) AS slow", e.table, sleepSeconds, tag)
			srv := cancelServer(t, db, e.table, slowFrom)

			running := func() int {
				var n int
				err := e.plain.Get(&n, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%"+tag+"%'")
				if err != nil {
					t.Fatal(err)
				}
				return n
			}

			giveUp(t, srv)

			// The queries stop on the server, long before pg_sleep would
			// have returned.
			deadline := time.Now().Add(5 * time.Second)
			n := running()
			t.Logf("%d slow queries running right after the requests gave up", n)
			for n > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				n = running()
			}
			if n > 0 {
				t.Errorf("%d canceled queries still running on the server after 5s", n)
			}

			// The pool is not exhausted.
			afterCancellations(t, srv)
			st := db.Stats()
			for deadline := time.Now().Add(5 * time.Second); st.InUse != 0 && time.Now().Before(deadline); st = db.Stats() {
				time.Sleep(50 * time.Millisecond)
			}
			if st.InUse != 0 || st.OpenConnections > maxOpen {
				t.Errorf("pool after the requests: %d in use, %d open (max %d)", st.InUse, st.OpenConnections, maxOpen)
			}
		})
	}
}

type handlers struct{ items, feed http.Handler }

// newHandlers returns the API's offset and keyset handlers, without its
// routes and middleware, over from: the items table, or a FROM expression
// that joins it with something slow.
func newHandlers(t *testing.T, db *sqlx.DB, from string) handlers {
	t.Helper()
	a, err := itemsapi.New(db, from, itemsapi.Config{CursorKey: apiKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	var h handlers
	if h.items, err = httpadapter.Handler(a.Offset(), a.Schema(), httpadapter.Config{}); err != nil {
		t.Fatal(err)
	}
	if h.feed, err = httpadapter.Handler(a.Keyset(), a.Schema(), httpadapter.Config{}); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestCancellationSQLite is TestCancellation on SQLite, where a recursive
// query counting to 200 million (several seconds) stands in for pg_sleep:
// go-sqlite3 interrupts a statement whose context is done, so the
// connection is free again long before the count could have finished.
func TestCancellationSQLite(t *testing.T) {
	e := openEnv(t, "sqlite", 100)
	db := e.db
	db.SetMaxOpenConns(maxOpen)
	slowFrom := e.table + " CROSS JOIN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 200000000) SELECT max(x) AS m FROM c) AS slow"
	srv := cancelServer(t, db, e.table, slowFrom)
	giveUp(t, srv)

	// Every connection is released, seconds before the count would end.
	st := db.Stats()
	for deadline := time.Now().Add(2 * time.Second); st.InUse != 0 && time.Now().Before(deadline); st = db.Stats() {
		time.Sleep(20 * time.Millisecond)
	}
	if st.InUse != 0 {
		t.Fatalf("%d connections still busy 2s after their requests were canceled", st.InUse)
	}
	afterCancellations(t, srv)
}

// cancelServer serves the API over the items table at /items, over the
// slow FROM expression at /slow/items and /slow/feed, and the slow offset
// handler under a 300 ms server-side deadline (the standard library's
// TimeoutHandler) at /timed/items.
func cancelServer(t *testing.T, db *sqlx.DB, table, slowFrom string) *httptest.Server {
	t.Helper()
	slow := newHandlers(t, db, slowFrom)
	fast := newHandlers(t, db, table)
	mux := http.NewServeMux()
	mux.Handle("/slow/items", slow.items)
	mux.Handle("/slow/feed", slow.feed)
	mux.Handle("/items", fast.items)
	mux.Handle("/timed/items", http.TimeoutHandler(slow.items, 300*time.Millisecond, "timed out"))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// giveUp sends slow requests from clients that give up after 200 ms, more
// of them than the pool has connections, then one request that meets the
// server-side deadline, which must answer 503 promptly.
func giveUp(t *testing.T, srv *httptest.Server) {
	t.Helper()
	for i := range 2 * maxOpen {
		path := "/slow/items"
		if i%2 == 1 {
			path = "/slow/feed"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path+"?per_page=5", nil)
		res, err := srv.Client().Do(req)
		cancel()
		if err == nil {
			res.Body.Close()
			t.Fatalf("%s answered %d before the query could have finished", path, res.StatusCode)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v, want the client's deadline", path, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v to give up", path, d)
		}
	}
	start := time.Now()
	res, err := srv.Client().Get(srv.URL + "/timed/items?per_page=5")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("timed-out request answered %d, want 503", res.StatusCode)
	}
	// Generous for a loaded machine under -race; the slow queries alone
	// run for many seconds.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timed-out request took %v", d)
	}
}

// afterCancellations checks that the pool is not exhausted: more requests
// than connections, each with a deadline, all succeed.
func afterCancellations(t *testing.T, srv *httptest.Server) {
	t.Helper()
	for i := range 4 * maxOpen {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/items?per_page=5&page="+fmt.Sprint(i%3+1), nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			cancel()
			t.Fatalf("request %d after the cancellations: %v", i, err)
		}
		r := readResponse(t, res)
		cancel()
		if r.Status != http.StatusOK || len(r.Page.Items) != 5 {
			t.Fatalf("request %d after the cancellations: %d %.200s", i, r.Status, r.Body)
		}
	}
}
