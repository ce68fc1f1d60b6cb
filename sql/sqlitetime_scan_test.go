package sql_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// timedRow is a row of the tables TestSQLiteTimeKeyAllocs pages.
type timedRow struct {
	ID   int64     `db:"id"`
	Name string    `db:"name"`
	At   time.Time `db:"at"`
}

// TestSQLiteTimeKeyAllocs checks that a SQLite time in the sort, which
// the backend decodes from its stored form into the key and the field,
// costs no allocation per row: a keyset page of 200 rows allocates, beyond
// a page of 20, no more than database/sql and the driver allocate for the
// same 180 extra rows when they are scanned by hand. Each stored form of
// time is decoded by its own codec.
func TestSQLiteTimeKeyAllocs(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, form := range []struct {
		name, decl string
		stored     func(time.Time) any
	}{
		{"driver layout", "TIMESTAMP", func(tm time.Time) any { return tm }},
		{"CURRENT_TIMESTAMP layout", "TEXT", func(tm time.Time) any { return tm.Format(time.DateTime) }},
		{"ISO 8601 with T and Z", "TEXT", func(tm time.Time) any { return tm.Format("2006-01-02T15:04:05Z") }},
		{"Unix seconds", "INTEGER", func(tm time.Time) any { return tm.Unix() }},
	} {
		t.Run(form.name, func(t *testing.T) {
			db := testdb.SQLite(t)
			db.MustExec(`CREATE TABLE timed (id INTEGER PRIMARY KEY, name TEXT NOT NULL, at ` + form.decl + ` NOT NULL)`)
			tx := db.MustBegin()
			for i := range 600 {
				// Three rows share each time.
				tx.MustExec(`INSERT INTO timed (id, name, at) VALUES (?, ?, ?)`, 1000+i, "row", form.stored(t0.Add(time.Duration(i/3)*time.Second)))
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			schema, err := paginate.NewSchema([]paginate.Field{
				{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
				{Name: "name", Type: paginate.String},
				{Name: "at", Type: paginate.Time, Sortable: true},
			}, "-at")
			if err != nil {
				t.Fatal(err)
			}
			b, err := pagesql.New[timedRow](db, squirrel.Select().From("timed"), pagesql.Config{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			at, _ := schema.Field("at")
			id, _ := schema.Field("id")
			ctx := context.Background()
			const depth = 100
			for _, sort := range []struct {
				name  string
				sort  []paginate.Order
				order string
			}{
				// The time is a sort key, copied into the field from its
				// key slot.
				{"sort -at", []paginate.Order{{Field: at, Dir: paginate.Desc}, {Field: id, Dir: paginate.Desc}}, "at DESC, id DESC"},
				// The time is only a field, decoded as it is scanned.
				{"sort -id", []paginate.Order{{Field: id, Dir: paginate.Desc}}, "id DESC"},
			} {
				res, err := b.Fetch(ctx, paginate.Query{Sort: sort.sort, Offset: depth - 1, Limit: 1, Keys: true})
				if err != nil {
					t.Fatal(err)
				}
				after := canonKeys(t, sort.sort, res.Keys[0])
				// Both orders put the row with id 1599 first.
				firstAt := t0.Add((600 - depth - 1) / 3 * time.Second)
				backend := func(limit int) float64 {
					q := paginate.Query{Sort: sort.sort, After: after, Limit: limit, Keys: true}
					check := func() {
						res, err := b.Fetch(ctx, q)
						if err != nil || len(res.Items) != limit || !res.Items[0].At.Equal(firstAt) {
							t.Fatalf("%s, limit %d: %d rows, %v", sort.name, limit, len(res.Items), err)
						}
					}
					check()
					return testing.AllocsPerRun(50, check)
				}
				byHand := func(limit int) float64 {
					return testing.AllocsPerRun(50, func() { scanTimed(t, db, sort.order, limit, depth) })
				}
				grow := backend(200) - backend(20)
				floor := byHand(200) - byHand(20)
				t.Logf("%s: allocations for 180 more rows: backend %.0f, database/sql and the driver %.0f", sort.name, grow, floor)
				// A few allocations of slack: sync.Pool may drop a scratch.
				if grow > floor+10 {
					t.Errorf("%s: a page of 200 rows allocates %.0f more than a page of 20; scanning the same rows by hand, %.0f more", sort.name, grow, floor)
				}
			}
		})
	}
}

// scanTimed reads limit rows of the timed table after depth rows, in the
// order order, selecting the columns as the backend selects them (the
// time as stored), into reused destinations.
func scanTimed(t *testing.T, db *sqlx.DB, order string, limit, depth int) {
	rows, err := db.Query(`SELECT id, name, +(at) FROM timed ORDER BY `+order+` LIMIT ? OFFSET ?`, limit, depth)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var id, name, at any
	n := 0
	for rows.Next() {
		if err := rows.Scan(&id, &name, &at); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil || n != limit {
		t.Fatalf("%d rows, %v", n, err)
	}
}

// stamp is a Scanner of times that records that it was given one.
type stamp struct {
	T   time.Time
	Set bool
}

func (s *stamp) Scan(v any) error {
	t, ok := v.(time.Time)
	if !ok {
		return fmt.Errorf("stamp: cannot scan a %T", v)
	}
	*s = stamp{T: t, Set: true}
	return nil
}

// timeShapes holds SQLite times decoded from text in fields of each shape
// a time can take.
type timeShapes struct {
	ID    int64        `db:"id"`
	Plain time.Time    `db:"plain"`
	Ptr   *time.Time   `db:"ptr"`
	Null  sql.NullTime `db:"maybe"`
	Own   stamp        `db:"own"`
}

// TestSQLiteTimeFieldShapes checks that a SQLite time decoded from text
// reaches a time.Time, a *time.Time, an sql.NullTime and a Scanner field
// alike, whether its field is a sort key (copied from the key slot) or
// only selected (decoded as it is scanned), NULL included, and that the
// keys hold the decoded times.
func TestSQLiteTimeFieldShapes(t *testing.T) {
	db := testdb.SQLite(t)
	const layout = "2006-01-02 15:04:05.000"
	db.MustExec(`CREATE TABLE shapes (id INTEGER PRIMARY KEY, plain TEXT NOT NULL, ptr TEXT, maybe TEXT, own TEXT NOT NULL)`)
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var want []timeShapes
	for i := range 12 {
		r := timeShapes{ID: int64(i + 1), Plain: t0.Add(time.Duration(i%5) * 1500 * time.Millisecond)}
		r.Own = stamp{T: t0.Add(-time.Duration(i%4) * time.Hour), Set: true}
		var ptr, null any
		if i%3 != 0 {
			p := t0.Add(time.Duration(i%4) * 250 * time.Millisecond)
			r.Ptr, ptr = &p, p.Format(layout)
		}
		if i%4 != 1 {
			r.Null = sql.NullTime{Time: t0.Add(time.Duration(i%3) * time.Minute), Valid: true}
			null = r.Null.Time.Format(layout)
		}
		db.MustExec(`INSERT INTO shapes VALUES (?, ?, ?, ?, ?)`, r.ID, r.Plain.Format(layout), ptr, null, r.Own.T.Format(layout))
		want = append(want, r)
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "plain", Type: paginate.Time, Sortable: true},
		{Name: "ptr", Type: paginate.Time, Sortable: true, Nullable: true},
		{Name: "maybe", Type: paginate.Time, Sortable: true, Nullable: true},
		{Name: "own", Type: paginate.Time, Sortable: true},
	}, "id")
	if err != nil {
		t.Fatal(err)
	}
	b, err := pagesql.New[timeShapes](db, squirrel.Select().From("shapes"), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	byID := map[int64]timeShapes{}
	for _, r := range want {
		byID[r.ID] = r
	}
	id, _ := schema.Field("id")
	for _, name := range []string{"id", "plain", "ptr", "maybe", "own"} {
		f, _ := schema.Field(name)
		sort := []paginate.Order{{Field: f, Dir: paginate.Desc}}
		if name != "id" {
			sort = append(sort, paginate.Order{Field: id, Dir: paginate.Desc})
		}
		// Pages of 5, so that the page's buffer of times is used across
		// statements and rows.
		var got []timeShapes
		q := paginate.Query{Sort: sort, Limit: 5, Keys: true}
		for {
			res, err := b.Fetch(context.Background(), q)
			if err != nil {
				t.Fatalf("sort %s: %v", name, err)
			}
			for i, it := range res.Items {
				got = append(got, it)
				keys := canonKeys(t, sort, res.Keys[i])
				if wantKey := timeOf(byID[it.ID], name); name != "id" && !sameTime(keys[0], wantKey) {
					t.Errorf("sort %s, id %d: key %v, want %v", name, it.ID, keys[0], wantKey)
				}
			}
			if len(res.Items) < q.Limit {
				break
			}
			q.After = canonKeys(t, sort, res.Keys[len(res.Keys)-1])
		}
		if len(got) != len(want) {
			t.Fatalf("sort %s: %d rows, want %d", name, len(got), len(want))
		}
		for _, it := range got {
			if diff := cmp.Diff(byID[it.ID], it); diff != "" {
				t.Errorf("sort %s, id %d (-want +got):\n%s", name, it.ID, diff)
			}
		}
	}
}

// timeOf returns r's time of the field name, nil for NULL.
func timeOf(r timeShapes, name string) any {
	switch name {
	case "plain":
		return r.Plain
	case "ptr":
		if r.Ptr != nil {
			return *r.Ptr
		}
	case "maybe":
		if r.Null.Valid {
			return r.Null.Time
		}
	case "own":
		return r.Own.T
	}
	return nil
}

// sameTime reports whether a and b are both nil or equal times.
func sameTime(a, b any) bool {
	ta, okA := a.(time.Time)
	tb, okB := b.(time.Time)
	if okA && okB {
		return ta.Equal(tb)
	}
	return a == nil && b == nil
}
