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
	e := newPageBench(b)
	defer e.close()
	// Positions: the first row, the middle and the last page.
	for _, depth := range []int{0, benchRows / 2, benchRows - 22} {
		e.keyset(b, depth)
	}
	e.first(b)
	e.offset(b, 10_000)
	e.count(b)
}

// BenchmarkTimeKeyPageSize fetches keyset pages of 21 and 201 rows from the
// middle of the table, whose sort begins with a time SQLite stores as text
// and the backend decodes. "backend" runs Backend.Fetch; "rows" runs the
// same page as a prepared statement selecting the columns as the backend
// does (the time as stored, by +(created)), scanned by hand into reused
// destinations: what database/sql and the driver allocate. The two grow
// alike with the page size when decoding the times allocates nothing per
// row.
func BenchmarkTimeKeyPageSize(b *testing.B) {
	e := newPageBench(b)
	defer e.close()
	pos := e.positions[benchRows/2]
	after := []any{pos.Created.UTC(), pos.ID}
	st, err := e.db.PrepareContext(e.ctx, `SELECT id, name, +(created), price, cat FROM items WHERE (created, id) < (?, ?) ORDER BY created DESC, id DESC LIMIT ?`)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for _, limit := range []int{21, 201} {
		q := paginate.Query{Sort: e.sort, After: after, Limit: limit, Keys: true}
		run(b, fmt.Sprintf("limit=%d/backend", limit), limit, func() (int, error) {
			res, err := e.backend.Fetch(e.ctx, q)
			return len(res.Items), err
		})
		run(b, fmt.Sprintf("limit=%d/rows", limit), limit, func() (int, error) {
			return scanAny(e.ctx, st, append(after[:2:2], limit)...)
		})
	}
}

// scanAny runs st and scans each row's five columns into reused *any
// destinations, returning how many rows it read.
func scanAny(ctx context.Context, st *sql.Stmt, args ...any) (int, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var vals [5]any
	dest := [5]any{&vals[0], &vals[1], &vals[2], &vals[3], &vals[4]}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest[:]...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// pageBench is the table, the backend and the hand-written statements the
// page benchmarks share.
type pageBench struct {
	ctx        context.Context
	db         *sqlx.DB
	backend    *pagesql.Backend[benchItem]
	sort       []paginate.Order
	keysetStmt *sqlx.Stmt
	// positions are the sort keys of the rows in page order.
	positions []struct {
		Created time.Time `db:"created"`
		ID      int64     `db:"id"`
	}
}

const (
	benchLimit = 21
	keysetSQL  = `SELECT id, name, created, price, cat FROM items WHERE (created, id) < (?, ?) ORDER BY created DESC, id DESC LIMIT 21`
	firstSQL   = `SELECT id, name, created, price, cat FROM items ORDER BY created DESC, id DESC LIMIT 21`
	offsetSQL  = `SELECT id, name, created, price, cat FROM items ORDER BY created DESC, id DESC LIMIT 21 OFFSET ?`
)

func newPageBench(b *testing.B) *pageBench {
	b.Helper()
	e := &pageBench{ctx: context.Background(), db: benchDB(b)}
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
	if e.backend, err = pagesql.New[benchItem](e.db, squirrel.Select().From("items"), pagesql.Config{Schema: schema}); err != nil {
		b.Fatal(err)
	}
	// The check runs once per backend: run it here, so that it is not
	// counted in the first benchmark's pages.
	if err := e.backend.Check(e.ctx); err != nil {
		b.Fatal(err)
	}
	created, _ := schema.Field("created")
	id, _ := schema.Field("id")
	e.sort = []paginate.Order{{Field: created, Dir: paginate.Desc}, {Field: id, Dir: paginate.Desc}}
	if e.keysetStmt, err = e.db.PreparexContext(e.ctx, keysetSQL); err != nil {
		b.Fatal(err)
	}
	if err := e.db.Select(&e.positions, `SELECT created, id FROM items ORDER BY created DESC, id DESC`); err != nil {
		b.Fatal(err)
	}
	return e
}

func (e *pageBench) close() {
	e.keysetStmt.Close()
	e.backend.Close()
}

// run times fetch, which returns the rows of one page or a count, and
// fails unless each call returns want.
func run(b *testing.B, name string, want int, fetch func() (int, error)) {
	b.Run(name, func(b *testing.B) {
		defer measure(b)()
		for b.Loop() {
			if n, err := fetch(); err != nil || n != want {
				b.Fatal(err, n)
			}
		}
	})
}

// keyset benchmarks the page after the row at depth.
func (e *pageBench) keyset(b *testing.B, depth int) {
	pos := e.positions[depth]
	after := []any{pos.Created.UTC(), pos.ID}
	name := fmt.Sprintf("keyset/depth=%d", depth)
	run(b, name+"/sqlx", benchLimit, func() (int, error) {
		var items []benchItem
		err := e.db.SelectContext(e.ctx, &items, keysetSQL, after...)
		return len(items), err
	})
	run(b, name+"/prepared", benchLimit, func() (int, error) {
		var items []benchItem
		err := e.keysetStmt.SelectContext(e.ctx, &items, after...)
		return len(items), err
	})
	run(b, name+"/scan", benchLimit, func() (int, error) {
		return len(scanByHand(b, e.keysetStmt.Stmt, after...)), nil
	})
	q := paginate.Query{Sort: e.sort, After: after, Limit: benchLimit, Keys: true}
	run(b, name+"/backend", benchLimit, func() (int, error) {
		res, err := e.backend.Fetch(e.ctx, q)
		return len(res.Items), err
	})
}

// first benchmarks the first page.
func (e *pageBench) first(b *testing.B) {
	run(b, "first/sqlx", benchLimit, func() (int, error) {
		var items []benchItem
		err := e.db.SelectContext(e.ctx, &items, firstSQL)
		return len(items), err
	})
	q := paginate.Query{Sort: e.sort, Limit: benchLimit, Keys: true}
	run(b, "first/backend", benchLimit, func() (int, error) {
		res, err := e.backend.Fetch(e.ctx, q)
		return len(res.Items), err
	})
}

// offset benchmarks the page after depth rows, by OFFSET.
func (e *pageBench) offset(b *testing.B, depth int64) {
	name := fmt.Sprintf("offset/depth=%d", depth)
	run(b, name+"/sqlx", benchLimit, func() (int, error) {
		var items []benchItem
		err := e.db.SelectContext(e.ctx, &items, offsetSQL, depth)
		return len(items), err
	})
	q := paginate.Query{Sort: e.sort, Offset: depth, Limit: benchLimit}
	run(b, name+"/backend", benchLimit, func() (int, error) {
		res, err := e.backend.Fetch(e.ctx, q)
		return len(res.Items), err
	})
}

// count benchmarks counting the table.
func (e *pageBench) count(b *testing.B) {
	run(b, "count/sqlx", benchRows, func() (int, error) {
		var n int64
		err := e.db.GetContext(e.ctx, &n, `SELECT COUNT(*) FROM items`)
		return int(n), err
	})
	run(b, "count/backend", benchRows, func() (int, error) {
		n, err := e.backend.Count(e.ctx, paginate.Query{})
		return int(n), err
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
