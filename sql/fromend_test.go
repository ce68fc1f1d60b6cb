package sql_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// endRow is a row of TestFromEnd's table.
type endRow struct {
	ID      int64     `db:"id"`
	Grp     *int64    `db:"grp"`
	Created time.Time `db:"created"`
	Name    string    `db:"name"`
}

// TestFromEnd checks offset pages read by the statement that may read
// them from the end (fromend.go) against the database's own ORDER BY of
// every row, on a table made with raw SQL whose ids have gaps (rows
// deleted, so that the rowid bound is above the count): random sorts over
// a nullable column with ties, a time and text in mixed directions, every
// offset from 0 past the end, so that pages are read from the start and,
// once the bound puts them nearer the end, from the end; with each row's
// sort values. Explain shows the statement ran for every deep page over
// the table, named as it is or by an alias, on SQLite; never over a view
// or a WITHOUT ROWID table, which have no rowid, nor a base with a WHERE,
// nor on PostgreSQL or MariaDB.
func TestFromEnd(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		s := seed(t)
		rng := rand.New(rand.NewPCG(s, 7))
		ctx := context.Background()
		tbl := testdb.Name("fromend")
		idType, created := "BIGINT PRIMARY KEY", "TIMESTAMP"
		switch db.DriverName() {
		case "sqlite3":
			idType = "INTEGER PRIMARY KEY"
		case "pgx":
			created = "TIMESTAMPTZ"
		case "mysql":
			created = "DATETIME(6)"
		}
		ddl := ` (id ` + idType + `, grp INTEGER, created ` + created + ` NOT NULL, name VARCHAR(40) NOT NULL)`
		db.MustExec(`CREATE TABLE ` + tbl + ddl)
		testdb.DropTable(t, db, tbl)
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		insert := db.Rebind(`INSERT INTO ` + tbl + ` (id, grp, created, name) VALUES (?, ?, ?, ?)`)
		tx := db.MustBegin()
		id := int64(rng.IntN(50))
		for range 240 {
			id++
			var grp any
			if rng.IntN(4) > 0 {
				grp = rng.IntN(6)
			}
			tx.MustExec(insert, id, grp, t0.Add(time.Duration(rng.IntN(40))*time.Hour), fmt.Sprintf("n%02d", rng.IntN(30)))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		db.MustExec(db.Rebind(`DELETE FROM `+tbl+` WHERE id % 13 = ?`), rng.IntN(13))
		type baseCase struct {
			name    string
			table   string
			where   string
			fromEnd bool // on SQLite
		}
		bases := []baseCase{{"table", tbl, "", true}, {"alias", tbl + " AS t", "", true}, {"where", tbl, "id > 0", false}}
		if db.DriverName() == "sqlite3" {
			view, wr := tbl+"_v", tbl+"_wr"
			db.MustExec(`CREATE VIEW ` + view + ` AS SELECT * FROM ` + tbl)
			t.Cleanup(func() { db.Exec(`DROP VIEW ` + view) })
			db.MustExec(`CREATE TABLE ` + wr + strings.Replace(ddl, "INTEGER PRIMARY KEY", "INTEGER PRIMARY KEY NOT NULL", 1) + ` WITHOUT ROWID`)
			testdb.DropTable(t, db, wr)
			db.MustExec(`INSERT INTO ` + wr + ` SELECT * FROM ` + tbl)
			bases = append(bases, baseCase{"view", view, "", false}, baseCase{"without rowid", wr, "", false})
		}
		// The deepest pages must lie nearer the end by the rowid bound,
		// so that both ends are read.
		var lo, hi, n int64
		if err := db.QueryRowx(`SELECT min(id), max(id), count(*) FROM `+tbl).Scan(&lo, &hi, &n); err != nil {
			t.Fatal(err)
		}
		if bound := hi - lo + 1; bound-(n-1) >= (n-1)/2 {
			t.Fatalf("the table's rowid bound %d is too far above its %d rows for any page to be read from the end", bound, n)
		}
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "grp", Type: paginate.Int, Sortable: true, Nullable: true},
			{Name: "created", Type: paginate.Time, Sortable: true},
			{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Gte}},
		}, "id")
		if err != nil {
			t.Fatal(err)
		}
		sortFields := []string{"grp", "created", "name"}
		for _, bc := range bases {
			base, where := squirrel.Select().From(bc.table), ""
			if bc.where != "" {
				base, where = base.Where(bc.where), " WHERE "+bc.where
			}
			fromEnd := newBackend[endRow](t, db, base, pagesql.Config{Schema: schema, DeferredJoinOffset: 1})
			pagesql.SetFromEndOffset(fromEnd, 1)
			for range 5 {
				var sort []paginate.Order
				var terms []string
				for _, i := range rng.Perm(len(sortFields))[:1+rng.IntN(len(sortFields))] {
					f, _ := schema.Field(sortFields[i])
					o := paginate.Order{Field: f, Dir: paginate.Direction(rng.IntN(2))}
					sort = append(sort, o)
					terms = append(terms, orderTerm(o))
				}
				key := paginate.Order{Field: schema.Key(), Dir: paginate.Direction(rng.IntN(2))}
				sort = append(sort, key)
				terms = append(terms, orderTerm(key))
				var want []endRow
				if err := db.Select(&want, `SELECT id, grp, created, name FROM `+bc.table+where+` ORDER BY `+strings.Join(terms, ", ")); err != nil {
					t.Fatal(err)
				}
				for offset := int64(0); offset <= int64(len(want))+2; offset++ {
					q := paginate.Query{Sort: sort, Limit: 1 + rng.IntN(7), Offset: offset, Keys: true}
					name := fmt.Sprintf("seed %d, %s, order %s, offset %d, limit %d", s, bc.name, strings.Join(terms, ", "), q.Offset, q.Limit)
					res, err := fromEnd.Fetch(ctx, q)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					start := min(int(offset), len(want))
					end := min(start+q.Limit, len(want))
					page := want[start:end]
					if diff := cmp.Diff(endIDs(page), endIDs(res.Items), cmpopts.EquateEmpty()); diff != "" {
						t.Fatalf("%s: ids (-want +got):\n%s", name, diff)
					}
					for i, r := range page {
						got := canonKeys(t, sort, res.Keys[i])
						w := []any{}
						for _, o := range sort {
							w = append(w, endValue(r, o.Field.Name))
						}
						if diff := cmp.Diff(canonKeys(t, sort, w), got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
							t.Fatalf("%s: keys of row %d (-want +got):\n%s", name, r.ID, diff)
						}
					}
					r, err := fromEnd.Explain(ctx, q)
					if err != nil {
						t.Fatalf("%s: explain: %v", name, err)
					}
					wantEnd := db.DriverName() == "sqlite3" && bc.fromEnd && offset > 0
					if got := strings.Contains(r.Plans[0].SQL, "_paginate_n"); got != wantEnd {
						t.Fatalf("%s: read from the end %v, want %v:\n%s", name, got, wantEnd, r.Plans[0].SQL)
					}
				}
			}
		}
	})
}

