// Package related finds and fills the field of an item struct that holds
// the rows of a declared relation (package paginate, type Relation), for
// every package of the module that reads or writes it: the in-memory
// backend, the SQL backend and the HTTP writer. The field is found by the
// module's one rule for struct fields (package structfield) for the
// relation's name; a belongs-to relation is held in a pointer to a struct
// (*Seller), a has-many one in a slice of structs or of pointers to
// structs ([]Review, []*Review).
//
// The package uses only the standard library.
package related

import (
	"fmt"
	"reflect"

	"github.com/go-paginate/paginate/internal/structfield"
)

// Holder is the field of an item type that holds a relation's rows.
type Holder struct {
	// Field is the struct field.
	Field structfield.Field
	// Elem is the related rows' struct type.
	Elem reflect.Type
	// Many reports a has-many relation's slice.
	Many bool
	// elemPtr reports a slice of pointers.
	elemPtr bool
}

// Find returns the field of t, a struct type, that holds the rows of the
// relation name: one (a pointer to a struct) or many (a slice of structs
// or of pointers to structs).
func Find(t reflect.Type, name string, many bool) (Holder, error) {
	st, err := structfield.Of(t)
	if err != nil {
		return Holder{}, err
	}
	f, err := st.Find(name, "")
	if err != nil {
		return Holder{}, fmt.Errorf("relation %q: %w", name, err)
	}
	h := Holder{Field: f, Many: many}
	ft := f.Type
	switch {
	case !many && ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
		h.Elem = ft.Elem()
	case many && ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
		h.Elem = ft.Elem()
	case many && ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem().Kind() == reflect.Struct:
		h.Elem, h.elemPtr = ft.Elem().Elem(), true
	case many:
		return Holder{}, fmt.Errorf("%v.%s holds the has-many relation %q, so it must be a slice of structs or of pointers to structs, not %v", t, f.GoName, name, ft)
	default:
		return Holder{}, fmt.Errorf("%v.%s holds the belongs-to relation %q, so it must be a pointer to a struct (nil when there is no related row), not %v", t, f.GoName, name, ft)
	}
	return h, nil
}

// SetOne stores in item, an addressable value of the item type, a
// pointer to a copy of row, a value of Elem; or nil when row is not
// valid (the zero reflect.Value).
func (h Holder) SetOne(item, row reflect.Value) {
	dst := h.Field.Settable(item)
	if !row.IsValid() {
		dst.SetZero()
		return
	}
	p := reflect.New(h.Elem)
	p.Elem().Set(row)
	dst.Set(p)
}

// SetMany stores in item, an addressable value of the item type, rows, a
// slice of Elem (possibly nil): as it is, or as a slice of pointers to
// its elements, and empty rather than nil when there are none.
func (h Holder) SetMany(item, rows reflect.Value) {
	dst := h.Field.Settable(item)
	n := 0
	if rows.IsValid() {
		n = rows.Len()
	}
	if !h.elemPtr {
		if n == 0 {
			dst.Set(reflect.MakeSlice(dst.Type(), 0, 0))
			return
		}
		dst.Set(rows)
		return
	}
	out := reflect.MakeSlice(dst.Type(), n, n)
	for i := range n {
		out.Index(i).Set(rows.Index(i).Addr())
	}
	dst.Set(out)
}
