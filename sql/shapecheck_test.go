package sql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

type scRow struct {
	ID int64 `db:"id"`
	A  int64 `db:"a"`
	G  int64 `db:"g"`
	U  int64 `db:"u"`
}

// shapeFixture is a table of 20,000 rows with a indexed with the key, g
// (ten groups) indexed with a and the key, and u not indexed.
func shapeFixture(t *testing.T, db *sqlx.DB) (string, *paginate.Schema) {
	t.Helper()
	tbl := testdb.Name("sc")
	testdb.DropTable(t, db, tbl)
	intType := "BIGINT"
	if db.DriverName() == "sqlite3" {
		intType = "INTEGER"
	}
	db.MustExec(fmt.Sprintf(`CREATE TABLE %s (id %s PRIMARY KEY, a %[2]s NOT NULL, g %[2]s NOT NULL, u %[2]s NOT NULL)`, tbl, intType))
	db.MustExec(fmt.Sprintf(`CREATE INDEX %s_a ON %[1]s (a, id)`, tbl))
	db.MustExec(fmt.Sprintf(`CREATE INDEX %s_g ON %[1]s (g, a, id)`, tbl))
	tx := db.MustBegin()
	const n, batch = 20000, 500
	for start := 0; start < n; start += batch {
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + tbl + " (id, a, g, u) VALUES ")
		for i := start; i < start+batch; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, %d, %d, %d)", i+1, i*7919%10007, i%10, i*104729%20011)
		}
		tx.MustExec(sb.String())
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if db.DriverName() == "mysql" {
		db.MustExec("ANALYZE TABLE " + tbl)
	} else {
		db.MustExec("ANALYZE " + tbl)
	}
	ops := []paginate.Op{paginate.Eq, paginate.Ne, paginate.Lt, paginate.Gte, paginate.In}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "a", Type: paginate.Int, Sortable: true, Ops: ops},
		{Name: "g", Type: paginate.Int, Sortable: true, Ops: ops},
		{Name: "u", Type: paginate.Int, Sortable: true, Ops: ops},
	}, "a")
	if err != nil {
		t.Fatal(err)
	}
	return tbl, schema
}

