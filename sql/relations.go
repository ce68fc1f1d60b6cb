package sql

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/squirrel"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/related"
	"github.com/go-paginate/paginate/internal/structfield"
	"github.com/go-paginate/paginate/internal/value"
)

// Relations are loaded by [Backend.Relate] with one statement per
// relation and page (two only when a belongs-to relation's distinct keys
// would pass a dialect's limit on bound parameters, which a page of
// paginate.PerPageLimit items cannot), never one per item:
//
//   - belongs-to: the related rows whose key is one of the page's
//     distinct, non-NULL Via values: key = ANY($1) on PostgreSQL, with
//     the values as one array argument, so that the statement is the same
//     for every page; key IN (?, ?, ...) elsewhere, the list padded (by
//     repeating its last value) to a power of two, so that a handful of
//     statements serve every page size.
//   - has-many: at most Limit rows per item in the relation's order,
//     numbered by ROW_NUMBER() OVER (PARTITION BY via ORDER BY ...) over
//     the rows whose Via is one of the page's keys, keeping the numbers
//     up to Limit, on SQLite (3.25 or later), MariaDB (10.2 or later) and
//     MySQL (8.0 or later); on PostgreSQL a LATERAL join from the keys,
//     unnested from one array argument, to each key's first Limit rows,
//     which an index on (via, order columns) serves by reading only those
//     rows, however many more an item has.
//
// The related rows are scanned into new values of the struct type the
// items' field holds, each column into the struct field that backs the
// related field by the module's rule (db tag, json tag, Go name; see
// package paginate), and matched to the items by their canonical key
// values.

// hasManyForm is how a has-many relation's rows are fetched.
type hasManyForm uint8

const (
	hasManyWindow  hasManyForm = iota // ROW_NUMBER() over the keys' rows
	hasManyLateral                    // a LATERAL join per key (PostgreSQL)
)

// hasManyForm returns the dialect's form: see the comment above.
//
// On PostgreSQL both forms are index-served; measured with pgbench -M
// prepared on PostgreSQL 15 over the example's 1,000,000 items and
// 4,000,000 reviews (0 to 8 per item), for 50 items: ROW_NUMBER() 0.23 ms
// and LATERAL 0.33 ms for consecutive ids, 0.66 and 0.69 ms for scattered
// ones, but for 50 items of 500 reviews each ROW_NUMBER() 2.7 ms, which
// reads every review of the items, and LATERAL 0.28 ms, which reads three
// per item. LATERAL's cost is bounded by the limit, whatever an item
// holds, so PostgreSQL gets it. SQLite and MariaDB have no LATERAL join.
func (d Dialect) hasManyForm() hasManyForm {
	if d == PostgreSQL {
		return hasManyLateral
	}
	return hasManyWindow
}

// maxBound is the most bound parameters one statement may carry on the
// dialect: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32766 since 3.32, which
// github.com/mattn/go-sqlite3 bundles) and the 65535 of MySQL's and
// PostgreSQL's protocols.
func (d Dialect) maxBound() int {
	if d == SQLite {
		return 32766
	}
	return 65535
}

// relPlan is one relation of the schema, as the backend loads it.
type relPlan struct {
	name   string
	kind   paginate.RelationKind
	base   *baseQuery
	holder related.Holder   // the items' field holding the rows
	fields []paginate.Field // the relation's fields
	dests  []*dest          // where each of fields is stored in holder.Elem
	link   *dest            // the items' field the rows link to
	// linkType is the type of the link values: the key's.
	linkType paginate.Type
	form     hasManyForm
	maxIn    int // the most values an IN list may carry
	stmts    *lru.Cache[string, *relStmt]
}

// relStmt is one compiled statement of a relation: for a set of fields,
// and for an IN list of a size.
type relStmt struct {
	plan  stmtPlan
	dests []*dest // the fields' destinations, in select-list order
	rn    bool    // a row number follows the fields
}

// compileRelations checks the relations' base queries and finds where
// the rows of each are stored in T.
func (c *common) compileRelations(t reflect.Type, bases map[string]squirrel.SelectBuilder) error {
	rels := c.schema.Relations()
	var errs []error
	for name := range bases {
		if _, ok := c.schema.Relation(name); !ok {
			errs = append(errs, fmt.Errorf("paginate/sql: Config.Relations names %q, which the schema does not declare as a relation", name))
		}
	}
	c.relations = make(map[string]*relPlan, len(rels))
	for _, r := range rels {
		base, ok := bases[r.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("paginate/sql: Config.Relations has no base query for the relation %q", r.Name))
			continue
		}
		rp, err := c.newRelPlan(t, r, base)
		if err != nil {
			errs = append(errs, fmt.Errorf("paginate/sql: relation %q: %w", r.Name, err))
			continue
		}
		c.relations[r.Name] = rp
	}
	return errors.Join(errs...)
}

