package sql

import (
	"database/sql"
	"fmt"
	"reflect"
	"time"
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

// assignFunc stores a driver value (as scanned into an *any) in dst, an
// addressable struct field, converting it as database/sql would.
type assignFunc func(dst reflect.Value, v any) error

func nullError(t reflect.Type) error {
	return fmt.Errorf("converting NULL to %s is unsupported", t)
}

// assignerFor returns an assigner for fields of type t, or nil when such a
// field is better scanned by database/sql directly.
func assignerFor(t reflect.Type) assignFunc {
	if reflect.PointerTo(t).Implements(scannerType) {
		return func(dst reflect.Value, v any) error {
			return dst.Addr().Interface().(sql.Scanner).Scan(v)
		}
	}
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
		if elem.Kind() == reflect.Pointer {
			return nil
		}
		inner := assignerFor(elem)
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
