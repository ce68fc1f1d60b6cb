package sql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
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

// TestDeferredJoin checks offset pages read by a deferred join (forced
// for every offset) against the database's own ORDER BY of the matching
// rows and against the same backend with deferred joins off: random
// sorts (nullable, joined, mixed directions), filters, a base with a
// WHERE of its own, sparse fields and offsets from 0 past the end, with
// each row's sort values. Explain shows which statement ran: the join
// for every offset, and never for a base it cannot serve (DISTINCT, a
// comma-separated FROM).
func TestDeferredJoin(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		s := seed(t)
		rng := rand.New(rand.NewPCG(s, 3))
		f := newFixture(t, db, rng, 120)
		ctx := context.Background()
		bases := []struct {
			name   string
			base   squirrel.SelectBuilder
			where  string
			args   []any
			defers bool
		}{
			{"join", f.from(), "", nil, true},
			{"join and where", f.from().Where("i.flag = ? OR i.cat IS NULL", true), "(i.flag = ? OR i.cat IS NULL)", []any{true}, true},
			{"distinct", f.from().Distinct(), "", nil, false},
			{"comma", squirrel.Select().From(f.items + " i, " + f.cats + " c").Where("c.id = i.cat"), "c.id = i.cat", nil, false},
		}
		for _, bc := range bases {
			deferred := backendWith(t, f, bc.base, 1)
			plain := backendWith(t, f, bc.base, -1)
			for range 6 {
				sortParam := randomSort(rng)
				sort := f.orders(t, sortParam)
				filters, where, args := randomFilters(t, f, rng)
				if bc.where != "" {
					where = append([]string{bc.where}, where...)
					args = append(append([]any(nil), bc.args...), args...)
				}
				// The reference's LEFT JOIN with the comma base's WHERE
				// c.id = i.cat is that base's inner join.
				want := f.reference(t, sort, strings.Join(where, " AND "), args...)
				for range 12 {
					q := paginate.Query{Sort: sort, Filters: filters, Limit: 1 + rng.IntN(7), Keys: true, Offset: int64(rng.IntN(len(want.ids) + 3))}
					if rng.IntN(3) == 0 {
						q.Fields = []paginate.Field{f.fields["name"], f.fields["id"]}
					}
					name := fmt.Sprintf("seed %d, base %s, sort %s, filters %v, offset %d, limit %d", s, bc.name, sortParam, where, q.Offset, q.Limit)
					start := min(int(q.Offset), len(want.ids))
					end := min(start+q.Limit, len(want.ids))
					for _, b := range []*pagesql.Backend[item]{deferred, plain} {
						res, err := b.Fetch(ctx, q)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if diff := cmp.Diff(want.ids[start:end], ids(res.Items), cmpEmpty); diff != "" {
							t.Fatalf("%s: ids (-want +got):\n%s", name, diff)
						}
						var gotKeys [][]any
						for _, k := range res.Keys {
							gotKeys = append(gotKeys, canonKeys(t, sort, k))
						}
						if diff := cmp.Diff(want.keys[start:end:end], gotKeys, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
							t.Fatalf("%s: keys (-want +got):\n%s", name, diff)
						}
					}
					r, err := deferred.Explain(ctx, q)
					if err != nil {
						t.Fatalf("%s: explain: %v", name, err)
					}
					if got, want := strings.Contains(r.Plans[0].SQL, ") AS _d ON "), bc.defers && q.Offset > 0; got != want {
						t.Fatalf("%s: deferred join %v, want %v:\n%s", name, got, want, r.Plans[0].SQL)
					}
				}
			}
		}
	})
}

// backendWith returns a backend over base whose DeferredJoinOffset is
// offset.
func backendWith(t *testing.T, f *fixture, base squirrel.SelectBuilder, offset int64) *pagesql.Backend[item] {
	t.Helper()
	b := newBackend[item](t, f.db, base, pagesql.Config{Schema: f.schema, DeferredJoinOffset: offset})
	return b
}

