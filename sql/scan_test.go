package sql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

type (
	label string
	// upper is a Scanner that upper-cases text and leaves NULL alone.
	upper  string
	IDPart struct {
		ID int `db:"id"`
	}
	NotePart struct {
		Note *string `db:"note"`
	}
	// shaped has the field shapes sqlx maps: an embedded struct, an
	// embedded pointer, a named string, a Scanner and plain pointers.
	shaped struct {
		IDPart
		*NotePart
		Name  label  `db:"name"`
		Code  upper  `db:"code"`
		Score *int32 `db:"score"`
	}
)

func (u *upper) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*u = upper(strings.ToUpper(x))
	case []byte:
		*u = upper(strings.ToUpper(string(x)))
	}
	return nil
}

// TestFieldShapes checks scanning into embedded, named, Scanner and pointer
// fields, both as plain columns and as sort keys copied from the key slots.
// Each row starts from zero: a NULL given to a Scanner that ignores it
// leaves the zero value, not the previous row's, and each row has its own
// embedded struct.
func TestFieldShapes(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		tbl := testdb.Name("shapes")
		testdb.DropTable(t, db, tbl)
		db.MustExec(`CREATE TABLE ` + tbl + ` (id INTEGER PRIMARY KEY, note VARCHAR(20), name VARCHAR(20) NOT NULL, code VARCHAR(20), score INTEGER)`)
		db.MustExec(db.Rebind(`INSERT INTO `+tbl+` VALUES (1, ?, 'b', 'x1', 10), (2, NULL, 'a', NULL, NULL), (3, 'n3', 'c', 'x3', 30)`), "n1")
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "note", Type: paginate.String, Sortable: true, Nullable: true},
			{Name: "name", Type: paginate.String, Sortable: true},
			{Name: "code", Type: paginate.String, Sortable: true, Nullable: true},
			{Name: "score", Type: paginate.Int, Sortable: true, Nullable: true},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := pagesql.New[shaped](db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		s := func(v string) *string { return &v }
		n := func(v int32) *int32 { return &v }
		want := []shaped{
			{IDPart{1}, &NotePart{s("n1")}, "b", "X1", n(10)},
			{IDPart{2}, &NotePart{}, "a", "", nil},
			{IDPart{3}, &NotePart{s("n3")}, "c", "X3", n(30)},
		}
		for _, sort := range []string{"id", "note", "name", "code", "score", "-score,note"} {
			keys, err := schema.ParseSort(sort)
			if err != nil {
				t.Fatal(err)
			}
			var orders []paginate.Order
			for _, k := range keys {
				f, _ := schema.Field(k.Field)
				orders = append(orders, paginate.Order{Field: f, Dir: k.Dir})
			}
			if keys[len(keys)-1].Field != "id" {
				f, _ := schema.Field("id")
				orders = append(orders, paginate.Order{Field: f})
			}
			res, err := b.Fetch(context.Background(), paginate.Query{Sort: orders, Limit: 10})
			if err != nil {
				t.Fatalf("sort %s: %v", sort, err)
			}
			byID := map[int]shaped{}
			for _, r := range res.Items {
				byID[r.ID] = r
			}
			got := []shaped{byID[1], byID[2], byID[3]}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(shaped{})); diff != "" {
				t.Errorf("sort %s (-want +got):\n%s", sort, diff)
			}
		}
	})
}

