package sql

import (
	"strings"
	"testing"
)

func TestParseFrom(t *testing.T) {
	for _, tc := range []struct {
		from string
		want string // each table as name/alias/outer, or "" when not read
	}{
		{"items", "items//false"},
		{"items i", "items/i/false"},
		{"items AS i", "items/i/false"},
		{"main.items i", "main.items/i/false"},
		{`"Items" "I"`, `"Items"/"I"/false`},
		{"`items` i", "`items`/i/false"},
		{"items i JOIN cats c ON c.id = i.cat", "items/i/false cats/c/false"},
		{"items i LEFT JOIN cats c ON (c.id = i.cat AND c.x = 'a, b JOIN') INNER JOIN tags t USING (id)", "items/i/false cats/c/true tags/t/false"},
		{"items i LEFT OUTER JOIN cats c ON c.id = i.cat", "items/i/false cats/c/true"},
		{"a RIGHT JOIN b ON b.id = a.id", "a//true b//false"},
		{"a FULL OUTER JOIN b ON b.id = a.id", "a//true b//true"},
		{"a, b", "a//false b//false"},
		{"a NATURAL LEFT JOIN b", "a//false b//true"},
		{"(SELECT 1 AS id) AS s JOIN t ON t.id = s.id", "/s/false t//false"},
		{"items i USE INDEX (ix)", ""},
		{"generate_series(1, 10) g", ""},
		{"items i JOIN LATERAL (SELECT 1) x ON true", ""},
		{"items 'unterminated", ""},
	} {
		refs, ok := parseFrom(tc.from)
		var got []string
		for _, r := range refs {
			name := r.name.text
			if r.schema.kind != 0 {
				name = r.schema.text + "." + name
			}
			got = append(got, name+"/"+r.alias.text+"/"+map[bool]string{true: "true", false: "false"}[r.outer])
		}
		if !ok {
			got = nil
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("parseFrom(%q) = %q, want %q", tc.from, g, tc.want)
		}
	}
}

func TestParseColRef(t *testing.T) {
	for _, tc := range []struct {
		in, qual, name string
		ok             bool
	}{
		{"id", "", "id", true},
		{"i.id", "i", "id", true},
		{`"i"."Id"`, "i", "Id", true},
		{"`t`.`c`", "t", "c", true},
		{"public.items.id", "items", "id", true},
		{"lower(name)", "", "", false},
		{"a + b", "", "", false},
		{"NULL", "", "", false},
		{"i.", "", "", false},
		{"CAST(x AS TEXT)", "", "", false},
	} {
		r, ok := parseColRef(tc.in)
		if ok != tc.ok || ok && (r.qual.ident != tc.qual || r.name.ident != tc.name) {
			t.Errorf("parseColRef(%q) = %q.%q, %v; want %q.%q, %v", tc.in, r.qual.ident, r.name.ident, ok, tc.qual, tc.name, tc.ok)
		}
	}
}

func TestIsNotNullCondition(t *testing.T) {
	for _, tc := range []struct {
		in   string
		name string
		ok   bool
	}{
		{"price IS NOT NULL", "price", true},
		{"(i.price is not null)", "price", true},
		{"price IS NULL", "", false},
		{"price IS NOT NULL OR x = 1", "", false},
		{"lower(name) IS NOT NULL", "", false},
	} {
		r, ok := isNotNullCondition(tc.in)
		if ok != tc.ok || ok && r.name.ident != tc.name {
			t.Errorf("isNotNullCondition(%q) = %q, %v; want %q, %v", tc.in, r.name.ident, ok, tc.name, tc.ok)
		}
	}
}