// TestShapeCheck checks the verdicts and the suggested indexes on each
// database: orders and filters an index serves are allowed, in offset
// and keyset shapes; a sort on an unindexed column, a filter checked row
// by row, and an in filter on a column other than the leading sort
// column are refused, with the index that would serve them or why none
// can.
func TestShapeCheck(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		tbl, schema := shapeFixture(t, db)
		b := newBackend[scRow](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
		check, err := pagesql.NewShapeCheck(b, pagesql.ShapeCheckConfig{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, tc := range []shapeCase{
			{shape: "sort=a", served: true},
			{shape: "sort=-a", served: true},
			{shape: "sort=-id", served: true},
			{shape: "sort=a&a[gte]&a[lt]", served: true},
			{shape: "sort=g,a", served: true},
			{shape: "sort=a&g", offsetOnly: true, served: true},
			{shape: "sort=u", index: tbl + "_u_id ON " + tbl + " (u, id)"},
			{shape: "sort=-u", index: "(u, id)"},
			{shape: "sort=a,-u", index: "(a, u DESC, id DESC)"},
			{shape: "sort=a&u", index: "(u, a, id)"},
			{shape: "sort=a&g[in]", why: "no single index serves g[in] with sort=a"},
			{shape: "sort=u&a[gte]", why: "no single index serves a[gte] with sort=u"},
			{shape: "sort=a&u[ne]", why: "no index serves u[ne]"},
		} {
			for _, keyset := range []bool{false, true} {
				if keyset && tc.offsetOnly {
					continue
				}
				sh, err := schema.ParseShape(tc.shape)
				if err != nil {
					t.Fatal(err)
				}
				sh.Keyset = keyset
				tc.check(t, ctx, check, sh)
			}
		}

		// The report is the verdicts, in order.
		var shapes []paginate.Shape
		for _, s := range []string{"sort=a", "sort=u"} {
			sh, _ := schema.ParseShape(s)
			shapes = append(shapes, sh)
		}
		r, err := check.Report(ctx, shapes...)
		if err != nil || len(r) != 2 || !r[0].Served || r[1].Served {
			t.Errorf("report: %v %v", r, err)
		}
	})
}

// shapeCase is a shape and the verdict expected on it.
type shapeCase struct {
	shape      string
	offsetOnly bool // served as an offset shape; keyset pages not asserted
	served     bool
	index, why string // the end of the suggested index, or a part of why there is none
}

// check checks the verdict on sh.
func (tc shapeCase) check(t *testing.T, ctx context.Context, check *pagesql.ShapeCheck, sh paginate.Shape) {
	t.Helper()
	v, err := check.Check(ctx, sh)
	if err != nil {
		t.Fatalf("%s: %v", tc.shape, err)
	}
	ok, err := check.Allow(ctx, sh)
	if err != nil || ok != v.Served {
		t.Errorf("%s: Allow %v %v, Check %v", tc.shape, ok, err, v.Served)
	}
	switch {
	case v.Served != tc.served:
		t.Errorf("%v: served %v, want %v\n%s", v.Shape, v.Served, tc.served, plansOf(v))
	case tc.served && (v.Index != "" || len(v.Reasons) != 0):
		t.Errorf("%v: served, with index %q and reasons %q", v.Shape, v.Index, v.Reasons)
	case tc.served:
	case tc.index != "" && (!strings.HasPrefix(v.Index, "CREATE INDEX ") || !strings.HasSuffix(v.Index, tc.index)):
		t.Errorf("%v: index %q, want one ending in %q", v.Shape, v.Index, tc.index)
	case tc.why != "" && (v.Index != "" || !strings.Contains(strings.Join(v.Reasons, "; "), tc.why)):
		t.Errorf("%v: index %q, reasons %q; want no index and %q", v.Shape, v.Index, v.Reasons, tc.why)
	case len(v.Reasons) == 0 || !strings.Contains(v.String(), "NOT served"):
		t.Errorf("%v: refused without reasons: %s", v.Shape, v)
	}
}

func plansOf(v pagesql.ShapeVerdict) string {
	var b strings.Builder
	b.WriteString(v.String())
	for _, p := range v.Plans {
		b.WriteString("\n" + p.SQL + "\n" + p.Raw)
	}
	return b.String()
}

// countingDB counts the EXPLAIN statements run through it.
type countingDB struct {
	*sqlx.DB
	explains atomic.Int64
}

func (c *countingDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if strings.HasPrefix(query, "EXPLAIN") {
		c.explains.Add(1)
	}
	return c.DB.QueryContext(ctx, query, args...)
}

// TestShapeCheckOnce checks that a shape is explained once: requests of a
// new shape that arrive together share one check, whose answer later
// requests find in the cache; a caller that gives up while it runs does
// not fail it; and a shape evicted from the bounded cache is explained
// again.
func TestShapeCheckOnce(t *testing.T) {
	db := testdb.SQLite(t)
	tbl, schema := shapeFixture(t, db)
	counting := &countingDB{DB: db}
	b, err := pagesql.New[scRow](counting, squirrel.Select().From(tbl), pagesql.Config{Schema: schema, NoPrepare: true})
	if err != nil {
		t.Fatal(err)
	}
	check, err := pagesql.NewShapeCheck(b, pagesql.ShapeCheckConfig{CacheSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	shape := func(s string) paginate.Shape {
		sh, err := schema.ParseShape(s)
		if err != nil {
			t.Fatal(err)
		}
		sh.Keyset = true
		return sh
	}
	ctx := context.Background()

	// One caller gives up at once; fifty others wait for the answer.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := check.Allow(gone, shape("sort=-a")); !errors.Is(err, context.Canceled) {
		t.Errorf("a canceled caller: %v", err)
	}
	var wg sync.WaitGroup
	var refused atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := check.Allow(ctx, shape("sort=a"))
			if err != nil || !ok {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	if refused.Load() != 0 {
		t.Fatalf("%d of 50 concurrent callers were refused an indexed shape", refused.Load())
	}
	// The check the canceled caller started ran on for the others.
	if ok, err := check.Allow(ctx, shape("sort=-a")); err != nil || !ok {
		t.Fatalf("sort=-a after its first caller gave up: %v %v", ok, err)
	}
	// A keyset shape has four pages, each one statement here.
	first := counting.explains.Load()
	if first != 8 {
		t.Errorf("%d EXPLAINs for two shapes asked 52 times, want 8", first)
	}
	for range 100 {
		if ok, err := check.Allow(ctx, shape("sort=a")); err != nil || !ok {
			t.Fatalf("cached shape: %v %v", ok, err)
		}
	}
	if n := counting.explains.Load(); n != first {
		t.Errorf("%d EXPLAINs after asking a cached shape again, want %d", n, first)
	}
	// A third and fourth shape evict the first from a cache of two.
	for _, s := range []string{"sort=u", "sort=-u"} {
		if ok, err := check.Allow(ctx, shape(s)); err != nil || ok {
			t.Fatalf("%s: %v %v", s, ok, err)
		}
	}
	before := counting.explains.Load()
	if _, err := check.Allow(ctx, shape("sort=a")); err != nil {
		t.Fatal(err)
	}
	if counting.explains.Load() != before+4 {
		t.Errorf("an evicted shape ran %d EXPLAINs, want 4", counting.explains.Load()-before)
	}
}

// TestShapeCheckPaginators puts the check in both paginators: a shape an
// index serves is paged, one it does not is refused with ErrShapeNotAllowed
// naming the parameter, and the orders offered are the served ones.
func TestShapeCheckPaginators(t *testing.T) {
	db := testdb.SQLite(t)
	tbl, schema := shapeFixture(t, db)
	b := newBackend[scRow](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
	check, err := pagesql.NewShapeCheck(b, pagesql.ShapeCheckConfig{})
	if err != nil {
		t.Fatal(err)
	}
	offset, err := paginate.NewOffset(b, schema, paginate.OffsetConfig{Shapes: check})
	if err != nil {
		t.Fatal(err)
	}
	keyset, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}, Shapes: check})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range []paginate.Paginator[scRow]{offset, keyset} {
		page, err := p.Paginate(ctx, paginate.Request{Sort: []paginate.SortKey{{Field: "a", Dir: paginate.Desc}}, PerPage: 5})
		if err != nil || len(page.Items) != 5 {
			t.Errorf("%T, served order: %d items, %v", p, len(page.Items), err)
		}
		_, err = p.Paginate(ctx, paginate.Request{Sort: []paginate.SortKey{{Field: "u"}}})
		var re *paginate.RequestError
		if !errors.Is(err, paginate.ErrShapeNotAllowed) || !errors.As(err, &re) || re.Params[0].Param != "sort" {
			t.Fatalf("%T, sort=u: %v", p, err)
		}
		if want := "no index serves this order; orders available: a, -a, id, -id"; re.Params[0].Reason != want {
			t.Errorf("%T, sort=u: reason %q, want %q", p, re.Params[0].Reason, want)
		}
		_, err = p.Paginate(ctx, paginate.Request{Filters: []paginate.Filter{{Field: "u", Op: paginate.Eq, Values: []any{"5"}}}})
		if !errors.As(err, &re) || re.Params[0].Param != "u" || !strings.Contains(re.Params[0].Reason, "with sort=a") {
			t.Errorf("%T, u=5: %v", p, err)
		}
	}
}

// BenchmarkShapeCheckAllow measures a cached verdict: what the check adds
// to each request after the first of its shape.
func BenchmarkShapeCheckAllow(b *testing.B) {
	db := testdb.SQLite(b)
	tbl := "bc"
	db.MustExec("CREATE TABLE bc (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, g INTEGER NOT NULL, u INTEGER NOT NULL)")
	db.MustExec("CREATE INDEX bc_g ON bc (g, a, id)")
	db.MustExec("INSERT INTO bc VALUES (1, 1, 1, 1), (2, 2, 2, 2)")
	ops := []paginate.Op{paginate.Eq, paginate.Gte}
	schema, _ := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "a", Type: paginate.Int, Sortable: true, Ops: ops},
		{Name: "g", Type: paginate.Int, Sortable: true, Ops: ops},
		{Name: "u", Type: paginate.Int, Sortable: true, Ops: ops},
	}, "a")
	be, err := pagesql.New[scRow](db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	check, _ := pagesql.NewShapeCheck(be, pagesql.ShapeCheckConfig{})
	sh, _ := schema.ParseShape("sort=a,-id&g&a[gte]")
	sh.Keyset = true
	ctx := context.Background()
	if _, err := check.Allow(ctx, sh); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := check.Allow(ctx, sh); err != nil {
			b.Fatal(err)
		}
	}
}

