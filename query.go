package paginate

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-paginate/paginate/internal/value"
)

// TimePrecisioner is an optional backend interface: a backend that stores
// times at a coarser precision than the nanosecond (microseconds on
// PostgreSQL and MySQL) says so, and the paginators adapt time filters to
// it. A bound between two representable times is moved to the
// representable time that selects the same rows (lt and gte round up, lte
// and gt round down); an eq, ne or in value that the backend cannot
// represent is rejected with [ErrInvalidFilter] rather than silently
// rounded by a driver into another value.
type TimePrecisioner interface {
	TimePrecision() time.Duration
}

// TimeRanger is an optional backend interface: a backend that stores only
// times within a narrower range than the years 1 to 9999 (UTC), which
// every paginator accepts, says so, and the paginators refuse a time
// filter value outside it with [ErrInvalidFilter] (a 400 naming the
// parameter) instead of passing the backend a value it cannot bind or
// compare. A zero bound leaves that side at the default.
type TimeRanger interface {
	// TimeRange returns the earliest and the latest time the backend
	// stores, both included.
	TimeRange() (earliest, latest time.Time)
}

// PerPageLimit is the largest page size a paginator may be configured
// with (PerPage and MaxPerPage). A page is read whole into memory and
// answered as one response: a client that wants more rows walks more
// pages. The limit keeps per-request arithmetic (per_page+1, the offset
// of a page) far from overflowing.
const PerPageLimit = 10_000

// The years a time filter value may fall in, in UTC: what RFC 3339 writes
// and every supported database stores.
const (
	minFilterYear = 1
	maxFilterYear = 9999
)

// checkBackendSchema reports a backend built for another schema than the
// paginator's: the two would disagree on columns and nullability.
func checkBackendSchema(b any, s *Schema) error {
	if bs, ok := b.(interface{ Schema() *Schema }); ok && bs.Schema() != nil && bs.Schema() != s {
		return errors.New("paginate: the backend was built with another schema than the paginator's")
	}
	return nil
}

// limits is what a backend says about the values it stores.
type limits struct {
	prec             time.Duration // time precision; 0 for nanoseconds
	earliest, latest time.Time     // stored time range; zero for the default
}

func limitsOf(b any) limits {
	var l limits
	if tp, ok := b.(TimePrecisioner); ok && tp.TimePrecision() > time.Nanosecond {
		l.prec = tp.TimePrecision()
	}
	if tr, ok := b.(TimeRanger); ok {
		l.earliest, l.latest = tr.TimeRange()
		l.earliest, l.latest = l.earliest.UTC(), l.latest.UTC()
	}
	return l
}

// timeProblem says why tm cannot be a filter value, or returns "".
func (l limits) timeProblem(tm time.Time) string {
	if y := tm.Year(); y < minFilterYear || y > maxFilterYear {
		return fmt.Sprintf("%s is outside the years %d to %d (UTC)", tm.Format(time.RFC3339Nano), minFilterYear, maxFilterYear)
	}
	if (!l.earliest.IsZero() && tm.Before(l.earliest)) || (!l.latest.IsZero() && tm.After(l.latest)) {
		return fmt.Sprintf("%s is outside the times stored (%s to %s)", tm.Format(time.RFC3339Nano), l.earliest.Format(time.RFC3339), l.latest.Format(time.RFC3339))
	}
	return ""
}

// sizes holds a paginator's page-size settings, defaults filled in.
type sizes struct {
	perPage, maxPerPage int
	rejectOverMax       bool
}

func newSizes(perPage, maxPerPage int, reject bool) (sizes, error) {
	switch {
	case perPage < 0 || maxPerPage < 0:
		return sizes{}, errors.New("paginate: PerPage and MaxPerPage must not be negative")
	case perPage > PerPageLimit || maxPerPage > PerPageLimit:
		return sizes{}, fmt.Errorf("paginate: PerPage %d or MaxPerPage %d is above the limit of %d (PerPageLimit); walk more pages instead", perPage, maxPerPage, PerPageLimit)
	}
	if maxPerPage == 0 {
		maxPerPage = 100
	}
	if perPage == 0 {
		perPage = min(10, maxPerPage)
	}
	if perPage > maxPerPage {
		return sizes{}, fmt.Errorf("paginate: PerPage %d exceeds MaxPerPage %d", perPage, maxPerPage)
	}
	return sizes{perPage, maxPerPage, reject}, nil
}

