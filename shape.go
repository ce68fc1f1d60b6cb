package paginate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-paginate/paginate/internal/value"
)

// A request's shape is what it asks the database to do, without its
// values: its order and which fields it filters with which operators. The
// cost of a page depends mostly on its shape: a shape an index serves
// reads about as many rows as the page holds, whatever the values; a shape
// no index serves can read the whole table for one page. A [ShapePolicy]
// in a paginator's config restricts an endpoint to the shapes it allows.

// Shape is a request's order and filter operators, without values.
type Shape struct {
	// Sort is the complete order, the key appended as the paginators
	// append it.
	Sort []Order
	// Filters are the fields filtered and their operators, ordered by
	// field name and then operator, each pair once.
	Filters []FilterShape
	// Keyset reports that the shape is a keyset paginator's, whose pages
	// after the first start at a position (and whose pages before a
	// cursor read the order backwards). A policy that checks the
	// database's plans checks those pages too.
	Keyset bool
}

// FilterShape is one filter of a [Shape]: a field and an operator.
type FilterShape struct {
	Field string
	Op    Op
}

// Param returns the query parameter that conventionally carries the
// filter: "name" for Eq, "name[op]" otherwise, as [Filter.Param].
func (f FilterShape) Param() string { return Filter{Field: f.Field, Op: f.Op}.Param() }

// compareFilterShapes orders filter shapes by field name, then operator.
func compareFilterShapes(a, b FilterShape) int {
	if c := strings.Compare(a.Field, b.Field); c != 0 {
		return c
	}
	return int(a.Op) - int(b.Op)
}

// filterShapes returns the shapes of conditions in canonical order, or nil
// when there are none.
func filterShapes(conds []Condition) []FilterShape {
	if len(conds) == 0 {
		return nil
	}
	out := make([]FilterShape, len(conds))
	for i, c := range conds {
		out[i] = FilterShape{Field: c.Field.Name, Op: c.Op}
	}
	slices.SortFunc(out, compareFilterShapes)
	return slices.Compact(out)
}

// SortParam returns the order as a sort parameter, without the key when
// the paginators would append it themselves: "-created_at" for the order
// -created_at,-id.
func (s Shape) SortParam() string {
	var b strings.Builder
	for i, o := range sortWithoutImpliedKey(s.Sort) {
		if i > 0 {
			b.WriteByte(',')
		}
		if o.Dir == Desc {
			b.WriteByte('-')
		}
		b.WriteString(o.Field.Name)
	}
	return b.String()
}

// sortWithoutImpliedKey drops a last key field that follows another field
// in the same direction: the paginators append exactly that.
func sortWithoutImpliedKey(sort []Order) []Order {
	if n := len(sort); n > 1 && sort[n-1].Field.Key && sort[n-1].Dir == sort[n-2].Dir {
		return sort[:n-1]
	}
	return sort
}

// Reverse returns the shape with every direction of its order reversed:
// the order a keyset page before a cursor reads.
func (s Shape) Reverse() Shape {
	r := s
	r.Sort = make([]Order, len(s.Sort))
	for i, o := range s.Sort {
		r.Sort[i] = Order{Field: o.Field, Dir: o.Dir.Reverse()}
	}
	return r
}

// String returns the shape as [Schema.ParseShape] reads it:
// "sort=-created_at&category&price[gte]".
func (s Shape) String() string {
	var b strings.Builder
	b.WriteString("sort=")
	b.WriteString(s.SortParam())
	for _, f := range s.Filters {
		b.WriteByte('&')
		b.WriteString(f.Param())
	}
	return b.String()
}

// AppendKey appends a compact encoding of s to buf, the same for equal
// shapes and different for different ones, for policies that cache
// decisions by shape.
func (s Shape) AppendKey(buf []byte) []byte {
	if s.Keyset {
		buf = append(buf, 'K')
	} else {
		buf = append(buf, 'O')
	}
	for _, o := range s.Sort {
		if o.Dir == Desc {
			buf = append(buf, '-')
		} else {
			buf = append(buf, '+')
		}
		buf = append(buf, o.Field.Name...)
		buf = append(buf, ',')
	}
	buf = append(buf, '|')
	for _, f := range s.Filters {
		buf = append(buf, f.Field...)
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, int64(f.Op), 10)
		buf = append(buf, ']')
	}
	return buf
}