// orderTerm is o as an ORDER BY term, in the database's own order of
// NULL, which the backend keeps.
func orderTerm(o paginate.Order) string {
	if o.Dir == paginate.Desc {
		return o.Field.Name + " DESC"
	}
	return o.Field.Name + " ASC"
}

func endIDs(rows []endRow) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// endValue is r's value of the field named name, nil for NULL.
func endValue(r endRow, name string) any {
	switch name {
	case "id":
		return r.ID
	case "grp":
		if r.Grp == nil {
			return nil
		}
		return *r.Grp
	case "created":
		return r.Created
	}
	return r.Name
}

// TestFromEndNotFiltered checks that a filtered page is not read from the
// end, however deep: SQLite counts the rows a filter keeps only by
// reading them.
func TestFromEndNotFiltered(t *testing.T) {
	db := testdb.Backends[0].Open(t)
	if db.DriverName() != "sqlite3" {
		t.Fatalf("the first test database is %s, not SQLite", db.DriverName())
	}
	tbl := testdb.Name("fromend_filter")
	db.MustExec(`CREATE TABLE ` + tbl + ` (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
	testdb.DropTable(t, db, tbl)
	for i := 1; i <= 50; i++ {
		db.MustExec(`INSERT INTO `+tbl+` (id, name) VALUES (?, ?)`, i, fmt.Sprintf("n%02d", i))
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Gte}},
	}, "id")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	b := newBackend[row](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema, DeferredJoinOffset: 1})
	pagesql.SetFromEndOffset(b, 1)
	name, _ := schema.Field("name")
	q := paginate.Query{Sort: []paginate.Order{{Field: schema.Key()}}, Offset: 45, Limit: 3}
	for _, c := range []struct {
		filters []paginate.Condition
		fromEnd bool
		want    []int64
	}{
		{nil, true, []int64{46, 47, 48}},
		{[]paginate.Condition{{Field: name, Op: paginate.Gte, Values: []any{"n02"}}}, false, []int64{47, 48, 49}},
	} {
		q.Filters = c.filters
		res, err := b.Fetch(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range res.Items {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("filters %v: ids %v, want %v", c.filters, got, c.want)
		}
		r, err := b.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(r.Plans[0].SQL, "_paginate_n"); got != c.fromEnd {
			t.Errorf("filters %v: read from the end %v, want %v:\n%s", c.filters, got, c.fromEnd, r.Plans[0].SQL)
		}
	}
}
