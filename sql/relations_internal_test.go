package sql

import (
	"context"
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

type relSeller struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type relReview struct {
	ID     int64     `db:"id"`
	ItemID int64     `db:"item_id"`
	Rating int64     `db:"rating"`
	At     time.Time `db:"at"`
}

type relItem struct {
	ID       int64       `db:"id"`
	SellerID *int64      `db:"seller_id"`
	Seller   *relSeller  `json:"seller"`
	Reviews  []relReview `json:"reviews"`
}

func relTestSchema(t testing.TB) *paginate.Schema {
	t.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Column: "i.id", Type: paginate.Int, Key: true},
		{Name: "seller_id", Column: "i.seller_id", Type: paginate.Int, Nullable: true},
	}, "",
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
			{Name: "id", Column: "s.id", Type: paginate.Int, Key: true},
			{Name: "name", Column: "s.name", Type: paginate.String},
		}},
		paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-at", Limit: 3, Fields: []paginate.Field{
			{Name: "id", Column: "r.id", Type: paginate.Int, Key: true},
			{Name: "item_id", Column: "r.item_id", Type: paginate.Int},
			{Name: "rating", Type: paginate.Int},
			{Name: "at", Column: "r.created_at", Type: paginate.Time, Sortable: true},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// relInclusion returns the inclusion of relation name with fields.
func relInclusion(t testing.TB, s *paginate.Schema, name string, fields ...string) paginate.Inclusion {
	t.Helper()
	r, _ := s.Relation(name)
	in := paginate.Inclusion{Relation: r}
	rs, err := paginate.NewSchema(r.Fields, r.Sort)
	if err != nil {
		t.Fatal(err)
	}
	in.Key = rs.Key()
	if r.Kind == paginate.BelongsTo {
		in.Via, _ = s.Field(r.Via)
	} else {
		in.Via, _ = rs.Field(r.Via)
		if in.Order, err = rs.Order(rs.DefaultSort()); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fields {
		fl, _ := rs.Field(f)
		in.Fields = append(in.Fields, fl)
	}
	return in
}

// TestGoldenRelationSQL pins the statements that load relations on each
// dialect, both has-many forms on PostgreSQL included. Run with -update
// to rewrite testdata/relations-*.golden after an intended change.
func TestGoldenRelationSQL(t *testing.T) {
	s := relTestSchema(t)
	db := testdb.SQLite(t)
	bases := map[string]squirrel.SelectBuilder{
		"seller":  squirrel.Select().From("sellers s").Where("s.active = ?", true),
		"reviews": squirrel.Select().From("reviews r"),
	}
	cases := []struct {
		name string
		in   paginate.Inclusion
		n    int
		form hasManyForm
	}{
		{"belongs-to, one key", relInclusion(t, s, "seller"), 1, hasManyWindow},
		{"belongs-to, eight keys, sparse", relInclusion(t, s, "seller", "name"), 8, hasManyWindow},
		{"has-many by ROW_NUMBER", relInclusion(t, s, "reviews"), 4, hasManyWindow},
		{"has-many by ROW_NUMBER, sparse", relInclusion(t, s, "reviews", "rating"), 2, hasManyWindow},
		{"has-many by LATERAL", relInclusion(t, s, "reviews"), 4, hasManyLateral},
	}
	for _, d := range []Dialect{SQLite, PostgreSQL, MySQL} {
		t.Run(d.String(), func(t *testing.T) {
			b, err := New[relItem](db, squirrel.Select().From("items i"), Config{Schema: s, Dialect: d, Relations: bases})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			for _, c := range cases {
				if c.form == hasManyLateral && d != PostgreSQL {
					continue
				}
				rp := b.c.relations[c.in.Relation.Name]
				rp.form = c.form
				want, err := rp.wanted(c.in)
				if err != nil {
					t.Fatal(err)
				}
				st, err := b.c.compileRelStmt(rp, c.in, want, c.n)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "-- %s\n%s\n   args:", c.name, st.plan.sql)
				for _, a := range st.plan.args {
					out.WriteString(" " + argName(a))
				}
				out.WriteString("\n")
			}
			path := filepath.Join("testdata", "relations-"+d.String()+".golden")
			if *update {
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

// TestRelateChunks checks that a belongs-to relation whose keys pass the
// dialect's limit on bound parameters is loaded in chunks, each IN list
// padded to a power of two within the limit, with the same rows.
func TestRelateChunks(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE items (id INTEGER PRIMARY KEY, seller_id INTEGER)",
		"CREATE TABLE sellers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
		"CREATE TABLE reviews (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL, rating INTEGER NOT NULL, created_at TIMESTAMP NOT NULL)",
		"INSERT INTO sellers VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f'), (7, 'g')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := relTestSchema(t)
	b, err := New[relItem](db, squirrel.Select().From("items i"), Config{Schema: s, Relations: map[string]squirrel.SelectBuilder{
		"seller":  squirrel.Select().From("sellers s"),
		"reviews": squirrel.Select().From("reviews r"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	rp := b.c.relations["seller"]
	rp.maxIn = 3
	var items, want []relItem
	for _, id := range []int64{3, 1, 0, 7, 3, 9, 5, 2, 6, 4} {
		it := relItem{ID: int64(len(items))}
		if id != 0 {
			it.SellerID = &id
		}
		items = append(items, it)
		if id >= 1 && id <= 7 {
			it.Seller = &relSeller{ID: id, Name: string(rune('a' + id - 1))}
		}
		want = append(want, it)
	}
	if err := b.Relate(ctx, items, []paginate.Inclusion{relInclusion(t, s, "seller")}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, items); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Eight distinct keys in chunks of 3, 3 and 2: lists of 3 and 2.
	var sizes []string
	for _, k := range rp.stmts.Keys() {
		_, n, _ := strings.Cut(k, "|")
		sizes = append(sizes, n)
	}
	if d := cmp.Diff([]string{"3", "2"}, sizes); d != "" {
		t.Errorf("statements for IN lists of (-want +got):\n%s", d)
	}
}