// ParseShape parses a shape written as a query string without values:
// "sort=-created_at&category&created_at[lt]" is the order -created_at
// (completed with the key) filtered by category with eq and by created_at
// with lt. Without a sort part the order is the schema's default sort.
// Every field and operator must be one the schema declares for that use.
// The shape's Keyset is false.
func (s *Schema) ParseShape(text string) (Shape, error) {
	var sh Shape
	var sortKeys []SortKey
	for part := range strings.SplitSeq(text, "&") {
		if v, ok := strings.CutPrefix(part, "sort="); ok {
			if sortKeys != nil {
				return Shape{}, fmt.Errorf("paginate: shape %s: two sorts", value.Quote(text))
			}
			keys, err := s.ParseSort(v)
			if err != nil {
				return Shape{}, fmt.Errorf("paginate: shape %s: %w", value.Quote(text), err)
			}
			sortKeys = keys
			continue
		}
		if part == "" {
			continue
		}
		f, err := s.filterShape(part)
		if err != nil {
			return Shape{}, fmt.Errorf("paginate: shape %s: %w", value.Quote(text), err)
		}
		sh.Filters = append(sh.Filters, f)
	}
	if sortKeys == nil {
		sortKeys = s.defaultSort
	}
	var err error
	if sh.Sort, err = s.Order(sortKeys); err != nil {
		return Shape{}, err
	}
	slices.SortFunc(sh.Filters, compareFilterShapes)
	sh.Filters = slices.Compact(sh.Filters)
	return sh, nil
}

// filterShape parses "field" or "field[op]".
func (s *Schema) filterShape(part string) (FilterShape, error) {
	name, op := part, Eq
	if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
		o, ok := parseOp(part[i+1 : len(part)-1])
		if !ok {
			return FilterShape{}, fmt.Errorf("%w: unknown operator in %s", ErrInvalidFilter, value.Quote(part))
		}
		name, op = part[:i], o
	}
	f, ok := s.Field(name)
	switch {
	case !ok:
		return FilterShape{}, fmt.Errorf("%w: unknown field %s", ErrInvalidFilter, value.Quote(name))
	case !f.Allows(op):
		return FilterShape{}, fmt.Errorf("%w: field %q does not accept %s", ErrInvalidFilter, name, op)
	}
	return FilterShape{Field: name, Op: op}, nil
}

// ShapePolicy decides which request shapes an endpoint serves. A
// paginator whose config has one asks it about every valid request,
// before anything runs, and refuses a shape it does not allow with a
// *RequestError whose [*ParamError] names the sort (or the filter) and
// lists the orders that are allowed; the error wraps
// [ErrShapeNotAllowed].
//
// [AllowList] allows the shapes an application lists; the SQL backend's
// ShapeCheck (package paginate/sql) allows the shapes the database's plans
// serve from an index; [ShapePolicies] combines policies. Allow is called
// for every request, so it must be cheap after the first call for a shape.
type ShapePolicy interface {
	// Allow reports whether requests of shape s may run. An error means it
	// could not tell; the request fails with it.
	Allow(ctx context.Context, s Shape) (bool, error)
}

// ShapePolicies allows a shape when every policy in it does, asking them
// in order and stopping at the first that refuses: put an [AllowList]
// before a policy that costs more to ask.
type ShapePolicies []ShapePolicy

