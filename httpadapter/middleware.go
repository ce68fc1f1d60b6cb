package httpadapter

import (
	"context"
	"net/http"
)

// contextKey is the type of the context key the parsed query is stored
// under; unexported, so no other package can collide with it.
type contextKey struct{}

// NewContext returns a copy of ctx carrying q.
func NewContext(ctx context.Context, q *ParsedQuery) context.Context {
	return context.WithValue(ctx, contextKey{}, q)
}

// FromContext returns the parsed query stored in ctx by [Middleware] or
// [NewContext], and whether there was one. Its Request method gives the
// [paginate.Request].
func FromContext(ctx context.Context) (*ParsedQuery, bool) {
	q, ok := ctx.Value(contextKey{}).(*ParsedQuery)
	return q, ok && q != nil
}

// Middleware returns middleware that parses each request's query string
// with p and, when it is valid, calls the next handler with the parsed
// query in the context (read it with [FromContext]). Bad input is
// answered by the middleware itself, with 400 and a problem+json body
// naming every offending parameter; the next handler is not called.
//
// Checks that need the paginator (the maximum per_page when it rejects
// larger ones, cursors) happen in Paginate; pass its error, with the
// parsed query, to [Writer.WriteError].
func Middleware(p *Parser) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q, qe := p.parse(r.URL.RawQuery)
			if qe != nil {
				WriteProblem(w, badRequest(qe.invalidParams()))
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), q)))
		})
	}
}
