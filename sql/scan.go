package sql

import (
	"database/sql"
	"fmt"
	"reflect"
	"time"
)

// Rows are scanned without sqlx's per-row reflection over names: each
// request shape knows, once, which struct field (by index path) or which
// sort-key slot every column goes to. A Fetch scans each row into one
// row value of T, reset to zero before each row and appended to the page
// when complete, so the addresses of its fields (reflect.Value.Addr of the
// field at its index path, as an interface holding a typed pointer, which
// does not allocate) are taken once per Fetch, and rows.Scan writes
// straight into them. Only a field behind an embedded struct pointer,
// which each row allocates anew as sqlx does, is found again per row.
//
// A sort column is selected once and scanned into its key slot as the
// driver's value. When the field is also wanted in T and its type is one an
// assigner handles, the value is then copied into the field, so a sort
// field costs neither a second column nor a second conversion.

var (
	scannerType = reflect.TypeFor[sql.Scanner]()
	timeType    = reflect.TypeFor[time.Time]()
	bytesType   = reflect.TypeFor[[]byte]()
)

// dest is where a schema field is stored in T.
type dest struct {
	path []int        // the field's index path in T, as FieldByIndex takes it
	typ  reflect.Type // the field's type
	// direct reports that no embedded pointer lies on the path, so the
	// field's address in a row stays the same while the row is reused.
	direct bool
	assign assignFunc // nil: scan the column into the field
	// codec, when not nil, decodes the column's stored values (SQLite
	// times in the column's own layout, see sqlitetime.go) before they
	// reach the field.
	codec valueCodec
}

func newDest(t reflect.Type, path []int) *dest {
	d := &dest{path: path, direct: true}
	st := t
	for _, j := range path {
		if st.Kind() == reflect.Pointer {
			d.direct = false
			st = st.Elem()
		}
		st = st.Field(j).Type
	}
	d.typ = st
	d.assign = assignerFor(st)
	return d
}

// overwritten reports whether scanning (or assigning) a column into the
// field replaces everything the field held, whatever it held: the field
// is reached without an embedded pointer (which a row allocates and a
// reused row would share) and is of a type database/sql and the
// assigners store whole, a basic kind, time.Time, []byte (copied from
// the driver) or a pointer to one of those (NULL sets it nil, a value
// stores it in a new element). A type with its own Scan method might
// keep what it held, so it is not, nor a field whose values a codec
// decodes (they reach it through a Scanner).
func (d *dest) overwritten() bool {
	return d.direct && d.codec == nil && wholeType(d.typ, true)
}

func wholeType(t reflect.Type, ptrOK bool) bool {
	if reflect.PointerTo(t).Implements(scannerType) {
		return false
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Struct:
		return t == timeType
	case reflect.Slice:
		return t == bytesType
	case reflect.Pointer:
		return ptrOK && wholeType(t.Elem(), false)
	}
	return false
}

// ptr returns the address of the field in row, an addressable value of
// type T, as a typed pointer (*int64, *string, ...) in an interface.
func (d *dest) ptr(row reflect.Value) any {
	return fieldOf(row, d.path).Addr().Interface()
}

// target returns what a column scans into for the field in row: the
// field's address, or, for a field whose values a codec decodes, a
// Scanner that decodes the value and stores it in the field.
func (d *dest) target(row reflect.Value) any {
	if d.codec == nil {
		return d.ptr(row)
	}
	return decodingScanner(d.ptr(row), d.assign, d.codec)
}

// fieldOf returns the addressable field at path in v, allocating nil
// embedded struct pointers on the way as sqlx does.
func fieldOf(v reflect.Value, path []int) reflect.Value {
	for i, j := range path {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(j)
	}
	return v
}

// assignFunc stores a driver value (as scanned into an *any) in the field
// ptr points to, converting it as database/sql would. ptr is the field's
// address as [dest.ptr] returns it.
type assignFunc func(ptr any, v any) error

// assignerFor returns an assigner for fields of type t, or nil when such a
// field is better scanned by database/sql directly. The common exact types
// take the driver's value without reflection.
func assignerFor(t reflect.Type) assignFunc {
	slow := reflectAssigner(t)
	if slow == nil {
		return nil
	}
	switch t {
	case reflect.TypeFor[int64]():
		return exact[int64](slow)
	case reflect.TypeFor[string]():
		return exact[string](slow)
	case reflect.TypeFor[float64]():
		return exact[float64](slow)
	case timeType:
		return exact[time.Time](slow)
	}
	return slow
}

