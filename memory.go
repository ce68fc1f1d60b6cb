package paginate

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// MemoryConfig configures a [Memory] backend.
type MemoryConfig[T any] struct {
	// Value returns an item's value of a field, nil for NULL. If nil, the
	// value is read from T's struct field whose `db` tag, else `json` tag,
	// else name (ignoring case) matches the field's Name; nil pointers are
	// NULL and driver.Valuer values (sql.NullString and the like) are
	// asked for their value. With the default, fields a query did not ask
	// for are returned as zero values, as the SQL backend does.
	Value func(item T, field Field) any
	// Nulls says where NULL sorts. If zero, NullsSmallest.
	Nulls NullOrder
	// Collate compares strings. If nil, strings compare by bytes; set it
	// to match a database's collation when comparing against one.
	Collate func(a, b string) int
}

// Memory is a [Backend] over a slice, for small lists and as the reference
// other backends are tested against. The slice is copied and its values
// read once, by [NewMemory]; it is safe for concurrent use.
type Memory[T any] struct {
	items   []T
	vals    [][]any // vals[i][j]: item i's canonical value of field j
	schema  *Schema
	cfg     MemoryConfig[T]
	structs []int // struct field index per schema field (default Value), or nil
}

var (
	_ Backend[struct{}] = (*Memory[struct{}])(nil)
	_ NullOrderer       = (*Memory[struct{}])(nil)
)

// NewMemory returns a backend over a copy of items. Every item's values
// must convert to their fields' types.
func NewMemory[T any](items []T, schema *Schema, cfg MemoryConfig[T]) (*Memory[T], error) {
	if schema == nil {
		return nil, errors.New("paginate: NewMemory needs a schema")
	}
	m := &Memory[T]{items: slices.Clone(items), schema: schema, cfg: cfg}
	if cfg.Value == nil {
		idx, err := structFields[T](schema)
		if err != nil {
			return nil, err
		}
		m.structs = idx
	}
	m.vals = make([][]any, len(m.items))
	for i, it := range m.items {
		row := make([]any, len(schema.fields))
		for j, f := range schema.fields {
			v, err := normalize(f.Type, m.raw(it, j))
			if err != nil {
				return nil, fmt.Errorf("paginate: item %d, field %q: %w", i, f.Name, err)
			}
			if v == nil && !f.Nullable {
				return nil, fmt.Errorf("paginate: item %d: field %q is NULL but not Nullable", i, f.Name)
			}
			row[j] = v
		}
		m.vals[i] = row
	}
	return m, nil
}

// structFields maps each schema field to a struct field of T.
func structFields[T any](s *Schema) ([]int, error) {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("paginate: NewMemory: %v is not a struct; set MemoryConfig.Value", t)
	}
	idx := make([]int, len(s.fields))
	for j, f := range s.fields {
		idx[j] = -1
		for pass := 0; pass < 3 && idx[j] < 0; pass++ {
			for i := range t.NumField() {
				sf := t.Field(i)
				if !sf.IsExported() {
					continue
				}
				var name string
				switch pass {
				case 0:
					name, _, _ = strings.Cut(sf.Tag.Get("db"), ",")
				case 1:
					name, _, _ = strings.Cut(sf.Tag.Get("json"), ",")
				case 2:
					if strings.EqualFold(sf.Name, f.Name) {
						name = f.Name
					}
				}
				if name == f.Name {
					idx[j] = i
					break
				}
			}
		}
		if idx[j] < 0 {
			return nil, fmt.Errorf("paginate: NewMemory: %v has no struct field for %q", t, f.Name)
		}
	}
	return idx, nil
}

func (m *Memory[T]) raw(item T, j int) any {
	if m.cfg.Value != nil {
		return m.cfg.Value(item, m.schema.fields[j])
	}
	v := reflect.ValueOf(item).Field(m.structs[j])
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	x := v.Interface()
	if dv, ok := x.(driver.Valuer); ok {
		y, err := dv.Value()
		if err != nil {
			return err
		}
		return y
	}
	return x
}

// NullOrder returns the configured NULL order.
func (m *Memory[T]) NullOrder() NullOrder { return m.cfg.Nulls }

// Count returns how many items match q.Filters.
func (m *Memory[T]) Count(ctx context.Context, q Query) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	for i := range m.items {
		if m.matches(i, q.Filters) {
			n++
		}
	}
	return n, nil
}

// Fetch returns the items q selects.
func (m *Memory[T]) Fetch(ctx context.Context, q Query) (Result[T], error) {
	if err := ctx.Err(); err != nil {
		return Result[T]{}, err
	}
	if q.After != nil && len(q.After) != len(q.Sort) {
		return Result[T]{}, fmt.Errorf("paginate: memory: position has %d values for %d sort fields", len(q.After), len(q.Sort))
	}
	if q.Limit <= 0 || q.Offset < 0 {
		return Result[T]{}, fmt.Errorf("paginate: memory: invalid limit %d or offset %d", q.Limit, q.Offset)
	}
	cols := make([]int, len(q.Sort))
	for k, o := range q.Sort {
		j, ok := m.schema.byName[o.Field.Name]
		if !ok {
			return Result[T]{}, fmt.Errorf("paginate: memory: unknown sort field %q", o.Field.Name)
		}
		cols[k] = j
	}
	var rows []int
	for i := range m.items {
		if !m.matches(i, q.Filters) {
			continue
		}
		if q.After != nil && m.compareRow(m.vals[i], cols, q.Sort, q.After) <= 0 {
			continue
		}
		rows = append(rows, i)
	}
	slices.SortStableFunc(rows, func(a, b int) int {
		for k, j := range cols {
			c := m.compare(q.Sort[k].Field.Type, m.vals[a][j], m.vals[b][j])
			if q.Sort[k].Dir == Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if q.Offset >= int64(len(rows)) {
		rows = nil
	} else {
		rows = rows[q.Offset:]
	}
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	res := Result[T]{Items: make([]T, len(rows))}
	for n, i := range rows {
		res.Items[n] = m.project(m.items[i], q.Fields)
	}
	if q.Keys {
		res.Keys = make([][]any, len(rows))
		for n, i := range rows {
			res.Keys[n] = m.pick(m.vals[i], cols)
		}
	}
	return res, nil
}

func (m *Memory[T]) pick(row []any, cols []int) []any {
	out := make([]any, len(cols))
	for k, j := range cols {
		out[k] = row[j]
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
		i := m.structs[m.schema.byName[f.Name]]
		dst.Field(i).Set(src.Field(i))
	}
	return out
}

// compareRow compares row's values at cols with the position pos, in the
// order sort gives.
func (m *Memory[T]) compareRow(row []any, cols []int, sort []Order, pos []any) int {
	for k, j := range cols {
		c := m.compare(sort[k].Field.Type, row[j], pos[k])
		if sort[k].Dir == Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compare compares two values of type t, NULL included, in ascending
// order.
func (m *Memory[T]) compare(t Type, a, b any) int {
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
	if t == String && m.cfg.Collate != nil {
		return m.cfg.Collate(a.(string), b.(string))
	}
	return Compare(t, a, b)
}

func (m *Memory[T]) matches(i int, conds []Condition) bool {
	for _, c := range conds {
		j, ok := m.schema.byName[c.Field.Name]
		if !ok {
			return false
		}
		v := m.vals[i][j]
		if v == nil {
			return false
		}
		if !holds(c, func(w any) int { return m.compare(c.Field.Type, v, w) }) {
			return false
		}
	}
	return true
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
