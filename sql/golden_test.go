package sql

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

type goldenItem struct {
	ID      int64     `db:"id"`
	Name    string    `db:"name"`
	Price   *float64  `db:"price"`
	Created time.Time `db:"created"`
	Label   *string   `db:"label"`
}

// TestGoldenSQL pins the SQL each dialect runs for representative request
// shapes, and where each argument comes from. Run with -update to rewrite
// testdata/*.golden after an intended change.
func TestGoldenSQL(t *testing.T) {
	fields := []paginate.Field{
		{Name: "id", Column: "i.id", Type: paginate.Int, Key: true, Sortable: true, Ops: []paginate.Op{paginate.In}},
		{Name: "name", Column: "i.name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.Prefix, paginate.Contains}},
		{Name: "price", Column: "i.price", Type: paginate.Float, Sortable: true, Nullable: true, Ops: []paginate.Op{paginate.Gte, paginate.Lt, paginate.IsNull}},
		{Name: "created", Column: "i.created", Type: paginate.Time, Sortable: true, Ops: []paginate.Op{paginate.Gt, paginate.Lte}},
		{Name: "label", Column: "c.label", Type: paginate.String, Sortable: true, Nullable: true, Ops: []paginate.Op{paginate.IsNull, paginate.Prefix}},
	}
	schema, err := paginate.NewSchema(fields, "")
	if err != nil {
		t.Fatal(err)
	}
	f := map[string]paginate.Field{}
	for _, fl := range fields {
		f[fl.Name] = fl
	}
	asc := func(n string) paginate.Order { return paginate.Order{Field: f[n]} }
	desc := func(n string) paginate.Order { return paginate.Order{Field: f[n], Dir: paginate.Desc} }
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name  string
		count bool
		bound bool
		q     paginate.Query
	}{
		{name: "first page", q: paginate.Query{Sort: []paginate.Order{asc("name"), asc("id")}, Limit: 21}},
		{name: "offset page, sparse fields", q: paginate.Query{Fields: []paginate.Field{f["name"]}, Sort: []paginate.Order{desc("created"), desc("id")}, Offset: 40, Limit: 20}},
		{name: "deep offset page, filters", q: paginate.Query{Sort: []paginate.Order{desc("label"), asc("id")}, Offset: 20000, Limit: 21, Filters: []paginate.Condition{
			{Field: f["name"], Op: paginate.Ne, Values: []any{"x"}},
			{Field: f["label"], Op: paginate.IsNull, Values: []any{false}},
		}}},
		{name: "deep offset page, sparse fields", q: paginate.Query{Fields: []paginate.Field{f["name"]}, Sort: []paginate.Order{desc("created"), desc("id")}, Offset: 1000, Limit: 20}},
		{name: "keyset", q: paginate.Query{Sort: []paginate.Order{desc("created"), desc("id")}, After: []any{now, int64(7)}, Limit: 21}},
		{name: "keyset, mixed directions", q: paginate.Query{Sort: []paginate.Order{asc("name"), desc("created"), desc("id")}, After: []any{"x", now, int64(7)}, Limit: 21}},
		{name: "keyset, nullable at a value", q: paginate.Query{Sort: []paginate.Order{asc("price"), asc("id")}, After: []any{1.5, int64(7)}, Limit: 21}},
		{name: "keyset, nullable at a value, with an offset", bound: true, q: paginate.Query{Sort: []paginate.Order{asc("price"), asc("id")}, After: []any{1.5, int64(7)}, Offset: 3, Limit: 21}},
		{name: "keyset, nullable at NULL", q: paginate.Query{Sort: []paginate.Order{asc("price"), asc("id")}, After: []any{nil, int64(7)}, Limit: 21}},
		{name: "keyset, joined nullable desc", q: paginate.Query{Sort: []paginate.Order{desc("label"), asc("name"), desc("id")}, After: []any{"l", "n", int64(7)}, Limit: 21}},
		{name: "filters", q: paginate.Query{Sort: []paginate.Order{asc("id")}, Limit: 21, Filters: []paginate.Condition{
			{Field: f["id"], Op: paginate.In, Values: []any{int64(1), int64(2), int64(3)}},
			{Field: f["name"], Op: paginate.Ne, Values: []any{"x"}},
			{Field: f["price"], Op: paginate.Gte, Values: []any{0.5}},
			{Field: f["created"], Op: paginate.Lte, Values: []any{now}},
		}}},
		{name: "null, prefix and contains", q: paginate.Query{Sort: []paginate.Order{asc("id")}, Limit: 21, Filters: []paginate.Condition{
			{Field: f["name"], Op: paginate.Prefix, Values: []any{"a%"}},
			{Field: f["name"], Op: paginate.Contains, Values: []any{"b_"}},
			{Field: f["label"], Op: paginate.IsNull, Values: []any{true}},
			{Field: f["price"], Op: paginate.IsNull, Values: []any{false}},
		}}},
		{name: "count, prefix", count: true, q: paginate.Query{Filters: []paginate.Condition{{Field: f["label"], Op: paginate.Prefix, Values: []any{"x"}}}}},
		{name: "count", count: true, q: paginate.Query{Filters: []paginate.Condition{{Field: f["name"], Op: paginate.Eq, Values: []any{"x"}}}}},
	}
	db := testdb.SQLite(t)
	base := squirrel.Select("ignored").From("items i").LeftJoin("cats c ON c.id = i.cat").
		Where("i.deleted = ? OR i.kept = ?", false, true)
	for _, d := range []Dialect{SQLite, PostgreSQL, MySQL} {
		t.Run(d.String(), func(t *testing.T) {
			var out strings.Builder
			for _, distinct := range []bool{false, true} {
				b := base
				if distinct {
					b = b.Distinct()
				}
				be, err := New[goldenItem](db, b, Config{Schema: schema, Dialect: d})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range cases {
					kind := be.c.pageKind(&c.q)
					switch {
					case c.count:
						kind = kindCount
					case c.bound != (kind == kindPageBoundLimit):
						t.Fatalf("%s: kind %s", c.name, kind)
					}
					s, err := be.c.lookup(kind, &c.q)
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&out, "-- %s (distinct %v)\n", c.name, distinct)
					for _, p := range s.stmts {
						fmt.Fprintf(&out, "%s\n   args:", p.sql)
						for _, a := range p.args {
							out.WriteString(" " + argName(a))
						}
						out.WriteString("\n")
					}
				}
			}
			path := filepath.Join("testdata", d.String()+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func argName(a argRef) string {
	switch a.kind {
	case argConst:
		return fmt.Sprintf("%v", a.value)
	case argFilter:
		return fmt.Sprintf("filter%d.%d%s", a.i, a.j, [...]string{"", "(like prefix)", "(like contains)", "(range end)"}[a.pat])
	case argAfter:
		return fmt.Sprintf("after%d", a.i)
	case argLimit:
		return "limit"
	case argLink:
		return fmt.Sprintf("link%d", a.i)
	}
	return "offset"
}
