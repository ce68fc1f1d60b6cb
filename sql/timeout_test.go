package sql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// TestStatementTimeout checks that a statement running past its time limit
// is stopped by the server, promptly, with a *StatementTimeoutError that
// errors.Is reports as a deadline, and that the pool serves the next
// statements; and that the backend's other statements, and EXPLAIN, are
// unchanged by the limit. On MariaDB/MySQL the limit is
// Config.StatementTimeout, which the statements carry; on PostgreSQL it is
// the connections' statement_timeout, set as Config.StatementTimeout's doc
// says, with Config.StatementTimeout saying what it is.
func TestStatementTimeout(t *testing.T) {
	const limit = 300 * time.Millisecond
	t.Run("mysql", func(t *testing.T) {
		db := testdb.MySQL(t)
		tbl, schema := shapeFixture(t, db)
		// SLEEP in the WHERE clause runs for every row a statement reads;
		// the catalog check's probe adds "AND 1 = 0", which the server sees
		// is false without reading a row, so the check passes quickly and
		// the statements below are what time out.
		statementTimeout(t, db, tbl, schema, "SLEEP(20) = 0", limit)
	})
	t.Run("postgres", func(t *testing.T) {
		plain := testdb.Postgres(t)
		tbl, schema := shapeFixture(t, plain)
		cfg, err := pgx.ParseConfig(testdb.Env(t, testdb.PostgresEnv))
		if err != nil {
			t.Fatal(err)
		}
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(limit.Milliseconds(), 10)
		db := sqlx.NewDb(stdlib.OpenDB(*cfg), "pgx")
		t.Cleanup(func() { db.Close() })
		statementTimeout(t, db, tbl, schema, "pg_sleep(20) IS NOT NULL", limit)
	})
}

// twinRow is a row of shapeFixture's table with the row its u names.
type twinRow struct {
	scRow
	Twin *scRow `json:"twin"`
}

// statementTimeout runs TestStatementTimeout on db, whose statements the
// server stops after limit, over table tbl with the rows where sleep holds.
func statementTimeout(t *testing.T, db *sqlx.DB, tbl string, schema *paginate.Schema, sleep string, limit time.Duration) {
	t.Helper()
	slowBase := squirrel.Select().From(tbl).Where(sleep)
	slow := newBackend[scRow](t, db, slowBase, pagesql.Config{Schema: schema, StatementTimeout: limit})
	fast := newBackend[scRow](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema, StatementTimeout: limit})
	a, _ := schema.Field("a")
	id := schema.Key()
	q := paginate.Query{Sort: []paginate.Order{{Field: a}, {Field: id}}, Limit: 6}
	ctx := context.Background()
	if err := slow.Check(ctx); err != nil {
		t.Fatalf("the catalog check of the slow base: %v", err)
	}

	for _, run := range []struct {
		name string
		f    func() error
	}{
		{"fetch", func() error { _, err := slow.Fetch(ctx, q); return err }},
		{"count", func() error { _, err := slow.Count(ctx, q); return err }},
		{"count at most", func() error { _, err := slow.CountAtMost(ctx, q, 10); return err }},
	} {
		start := time.Now()
		err := run.f()
		took := time.Since(start)
		var te *pagesql.StatementTimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || te.Timeout != limit {
			t.Fatalf("%s: %v (%T), want a *StatementTimeoutError that is a deadline", run.name, err, err)
		}
		// The sleep would take 20 seconds; generous for a loaded machine.
		if took > 5*time.Second {
			t.Errorf("%s: stopped after %v", run.name, took)
		}
	}

	// A page's related rows: their statement is stopped at the limit too.
	relSchema, err := paginate.NewSchema(schema.Fields(), "a", paginate.Relation{Name: "twin", Kind: paginate.BelongsTo, Via: "u", Fields: []paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true}, {Name: "a", Type: paginate.Int},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rel := newBackend[twinRow](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: relSchema, StatementTimeout: limit, Relations: map[string]squirrel.SelectBuilder{"twin": slowBase}})
	off, err := paginate.NewOffset(rel, relSchema, paginate.OffsetConfig{Count: paginate.NoCount{}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = off.Paginate(ctx, paginate.Request{PerPage: 6, Include: []paginate.Include{{Relation: "twin"}}})
	var te *pagesql.StatementTimeoutError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || te.Timeout != limit {
		t.Fatalf("relate: %v (%T), want a *StatementTimeoutError that is a deadline", err, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("relate: stopped after %v", took)
	}

	// The pool is healthy: more pages than it has connections.
	for range 30 {
		res, err := fast.Fetch(ctx, q)
		if err != nil || len(res.Items) != 6 {
			t.Fatalf("after the timeouts: %d items, %v", len(res.Items), err)
		}
	}
	if st := db.Stats(); st.InUse != 0 {
		t.Errorf("%d connections in use after the statements ended", st.InUse)
	}
	// EXPLAIN runs on the statement without the limit.
	r, err := fast.Explain(ctx, q)
	if err != nil || !r.Indexed() || strings.Contains(r.Plans[0].SQL, "max_statement_time") {
		t.Errorf("explain with a statement timeout: %v\n%s", err, r)
	}
}

// TestStatementTimeoutText pins the text the limit adds on MySQL and
// MariaDB, and that other dialects ignore it.
func TestStatementTimeoutText(t *testing.T) {
	schema, err := paginate.NewSchema([]paginate.Field{{Name: "id", Type: paginate.Int, Key: true}}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlx.DB
		want string
	}{
		{"mysql", testdb.MySQL, "/*M! SET STATEMENT max_statement_time=1.5 FOR */ SELECT /*+ MAX_EXECUTION_TIME(1500) */ id AS `id` FROM %s ORDER BY id ASC LIMIT 2"},
		{"sqlite", testdb.SQLite, `SELECT id AS "id" FROM %s ORDER BY id ASC LIMIT 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t)
			tbl := testdb.Name("timeout_text")
			db.MustExec("CREATE TABLE " + tbl + " (id INTEGER NOT NULL PRIMARY KEY)")
			testdb.DropTable(t, db, tbl)
			db.MustExec("INSERT INTO " + tbl + " (id) VALUES (1), (2)")
			rec := &recordingDB{DB: db}
			b, err := pagesql.New[struct {
				ID int64 `db:"id"`
			}](rec, squirrel.Select().From(tbl), pagesql.Config{Schema: schema, StatementTimeout: 1500 * time.Millisecond, NoPrepare: true})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := b.Check(ctx); err != nil {
				t.Fatal(err)
			}
			rec.queries = nil // the check's own statements
			if _, err := b.Fetch(ctx, paginate.Query{Sort: []paginate.Order{{Field: schema.Key()}}, Limit: 2}); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(tc.want, tbl); len(rec.queries) != 1 || rec.queries[0] != want {
				t.Errorf("ran %q, want %q", rec.queries, want)
			}
		})
	}
	db := testdb.SQLite(t)
	if _, err := pagesql.New[struct {
		ID int64 `db:"id"`
	}](db, squirrel.Select().From("t"), pagesql.Config{Schema: schema, StatementTimeout: -time.Second}); err == nil {
		t.Error("a negative StatementTimeout is accepted")
	}
}

// recordingDB records the statements run through it.
type recordingDB struct {
	*sqlx.DB
	queries []string
}

func (r *recordingDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.queries = append(r.queries, query)
	return r.DB.QueryContext(ctx, query, args...)
}