// exact returns an assigner that stores a driver value of type V as it
// is, or the V a non-nil *V points to (a key slot holds a decoded SQLite
// time so, see shape.decodeKeys), and hands any other value to slow.
func exact[V any](slow assignFunc) assignFunc {
	return func(ptr any, v any) error {
		switch x := v.(type) {
		case V:
			*ptr.(*V) = x
			return nil
		case *V:
			if x != nil {
				*ptr.(*V) = *x
				return nil
			}
		}
		return slow(ptr, v)
	}
}

// reflectAssigner is assignerFor's general case. A *time.Time, which no
// driver returns, is a decoded SQLite time from a key slot: it is stored
// as the time.Time it points to.
func reflectAssigner(t reflect.Type) assignFunc {
	if reflect.PointerTo(t).Implements(scannerType) {
		return func(ptr any, v any) error {
			return ptr.(sql.Scanner).Scan(derefTime(v))
		}
	}
	set := setterFor(t)
	if set == nil {
		return nil
	}
	return func(ptr any, v any) error {
		return set(reflect.ValueOf(ptr).Elem(), derefTime(v))
	}
}

// derefTime returns the time.Time v points to when v is a non-nil
// *time.Time, else v.
func derefTime(v any) any {
	if p, ok := v.(*time.Time); ok && p != nil {
		return *p
	}
	return v
}

// setFunc stores a driver value in dst, an addressable value.
type setFunc func(dst reflect.Value, v any) error

// setterFor returns a function that stores a driver value in an
// addressable value of type t, or nil for a type it does not handle.
func setterFor(t reflect.Type) setFunc {
	switch t.Kind() {
	case reflect.String:
		return setAs(t, reflect.Value.SetString)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return setInt(t)
	case reflect.Float32, reflect.Float64:
		return setAs(t, reflect.Value.SetFloat)
	case reflect.Bool:
		return setAs(t, reflect.Value.SetBool)
	case reflect.Struct:
		if t == timeType {
			return setAs(t, storeTime)
		}
	case reflect.Slice:
		if t == bytesType {
			return setBytes(t)
		}
	case reflect.Pointer:
		return setPointer(t)
	}
	return nil
}

// valueAs converts a driver value to V as database/sql converts a column
// scanned into a *V; NULL is an error, since a V cannot hold it.
func valueAs[V any](t reflect.Type, v any) (V, error) {
	if x, ok := v.(V); ok {
		return x, nil
	}
	var n sql.Null[V]
	if err := n.Scan(v); err != nil {
		return n.V, err
	}
	if !n.Valid {
		return n.V, fmt.Errorf("converting NULL to %s is unsupported", t)
	}
	return n.V, nil
}

// setAs returns a setter that converts a driver value to V and stores it
// in dst with store.
func setAs[V any](t reflect.Type, store func(dst reflect.Value, x V)) setFunc {
	return func(dst reflect.Value, v any) error {
		x, err := valueAs[V](t, v)
		if err == nil {
			store(dst, x)
		}
		return err
	}
}

// setInt stores an integer, failing on one that overflows the field.
func setInt(t reflect.Type) setFunc {
	return func(dst reflect.Value, v any) error {
		x, err := valueAs[int64](t, v)
		if err != nil {
			return err
		}
		if dst.OverflowInt(x) {
			return fmt.Errorf("value %d overflows %s", x, t)
		}
		dst.SetInt(x)
		return nil
	}
}

// storeTime stores a time: a time.Time as the driver gives it, or what
// database/sql converts to one.
func storeTime(dst reflect.Value, x time.Time) {
	*dst.Addr().Interface().(*time.Time) = x
}

func setBytes(t reflect.Type) setFunc {
	return func(dst reflect.Value, v any) error {
		switch x := v.(type) {
		case nil:
			dst.SetBytes(nil)
		case []byte:
			// Scanning into an *any already copied the driver's buffer.
			dst.SetBytes(x)
		case string:
			dst.SetBytes([]byte(x))
		default:
			return fmt.Errorf("converting %T to %s is unsupported", v, t)
		}
		return nil
	}
}

// setPointer stores NULL as a nil pointer and any other value in a new
// element, for pointers to the types setterFor handles.
func setPointer(t reflect.Type) setFunc {
	elem := t.Elem()
	if elem.Kind() == reflect.Pointer || reflect.PointerTo(elem).Implements(scannerType) {
		return nil
	}
	inner := setterFor(elem)
	if inner == nil {
		return nil
	}
	return func(dst reflect.Value, v any) error {
		if v == nil {
			dst.SetZero()
			return nil
		}
		p := reflect.New(elem)
		if err := inner(p.Elem(), v); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	}
}
