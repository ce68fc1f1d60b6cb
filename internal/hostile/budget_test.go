package hostile

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

// budget is the time budget of the API under test.
const budget = 300 * time.Millisecond

// budgetCase is one database's slow query and how to see it run.
type budgetCase struct {
	name string
	db   *sqlx.DB
	// slowFrom joins the items table with something that takes far
	// longer than the budget, named by tag.
	slowFrom string
	// running counts the server's statements that hold tag, or is nil
	// where the database is in the process (SQLite: a statement runs
	// while its connection is in use).
	running func(t *testing.T) int
	table   string
	plain   *sqlx.DB // a handle of its own, for setup and for looking on
}

// TestBudget proves on each database that a page whose query outlives the
// handler's time budget is answered promptly with a 503 problem and
// Retry-After, that the server stops working on the query (PostgreSQL:
// pg_stat_activity, the connections carrying the budget as their
// statement_timeout; MariaDB: the processlist, the statement carrying the
// budget as its time limit; SQLite: the connection is free again, the
// statement interrupted), and that the pool stays healthy: more requests
// than it has connections succeed afterwards, and it holds no more than
// its connections.
func TestBudget(t *testing.T) {
	for _, name := range databases {
		t.Run(name, func(t *testing.T) {
			c := slowCase(t, name)
			c.db.SetMaxOpenConns(maxOpen)
			tag := testdb.Name("slow")
			c.slowFrom = strings.ReplaceAll(c.slowFrom, "TAG", tag)
			cfg := itemsapi.Config{
				CursorKey:        apiKey,
				StatementTimeout: budget,
				Adapter:          httpadapter.Config{Cost: httpadapter.CostConfig{Budget: budget}, Writer: httpadapter.WriterConfig{Logger: discard}},
			}
			slow, err := itemsapi.New(c.db, c.slowFrom, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { slow.Close() })
			fast, err := itemsapi.New(c.db, c.table, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fast.Close() })
			mux := http.NewServeMux()
			mux.Handle("/slow/", http.StripPrefix("/slow", slow.Handler()))
			mux.Handle("/", fast.Handler())
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)

			// More slow requests than the pool has connections, one after
			// another and all at once.
			for _, path := range []string{"/slow/api/items?per_page=5", "/slow/api/items/feed?per_page=5"} {
				overBudget(t, srv, path)
			}
			done := make(chan struct{}, 2*maxOpen)
			for i := range 2 * maxOpen {
				go func() {
					defer func() { done <- struct{}{} }()
					overBudget(t, srv, []string{"/slow/api/items?per_page=5", "/slow/api/items/feed?per_page=5"}[i%2])
				}()
			}
			for range 2 * maxOpen {
				<-done
			}

			// The server stops working on them.
			if c.running != nil {
				n := c.running(t)
				for deadline := time.Now().Add(5 * time.Second); n > 0 && time.Now().Before(deadline); n = c.running(t) {
					time.Sleep(50 * time.Millisecond)
				}
				if n > 0 {
					t.Errorf("%d statements over budget still run on the server 5s later", n)
				}
			}
			st := c.db.Stats()
			for deadline := time.Now().Add(5 * time.Second); st.InUse > 0 && time.Now().Before(deadline); st = c.db.Stats() {
				time.Sleep(20 * time.Millisecond)
			}
			if st.InUse > 0 {
				t.Errorf("%d connections still in use 5s after their requests' budget", st.InUse)
			}

			// The pool serves more requests than it has connections, and
			// holds no more than those.
			for i := range 4 * maxOpen {
				res, err := srv.Client().Get(srv.URL + "/api/items?per_page=5&page=" + fmt.Sprint(i%3+1))
				if err != nil {
					t.Fatal(err)
				}
				r := readResponse(t, res)
				if r.Status != http.StatusOK || len(r.Page.Items) != 5 {
					t.Fatalf("request %d after the budget: %d %.200s", i, r.Status, r.Body)
				}
			}
			if st := c.db.Stats(); st.OpenConnections > maxOpen || st.InUse != 0 {
				t.Errorf("pool after the requests: %d open (at most %d), %d in use", st.OpenConnections, maxOpen, st.InUse)
			}
		})
	}
}