// of returns the page size a request asks for, or says what is wrong
// with it.
func (sz sizes) of(requested int) (int, string) {
	switch {
	case requested < 0:
		return 0, "must be a positive integer"
	case requested == 0:
		return sz.perPage, ""
	case requested > sz.maxPerPage && sz.rejectOverMax:
		return 0, fmt.Sprintf("exceeds the maximum of %d", sz.maxPerPage)
	}
	return min(requested, sz.maxPerPage), ""
}

// base is what both paginators check requests against.
type base struct {
	schema *Schema
	sizes  sizes
	limits limits
	sorts  *sortShapes
}

// newBase checks what both paginators' constructors check: the backend
// was built with the paginator's schema (if it says), the page sizes, and
// a backend that can load the schema's relations.
func newBase[T any](b Backend[T], schema *Schema, perPage, maxPerPage int, reject bool) (base, error) {
	if err := checkBackendSchema(b, schema); err != nil {
		return base{}, err
	}
	sz, err := newSizes(perPage, maxPerPage, reject)
	if err != nil {
		return base{}, err
	}
	if err := checkRelater(b, schema); err != nil {
		return base{}, err
	}
	sorts, err := newSortShapes(schema)
	if err != nil {
		return base{}, err
	}
	return base{schema: schema, sizes: sz, limits: limitsOf(b), sorts: sorts}, nil
}

// plan is a request validated against a schema.
type plan struct {
	sort     []Order    // shape.orders; nil when the sort is invalid
	shape    *sortShape // nil when the sort is invalid
	filters  []Condition
	fields   []Field
	includes []Inclusion
	perPage  int
}

// compile validates the parts of req that both strategies share, adding
// every problem to errs.
func (b base) compile(req Request, errs *requestErrors) plan {
	var p plan
	n, reason := b.sizes.of(req.PerPage)
	if reason != "" {
		errs.add("per_page", ErrInvalidPerPage, reason)
	}
	p.perPage = n

	if sh, reason := b.sorts.get(b.schema, req.Sort); reason != "" {
		errs.add("sort", ErrInvalidSort, reason)
	} else {
		p.shape, p.sort = sh, sh.orders
	}

	if len(req.Filters) > 0 {
		p.filters = make([]Condition, 0, len(req.Filters))
	}
	for _, f := range req.Filters {
		c, reason := b.schema.condition(f, b.limits)
		if reason != "" {
			errs.add(f.Param(), ErrInvalidFilter, reason)
			continue
		}
		p.filters = append(p.filters, c)
	}

	if req.Fields != nil {
		if reason := b.schema.fieldsProblem(req.Fields); reason != "" {
			errs.add("fields", ErrInvalidField, reason)
		} else {
			p.fields = make([]Field, len(req.Fields))
			for i, n := range req.Fields {
				p.fields[i] = b.schema.fields[b.schema.byName[n]]
			}
		}
	}
	if len(req.Include) > 0 {
		p.includes = b.schema.inclusions(req.Include, errs)
		p.fields = b.schema.linkFields(p.fields, p.includes)
	}
	return p
}

// Order returns the complete order the paginators ask a backend for, for
// a sort: the keys checked against the schema, everything after the key
// field dropped (it cannot change the order), and the key appended, in the
// direction of the last key, when it is missing, so that the order is
// total. An error is a [*ParamError] for "sort" that wraps
// [ErrInvalidSort].
func (s *Schema) Order(keys []SortKey) ([]Order, error) {
	orders, reason := s.order(keys)
	if reason != "" {
		return nil, &ParamError{Param: "sort", Reason: reason, Err: ErrInvalidSort}
	}
	return orders, nil
}

