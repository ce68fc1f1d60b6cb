package paginate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-paginate/paginate/internal/value"
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

// String returns the type's lower-case name.
func (t Type) String() string {
	if t.valid() {
		return t.kind().String()
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

func (t Type) valid() bool { return t >= String && t <= Decimal }

// kind returns the internal kind of t's values.
func (t Type) kind() value.Kind { return value.Kind(t) }

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
	// IsNull keeps rows whose field is NULL when its value is true, and
	// rows whose field is not NULL when it is false. Its value is a bool
	// whatever the field's [Type]; only a Nullable field accepts it.
	IsNull
	// Prefix keeps rows whose field starts with the value: the value's n
	// characters equal the field's first n, compared as the backend
	// compares text (for the SQL backend, under the column's collation).
	// Only a [String] field accepts it; the value must not be empty. An
	// index on the field can serve it; the package documentation of the
	// SQL backend says where.
	Prefix
	// Contains keeps rows whose field contains the value: n consecutive
	// characters of the field equal the value's n, compared as for
	// Prefix. Only a [String] field accepts it; the value must not be
	// empty. No index serves it: every row the other conditions leave is
	// read.
	Contains
)

var opNames = [...]string{"eq", "ne", "lt", "lte", "gt", "gte", "in", "null", "prefix", "contains"}

// String returns the operator's name as written in a query string: "eq",
// "ne", "lt", "lte", "gt", "gte", "in", "null", "prefix" or "contains".
func (o Op) String() string {
	if o.valid() {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

func (o Op) valid() bool { return o >= 0 && int(o) < len(opNames) }

// parseOp returns the operator named s, as written by [Op.String].
func parseOp(s string) (Op, bool) {
	for i, n := range opNames {
		if n == s {
			return Op(i), true
		}
	}
	return 0, false
}

// valueType returns the type of the operator's values on a field of type
// t: bool for IsNull, t for every other operator.
func (o Op) valueType(t Type) Type {
	if o == IsNull {
		return Bool
	}
	return t
}

// opProblem says why a field cannot declare op, or returns "".
func opProblem(f Field, op Op) string {
	switch {
	case !op.valid():
		return fmt.Sprintf("unknown operator %d", op)
	case op == IsNull && !f.Nullable:
		return "operator null needs a Nullable field (only a nullable field holds NULL)"
	case (op == Prefix || op == Contains) && f.Type != String:
		return fmt.Sprintf("operator %s applies to String fields, not %s", op, f.Type)
	}
	return ""
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
	// Nullable says the field may be NULL. Filters other than IsNull never
	// match NULL: a NULL field is neither equal nor unequal to a value, as
	// in SQL.
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
// Values are typed as the field's [Type] says (any Go integer type for
// Int, float32 and float64 for Float), or strings to be parsed as a
// query-string value would be; the package documentation's section
// "Filter values" says which values are accepted.
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
	relations   []relation
	relByName   map[string]int
}

// NewSchema validates fields and the default sort, written as a sort
// parameter ("-created_at,name"; "" sorts by the key ascending), and the
// relations a request may include (see [Relation]). Field names must be
// unique and well-formed, and exactly one field must be the non-nullable
// Key.
func NewSchema(fields []Field, defaultSort string, relations ...Relation) (*Schema, error) {
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
		if !f.Type.valid() {
			errs = append(errs, fmt.Errorf("paginate: field %q: unknown type %d", f.Name, f.Type))
		}
		for _, op := range f.Ops {
			if reason := opProblem(f, op); reason != "" {
				errs = append(errs, fmt.Errorf("paginate: field %q: %s", f.Name, reason))
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
	if len(errs) == 0 {
		errs = s.addRelations(relations)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if defaultSort != "" {
		ds, reason := s.parseSort(defaultSort)
		if reason != "" {
			return nil, fmt.Errorf("%w: default sort %s: %s", ErrInvalidSort, value.Quote(defaultSort), reason)
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
// name must be a sortable field, named at most once. An error is a
// [*ParamError] for "sort" that wraps [ErrInvalidSort].
func (s *Schema) ParseSort(v string) ([]SortKey, error) {
	keys, reason := s.parseSort(v)
	if reason != "" {
		return nil, &ParamError{Param: "sort", Reason: reason, Err: ErrInvalidSort}
	}
	return keys, nil
}

// parseSort parses a sort parameter, or says what is wrong with it.
func (s *Schema) parseSort(v string) ([]SortKey, string) {
	switch {
	case v == "":
		return nil, "empty"
	case len(v) > maxValueLen:
		return nil, "too long"
	}
	n := strings.Count(v, ",") + 1
	if n > len(s.fields) {
		return nil, "more keys than sortable fields"
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
	if reason := s.sortProblem(keys); reason != "" {
		return nil, reason
	}
	return keys, ""
}

// sortProblem says what is wrong with a sort, or returns "".
func (s *Schema) sortProblem(keys []SortKey) string {
	if len(keys) == 0 {
		return "empty"
	}
	for i, k := range keys {
		f, ok := s.Field(k.Field)
		switch {
		case !ok:
			return "unknown field " + value.Quote(k.Field)
		case !f.Sortable:
			return fmt.Sprintf("field %q is not sortable", k.Field)
		case k.Dir != Asc && k.Dir != Desc:
			return fmt.Sprintf("invalid direction for %q", k.Field)
		}
		for _, prev := range keys[:i] {
			if prev.Field == k.Field {
				return fmt.Sprintf("field %q named twice", k.Field)
			}
		}
	}
	return ""
}

// ParseFields parses a fields parameter: comma-separated field names, each
// declared and named at most once. An error is a [*ParamError] for
// "fields" that wraps [ErrInvalidField].
func (s *Schema) ParseFields(v string) ([]string, error) {
	var names []string
	reason := ""
	switch {
	case v == "":
		reason = "empty"
	case len(v) > maxValueLen:
		reason = "too long"
	case strings.Count(v, ",")+1 > len(s.fields):
		reason = "more names than fields"
	default:
		names = strings.Split(v, ",")
		reason = s.fieldsProblem(names)
	}
	if reason != "" {
		return nil, &ParamError{Param: "fields", Reason: reason, Err: ErrInvalidField}
	}
	return names, nil
}

// fieldsProblem says what is wrong with a list of field names, or returns
// "".
func (s *Schema) fieldsProblem(names []string) string {
	if len(names) == 0 {
		return "empty"
	}
	for i, n := range names {
		if _, ok := s.byName[n]; !ok {
			return "unknown field " + value.Quote(n)
		}
		for _, prev := range names[:i] {
			if prev == n {
				return fmt.Sprintf("field %q named twice", n)
			}
		}
	}
	return ""
}

// ParseFilter parses one filter from a query parameter's parts: the field
// name, the operator name ("" for eq) and the raw value. For In the value
// is a comma-separated list. The field must be declared and accept the
// operator, and every value must parse as the field's type, or as a bool
// for null (see the package documentation's section "Filter values"). An
// error is a
// [*ParamError] that wraps [ErrInvalidFilter] and names the parameter
// canonically: "price" for eq, "price[gte]" otherwise.
func (s *Schema) ParseFilter(field, op, raw string) (Filter, error) {
	f := Filter{Field: field, Op: Eq}
	bad := func(reason string) (Filter, error) {
		param := f.Param()
		if op != "" && f.Op == Eq && op != Eq.String() {
			param = field + "[" + op + "]" // an unknown operator, as given
		}
		return Filter{}, &ParamError{Param: paramText(param), Reason: reason, Err: ErrInvalidFilter}
	}
	if _, ok := s.Field(field); !ok {
		return bad("unknown field " + value.Quote(field))
	}
	if op != "" {
		o, ok := parseOp(op)
		if !ok {
			return bad("unknown operator " + value.Quote(op))
		}
		f.Op = o
	}
	if len(raw) > maxValueLen {
		return bad("value too long")
	}
	if f.Op != In {
		f.Values = []any{raw}
	} else if strings.Count(raw, ",")+1 > MaxInValues {
		return bad(fmt.Sprintf("more than %d values", MaxInValues))
	} else {
		for v := range strings.SplitSeq(raw, ",") {
			f.Values = append(f.Values, v)
		}
	}
	c, reason := s.condition(f, limits{})
	if reason != "" {
		return bad(reason)
	}
	f.Values = c.Values
	return f, nil
}

// paramText makes a parameter name as a client wrote it fit an error
// message: valid UTF-8, and at most about 128 bytes.
func paramText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= 2*maxNameLen {
		return s
	}
	cut := 2 * maxNameLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
