package httpadapter

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/related"
)

// relEncoder writes the rows of one declared relation inside an item.
type relEncoder struct {
	name   string
	field  int    // the index in the item encoder's fields of the relation's field
	key    []byte // the field's JSON key, encoded, with its colon
	many   bool
	nested *itemEncoder // the related rows' encoder: of Elem, or *Elem for []*Elem
	elem   reflect.Type // the related rows' struct type
	fields *paginate.Schema
	limit  int // has-many: the most rows an item holds
}

// relations finds, for struct items, the field of each relation s
// declares, and an encoder for its rows. Only struct items can hold
// relations.
func (e *itemEncoder) relations(s *paginate.Schema) error {
	rels := s.Relations()
	if len(rels) == 0 {
		return nil
	}
	if e.kind != structItems {
		return fmt.Errorf("httpadapter: the schema declares relations, which only struct items can hold, not %v", e.typ)
	}
	var errs []error
	for _, r := range rels {
		re, err := e.relation(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("httpadapter: %w", err))
			continue
		}
		e.rels = append(e.rels, re)
	}
	slices.SortFunc(e.rels, func(a, b relEncoder) int { return a.field - b.field })
	return errors.Join(errs...)
}

// relation finds relation r's field and builds its rows' encoder.
func (e *itemEncoder) relation(r paginate.Relation) (relEncoder, error) {
	h, err := related.Find(e.typ, r.Name, r.Kind == paginate.HasMany)
	if err != nil {
		return relEncoder{}, err
	}
	i := slices.IndexFunc(e.fields, func(jf jsonField) bool { return slices.Equal(jf.index, h.Field.Index) })
	if i < 0 {
		return relEncoder{}, fmt.Errorf("%v.%s holds the relation %q, but encoding/json does not write it: another field has its JSON key %q", e.typ, h.Field.GoName, r.Name, h.Field.JSONKey)
	}
	fs, err := paginate.NewSchema(r.Fields, "")
	if err != nil {
		return relEncoder{}, err
	}
	elem := h.Elem
	if t := e.fields[i].typ; r.Kind == paginate.HasMany {
		elem = t.Elem() // Elem or *Elem
	}
	nested, err := newItemEncoder(elem, fs)
	if err != nil {
		return relEncoder{}, fmt.Errorf("relation %q: %w", r.Name, err)
	}
	key, err := json.Marshal(e.fields[i].name)
	if err != nil {
		return relEncoder{}, err
	}
	return relEncoder{name: r.Name, field: i, key: append(key, ':'), many: r.Kind == paginate.HasMany, nested: nested, elem: h.Elem, fields: fs, limit: r.Limit}, nil
}

// schema describes the relation's member of an item: present only when
// included; a row or null (belongs-to), or an array of rows (has-many).
func (r *relEncoder) schema() *oaSchema {
	row := r.nested.schema(r.fields)
	row.Description = "A `" + r.name + "` row: its declared fields, or those its fields parameter names."
	if !r.many {
		s := orNull(row)
		s.Description = "Present when the relation `" + r.name + "` is included: the related row, or null when there is none."
		return s
	}
	if r.nested.ptr {
		row = orNull(row)
	}
	return &oaSchema{Type: "array", Items: row, MaxItems: ptrTo(r.limit),
		Description: fmt.Sprintf("Present when the relation `%s` is included: the related rows (at most %d), empty when there are none.", r.name, r.limit)}
}

// relPick is one included relation, as an item is written.
type relPick struct {
	*relEncoder
	fields []string // nil: all
}

// plain returns the fields of the item that are written when fields are
// asked for (nil: all), leaving out the fields of declared relations,
// which only an include writes.
func (e *itemEncoder) plain(fields []string) []int {
	if fields != nil {
		return e.pick(fields)
	}
	out := make([]int, 0, len(e.all))
	for _, i := range e.all {
		if !slices.ContainsFunc(e.rels, func(r relEncoder) bool { return r.field == i }) {
			out = append(out, i)
		}
	}
	return out
}

// picks returns the encoders of the included relations, in T's order
// (that of their fields), whatever the include list's.
func (e *itemEncoder) picks(include []paginate.Include) []relPick {
	var out []relPick
	for i := range e.rels {
		for _, in := range include {
			if e.rels[i].name == in.Relation {
				out = append(out, relPick{&e.rels[i], in.Fields})
			}
		}
	}
	return out
}

// encodeRelated writes items, a slice of struct items, with the plain
// fields picked and the included relations' rows: each item is its plain
// fields' object, as encodeFields writes it, followed by a member for
// each relation.
func (e *itemEncoder) encodeRelated(pb *pageBuffer, v reflect.Value, picked []int, rels []relPick) error {
	st, sparse := e.sparseType(picked)
	for _, i := range picked {
		sparse = sparse && !e.fields[i].viaPointer
	}
	var holders []reflect.Value
	if !sparse {
		holders = e.holders(picked)
	}
	b := &pb.buf
	return e.eachItem(pb, v, func(src reflect.Value) error {
		start := b.Len()
		var err error
		if sparse {
			one := reflect.New(st).Elem()
			for j, fi := range picked {
				setField(one.Field(j), src.FieldByIndex(e.fields[fi].index))
			}
			err = encodeJSON(pb, one.Interface())
		} else {
			err = e.encodeOne(pb, src, picked, holders)
		}
		if err != nil {
			return err
		}
		empty := b.Len()-start == len("{}")
		b.Truncate(b.Len() - 1) // the closing brace
		for j, r := range rels {
			if !empty || j > 0 {
				b.WriteByte(',')
			}
			b.Write(r.key)
			rv, err := src.FieldByIndexErr(e.fields[r.field].index)
			if err != nil {
				rv = reflect.Value{} // behind a nil embedded pointer: none
			}
			if err := r.encode(pb, rv); err != nil {
				return fmt.Errorf("relation %q: %w", r.name, err)
			}
		}
		b.WriteByte('}')
		return nil
	})
}

// encode writes a relation's rows, held in rv (invalid: none): a
// belongs-to row as an object or null, has-many rows as an array, []
// when there are none.
func (r relPick) encode(pb *pageBuffer, rv reflect.Value) error {
	if r.many {
		if !rv.IsValid() || rv.Len() == 0 {
			pb.buf.WriteString("[]")
			return nil
		}
		return r.nested.encode(pb, rv.Interface(), r.fields, nil)
	}
	if !rv.IsValid() || rv.IsNil() {
		pb.buf.WriteString("null")
		return nil
	}
	one := reflect.MakeSlice(reflect.SliceOf(r.elem), 1, 1)
	one.Index(0).Set(rv.Elem())
	start := pb.buf.Len()
	if err := r.nested.encode(pb, one.Interface(), r.fields, nil); err != nil {
		return err
	}
	// [{...}] without its brackets.
	out := pb.buf.Bytes()
	copy(out[start:], out[start+1:len(out)-1])
	pb.buf.Truncate(len(out) - 2)
	return nil
}
