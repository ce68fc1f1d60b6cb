package paginate

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-paginate/paginate/internal/structfield"
	"github.com/go-paginate/paginate/internal/value"
)

// MemoryConfig configures a [Memory] backend.
type MemoryConfig[T any] struct {
	// Value returns an item's value of a field, nil for NULL. If nil, the
	// value is read from the struct field of T that backs the field, as
	// the package documentation's section "Declaring fields" says; nil
	// pointers are NULL and driver.Valuer values (sql.NullString and the
	// like) are asked for their value. With the default, fields a query
	// did not ask for are returned as zero values, as the SQL backend
	// does.
	Value func(item T, field Field) any
	// Nulls says where NULL sorts. If zero, NullsSmallest.
	Nulls NullOrder
	// Collate compares strings. If nil, strings compare by bytes; set it
	// to match a database's collation when comparing against one. It
	// also decides the Prefix and Contains filters: a value starts with
	// (contains) a filter value of n characters when its first n
	// characters (any n consecutive ones) collate equal to it. Without
	// Collate those filters compare bytes, so they are case-sensitive.
	Collate func(a, b string) int
	// Related holds the rows of the relations the schema declares, by
	// relation name: for each, a slice of the struct type that the items'
	// field for the relation holds ([]Seller for a Seller *Seller field,
	// []Review for Reviews []Review or []*Review), whose fields back the
	// relation's fields as the section "Declaring fields" says. Every
	// declared relation needs its rows. If nil, the schema must declare
	// none.
	Related map[string]any
}

// Memory is a [Backend] over a slice, for small lists and as the reference
// other backends are tested against. The slice is copied and its values
// read once, by [NewMemory]; it is safe for concurrent use. Floats sort
// as PostgreSQL sorts them: NaN equals NaN and sorts above +Infinity.
type Memory[T any] struct {
	items   []T
	vals    [][]any // vals[i][j]: item i's canonical value of field j
	schema  *Schema
	cfg     MemoryConfig[T]
	structs []structfield.Field // the struct field per schema field (default Value), or nil
	rels    map[string]*memRelation
}

var (
	_ Backend[struct{}] = (*Memory[struct{}])(nil)
	_ NullOrderer       = (*Memory[struct{}])(nil)
)

// NewMemory returns a backend over a copy of items. Every item's values
// must convert to their fields' types, and be non-NULL where a field is
// not Nullable.
func NewMemory[T any](items []T, schema *Schema, cfg MemoryConfig[T]) (*Memory[T], error) {
	if schema == nil {
		return nil, errors.New("paginate: NewMemory needs a schema")
	}
	m := &Memory[T]{items: slices.Clone(items), schema: schema, cfg: cfg}
	if cfg.Value == nil {
		fs, err := structFields(reflect.TypeFor[T](), schema)
		if err != nil {
			return nil, fmt.Errorf("paginate: NewMemory: %w", err)
		}
		m.structs = fs
	}
	m.vals = make([][]any, len(m.items))
	for i, it := range m.items {
		row, err := canonicalRow(schema.fields, func(j int) (any, error) { return m.raw(it, j) })
		if err != nil {
			return nil, fmt.Errorf("paginate: item %d: %w", i, err)
		}
		m.vals[i] = row
	}
	if err := m.relations(cfg.Related); err != nil {
		return nil, err
	}
	return m, nil
}

// canonicalRow returns one row's canonical values of fields, read by raw
// (the value of fields[j]), checking that each converts to its field's
// type and is NULL only where the field is Nullable.
func canonicalRow(fields []Field, raw func(j int) (any, error)) ([]any, error) {
	row := make([]any, len(fields))
	for j, f := range fields {
		v, err := raw(j)
		if err == nil {
			v, err = value.Normalize(f.Type.kind(), v)
		}
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Name, err)
		}
		if v == nil && !f.Nullable {
			return nil, fmt.Errorf("field %q is NULL but not Nullable", f.Name)
		}
		row[j] = v
	}
	return row, nil
}