// randomFilters returns up to two random filters on the fixture's fields,
// with their hand-written WHERE conditions and arguments.
func randomFilters(t *testing.T, f *fixture, rng *rand.Rand) ([]paginate.Condition, []string, []any) {
	t.Helper()
	var (
		conds []paginate.Condition
		where []string
		args  []any
	)
	fields := fixtureFields()
	for range rng.IntN(3) {
		fl := fields[rng.IntN(len(fields))]
		values := f.reference(t, []paginate.Order{{Field: fl}}, fl.ColumnName()+" IS NOT NULL")
		if len(values.keys) == 0 {
			continue
		}
		op := fl.Ops[rng.IntN(len(fl.Ops))]
		if op == paginate.In {
			op = paginate.Ne
		}
		v := values.keys[rng.IntN(len(values.keys))][0]
		conds = append(conds, paginate.Condition{Field: fl, Op: op, Values: []any{v}})
		where = append(where, fl.ColumnName()+" "+opSQL[op]+" ?")
		args = append(args, bindRef(v))
	}
	return conds, where, args
}

// TestDeferredJoinReadsKeysFromIndex checks, on each database's plan,
// what makes a deep page cheaper by a deferred join: the derived table
// reads the page's keys from the index that serves the sort alone, without
// the table (SQLite's covering index, PostgreSQL's index-only scan, MySQL
// and MariaDB's "using_index"), where the same page read plainly goes to
// the table for its rows. The table is vacuumed on PostgreSQL, as an
// index-only scan needs, and analyzed everywhere.
func TestDeferredJoinReadsKeysFromIndex(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		tbl := testdb.Name("deferred_ix")
		index := tbl + "_created_id"
		testdb.DropTable(t, db, tbl)
		const rows = 5000
		idType, created := "BIGINT PRIMARY KEY", "TIMESTAMP"
		switch db.DriverName() {
		case "sqlite3":
			idType = "INTEGER PRIMARY KEY"
		case "pgx":
			created = "TIMESTAMPTZ"
		case "mysql":
			created = "DATETIME(6)"
		}
		db.MustExec(`CREATE TABLE ` + tbl + ` (id ` + idType + `, created ` + created + ` NOT NULL, name VARCHAR(100) NOT NULL, note VARCHAR(200) NOT NULL)`)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		insert := db.Rebind(`INSERT INTO ` + tbl + ` (id, created, name, note) VALUES (?, ?, ?, ?)`)
		tx := db.MustBegin()
		for i := 1; i <= rows; i++ {
			tx.MustExec(insert, i, t0.Add(time.Duration(i%700)*time.Minute), fmt.Sprint("name ", i), strings.Repeat("n", 100+i%50))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		db.MustExec(`CREATE INDEX ` + index + ` ON ` + tbl + ` (created, id)`)
		switch db.DriverName() {
		case "sqlite3":
			db.MustExec(`ANALYZE`)
		case "pgx":
			db.MustExec(`VACUUM (ANALYZE) ` + tbl)
		case "mysql":
			db.MustExec(`ANALYZE TABLE ` + tbl)
		}
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "created", Type: paginate.Time, Sortable: true},
			{Name: "name", Type: paginate.String},
			{Name: "note", Type: paginate.String},
		}, "-created")
		if err != nil {
			t.Fatal(err)
		}
		createdField, _ := schema.Field("created")
		q := paginate.Query{
			Sort:   []paginate.Order{{Field: createdField, Dir: paginate.Desc}, {Field: schema.Key(), Dir: paginate.Desc}},
			Offset: rows - 20,
			Limit:  21,
		}
		type row struct {
			ID      int64     `db:"id"`
			Created time.Time `db:"created"`
			Name    string    `db:"name"`
			Note    string    `db:"note"`
		}
		for _, c := range []struct {
			name   string
			offset int64
			want   bool
		}{
			{"deferred", 1, true},
			{"plain", -1, false},
		} {
			b := newBackend[row](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema, DeferredJoinOffset: c.offset})
			r, err := b.Explain(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got := indexOnly(t, db.DriverName(), r.Plans[0].Raw, index); got != c.want {
				t.Errorf("%s: rows read from %s alone: %v, want %v\n%s\n%s", c.name, index, got, c.want, r.Plans[0].SQL, r.Plans[0].Raw)
			}
		}
	})
}

// indexOnly reports whether the plan raw, as Backend.Explain returns it
// for the driver, reads rows from index alone, without its table.
func indexOnly(t *testing.T, driver, raw, index string) bool {
	t.Helper()
	if driver == "sqlite3" {
		return strings.Contains(raw, "USING COVERING INDEX "+index)
	}
	var plan any
	if err := json.Unmarshal([]byte(raw), &plan); err != nil {
		t.Fatalf("plan: %v\n%s", err, raw)
	}
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if driver == "pgx" && v["Node Type"] == "Index Only Scan" && v["Index Name"] == index ||
				driver == "mysql" && v["key"] == index && v["using_index"] == true {
				found = true
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(plan)
	return found
}