// overBudget asks for a slow page and checks it is answered with a 503
// problem and Retry-After, promptly.
func overBudget(t *testing.T, srv *httptest.Server, path string) {
	t.Helper()
	start := time.Now()
	res, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Error(err)
		return
	}
	r := readResponse(t, res)
	took := time.Since(start)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Content-Type") != httpadapter.ProblemContentType || r.Header.Get("Retry-After") == "" {
		t.Errorf("GET %s over budget: %d %q Retry-After %q: %.200s", path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Retry-After"), r.Body)
	}
	// The slow queries take 20 seconds or more; this is generous for a
	// loaded machine.
	if took > 5*time.Second {
		t.Errorf("GET %s took %v with a budget of %v", path, took, budget)
	}
}

// slowCase returns the database name, with a seeded items table and a
// slow FROM expression over it.
func slowCase(t *testing.T, name string) budgetCase {
	t.Helper()
	e := openEnv(t, name, 100)
	c := budgetCase{name: name, db: e.db, table: e.table, plain: e.plain}
	switch name {
	case "sqlite":
		c.slowFrom = e.table + " CROSS JOIN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 500000000) SELECT max(x) AS TAG FROM c) AS slow"
	case "postgres":
		// The connections' statement_timeout backs up pgx's cancel
		// request, which PostgreSQL ignores when it arrives before the
		// statement starts, as it can for a request that gets a
		// connection from the busy pool just before its deadline (see
		// pagesql.Config.StatementTimeout).
		c.db = openPool(t, false, budget)
		c.slowFrom = e.table + " CROSS JOIN (SELECT pg_sleep(30) AS TAG) AS slow"
		c.running = func(t *testing.T) int {
			return countRunning(t, e.plain, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%slow_%' AND query LIKE $1", c.slowFrom)
		}
	case "mysql":
		c.slowFrom = e.table + " CROSS JOIN (SELECT BENCHMARK(200000000, MD5('x')) AS TAG) AS slow"
		c.running = func(t *testing.T) int {
			return countRunning(t, e.plain, "SELECT count(*) FROM information_schema.processlist WHERE command IN ('Query', 'Execute') AND id <> CONNECTION_ID() AND info LIKE ?", c.slowFrom)
		}
	}
	return c
}

// countRunning counts the statements whose text holds the tag of
// slowFrom (its "AS slow_..." alias).
func countRunning(t *testing.T, db *sqlx.DB, query, slowFrom string) int {
	t.Helper()
	i := strings.Index(slowFrom, " AS slow_")
	tag := strings.Fields(slowFrom[i+4:])[0]
	var n int
	if err := db.Get(&n, query, "%"+tag+"%"); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMariaDBRunsOnWithoutTimeout shows why the SQL backend's
// StatementTimeout exists: without it, a MariaDB statement whose client
// gave up (go-sql-driver/mysql closes the connection) runs on on the
// server. The test logs what the server does rather than asserting it,
// since it is the server's behaviour, not the library's; it then kills
// the statement.
func TestMariaDBRunsOnWithoutTimeout(t *testing.T) {
	if os.Getenv(testdb.MySQLEnv) == "" && !testdb.Required() {
		t.Skip(testdb.MySQLEnv + " is not set")
	}
	c := slowCase(t, "mysql")
	tag := testdb.Name("slow")
	c.slowFrom = strings.ReplaceAll(c.slowFrom, "TAG", tag)
	slow, err := itemsapi.New(c.db, c.slowFrom, itemsapi.Config{CursorKey: apiKey, Adapter: httpadapter.Config{Cost: httpadapter.CostConfig{Budget: budget}, Writer: httpadapter.WriterConfig{Logger: discard}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slow.Close() })
	srv := httptest.NewServer(slow.Handler())
	t.Cleanup(srv.Close)
	overBudget(t, srv, "/api/items?per_page=5")
	time.Sleep(time.Second)
	t.Logf("without a statement timeout, %d statement(s) still run on MariaDB 1s after the client's budget of %v", c.running(t), budget)
	var ids []int64
	if err := c.plain.Select(&ids, "SELECT id FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()", "%"+tag+"%"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		c.plain.Exec(fmt.Sprintf("KILL QUERY %d", id))
	}
}

// discard is a logger that drops everything.
var discard = slog.New(slog.DiscardHandler)
