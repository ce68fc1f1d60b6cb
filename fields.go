package paginate

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Type is the type of a field's values. It decides how a filter value is
// parsed and how a sort-key value is stored in a cursor.
type Type int

const (
	// String values are Go strings, compared by the database's collation.
	String Type = iota
	// Int values are int64.
	Int
	// Float values are float64, kept in cursors with all their bits.
	Float
	// Bool values are bool.
	Bool
	// Time values are time.Time, normalized to UTC.
	Time
	// Bytes values are []byte (binary keys, UUIDs stored as bytes); in a
	// query string they are written in hexadecimal.
	Bytes
	// Decimal values are strings holding a decimal number, such as "12.50",
	// kept as text so that no digit is lost.
	Decimal
)

var typeNames = [...]string{"string", "int", "float", "bool", "time", "bytes", "decimal"}

// String returns the type's lower-case name.
func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Direction is a sort direction.
type Direction int

const (
	// Asc sorts from the smallest value up.
	Asc Direction = iota
	// Desc sorts from the largest value down.
	Desc
)

// String returns "asc" or "desc".
func (d Direction) String() string {
	if d == Desc {
		return "desc"
	}
	return "asc"
}

// Reverse returns the opposite direction.
func (d Direction) Reverse() Direction {
	if d == Desc {
		return Asc
	}
	return Desc
}

// Op is a filter operator.
type Op int

const (
	// Eq keeps rows whose field equals the value.
	Eq Op = iota
	// Ne keeps rows whose field differs from the value.
	Ne
	// Lt keeps rows whose field is less than the value.
	Lt
	// Lte keeps rows whose field is less than or equal to the value.
	Lte
	// Gt keeps rows whose field is greater than the value.
	Gt
	// Gte keeps rows whose field is greater than or equal to the value.
	Gte
	// In keeps rows whose field equals one of the values.
	In
)

var opNames = [...]string{"eq", "ne", "lt", "lte", "gt", "gte", "in"}

