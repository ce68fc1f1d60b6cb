package httpadapter

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/go-paginate/paginate"
)

// Config configures a [Handler]: its parser and its writer.
type Config struct {
	// Parser configures parsing. If its Mode is zero, Handler sets it
	// from the paginator.
	Parser ParserConfig
	// Writer configures the envelope, links and error responses.
	Writer WriterConfig
	// Cost bounds the time a page may take and reports the time it took.
	Cost CostConfig
}

// Handler returns an http.Handler that serves p: it parses the query
// string against s with a [Parser], calls p.Paginate with the request's
// context, and writes the page or the error with a [Writer]. If s is
// nil, p's own schema is used when p has a Schema method (as
// [paginate.Offset] and [paginate.Keyset] do). The handler answers GET
// and HEAD; other methods get 405. It is an [Endpoint]: it can describe
// itself in an [OpenAPI] document.
//
// The mode is explicit, and checked: a *[paginate.Offset] pages by number
// and a *[paginate.Keyset] by cursor, and a cfg.Parser.Mode that says
// otherwise is an error; for any other paginator, such as a cache in
// front of one, cfg.Parser.Mode must be set. A handler whose mode
// differed from its paginator's would refuse the cursors it hands out.
func Handler[T any](p paginate.Paginator[T], s *paginate.Schema, cfg Config) (Endpoint, error) {
	if p == nil {
		return nil, errors.New("httpadapter: Handler needs a paginator")
	}
	mode, err := modeOf(p, cfg.Parser.Mode)
	if err != nil {
		return nil, err
	}
	cfg.Parser.Mode = mode
	if s == nil {
		if sp, ok := p.(interface{ Schema() *paginate.Schema }); ok {
			s = sp.Schema()
		}
	}
	parser, err := NewParser(s, cfg.Parser)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter[T](parser, cfg.Writer)
	if err != nil {
		return nil, err
	}
	if cfg.Cost.Budget < 0 || cfg.Cost.SlowPage < 0 {
		return nil, errors.New("httpadapter: Config.Cost durations must not be negative")
	}
	return &handler[T]{p: p, parser: parser, w: w, cost: cfg.Cost}, nil
}

// modeOf returns the mode an endpoint serving p has: p's own, when its
// type says it, which declared (if set) must agree with; else declared,
// which must then be set.
func modeOf[T any](p paginate.Paginator[T], declared Mode) (Mode, error) {
	var own Mode
	switch p.(type) {
	case *paginate.Offset[T]:
		own = OffsetMode
	case *paginate.Keyset[T]:
		own = CursorMode
	}
	switch {
	case own == 0 && declared == 0:
		return 0, fmt.Errorf("httpadapter: Handler cannot tell how a %T pages: set Config.Parser.Mode to OffsetMode or CursorMode", p)
	case own != 0 && declared != 0 && own != declared:
		return 0, fmt.Errorf("httpadapter: a %T serves %s pages, but Config.Parser.Mode is %s", p, own, declared)
	case own != 0:
		return own, nil
	}
	return declared, nil
}

type handler[T any] struct {
	p      paginate.Paginator[T]
	parser *Parser
	w      *Writer[T]
	cost   CostConfig
}

func (h *handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteProblem(w, newProblem(http.StatusMethodNotAllowed, "Use GET or HEAD."))
		return
	}
	h.serve(w, r) // cost.go
}
