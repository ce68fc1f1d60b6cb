package sql_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

var opSQL = map[paginate.Op]string{
	paginate.Eq: "=", paginate.Ne: "<>", paginate.Lt: "<", paginate.Lte: "<=",
	paginate.Gt: ">", paginate.Gte: ">=",
}

// bindRef converts a canonical value to a hand-written query's argument.
func bindRef(v any) any {
	if tm, ok := v.(time.Time); ok {
		return tm.UTC()
	}
	return v
}

// TestFilters checks each operator on each filterable field against a
// hand-written WHERE, for Fetch and Count, and a keyset walk under a
// filter.
func TestFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		s := seed(t)
		rng := rand.New(rand.NewPCG(s, 2))
		f := newFixture(t, db, rng, 80)
		b := f.backend(t, f.from())
		ctx := context.Background()
		for _, fl := range fixtureFields() {
			values := f.reference(t, []paginate.Order{{Field: fl}}, fl.ColumnName()+" IS NOT NULL")
			for _, op := range fl.Ops {
				pick := func() any { return values.keys[rng.IntN(len(values.keys))][0] }
				cond := paginate.Condition{Field: fl, Op: op, Values: []any{pick()}}
				where := fl.ColumnName() + " " + opSQL[op] + " ?"
				if op == paginate.In {
					cond.Values = append(cond.Values, pick(), pick())
					where = fl.ColumnName() + " IN (?, ?, ?)"
				}
				args := make([]any, len(cond.Values))
				for i, v := range cond.Values {
					args[i] = bindRef(v)
				}
				sort := f.orders(t, randomSort(rng))
				want := f.reference(t, sort, where, args...)
				name := fmt.Sprintf("seed %d, %s %s %v, sort %v", s, fl.Name, op, cond.Values, sortNames(sort))

				res, err := b.Fetch(ctx, paginate.Query{Sort: sort, Filters: []paginate.Condition{cond}, Limit: 1000})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if diff := cmp.Diff(want.ids, ids(res.Items), cmpEmpty); diff != "" {
					t.Fatalf("%s: ids (-want +got):\n%s", name, diff)
				}
				n, err := b.Count(ctx, paginate.Query{Filters: []paginate.Condition{cond}})
				if err != nil {
					t.Fatalf("%s: count: %v", name, err)
				}
				if n != int64(len(want.ids)) {
					t.Fatalf("%s: count %d, want %d", name, n, len(want.ids))
				}
				// Walk the filtered rows page by page.
				var walked []int64
				q := paginate.Query{Sort: sort, Filters: []paginate.Condition{cond}, Limit: 3, Keys: true}
				for {
					res, err := b.Fetch(ctx, q)
					if err != nil {
						t.Fatalf("%s: walk: %v", name, err)
					}
					walked = append(walked, ids(res.Items)...)
					if len(res.Items) < q.Limit {
						break
					}
					q.After = canonKeys(t, sort, res.Keys[len(res.Keys)-1])
				}
				if diff := cmp.Diff(want.ids, walked, cmpEmpty); diff != "" {
					t.Fatalf("%s: walk (-want +got):\n%s", name, diff)
				}
			}
		}
	})
}

var cmpEmpty = cmp.Comparer(func(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
})

func sortNames(sort []paginate.Order) []string {
	out := make([]string, len(sort))
	for i, o := range sort {
		out[i] = o.Dir.String() + " " + o.Field.Name
	}
	return out
}

