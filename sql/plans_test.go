package sql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// TestPostgresGenericPlans checks that PostgreSQL settles on a generic
// plan for the prepared statements of keyset pages and first pages,
// after the five custom plans it makes first, instead of planning every
// execution afresh: their SQL has no bound OFFSET, whose value PostgreSQL
// plans with on every execution.
func TestPostgresGenericPlans(t *testing.T) {
	db := testdb.Postgres(t)
	db.SetMaxOpenConns(1) // one session, whose prepared statements are listed below
	tbl := testdb.Name("plans")
	testdb.DropTable(t, db, tbl)
	db.MustExec(`CREATE TABLE ` + tbl + ` (id BIGINT PRIMARY KEY, created TIMESTAMPTZ NOT NULL, name TEXT NOT NULL)`)
	db.MustExec(`CREATE INDEX ` + tbl + `_created_id ON ` + tbl + ` (created, id)`)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db.MustExec(`INSERT INTO `+tbl+` SELECT i, $1::timestamptz + (i % 500) * interval '1 minute', 'n' || i FROM generate_series(1, 5000) i`, t0)
	db.MustExec(`ANALYZE ` + tbl)
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "created", Type: paginate.Time, Sortable: true},
		{Name: "name", Type: paginate.String},
	}, "-created")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID      int64     `db:"id"`
		Created time.Time `db:"created"`
		Name    string    `db:"name"`
	}
	b := newBackend[row](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
	p, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("a signing key of at least 32 bytes.")}, PerPage: 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const runs = 12
	var after string
	for range runs {
		first, err := p.Paginate(ctx, paginate.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if after == "" {
			after = first.NextCursor
		}
		page, err := p.Paginate(ctx, paginate.Request{After: after})
		if err != nil {
			t.Fatal(err)
		}
		after = page.NextCursor
	}
	for _, c := range []struct{ name, like string }{
		{"first page", "%FROM " + tbl + " ORDER BY created DESC, id DESC LIMIT 21"},
		{"keyset page", "%FROM " + tbl + " WHERE ((created, id) < ($1, $2)) ORDER BY created DESC, id DESC LIMIT 21"},
	} {
		var generic, custom int64
		err := db.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1`, c.like).Scan(&generic, &custom)
		if err != nil {
			t.Fatalf("%s: %v", c.name, fmt.Errorf("no prepared statement like %q: %w", c.like, err))
		}
		if generic < runs-5 || custom > 5 {
			t.Errorf("%s: %d generic plans and %d custom plans in %d runs; PostgreSQL plans it afresh", c.name, generic, custom, runs)
		}
	}
}
