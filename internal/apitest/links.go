package apitest

import (
	"fmt"
	"strings"
)

// ParseLinks returns the target of each relation of a Link header as
// httpadapter writes it: link-values `<target>; rel="name"` joined by
// ", ", where a target may hold commas but not '>'. Anything else in the
// header, and a relation named twice, is an error. An empty header has no
// links.
func ParseLinks(header string) (map[string]string, error) {
	out := map[string]string{}
	for rest := header; rest != ""; {
		lv, ok := strings.CutPrefix(rest, "<")
		if !ok {
			return nil, fmt.Errorf("link-value %q does not start with '<'", rest)
		}
		target, params, ok := strings.Cut(lv, ">")
		if !ok {
			return nil, fmt.Errorf("link-value %q has no '>'", rest)
		}
		var more bool
		if params, rest, more = strings.Cut(params, ", "); more && rest == "" {
			return nil, fmt.Errorf("%q ends with a separator", header)
		}
		rel, ok := strings.CutPrefix(params, `; rel="`)
		if !ok || len(rel) < 2 || !strings.HasSuffix(rel, `"`) || strings.ContainsAny(rel[:len(rel)-1], `"<>;,`) {
			return nil, fmt.Errorf("link parameters %q are not one rel", params)
		}
		rel = rel[:len(rel)-1]
		if _, dup := out[rel]; dup {
			return nil, fmt.Errorf("rel %q twice in %q", rel, header)
		}
		out[rel] = target
	}
	return out, nil
}