// TestSparseFields checks that unrequested fields stay zero in T while the
// sort keys are still returned, and that requested sort fields are filled.
func TestSparseFields(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		rng := rand.New(rand.NewPCG(seed(t), 3))
		f := newFixture(t, db, rng, 30)
		b := f.backend(t, f.from())
		byID := map[int64]item{}
		for _, r := range f.rows {
			byID[r.ID] = r
		}
		sort := f.orders(t, "-created,label")
		want := f.reference(t, sort, "")
		tests := []struct {
			fields []string
			keep   func(item) item
		}{
			{[]string{"name"}, func(it item) item { return item{Name: it.Name} }},
			{[]string{"price", "created"}, func(it item) item { return item{Price: it.Price, Created: it.Created} }},
			{[]string{"label", "id", "amount"}, func(it item) item { return item{ID: it.ID, Label: it.Label, Amount: it.Amount} }},
		}
		for _, tt := range tests {
			var fields []paginate.Field
			for _, n := range tt.fields {
				fields = append(fields, f.fields[n])
			}
			res, err := b.Fetch(context.Background(), paginate.Query{Sort: sort, Fields: fields, Limit: 100, Keys: true})
			if err != nil {
				t.Fatal(err)
			}
			var wantItems []item
			for _, id := range want.ids {
				wantItems = append(wantItems, tt.keep(byID[id]))
			}
			if diff := cmp.Diff(wantItems, res.Items, cmpItem); diff != "" {
				t.Errorf("fields %v: items (-want +got):\n%s", tt.fields, diff)
			}
			var gotKeys [][]any
			for _, k := range res.Keys {
				gotKeys = append(gotKeys, canonKeys(t, sort, k))
			}
			if diff := cmp.Diff(want.keys, gotKeys, cmpTime); diff != "" {
				t.Errorf("fields %v: keys (-want +got):\n%s", tt.fields, diff)
			}
		}
	})
}

var (
	cmpTime = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	// cmpItem compares items with decimals by value (12.5 and 12.50).
	cmpItem = cmp.Options{cmpTime, cmp.Comparer(func(a, b *string) bool {
		if a == nil || b == nil {
			return a == b
		}
		return trimDecimal(*a) == trimDecimal(*b)
	})}
)

// TestItems checks the scanned values of every field against what was
// inserted.
func TestItems(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		rng := rand.New(rand.NewPCG(seed(t), 4))
		f := newFixture(t, db, rng, 40)
		b := f.backend(t, f.from())
		res, err := b.Fetch(context.Background(), paginate.Query{Sort: f.orders(t, "id"), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		want := append([]item(nil), f.rows...)
		for i := range want {
			for j := range want {
				if want[j].ID == int64(i+1) {
					want[i], want[j] = want[j], want[i]
				}
			}
		}
		if diff := cmp.Diff(want, res.Items, cmpItem); diff != "" {
			t.Errorf("items (-want +got):\n%s", diff)
		}
	})
}

// tagged is a row of a grouped query.
type tagged struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	NTags int64  `db:"ntags"`
}