// Allow asks each policy in turn.
func (ps ShapePolicies) Allow(ctx context.Context, s Shape) (bool, error) {
	for _, p := range ps {
		ok, err := p.Allow(ctx, s)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// AllowList is a [ShapePolicy] that allows exactly the shapes it lists:
// each order with exactly its filter operators. Build it with
// [NewAllowList]; it is immutable and safe for concurrent use.
type AllowList struct {
	shapes map[string]struct{}
}

// NewAllowList returns a policy that allows the shapes listed, each
// written as [Schema.ParseShape] reads it ("sort=price&price[gte]&price[lt]").
// The order must match exactly (a listed "price" allows neither "-price"
// nor "price,name"), and so must the set of filter operators: list each
// combination a client may send. The keyset paginator's shapes are
// matched alike.
func NewAllowList(schema *Schema, shapes ...string) (*AllowList, error) {
	if schema == nil {
		return nil, errors.New("paginate: NewAllowList needs a schema")
	}
	l := &AllowList{shapes: make(map[string]struct{}, len(shapes))}
	var errs []error
	for _, text := range shapes {
		sh, err := schema.ParseShape(text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l.shapes[string(sh.AppendKey(nil))] = struct{}{}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return l, nil
}

// Allow reports whether s is listed.
func (l *AllowList) Allow(_ context.Context, s Shape) (bool, error) {
	s.Keyset = false
	var arr [256]byte
	_, ok := l.shapes[string(s.AppendKey(arr[:0]))]
	return ok, nil
}

// checkShape asks policy about the shape of the validated request r and
// returns the *RequestError a refusal is, or the policy's error.
func (b base) checkShape(ctx context.Context, policy ShapePolicy, keyset bool, r *plan) error {
	s := Shape{Sort: r.sort, Filters: filterShapes(r.filters), Keyset: keyset}
	ok, err := policy.Allow(ctx, s)
	if err != nil {
		return fmt.Errorf("paginate: shape policy: %w", err)
	}
	if ok {
		return nil
	}
	return b.refusal(ctx, policy, s)
}

// refusal explains why s was refused: the order alone is not allowed (the
// sort parameter is blamed, with the orders that are), or each filter the
// order does not allow alone (blamed with the orders that allow it), or
// the filters together. The orders offered are the schema's sortable
// fields, each in both directions, and the default sort and its reverse.
// The policy's answers for these shapes are cached by the policies of
// this module, so a refused request costs a few lookups.
func (b base) refusal(ctx context.Context, policy ShapePolicy, s Shape) error {
	var errs requestErrors
	sortOnly := Shape{Sort: s.Sort, Keyset: s.Keyset}
	if len(s.Filters) == 0 || !b.allowed(ctx, policy, sortOnly) {
		errs.add("sort", ErrShapeNotAllowed, "no index serves this order"+b.offered(ctx, policy, sortOnly, "; orders available: "))
		return errs.err()
	}
	for _, f := range s.Filters {
		one := Shape{Sort: s.Sort, Filters: []FilterShape{f}, Keyset: s.Keyset}
		if !b.allowed(ctx, policy, one) {
			errs.add(f.Param(), ErrShapeNotAllowed, fmt.Sprintf("no index serves this filter with sort=%s%s", s.SortParam(), b.offered(ctx, policy, one, "; orders that take it: ")))
		}
	}
	if len(errs) == 0 {
		for _, f := range s.Filters {
			errs.add(f.Param(), ErrShapeNotAllowed, fmt.Sprintf("no index serves these filters together with sort=%s", s.SortParam()))
		}
	}
	return errs.err()
}

// allowed asks policy about s, counting an error as a refusal.
func (b base) allowed(ctx context.Context, policy ShapePolicy, s Shape) bool {
	ok, err := policy.Allow(ctx, s)
	return err == nil && ok
}

// offered returns prefix and the offered orders policy allows with the
// filters of s, comma-separated, or "" when it allows none.
func (b base) offered(ctx context.Context, policy ShapePolicy, s Shape, prefix string) string {
	var list []string
	for _, keys := range b.schema.offeredSorts() {
		orders, reason := b.schema.order(keys)
		if reason != "" {
			continue
		}
		c := Shape{Sort: orders, Filters: s.Filters, Keyset: s.Keyset}
		if b.allowed(ctx, policy, c) {
			list = append(list, c.SortParam())
		}
	}
	if len(list) == 0 {
		return ""
	}
	return prefix + strings.Join(list, ", ")
}

// offeredSorts returns the orders a refusal may suggest: the default sort
// and its reverse, then each sortable field ascending and descending.
func (s *Schema) offeredSorts() [][]SortKey {
	rev := make([]SortKey, len(s.defaultSort))
	for i, k := range s.defaultSort {
		rev[i] = SortKey{Field: k.Field, Dir: k.Dir.Reverse()}
	}
	out := [][]SortKey{s.defaultSort, rev}
	for _, f := range s.fields {
		if !f.Sortable {
			continue
		}
		for _, d := range []Direction{Asc, Desc} {
			k := []SortKey{{Field: f.Name, Dir: d}}
			if !slices.Equal(k, s.defaultSort) && !slices.Equal(k, rev) {
				out = append(out, k)
			}
		}
	}
	return out
}
