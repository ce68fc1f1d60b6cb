package client

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// link is one link-value of a Link header (RFC 8288, section 3).
type link struct {
	target    string   // the URI-Reference between < and >, unresolved
	rels      []string // the relation types of the first rel parameter, lower-case
	anchor    string   // the first anchor parameter, unresolved
	hasAnchor bool
}

// parseLink parses one Link header value: a comma-separated list of
//
//	link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
//	link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
//
// It follows the ABNF rather than the lenient algorithm of RFC 8288's
// appendix B, which returns the links before a malformation and drops the
// rest: for a walker, a next link dropped that way is a walk that ends
// early with no error. So anything the grammar does not allow is a
// *LinkError. Where nothing can be lost, it accepts what RFC 9110 says
// recipients accept: empty list elements (", ,") and whitespace around
// "=", and it ignores empty parameters (a stray ";"). Parameter names are
// case-insensitive; a parameter after the first of the same name is
// ignored, as RFC 8288 says of rel.
func parseLink(s string) ([]link, error) {
	var links []link
	i := 0
	for {
		// Separators and empty list elements.
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i == len(s) {
			return links, nil
		}
		l, n, err := parseLinkValue(s, i)
		if err != nil {
			return nil, err
		}
		links = append(links, l)
		i = n
	}
}

// parseLinkValue parses the link-value at s[i:] and returns it with the
// offset of the ',' that ends it, or len(s).
func parseLinkValue(s string, i int) (link, int, error) {
	var l link
	if s[i] != '<' {
		return l, 0, &LinkError{Value: s, Offset: i, Reason: fmt.Sprintf("a link starts with '<', not %q", s[i])}
	}
	end := strings.IndexByte(s[i+1:], '>')
	if end < 0 {
		return l, 0, &LinkError{Value: s, Offset: i, Reason: "'<' without its '>'"}
	}
	end += i + 1
	for j := i + 1; j < end; j++ {
		if c := s[j]; c <= ' ' || c == 0x7f || c == '<' || c == '"' {
			return l, 0, &LinkError{Value: s, Offset: j, Reason: fmt.Sprintf("%q inside <URI-reference>", c)}
		}
	}
	l.target = s[i+1 : end]
	i = end + 1
	var sawRel bool
	for {
		i = skipOWS(s, i)
		if i == len(s) || s[i] == ',' {
			return l, i, nil
		}
		if s[i] != ';' {
			return l, 0, &LinkError{Value: s, Offset: i, Reason: fmt.Sprintf("expected ';' or ',' after a link or parameter, found %q", s[i])}
		}
		name, value, n, err := parseParam(s, i+1)
		if err != nil {
			return l, 0, err
		}
		i = n
		switch {
		case name == "rel" && !sawRel:
			sawRel = true
			l.rels = strings.Fields(strings.ToLower(value))
		case name == "anchor" && !l.hasAnchor:
			l.hasAnchor, l.anchor = true, value
		}
	}
}

// parseParam parses the link-param after a ';' at s[i:] and returns its
// name in lower case, its value ("" when it has none) and the offset
// after it. An empty parameter (";;", or a ';' at the end) has the name "".
func parseParam(s string, i int) (name, value string, next int, err error) {
	i = skipOWS(s, i)
	start := i
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	if i == start {
		if i == len(s) || s[i] == ';' || s[i] == ',' {
			return "", "", i, nil
		}
		return "", "", 0, &LinkError{Value: s, Offset: i, Reason: fmt.Sprintf("expected a parameter name, found %q", s[i])}
	}
	name = strings.ToLower(s[start:i])
	i = skipOWS(s, i)
	if i < len(s) && s[i] == '=' {
		if value, i, err = paramValue(s, skipOWS(s, i+1)); err != nil {
			return "", "", 0, err
		}
	}
	return name, value, i, nil
}

// paramValue parses the token or quoted-string at s[i:] and returns its
// value and the offset after it.
func paramValue(s string, i int) (string, int, error) {
	if i < len(s) && s[i] == '"' {
		return quotedString(s, i)
	}
	start := i
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	if i == start {
		found := "the end"
		if i < len(s) {
			found = fmt.Sprintf("%q", s[i])
		}
		return "", 0, &LinkError{Value: s, Offset: i, Reason: "expected a token or a quoted string after '=', found " + found}
	}
	return s[start:i], i, nil
}

// quotedString parses the quoted-string starting at s[i] (a '"') and
// returns its unescaped value and the offset after the closing quote.
//
//	quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//	qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
//	quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
func quotedString(s string, i int) (string, int, error) {
	open := i
	var b strings.Builder
	for i++; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\':
			i++
			if i == len(s) {
				return "", 0, &LinkError{Value: s, Offset: open, Reason: "unterminated quoted string"}
			}
			if c = s[i]; c != '\t' && (c < ' ' || c == 0x7f) {
				return "", 0, &LinkError{Value: s, Offset: i, Reason: fmt.Sprintf("control character %q in quoted string", c)}
			}
			b.WriteByte(c)
		case c != '\t' && (c < ' ' || c == 0x7f):
			return "", 0, &LinkError{Value: s, Offset: i, Reason: fmt.Sprintf("control character %q in quoted string", c)}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, &LinkError{Value: s, Offset: open, Reason: "unterminated quoted string"}
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// isTchar reports whether c may appear in an RFC 9110 token.
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// nextLink returns the target of the rel="next" link in the Link header
// values, resolved against base (the URL of the response), or nil when
// there is none. A link whose anchor parameter names another resource
// than base is about that resource, not this page, and is skipped. Two
// next links with different targets are an error: picking one could skip
// pages.
func nextLink(values []string, base *url.URL) (*url.URL, error) {
	var next *url.URL
	var from string
	for _, v := range values {
		links, err := parseLink(v)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if !slices.Contains(l.rels, "next") { // rels are lower-case: relation types compare case-insensitively (RFC 8288, section 2.1.1)
				continue
			}
			if l.hasAnchor {
				a, err := base.Parse(l.anchor)
				if err != nil {
					return nil, &LinkError{Value: v, Offset: strings.Index(v, l.anchor), Reason: fmt.Sprintf("anchor %q is not a URI reference: %v", l.anchor, err)}
				}
				if !sameResource(a, base) {
					continue
				}
			}
			u, err := base.Parse(l.target)
			if err != nil {
				return nil, &LinkError{Value: v, Offset: strings.Index(v, l.target), Reason: fmt.Sprintf("next target %q is not a URI reference: %v", l.target, err)}
			}
			u.Fragment, u.RawFragment = "", ""
			if next != nil && next.String() != u.String() {
				return nil, &LinkError{Value: from + ", " + v, Reason: fmt.Sprintf("two rel=next links, %s and %s", next.Redacted(), u.Redacted())}
			}
			next, from = u, v
		}
	}
	return next, nil
}

// sameResource reports whether a and b name the same resource: equal
// but for their fragments.
func sameResource(a, b *url.URL) bool {
	a2, b2 := *a, *b
	a2.Fragment, a2.RawFragment, b2.Fragment, b2.RawFragment = "", "", "", ""
	return a2.String() == b2.String()
}