// TestCountDistinctAndGroupBy checks Count and Fetch over bases whose
// joins repeat rows, made unique by DISTINCT or GROUP BY.
func TestCountDistinctAndGroupBy(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		rng := rand.New(rand.NewPCG(seed(t), 5))
		f := newFixture(t, db, rng, 60)
		ctx := context.Background()
		var wantIDs []int64
		if err := db.Select(&wantIDs, "SELECT DISTINCT item_id FROM "+f.tags+" ORDER BY item_id"); err != nil {
			t.Fatal(err)
		}
		var rawTags int64
		if err := db.Get(&rawTags, "SELECT COUNT(*) FROM "+f.tags); err != nil {
			t.Fatal(err)
		}
		if rawTags == int64(len(wantIDs)) {
			t.Fatalf("fixture has no item with two tags")
		}
		idOrder := f.orders(t, "id")

		t.Run("distinct", func(t *testing.T) {
			base := squirrel.Select().Distinct().From(f.items + " i").
				Join(f.tags + " t ON t.item_id = i.id").LeftJoin(f.cats + " c ON c.id = i.cat")
			b := f.backend(t, base)
			n, err := b.Count(ctx, paginate.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(wantIDs)) {
				t.Errorf("count %d, want %d", n, len(wantIDs))
			}
			res, err := b.Fetch(ctx, paginate.Query{Sort: idOrder, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantIDs, ids(res.Items)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			// A filter applies inside the counted subquery.
			cond := paginate.Condition{Field: f.fields["id"], Op: paginate.Gt, Values: []any{wantIDs[len(wantIDs)/2]}}
			n, err = b.Count(ctx, paginate.Query{Filters: []paginate.Condition{cond}})
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(len(wantIDs) - len(wantIDs)/2 - 1); n != want {
				t.Errorf("filtered count %d, want %d", n, want)
			}
		})

		t.Run("group by", func(t *testing.T) {
			schema, err := paginate.NewSchema([]paginate.Field{
				{Name: "id", Column: "i.id", Type: paginate.Int, Key: true, Sortable: true, Ops: allOps},
				{Name: "name", Column: "i.name", Type: paginate.String, Sortable: true},
				{Name: "ntags", Column: "COUNT(t.tag)", Type: paginate.Int},
			}, "")
			if err != nil {
				t.Fatal(err)
			}
			base := squirrel.Select().From(f.items+" i").Join(f.tags+" t ON t.item_id = i.id").GroupBy("i.id", "i.name")
			b, err := pagesql.New[tagged](db, base, pagesql.Config{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			n, err := b.Count(ctx, paginate.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(wantIDs)) {
				t.Errorf("count %d, want %d", n, len(wantIDs))
			}
			idField, _ := schema.Field("id")
			var all []tagged
			q := paginate.Query{Sort: []paginate.Order{{Field: idField}}, Limit: 7, Keys: true}
			for {
				res, err := b.Fetch(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, res.Items...)
				if len(res.Items) < q.Limit {
					break
				}
				q.After = canonKeys(t, q.Sort, res.Keys[len(res.Keys)-1])
			}
			var total int64
			var got []int64
			for _, r := range all {
				got = append(got, r.ID)
				total += r.NTags
			}
			if diff := cmp.Diff(wantIDs, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if total != rawTags {
				t.Errorf("ntags add up to %d, want %d", total, rawTags)
			}
		})
	})
}

// TestBaseWhereIsGrouped checks that an OR in the base's WHERE does not
// capture the backend's conditions.
func TestBaseWhereIsGrouped(t *testing.T) {
	db := testdb.SQLite(t)
	f := newFixture(t, db, rand.New(rand.NewPCG(1, 1)), 40)
	base := f.from().Where("i.flag = ? OR i.flag = ?", true, false).Where(squirrel.Gt{"i.id": 0})
	b := f.backend(t, base)
	cond := paginate.Condition{Field: f.fields["id"], Op: paginate.Lte, Values: []any{int64(10)}}
	n, err := b.Count(context.Background(), paginate.Query{Filters: []paginate.Condition{cond}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("count %d, want 10", n)
	}
	res, err := b.Fetch(context.Background(), paginate.Query{Sort: f.orders(t, "id"), Filters: []paginate.Condition{cond}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 10 {
		t.Errorf("%d rows, want 10", len(res.Items))
	}
}

// TestTimeZones checks that times given in other zones are compared as the
// instants they are: bound in UTC, as the rows are stored.
func TestTimeZones(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		rng := rand.New(rand.NewPCG(seed(t), 6))
		f := newFixture(t, db, rng, 60)
		b := f.backend(t, f.from())
		ctx := context.Background()
		sort := f.orders(t, "created")
		want := f.reference(t, sort, "")
		east := time.FixedZone("east", 5*3600+1800)
		west := time.FixedZone("west", -8*3600)
		for p := range want.ids {
			utc := want.keys[p][0].(time.Time)
			after := []any{utc.In(west), want.keys[p][1]}
			res, err := b.Fetch(ctx, paginate.Query{Sort: sort, After: after, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.ids[p+1:], ids(res.Items), cmpEmpty); diff != "" {
				t.Fatalf("after %v: ids (-want +got):\n%s", after, diff)
			}
			cond := paginate.Condition{Field: f.fields["created"], Op: paginate.Gte, Values: []any{utc.In(east)}}
			n, err := b.Count(ctx, paginate.Query{Filters: []paginate.Condition{cond}})
			if err != nil {
				t.Fatal(err)
			}
			first := p
			for first > 0 && want.keys[first-1][0].(time.Time).Equal(utc) {
				first--
			}
			if n != int64(len(want.ids)-first) {
				t.Fatalf("created >= %v: count %d, want %d", utc.In(east), n, len(want.ids)-first)
			}
		}
	})
}

// TestNewRejectsOrderedBase checks that New refuses a base that sets ORDER
// BY, LIMIT or OFFSET, as it finds them in squirrel's rendering of the base
// (see TestBaseParts).
func TestNewRejectsOrderedBase(t *testing.T) {
	db := testdb.SQLite(t)
	schema, err := paginate.NewSchema(fixtureFields(), "")
	if err != nil {
		t.Fatal(err)
	}
	base := squirrel.Select().From("items i")
	for name, b := range map[string]squirrel.SelectBuilder{
		"ORDER BY": base.OrderBy("i.name"),
		"LIMIT":    base.Limit(10),
		"OFFSET":   base.Offset(10),
	} {
		_, err := pagesql.New[item](db, b, pagesql.Config{Schema: schema})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("base with %s: error %v, want one naming %s", name, err, name)
		}
	}
	if _, err := pagesql.New[item](db, base, pagesql.Config{Schema: schema}); err != nil {
		t.Errorf("plain base: %v", err)
	}
}

// TestBaseWithArguments runs pages and counts over a base whose prefix,
// joins, WHERE and HAVING all bind arguments, so that the placeholders of
// the base and of the backend are numbered in one sequence ($1, $2, ... on
// PostgreSQL) in the order the statement holds them.
func TestBaseWithArguments(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		f := newFixture(t, db, rand.New(rand.NewPCG(seed(t), 14)), 40)
		b := f.backend(t, squirrel.Select().
			Prefix("WITH wanted AS (SELECT id FROM "+f.items+" WHERE id > ?)", 5).
			From(f.items+" i").
			Join("wanted w ON w.id = i.id AND w.id <> ?", 7).
			LeftJoin(f.cats+" c ON c.id = i.cat").
			Where("i.id < ? OR i.id = ?", 30, 40).
			GroupBy("i.id", "i.name", "i.cat", "i.price", "i.created", "i.flag", "i.amount", "c.label").
			Having("COUNT(*) >= ?", 1))
		// The base holds rows 6..29 and 40, without 7; the filter keeps
		// those from 9, the page those after 10.
		var want []int64
		wantCount := int64(0)
		for id := int64(6); id <= 40; id++ {
			if id == 7 || (id >= 30 && id != 40) || id < 9 {
				continue
			}
			wantCount++
			if id > 10 {
				want = append(want, id)
			}
		}
		ctx := context.Background()
		cond := paginate.Condition{Field: f.fields["id"], Op: paginate.Gte, Values: []any{int64(9)}}
		q := paginate.Query{Sort: f.orders(t, "id"), After: []any{int64(10)}, Filters: []paginate.Condition{cond}, Limit: 100}
		res, err := b.Fetch(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, ids(res.Items)); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
		n, err := b.Count(ctx, paginate.Query{Filters: []paginate.Condition{cond}})
		if err != nil {
			t.Fatal(err)
		}
		if n != wantCount {
			t.Errorf("count %d, want %d", n, wantCount)
		}
	})
}

func TestNewErrors(t *testing.T) {
	db := testdb.SQLite(t)
	schema, err := paginate.NewSchema(fixtureFields(), "")
	if err != nil {
		t.Fatal(err)
	}
	base := squirrel.Select().From("items i")
	type noLabel struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	conn, err := db.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tests := []struct {
		name string
		err  string
		new  func() error
	}{
		{"no schema", "Schema", func() error { _, err := pagesql.New[item](db, base, pagesql.Config{}); return err }},
		{"no from", "FROM", func() error {
			_, err := pagesql.New[item](db, squirrel.Select(), pagesql.Config{Schema: schema})
			return err
		}},
		{"unmapped field", `"label"`, func() error { _, err := pagesql.New[noLabel](db, base, pagesql.Config{Schema: schema}); return err }},
		{"not a struct", "struct", func() error { _, err := pagesql.New[int](db, base, pagesql.Config{Schema: schema}); return err }},
		{"conn without dialect", "Dialect", func() error { _, err := pagesql.New[item](conn, base, pagesql.Config{Schema: schema}); return err }},
		{"unknown driver", "unknown driver", func() error {
			_, err := pagesql.New[item](sqlx.NewDb(db.DB, "oracle"), base, pagesql.Config{Schema: schema})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.new()
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want one containing %s", err, tt.err)
			}
		})
	}
	b, err := pagesql.New[item](conn, base, pagesql.Config{Schema: schema, Dialect: pagesql.SQLite})
	if err != nil {
		t.Fatalf("conn with dialect: %v", err)
	}
	b.Close()
}

// TestHandles runs the backend on a transaction and a connection, with
// statements prepared on each, next to one on the pool.
func TestHandles(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		rng := rand.New(rand.NewPCG(seed(t), 7))
		f := newFixture(t, db, rng, 20)
		b := f.backend(t, f.from())
		ctx := context.Background()
		q := paginate.Query{Sort: f.orders(t, "id"), Limit: 100}
		count := func(b *pagesql.Backend[item]) int {
			t.Helper()
			res, err := b.Fetch(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n, err := b.Count(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(res.Items)) {
				t.Fatalf("count %d, fetched %d", n, len(res.Items))
			}
			return len(res.Items)
		}
		if n := count(b); n != 20 {
			t.Fatalf("pool: %d rows", n)
		}
		tx, err := db.Beginx()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(tx.Rebind("INSERT INTO "+f.items+" (id, name, created, flag) VALUES (?, ?, ?, ?)"), 1000, "new", time.Now().UTC(), true); err != nil {
			t.Fatal(err)
		}
		onTx, err := b.On(tx)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if n := count(onTx); n != 21 {
				t.Fatalf("on tx: %d rows, want 21", n)
			}
		}
		direct, err := pagesql.New[item](tx, f.from(), pagesql.Config{Schema: f.schema})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(direct); n != 21 {
			t.Fatalf("new on tx: %d rows, want 21", n)
		}
		onTx.Close()
		direct.Close()
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if n := count(b); n != 21 {
			t.Fatalf("pool after commit: %d rows, want 21", n)
		}

		conn, err := db.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		onConn, err := b.On(conn)
		if err != nil {
			t.Fatal(err)
		}
		defer onConn.Close()
		if n := count(onConn); n != 21 {
			t.Fatalf("on conn: %d rows, want 21", n)
		}
		// A closed backend still answers, without preparing.
		b.Close()
		if n := count(b); n != 21 {
			t.Fatalf("closed: %d rows, want 21", n)
		}
	})
}

