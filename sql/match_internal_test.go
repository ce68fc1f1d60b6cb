package sql

import "testing"

func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		p    pattern
		in   any
		want any
	}{
		{asIs, "a%_!", "a%_!"},
		{likePrefix, "abc", "abc%"},
		{likePrefix, `a%b_c!d\e`, `a!%b!_c!!d\e%`},
		{likeContains, "%", "%!%%"},
		{likeContains, "日本!", "%日本!!%"},
		{rangeEnd, "ab", "ab\xff"},
		{likePrefix, int64(3), int64(3)}, // not text: passed on for the database to refuse
	} {
		if got := tc.p.apply(tc.in); got != tc.want {
			t.Errorf("pattern %d of %q = %q, want %q", tc.p, tc.in, got, tc.want)
		}
	}
}