// structFields finds the struct field of t behind each schema field.
func structFields(t reflect.Type, s *Schema) ([]structfield.Field, error) {
	st, err := structfield.Of(t)
	if err != nil {
		return nil, fmt.Errorf("%w; set MemoryConfig.Value", err)
	}
	fs := make([]structfield.Field, len(s.fields))
	for j, f := range s.fields {
		if fs[j], err = st.Find(f.Name, f.Column); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// raw returns an item's value of schema field j, as T holds it.
func (m *Memory[T]) raw(item T, j int) (any, error) {
	if m.cfg.Value != nil {
		return m.cfg.Value(item, m.schema.fields[j]), nil
	}
	return structValue(m.structs[j], reflect.ValueOf(item))
}

// structValue returns the value of struct field f of v as a backend reads
// it: see [structfield.Interface].
func structValue(f structfield.Field, v reflect.Value) (any, error) {
	x, ok := f.Value(v)
	if !ok {
		return nil, nil
	}
	return structfield.Interface(x)
}

// NullOrder returns the configured NULL order.
func (m *Memory[T]) NullOrder() NullOrder { return m.cfg.Nulls }

// Count returns how many items match q.Filters.
func (m *Memory[T]) Count(ctx context.Context, q Query) (int64, error) {
	return m.CountAtMost(ctx, q, -1)
}

var _ AtMostCounter = (*Memory[struct{}])(nil)

// CountAtMost returns how many items match q.Filters, stopping at limit;
// a negative limit counts every item.
func (m *Memory[T]) CountAtMost(ctx context.Context, q Query, limit int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	conds, err := m.conditions(q.Filters)
	if err != nil {
		return 0, err
	}
	var n int64
	for i := range m.items {
		if n == limit {
			break
		}
		if m.matches(i, conds) {
			n++
		}
	}
	return n, nil
}

// column is one sort key of a query, resolved against the schema.
type column struct {
	j    int // the schema field's index
	kind value.Kind
	desc bool
}

// Fetch returns the items q selects.
func (m *Memory[T]) Fetch(ctx context.Context, q Query) (Result[T], error) {
	if err := ctx.Err(); err != nil {
		return Result[T]{}, err
	}
	if q.Limit <= 0 || q.Offset < 0 {
		return Result[T]{}, fmt.Errorf("paginate: memory: invalid limit %d or offset %d", q.Limit, q.Offset)
	}
	cols, after, err := m.order(q)
	if err != nil {
		return Result[T]{}, err
	}
	conds, err := m.conditions(q.Filters)
	if err != nil {
		return Result[T]{}, err
	}
	var rows []int
	for i := range m.items {
		if m.matches(i, conds) && (after == nil || m.compareRows(m.vals[i], after, cols) > 0) {
			rows = append(rows, i)
		}
	}
	slices.SortStableFunc(rows, func(a, b int) int { return m.compareRows(m.vals[a], m.vals[b], cols) })
	rows = rows[min(q.Offset, int64(len(rows))):]
	rows = rows[:min(q.Limit, len(rows))]
	res := Result[T]{Items: make([]T, len(rows))}
	if q.Keys {
		res.Keys = make([][]any, len(rows))
	}
	for n, i := range rows {
		res.Items[n] = m.project(m.items[i], q.Fields)
		if q.Keys {
			res.Keys[n] = m.pick(m.vals[i], cols)
		}
	}
	return res, nil
}

// order resolves q's sort against the schema, each field at most once,
// and checks q's position: one canonical value, or nil in a nullable
// field, per sort key. It returns the position as a row, its values in
// the sort fields' places, so that rows compare with it as with each
// other.
func (m *Memory[T]) order(q Query) ([]column, []any, error) {
	if q.After != nil && len(q.After) != len(q.Sort) {
		return nil, nil, fmt.Errorf("paginate: memory: position has %d values for %d sort fields", len(q.After), len(q.Sort))
	}
	cols := make([]column, len(q.Sort))
	var pos []any
	if q.After != nil {
		pos = make([]any, len(m.schema.fields))
	}
	for k, o := range q.Sort {
		j, ok := m.schema.byName[o.Field.Name]
		if !ok || slices.ContainsFunc(cols[:k], func(c column) bool { return c.j == j }) {
			return nil, nil, fmt.Errorf("paginate: memory: unknown or repeated sort field %q", o.Field.Name)
		}
		f := m.schema.fields[j]
		cols[k] = column{j: j, kind: f.Type.kind(), desc: o.Dir == Desc}
		if q.After == nil {
			continue
		}
		if v := q.After[k]; (v == nil && !f.Nullable) || (v != nil && !value.Canonical(f.Type.kind(), v)) {
			return nil, nil, fmt.Errorf("paginate: memory: position value %d (%T) does not fit field %q", k, v, f.Name)
		}
		pos[j] = q.After[k]
	}
	return cols, pos, nil
}

// conditions checks that every filter names a schema field and holds
// canonical values of its type, so that comparisons cannot fail.
func (m *Memory[T]) conditions(conds []Condition) ([]condition, error) {
	out := make([]condition, len(conds))
	for i, c := range conds {
		j, ok := m.schema.byName[c.Field.Name]
		if !ok {
			return nil, fmt.Errorf("paginate: memory: unknown filter field %q", c.Field.Name)
		}
		if !c.Op.valid() || len(c.Values) == 0 || (c.Op != In && len(c.Values) != 1) {
			return nil, fmt.Errorf("paginate: memory: filter on %q: %d values for %v", c.Field.Name, len(c.Values), c.Op)
		}
		f := m.schema.fields[j]
		if reason := opProblem(f, c.Op); reason != "" {
			return nil, fmt.Errorf("paginate: memory: filter on %q: %s", c.Field.Name, reason)
		}
		k := c.Op.valueType(f.Type).kind()
		for _, v := range c.Values {
			if !value.Canonical(k, v) {
				return nil, fmt.Errorf("paginate: memory: filter value %#v does not fit field %q", v, c.Field.Name)
			}
		}
		out[i] = condition{Condition: c, j: j, kind: k}
	}
	return out, nil
}

// condition is a filter resolved against the schema.
type condition struct {
	Condition
	j    int
	kind value.Kind
}

func (m *Memory[T]) pick(row []any, cols []column) []any {
	out := make([]any, len(cols))
	for k, c := range cols {
		out[k] = row[c.j]
	}
	return out
}

// project zeroes the fields not asked for, when values come from struct
// fields.
func (m *Memory[T]) project(item T, fields []Field) T {
	if fields == nil || m.structs == nil {
		return item
	}
	var out T
	src, dst := reflect.ValueOf(item), reflect.ValueOf(&out).Elem()
	for _, f := range fields {
		sf := m.structs[m.schema.byName[f.Name]]
		if v, ok := sf.Value(src); ok {
			sf.Settable(dst).Set(v)
		}
	}
	return out
}

// compareRows compares two rows of values (an item's, or a position's)
// in the order cols give.
func (m *Memory[T]) compareRows(a, b []any, cols []column) int {
	for _, c := range cols {
		r := m.compare(c.kind, a[c.j], b[c.j])
		if c.desc {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

// compare compares two canonical values of kind k, NULL included, in
// ascending order.
func (m *Memory[T]) compare(k value.Kind, a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil || b == nil:
		c := -1 // a is NULL
		if b == nil {
			c = 1
		}
		if m.cfg.Nulls == NullsLargest {
			c = -c
		}
		return c
	}
	if k == value.String && m.cfg.Collate != nil {
		return m.cfg.Collate(a.(string), b.(string))
	}
	// Every value here is canonical: NewMemory normalized the items', and
	// Fetch and Count checked the query's.
	c, _ := value.Compare(k, a, b)
	return c
}

func (m *Memory[T]) matches(i int, conds []condition) bool {
	for _, c := range conds {
		v := m.vals[i][c.j]
		var ok bool
		switch {
		case c.Op == IsNull:
			ok = (v == nil) == c.Values[0].(bool)
		case v == nil:
			ok = false
		case c.Op == Prefix || c.Op == Contains:
			ok = m.matchText(c.Op, v.(string), c.Values[0].(string))
		default:
			ok = holds(c.Condition, func(w any) int { return m.compare(c.kind, v, w) })
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchText reports whether s starts with p (op Prefix) or contains it
// (Contains). Without Collate that is a comparison of bytes. With
// Collate, a run of s's characters as long as p (the first run, for
// Prefix; any, for Contains) must collate equal to p, which is how
// databases match a LIKE pattern's literal characters under a collation:
// character by character, never by expanding one character into two.
func (m *Memory[T]) matchText(op Op, s, p string) bool {
	if m.cfg.Collate == nil {
		if op == Prefix {
			return strings.HasPrefix(s, p)
		}
		return strings.Contains(s, p)
	}
	n := utf8.RuneCountInString(p)
	for start := 0; start < len(s); {
		end := start
		for k := 0; k < n; k++ {
			if end == len(s) {
				return false // fewer than n characters left
			}
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
		}
		if m.cfg.Collate(s[start:end], p) == 0 {
			return true
		}
		if op == Prefix {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[start:])
		start += w
	}
	return false
}

// holds reports whether a condition holds for a value, given a function
// comparing the value with one of the condition's values.
func holds(c Condition, cmpTo func(any) int) bool {
	switch c.Op {
	case Eq:
		return cmpTo(c.Values[0]) == 0
	case Ne:
		return cmpTo(c.Values[0]) != 0
	case Lt:
		return cmpTo(c.Values[0]) < 0
	case Lte:
		return cmpTo(c.Values[0]) <= 0
	case Gt:
		return cmpTo(c.Values[0]) > 0
	case Gte:
		return cmpTo(c.Values[0]) >= 0
	case In:
		for _, w := range c.Values {
			if cmpTo(w) == 0 {
				return true
			}
		}
	}
	return false
}