func (s *Schema) order(keys []SortKey) ([]Order, string) {
	if reason := s.sortProblem(keys); reason != "" {
		return nil, reason
	}
	key := s.fields[s.key]
	orders := make([]Order, 0, len(keys)+1)
	for _, k := range keys {
		f := s.fields[s.byName[k.Field]]
		orders = append(orders, Order{Field: f, Dir: k.Dir})
		if f.Key {
			return orders, ""
		}
	}
	return append(orders, Order{Field: key, Dir: keys[len(keys)-1].Dir}), ""
}

// condition validates one filter and converts its values to the field's
// canonical type, within what the backend stores (l), or says what is
// wrong with it.
func (s *Schema) condition(f Filter, l limits) (Condition, string) {
	field, ok := s.Field(f.Field)
	switch {
	case !ok:
		return Condition{}, "unknown field " + value.Quote(f.Field)
	case !f.Op.valid():
		return Condition{}, "unknown operator"
	case !field.Allows(f.Op):
		return Condition{}, fmt.Sprintf("field %q does not accept %s", f.Field, f.Op)
	case len(f.Values) == 0:
		return Condition{}, "no value"
	case f.Op != In && len(f.Values) != 1:
		return Condition{}, fmt.Sprintf("%s takes one value", f.Op)
	case len(f.Values) > MaxInValues:
		return Condition{}, fmt.Sprintf("more than %d values", MaxInValues)
	}
	vals := make([]any, len(f.Values))
	for i, v := range f.Values {
		n, reason := filterValue(f.Op.valueType(field.Type).kind(), f.Op, v, l)
		if reason != "" {
			return Condition{}, reason
		}
		if n == "" && (f.Op == Prefix || f.Op == Contains) {
			return Condition{}, "empty value"
		}
		vals[i] = n
	}
	return Condition{Field: field, Op: f.Op, Values: vals}, ""
}

// filterValue converts one value of a filter with operator op to kind k's
// canonical type, or says what is wrong with it. Text is parsed as a
// query-string value is; a number must be finite, a string valid text,
// and a time within the years 1 to 9999 and what the backend stores, and
// it is moved to the backend's precision as [TimePrecisioner] says.
func filterValue(k value.Kind, op Op, v any, l limits) (any, string) {
	var (
		n   any
		err error
	)
	switch x := v.(type) {
	case nil:
		return nil, "null value"
	case string:
		if len(x) > maxValueLen {
			return nil, "value too long"
		}
		n, err = value.Parse(k, x)
	default:
		n, err = value.Normalize(k, v)
	}
	if err != nil {
		return nil, err.Error()
	}
	switch x := n.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Sprintf("%v is not a finite number", x)
		}
	case string:
		if _, ok := v.(string); !ok && k == value.String {
			if _, err := value.Parse(k, x); err != nil {
				return nil, err.Error()
			}
		}
	case time.Time:
		return l.adaptTime(x, op)
	}
	return n, ""
}

// adaptTime checks a time filter value against the stored range and moves
// it to the backend's precision, or says why it cannot.
func (l limits) adaptTime(tm time.Time, op Op) (any, string) {
	if reason := l.timeProblem(tm); reason != "" {
		return nil, reason
	}
	if l.prec <= 0 {
		return tm, ""
	}
	down := tm.Truncate(l.prec)
	switch {
	case down.Equal(tm):
		return tm, ""
	case op == Lt || op == Gte:
		up := down.Add(l.prec)
		if reason := l.timeProblem(up); reason != "" {
			return nil, reason
		}
		return up, ""
	case op == Lte || op == Gt:
		if reason := l.timeProblem(down); reason != "" {
			return nil, reason
		}
		return down, ""
	}
	return nil, fmt.Sprintf("%s is more precise than the stored times (%v)", tm.Format(time.RFC3339Nano), l.prec)
}
