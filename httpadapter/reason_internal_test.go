package httpadapter

import (
	"fmt"
	"testing"

	"github.com/go-paginate/paginate"
)

// reasonOf takes a ParamError's Reason as it is, and falls back to the
// message after the sentinel only for an error without one.
func TestReasonOf(t *testing.T) {
	s := paginate.ErrInvalidSort
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a ParamError's reason", fmt.Errorf("wrapped: %w", &paginate.ParamError{Param: "sort", Reason: "field \"x\" is not sortable", Err: s}), `field "x" is not sortable`},
		{"a sentinel with a message", fmt.Errorf("%w: unknown field \"x\"", s), `unknown field "x"`},
		{"the bare sentinel", s, "invalid sort"},
	} {
		if got := reasonOf(tc.err, s); got != tc.want {
			t.Errorf("%s: reasonOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}
