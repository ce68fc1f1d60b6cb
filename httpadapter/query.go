package httpadapter

import (
	"iter"
	"net/url"
	"strings"

	"github.com/go-paginate/paginate"
)

// ParsedQuery is a request's query string as a [Parser] read it: the
// [paginate.Request] it asks for, and every parameter as the client wrote
// it. A [Writer] uses the parameters to name them in errors the paginator
// reports (a filter the client wrote as price%5Bgte%5D or category[eq] is
// named price[gte] or category[eq], a renamed parameter by its configured
// name) and to carry them into Link URLs. It is immutable; get one from
// [Parser.Parse] or [FromContext].
type ParsedQuery struct {
	parser *Parser
	req    paginate.Request
	// params are the parameters, decoded, in order, with their repeats
	// (only ignored parameters may repeat). A parameter whose encoding is
	// malformed, which only an ignored one can be, is left out.
	params []queryParam
	// filterNames maps the core's name of each filter
	// ([paginate.Filter.Param]) to the client's.
	filterNames map[string]string
}

// queryParam is one parameter of a query string, decoded.
type queryParam struct {
	name, value string
	hasValue    bool // the segment had "="
	positional  bool // the page number or a cursor, which links replace
}

// Request returns the request the query string asks for. Its slices are
// shared with q and must not be modified.
func (q *ParsedQuery) Request() paginate.Request { return q.req }

// clientName returns the name the client gave the parameter the core
// calls core: the configured name of a standard parameter (and of a
// relation's fields parameter: fieldset[seller] for the core's
// fields[seller]), the filter's name as written ("category[eq]" for the
// core's "category"), or core itself when the query has no such
// parameter. q may be nil.
func (p *Parser) clientName(q *ParsedQuery, core string) string {
	if q != nil {
		if n, ok := q.filterNames[core]; ok {
			return n
		}
	}
	for k := range nParams {
		if stdParam(k).String() == core {
			return p.names[k]
		}
	}
	// A relation's fields, fields[relation], under the fields
	// parameter's name.
	if rel, ok := strings.CutPrefix(core, pFields.String()+"["); ok && strings.HasSuffix(rel, "]") {
		return p.names[pFields] + "[" + rel
	}
	return core
}

// keepIgnored keeps an ignored parameter for Link URLs, unless its value
// is not well percent-encoded (url.ParseQuery drops such a parameter too).
func (q *ParsedQuery) keepIgnored(name string, seg segment) {
	val, err := url.QueryUnescape(seg.rawValue)
	if err != nil {
		return
	}
	q.params = append(q.params, queryParam{name: name, value: val, hasValue: seg.hasValue})
}

// appendKept appends q's parameters other than the page number and the
// cursors to b, "&"-separated, each name and value encoded again with
// url.QueryEscape: the client's own encoding could carry characters such
// as > and , that end a URL in a Link header.
func (q *ParsedQuery) appendKept(b *strings.Builder) {
	first := true
	for _, p := range q.params {
		if p.positional {
			continue
		}
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(url.QueryEscape(p.name))
		if p.hasValue {
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(p.value))
		}
	}
}

// segment is one name=value part of a raw query string, still encoded.
type segment struct {
	rawName, rawValue string
	hasValue          bool
}

// segments splits a raw query string at '&', skipping empty segments. It
// is the one place a query string is split.
func segments(raw string) iter.Seq[segment] {
	return func(yield func(segment) bool) {
		for s := range strings.SplitSeq(raw, "&") {
			if s == "" {
				continue
			}
			name, val, eq := strings.Cut(s, "=")
			if !yield(segment{rawName: name, rawValue: val, hasValue: eq}) {
				return
			}
		}
	}
}
