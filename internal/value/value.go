// Package value holds the typed values of go-paginate: how query-string
// text and the values databases return become one canonical Go value per
// kind, how two canonical values compare, and the canonical text of a set
// of filters that cursors and caches key on.
//
// Kinds mirror paginate.Type one for one (a test in package paginate pins
// it). The canonical Go type of each kind is
//
//	String   string
//	Int      int64
//	Float    float64 (every NaN is the one math.NaN returns)
//	Bool     bool
//	Time     time.Time in UTC
//	Bytes    []byte
//	Decimal  string holding a decimal number ("12.50")
//
// value.go parses text ([Parse]), normalizes what backends return
// ([Normalize]) and compares ([Compare]); key.go writes the canonical key
// of a set of filters ([FiltersKey]); mapkey.go turns a value into a
// comparable map key that is equal exactly when Compare finds the values
// equal ([MapKey]).
//
// Nothing here panics on input: a value of the wrong type is an error.
package value

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is the kind of a field's values; its numbers are paginate.Type's.
type Kind uint8

// The kinds, in paginate.Type's order.
const (
	String Kind = iota
	Int
	Float
	Bool
	Time
	Bytes
	Decimal
	numKinds
)

var kindNames = [numKinds]string{"string", "int", "float", "bool", "time", "bytes", "decimal"}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k < numKinds }

// String returns the kind's lower-case name, or "" for an invalid kind.
func (k Kind) String() string {
	if !k.Valid() {
		return ""
	}
	return kindNames[k]
}

// Parse parses query-string text as kind k: strings as they are (valid
// UTF-8 without NUL), integers and floats in decimal (finite numbers only:
// NaN and the infinities are refused), booleans as strconv.ParseBool
// does, times in RFC 3339 or as dates (2006-01-02, UTC), bytes in
// hexadecimal and decimals as plain decimal numbers. Error messages are
// fit for a client and quote at most a short prefix of raw.
func Parse(k Kind, raw string) (any, error) {
	switch k {
	case String:
		if !utf8.ValidString(raw) || strings.IndexByte(raw, 0) >= 0 {
			return nil, errors.New("not valid UTF-8 text")
		}
		return raw, nil
	case Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not an integer", Quote(raw))
		}
		return n, nil
	case Float:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s is not a finite number", Quote(raw))
		}
		return x, nil
	case Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not a boolean", Quote(raw))
		}
		return b, nil
	case Time:
		return parseTime(raw, queryTimeLayouts)
	case Bytes:
		b, err := hex.DecodeString(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not hexadecimal", Quote(raw))
		}
		return b, nil
	case Decimal:
		if !ValidDecimal(raw) {
			return nil, fmt.Errorf("%s is not a decimal number", Quote(raw))
		}
		return raw, nil
	}
	return nil, fmt.Errorf("unknown kind %d", k)
}

// queryTimeLayouts are the time layouts of query strings; dbTimeLayouts
// add the text forms drivers return.
var (
	queryTimeLayouts = []string{time.RFC3339Nano, time.DateOnly}
	dbTimeLayouts    = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.DateOnly}
)

func parseTime(s string, layouts []string) (any, error) {
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if len(layouts) == len(queryTimeLayouts) {
		return nil, fmt.Errorf("%s is not an RFC 3339 time or a date", Quote(s))
	}
	return nil, fmt.Errorf("%s is not a time", Quote(s))
}

// ValidDecimal accepts [-+]digits[.digits] with at most 100 digits.
func ValidDecimal(s string) bool {
	if s == "" || len(s) > 102 {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && s[len(s)-1] != '.'
}

// Quote quotes client text for an error message, shortened so that a
// hostile 100 KB value does not come back in full.
func Quote(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

// Normalize converts v, a value a backend or an application holds, to
// k's canonical type; nil (NULL) stays nil. Besides the canonical types it
// takes any Go integer, float, bool or string type (named ones too),
// []byte, and the text forms drivers return (decimal text for numbers,
// "t"/"1"/"true" for booleans, RFC 3339 and "2006-01-02 15:04:05[.f][-07:00]"
// for times), and for times a *time.Time (nil for NULL), which lets a
// backend return a page's times from one buffer instead of boxing each.
// Unlike [Parse], it keeps NaN and the infinities: a database stores and
// orders them.
func Normalize(k Kind, v any) (any, error) {
	// The common cases, values already canonical, are returned as they
	// are: without reflection, and without boxing them again.
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		if k == Int {
			return v, nil
		}
	case string:
		if k == String {
			return v, nil
		}
	case time.Time:
		// In UTC and without a monotonic clock reading, as UTC returns it.
		if k == Time && x.Location() == time.UTC && x == x.Round(0) {
			return v, nil
		}
	}
	var (
		out any
		err error
	)
	switch k {
	case String:
		out, err = toString(v)
	case Int:
		out, err = toInt(v)
	case Float:
		out, err = toFloat(v)
	case Bool:
		out, err = toBool(v)
	case Time:
		out, err = toTime(v)
	case Bytes:
		out, err = toBytes(v)
	case Decimal:
		out, err = toDecimal(v)
	default:
		return nil, fmt.Errorf("unknown kind %d", k)
	}
	if errors.Is(err, errType) {
		return nil, fmt.Errorf("a %T is not a %s value", v, k)
	}
	return out, err
}

// errType reports a value whose Go type cannot hold the kind's values.
var errType = errors.New("wrong type")

// text returns v's text when v is a string or a []byte (named or not).
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return rv.String(), true
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return string(rv.Bytes()), true
	}
	return "", false
}

