package httpadapter

import (
	"errors"
	"net/http"

	"github.com/go-paginate/paginate"
)

// Handler returns an http.Handler that serves p: it parses the query
// string against s, calls p.Paginate with the request's context, and
// writes the page or the error as [Writer.WritePage] and
// [Parser.WriteError] do. If s is nil, p's own schema is used when p has a
// Schema method (as [paginate.Offset] and [paginate.Keyset] do).
//
// cfg.Mode is set from p when p says how it pages: a paginator with a
// Config method returning [paginate.KeysetConfig] serves cursors, one
// returning [paginate.OffsetConfig] page numbers; otherwise cfg.Mode
// stands. A wrapper that hides these methods, such as a cache, is seen
// through when it has an Unwrap method returning the paginator it wraps
// (as cache.Pages does): the schema and the mode come from the first
// paginator down the chain that has them. The handler answers GET and
// HEAD; other methods get 405.
func Handler[T any](p paginate.Paginator[T], s *paginate.Schema, cfg Config) (http.Handler, error) {
	if p == nil {
		return nil, errors.New("httpadapter: Handler needs a paginator")
	}
	moded := false
	q := p
	for range maxUnwrap {
		if s == nil {
			if sp, ok := q.(interface{ Schema() *paginate.Schema }); ok {
				s = sp.Schema()
			}
		}
		if !moded {
			switch q.(type) {
			case interface{ Config() paginate.KeysetConfig }:
				cfg.Mode, moded = CursorMode, true
			case interface{ Config() paginate.OffsetConfig }:
				cfg.Mode, moded = OffsetMode, true
			}
		}
		u, ok := q.(interface{ Unwrap() paginate.Paginator[T] })
		if (s != nil && moded) || !ok {
			break
		}
		if q = u.Unwrap(); q == nil {
			break
		}
	}
	parser, err := NewParser(s, cfg)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter[T](parser)
	if err != nil {
		return nil, err
	}
	return &handler[T]{p: p, w: w}, nil
}

// maxUnwrap bounds the chain of wrappers Handler looks through.
const maxUnwrap = 32

type handler[T any] struct {
	p paginate.Paginator[T]
	w *Writer[T]
}

func (h *handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteProblem(w, newProblem(http.StatusMethodNotAllowed, "Use GET or HEAD."))
		return
	}
	req, err := h.w.p.Parse(r)
	if err != nil {
		h.w.p.WriteError(w, r, err)
		return
	}
	page, err := h.p.Paginate(r.Context(), req)
	if err != nil {
		h.w.p.WriteError(w, r, err)
		return
	}
	h.w.WritePage(w, r, req, page)
}
