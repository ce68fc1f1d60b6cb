package sql

import (
	"database/sql"
	"fmt"
	"reflect"
	"time"
	"unsafe"
)

// Rows are scanned without sqlx's per-row reflection: each request shape
// knows, once, which struct field (by index path) or which sort-key slot
// every column goes to, and rows.Scan writes straight into them.
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

// assignFunc stores a driver value (as scanned into an *any) in the field
// at p, converting it as database/sql would.
type assignFunc func(p unsafe.Pointer, v any) error

func nullError(t reflect.Type) error {
	return fmt.Errorf("converting NULL to %s is unsupported", t)
}

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
		return func(p unsafe.Pointer, v any) error {
			if x, ok := v.(int64); ok {
				*(*int64)(p) = x
				return nil
			}
			return slow(p, v)
		}
	case reflect.TypeFor[string]():
		return func(p unsafe.Pointer, v any) error {
			if x, ok := v.(string); ok {
				*(*string)(p) = x
				return nil
			}
			return slow(p, v)
		}
	case reflect.TypeFor[float64]():
		return func(p unsafe.Pointer, v any) error {
			if x, ok := v.(float64); ok {
				*(*float64)(p) = x
				return nil
			}
			return slow(p, v)
		}
	case timeType:
		return func(p unsafe.Pointer, v any) error {
			if x, ok := v.(time.Time); ok {
				*(*time.Time)(p) = x
				return nil
			}
			return slow(p, v)
		}
	}
	return slow
}

// reflectAssigner is assignerFor's general case.
func reflectAssigner(t reflect.Type) assignFunc {
	if reflect.PointerTo(t).Implements(scannerType) {
		return func(p unsafe.Pointer, v any) error {
			return reflect.NewAt(t, p).Interface().(sql.Scanner).Scan(v)
		}
	}
	set := setterFor(t)
	if set == nil {
		return nil
	}
	return func(p unsafe.Pointer, v any) error {
		return set(reflect.NewAt(t, p).Elem(), v)
	}
}

// setterFor returns a function that stores a driver value in an
// addressable value of type t.
func setterFor(t reflect.Type) func(dst reflect.Value, v any) error {
	switch t.Kind() {
	case reflect.String:
		return func(dst reflect.Value, v any) error {
			switch x := v.(type) {
			case string:
				dst.SetString(x)
				return nil
			case []byte:
				dst.SetString(string(x))
				return nil
			}
			var n sql.NullString
			if err := n.Scan(v); err != nil {
				return err
			}
			if !n.Valid {
				return nullError(t)
			}
			dst.SetString(n.String)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dst reflect.Value, v any) error {
			x, ok := v.(int64)
			if !ok {
				var n sql.NullInt64
				if err := n.Scan(v); err != nil {
					return err
				}
				if !n.Valid {
					return nullError(t)
				}
				x = n.Int64
			}
			if dst.OverflowInt(x) {
				return fmt.Errorf("value %d overflows %s", x, t)
			}
			dst.SetInt(x)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		return func(dst reflect.Value, v any) error {
			x, ok := v.(float64)
			if !ok {
				var n sql.NullFloat64
				if err := n.Scan(v); err != nil {
					return err
				}
				if !n.Valid {
					return nullError(t)
				}
				x = n.Float64
			}
			dst.SetFloat(x)
			return nil
		}
	case reflect.Bool:
		return func(dst reflect.Value, v any) error {
			x, ok := v.(bool)
			if !ok {
				var n sql.NullBool
				if err := n.Scan(v); err != nil {
					return err
				}
				if !n.Valid {
					return nullError(t)
				}
				x = n.Bool
			}
			dst.SetBool(x)
			return nil
		}
	case reflect.Struct:
		if t != timeType {
			return nil
		}
		return func(dst reflect.Value, v any) error {
			x, ok := v.(time.Time)
			if !ok {
				var n sql.NullTime
				if err := n.Scan(v); err != nil {
					return err
				}
				if !n.Valid {
					return nullError(t)
				}
				x = n.Time
			}
			*dst.Addr().Interface().(*time.Time) = x
			return nil
		}
	case reflect.Slice:
		if t != bytesType {
			return nil
		}
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
	case reflect.Pointer:
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
	return nil
}

// dest is where a schema field is stored in T.
type dest struct {
	path []int
	typ  reflect.Type
	// off is the field's offset in T when direct: no embedded pointer lies
	// on its path, so its address is the row's plus off.
	off    uintptr
	direct bool
	ptr    func(unsafe.Pointer) any // the field's address as a typed pointer
	assign assignFunc               // nil: scan the column into the field
}

func newDest(t reflect.Type, path []int) *dest {
	d := &dest{path: path, direct: true}
	st := t
	for i, j := range path {
		if st.Kind() == reflect.Pointer {
			d.direct = false
			st = st.Elem()
		}
		f := st.Field(j)
		d.off += f.Offset
		st = f.Type
		if i == len(path)-1 {
			d.typ = f.Type
		}
	}
	d.ptr = pointerFunc(d.typ)
	d.assign = assignerFor(d.typ)
	return d
}

// pointerFunc returns a function that types a field's address as a
// pointer to t, without reflection for the common types.
func pointerFunc(t reflect.Type) func(unsafe.Pointer) any {
	switch t {
	case reflect.TypeFor[int64]():
		return func(p unsafe.Pointer) any { return (*int64)(p) }
	case reflect.TypeFor[string]():
		return func(p unsafe.Pointer) any { return (*string)(p) }
	case reflect.TypeFor[float64]():
		return func(p unsafe.Pointer) any { return (*float64)(p) }
	case reflect.TypeFor[bool]():
		return func(p unsafe.Pointer) any { return (*bool)(p) }
	case timeType:
		return func(p unsafe.Pointer) any { return (*time.Time)(p) }
	case reflect.TypeFor[sql.NullString]():
		return func(p unsafe.Pointer) any { return (*sql.NullString)(p) }
	case reflect.TypeFor[sql.NullInt64]():
		return func(p unsafe.Pointer) any { return (*sql.NullInt64)(p) }
	case reflect.TypeFor[sql.NullFloat64]():
		return func(p unsafe.Pointer) any { return (*sql.NullFloat64)(p) }
	case reflect.TypeFor[sql.NullTime]():
		return func(p unsafe.Pointer) any { return (*sql.NullTime)(p) }
	}
	return func(p unsafe.Pointer) any { return reflect.NewAt(t, p).Interface() }
}

// addr returns the address of the field in the row at base, of type T.
func (d *dest) addr(rowType reflect.Type, base unsafe.Pointer) unsafe.Pointer {
	if d.direct {
		return unsafe.Add(base, d.off)
	}
	return fieldOf(reflect.NewAt(rowType, base).Elem(), d.path).Addr().UnsafePointer()
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
