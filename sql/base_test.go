package sql

import (
	"strings"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
)

// piece is a fragment written out for comparison: text and constant
// arguments.
type piece struct {
	SQL  string
	Args []any
}

func pieceOf(tb testing.TB, f fragment) piece {
	tb.Helper()
	p := piece{SQL: f.sql}
	for _, a := range f.args {
		if a.kind != argConst {
			tb.Fatalf("base fragment %q holds a %d argument", f.sql, a.kind)
		}
		p.Args = append(p.Args, a.value)
	}
	return p
}

// TestBaseParts pins how the base query is read through squirrel's
// rendering: each clause's text and arguments land in their piece. A
// squirrel release that renders SELECTs differently fails here (or with
// errBaseLayout).
func TestBaseParts(t *testing.T) {
	sub := squirrel.Select("id").From("items").Where("kind = ?", "s").OrderBy("id").Limit(5).Offset(2)
	tests := []struct {
		name string
		base squirrel.SelectBuilder
		want map[string]piece
		wrap bool
	}{{
		name: "minimal",
		base: squirrel.Select("ignored").From("items"),
		want: map[string]piece{"head": {SQL: "SELECT "}, "from": {SQL: " FROM items"}},
	}, {
		name: "every clause",
		base: squirrel.Select("ignored").
			Prefix("WITH recent AS (SELECT id FROM items WHERE created > ?)", 10).
			Distinct().
			From("items i").
			Join("recent r ON r.id = i.id").
			LeftJoin("cats c ON c.id = i.cat AND c.kind = ?", "k").
			Where("i.a = ? OR i.b = ?", 1, 2).
			Where(squirrel.Eq{"i.c": 3}).
			GroupBy("i.id").
			Having("COUNT(*) > ?", 4).
			Suffix("/* note */ FOR UPDATE").
			Suffix("NOWAIT").
			PlaceholderFormat(squirrel.Dollar),
		want: map[string]piece{
			"head":   {SQL: "WITH recent AS (SELECT id FROM items WHERE created > ?) SELECT DISTINCT ", Args: []any{10}},
			"from":   {SQL: " FROM items i JOIN recent r ON r.id = i.id LEFT JOIN cats c ON c.id = i.cat AND c.kind = ?", Args: []any{"k"}},
			"where":  {SQL: "i.a = ? OR i.b = ? AND i.c = ?", Args: []any{1, 2, 3}},
			"group":  {SQL: " GROUP BY i.id HAVING COUNT(*) > ?", Args: []any{4}},
			"suffix": {SQL: "/* note */ FOR UPDATE NOWAIT"},
		},
		wrap: true,
	}, {
		name: "ORDER BY, LIMIT and OFFSET inside a subquery and a literal",
		base: squirrel.Select().FromSelect(sub, "s").Where("s.note <> 'x ORDER BY y LIMIT 3 OFFSET 4'"),
		want: map[string]piece{
			"head":  {SQL: "SELECT "},
			"from":  {SQL: " FROM (SELECT id FROM items WHERE kind = ? ORDER BY id LIMIT 5 OFFSET 2) AS s", Args: []any{"s"}},
			"where": {SQL: "s.note <> 'x ORDER BY y LIMIT 3 OFFSET 4'"},
		},
	}, {
		name: "GROUP BY alone",
		base: squirrel.Select().From("items").GroupBy("kind"),
		want: map[string]piece{"head": {SQL: "SELECT "}, "from": {SQL: " FROM items"}, "group": {SQL: " GROUP BY kind"}},
		wrap: true,
	}, {
		name: "lower-case distinct option",
		base: squirrel.Select().Options("distinct").From("items"),
		want: map[string]piece{"head": {SQL: "SELECT distinct "}, "from": {SQL: " FROM items"}},
		wrap: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := splitBase(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]piece{}
			for name, f := range map[string]fragment{"head": b.head, "from": b.from, "where": b.where, "group": b.group, "suffix": b.suffix} {
				if p := pieceOf(t, f); p.SQL != "" || p.Args != nil {
					got[name] = p
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pieces (-want +got):\n%s", diff)
			}
			if b.wrap != tt.wrap {
				t.Errorf("wrap %v, want %v", b.wrap, tt.wrap)
			}
		})
	}
}

