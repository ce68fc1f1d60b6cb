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
			paginatetest.Run(t, paginatetest.Harness{New: conformanceTables(t, db, pagesql.Config{}), NewRelated: relatedTables(t, db)})
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

// TestConformanceFromEnd runs the conformance suite with every offset
// page read by a deferred join and, on SQLite, every offset page of an
// unfiltered request read from the end (fromend.go), whichever end is
// nearer: the statement must be right at any depth.
func TestConformanceFromEnd(t *testing.T) {
	for _, b := range testdb.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			newBackend := conformanceTables(t, db, pagesql.Config{DeferredJoinOffset: 1})
			paginatetest.Run(t, paginatetest.Harness{New: func(ctx context.Context, schema *paginate.Schema, rows []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
				be, err := newBackend(ctx, schema, rows)
				if err == nil {
					pagesql.ForceFromEnd(be.(*pagesql.Backend[paginatetest.Row]))
				}
				return be, err
			}})
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

// relatedDDL are the tables of paginatetest.Related on each dialect: the
// items, sellers and reviews, %[1]s, %[2]s and %[3]s being their names.
var relatedDDL = map[pagesql.Dialect][]string{
	pagesql.SQLite: {
		`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, seller_id INTEGER)`,
		`CREATE TABLE %[2]s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT)`,
		`CREATE TABLE %[3]s (id INTEGER PRIMARY KEY, item_id INTEGER, rating INTEGER NOT NULL, body TEXT, created_at TIMESTAMP)`,
		`CREATE INDEX %[3]s_item ON %[3]s (item_id, created_at DESC, id DESC)`,
	},
	pagesql.PostgreSQL: {
		`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, name TEXT NOT NULL, seller_id BIGINT)`,
		`CREATE TABLE %[2]s (id BIGINT PRIMARY KEY, name TEXT NOT NULL, country TEXT)`,
		`CREATE TABLE %[3]s (id BIGINT PRIMARY KEY, item_id BIGINT, rating INTEGER NOT NULL, body TEXT, created_at TIMESTAMPTZ)`,
		`CREATE INDEX %[3]s_item ON %[3]s (item_id, created_at DESC, id DESC)`,
	},
	pagesql.MySQL: {
		`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, name VARCHAR(32) NOT NULL, seller_id BIGINT NULL) CHARACTER SET utf8mb4`,
		`CREATE TABLE %[2]s (id BIGINT PRIMARY KEY, name VARCHAR(32) NOT NULL, country VARCHAR(8) NULL) CHARACTER SET utf8mb4`,
		`CREATE TABLE %[3]s (id BIGINT PRIMARY KEY, item_id BIGINT NULL, rating INT NOT NULL, body VARCHAR(32) NULL, created_at DATETIME(6) NULL, INDEX (item_id, created_at DESC, id DESC)) CHARACTER SET utf8mb4`,
	},
}

// relatedTables returns a paginatetest harness's NewRelated for db: each
// call creates uniquely named items, sellers and reviews tables, dropped
// when t ends, fills them and returns a backend over them.
func relatedTables(t *testing.T, db *sqlx.DB) func(context.Context, *paginate.Schema, paginatetest.Related) (paginate.Backend[paginatetest.Item], error) {
	return func(ctx context.Context, schema *paginate.Schema, d paginatetest.Related) (paginate.Backend[paginatetest.Item], error) {
		dialect, _ := pagesql.DialectForDriver(db.DriverName())
		items, sellers, reviews := testdb.Name("rel_items"), testdb.Name("rel_sellers"), testdb.Name("rel_reviews")
		for _, ddl := range relatedDDL[dialect] {
			if _, err := db.ExecContext(ctx, fmt.Sprintf(ddl, items, sellers, reviews)); err != nil {
				return nil, err
			}
		}
		for _, table := range []string{items, sellers, reviews} {
			testdb.DropTable(t, db, table)
		}
		insert := func(table string, cols string, rows [][]any) error {
			n := strings.Count(cols, ",") + 1
			q := db.Rebind("INSERT INTO " + table + " (" + cols + ") VALUES (?" + strings.Repeat(", ?", n-1) + ")")
			for _, r := range rows {
				if _, err := db.ExecContext(ctx, q, r...); err != nil {
					return fmt.Errorf("insert into %s: %w", table, err)
				}
			}
			return nil
		}
		var rows [][]any
		for _, it := range d.Items {
			rows = append(rows, []any{it.ID, it.Name, it.SellerID})
		}
		if err := insert(items, "id, name, seller_id", rows); err != nil {
			return nil, err
		}
		rows = nil
		for _, s := range d.Sellers {
			rows = append(rows, []any{s.ID, s.Name, s.Country})
		}
		if err := insert(sellers, "id, name, country", rows); err != nil {
			return nil, err
		}
		rows = nil
		for _, r := range d.Reviews {
			rows = append(rows, []any{r.ID, r.ItemID, r.Rating, r.Body, r.CreatedAt})
		}
		if err := insert(reviews, "id, item_id, rating, body, created_at", rows); err != nil {
			return nil, err
		}
		b, err := pagesql.New[paginatetest.Item](db, squirrel.Select().From(items), pagesql.Config{
			Schema: schema,
			Relations: map[string]squirrel.SelectBuilder{
				"seller":      squirrel.Select().From(sellers),
				"reviews":     squirrel.Select().From(reviews),
				"top_reviews": squirrel.Select().From(reviews),
			},
		})
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { b.Close() })
		return b, nil
	}
}
