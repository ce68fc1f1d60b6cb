// Package structfield finds the Go struct field that backs a declared
// field of go-paginate, by one rule that every package of the module
// follows (package paginate documents it for users, under "Declaring
// fields"):
//
//  1. A field whose `db` tag is the declared field's column (its Column,
//     or its Name when Column is empty) or its Name.
//  2. Else a field whose `json` tag names it the declared field's Name.
//  3. Else a field whose Go name equals the Name, ignoring case
//     ("CreatedAt" backs "createdat", not "created_at").
//
// The first step that finds a field decides. Fields of embedded structs
// (and pointers to structs) without a db or json name are promoted, as
// encoding/json promotes them; within a step the shallowest match wins,
// and two matches at the same depth are an error that names both, never a
// silent choice. Unexported fields, and fields tagged `db:"-"` or
// `json:"-"`, back nothing. A Column that is a qualified name or an
// expression ("t.name", "COUNT(*)") can only be matched by Name.
//
// The package uses only the standard library.
package structfield

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
)

// Field is the struct field that backs a declared field.
type Field struct {
	// Index is the field's index path, for reflect.Value.FieldByIndex;
	// it passes through embedded structs.
	Index []int
	// Type is the field's type.
	Type reflect.Type
	// GoName is the field's Go name.
	GoName string
	// JSONKey is the key encoding/json writes the field under: its json
	// tag's name, or its Go name.
	JSONKey string
	// viaPointer reports that Index passes through an embedded pointer.
	viaPointer bool
}

// Value returns the field of v, a struct of the type the field was found
// in. It returns false when an embedded pointer on the way is nil.
func (f Field) Value(v reflect.Value) (reflect.Value, bool) {
	if !f.viaPointer {
		return v.FieldByIndex(f.Index), true
	}
	x, err := v.FieldByIndexErr(f.Index)
	return x, err == nil
}

// Interface returns the value x, a struct field's value (invalid when
// the field lies behind a nil embedded pointer), as a backend reads a
// value to compare or to bind: nil for an invalid value or a nil
// pointer, a pointer's element, a driver.Valuer's Value.
func Interface(x reflect.Value) (any, error) {
	for x.IsValid() && x.Kind() == reflect.Pointer {
		if x.IsNil() {
			return nil, nil
		}
		x = x.Elem()
	}
	if !x.IsValid() {
		return nil, nil
	}
	v := x.Interface()
	if dv, ok := v.(driver.Valuer); ok {
		return dv.Value()
	}
	return v, nil
}

// Settable returns the field of v, an addressable struct of the type the
// field was found in, allocating nil embedded pointers on the way, as
// encoding/json does when it decodes.
func (f Field) Settable(v reflect.Value) reflect.Value {
	for i, x := range f.Index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// Struct is the fields of a struct type that can back declared fields.
type Struct struct {
	typ        reflect.Type
	candidates []candidate
}

// candidate is one field that can back a declared field.
type candidate struct {
	Field
	db, json string // the tags' names; "" when absent
}

// Of lists the fields of t, a struct type, that can back declared fields.
func Of(t reflect.Type) (*Struct, error) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%v is not a struct", t)
	}
	s := &Struct{typ: t}
	s.collect(t, nil, false, map[reflect.Type]bool{t: true})
	return s, nil
}

// collect adds the fields of t, found at index path index, following
// embedded structs; seen holds the struct types on the path, so that a
// type embedding itself through a pointer ends.
func (s *Struct) collect(t reflect.Type, index []int, viaPointer bool, seen map[reflect.Type]bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		db, dbTagged := tagName(sf.Tag, "db")
		js, jsTagged := tagName(sf.Tag, "json")
		if (dbTagged && db == "-") || (jsTagged && sf.Tag.Get("json") == "-") {
			continue
		}
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && db == "" && js == "" {
			et, ptr := sf.Type, false
			if et.Kind() == reflect.Pointer {
				et, ptr = et.Elem(), true
			}
			// encoding/json cannot allocate an unexported embedded
			// pointer, and neither can a scanner: such a struct is
			// skipped, as encoding/json skips it.
			if et.Kind() == reflect.Struct && !seen[et] && (sf.IsExported() || !ptr) {
				seen[et] = true
				s.collect(et, idx, viaPointer || ptr, seen)
				delete(seen, et)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		key := js
		if key == "" {
			key = sf.Name
		}
		s.candidates = append(s.candidates, candidate{
			Field: Field{Index: idx, Type: sf.Type, GoName: sf.Name, JSONKey: key, viaPointer: viaPointer},
			db:    db, json: js,
		})
	}
}

// tagName returns the name part of a struct tag and whether the tag is
// present.
func tagName(tag reflect.StructTag, key string) (string, bool) {
	v, ok := tag.Lookup(key)
	name, _, _ := strings.Cut(v, ",")
	return name, ok
}

// Find returns the field that backs the declared field name whose column
// is column ("" when it has none), by the package's rule.
func (s *Struct) Find(name, column string) (Field, error) {
	if column == "" {
		column = name
	}
	steps := [...]struct {
		what  string
		match func(c candidate) bool
	}{
		{"db tag", func(c candidate) bool { return c.db != "" && (c.db == column || c.db == name) }},
		{"json tag", func(c candidate) bool { return c.json == name }},
		{"name", func(c candidate) bool { return strings.EqualFold(c.GoName, name) }},
	}
	for _, step := range steps {
		var found []candidate
		for _, c := range s.candidates {
			if !step.match(c) {
				continue
			}
			switch {
			case len(found) == 0 || len(c.Index) < len(found[0].Index):
				found = []candidate{c}
			case len(c.Index) == len(found[0].Index):
				found = append(found, c)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0].Field, nil
		}
		return Field{}, fmt.Errorf("%v has two fields for %q by %s, %s and %s: tag one of them `db:\"-\"` or rename it", s.typ, name, step.what, found[0].path(s.typ), found[1].path(s.typ))
	}
	return Field{}, fmt.Errorf("%v has no field for %q: give one the tag `db:%q`", s.typ, name, name)
}

// path names the field as a selector from t: "Base.CreatedAt".
func (c candidate) path(t reflect.Type) string {
	var b strings.Builder
	for i, x := range c.Index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		sf := t.Field(x)
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(sf.Name)
		t = sf.Type
	}
	return b.String()
}
