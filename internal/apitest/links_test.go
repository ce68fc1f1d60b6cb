package apitest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLinks(t *testing.T) {
	got, err := ParseLinks(`<https://a.test/x?page=1&in=a,b>; rel="first", <https://a.test/x?page=3>; rel="next"`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"first": "https://a.test/x?page=1&in=a,b", "next": "https://a.test/x?page=3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, err := ParseLinks(""); err != nil || len(got) != 0 {
		t.Errorf("empty header: %v, %v", got, err)
	}
	for _, bad := range []string{
		`https://a.test/; rel="next"`,                                  // no <>
		`<https://a.test/; rel="next"`,                                 // no >
		`<https://a.test/>; rel=next`,                                  // unquoted
		`<https://a.test/>; rel="next"; title="x"`,                     // more than rel
		`<https://a.test/>;rel="next"`,                                 // no space
		`<https://a.test/>; rel=""`,                                    // empty rel
		`<https://a.test/>; rel="next", <https://b.test/>; rel="next"`, // twice
		`<https://a.test/x>;rel="next",<https://evil.test/>; rel="last"`,
		`<https://a.test/>; rel="next", `,
	} {
		if got, err := ParseLinks(bad); err == nil {
			t.Errorf("%s: %v, want an error", bad, got)
		}
	}
}
