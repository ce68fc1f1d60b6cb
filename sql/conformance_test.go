package sql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	"github.com/go-paginate/paginate/paginatetest"
	pagesql "github.com/go-paginate/paginate/sql"
)

// TestConformance runs the public conformance suite against the SQL
// backend on SQLite, PostgreSQL and MariaDB/MySQL, each database in
// parallel with the others. Text columns keep each database's default
// collation (byte order on SQLite, the database's on PostgreSQL,
// utf8mb4's default on MariaDB), which the suite's text is chosen to
// agree with.
func TestConformance(t *testing.T) {
	for _, b := range testdb.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			paginatetest.Run(t, paginatetest.Harness{New: conformanceTables(t, db, pagesql.Config{})})
		})
	}
}

// TestConformanceDeferred runs the conformance suite with every offset
// page read by a deferred join (DeferredJoinOffset 1): the suite's
// offset pages are shallow, below the default threshold.
func TestConformanceDeferred(t *testing.T) {
	for _, b := range testdb.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			paginatetest.Run(t, paginatetest.Harness{New: conformanceTables(t, db, pagesql.Config{DeferredJoinOffset: 1})})
		})
	}
}

// conformanceDDL is the table of paginatetest.Row on each dialect, %s
// being its name.
var conformanceDDL = map[pagesql.Dialect]string{
	pagesql.SQLite: `CREATE TABLE %s (
		id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
		score INTEGER, price REAL NOT NULL, amount NUMERIC NOT NULL,
		created_at TIMESTAMP NOT NULL, tag BLOB NOT NULL, active BOOLEAN NOT NULL,
		note TEXT)`,
	pagesql.PostgreSQL: `CREATE TABLE %s (
		id BIGINT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
		score BIGINT, price DOUBLE PRECISION NOT NULL, amount NUMERIC(12,2) NOT NULL,
		created_at TIMESTAMPTZ NOT NULL, tag BYTEA NOT NULL, active BOOLEAN NOT NULL,
		note TEXT)`,
	pagesql.MySQL: `CREATE TABLE %s (
		id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, category VARCHAR(16) NOT NULL,
		score BIGINT NULL, price DOUBLE NOT NULL, amount DECIMAL(12,2) NOT NULL,
		created_at DATETIME(6) NOT NULL, tag VARBINARY(16) NOT NULL, active BOOLEAN NOT NULL,
		note VARCHAR(64) NULL) CHARACTER SET utf8mb4`,
}

// conformanceTables returns a paginatetest harness's New for db: each
// call creates a uniquely named table, dropped when t ends, inserts the
// rows and returns a backend over the table, configured as cfg but for
// its schema.
func conformanceTables(t *testing.T, db *sqlx.DB, cfg pagesql.Config) func(context.Context, *paginate.Schema, []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
	return func(ctx context.Context, schema *paginate.Schema, rows []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
		d, ok := pagesql.DialectForDriver(db.DriverName())
		if !ok {
			return nil, fmt.Errorf("unknown driver %q", db.DriverName())
		}
		table := testdb.Name("conformance")
		if _, err := db.ExecContext(ctx, fmt.Sprintf(conformanceDDL[d], table)); err != nil {
			return nil, fmt.Errorf("create %s: %w", table, err)
		}
		testdb.DropTable(t, db, table)
		cols := []string{"id", "name", "category", "score", "price", "amount", "created_at", "tag", "active", "note"}
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		ins, err := tx.PreparexContext(ctx, tx.Rebind("INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES (?"+strings.Repeat(", ?", len(cols)-1)+")"))
		if err != nil {
			return nil, err
		}
		defer ins.Close()
		for _, r := range rows {
			if _, err := ins.ExecContext(ctx, r.ID, r.Name, r.Category, r.Score, r.Price, r.Amount, r.CreatedAt, r.Tag, r.Active, r.Note); err != nil {
				return nil, fmt.Errorf("insert row %d: %w", r.ID, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		cfg.Schema = schema
		b, err := pagesql.New[paginatetest.Row](db, squirrel.Select().From(table), cfg)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { b.Close() }) // before the table is dropped
		return b, nil
	}
}
