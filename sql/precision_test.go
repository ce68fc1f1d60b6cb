package sql_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

type stamped struct {
	ID int64     `db:"id"`
	At time.Time `db:"at"`
}

// TestTimeFilterPrecision checks time filters finer than the database
// stores: bounds select the same rows as they would on exact times, and
// equality with a time the database cannot hold is rejected, not rounded
// by the driver into a match.
func TestTimeFilterPrecision(t *testing.T) {
	base := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	rows := []stamped{{1, base.Add(-time.Microsecond)}, {2, base}, {3, base}, {4, base.Add(time.Microsecond)}}
	types := map[string]string{"sqlite": "TIMESTAMP", "postgres": "TIMESTAMPTZ(6)", "mysql": "DATETIME(6)"}
	for _, tb := range testdb.Backends {
		t.Run(tb.Name, func(t *testing.T) {
			db := tb.Open(t)
			table := testdb.Name("stamped")
			if _, err := db.Exec("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, at " + types[tb.Name] + " NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			testdb.DropTable(t, db, table)
			for _, r := range rows {
				if _, err := db.Exec(db.Rebind("INSERT INTO "+table+" (id, at) VALUES (?, ?)"), r.ID, r.At); err != nil {
					t.Fatal(err)
				}
			}
			schema, err := paginate.NewSchema([]paginate.Field{
				{Name: "id", Type: paginate.Int, Key: true},
				{Name: "at", Type: paginate.Time, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte, paginate.In}},
			}, "id")
			if err != nil {
				t.Fatal(err)
			}
			b := newBackend[stamped](t, db, squirrel.Select().From(table), pagesql.Config{Schema: schema})
			p, err := paginate.NewOffset(b, schema, paginate.OffsetConfig{})
			if err != nil {
				t.Fatal(err)
			}
			half := base.Add(500 * time.Nanosecond) // between rows 2-3 and row 4
			filter := func(op paginate.Op, v time.Time) ([]int64, error) {
				page, err := p.Paginate(context.Background(), paginate.Request{Filters: []paginate.Filter{{Field: "at", Op: op, Values: []any{v}}}})
				if err != nil {
					return nil, err
				}
				var ids []int64
				for _, it := range page.Items {
					ids = append(ids, it.ID)
				}
				return ids, nil
			}
			// What each bound selects, worked out from the rows above.
			for _, tc := range []struct {
				op   paginate.Op
				want []int64
			}{
				{paginate.Lt, []int64{1, 2, 3}},
				{paginate.Lte, []int64{1, 2, 3}},
				{paginate.Gt, []int64{4}},
				{paginate.Gte, []int64{4}},
			} {
				got, err := filter(tc.op, half)
				if err != nil {
					t.Fatalf("%s %v: %v", tc.op, half, err)
				}
				if diff := gocmp.Diff(tc.want, got); diff != "" {
					t.Errorf("at[%s]=%s (-want +got):\n%s", tc.op, half.Format(time.RFC3339Nano), diff)
				}
			}
			for _, op := range []paginate.Op{paginate.Eq, paginate.Ne, paginate.In} {
				got, err := filter(op, half)
				if tb.Name == "sqlite" {
					// SQLite keeps nanoseconds: the value is exact.
					want := []int64(nil)
					if op == paginate.Ne {
						want = []int64{1, 2, 3, 4}
					}
					if err != nil || !gocmp.Equal(want, got) {
						t.Errorf("at[%s]=%s: got %v, %v; want %v", op, half.Format(time.RFC3339Nano), got, err, want)
					}
					continue
				}
				if !errors.Is(err, paginate.ErrInvalidFilter) {
					t.Errorf("at[%s]=%s: got %v, %v; want ErrInvalidFilter", op, half.Format(time.RFC3339Nano), got, err)
				}
			}
			// Exact microseconds still match.
			got, err := filter(paginate.Eq, base)
			if err != nil || !gocmp.Equal([]int64{2, 3}, got) {
				t.Errorf("at=%s: got %v, %v; want [2 3]", base.Format(time.RFC3339Nano), got, err)
			}
		})
	}
}

