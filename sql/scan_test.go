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
