package sql

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// render writes every segment of a position as Fetch would, for reading.
func render(d Dialect, cols []sortCol, null []bool) []string {
	var out []string
	for _, s := range segments(cols, null, d.nullOrder()) {
		text, _ := d.predicate(cols, null, s)
		out = append(out, text)
	}
	return out
}

func TestPredicates(t *testing.T) {
	a := sortCol{column: "a"}
	aDesc := sortCol{column: "a", desc: true}
	b := sortCol{column: "b"}
	bDesc := sortCol{column: "b", desc: true}
	nb := sortCol{column: "b", nullable: true}
	nbDesc := sortCol{column: "b", nullable: true, desc: true}
	id := sortCol{column: "id"}
	idDesc := sortCol{column: "id", desc: true}
	tests := []struct {
		name    string
		dialect Dialect
		cols    []sortCol
		null    []bool
		want    []string
	}{
		{"key only", SQLite, []sortCol{id}, []bool{false}, []string{"id > ?"}},
		{"row value", SQLite, []sortCol{a, b, id}, []bool{false, false, false}, []string{"(a, b, id) > (?, ?, ?)"}},
		{"row value desc", PostgreSQL, []sortCol{aDesc, idDesc}, []bool{false, false}, []string{"(a, id) < (?, ?)"}},
		{"bounded on mysql", MySQL, []sortCol{a, b, id}, []bool{false, false, false},
			[]string{"a >= ? AND (a > ? OR (a = ? AND (b > ? OR (b = ? AND id > ?))))"}},
		{"mixed directions", SQLite, []sortCol{a, bDesc, id}, []bool{false, false, false},
			[]string{"a >= ? AND (a > ? OR (a = ? AND (b < ? OR (b = ? AND id > ?))))"}},
		// NULL first (SQLite ascending): the NULL block is before any value,
		// so a value position needs no NULL segment and row values stay
		// correct (a NULL b compares unknown and is excluded).
		{"nullable, nulls first, value", SQLite, []sortCol{nb, id}, []bool{false, false}, []string{"(b, id) > (?, ?)"}},
		{"nullable, nulls first, at NULL", SQLite, []sortCol{nb, id}, []bool{true, false},
			[]string{"b IS NULL AND id > ?", "b IS NOT NULL"}},
		// NULL last (PostgreSQL ascending): values, then the NULL block.
		{"nullable, nulls last, value", PostgreSQL, []sortCol{nb, id}, []bool{false, false},
			[]string{"(b, id) > (?, ?)", "b IS NULL"}},
		{"nullable, nulls last, at NULL", PostgreSQL, []sortCol{nb, id}, []bool{true, false},
			[]string{"b IS NULL AND id > ?"}},
		{"nullable desc, nulls largest", PostgreSQL, []sortCol{nbDesc, idDesc}, []bool{true, false},
			[]string{"b IS NULL AND id < ?", "b IS NOT NULL"}},
		{"nullable desc, nulls smallest", MySQL, []sortCol{nbDesc, idDesc}, []bool{false, false},
			[]string{"b <= ? AND (b < ? OR (b = ? AND id < ?))", "b IS NULL"}},
		{"nullable in the middle", PostgreSQL, []sortCol{a, nb, id}, []bool{false, false, false},
			[]string{"a = ? AND (b, id) > (?, ?)", "a = ? AND b IS NULL", "a > ?"}},
		{"nullable in the middle at NULL", SQLite, []sortCol{a, nb, id}, []bool{false, true, false},
			[]string{"a = ? AND b IS NULL AND id > ?", "a = ? AND b IS NOT NULL", "a > ?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(tt.dialect, tt.cols, tt.null)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("predicates (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPredicateArgs checks that the placeholders take P's values in order.
func TestPredicateArgs(t *testing.T) {
	cols := []sortCol{{column: "a"}, {column: "b", desc: true}, {column: "id"}}
	null := []bool{false, false, false}
	segs := segments(cols, null, paginate.NullsSmallest)
	text, args := MySQL.predicate(cols, null, segs[0])
	if n := strings.Count(text, "?"); n != len(args) {
		t.Fatalf("%d placeholders, %d args", n, len(args))
	}
	if diff := cmp.Diff([]int{0, 0, 0, 1, 1, 2}, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}
