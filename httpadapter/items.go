package httpadapter

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/structfield"
)

// itemKind is the shape of the items an itemEncoder writes.
type itemKind uint8

const (
	// otherItems are written whole by encoding/json, fields or not.
	otherItems itemKind = iota
	// structItems are structs or pointers to structs, limited to fields
	// by the struct fields the schema's fields name.
	structItems
	// mapItems are maps with string keys, limited to fields by key.
	mapItems
)

// itemEncoder encodes a page's items: whole, or limited to some fields,
// with non-finite floats as strings. It is safe for concurrent use.
type itemEncoder struct {
	kind   itemKind
	ptr    bool         // the items are pointers to structs
	typ    reflect.Type // the struct or map type
	fields []jsonField  // the struct's encoded fields, in order
	// bySchema maps a schema field name to its index in fields.
	bySchema map[string]int
	// all indexes every field: whole items holding a non-finite float are
	// written as if all their fields were asked for.
	all []int
	// rewritable says that whole items may be written that way: neither
	// the type nor its pointer has a marshaler of its own.
	rewritable bool
	// rels are the relations the schema declares, whose fields only an
	// include writes (related.go).
	rels []relEncoder

	mu     sync.RWMutex
	types  map[string]reflect.Type // sparse struct type per field set
	single []reflect.Type          // one-field struct type per field
}

// jsonField is one field encoding/json writes for a struct.
type jsonField struct {
	index  []int
	typ    reflect.Type
	tag    string // the json tag, with the Go name when it has none
	name   string // the JSON key
	tagged bool   // the key comes from the json tag
	quoted bool   // the tag has the string option
	// viaPointer says the field lies behind an embedded pointer, which
	// hides it from encoding/json when nil.
	viaPointer bool
}

// maxSparseTypes bounds the cache of sparse struct types, and so the
// number built: field sets past it are encoded field by field.
const maxSparseTypes = 256

// newItemEncoder returns the encoder of items of type t, whose fields s
// declares. The struct field behind each declared field is found by the
// module's one rule (package paginate, "Declaring fields"); a declared
// field that no field of a struct item backs, or that two back, is an
// error, as is one whose struct field encoding/json does not write.
func newItemEncoder(t reflect.Type, s *paginate.Schema) (*itemEncoder, error) {
	e := &itemEncoder{kind: otherItems}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		e.ptr, t = true, t.Elem()
	}
	e.typ = t
	switch {
	case t.Kind() == reflect.Struct:
		e.kind = structItems
		e.fields = structFields(t)
		bySchema, err := e.backing(s)
		if err != nil {
			return nil, err
		}
		e.bySchema = bySchema
		e.all = make([]int, len(e.fields))
		for i := range e.all {
			e.all[i] = i
		}
		e.types = make(map[string]reflect.Type)
		e.rewritable = !marshals(t)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && !e.ptr:
		e.kind = mapItems
		e.rewritable = !marshals(t)
	}
	if err := e.relations(s); err != nil {
		return nil, err
	}
	return e, nil
}

// backing maps each field s declares to the index in e.fields of the
// struct field behind it, found by [structfield.Struct.Find].
func (e *itemEncoder) backing(s *paginate.Schema) (map[string]int, error) {
	st, err := structfield.Of(e.typ)
	if err != nil {
		return nil, fmt.Errorf("httpadapter: %w", err)
	}
	bySchema := make(map[string]int)
	var errs []error
	for _, f := range s.Fields() {
		sf, err := st.Find(f.Name, f.Column)
		if err != nil {
			errs = append(errs, fmt.Errorf("httpadapter: %w", err))
			continue
		}
		i := slices.IndexFunc(e.fields, func(jf jsonField) bool { return slices.Equal(jf.index, sf.Index) })
		if i < 0 {
			errs = append(errs, fmt.Errorf("httpadapter: %v.%s backs field %q, but encoding/json does not write it: another field has its JSON key %q", e.typ, sf.GoName, f.Name, sf.JSONKey))
			continue
		}
		bySchema[f.Name] = i
	}
	return bySchema, errors.Join(errs...)
}

