// Package relay answers the arguments of a GraphQL Relay connection field
// (first, after, last, before) from a [paginate.Keyset] paginator, as the
// GraphQL Cursor Connections Specification says, and returns the
// connection: edges with a cursor each, pageInfo and, when asked, a total
// count. It imports only the standard library and the core, so it serves
// any GraphQL server library; a resolver maps its field's arguments into
// [Args], calls [Paginate] and returns the [Connection].
//
//	func (r *queryResolver) Items(ctx context.Context, first *int, after *string, last *int, before *string) (*relay.Connection[Item], error) {
//		c, err := relay.Paginate(ctx, r.keyset, relay.Args{First: first, After: after, Last: last, Before: before})
//		return &c, err
//	}
//
// # Arguments
//
// The specification's algorithm (EdgesToReturn and ApplyCursorsToEdges)
// is followed with these choices, where it leaves them to the server:
//
//   - first and last may not both be given: that is an error naming
//     "last". The specification strongly discourages the combination.
//   - When neither is given, first is the paginator's default page size
//     ([paginate.KeysetConfig].PerPage), so a connection never returns
//     every row at once.
//   - first or last above the paginator's MaxPerPage is clamped to it, or
//     rejected when the paginator was configured with RejectOverMax; a
//     clamped page reports hasNextPage (hasPreviousPage, with last) when
//     more rows follow it. A negative first or last is an error;
//     first: 0 returns no edges, and hasNextPage tells whether any row
//     follows after.
//   - last without before returns the final rows of the order.
//   - A cursor is a position, not a reference to a row that must still
//     exist: after (or before, with last) returns the rows strictly after
//     (before) the position it holds, even when its row has been deleted,
//     so a walk never repeats or skips a row. The specification would
//     ignore a cursor whose edge is gone and start over.
//   - The other cursor (before when paginating with first, after with
//     last) ends the edges at its row when that row is among the rows
//     that could be returned, as ApplyCursorsToEdges says; when its row is
//     gone, or lies on the wrong side of the first cursor, it ends
//     nothing, also as ApplyCursorsToEdges says.
//
// Every cursor is signed and bound to the sort and filters, as the
// paginator's are: a cursor of any edge, or of the paginator's own pages,
// works as after or before of a request with the same sort and filters.
//
// # Page info
//
// hasNextPage and hasPreviousPage are exact. With first, hasNextPage
// reports that rows lie past the last edge and before before's row;
// with last, hasPreviousPage that rows lie before the first edge and past
// after's row. Where the specification lets a server answer false when it
// cannot tell efficiently — hasPreviousPage when paginating with first
// and after, hasNextPage with last and before — Paginate asks the backend
// for one row on the far side of the cursor: hasPreviousPage is true
// exactly when a row lies at or before after's position (hasNextPage, at
// or after before's). Without after (before) it is false, as nothing lies
// before the first row (after the last). That costs one more query of at
// most one row on such pages.
//
// startCursor and endCursor are the cursors of the first and last edges,
// nil when there are none.
//
// # Errors
//
// Invalid arguments fail with a *[paginate.RequestError] listing every
// problem, each a *[paginate.ParamError] whose Param is the argument's
// name ("first", "last", "after", "before") and whose error is one of the
// core's sentinels: errors.Is(err, paginate.ErrInvalidCursor) tells a bad,
// forged, foreign (made for another sort or filters) or expired cursor,
// paginate.ErrInvalidPerPage a bad first or last. The arguments first and
// last are checked before the rest; sort and filter problems keep the
// core's names ("sort", or a filter's [paginate.Filter.Param]), for the
// resolver to map back to its own arguments.
package relay

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-paginate/paginate"
)

// Args are the arguments of a connection field. A nil pointer is an
// argument that was not given (GraphQL null); an empty cursor is one too.
type Args struct {
	// First asks for the first edges after After.
	First *int
	// After is a cursor: the edges lie after the position it holds.
	After *string
	// Last asks for the last edges before Before.
	Last *int
	// Before is a cursor: the edges lie before the position it holds.
	Before *string
	// Sort is the order, most significant key first; if nil, the
	// schema's default sort. It is checked against the paginator's
	// schema, as [paginate.Request].Sort is.
	Sort []paginate.SortKey
	// Filters restrict the rows; all must hold.
	Filters []paginate.Filter
	// Fields lists the fields to fill in each node. If nil, all fields.
	Fields []string
	// Count, when not nil, counts the matching rows into
	// [Connection].TotalCount with this strategy, such as
	// paginate.ExactCount{}. If nil, nothing is counted: set it only when
	// the client asked for the total.
	Count paginate.CountStrategy
}

// Paginate answers args from k: the edges the GraphQL Cursor Connections
// Specification's algorithm returns, each with its own cursor, and exact
// page info, as the package documentation describes.
func Paginate[T any](ctx context.Context, k *paginate.Keyset[T], args Args) (Connection[T], error) {
	if k == nil {
		return Connection[T]{}, errors.New("relay: Paginate needs a paginator")
	}
	n, last, err := size(args, k.Config())
	if err != nil {
		return Connection[T]{}, err
	}
	req := paginate.EdgesRequest{
		Request: paginate.Request{
			// first: 0 still fetches a row, to tell whether one follows.
			PerPage: max(n, 1),
			After:   text(args.After),
			Before:  text(args.Before),
			Sort:    args.Sort,
			Filters: args.Filters,
			Fields:  args.Fields,
		},
		Last:  last,
		Count: args.Count,
	}
	e, err := k.Edges(ctx, req)
	if err != nil {
		return Connection[T]{}, err
	}
	more := e.More
	if n == 0 {
		more = len(e.Items) > 0
		e.Items, e.Cursors = e.Items[:0], e.Cursors[:0]
	}
	c := Connection[T]{Edges: make([]Edge[T], len(e.Items)), TotalCount: e.Total}
	for i, it := range e.Items {
		c.Edges[i] = Edge[T]{Cursor: e.Cursors[i], Node: it}
	}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[len(c.Edges)-1].Cursor
	}
	if last {
		c.PageInfo.HasPreviousPage, c.PageInfo.HasNextPage = more, e.Behind
	} else {
		c.PageInfo.HasNextPage, c.PageInfo.HasPreviousPage = more, e.Behind
	}
	return c, nil
}

// size checks first and last and returns how many edges to return and
// whether they are the last ones.
func size(args Args, cfg paginate.KeysetConfig) (int, bool, error) {
	var errs []*paginate.ParamError
	bad := func(param, reason string) {
		errs = append(errs, &paginate.ParamError{Param: param, Reason: reason, Err: paginate.ErrInvalidPerPage})
	}
	check := func(param string, v *int) int {
		switch {
		case v == nil:
			return 0
		case *v < 0:
			bad(param, "must not be negative")
		case *v > cfg.MaxPerPage && cfg.RejectOverMax:
			bad(param, fmt.Sprintf("exceeds the maximum of %d", cfg.MaxPerPage))
		}
		return min(max(*v, 0), cfg.MaxPerPage)
	}
	first := check("first", args.First)
	var last int
	if args.First != nil && args.Last != nil {
		bad("last", "cannot be given with first")
	} else {
		last = check("last", args.Last)
	}
	switch {
	case len(errs) > 0:
		return 0, false, &paginate.RequestError{Params: errs}
	case args.Last != nil:
		return last, true, nil
	case args.First != nil:
		return first, false, nil
	}
	return cfg.PerPage, false, nil
}

// text returns a cursor argument's text, "" when it was not given.
func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
