package paginate

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/go-paginate/paginate/internal/related"
	"github.com/go-paginate/paginate/internal/structfield"
	"github.com/go-paginate/paginate/internal/value"
)

// memRelation is a relation's rows in a Memory, read once.
type memRelation struct {
	rel     relation
	holder  related.Holder      // the items' field holding the rows
	rows    reflect.Value       // []Elem, a copy of the configured rows
	structs []structfield.Field // the struct field of Elem per related field
	via     int                 // BelongsTo: the items' Via field; HasMany: the related Via field
	// byKey maps a BelongsTo row's key to the row; byVia maps an item's
	// key to its HasMany rows, in the relation's order.
	byKey map[any]int
	byVia map[any][]int
}

var _ Relater[struct{}] = (*Memory[struct{}])(nil)

// relations reads the related rows of every relation the schema declares
// from cfg, which must give them all and nothing else.
func (m *Memory[T]) relations(cfg map[string]any) error {
	for name := range cfg {
		if _, ok := m.schema.relByName[name]; !ok {
			return fmt.Errorf("paginate: NewMemory: MemoryConfig.Related has rows for %q, which the schema does not declare as a relation", name)
		}
	}
	if len(m.schema.relations) == 0 {
		return nil
	}
	m.rels = make(map[string]*memRelation, len(m.schema.relations))
	for _, rel := range m.schema.relations {
		rows, ok := cfg[rel.decl.Name]
		if !ok {
			return fmt.Errorf("paginate: NewMemory: MemoryConfig.Related has no rows for the relation %q", rel.decl.Name)
		}
		mr, err := m.newRelation(rel, rows)
		if err != nil {
			return fmt.Errorf("paginate: NewMemory: relation %q: %w", rel.decl.Name, err)
		}
		m.rels[rel.decl.Name] = mr
	}
	return nil
}

// newRelation reads one relation's rows, a slice of the struct type the
// items' field for the relation holds.
func (m *Memory[T]) newRelation(rel relation, rows any) (*memRelation, error) {
	h, err := related.Find(reflect.TypeFor[T](), rel.decl.Name, rel.decl.Kind == HasMany)
	if err != nil {
		return nil, err
	}
	rv := reflect.ValueOf(rows)
	if rv.Kind() != reflect.Slice || rv.Type().Elem() != h.Elem {
		return nil, fmt.Errorf("the rows are a %T; want a []%v, the type the items hold", rows, h.Elem)
	}
	mr := &memRelation{rel: rel, holder: h, rows: reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())}
	reflect.Copy(mr.rows, rv)
	if mr.structs, err = structFields(h.Elem, rel.fields); err != nil {
		return nil, err
	}
	vals, err := mr.values()
	if err != nil {
		return nil, err
	}
	if rel.decl.Kind == BelongsTo {
		mr.via = m.schema.byName[rel.via.Name]
		mr.byKey = make(map[any]int, len(vals))
		key := rel.fields.key
		kind := rel.fields.fields[key].Type.kind()
		for i, row := range vals {
			k := value.MapKey(kind, row[key])
			if _, dup := mr.byKey[k]; dup {
				return nil, fmt.Errorf("two rows have the key %v", row[key])
			}
			mr.byKey[k] = i
		}
		return mr, nil
	}
	mr.via = rel.fields.byName[rel.via.Name]
	mr.byVia = make(map[any][]int)
	kind := rel.via.Type.kind()
	for i, row := range vals {
		if v := row[mr.via]; v != nil {
			k := value.MapKey(kind, v)
			mr.byVia[k] = append(mr.byVia[k], i)
		}
	}
	cols := make([]column, len(rel.order))
	for k, o := range rel.order {
		j := rel.fields.byName[o.Field.Name]
		cols[k] = column{j: j, kind: o.Field.Type.kind(), desc: o.Dir == Desc}
	}
	for _, idx := range mr.byVia {
		slices.SortFunc(idx, func(a, b int) int { return m.compareRows(vals[a], vals[b], cols) })
	}
	return mr, nil
}

// values reads every related row's values, canonical, checking them as
// NewMemory checks the items'.
func (mr *memRelation) values() ([][]any, error) {
	vals := make([][]any, mr.rows.Len())
	for i := range vals {
		row, err := canonicalRow(mr.rel.fields.fields, func(j int) (any, error) { return structValue(mr.structs[j], mr.rows.Index(i)) })
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		vals[i] = row
	}
	return vals, nil
}

// Relate stores in each item the rows of each relation in include, as
// [Relater] says, from the rows MemoryConfig.Related gave.
func (m *Memory[T]) Relate(ctx context.Context, items []T, include []Inclusion) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, in := range include {
		mr, ok := m.rels[in.Relation.Name]
		if !ok {
			return fmt.Errorf("paginate: memory: unknown relation %q", in.Relation.Name)
		}
		if err := m.relate(mr, items, in); err != nil {
			return err
		}
	}
	return nil
}

// relate stores one relation's rows in each item.
func (m *Memory[T]) relate(mr *memRelation, items []T, in Inclusion) error {
	want, err := mr.wanted(in.Fields)
	if err != nil {
		return err
	}
	link, many := mr.via, mr.rel.decl.Kind == HasMany
	if many {
		link = m.schema.key
	}
	iv := reflect.ValueOf(items)
	for i, it := range items {
		v, err := m.raw(it, link)
		if err == nil {
			v, err = value.Normalize(m.schema.fields[link].Type.kind(), v)
		}
		if err != nil {
			return fmt.Errorf("paginate: memory: item %d, field %q: %w", i, m.schema.fields[link].Name, err)
		}
		k := value.MapKey(m.schema.fields[link].Type.kind(), v)
		if !many {
			row := reflect.Value{}
			if r, ok := mr.byKey[k]; ok && v != nil {
				row = mr.project(r, want)
			}
			mr.holder.SetOne(iv.Index(i), row)
			continue
		}
		idx := mr.byVia[k]
		idx = idx[:min(len(idx), mr.rel.decl.Limit)]
		rows := reflect.MakeSlice(reflect.SliceOf(mr.holder.Elem), len(idx), len(idx))
		for k, r := range idx {
			rows.Index(k).Set(mr.project(r, want))
		}
		mr.holder.SetMany(iv.Index(i), rows)
	}
	return nil
}

// wanted returns which related fields a relation's rows keep: those
// asked for (all when nil), its key and its Via.
func (mr *memRelation) wanted(fields []Field) ([]bool, error) {
	if fields == nil {
		return nil, nil
	}
	fs := mr.rel.fields
	want := make([]bool, len(fs.fields))
	want[fs.key] = true
	if mr.rel.decl.Kind == HasMany {
		want[mr.via] = true
	}
	for _, f := range fields {
		j, ok := fs.byName[f.Name]
		if !ok {
			return nil, fmt.Errorf("paginate: memory: relation %q has no field %q", mr.rel.decl.Name, f.Name)
		}
		want[j] = true
	}
	return want, nil
}

// project returns related row r with only the wanted fields (all when
// want is nil).
func (mr *memRelation) project(r int, want []bool) reflect.Value {
	src := mr.rows.Index(r)
	if want == nil {
		return src
	}
	dst := reflect.New(mr.holder.Elem).Elem()
	for j, ok := range want {
		if !ok {
			continue
		}
		if v, ok := mr.structs[j].Value(src); ok {
			mr.structs[j].Settable(dst).Set(v)
		}
	}
	return dst
}
