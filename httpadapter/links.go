package httpadapter

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-paginate/paginate"
)

// Links are the absolute URLs of the pages around a page; "" means there
// is none. Each keeps the request's other query parameters and replaces
// the page number or cursor. The envelope carries them as its links
// object, and the Link header as RFC 8288 links.
type Links struct {
	// First is the first page: page 1 in offset mode; in cursor mode the
	// URL without a cursor.
	First string
	// Prev is the previous page; past the end of an offset walk, the
	// last page.
	Prev string
	// Next is the next page.
	Next string
	// Last is the last page: in offset mode when the total is counted
	// exactly; in cursor mode when the paginator gives a
	// [paginate.Page.LastCursor] (as [paginate.Keyset] does), the URL with
	// that cursor as the before parameter, which returns the final rows of
	// the order.
	Last string
}

// Header returns ls as the value of an RFC 8288 Link header, in the order
// first, prev, next, last, or "" when there are no links.
func (ls Links) Header() string {
	var b strings.Builder
	for _, l := range [...]struct{ rel, url string }{{"first", ls.First}, {"prev", ls.Prev}, {"next", ls.Next}, {"last", ls.Last}} {
		if l.url == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('<')
		b.WriteString(l.url)
		b.WriteString(`>; rel="`)
		b.WriteString(l.rel)
		b.WriteByte('"')
	}
	return b.String()
}

// Links returns the links around page, the answer to r, whose query q
// holds: in offset mode first, prev, next, and last when the total is
// exact; in cursor mode first, prev, next, and last when the page has a
// LastCursor. The URLs keep q's other parameters, in order and with their
// repeats, each name and value decoded and encoded again (so
// category[in]=a,b comes back as category%5Bin%5D=a%2Cb): no value can
// end a URL or add a link. q must come from the writer's parser; a nil q
// has no parameters to keep.
func (w *Writer[T]) Links(r *http.Request, q *ParsedQuery, page paginate.Page[T]) Links {
	lb := w.linkBuilder(r, q)
	var ls Links
	if w.parser.cfg.Mode == CursorMode {
		ls.First = lb.bare()
		ls.Prev = lb.url(pBefore, page.PrevCursor)
		ls.Next = lb.url(pAfter, page.NextCursor)
		ls.Last = lb.url(pBefore, page.LastCursor)
		return ls
	}
	ls.First = lb.url(pPage, "1")
	if page.PrevPage > 0 {
		ls.Prev = lb.url(pPage, strconv.Itoa(page.PrevPage))
	}
	if page.NextPage > 0 {
		ls.Next = lb.url(pPage, strconv.Itoa(page.NextPage))
	}
	if exactTotal(&page) {
		ls.Last = lb.url(pPage, strconv.Itoa(max(page.Pages, 1)))
	}
	return ls
}

// exactTotal reports whether page's total is an exact count.
func exactTotal[T any](page *paginate.Page[T]) bool {
	return page.Counted && !page.TotalCapped && !page.TotalEstimated
}

// linkBuilder makes the URLs of one page's links.
type linkBuilder struct {
	prefix string // scheme://host/path?kept&
	names  *[nParams]string
}

func (w *Writer[T]) linkBuilder(r *http.Request, q *ParsedQuery) linkBuilder {
	var b strings.Builder
	b.WriteString(w.baseOf(r))
	b.WriteByte('?')
	if q != nil {
		start := b.Len()
		q.appendKept(&b)
		if b.Len() > start {
			b.WriteByte('&')
		}
	}
	return linkBuilder{prefix: b.String(), names: &w.parser.names}
}

// bare returns the URL with no page number or cursor.
func (lb linkBuilder) bare() string {
	return strings.TrimSuffix(strings.TrimSuffix(lb.prefix, "&"), "?")
}

// url returns the URL with parameter k set to v, or "" if v is.
func (lb linkBuilder) url(k stdParam, v string) string {
	if v == "" {
		return ""
	}
	return lb.prefix + url.QueryEscape(lb.names[k]) + "=" + url.QueryEscape(v)
}

// baseOf returns scheme://host/path of the URL the client asked for.
func (w *Writer[T]) baseOf(r *http.Request) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if w.base != nil {
		scheme, host = w.base.Scheme, w.base.Host
	}
	if host == "" {
		host = r.URL.Host
	}
	// RequestURI is the path the client sent, before any prefix
	// stripping; URL.Path is the fallback for requests built in code.
	// Either is escaped again: the client's own spelling could hold a >
	// or a " that would end the URL in a Link header and add links.
	path := r.URL.EscapedPath()
	if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
		if u, err := url.ParseRequestURI(ru); err == nil {
			path = u.EscapedPath()
		}
	}
	return scheme + "://" + host + path
}
