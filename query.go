package paginate

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
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

// checkBackendSchema reports a backend built for another schema than the
// paginator's: the two would disagree on columns and nullability.
func checkBackendSchema(b any, s *Schema) error {
	if bs, ok := b.(interface{ Schema() *Schema }); ok && bs.Schema() != nil && bs.Schema() != s {
		return errors.New("paginate: the backend was built with another schema than the paginator's")
	}
	return nil
}

// timePrecision returns b's time precision, or 0 for nanoseconds.
func timePrecision(b any) time.Duration {
	if tp, ok := b.(TimePrecisioner); ok && tp.TimePrecision() > time.Nanosecond {
		return tp.TimePrecision()
	}
	return 0
}

// sizes holds a paginator's page-size settings, defaults filled in.
type sizes struct {
	perPage, maxPerPage int
	rejectOverMax       bool
}

func newSizes(perPage, maxPerPage int, reject bool) (sizes, error) {
	if perPage < 0 || maxPerPage < 0 {
		return sizes{}, fmt.Errorf("paginate: PerPage and MaxPerPage must not be negative")
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

// plan is a request validated against a schema.
type plan struct {
	sort    []Order
	filters []Condition
	fields  []Field
	perPage int
}

// compile validates the parts of req that both strategies share, adding
// every problem to errs.
func compile(s *Schema, sz sizes, prec time.Duration, req Request, errs *requestErrors) plan {
	var p plan
	switch {
	case req.PerPage < 0:
		errs.add("per_page", ErrInvalidPerPage, fmt.Errorf("%w: must be a positive integer", ErrInvalidPerPage))
	case req.PerPage == 0:
		p.perPage = sz.perPage
	case req.PerPage > sz.maxPerPage && sz.rejectOverMax:
		errs.add("per_page", ErrInvalidPerPage, fmt.Errorf("%w: exceeds the maximum of %d", ErrInvalidPerPage, sz.maxPerPage))
	default:
		p.perPage = min(req.PerPage, sz.maxPerPage)
	}

	keys := req.Sort
	if keys == nil {
		keys = s.defaultSort
	}
	if orders, err := s.Order(keys); err != nil {
		errs.add("sort", ErrInvalidSort, err)
	} else {
		p.sort = orders
	}

	if len(req.Filters) > 0 {
		p.filters = make([]Condition, 0, len(req.Filters))
	}
	for _, f := range req.Filters {
		c, err := s.condition(f, prec)
		if err != nil {
			errs.add(f.Param(), ErrInvalidFilter, err)
			continue
		}
		p.filters = append(p.filters, c)
	}

	if req.Fields != nil {
		if err := s.checkFields(req.Fields); err != nil {
			errs.add("fields", ErrInvalidField, err)
		} else if len(req.Fields) == 0 {
			errs.add("fields", ErrInvalidField, fmt.Errorf("%w: empty", ErrInvalidField))
		} else {
			p.fields = make([]Field, len(req.Fields))
			for i, n := range req.Fields {
				p.fields[i] = s.fields[s.byName[n]]
			}
		}
	}
	return p
}

// Order returns the complete order the paginators ask a backend for, for
// a sort: the keys checked against the schema, everything after the key
// field dropped (it cannot change the order), and the key appended, in the
// direction of the last key, when it is missing, so that the order is
// total. Errors wrap [ErrInvalidSort].
func (s *Schema) Order(keys []SortKey) ([]Order, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSort)
	}
	if err := s.checkSort(keys); err != nil {
		return nil, err
	}
	key := s.fields[s.key]
	orders := make([]Order, 0, len(keys)+1)
	for _, k := range keys {
		f := s.fields[s.byName[k.Field]]
		orders = append(orders, Order{Field: f, Dir: k.Dir})
		if f.Key {
			return orders, nil
		}
	}
	return append(orders, Order{Field: key, Dir: keys[len(keys)-1].Dir}), nil
}