// newRelPlan compiles one relation.
func (c *common) newRelPlan(t reflect.Type, r paginate.Relation, sb squirrel.SelectBuilder) (*relPlan, error) {
	base, err := splitBase(sb)
	if err != nil {
		return nil, err
	}
	if base.suffix.sql != "" {
		return nil, errors.New("the base query has suffixes; a relation's rows are read in a subquery, where they cannot go")
	}
	h, err := related.Find(t, r.Name, r.Kind == paginate.HasMany)
	if err != nil {
		return nil, err
	}
	st, err := structfield.Of(h.Elem)
	if err != nil {
		return nil, err
	}
	rp := &relPlan{name: r.Name, kind: r.Kind, base: base, holder: h, fields: r.Fields, form: c.dialect.hasManyForm()}
	rp.dests = make([]*dest, len(r.Fields))
	for i, f := range r.Fields {
		sf, err := st.Find(f.Name, f.Column)
		if err != nil {
			return nil, err
		}
		rp.dests[i] = newDest(h.Elem, sf.Index)
	}
	link := c.schema.Key()
	if r.Kind == paginate.BelongsTo {
		link, _ = c.schema.Field(r.Via) // validated by paginate.NewSchema
	}
	rp.link, rp.linkType = c.dests[c.byName[link.Name]], link.Type
	rp.maxIn = c.dialect.maxBound() - len(base.head.args) - len(base.from.args) - len(base.where.args) - len(base.group.args)
	rp.stmts, _ = lru.New[string, *relStmt](c.cacheSize)
	return rp, nil
}

var _ paginate.Relater[struct{}] = (*Backend[struct{}])(nil)

// Relate stores in each item the rows of each relation in include, as
// paginate.Relater says, with one statement per relation (see the
// package documentation's section "Relations").
func (b *Backend[T]) Relate(ctx context.Context, items []T, include []paginate.Inclusion) error {
	for _, in := range include {
		rp, ok := b.c.relations[in.Relation.Name]
		if !ok {
			return fmt.Errorf("paginate/sql: relate: unknown relation %q", in.Relation.Name)
		}
		if err := b.relate(ctx, rp, reflect.ValueOf(items), in); err != nil {
			return fmt.Errorf("paginate/sql: relate %q: %w", rp.name, b.c.timeoutErr(err))
		}
	}
	return nil
}

// relate loads one relation's rows for items, a []T, and stores them.
func (b *Backend[T]) relate(ctx context.Context, rp *relPlan, items reflect.Value, in paginate.Inclusion) error {
	kind := value.Kind(rp.linkType)
	links := make([]any, items.Len()) // each item's link, a map key; nil for NULL
	var keys []any                    // the distinct links, canonical
	seen := make(map[any]bool)
	for i := range links {
		raw, err := structfield.Interface(fieldValue(items.Index(i), rp.link.path))
		var v any
		if err == nil {
			v, err = value.Normalize(kind, raw)
		}
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		if v == nil {
			continue
		}
		k := value.MapKey(kind, v)
		links[i] = k
		if !seen[k] {
			seen[k] = true
			keys = append(keys, v)
		}
	}
	found := make(map[any]reflect.Value)
	if len(keys) > 0 {
		if err := b.load(ctx, rp, in, keys, found); err != nil {
			return err
		}
	}
	for i, k := range links {
		row := found[k] // invalid when none
		if rp.kind == paginate.BelongsTo {
			rp.holder.SetOne(items.Index(i), row)
		} else {
			rp.holder.SetMany(items.Index(i), row)
		}
	}
	return nil
}

// fieldValue returns the field at path in v, or the zero Value when an
// embedded pointer on the way is nil.
func fieldValue(v reflect.Value, path []int) reflect.Value {
	f, err := v.FieldByIndexErr(path)
	if err != nil {
		return reflect.Value{}
	}
	return f
}