// TestShapeCheckTextAndNullFilters checks what ShapeCheck says of the null,
// prefix and contains filters on columns no index serves: null holds its
// column to one value, as eq does, so the index it suggests leads with
// the column; prefix is a range, served only on the leading sort column;
// contains no index serves.
func TestShapeCheckTextAndNullFilters(t *testing.T) {
	type row struct {
		ID int64         `db:"id"`
		T  string        `db:"t"`
		M  sql.NullInt64 `db:"m"`
	}
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		tbl := testdb.Name("sct")
		testdb.DropTable(t, db, tbl)
		db.MustExec(fmt.Sprintf(`CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, t VARCHAR(40) NOT NULL, m BIGINT)`, tbl))
		tx := db.MustBegin()
		for start := 0; start < 2000; start += 500 {
			var sb strings.Builder
			sb.WriteString("INSERT INTO " + tbl + " (id, t, m) VALUES ")
			for i := start; i < start+500; i++ {
				if i > start {
					sb.WriteString(", ")
				}
				m := "NULL"
				if i%3 != 0 {
					m = fmt.Sprint(i % 17)
				}
				fmt.Fprintf(&sb, "(%d, 'v%05d', %s)", i+1, i*7919%10007, m)
			}
			tx.MustExec(sb.String())
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "t", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Prefix, paginate.Contains}},
			{Name: "m", Type: paginate.Int, Nullable: true, Ops: []paginate.Op{paginate.IsNull}},
		}, "id")
		if err != nil {
			t.Fatal(err)
		}
		b := newBackend[row](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
		check, err := pagesql.NewShapeCheck(b, pagesql.ShapeCheckConfig{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, tc := range []shapeCase{
			{shape: "sort=id&m[null]", index: "(m, id)"},
			{shape: "sort=t&t[prefix]", index: "(t, id)"},
			{shape: "sort=id&t[prefix]", why: "no single index serves t[prefix] with sort=id"},
			{shape: "sort=t&t[contains]", why: "no index serves t[contains]"},
		} {
			sh, err := schema.ParseShape(tc.shape)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, ctx, check, sh)
		}
	})
}
