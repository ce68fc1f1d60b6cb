package sql

import (
	"strings"

	"github.com/go-paginate/paginate"
)

// A keyset position is turned into predicates the database serves from an
// index. The rows strictly after a position P in the order (c0, c1, ...,
// cn-1) are the union, in this order, of
//
//	D(n-1): c0..cn-2 equal to P's, cn-1 after P's value
//	D(n-2): c0..cn-3 equal to P's, cn-2 after P's value
//	...
//	D(0):   c0 after P's value
//
// "After" a value of a nullable column has two parts when NULL sorts last
// in the column's direction: the values beyond P's value, then the NULL
// block. Writing that as "c > ? OR c IS NULL" would turn an index range
// into a scan, so each part becomes its own segment, and the backend runs
// the segments in order until the page is full. Neighbouring value parts,
// with no NULL block between them, merge into one segment holding a
// row-value comparison or the bounded expanded form.

// segKind says how a segment constrains its tail column(s).
type segKind uint8

const (
	segRange   segKind = iota // columns from..to after P's values
	segIsNull                 // column from IS NULL
	segNotNull                // column from IS NOT NULL
)

// segment is one ordered part of "after P": columns 0..from-1 equal to P's
// (IS NULL where P holds NULL), then the tail.
type segment struct {
	kind     segKind
	from, to int // tail columns; to == from except for a merged range
}

// constant returns how many leading sort columns hold one value (or
// NULL) throughout the segment.
func (s segment) constant() int {
	if s.kind == segIsNull {
		return s.from + 1
	}
	return s.from
}

// sortCol is what the predicate builder needs to know of a sort column.
type sortCol struct {
	column   string
	desc     bool
	nullable bool
}

// segments returns the segments of "after P", in sort order. null[i]
// reports that P holds NULL in column i. An empty result means no row can
// follow P.
func segments(cols []sortCol, null []bool, order paginate.NullOrder) []segment {
	var segs []segment
	for k := len(cols) - 1; k >= 0; k-- {
		c := cols[k]
		// NULL comes first in the column's direction when NULLs are the
		// smallest values and the column ascends, or the largest and it
		// descends.
		nullFirst := (order == paginate.NullsLargest) == c.desc
		if null[k] {
			if nullFirst {
				segs = append(segs, segment{kind: segNotNull, from: k, to: k})
			}
			continue
		}
		if n := len(segs); n > 0 && segs[n-1].kind == segRange && segs[n-1].from == k+1 {
			// D(k+1) is a value range right before D(k): merge them.
			segs[n-1].from = k
		} else {
			segs = append(segs, segment{kind: segRange, from: k, to: k})
		}
		if c.nullable && !nullFirst {
			segs = append(segs, segment{kind: segIsNull, from: k, to: k})
		}
	}
	return segs
}

// predicate writes the segment's condition with one "?" per value of P and
// returns the indexes of P's values the placeholders take, in order.
func (d Dialect) predicate(cols []sortCol, null []bool, s segment) (string, []int) {
	var b strings.Builder
	var args []int
	and := func() {
		if b.Len() > 0 {
			b.WriteString(" AND ")
		}
	}
	for i := 0; i < s.from; i++ {
		and()
		b.WriteString(cols[i].column)
		if null[i] {
			b.WriteString(" IS NULL")
		} else {
			b.WriteString(" = ?")
			args = append(args, i)
		}
	}
	and()
	switch s.kind {
	case segIsNull:
		b.WriteString(cols[s.from].column + " IS NULL")
	case segNotNull:
		b.WriteString(cols[s.from].column + " IS NOT NULL")
	default:
		args = d.writeRange(&b, cols, s.from, s.to, args)
	}
	return b.String(), args
}

// writeRange writes "columns from..to after P's values". One column is a
// plain comparison. Several columns in one direction become a row-value
// comparison where the planner serves it from an index; otherwise they
// become the expanded form with a redundant leading bound on the first
// column, which lets every planner seek:
//
//	a >= ? AND (a > ? OR (a = ? AND b > ?))
func (d Dialect) writeRange(b *strings.Builder, cols []sortCol, from, to int, args []int) []int {
	cmp := func(c sortCol) string {
		if c.desc {
			return " < ?"
		}
		return " > ?"
	}
	if from == to {
		b.WriteString(cols[from].column + cmp(cols[from]))
		return append(args, from)
	}
	same := true
	for i := from + 1; i <= to; i++ {
		same = same && cols[i].desc == cols[from].desc
	}
	if same && d.rowValues() {
		b.WriteByte('(')
		for i := from; i <= to; i++ {
			if i > from {
				b.WriteString(", ")
			}
			b.WriteString(cols[i].column)
			args = append(args, i)
		}
		op := ") > ("
		if cols[from].desc {
			op = ") < ("
		}
		b.WriteString(op)
		for i := from; i <= to; i++ {
			if i > from {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
		return args
	}
	lead := " >= ?"
	if cols[from].desc {
		lead = " <= ?"
	}
	b.WriteString(cols[from].column + lead + " AND ")
	args = append(args, from)
	for i := from; i < to; i++ {
		b.WriteString("(" + cols[i].column + cmp(cols[i]) + " OR (" + cols[i].column + " = ? AND ")
		args = append(args, i, i)
	}
	b.WriteString(cols[to].column + cmp(cols[to]))
	args = append(args, to)
	b.WriteString(strings.Repeat("))", to-from))
	return args
}