// load runs the relation's statements for keys and stores the rows in
// found by link: a value of the related type for belongs-to, a slice of
// them for has-many.
func (b *Backend[T]) load(ctx context.Context, rp *relPlan, in paginate.Inclusion, keys []any, found map[any]reflect.Value) error {
	want, err := rp.wanted(in)
	if err != nil {
		return err
	}
	if b.c.dialect == PostgreSQL {
		st, err := b.c.relStmt(rp, in, want, 1)
		if err != nil {
			return err
		}
		return b.scanRelated(ctx, rp, st, []any{b.c.pgArray(rp.linkType, keys)}, found)
	}
	for chunk := range slices.Chunk(keys, rp.maxIn) {
		n := 1
		for n < len(chunk) {
			n *= 2
		}
		n = min(n, rp.maxIn)
		st, err := b.c.relStmt(rp, in, want, n)
		if err != nil {
			return err
		}
		args := make([]any, n)
		for i := range args {
			args[i] = b.c.bind(chunk[min(i, len(chunk)-1)])
		}
		if err := b.scanRelated(ctx, rp, st, args, found); err != nil {
			return err
		}
	}
	return nil
}

// wanted returns which of the relation's fields a statement selects: the
// fields asked for (all when nil), the key and, for has-many, Via.
func (rp *relPlan) wanted(in paginate.Inclusion) ([]bool, error) {
	want := make([]bool, len(rp.fields))
	for i, f := range rp.fields {
		want[i] = in.Fields == nil || f.Key || (rp.kind == paginate.HasMany && f.Name == in.Via.Name)
	}
	for _, f := range in.Fields {
		i := slices.IndexFunc(rp.fields, func(g paginate.Field) bool { return g.Name == f.Name })
		if i < 0 {
			return nil, fmt.Errorf("no field %q", f.Name)
		}
		want[i] = true
	}
	return want, nil
}

