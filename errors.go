package paginate

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error the package returns for bad input wraps one
// of them, so errors.Is tells which kind of input was wrong.
var (
	// ErrInvalidCursor: a cursor is malformed, forged, truncated, too
	// long, expired, or was made under another sort or filters.
	ErrInvalidCursor = errors.New("paginate: invalid cursor")
	// ErrInvalidSort: a sort names an unknown or unsortable field, or is
	// malformed.
	ErrInvalidSort = errors.New("paginate: invalid sort")
	// ErrInvalidFilter: a filter names an unknown field or operator, or its
	// value does not parse as the field's type.
	ErrInvalidFilter = errors.New("paginate: invalid filter")
	// ErrInvalidField: a fields list names an unknown field.
	ErrInvalidField = errors.New("paginate: invalid field")
	// ErrInvalidInclude: an include list names an unknown relation, or
	// one twice.
	ErrInvalidInclude = errors.New("paginate: invalid include")
	// ErrInvalidPage: a page number is not a positive integer, or is deeper
	// than the paginator allows.
	ErrInvalidPage = errors.New("paginate: invalid page")
	// ErrInvalidPerPage: a page size is not a positive integer, or exceeds
	// the maximum when the paginator rejects such sizes.
	ErrInvalidPerPage = errors.New("paginate: invalid per_page")
	// ErrPageOutOfRange: a strict paginator was asked for a page past the
	// last one.
	ErrPageOutOfRange = errors.New("paginate: page out of range")
	// ErrShapeNotAllowed: the request's order and filter operators are
	// valid but not a shape the paginator's [ShapePolicy] allows, such as
	// an order no index serves.
	ErrShapeNotAllowed = errors.New("paginate: query shape not allowed")
)

// ParamError is a problem with one request parameter. Param is the query
// parameter's conventional name ("page", "per_page", "after", "before",
// "sort", "fields", "include", a relation's [Include.FieldsParam], such as
// "fields[seller]", or a filter's [Filter.Param], such as "price[gte]");
// Reason says what is wrong in words fit for a client, set where the
// problem is found (it never repeats the parameter's name or the
// sentinel's text); Err is the sentinel it wraps.
type ParamError struct {
	Param  string
	Reason string
	Err    error
}

// Error returns "paginate: parameter P: reason".
func (e *ParamError) Error() string {
	return "paginate: parameter " + e.Param + ": " + e.Reason
}

// Unwrap returns the sentinel error.
func (e *ParamError) Unwrap() error { return e.Err }

// RequestError lists every problem found in a request. errors.Is and
// errors.As look through it to each [*ParamError].
type RequestError struct {
	Params []*ParamError
}

// Error joins the problems' messages.
func (e *RequestError) Error() string {
	var b strings.Builder
	b.WriteString("paginate: invalid request: ")
	for i, p := range e.Params {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Param)
		b.WriteString(": ")
		b.WriteString(p.Reason)
	}
	return b.String()
}

// Unwrap returns the problems.
func (e *RequestError) Unwrap() []error {
	errs := make([]error, len(e.Params))
	for i, p := range e.Params {
		errs[i] = p
	}
	return errs
}

// requestErrors collects ParamErrors.
type requestErrors []*ParamError

// add adds a problem with param: reason says what is wrong, in words fit
// for a client; sentinel is the kind of problem.
func (r *requestErrors) add(param string, sentinel error, reason string) {
	*r = append(*r, &ParamError{Param: param, Reason: reason, Err: sentinel})
}

func (r requestErrors) err() error {
	if len(r) == 0 {
		return nil
	}
	return &RequestError{Params: r}
}