func toString(v any) (any, error) {
	if s, ok := text(v); ok {
		return s, nil
	}
	return nil, errType
}

func toInt(v any) (any, error) {
	if s, ok := text(v); ok {
		return Parse(Int, s)
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return rv.Int(), nil
	case rv.CanUint():
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), nil
		}
		return nil, fmt.Errorf("%d is beyond the int64 range", rv.Uint())
	case rv.CanFloat():
		// Integral values only, and only where a float64 holds them all.
		if x := rv.Float(); x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
		return nil, fmt.Errorf("%v is not an integer", rv.Float())
	}
	return nil, errType
}

func toFloat(v any) (any, error) {
	if s, ok := text(v); ok {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a number", Quote(s))
		}
		return canonicalNaN(x), nil
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanFloat():
		return canonicalNaN(rv.Float()), nil
	case rv.CanInt():
		return float64(rv.Int()), nil
	case rv.CanUint():
		return float64(rv.Uint()), nil
	}
	return nil, errType
}

// canonicalNaN returns x, with every NaN made the one math.NaN returns,
// so that the same row always gives the same cursor.
func canonicalNaN(x float64) float64 {
	if math.IsNaN(x) {
		return math.NaN()
	}
	return x
}

func toBool(v any) (any, error) {
	if s, ok := text(v); ok {
		return Parse(Bool, s)
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.Bool:
		return rv.Bool(), nil
	case rv.CanInt():
		return rv.Int() != 0, nil
	case rv.CanUint():
		return rv.Uint() != 0, nil
	}
	return nil, errType
}

func toTime(v any) (any, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case *time.Time:
		if t == nil {
			return nil, nil
		}
		return t.UTC(), nil
	}
	if s, ok := text(v); ok {
		return parseTime(s, dbTimeLayouts)
	}
	return nil, errType
}

func toBytes(v any) (any, error) {
	switch x := v.(type) {
	case []byte:
		return bytes.Clone(x), nil
	case string:
		return Parse(Bytes, x)
	}
	if s, ok := text(v); ok {
		return []byte(s), nil
	}
	return nil, errType
}

func toDecimal(v any) (any, error) {
	if s, ok := text(v); ok {
		if !ValidDecimal(s) {
			return nil, fmt.Errorf("%s is not a decimal number", Quote(s))
		}
		return s, nil
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return strconv.FormatInt(rv.Int(), 10), nil
	case rv.CanUint():
		return strconv.FormatUint(rv.Uint(), 10), nil
	case rv.CanFloat():
		x := rv.Float()
		if d := strconv.FormatFloat(x, 'f', -1, 64); !math.IsNaN(x) && !math.IsInf(x, 0) && ValidDecimal(d) {
			return d, nil
		}
		return nil, fmt.Errorf("%v is not a decimal number", x)
	}
	return nil, errType
}

// Canonical reports whether v is a non-nil value of k's canonical type
// (for Decimal, a string that is a valid decimal).
func Canonical(k Kind, v any) bool {
	switch x := v.(type) {
	case string:
		return k == String || (k == Decimal && ValidDecimal(x))
	case int64:
		return k == Int
	case float64:
		return k == Float
	case bool:
		return k == Bool
	case time.Time:
		return k == Time
	case []byte:
		return k == Bytes
	}
	return false
}

// Compare compares two canonical values of kind k: -1 if a sorts before
// b, 0 if they are equal, +1 if a sorts after b. Strings and bytes compare
// by bytes, decimals by value, times by instant; floats in PostgreSQL's
// order, where NaN equals NaN and sorts above +Infinity, and -0 equals 0.
// A value that is not of k's canonical type (nil included) is an error.
func Compare(k Kind, a, b any) (int, error) {
	if !Canonical(k, a) || !Canonical(k, b) {
		return 0, fmt.Errorf("cannot compare a %T and a %T as %s values", a, b, kindName(k))
	}
	switch k {
	case String:
		return strings.Compare(a.(string), b.(string)), nil
	case Int:
		return cmp.Compare(a.(int64), b.(int64)), nil
	case Float:
		return CompareFloat(a.(float64), b.(float64)), nil
	case Bool:
		x, y := a.(bool), b.(bool)
		return cmp.Compare(boolInt(x), boolInt(y)), nil
	case Time:
		return a.(time.Time).Compare(b.(time.Time)), nil
	case Bytes:
		return bytes.Compare(a.([]byte), b.([]byte)), nil
	default: // Decimal: Canonical has checked the text
		x, _ := new(big.Rat).SetString(a.(string))
		y, _ := new(big.Rat).SetString(b.(string))
		return x.Cmp(y), nil
	}
}

func kindName(k Kind) string {
	if k.Valid() {
		return k.String()
	}
	return "kind " + strconv.Itoa(int(k))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CompareFloat compares x and y in PostgreSQL's order: NaN equals NaN and
// sorts above every other value, +Infinity included; -0 equals 0.
func CompareFloat(x, y float64) int {
	switch xn, yn := math.IsNaN(x), math.IsNaN(y); {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return cmp.Compare(x, y)
}
