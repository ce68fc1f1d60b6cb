package sql_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// The struct types below each back the notes schema by another step of the
// module's one rule for struct fields ("Declaring fields" in package
// paginate). Their Go names are chosen so that no other step would find
// the fields.

// jsonNote has json tags only.
type jsonNote struct {
	Ident   int64     `json:"id"`
	Heading string    `json:"title"`
	At      time.Time `json:"created"`
	Points  *int64    `json:"score,omitempty"`
}

// dbNote has db tags only; the time's names its column, not its field.
type dbNote struct {
	Ident   int64     `db:"id"`
	Heading string    `db:"title"`
	At      time.Time `db:"created_at"`
	Points  *int64    `db:"score"`
}

// nameNote has no tags: Go names, some promoted from an embedded struct.
type nameNote struct {
	NoteBase
	Created time.Time
	Score   *int64
}

// NoteBase is embedded in nameNote.
type NoteBase struct {
	ID    int64
	Title string
}

// noteRow is a row of the notes table as a hand-written query reads it.
type noteRow struct {
	ID      int64
	Title   string
	Created time.Time
	Score   *int64
}

func notesSchema(t testing.TB) *paginate.Schema {
	t.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "title", Type: paginate.String, Sortable: true},
		{Name: "created", Column: "created_at", Type: paginate.Time, Sortable: true},
		{Name: "score", Type: paginate.Int, Sortable: true, Nullable: true},
	}, "-created")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// notesColumn is the column of each notes field, for hand-written ORDER BY.
var notesColumn = map[string]string{"id": "id", "title": "title", "created": "created_at", "score": "score"}

// notesTable creates and fills a notes table with duplicated titles,
// times and scores, some scores NULL.
func notesTable(t *testing.T, db *sqlx.DB, rng *rand.Rand, n int) string {
	t.Helper()
	table := testdb.Name("notes")
	d, _ := pagesql.DialectForDriver(db.DriverName())
	created := map[pagesql.Dialect]string{pagesql.SQLite: "TIMESTAMP", pagesql.PostgreSQL: "TIMESTAMPTZ", pagesql.MySQL: "DATETIME(6)"}[d]
	testdb.DropTable(t, db, table)
	db.MustExec(`CREATE TABLE ` + table + ` (id BIGINT PRIMARY KEY, title VARCHAR(32) NOT NULL, created_at ` + created + ` NOT NULL, score BIGINT NULL)`)
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	ins := db.Rebind(`INSERT INTO ` + table + ` (id, title, created_at, score) VALUES (?, ?, ?, ?)`)
	for i := range n {
		var score *int64
		if rng.IntN(4) > 0 {
			s := int64(rng.IntN(5))
			score = &s
		}
		at := t0.Add(time.Duration(rng.IntN(8)) * 1500 * time.Microsecond)
		db.MustExec(ins, i+1, fmt.Sprintf("t%02d", rng.IntN(9)), at, score)
	}
	return table
}

