package sql_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// csRow is a row of the count-strategy tests' table.
type csRow struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

func csSchema(tb testing.TB) *paginate.Schema {
	tb.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.Gt, paginate.Lte}},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
	}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func csRows(n int) []csRow {
	rows := make([]csRow, n)
	for i := range rows {
		rows[i] = csRow{ID: int64(i + 1), Name: string(rune('a' + i%3))}
	}
	return rows
}

// csTable creates a table of rows on db, dropped when the test ends, and
// returns its name.
func csTable(tb testing.TB, db *sqlx.DB, rows []csRow) string {
	tb.Helper()
	table := testdb.Name("counts")
	if _, err := db.Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL)"); err != nil {
		tb.Fatal(err)
	}
	testdb.DropTable(tb, db, table)
	for _, r := range rows {
		if _, err := db.Exec(db.Rebind("INSERT INTO "+table+" (id, name) VALUES (?, ?)"), r.ID, r.Name); err != nil {
			tb.Fatal(err)
		}
	}
	return table
}

func csBackend(tb testing.TB, db *sqlx.DB, table string) *pagesql.Backend[csRow] {
	tb.Helper()
	b, err := pagesql.New[csRow](db, squirrel.Select().From(table), pagesql.Config{Schema: csSchema(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

// Every count strategy gives the same pages over SQL as over Memory, the
// model; an estimate is the exception, checked on its own.
func TestCountStrategies(t *testing.T) {
	ctx := context.Background()
	rows := csRows(25)
	model, err := paginate.NewMemory(rows, csSchema(t), paginate.MemoryConfig[csRow]{})
	if err != nil {
		t.Fatal(err)
	}
	reqs := map[string]paginate.Request{
		"first":         {},
		"middle":        {Page: 2},
		"last":          {Page: 3},
		"exact fit":     {Page: 5, PerPage: 5},
		"past the end":  {Page: 4},
		"far past":      {Page: 100},
		"filtered":      {Filters: []paginate.Filter{{Field: "name", Op: paginate.Eq, Values: []any{"a"}}}},
		"filtered last": {Page: 2, PerPage: 5, Filters: []paginate.Filter{{Field: "name", Op: paginate.Eq, Values: []any{"b"}}}},
		"nothing":       {Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{int64(100)}}}},
	}
	for _, dbc := range testdb.Backends {
		t.Run(dbc.Name, func(t *testing.T) {
			db := dbc.Open(t)
			backend := csBackend(t, db, csTable(t, db, rows))
			store, err := cache.NewLRU(cache.LRUConfig{})
			if err != nil {
				t.Fatal(err)
			}
			cached, err := cache.NewCount(nil, cache.Config{Store: store, Name: "counts", Shared: true})
			if err != nil {
				t.Fatal(err)
			}
			strategies := map[string]paginate.CountStrategy{
				"exact":     paginate.ExactCount{},
				"none":      paginate.NoCount{},
				"capped":    paginate.CappedCount{Max: 12},
				"estimated": paginate.EstimatedCount{}, // under the threshold: exact
				"cached":    cached,
			}
			for sname, s := range strategies {
				cfg := paginate.OffsetConfig{Count: s}
				want, err := paginate.NewOffset(model, csSchema(t), cfg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := paginate.NewOffset(backend, backend.Schema(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				for rname, req := range reqs {
					wp, err := want.Paginate(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					for range 2 { // the second time from the cache, for cached
						gp, err := got.Paginate(ctx, req)
						if err != nil {
							t.Fatalf("%s, %s: %v", sname, rname, err)
						}
						if diff := cmp.Diff(wp, gp); diff != "" {
							t.Errorf("%s, %s: page (-model +%s):\n%s", sname, rname, dbc.Name, diff)
						}
					}
				}
			}

			// A capped count says so on the first page.
			p, err := paginate.NewOffset(backend, backend.Schema(), paginate.OffsetConfig{Count: paginate.CappedCount{Max: 12}})
			if err != nil {
				t.Fatal(err)
			}
			pg, err := p.Paginate(ctx, paginate.Request{})
			if err != nil {
				t.Fatal(err)
			}
			if pg.Total != 12 || !pg.TotalCapped || !pg.HasNext {
				t.Errorf("capped: total %d, capped %t, next %t; want 12, true, true", pg.Total, pg.TotalCapped, pg.HasNext)
			}
		})
	}
}

// PostgreSQL estimates from the statistics ANALYZE gathers; SQLite and
// MariaDB have no estimate, and the strategy counts.
func TestEstimatedCount(t *testing.T) {
	ctx := context.Background()
	for _, dbc := range testdb.Backends {
		t.Run(dbc.Name, func(t *testing.T) {
			db := dbc.Open(t)
			table := csTable(t, db, csRows(25))
			backend := csBackend(t, db, table)
			postgres := backend.Dialect() == pagesql.PostgreSQL
			if postgres {
				if _, err := db.Exec("ANALYZE " + table); err != nil {
					t.Fatal(err)
				}
			}
			p, err := paginate.NewOffset(backend, backend.Schema(), paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 1}})
			if err != nil {
				t.Fatal(err)
			}
			pg, err := p.Paginate(ctx, paginate.Request{})
			if err != nil {
				t.Fatal(err)
			}
			// After ANALYZE the planner's estimate of an unfiltered scan is
			// the table's row count.
			if pg.Total != 25 || pg.TotalEstimated != postgres || !pg.HasNext {
				t.Errorf("total %d, estimated %t, next %t; want 25, %t, true", pg.Total, pg.TotalEstimated, pg.HasNext, postgres)
			}
			// The last page replaces the estimate with the exact count.
			last, err := p.Paginate(ctx, paginate.Request{Page: 3})
			if err != nil {
				t.Fatal(err)
			}
			if last.Total != 25 || last.TotalEstimated || last.HasNext {
				t.Errorf("last page: total %d, estimated %t, next %t", last.Total, last.TotalEstimated, last.HasNext)
			}
		})
	}
}

// countingConnector opens go-sqlite3 connections whose COUNT statements
// are counted, and made slow so that concurrent requests overlap.
type countingConnector struct {
	dsn    string
	drv    sqlite3.SQLiteDriver
	counts atomic.Int64
	delay  time.Duration
}

func (c *countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, c: c}, nil
}

func (c *countingConnector) Driver() driver.Driver { return &c.drv }

func (c *countingConnector) observe(ctx context.Context, query string) error {
	if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(query)), "SELECT COUNT(") {
		return nil
	}
	c.counts.Add(1)
	select {
	case <-time.After(c.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type countingConn struct {
	driver.Conn
	c *countingConnector
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, query: query, c: c.c}, nil
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.c.observe(ctx, query); err != nil {
		return nil, err
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

type countingStmt struct {
	driver.Stmt
	query string
	c     *countingConnector
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.observe(ctx, s.query); err != nil {
		return nil, err
	}
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// N concurrent requests for pages of one list run one COUNT in the
// database between them, with the count cached.
func TestCachedCountSingleflight(t *testing.T) {
	const n = 16
	conn := &countingConnector{
		dsn:   "file:" + filepath.Join(t.TempDir(), "counts.db") + "?_journal_mode=WAL&_busy_timeout=10000",
		delay: 100 * time.Millisecond,
	}
	db := sqlx.NewDb(sql.OpenDB(conn), "sqlite3")
	t.Cleanup(func() { db.Close() })
	backend := csBackend(t, db, csTable(t, db, csRows(25)))
	// The schema check counts rows too; run it before counting COUNTs.
	if err := backend.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	store, err := cache.NewLRU(cache.LRUConfig{})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		count func(t *testing.T) paginate.CountStrategy
		want  int64
	}{
		{"exact", func(*testing.T) paginate.CountStrategy { return paginate.ExactCount{} }, n},
		{"cached", func(t *testing.T) paginate.CountStrategy {
			c, err := cache.NewCount(nil, cache.Config{Store: store, Name: "counts", Shared: true})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn.counts.Store(0)
			p, err := paginate.NewOffset(backend, backend.Schema(), paginate.OffsetConfig{PerPage: 5, Count: tc.count(t)})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					pg, err := p.Paginate(context.Background(), paginate.Request{Page: i%5 + 1})
					if err == nil && (pg.Total != 25 || len(pg.Items) != 5) {
						t.Errorf("page %d: total %d, %d items", i%5+1, pg.Total, len(pg.Items))
					}
					errs <- err
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := conn.counts.Load(); got != tc.want {
				t.Errorf("%d concurrent requests ran %d COUNT statements, want %d", n, got, tc.want)
			}
		})
	}
}
