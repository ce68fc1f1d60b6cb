package httpadapter

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-paginate/paginate"
)

// reasonOf takes a ParamError's Reason as it is; an error without one gets
// the fixed fallback, never text from its message.
func TestReasonOf(t *testing.T) {
	s := paginate.ErrInvalidSort
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a ParamError's reason", fmt.Errorf("wrapped: %w", &paginate.ParamError{Param: "sort", Reason: "field \"x\" is not sortable", Err: s}), `field "x" is not sortable`},
		{"a ParamError without a reason", &paginate.ParamError{Param: "sort", Err: s}, reasonSort},
		{"a sentinel with a message", fmt.Errorf("%w: no such column \"secret\"", s), reasonSort},
		{"the bare sentinel", s, reasonSort},
	} {
		if got := reasonOf(tc.err, reasonSort); got != tc.want {
			t.Errorf("%s: reasonOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A bare sentinel from a foreign paginator blames its parameter with the
// fixed reason of its kind, and no text of the message.
func TestParamErrorsOfBareSentinels(t *testing.T) {
	for _, tc := range []struct {
		err           error
		param, reason string
	}{
		{fmt.Errorf("%w: SELECT secret", paginate.ErrInvalidCursor), "after", "not a valid cursor"},
		{fmt.Errorf("%w: x", paginate.ErrInvalidPage), "page", "not a valid page"},
		{fmt.Errorf("%w: x", paginate.ErrInvalidPerPage), "per_page", "not a valid page size"},
		{fmt.Errorf("%w: x", paginate.ErrInvalidSort), "sort", reasonSort},
		{fmt.Errorf("%w: x", paginate.ErrInvalidField), "fields", reasonFields},
		{fmt.Errorf("%w: x", paginate.ErrInvalidFilter), "filter", reasonFilter},
	} {
		got := paramErrors(tc.err)
		if len(got) != 1 || got[0].Param != tc.param || got[0].Reason != tc.reason || !errors.Is(tc.err, got[0].Err) {
			t.Errorf("paramErrors(%v) = %+v, want %s: %s", tc.err, got, tc.param, tc.reason)
		}
	}
	if got := paramErrors(errors.New("paginate: fetch: boom")); got != nil {
		t.Errorf("paramErrors of a backend failure = %+v", got)
	}
}