// TestSQLiteTimeLayout checks a SQLite column filled by CURRENT_TIMESTAMP
// ("2006-01-02 15:04:05"): with the layout configured, a keyset walk over
// rows tied on the time sees every row, and time filters match.
func TestSQLiteTimeLayout(t *testing.T) {
	db := testdb.SQLite(t)
	if _, err := db.Exec(`CREATE TABLE stamped (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	// Five rows, four of them in the same second, written as
	// CURRENT_TIMESTAMP writes them.
	for i, at := range []string{"2024-01-01 00:00:00", "2024-01-01 00:00:00", "2024-01-01 00:00:00", "2024-01-01 00:00:00", "2024-01-01 00:00:01"} {
		if _, err := db.Exec(`INSERT INTO stamped (id, at) VALUES (?, ?)`, i+1, at); err != nil {
			t.Fatal(err)
		}
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "at", Type: paginate.Time, Sortable: true, Ops: []paginate.Op{paginate.Gte, paginate.Lt}},
	}, "at")
	if err != nil {
		t.Fatal(err)
	}
	cfg := pagesql.Config{Schema: schema, SQLiteTimeLayout: "2006-01-02 15:04:05"}
	b := newBackend[stamped](t, db, squirrel.Select().From("stamped"), cfg)
	if got := b.TimePrecision(); got != time.Second {
		t.Errorf("TimePrecision() = %v, want a second for a layout without fractions", got)
	}
	p, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}, PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	var walked []int64
	for it, err := range paginate.Walk(context.Background(), p, paginate.Request{}) {
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, it.ID)
	}
	if diff := gocmp.Diff([]int64{1, 2, 3, 4, 5}, walked); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		op   paginate.Op
		v    string
		want int
	}{
		{paginate.Gte, "2024-01-01T00:00:00Z", 5},
		{paginate.Lt, "2024-01-01T00:00:01Z", 4},
		{paginate.Lt, "2024-01-01T00:00:00.5Z", 4},
		{paginate.Gte, "2024-01-01T00:00:00.5Z", 1},
	} {
		page, err := p.Paginate(context.Background(), paginate.Request{PerPage: 10, Filters: []paginate.Filter{{Field: "at", Op: tc.op, Values: []any{tc.v}}}})
		if err != nil || len(page.Items) != tc.want {
			t.Errorf("at[%s]=%s: %d items, %v; want %d", tc.op, tc.v, len(page.Items), err, tc.want)
		}
	}
}

type scored struct {
	ID    int64   `db:"id"`
	Score float64 `db:"score"`
}

// TestInfiniteFloatKeys walks a float column holding the infinities, which
// SQLite and PostgreSQL store and order (MySQL has no infinite DOUBLE).
func TestInfiniteFloatKeys(t *testing.T) {
	types := map[string]string{"sqlite": "REAL", "postgres": "DOUBLE PRECISION"}
	scores := []float64{1, math.Inf(1), -2, math.Inf(-1), math.Inf(1), 0, math.Inf(-1)}
	for _, tb := range testdb.Backends {
		if types[tb.Name] == "" {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			db := tb.Open(t)
			table := testdb.Name("scored")
			if _, err := db.Exec("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, score " + types[tb.Name] + " NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			testdb.DropTable(t, db, table)
			for i, s := range scores {
				if _, err := db.Exec(db.Rebind("INSERT INTO "+table+" (id, score) VALUES (?, ?)"), i+1, s); err != nil {
					t.Fatal(err)
				}
			}
			schema, err := paginate.NewSchema([]paginate.Field{
				{Name: "id", Type: paginate.Int, Key: true},
				{Name: "score", Type: paginate.Float, Sortable: true},
			}, "-score")
			if err != nil {
				t.Fatal(err)
			}
			b := newBackend[scored](t, db, squirrel.Select().From(table), pagesql.Config{Schema: schema})
			p, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}, PerPage: 2})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for it, err := range paginate.Walk(context.Background(), p, paginate.Request{}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, it.ID)
			}
			// score descending, id descending among ties: +Inf (5, 2), 1, 0,
			// -2, -Inf (7, 4).
			if diff := gocmp.Diff([]int64{5, 2, 1, 6, 3, 7, 4}, got); diff != "" {
				t.Errorf("walk (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSchemaMismatch checks that a paginator refuses a backend built with
// another schema: the two would disagree on columns and nullability.
func TestSchemaMismatch(t *testing.T) {
	db := testdb.SQLite(t)
	fields := []paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, {Name: "score", Type: paginate.Float, Sortable: true}}
	one, err := paginate.NewSchema(fields, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := paginate.NewSchema(fields, "")
	if err != nil {
		t.Fatal(err)
	}
	b := newBackend[scored](t, db, squirrel.Select().From("scored"), pagesql.Config{Schema: one})
	if _, err := paginate.NewOffset(b, other, paginate.OffsetConfig{}); err == nil {
		t.Error("NewOffset accepted a backend built with another schema")
	}
	if _, err := paginate.NewKeyset(b, other, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}); err == nil {
		t.Error("NewKeyset accepted a backend built with another schema")
	}
	if _, err := paginate.NewOffset(b, one, paginate.OffsetConfig{}); err != nil {
		t.Errorf("NewOffset with the backend's own schema: %v", err)
	}
}