// condition validates one filter and converts its values to the field's
// canonical type, adapting times to the backend's precision prec.
func (s *Schema) condition(f Filter, prec time.Duration) (Condition, error) {
	field, ok := s.Field(f.Field)
	if !ok {
		return Condition{}, fmt.Errorf("%w: unknown field %s", ErrInvalidFilter, quote(f.Field))
	}
	if f.Op < Eq || f.Op > In {
		return Condition{}, fmt.Errorf("%w: unknown operator", ErrInvalidFilter)
	}
	if !field.Allows(f.Op) {
		return Condition{}, fmt.Errorf("%w: field %q does not accept %s", ErrInvalidFilter, f.Field, f.Op)
	}
	switch {
	case len(f.Values) == 0:
		return Condition{}, fmt.Errorf("%w: no value", ErrInvalidFilter)
	case f.Op != In && len(f.Values) != 1:
		return Condition{}, fmt.Errorf("%w: %s takes one value", ErrInvalidFilter, f.Op)
	case len(f.Values) > MaxInValues:
		return Condition{}, fmt.Errorf("%w: more than %d values", ErrInvalidFilter, MaxInValues)
	}
	vals := make([]any, len(f.Values))
	for i, v := range f.Values {
		if v == nil {
			return Condition{}, fmt.Errorf("%w: null value", ErrInvalidFilter)
		}
		if str, ok := v.(string); ok && len(str) > maxValueLen {
			return Condition{}, fmt.Errorf("%w: value too long", ErrInvalidFilter)
		}
		n, err := normalize(field.Type, v)
		if err != nil {
			return Condition{}, fmt.Errorf("%w: %w", ErrInvalidFilter, err)
		}
		if x, ok := n.(float64); ok && math.IsInf(x, 0) {
			return Condition{}, fmt.Errorf("%w: %v is not a finite number", ErrInvalidFilter, x)
		}
		if str, ok := n.(string); ok && field.Type == String {
			if _, err := ParseValue(String, str); err != nil {
				return Condition{}, fmt.Errorf("%w: %w", ErrInvalidFilter, err)
			}
		}
		if tm, ok := n.(time.Time); ok && prec > 0 {
			if down := tm.Truncate(prec); !down.Equal(tm) {
				switch f.Op {
				case Lt, Gte:
					n = down.Add(prec)
				case Lte, Gt:
					n = down
				default:
					return Condition{}, fmt.Errorf("%w: %s is more precise than the stored times (%v)", ErrInvalidFilter, tm.Format(time.RFC3339Nano), prec)
				}
			}
		}
		vals[i] = n
	}
	return Condition{Field: field, Op: f.Op, Values: vals}, nil
}

// binding hashes the sort and filters a cursor belongs to. Filters are
// hashed in a canonical order, so reordering query parameters keeps
// cursors valid.
func binding(sort []Order, filters []Condition) [8]byte {
	var b strings.Builder
	for _, o := range sort {
		fmt.Fprintf(&b, "s%q:%d:%d;", o.Field.Name, o.Field.Type, o.Dir)
	}
	b.WriteString(FiltersKey(filters))
	sum := sha256.Sum256([]byte(b.String()))
	var out [8]byte
	copy(out[:], sum[:])
	return out
}

// FiltersKey returns a canonical text of filters, for keys of caches and
// cursors: two lists of conditions have the same key exactly when they
// hold the same conditions on the same typed values, in any order.
func FiltersKey(filters []Condition) string {
	fs := make([]string, len(filters))
	for i, c := range filters {
		var fb strings.Builder
		fmt.Fprintf(&fb, "f%q:%d:", c.Field.Name, c.Op)
		for _, v := range c.Values {
			fmt.Fprintf(&fb, "%T=%#v,", v, v)
		}
		fs[i] = fb.String()
	}
	slices.Sort(fs)
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f)
		b.WriteByte(';')
	}
	return b.String()
}
