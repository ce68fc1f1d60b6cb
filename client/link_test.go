package client

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNextLink(t *testing.T) {
	const base = "https://api.example.com/v1/items?page=1"
	tests := []struct {
		name   string
		values []string
		want   string // "" = no next link
	}{
		{"github", []string{`<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"`},
			"https://api.github.com/repositories/1300192/issues?page=4"},
		{"several header lines", []string{`<https://a.example/1>; rel="prev"`, `<https://a.example/3>; rel="next"`}, "https://a.example/3"},
		{"unquoted rel", []string{`<https://a.example/3>; rel=next`}, "https://a.example/3"},
		{"several relation types", []string{`<https://a.example/9>; rel="next last"`}, "https://a.example/9"},
		{"relation type after another", []string{"<https://a.example/9>; rel=\"last\tnext\""}, "https://a.example/9"},
		{"rel in upper case", []string{`<https://a.example/3>; REL="NEXT"`}, "https://a.example/3"},
		{"comma in a quoted string", []string{`<https://a.example/1>; title="one, two"; rel="prev", <https://a.example/3>; title="a, <b>; rel=c"; rel="next"`}, "https://a.example/3"},
		{"comma inside the URI", []string{`<https://a.example/items?ids=1,2,3&page=2>; rel="next", <https://a.example/items?ids=1,2,3&page=9>; rel="last"`}, "https://a.example/items?ids=1,2,3&page=2"},
		{"semicolon inside the URI", []string{`<https://a.example/items;v=2?page=2>; rel="next"`}, "https://a.example/items;v=2?page=2"},
		{"absolute path", []string{`</v2/items?page=2>; rel="next"`}, "https://api.example.com/v2/items?page=2"},
		{"relative path", []string{`<items?page=2>; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"query only", []string{`<?page=2>; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"parent path", []string{`<../v2/items?page=2>; rel="next"`}, "https://api.example.com/v2/items?page=2"},
		{"network path", []string{`<//api.example.com/v1/items?page=2>; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"fragment dropped", []string{`<?page=2#top>; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"whitespace around = and ;", []string{"<?page=2>\t;  rel =\t\"next\" ; title = x"}, "https://api.example.com/v1/items?page=2"},
		{"empty list elements", []string{` , <?page=0>; rel=prev ,, <?page=2>; rel=next, `}, "https://api.example.com/v1/items?page=2"},
		{"empty parameters", []string{`<?page=2>;; rel=next;`}, "https://api.example.com/v1/items?page=2"},
		{"parameter without value", []string{`<?page=2>; crossorigin; rel=next`}, "https://api.example.com/v1/items?page=2"},
		{"quoted pair", []string{`<?page=2>; title="say \"hi\" \\ bye"; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"extended parameter", []string{`<?page=2>; title*=UTF-8'de'n%c3%a4chste; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"same next twice", []string{`<?page=2>; rel=next`, `<https://api.example.com/v1/items?page=2>; rel="next"`}, "https://api.example.com/v1/items?page=2"},
		{"anchor naming this page", []string{`<?page=2>; rel=next; anchor="?page=1"`}, "https://api.example.com/v1/items?page=2"},
		{"empty anchor is this page", []string{`<?page=2>; rel=next; anchor=""`}, "https://api.example.com/v1/items?page=2"},

		{"no header", nil, ""},
		{"empty header", []string{""}, ""},
		{"no next", []string{`<?page=1>; rel="first", <?page=0>; rel="prev"`}, ""},
		{"second rel ignored", []string{`<?page=2>; rel="prev"; rel="next"`}, ""},
		{"rel without value", []string{`<?page=2>; rel`}, ""},
		{"next as a substring", []string{`<?page=2>; rel="nextpage next-archive"`}, ""},
		{"extension relation", []string{`<?page=2>; rel="https://example.com/rel/next"`}, ""},
		{"next in another parameter", []string{`<?page=2>; title="next"; rev=next`}, ""},
		{"anchor naming another resource", []string{`<?page=2>; rel=next; anchor="/other"`}, ""},
	}
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nextLink(tt.values, b)
			if err != nil {
				t.Fatalf("nextLink(%q): %v", tt.values, err)
			}
			var s string
			if got != nil {
				s = got.String()
			}
			if s != tt.want {
				t.Errorf("nextLink(%q) = %q, want %q", tt.values, s, tt.want)
			}
		})
	}
}

func TestNextLinkMalformed(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		offset int    // -1: not checked
		reason string // a part of the reason
	}{
		{"no angle brackets", []string{`https://a.example/?page=2; rel="next"`}, 0, "starts with '<'"},
		{"no closing bracket", []string{`<https://a.example/?page=2; rel="next"`}, 0, "without its '>'"},
		{"no closing bracket before the next link", []string{`<https://a.example/?page=2; rel="next", <https://a.example/?page=9>; rel="last"`}, 27, `' ' inside <URI-reference>`},
		{"no closing bracket, no spaces", []string{`<https://a.example/?page=2;rel="next",<https://a.example/?page=9>;rel="last"`}, 31, `'"' inside <URI-reference>`},
		{"no closing bracket, no spaces or quotes", []string{`<https://a.example/?page=2;rel=next,<https://a.example/?page=9>;rel=last`}, 36, `'<' inside <URI-reference>`},
		{"unterminated quote", []string{`<https://a.example/?page=2>; rel="next`}, 33, "unterminated quoted string"},
		{"unterminated quote after a backslash", []string{`<?page=2>; rel="next\`}, 15, "unterminated quoted string"},
		{"garbage", []string{`garbage`}, 0, "starts with '<'"},
		{"garbage after a link", []string{`<?page=2>; rel=next garbage`}, 20, "expected ';' or ','"},
		{"two links without a comma", []string{`<?page=1>; rel=prev <?page=2>; rel=next`}, 20, "expected ';' or ','"},
		{"text after the brackets", []string{`<?page=2>x; rel=next`}, 9, "expected ';' or ','"},
		{"no parameter name", []string{`<?page=2>; =next`}, 11, "expected a parameter name"},
		{"no parameter value", []string{`<?page=2>; rel=`}, 15, "expected a token or a quoted string after '=', found the end"},
		{"value not a token", []string{`<?page=2>; rel=<next>`}, 15, "expected a token or a quoted string"},
		{"colon instead of equals", []string{`<?page=2>; rel:next`}, 14, "expected ';' or ','"},
		{"space in the URI", []string{`<?page=2 &x=1>; rel=next`}, 8, `' ' inside <URI-reference>`},
		{"control character in a quoted string", []string{"<?page=2>; title=\"a\x01b\"; rel=next"}, 19, "control character"},
		{"second header line malformed", []string{`<?page=2>; rel=next`, `<?page=3; rel=last`}, 0, "without its '>'"},
		{"not a URI reference", []string{`<http://[::1/items>; rel=next`}, -1, "is not a URI reference"},
		{"two different next links", []string{`<?page=2>; rel=next, <?page=3>; rel=next`}, -1, "two rel=next links"},
		{"two different next links on two lines", []string{`<?page=2>; rel=next`, `<?page=3>; rel=next`}, -1, "two rel=next links"},
	}
	b, err := url.Parse("https://api.example.com/items")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nextLink(tt.values, b)
			var le *LinkError
			if !errors.As(err, &le) {
				t.Fatalf("nextLink(%q) = %v, %v; want a *LinkError", tt.values, got, err)
			}
			if !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", le.Reason, tt.reason)
			}
			if tt.offset >= 0 && le.Offset != tt.offset {
				t.Errorf("offset %d, want %d (%q)", le.Offset, tt.offset, le.Error())
			}
			if !strings.HasPrefix(err.Error(), "malformed Link header: ") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestParseLinkParameters(t *testing.T) {
	links, err := parseLink(`<a>; Title="x, \"y\""; rel="Next  LAST"; anchor=b; anchor=c, <d>`)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 {
		t.Fatalf("got %d links, want 2: %+v", len(links), links)
	}
	l := links[0]
	if l.target != "a" || strings.Join(l.rels, "|") != "next|last" || !l.hasAnchor || l.anchor != "b" {
		t.Errorf("first link %+v", l)
	}
	if l := links[1]; l.target != "d" || l.rels != nil || l.hasAnchor {
		t.Errorf("second link %+v", l)
	}
}

func TestLinkErrorCutsLongValues(t *testing.T) {
	v := "<" + strings.Repeat("a", 1000)
	_, err := parseLink(v)
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(err.Error()); n > 300 {
		t.Errorf("message is %d bytes long", n)
	}
}