// String returns the operator's name as written in a query string: "eq",
// "ne", "lt", "lte", "gt", "gte" or "in".
func (o Op) String() string {
	if o >= 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// ParseOp returns the operator named s, as written by [Op.String].
func ParseOp(s string) (Op, bool) {
	for i, n := range opNames {
		if n == s {
			return Op(i), true
		}
	}
	return 0, false
}

// Field declares one public field.
type Field struct {
	// Name is the name clients use in sort, filter and fields parameters:
	// letters, digits and underscores, starting with a letter or
	// underscore, at most 64 bytes.
	Name string
	// Column is the backend's name for the field: for the SQL backend a
	// column or expression, which may be qualified ("i.created_at"). It is
	// application text, never client text. If empty, Name.
	Column string
	// Type is the type of the field's values.
	Type Type
	// Sortable allows sorting by the field.
	Sortable bool
	// Ops lists the filter operators the field accepts. If empty, the field
	// cannot be filtered on.
	Ops []Op
	// Nullable says the field may be NULL. Filters never match NULL.
	Nullable bool
	// Key marks the row's unique, non-null key. Exactly one field is the
	// key; it is sortable and appended to every sort as the tie-breaker.
	Key bool
}

// ColumnName returns Column, or Name when Column is empty.
func (f Field) ColumnName() string {
	if f.Column != "" {
		return f.Column
	}
	return f.Name
}

// Allows reports whether the field accepts the filter operator.
func (f Field) Allows(op Op) bool {
	for _, o := range f.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// SortKey is one key of a requested sort: a field name and a direction.
type SortKey struct {
	Field string
	Dir   Direction
}

// Filter is one requested filter: a field name, an operator and its values.
// Values are typed as the field's [Type] says (int, int32 and int64 are all
// accepted for Int; float32 and float64 for Float), or strings to be parsed
// as a query-string value would be.
type Filter struct {
	Field  string
	Op     Op
	Values []any
}

// Param returns the query parameter that conventionally carries the filter:
// "name" for Eq, "name[op]" otherwise.
func (f Filter) Param() string {
	if f.Op == Eq {
		return f.Field
	}
	return f.Field + "[" + f.Op.String() + "]"
}

// Limits on what a schema accepts, to keep hostile input cheap to reject.
const (
	maxNameLen  = 64
	maxValueLen = 4096
	// MaxInValues is the most values an In filter may carry.
	MaxInValues = 100
)

// Schema is a validated declaration of an application's public fields and
// default sort. Build it with [NewSchema]; it is immutable and safe for
// concurrent use.
type Schema struct {
	fields      []Field
	byName      map[string]int
	key         int
	defaultSort []SortKey
}

// NewSchema validates fields and the default sort, written as a sort
// parameter ("-created_at,name"; "" sorts by the key ascending). Field
// names must be unique and well-formed, and exactly one field must be the
// non-nullable Key.
func NewSchema(fields []Field, defaultSort string) (*Schema, error) {
	s := &Schema{byName: make(map[string]int, len(fields)), key: -1}
	var errs []error
	for i, f := range fields {
		if !validName(f.Name) {
			errs = append(errs, fmt.Errorf("paginate: field %d: invalid name %q", i, f.Name))
			continue
		}
		if _, dup := s.byName[f.Name]; dup {
			errs = append(errs, fmt.Errorf("paginate: field %q declared twice", f.Name))
			continue
		}
		if f.Type < String || f.Type > Decimal {
			errs = append(errs, fmt.Errorf("paginate: field %q: unknown type %d", f.Name, f.Type))
		}
		for _, op := range f.Ops {
			if op < Eq || op > In {
				errs = append(errs, fmt.Errorf("paginate: field %q: unknown operator %d", f.Name, op))
			}
		}
		if f.Key {
			if s.key >= 0 {
				errs = append(errs, fmt.Errorf("paginate: fields %q and %q are both the key", s.fields[s.key].Name, f.Name))
			}
			if f.Nullable {
				errs = append(errs, fmt.Errorf("paginate: key field %q is nullable", f.Name))
			}
			f.Sortable = true
			s.key = len(s.fields)
		}
		f.Ops = append([]Op(nil), f.Ops...)
		s.byName[f.Name] = len(s.fields)
		s.fields = append(s.fields, f)
	}
	if s.key < 0 && len(errs) == 0 {
		errs = append(errs, errors.New("paginate: no field is the key"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if defaultSort != "" {
		ds, err := s.ParseSort(defaultSort)
		if err != nil {
			return nil, fmt.Errorf("paginate: default sort: %w", err)
		}
		s.defaultSort = ds
	} else {
		s.defaultSort = []SortKey{{Field: s.fields[s.key].Name}}
	}
	return s, nil
}

func validName(n string) bool {
	if n == "" || len(n) > maxNameLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Fields returns a copy of the declared fields, in declaration order.
func (s *Schema) Fields() []Field {
	return append([]Field(nil), s.fields...)
}

// Field returns the field named name.
func (s *Schema) Field(name string) (Field, bool) {
	i, ok := s.byName[name]
	if !ok {
		return Field{}, false
	}
	return s.fields[i], true
}

// Key returns the key field.
func (s *Schema) Key() Field { return s.fields[s.key] }

// DefaultSort returns a copy of the default sort.
func (s *Schema) DefaultSort() []SortKey {
	return append([]SortKey(nil), s.defaultSort...)
}

// ParseSort parses a sort parameter: comma-separated field names, each
// optionally prefixed with "-" for descending (or "+" for ascending). Every
// name must be a sortable field, named at most once. Errors wrap
// [ErrInvalidSort].
func (s *Schema) ParseSort(v string) ([]SortKey, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSort)
	}
	if len(v) > maxValueLen {
		return nil, fmt.Errorf("%w: too long", ErrInvalidSort)
	}
	n := strings.Count(v, ",") + 1
	if n > len(s.fields) {
		return nil, fmt.Errorf("%w: more keys than sortable fields", ErrInvalidSort)
	}
	keys := make([]SortKey, 0, n)
	for part := range strings.SplitSeq(v, ",") {
		k := SortKey{Field: part}
		switch {
		case strings.HasPrefix(part, "-"):
			k = SortKey{Field: part[1:], Dir: Desc}
		case strings.HasPrefix(part, "+"):
			k.Field = part[1:]
		}
		keys = append(keys, k)
	}
	if err := s.checkSort(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

func (s *Schema) checkSort(keys []SortKey) error {
	for i, k := range keys {
		f, ok := s.Field(k.Field)
		if !ok {
			return fmt.Errorf("%w: unknown field %s", ErrInvalidSort, quote(k.Field))
		}
		if !f.Sortable {
			return fmt.Errorf("%w: field %q is not sortable", ErrInvalidSort, k.Field)
		}
		if k.Dir != Asc && k.Dir != Desc {
			return fmt.Errorf("%w: invalid direction for %q", ErrInvalidSort, k.Field)
		}
		for _, prev := range keys[:i] {
			if prev.Field == k.Field {
				return fmt.Errorf("%w: field %q named twice", ErrInvalidSort, k.Field)
			}
		}
	}
	return nil
}

// ParseFields parses a fields parameter: comma-separated field names, each
// declared and named at most once. Errors wrap [ErrInvalidField].
func (s *Schema) ParseFields(v string) ([]string, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidField)
	}
	if len(v) > maxValueLen {
		return nil, fmt.Errorf("%w: too long", ErrInvalidField)
	}
	if strings.Count(v, ",")+1 > len(s.fields) {
		return nil, fmt.Errorf("%w: more names than fields", ErrInvalidField)
	}
	names := strings.Split(v, ",")
	if err := s.checkFields(names); err != nil {
		return nil, err
	}
	return names, nil
}

func (s *Schema) checkFields(names []string) error {
	for i, n := range names {
		if _, ok := s.byName[n]; !ok {
			return fmt.Errorf("%w: unknown field %s", ErrInvalidField, quote(n))
		}
		for _, prev := range names[:i] {
			if prev == n {
				return fmt.Errorf("%w: field %q named twice", ErrInvalidField, n)
			}
		}
	}
	return nil
}

// ParseFilter parses one filter from a query parameter's parts: the field
// name, the operator name ("" for eq) and the raw value. For In the value
// is a comma-separated list. The field must be declared and accept the
// operator, and every value must parse as the field's type. Errors wrap
// [ErrInvalidFilter].
func (s *Schema) ParseFilter(field, op, raw string) (Filter, error) {
	f, ok := s.Field(field)
	if !ok {
		return Filter{}, fmt.Errorf("%w: unknown field %s", ErrInvalidFilter, quote(field))
	}
	o := Eq
	if op != "" {
		if o, ok = ParseOp(op); !ok {
			return Filter{}, fmt.Errorf("%w: unknown operator %s", ErrInvalidFilter, quote(op))
		}
	}
	if !f.Allows(o) {
		return Filter{}, fmt.Errorf("%w: field %q does not accept %s", ErrInvalidFilter, field, o)
	}
	if len(raw) > maxValueLen {
		return Filter{}, fmt.Errorf("%w: value too long", ErrInvalidFilter)
	}
	parts := []string{raw}
	if o == In {
		if strings.Count(raw, ",")+1 > MaxInValues {
			return Filter{}, fmt.Errorf("%w: more than %d values", ErrInvalidFilter, MaxInValues)
		}
		parts = strings.Split(raw, ",")
	}
	vals := make([]any, len(parts))
	for i, p := range parts {
		v, err := ParseValue(f.Type, p)
		if err != nil {
			return Filter{}, fmt.Errorf("%w: %w", ErrInvalidFilter, err)
		}
		vals[i] = v
	}
	return Filter{Field: field, Op: o, Values: vals}, nil
}

// ParseValue parses a query-string value as type t: strings as they are
// (valid UTF-8 without NUL), integers and floats in decimal (no NaN or
// infinities), booleans as strconv.ParseBool does, times in RFC 3339 or as
// dates (2006-01-02, UTC), bytes in hexadecimal and decimals as plain
// decimal numbers.
func ParseValue(t Type, raw string) (any, error) {
	switch t {
	case String:
		if !utf8.ValidString(raw) || strings.IndexByte(raw, 0) >= 0 {
			return nil, errors.New("not valid UTF-8 text")
		}
		return raw, nil
	case Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not an integer", quote(raw))
		}
		return n, nil
	case Float:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s is not a finite number", quote(raw))
		}
		return x, nil
	case Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not a boolean", quote(raw))
		}
		return b, nil
	case Time:
		if tm, err := time.Parse(time.RFC3339Nano, raw); err == nil {
			return tm.UTC(), nil
		}
		if tm, err := time.Parse(time.DateOnly, raw); err == nil {
			return tm, nil
		}
		return nil, fmt.Errorf("%s is not an RFC 3339 time or a date", quote(raw))
	case Bytes:
		b, err := hex.DecodeString(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not hexadecimal", quote(raw))
		}
		return b, nil
	case Decimal:
		if !validDecimal(raw) {
			return nil, fmt.Errorf("%s is not a decimal number", quote(raw))
		}
		return raw, nil
	}
	return nil, fmt.Errorf("unknown type %d", t)
}

// validDecimal accepts [-+]digits[.digits] with at most 100 digits.
func validDecimal(s string) bool {
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

// quote quotes client text for an error message, shortened so that a
// hostile 100 KB value does not come back in full.
func quote(s string) string {
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

// normalize converts v to the canonical Go type for t, or reports that it
// cannot. Strings are parsed as ParseValue does. nil stays nil.
func normalize(t Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && t != String && t != Decimal {
		if t == Time {
			return parseDBTime(s) // RFC 3339, dates, and drivers' text forms
		}
		return ParseValue(t, s)
	}
	switch t {
	case String:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int8:
			return int64(x), nil
		case uint32:
			return int64(x), nil
		case uint16:
			return int64(x), nil
		case uint8:
			return int64(x), nil
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
		case uint:
			if uint64(x) <= math.MaxInt64 {
				return int64(x), nil
			}
		case []byte:
			return ParseValue(Int, string(x))
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		}
	case Float:
		switch x := v.(type) {
		case float64:
			// Infinities order as databases order them; NaN has no order.
			if math.IsNaN(x) {
				return nil, errors.New("NaN has no place in an order")
			}
			return x, nil
		case float32:
			if math.IsNaN(float64(x)) {
				return nil, errors.New("NaN has no place in an order")
			}
			return float64(x), nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		case []byte:
			return ParseValue(Float, string(x))
		}
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case []byte:
			return ParseValue(Bool, string(x))
		}
	case Time:
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case []byte:
			return parseDBTime(string(x))
		}
	case Bytes:
		switch x := v.(type) {
		case []byte:
			return append([]byte(nil), x...), nil
		}
	case Decimal:
		switch x := v.(type) {
		case string:
			if validDecimal(x) {
				return x, nil
			}
		case []byte:
			if validDecimal(string(x)) {
				return string(x), nil
			}
		case int64:
			return strconv.FormatInt(x, 10), nil
		case int:
			return strconv.Itoa(x), nil
		case float64:
			if d := strconv.FormatFloat(x, 'f', -1, 64); !math.IsNaN(x) && !math.IsInf(x, 0) && validDecimal(d) {
				return d, nil
			}
		}
	}
	return nil, fmt.Errorf("a %T is not a %s value", v, t)
}

// parseDBTime parses the text forms drivers return for times.
func parseDBTime(s string) (any, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return nil, fmt.Errorf("%s is not a time", quote(s))
}

// Compare compares two non-nil values of type t, as normalized by the
// package: -1 if a < b, 0 if equal, +1 if a > b. Strings compare by bytes;
// decimals by value.
func Compare(t Type, a, b any) int {
	switch t {
	case String:
		return strings.Compare(a.(string), b.(string))
	case Int:
		x, y := a.(int64), b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case Float:
		x, y := a.(float64), b.(float64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case Bool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case Time:
		return a.(time.Time).Compare(b.(time.Time))
	case Bytes:
		return strings.Compare(string(a.([]byte)), string(b.([]byte)))
	case Decimal:
		x, _ := new(big.Rat).SetString(a.(string))
		y, _ := new(big.Rat).SetString(b.(string))
		return x.Cmp(y)
	}
	panic("paginate: Compare: unknown type " + t.String())
}
