package sql_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// These benchmarks compare the backend with hand-written sqlx on a
// 100,000-row SQLite table, pages of 20 rows fetched as the keyset
// paginator fetches them (21 rows, to learn whether a next page exists):
//
//	go test ./sql -run '^$' -bench . -benchmem -count 6
//
// "sqlx" runs the SQL text through db.SelectContext, "prepared" through a
// statement prepared once (sqlx.Stmt.SelectContext), "scan" through a
// prepared statement scanned by hand with rows.Scan, and "backend" through
// Backend.Fetch. Besides wall time each result reports cpu-ns/op, the
// process's CPU time per page, steadier than wall time on a shared machine.

type benchItem struct {
	ID      int64         `db:"id"`
	Name    string        `db:"name"`
	Created time.Time     `db:"created"`
	Price   float64       `db:"price"`
	Cat     sql.NullInt64 `db:"cat"`
}

const benchRows = 100_000

func benchDB(b *testing.B) *sqlx.DB {
	b.Helper()
	db := testdb.SQLiteFile(b, filepath.Join(b.TempDir(), "bench.db"))
	db.MustExec(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created TIMESTAMP NOT NULL, price REAL NOT NULL, cat INTEGER)`)
	db.MustExec(`CREATE INDEX items_created ON items (created, id)`)
	tx := db.MustBegin()
	st, err := tx.Prepare(`INSERT INTO items (id, name, created, price, cat) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range benchRows {
		var cat any
		if i%7 != 0 {
			cat = int64(i % 13)
		}
		// Ten rows share each timestamp.
		if _, err := st.Exec(i+1, fmt.Sprintf("item %d", i), t0.Add(time.Duration(i/10)*time.Second), float64(i%1000)/4, cat); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.MustExec("ANALYZE")
	return db
}

func BenchmarkPage(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String},
		{Name: "created", Type: paginate.Time, Sortable: true},
		{Name: "price", Type: paginate.Float},
		{Name: "cat", Type: paginate.Int, Nullable: true},
	}, "-created")
	if err != nil {
		b.Fatal(err)
	}
	backend, err := pagesql.New[benchItem](db, squirrel.Select().From("items"), pagesql.Config{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	defer backend.Close()
	created, _ := schema.Field("created")
	id, _ := schema.Field("id")
	sort := []paginate.Order{{Field: created, Dir: paginate.Desc}, {Field: id, Dir: paginate.Desc}}
	const limit = 21

	const keysetSQL = `SELECT id, name, created, price, cat FROM items WHERE (created, id) < (?, ?) ORDER BY created DESC, id DESC LIMIT 21`
	const firstSQL = `SELECT id, name, created, price, cat FROM items ORDER BY created DESC, id DESC LIMIT 21`
	const offsetSQL = `SELECT id, name, created, price, cat FROM items ORDER BY created DESC, id DESC LIMIT 21 OFFSET ?`
	keysetStmt, err := db.PreparexContext(ctx, keysetSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer keysetStmt.Close()

	// Positions: the first row, the middle and the last page.
	var keys []struct {
		Created time.Time `db:"created"`
		ID      int64     `db:"id"`
	}
	if err := db.Select(&keys, `SELECT created, id FROM items ORDER BY created DESC, id DESC`); err != nil {
		b.Fatal(err)
	}
	for _, depth := range []int{0, benchRows / 2, benchRows - 22} {
		pos := keys[depth]
		after := []any{pos.Created.UTC(), pos.ID}
		name := fmt.Sprintf("keyset/depth=%d", depth)
		b.Run(name+"/sqlx", func(b *testing.B) {
			defer measure(b)()
			for b.Loop() {
				var items []benchItem
				if err := db.SelectContext(ctx, &items, keysetSQL, after...); err != nil || len(items) != 21 {
					b.Fatal(err, len(items))
				}
			}
		})
		b.Run(name+"/prepared", func(b *testing.B) {
			defer measure(b)()
			for b.Loop() {
				var items []benchItem
				if err := keysetStmt.SelectContext(ctx, &items, after...); err != nil || len(items) != 21 {
					b.Fatal(err, len(items))
				}
			}
		})
		b.Run(name+"/scan", func(b *testing.B) {
			defer measure(b)()
			for b.Loop() {
				items := scanByHand(b, keysetStmt.Stmt, after...)
				if len(items) != 21 {
					b.Fatal(len(items))
				}
			}
		})
		b.Run(name+"/backend", func(b *testing.B) {
			defer measure(b)()
			q := paginate.Query{Sort: sort, After: after, Limit: limit, Keys: true}
			for b.Loop() {
				res, err := backend.Fetch(ctx, q)
				if err != nil || len(res.Items) != 21 {
					b.Fatal(err, len(res.Items))
				}
			}
		})
	}

	b.Run("first/sqlx", func(b *testing.B) {
		defer measure(b)()
		for b.Loop() {
			var items []benchItem
			if err := db.SelectContext(ctx, &items, firstSQL); err != nil || len(items) != 21 {
				b.Fatal(err)
			}
		}
	})
	b.Run("first/backend", func(b *testing.B) {
		defer measure(b)()
		q := paginate.Query{Sort: sort, Limit: limit, Keys: true}
		for b.Loop() {
			if res, err := backend.Fetch(ctx, q); err != nil || len(res.Items) != 21 {
				b.Fatal(err)
			}
		}
	})
	for _, depth := range []int64{10_000} {
		b.Run(fmt.Sprintf("offset/depth=%d/sqlx", depth), func(b *testing.B) {
			defer measure(b)()
			for b.Loop() {
				var items []benchItem
				if err := db.SelectContext(ctx, &items, offsetSQL, depth); err != nil || len(items) != 21 {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("offset/depth=%d/backend", depth), func(b *testing.B) {
			defer measure(b)()
			q := paginate.Query{Sort: sort, Offset: depth, Limit: limit}
			for b.Loop() {
				if res, err := backend.Fetch(ctx, q); err != nil || len(res.Items) != 21 {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("count/sqlx", func(b *testing.B) {
		defer measure(b)()
		for b.Loop() {
			var n int64
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM items`); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("count/backend", func(b *testing.B) {
		defer measure(b)()
		for b.Loop() {
			if _, err := backend.Count(ctx, paginate.Query{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// scanByHand is the floor: a prepared statement and rows.Scan into the
// fields, no reflection.
func scanByHand(b *testing.B, st *sql.Stmt, args ...any) []benchItem {
	rows, err := st.QueryContext(context.Background(), args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	items := make([]benchItem, 0, 21)
	for rows.Next() {
		var it benchItem
		if err := rows.Scan(&it.ID, &it.Name, &it.Created, &it.Price, &it.Cat); err != nil {
			b.Fatal(err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return items
}

// measure reports allocations and, where the platform tells, the CPU time
// per operation ("cpu-ns/op"), which a loaded machine disturbs less than
// wall time. Use it as defer measure(b)().
func measure(b *testing.B) func() {
	b.ReportAllocs()
	start := cpuTime()
	return func() {
		if b.N > 0 && start > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
