package sql_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

type textMaker struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

type textPart struct {
	ID         int64  `db:"id"`
	ParentCode string `db:"parent_code"`
	Pos        int64  `db:"pos"`
}

type textParent struct {
	Code      string      `db:"code"`
	MakerCode *string     `db:"maker_code"`
	Maker     *textMaker  `json:"maker"`
	Parts     []*textPart `json:"parts"`
}

// TestRelateTextKeys loads relations linked by text keys, a belongs-to and
// a has-many held as pointers, on each database, through both paginators,
// and compares them with Memory's: the keys travel as a text array on
// PostgreSQL and as IN lists elsewhere.
func TestRelateTextKeys(t *testing.T) {
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "code", Type: paginate.String, Key: true},
		{Name: "maker_code", Type: paginate.String, Nullable: true},
	}, "-code",
		paginate.Relation{Name: "maker", Kind: paginate.BelongsTo, Via: "maker_code", Fields: []paginate.Field{
			{Name: "code", Type: paginate.String, Key: true}, {Name: "name", Type: paginate.String},
		}},
		paginate.Relation{Name: "parts", Kind: paginate.HasMany, Via: "parent_code", Sort: "pos", Limit: 2, Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true}, {Name: "parent_code", Type: paginate.String}, {Name: "pos", Type: paginate.Int, Sortable: true},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	parents := []textParent{{Code: "a"}, {Code: "b", MakerCode: textRef("m1")}, {Code: "c", MakerCode: textRef("m2")}, {Code: "d", MakerCode: textRef("m1")}, {Code: "e'f", MakerCode: textRef("x\"y")}}
	makers := []textMaker{{"m1", "one"}, {"m2", "two"}, {"x\"y", "quoted"}}
	parts := []textPart{{1, "a", 3}, {2, "a", 1}, {3, "a", 1}, {4, "c", 9}, {5, "e'f", 0}, {6, "zz", 1}}
	mem, err := paginate.NewMemory(parents, schema, paginate.MemoryConfig[textParent]{Related: map[string]any{"maker": makers, "parts": parts}})
	if err != nil {
		t.Fatal(err)
	}
	include := []paginate.Include{{Relation: "maker"}, {Relation: "parts"}}
	for _, bk := range testdb.Backends {
		t.Run(bk.Name, func(t *testing.T) {
			db := bk.Open(t)
			ctx := context.Background()
			p, m, c := testdb.Name("parents"), testdb.Name("makers"), testdb.Name("parts")
			for _, table := range []string{p, m, c} {
				testdb.DropTable(t, db, table)
			}
			for _, q := range []string{
				fmt.Sprintf("CREATE TABLE %s (code VARCHAR(16) PRIMARY KEY, maker_code VARCHAR(16))", p),
				fmt.Sprintf("CREATE TABLE %s (code VARCHAR(16) PRIMARY KEY, name VARCHAR(16) NOT NULL)", m),
				fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, parent_code VARCHAR(16) NOT NULL, pos INTEGER NOT NULL)", c),
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range parents {
				if _, err := db.ExecContext(ctx, db.Rebind("INSERT INTO "+p+" VALUES (?, ?)"), r.Code, r.MakerCode); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range makers {
				if _, err := db.ExecContext(ctx, db.Rebind("INSERT INTO "+m+" VALUES (?, ?)"), r.Code, r.Name); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range parts {
				if _, err := db.ExecContext(ctx, db.Rebind("INSERT INTO "+c+" VALUES (?, ?, ?)"), r.ID, r.ParentCode, r.Pos); err != nil {
					t.Fatal(err)
				}
			}
			b, err := pagesql.New[textParent](db, squirrel.Select().From(p), pagesql.Config{Schema: schema, Relations: map[string]squirrel.SelectBuilder{
				"maker": squirrel.Select().From(m), "parts": squirrel.Select().From(c),
			}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			want := pages(t, mem, schema, include)
			got := pages(t, b, schema, include)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-Memory +SQL):\n%s", d)
			}
			if len(want[0]) != 2 || want[0][0].Code != "e'f" || want[0][0].Maker == nil || len(want[0][0].Parts) != 1 {
				t.Errorf("the reference's first page is not the one written in the test: %+v", want[0])
			}
		})
	}
}

// pages returns the pages of 2 of b, by number then by cursor, with the
// relations included.
func pages(t *testing.T, b paginate.Backend[textParent], schema *paginate.Schema, include []paginate.Include) [][]textParent {
	t.Helper()
	ctx := context.Background()
	off, err := paginate.NewOffset(b, schema, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("a signing key of at least 32 bytes")}})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]textParent
	for n := 1; n <= 3; n++ {
		pg, err := off.Paginate(ctx, paginate.Request{Page: n, PerPage: 2, Include: include})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pg.Items)
	}
	req := paginate.Request{PerPage: 2, Include: include}
	for {
		pg, err := ks.Paginate(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pg.Items)
		if !pg.HasNext {
			return out
		}
		req.After = pg.NextCursor
	}
}

func textRef(s string) *string { return &s }