// TestUnassignableSortKey checks a sort field of a type no assigner
// handles (uint16): database/sql scans it into T, and its key comes from a
// column of its own.
func TestUnassignableSortKey(t *testing.T) {
	type row struct {
		ID  int64  `db:"id"`
		Seq uint16 `db:"seq"`
	}
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		tbl := testdb.Name("seqs")
		testdb.DropTable(t, db, tbl)
		db.MustExec(`CREATE TABLE ` + tbl + ` (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)`)
		db.MustExec(`INSERT INTO ` + tbl + ` VALUES (1, 30), (2, 10), (3, 20)`)
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "seq", Type: paginate.Int, Sortable: true},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := pagesql.New[row](db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		id, _ := schema.Field("id")
		seq, _ := schema.Field("seq")
		sort := []paginate.Order{{Field: seq, Dir: paginate.Desc}, {Field: id}}
		for _, fields := range [][]paginate.Field{nil, {seq}, {id}} {
			res, err := b.Fetch(context.Background(), paginate.Query{Sort: sort, Fields: fields, Limit: 10, Keys: true})
			if err != nil {
				t.Fatal(err)
			}
			want := []row{{1, 30}, {3, 20}, {2, 10}}
			for i := range want {
				if fields != nil && fields[0].Name != "seq" {
					want[i].Seq = 0
				}
				if fields != nil && fields[0].Name != "id" {
					want[i].ID = 0
				}
			}
			if diff := cmp.Diff(want, res.Items); diff != "" {
				t.Errorf("fields %v: items (-want +got):\n%s", fields, diff)
			}
			var keys []string
			for _, k := range res.Keys {
				keys = append(keys, fmt.Sprint(k...))
			}
			if diff := cmp.Diff([]string{"30 1", "20 3", "10 2"}, keys); diff != "" {
				t.Errorf("fields %v: keys (-want +got):\n%s", fields, diff)
			}
		}
	})
}

// TestRowReuse checks rows of plain fields, which the backend scans one
// after another into a row it does not zero in between and reuses from
// one Fetch to the next: a NULL after a value leaves a nil pointer and
// empty bytes, not the value before it, rows share no pointer or bytes,
// and a later Fetch of fewer fields leaves the others zero.
func TestRowReuse(t *testing.T) {
	type plain struct {
		ID    int64   `db:"id"`
		Name  string  `db:"name"`
		Score *int64  `db:"score"`
		Data  []byte  `db:"data"`
		Ratio float64 `db:"ratio"`
	}
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		tbl := testdb.Name("reuse")
		testdb.DropTable(t, db, tbl)
		d, _ := pagesql.DialectForDriver(db.DriverName())
		blob := map[pagesql.Dialect]string{pagesql.SQLite: "BLOB", pagesql.PostgreSQL: "BYTEA", pagesql.MySQL: "VARBINARY(8)"}[d]
		db.MustExec(`CREATE TABLE ` + tbl + ` (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, score INTEGER, data ` + blob + `, ratio REAL NOT NULL)`)
		db.MustExec(db.Rebind(`INSERT INTO `+tbl+` VALUES (1, 'a', 10, ?, 0.5), (2, 'b', NULL, NULL, 1.5), (3, 'c', 30, ?, 2.5), (4, 'd', 40, ?, 3.5)`), []byte{1}, []byte{3}, []byte{4})
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "name", Type: paginate.String, Sortable: true},
			{Name: "score", Type: paginate.Int, Sortable: true, Nullable: true},
			{Name: "data", Type: paginate.Bytes, Nullable: true},
			{Name: "ratio", Type: paginate.Float},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := pagesql.New[plain](db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		id, _ := schema.Field("id")
		name, _ := schema.Field("name")
		i64 := func(v int64) *int64 { return &v }
		all := []plain{
			{1, "a", i64(10), []byte{1}, 0.5},
			{2, "b", nil, nil, 1.5},
			{3, "c", i64(30), []byte{3}, 2.5},
			{4, "d", i64(40), []byte{4}, 3.5},
		}
		for round := range 3 {
			res, err := b.Fetch(context.Background(), paginate.Query{Sort: []paginate.Order{{Field: id}}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(all, res.Items); diff != "" {
				t.Fatalf("round %d: items (-want +got):\n%s", round, diff)
			}
			if res.Items[2].Score == res.Items[3].Score || &res.Items[2].Data[0] == &res.Items[3].Data[0] {
				t.Errorf("round %d: rows 3 and 4 share a pointer or bytes", round)
			}
			*res.Items[0].Score = -1 // the next round must not see it
			res.Items[0].Data[0] = 99
			res, err = b.Fetch(context.Background(), paginate.Query{Sort: []paginate.Order{{Field: id}}, Fields: []paginate.Field{name}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			want := []plain{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}
			if diff := cmp.Diff(want, res.Items); diff != "" {
				t.Fatalf("round %d, fields name: items (-want +got):\n%s", round, diff)
			}
		}
	})
}