// notesReference reads the table in the order sort (a sort parameter
// completed with the key in the last field's direction, as the paginators
// complete it) by a hand-written ORDER BY.
func notesReference(t *testing.T, db *sqlx.DB, table, sort string) []noteRow {
	t.Helper()
	var order []string
	dir := "ASC"
	for _, k := range strings.Split(sort, ",") {
		dir = "ASC"
		if strings.HasPrefix(k, "-") {
			k, dir = k[1:], "DESC"
		}
		order = append(order, notesColumn[k]+" "+dir)
	}
	order = append(order, "id "+dir)
	rows, err := db.Query(`SELECT id, title, created_at, score FROM ` + table + ` ORDER BY ` + strings.Join(order, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []noteRow
	for rows.Next() {
		var r noteRow
		if err := rows.Scan(&r.ID, &r.Title, &r.Created, &r.Score); err != nil {
			t.Fatal(err)
		}
		r.Created = r.Created.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// walkNotes walks the table with a keyset and an offset paginator over a
// backend for T, on db, for each sort, and compares every item, converted
// by row, with the database's own ORDER BY.
func walkNotes[T any](t *testing.T, db *sqlx.DB, table string, row func(T) noteRow) {
	t.Helper()
	ctx := context.Background()
	schema := notesSchema(t)
	b, err := pagesql.New[T](db, squirrel.Select().From(table), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	keyset, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		t.Fatal(err)
	}
	offset, err := paginate.NewOffset(b, schema, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{"-created", "score,title", "-title,created"} {
		keys, err := schema.ParseSort(sort)
		if err != nil {
			t.Fatal(err)
		}
		want := notesReference(t, db, table, sort)
		for name, p := range map[string]paginate.Paginator[T]{"keyset": keyset, "offset": offset} {
			var got []noteRow
			for it, err := range paginate.Walk(ctx, p, paginate.Request{PerPage: 7, Sort: keys}) {
				if err != nil {
					t.Fatalf("%s walk, sort %s: %v", name, sort, err)
				}
				got = append(got, row(it))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s walk, sort %s, differs from ORDER BY (-want +got):\n%s", name, sort, diff)
			}
		}
	}
}

// TestStructFieldRule checks that New finds T's fields by the module's one
// rule on every database: json tags alone, db tags (naming the column or
// the field), and Go names promoted from an embedded struct each serve a
// keyset and an offset walk that reads every field as the database's own
// ORDER BY does. The Go-name walk runs on a handle whose sqlx mapper
// upper-cases names, which the backend does not consult.
func TestStructFieldRule(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		rng := rand.New(rand.NewPCG(seed(t), 11))
		table := notesTable(t, db, rng, 45)
		t.Run("json tags", func(t *testing.T) {
			walkNotes(t, db, table, func(n jsonNote) noteRow { return noteRow{n.Ident, n.Heading, n.At, n.Points} })
		})
		t.Run("db tags", func(t *testing.T) {
			walkNotes(t, db, table, func(n dbNote) noteRow { return noteRow{n.Ident, n.Heading, n.At, n.Points} })
		})
		t.Run("go names, custom mapper ignored", func(t *testing.T) {
			upper := sqlx.NewDb(db.DB, db.DriverName())
			upper.MapperFunc(strings.ToUpper)
			walkNotes(t, upper, table, func(n nameNote) noteRow { return noteRow{n.ID, n.Title, n.Created, n.Score} })
		})
	})
}

// Struct types that do not back the notes schema.
type (
	// missingNote has no field for "created" (its json tag names another)
	// nor for "score".
	missingNote struct {
		ID    int64     `db:"id"`
		Title string    `db:"title"`
		When  time.Time `json:"created_on"`
	}
	// twoTimes has two db-tagged fields for "created": one tag names
	// the field, the other its column.
	twoTimes struct {
		ID      int64     `db:"id"`
		Title   string    `db:"title"`
		At      time.Time `db:"created_at"`
		Created time.Time `db:"created"`
		Score   *int64    `db:"score"`
	}
	// promotedTwice promotes a Title from two embedded structs at the
	// same depth.
	promotedTwice struct {
		TitleA
		TitleB
		ID      int64
		Created time.Time
		Score   *int64
	}
)

// TitleA is embedded in promotedTwice.
type TitleA struct{ Title string }

// TitleB is embedded in promotedTwice.
type TitleB struct{ Title string }

// TestStructFieldErrors checks that New refuses a T without a field, or
// with two, for a schema field, naming the field, its column, the struct
// fields at issue and the tag to add.
func TestStructFieldErrors(t *testing.T) {
	db := testdb.SQLite(t)
	base := squirrel.Select().From("notes")
	cfg := pagesql.Config{Schema: notesSchema(t)}
	for _, tc := range []struct {
		name string
		new  func() error
		want []string
	}{
		{"missing", func() error { _, err := pagesql.New[missingNote](db, base, cfg); return err }, []string{
			`field "created" (column created_at)`, `no field for "created"`, "`db:\"created\"`",
			`field "score" (column score)`, `no field for "score"`, "`db:\"score\"`",
		}},
		{"two db tags", func() error { _, err := pagesql.New[twoTimes](db, base, cfg); return err }, []string{
			`field "created" (column created_at)`, `two fields for "created" by db tag, At and Created`,
		}},
		{"promoted twice", func() error { _, err := pagesql.New[promotedTwice](db, base, cfg); return err }, []string{
			`field "title" (column title)`, `two fields for "title" by name, TitleA.Title and TitleB.Title`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.new()
			if err == nil {
				t.Fatal("New accepted the struct")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