// TestBaseRefused checks the bases New refuses, each with an error that
// names what to change.
func TestBaseRefused(t *testing.T) {
	base := squirrel.Select().From("items i")
	tests := []struct {
		name string
		base squirrel.SelectBuilder
		want string
	}{
		{"ORDER BY", base.OrderBy("i.name"), "sets ORDER BY"},
		{"ORDER BY with an argument", base.OrderByClause("i.name = ?", "x"), "sets ORDER BY"},
		{"ORDER BY and LIMIT", base.OrderBy("i.name").Limit(3), "sets ORDER BY"},
		{"LIMIT", base.Limit(10), "sets LIMIT"},
		{"LIMIT and OFFSET", base.Limit(10).Offset(5), "sets LIMIT"},
		{"OFFSET", base.Offset(10), "sets OFFSET"},
		{"LIMIT as a suffix", base.Suffix("limit 5"), "sets LIMIT"},
		{"ORDER BY as a suffix", base.Suffix("ORDER BY i.name"), "sets ORDER BY"},
		{"no FROM", squirrel.Select(), "has no FROM"},
		{"a join without FROM", squirrel.Select().Join("cats c ON true"), "has no FROM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := splitBase(tt.base)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestSelectOver checks how a statement is composed over the base: the
// base's conditions parenthesized before the backend's, GROUP BY and
// HAVING before the tail, the suffixes last, and the placeholders numbered
// in that order for PostgreSQL.
func TestSelectOver(t *testing.T) {
	b, err := splitBase(squirrel.Select().
		Prefix("WITH r AS (SELECT id FROM items WHERE id > ?)", 1).
		From("items i").Join("r ON r.id = i.id").
		Where("i.a = ? OR i.b = ?", 2, 3).
		GroupBy("i.id").Having("COUNT(*) > ?", 4).
		Suffix("FOR UPDATE"))
	if err != nil {
		t.Fatal(err)
	}
	conds := []fragment{
		{sql: "i.c = ?", args: []argRef{{kind: argFilter}}},
		{sql: "(i.d > ?)", args: []argRef{{kind: argAfter}}},
	}
	tail := fragment{sql: " ORDER BY i.d ASC LIMIT 21 OFFSET ?", args: []argRef{{kind: argOffset}}}
	for _, tt := range []struct {
		d          Dialect
		withSuffix bool
		want       string
	}{
		{SQLite, true, "WITH r AS (SELECT id FROM items WHERE id > ?) SELECT i.id FROM items i JOIN r ON r.id = i.id WHERE (i.a = ? OR i.b = ?) AND i.c = ? AND (i.d > ?) GROUP BY i.id HAVING COUNT(*) > ? ORDER BY i.d ASC LIMIT 21 OFFSET ? FOR UPDATE"},
		{PostgreSQL, true, "WITH r AS (SELECT id FROM items WHERE id > $1) SELECT i.id FROM items i JOIN r ON r.id = i.id WHERE (i.a = $2 OR i.b = $3) AND i.c = $4 AND (i.d > $5) GROUP BY i.id HAVING COUNT(*) > $6 ORDER BY i.d ASC LIMIT 21 OFFSET $7 FOR UPDATE"},
		{MySQL, false, "WITH r AS (SELECT id FROM items WHERE id > ?) SELECT i.id FROM items i JOIN r ON r.id = i.id WHERE (i.a = ? OR i.b = ?) AND i.c = ? AND (i.d > ?) GROUP BY i.id HAVING COUNT(*) > ? ORDER BY i.d ASC LIMIT 21 OFFSET ?"},
	} {
		p, err := b.selectOver("i.id", conds, tail, tt.withSuffix).plan(tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if p.sql != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.d, p.sql, tt.want)
		}
		var kinds []argKind
		for _, a := range p.args {
			kinds = append(kinds, a.kind)
		}
		want := []argKind{argConst, argConst, argConst, argFilter, argAfter, argConst, argOffset}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Errorf("%s: argument sources (-want +got):\n%s", tt.d, diff)
		}
	}
}