// marshals reports whether t or *t encodes itself, as json.Marshaler or
// encoding.TextMarshaler.
func marshals(t reflect.Type) bool {
	for _, m := range [...]reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

// structFields lists the fields encoding/json writes for t, in its order:
// the fields of embedded structs without a json name are promoted, and
// of the fields sharing a name the shallowest wins, then the only tagged
// one among the shallowest; otherwise none is written.
func structFields(t reflect.Type) []jsonField {
	all := collectFields(t, nil, false, map[reflect.Type]bool{t: true})
	byName := make(map[string][]int)
	for i, f := range all {
		byName[f.name] = append(byName[f.name], i)
	}
	keep := make([]bool, len(all))
	for _, same := range byName {
		if w := dominant(all, same); w >= 0 {
			keep[w] = true
		}
	}
	out := all[:0]
	for i, f := range all {
		if keep[i] {
			out = append(out, f)
		}
	}
	return out
}

// collectFields lists t's fields and those promoted from its embedded
// structs, skipping a struct already on the path (a cycle).
func collectFields(t reflect.Type, index []int, viaPointer bool, onPath map[reflect.Type]bool) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(slices.Clip(index), i)
		if sf.Anonymous && name == "" {
			et, ptr := sf.Type, false
			if et.Kind() == reflect.Pointer {
				et, ptr = et.Elem(), true
			}
			if et.Kind() == reflect.Struct {
				if !onPath[et] {
					onPath[et] = true
					out = append(out, collectFields(et, idx, viaPointer || ptr, onPath)...)
					delete(onPath, et)
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		f := jsonField{index: idx, typ: sf.Type, tag: tag, name: name, tagged: name != "", viaPointer: viaPointer}
		if name == "" {
			f.name = sf.Name
		}
		if !hasTag || strings.HasPrefix(tag, ",") {
			f.tag = sf.Name + tag
		}
		f.quoted = slices.Contains(strings.Split(opts, ","), "string")
		out = append(out, f)
	}
	return out
}

// dominant returns which of the fields all[same], sharing a name,
// encoding/json writes, or -1 for none.
func dominant(all []jsonField, same []int) int {
	depth := len(all[same[0]].index)
	for _, i := range same {
		depth = min(depth, len(all[i].index))
	}
	top, tagged := -1, -1
	nTop, nTagged := 0, 0
	for _, i := range same {
		if len(all[i].index) != depth {
			continue
		}
		top, nTop = i, nTop+1
		if all[i].tagged {
			tagged, nTagged = i, nTagged+1
		}
	}
	switch {
	case nTop == 1:
		return top
	case nTagged == 1:
		return tagged
	}
	return -1
}

// encode writes items, a slice, as a JSON array into pb.buf: with the
// fields asked for (nil: all) and the relations included, whose fields
// are left out otherwise.
func (e *itemEncoder) encode(pb *pageBuffer, items any, fields []string, include []paginate.Include) error {
	v := reflect.ValueOf(items)
	if v.Len() == 0 {
		pb.buf.WriteString("[]")
		return nil
	}
	if len(e.rels) > 0 {
		picked := e.plain(fields)
		if rels := e.picks(include); len(rels) > 0 {
			return e.encodeRelated(pb, v, picked, rels)
		}
		return e.encodeFields(pb, v, picked)
	}
	if fields == nil {
		err := encodeJSON(pb, items)
		var unsupported *json.UnsupportedValueError
		if err == nil || !errors.As(err, &unsupported) || !e.rewritable {
			return err
		}
		// A NaN or an infinity, which encoding/json refuses.
		switch e.kind {
		case structItems:
			return e.encodeFields(pb, v, e.all)
		case mapItems:
			return encodeJSON(pb, e.finiteMaps(v, nil))
		}
		return err
	}
	switch e.kind {
	case structItems:
		return e.encodeFields(pb, v, e.pick(fields))
	case mapItems:
		return encodeJSON(pb, e.finiteMaps(v, fields))
	}
	return encodeJSON(pb, items)
}

// encodeJSON writes v with encoding/json, without the Encoder's newline.
// On error nothing is written.
func encodeJSON(pb *pageBuffer, v any) error {
	if err := pb.enc.Encode(v); err != nil {
		return err
	}
	pb.buf.Truncate(pb.buf.Len() - 1)
	return nil
}

// pick returns the indexes in e.fields of the requested schema fields, in
// the struct's order, so the keys come out as in a full item.
func (e *itemEncoder) pick(fields []string) []int {
	picked := make([]int, 0, len(fields))
	for _, name := range fields {
		if i, ok := e.bySchema[name]; ok {
			picked = append(picked, i)
		}
	}
	slices.Sort(picked)
	return picked
}

// encodeFields writes the picked fields of each struct item: copied into
// a struct type holding just those fields, when the type cache has room
// and no picked field can be hidden by a nil embedded pointer, else field
// by field.
func (e *itemEncoder) encodeFields(pb *pageBuffer, v reflect.Value, picked []int) error {
	for _, i := range picked {
		if e.fields[i].viaPointer {
			return e.encodeByField(pb, v, picked)
		}
	}
	st, ok := e.sparseType(picked)
	if !ok {
		return e.encodeByField(pb, v, picked)
	}
	return encodeJSON(pb, e.sparseStructs(v, picked, st))
}

// sparseStructs copies the picked fields of each item into a slice of st,
// a struct type holding only those fields.
func (e *itemEncoder) sparseStructs(v reflect.Value, picked []int, st reflect.Type) any {
	elem := st
	if e.ptr {
		elem = reflect.PointerTo(st)
	}
	out := reflect.MakeSlice(reflect.SliceOf(elem), v.Len(), v.Len())
	for i := range v.Len() {
		src := v.Index(i)
		dst := out.Index(i)
		if e.ptr {
			if src.IsNil() {
				continue
			}
			src = src.Elem()
			p := reflect.New(st)
			dst.Set(p)
			dst = p.Elem()
		}
		for j, fi := range picked {
			setField(dst.Field(j), src.FieldByIndex(e.fields[fi].index))
		}
	}
	return out.Interface()
}

// setField sets dst to src, converting a float to its finite-safe type.
func setField(dst, src reflect.Value) {
	if src.Type() != dst.Type() {
		src = src.Convert(dst.Type())
	}
	dst.Set(src)
}

// sparseType returns the struct type holding the picked fields with their
// JSON tags, building and caching it while the cache has room. Once it is
// full, ok is false and no type is built: reflect keeps every type it
// builds, so building one per field set a client asks for would grow
// memory without bound.
func (e *itemEncoder) sparseType(picked []int) (t reflect.Type, ok bool) {
	var kb strings.Builder
	for _, i := range picked {
		kb.WriteString(strconv.Itoa(i))
		kb.WriteByte(',')
	}
	k := kb.String()
	e.mu.RLock()
	t, ok = e.types[k]
	e.mu.RUnlock()
	if ok {
		return t, true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok = e.types[k]; ok {
		return t, true
	}
	if len(e.types) >= maxSparseTypes {
		return nil, false
	}
	sfs := make([]reflect.StructField, len(picked))
	for j, i := range picked {
		sfs[j] = e.structField(i, j)
	}
	t = reflect.StructOf(sfs)
	e.types[k] = t
	return t, true
}

// structField is field i of the item, as field j of a sparse struct: same
// tag, same type but for floats, which become their finite-safe type.
func (e *itemEncoder) structField(i, j int) reflect.StructField {
	f := e.fields[i]
	return reflect.StructField{
		Name: "F" + strconv.Itoa(j),
		Type: finiteSafe(f.typ, f.quoted),
		Tag:  reflect.StructTag(`json:` + strconv.Quote(f.tag)),
	}
}

// singleType returns the struct type holding only field i, built once per
// field.
func (e *itemEncoder) singleType(i int) reflect.Type {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.single == nil {
		e.single = make([]reflect.Type, len(e.fields))
	}
	if e.single[i] == nil {
		e.single[i] = reflect.StructOf([]reflect.StructField{e.structField(i, 0)})
	}
	return e.single[i]
}

// encodeByField writes the picked fields of each item without a struct
// type for the set: each field is encoded on its own, as the only field
// of a struct, and the members are joined into one object. encoding/json
// encodes a struct's fields independently, so the result is the same as
// sparseStructs gives; a field behind a nil embedded pointer is left out,
// as encoding/json leaves it out.
func (e *itemEncoder) encodeByField(pb *pageBuffer, v reflect.Value, picked []int) error {
	holders := e.holders(picked)
	return e.eachItem(pb, v, func(src reflect.Value) error {
		return e.encodeOne(pb, src, picked, holders)
	})
}

// holders returns a one-field struct value per picked field, for
// encodeOne.
func (e *itemEncoder) holders(picked []int) []reflect.Value {
	holders := make([]reflect.Value, len(picked))
	for j, fi := range picked {
		holders[j] = reflect.New(e.singleType(fi)).Elem()
	}
	return holders
}

// eachItem writes the items of v, a slice, as a JSON array: null for a
// nil pointer item, and each other item, its struct value, with write.
func (e *itemEncoder) eachItem(pb *pageBuffer, v reflect.Value, write func(src reflect.Value) error) error {
	b := &pb.buf
	b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			b.WriteByte(',')
		}
		src := v.Index(i)
		if e.ptr {
			if src.IsNil() {
				b.WriteString("null")
				continue
			}
			src = src.Elem()
		}
		if err := write(src); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

// encodeOne writes one item's picked fields as an object, through the
// one-field holders.
func (e *itemEncoder) encodeOne(pb *pageBuffer, src reflect.Value, picked []int, holders []reflect.Value) error {
	b := &pb.buf
	open := false
	for j, fi := range picked {
		f, err := src.FieldByIndexErr(e.fields[fi].index)
		if err != nil {
			continue // behind a nil embedded pointer
		}
		setField(holders[j].Field(0), f)
		start := b.Len()
		if err := pb.enc.Encode(holders[j].Interface()); err != nil {
			return err
		}
		// {"key":value}\n, or {}\n when the field is omitted. The first
		// member keeps the brace; the others turn it into a comma.
		if b.Len()-start == len("{}\n") {
			b.Truncate(start)
			continue
		}
		if open {
			b.Bytes()[start] = ','
		}
		open = true
		b.Truncate(b.Len() - len("}\n"))
	}
	if !open {
		b.WriteByte('{')
	}
	b.WriteByte('}')
	return nil
}

// finiteMaps copies each map item, keeping only the keys in fields (all
// when fields is nil), with non-finite float values as strings.
func (e *itemEncoder) finiteMaps(v reflect.Value, fields []string) []map[string]any {
	out := make([]map[string]any, v.Len())
	for i := range v.Len() {
		src := v.Index(i)
		if src.IsNil() {
			continue
		}
		m := make(map[string]any, src.Len())
		if fields == nil {
			for it := src.MapRange(); it.Next(); {
				m[it.Key().String()] = finiteValue(it.Value())
			}
		} else {
			for _, f := range fields {
				if val := src.MapIndex(reflect.ValueOf(f).Convert(e.typ.Key())); val.IsValid() {
					m[f] = finiteValue(val)
				}
			}
		}
		out[i] = m
	}
	return out
}

// finiteValue returns a map value as encoding/json should see it: a NaN
// or an infinity (a float, or a pointer to one, without a marshaler of
// its own) as its string, anything else as it is.
func finiteValue(v reflect.Value) any {
	x := v
	if x.Kind() == reflect.Interface && !x.IsNil() {
		x = x.Elem()
	}
	if x.Kind() == reflect.Pointer && !x.IsNil() && !marshals(x.Type()) {
		x = x.Elem()
	}
	if (x.Kind() == reflect.Float64 || x.Kind() == reflect.Float32) && !marshals(x.Type()) {
		if s := nonFinite(x.Float()); s != "" {
			return s
		}
	}
	return v.Interface()
}

// nonFinite returns the JSON string a NaN or an infinity is written as,
// or "" for a finite number.
func nonFinite(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	return ""
}

// finiteSafe returns the type a sparse struct holds a field of type t in:
// a float type without a marshaler of its own (or an unnamed pointer to
// one) becomes the float type of the same size whose MarshalJSON writes
// non-finite values as strings; any other type stays. quoted is the
// field's string option, which encoding/json does not apply to a type
// with a MarshalJSON method, so the type applies it.
func finiteSafe(t reflect.Type, quoted bool) reflect.Type {
	if marshals(t) {
		return t
	}
	switch t.Kind() {
	case reflect.Float64:
		if quoted {
			return reflect.TypeFor[quotedFloat64]()
		}
		return reflect.TypeFor[finiteFloat64]()
	case reflect.Float32:
		if quoted {
			return reflect.TypeFor[quotedFloat32]()
		}
		return reflect.TypeFor[finiteFloat32]()
	case reflect.Pointer:
		if et := t.Elem(); t.Name() == "" && (et.Kind() == reflect.Float64 || et.Kind() == reflect.Float32) && !marshals(et) {
			return reflect.PointerTo(finiteSafe(et, quoted))
		}
	}
	return t
}

// Floats as encoding/json writes them, but NaN, +Inf and -Inf as the
// strings "NaN", "Infinity" and "-Infinity"; the quoted kinds, for fields
// with the string option, write finite values as strings too.
type (
	finiteFloat64 float64
	finiteFloat32 float32
	quotedFloat64 float64
	quotedFloat32 float32
)

func (f finiteFloat64) MarshalJSON() ([]byte, error) { return marshalFloat(float64(f), 64, false) }
func (f finiteFloat32) MarshalJSON() ([]byte, error) { return marshalFloat(float64(f), 32, false) }
func (f quotedFloat64) MarshalJSON() ([]byte, error) { return marshalFloat(float64(f), 64, true) }
func (f quotedFloat32) MarshalJSON() ([]byte, error) { return marshalFloat(float64(f), 32, true) }

func marshalFloat(x float64, bits int, quoted bool) ([]byte, error) {
	if s := nonFinite(x); s != "" {
		return []byte(`"` + s + `"`), nil
	}
	var b []byte
	var err error
	if bits == 32 {
		b, err = json.Marshal(float32(x))
	} else {
		b, err = json.Marshal(x)
	}
	if err != nil || !quoted {
		return b, err
	}
	return []byte(`"` + string(b) + `"`), nil
}