// TestConcurrentShapes runs many request shapes at once through a cache too
// small to hold them, so that statements are evicted while in use.
func TestConcurrentShapes(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		s := seed(t)
		f := newFixture(t, db, rand.New(rand.NewPCG(s, 8)), 50)
		b, err := pagesql.New[item](db, f.from(), pagesql.Config{Schema: f.schema, CacheSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		sorts := make([][]paginate.Order, 8)
		refs := make([]ref, len(sorts))
		rng := rand.New(rand.NewPCG(s, 9))
		for i := range sorts {
			sorts[i] = f.orders(t, randomSort(rng))
			refs[i] = f.reference(t, sorts[i], "")
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(s, uint64(g)))
				for range 60 {
					i := rng.IntN(len(sorts))
					p := rng.IntN(len(refs[i].ids))
					res, err := b.Fetch(context.Background(), paginate.Query{Sort: sorts[i], After: refs[i].keys[p], Limit: 5})
					if err != nil {
						errs <- err
						return
					}
					want := refs[i].ids[p+1 : min(p+6, len(refs[i].ids))]
					if !cmp.Equal(want, ids(res.Items), cmpEmpty) {
						errs <- fmt.Errorf("seed %d: sort %v after %v: got %v, want %v", s, sortNames(sorts[i]), refs[i].keys[p], ids(res.Items), want)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestContextCanceled(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		f := newFixture(t, db, rand.New(rand.NewPCG(1, 10)), 10)
		b := f.backend(t, f.from())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := b.Fetch(ctx, paginate.Query{Sort: f.orders(t, "id"), Limit: 10})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("fetch: %v, want context.Canceled", err)
		}
		_, err = b.Count(ctx, paginate.Query{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("count: %v, want context.Canceled", err)
		}
	})
}

func TestNullOrder(t *testing.T) {
	want := map[string]paginate.NullOrder{"sqlite": paginate.NullsSmallest, "postgres": paginate.NullsLargest, "mysql": paginate.NullsSmallest}
	for _, tb := range testdb.Backends {
		t.Run(tb.Name, func(t *testing.T) {
			db := tb.Open(t)
			schema, _ := paginate.NewSchema(fixtureFields(), "")
			b, err := pagesql.New[item](db, squirrel.Select().From("x"), pagesql.Config{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			if got := b.NullOrder(); got != want[tb.Name] {
				t.Errorf("NullOrder %s, want %s", got, want[tb.Name])
			}
		})
	}
}

func trimDecimal(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// TestCountAtMost checks the capped count on plain and DISTINCT bases.
func TestCountAtMost(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		f := newFixture(t, db, rand.New(rand.NewPCG(seed(t), 11)), 30)
		ctx := context.Background()
		for _, base := range []squirrel.SelectBuilder{f.from(), f.from().Distinct().Join(f.tags + " t ON t.item_id = i.id")} {
			b := f.backend(t, base)
			cond := paginate.Condition{Field: f.fields["id"], Op: paginate.Gt, Values: []any{int64(5)}}
			q := paginate.Query{Filters: []paginate.Condition{cond}}
			exact, err := b.Count(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int64{1, exact - 1, exact, exact + 1, 1000} {
				n, err := b.CountAtMost(ctx, q, limit)
				if err != nil {
					t.Fatal(err)
				}
				if want := min(exact, limit); n != want {
					t.Errorf("CountAtMost(%d) = %d, want %d (count %d)", limit, n, want, exact)
				}
			}
		}
	})
}

func TestEstimateCount(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		f := newFixture(t, db, rand.New(rand.NewPCG(seed(t), 12)), 200)
		b := f.backend(t, f.from())
		_, err := b.EstimateCount(context.Background(), paginate.Query{})
		if b.Dialect() != pagesql.PostgreSQL {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("EstimateCount: %v, want ErrUnsupported", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		db.MustExec("ANALYZE " + f.items)
		if n, err := b.EstimateCount(context.Background(), paginate.Query{}); err != nil || n < 100 || n > 400 {
			t.Errorf("EstimateCount = %d, %v; want about 200", n, err)
		}
	})
}

// TestNoPrepareAndOn checks unprepared statements, and that On refuses a
// handle of another database.
func TestNoPrepareAndOn(t *testing.T) {
	db := testdb.SQLite(t)
	f := newFixture(t, db, rand.New(rand.NewPCG(1, 13)), 15)
	b, err := pagesql.New[item](db, f.from(), pagesql.Config{Schema: f.schema, NoPrepare: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for range 2 {
		res, err := b.Fetch(context.Background(), paginate.Query{Sort: f.orders(t, "-created"), Limit: 100})
		if err != nil || len(res.Items) != 15 {
			t.Fatalf("unprepared fetch: %d rows, %v", len(res.Items), err)
		}
	}
	other := sqlx.NewDb(db.DB, "pgx")
	if _, err := b.On(other); err == nil {
		t.Error("On accepted a PostgreSQL handle for a SQLite backend")
	}
}