// scanRelated runs st with args and stores its rows in found.
func (b *Backend[T]) scanRelated(ctx context.Context, rp *relPlan, st *relStmt, vals []any, found map[any]reflect.Value) error {
	args := make([]any, len(st.plan.args))
	for i, r := range st.plan.args {
		if r.kind == argConst {
			args[i] = r.value
		} else {
			args[i] = vals[r.i]
		}
	}
	rows, e, err := b.query(ctx, st.plan.sql, args)
	if err != nil {
		return err
	}
	defer e.release()
	defer rows.Close()
	kind := value.Kind(rp.linkType)
	var link any
	var rn int64
	ptrs := make([]any, 1+len(st.dests)+1)
	ptrs[0], ptrs[len(ptrs)-1] = &link, &rn
	if !st.rn {
		ptrs = ptrs[:len(ptrs)-1]
	}
	many := rp.kind == paginate.HasMany
	sliceType := reflect.SliceOf(rp.holder.Elem)
	for rows.Next() {
		row := reflect.New(rp.holder.Elem).Elem()
		for i, d := range st.dests {
			ptrs[1+i] = d.ptr(row)
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		v, err := value.Normalize(kind, link)
		if err != nil {
			return fmt.Errorf("link value: %w", err)
		}
		k := value.MapKey(kind, v)
		if !many {
			found[k] = row
			continue
		}
		s, ok := found[k]
		if !ok {
			s = reflect.MakeSlice(sliceType, 0, 4)
		}
		found[k] = reflect.Append(s, row)
	}
	return rows.Err()
}

// relStmt returns the compiled statement that loads the wanted fields of
// rp's rows for n link values (PostgreSQL: one array of them), compiling
// it on a miss.
func (c *common) relStmt(rp *relPlan, in paginate.Inclusion, want []bool, n int) (*relStmt, error) {
	var kb strings.Builder
	for _, w := range want {
		if w {
			kb.WriteByte('1')
		} else {
			kb.WriteByte('0')
		}
	}
	kb.WriteByte('|')
	kb.WriteString(strconv.Itoa(n))
	key := kb.String()
	if st, ok := rp.stmts.Get(key); ok {
		return st, nil
	}
	st, err := c.compileRelStmt(rp, in, want, n)
	if err != nil {
		return nil, err
	}
	rp.stmts.Add(key, st)
	return st, nil
}

// compileRelStmt compiles a relation's statement; see relStmt.
func (c *common) compileRelStmt(rp *relPlan, in paginate.Inclusion, want []bool, n int) (*relStmt, error) {
	st := &relStmt{}
	var list, outer []string
	for i, f := range rp.fields {
		if want[i] {
			list = append(list, f.ColumnName()+" AS "+c.dialect.quote(f.Name))
			outer = append(outer, "_r."+c.dialect.quote(f.Name))
			st.dests = append(st.dests, rp.dests[i])
		}
	}
	values := func(col string) fragment {
		if c.dialect == PostgreSQL {
			return fragment{sql: col + " = ANY(?)", args: []argRef{{kind: argLink}}}
		}
		f := fragment{sql: col + " IN (" + squirrel.Placeholders(n) + ")"}
		for i := range n {
			f.args = append(f.args, argRef{kind: argLink, i: i})
		}
		return f
	}
	var w fragment
	switch {
	case rp.kind == paginate.BelongsTo:
		key := in.Key.ColumnName()
		w = rp.base.selectOver(key+" AS _l, "+strings.Join(list, ", "), []fragment{values(key)}, fragment{}, false)
	case rp.form == hasManyLateral:
		// The keys, each joined to its first Limit rows; the row number
		// keeps their order through the join.
		st.rn = true
		order := orderBy(relOrder(in.Order))
		inner := rp.base.selectOver(strings.Join(list, ", ")+", ROW_NUMBER() OVER (ORDER BY "+order+") AS _rn",
			[]fragment{{sql: in.Via.ColumnName() + " = _p._l"}},
			fragment{sql: " ORDER BY " + order + " LIMIT " + strconv.Itoa(in.Relation.Limit)}, false)
		w = fragment{sql: "SELECT _p._l, " + strings.Join(outer, ", ") + ", _r._rn FROM unnest(?::" + pgArrayType(rp.linkType) + "[]) AS _p(_l) CROSS JOIN LATERAL (", args: []argRef{{kind: argLink}}}
		w.add(inner)
		w.sql += ") _r ORDER BY _r._rn"
	default:
		// The rows of all the keys, numbered per key in the relation's
		// order; the first Limit of each are kept.
		st.rn = true
		via := in.Via.ColumnName()
		inner := rp.base.selectOver(via+" AS _l, "+strings.Join(list, ", ")+", ROW_NUMBER() OVER (PARTITION BY "+via+" ORDER BY "+orderBy(relOrder(in.Order))+") AS _rn",
			[]fragment{values(via)}, fragment{}, false)
		w = fragment{sql: "SELECT _r._l, " + strings.Join(outer, ", ") + ", _r._rn FROM ("}
		w.add(inner)
		w.sql += ") _r WHERE _r._rn <= " + strconv.Itoa(in.Relation.Limit) + " ORDER BY _r._rn"
	}
	plan, err := w.plan(c.dialect)
	if err != nil {
		return nil, err
	}
	plan.sql = c.timed(plan.sql)
	st.plan = plan
	return st, nil
}

// relOrder returns the sort columns of a relation's order.
func relOrder(order []paginate.Order) []sortCol {
	cols := make([]sortCol, len(order))
	for i, o := range order {
		cols[i] = sortCol{column: o.Field.ColumnName(), desc: o.Dir == paginate.Desc, nullable: o.Field.Nullable}
	}
	return cols
}

// pgArrayType is the PostgreSQL type of an array of link values.
func pgArrayType(t paginate.Type) string {
	switch t {
	case paginate.Int:
		return "int8"
	case paginate.Float:
		return "float8"
	case paginate.Bool:
		return "bool"
	case paginate.Time:
		return "timestamptz"
	case paginate.Bytes:
		return "bytea"
	case paginate.Decimal:
		return "numeric"
	}
	return "text"
}

// pgArray returns canonical link values as one PostgreSQL array argument:
// a Go slice of their type, which pgx binds as an array.
func (c *common) pgArray(t paginate.Type, vals []any) any {
	switch t {
	case paginate.Int:
		return typed[int64](vals, c)
	case paginate.Float:
		return typed[float64](vals, c)
	case paginate.Bool:
		return typed[bool](vals, c)
	case paginate.Time:
		return typed[time.Time](vals, c)
	case paginate.Bytes:
		return typed[[]byte](vals, c)
	}
	return typed[string](vals, c)
}

// typed returns vals, bound for the dialect, as a []V.
func typed[V any](vals []any, c *common) []V {
	out := make([]V, len(vals))
	for i, v := range vals {
		out[i], _ = c.bind(v).(V)
	}
	return out
}
