package relay

import "github.com/go-paginate/paginate"

// Connection is a Relay connection: the edges of one page, its page info
// and, when it was asked for, the number of matching rows. Its fields
// are named as the specification's GraphQL fields are, so that a GraphQL
// library binding them by name finds them.
type Connection[T any] struct {
	// Edges are the page's items in order, each with its cursor; empty,
	// never nil, when there are none.
	Edges []Edge[T]
	// PageInfo tells whether more edges lie on either side, and the
	// cursors of the first and last edges.
	PageInfo PageInfo
	// TotalCount is the number of rows that match the filters, when
	// [Args].Count asked for it (TotalCount.Known); it may be capped or
	// estimated, as the strategy says.
	TotalCount paginate.Total
}

// Edge is one item of a connection with its cursor.
type Edge[T any] struct {
	// Cursor holds the item's position. It works as the after or before
	// argument of a request with the same sort and filters.
	Cursor string
	// Node is the item.
	Node T
}

// PageInfo is a connection's page info.
type PageInfo struct {
	// HasNextPage reports that edges follow the last one; see the package
	// documentation for exactly when.
	HasNextPage bool
	// HasPreviousPage reports that edges precede the first one.
	HasPreviousPage bool
	// StartCursor is the first edge's cursor; nil when there are no
	// edges.
	StartCursor *string
	// EndCursor is the last edge's cursor; nil when there are no edges.
	EndCursor *string
}
