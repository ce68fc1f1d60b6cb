package httpadapter

import (
	"context"
	"net/http"

	"github.com/go-paginate/paginate"
)

// contextKey is the type of the context key the parsed request is stored
// under; unexported, so no other package can collide with it.
type contextKey struct{}

// NewContext returns a copy of ctx carrying req.
func NewContext(ctx context.Context, req paginate.Request) context.Context {
	return context.WithValue(ctx, contextKey{}, req)
}

// FromContext returns the request stored in ctx by [Parser.Middleware] or
// [NewContext], and whether there was one.
func FromContext(ctx context.Context) (paginate.Request, bool) {
	req, ok := ctx.Value(contextKey{}).(paginate.Request)
	return req, ok
}

// Middleware wraps next: it parses each request's query string and, when
// it is valid, calls next with the parsed request in the context (read it
// with [FromContext]). Bad input is answered by the middleware itself,
// with 400 and a problem+json body naming every offending parameter; next
// is not called.
//
// Checks that need the paginator (the maximum per_page when it rejects
// larger ones, cursors) happen in Paginate; pass its error to
// [Parser.WriteError].
func (p *Parser) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := p.Parse(r)
		if err != nil {
			p.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), req)))
	})
}
