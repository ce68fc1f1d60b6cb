// Package graph is the GraphQL API of the example: the resolvers, and
// the code gqlgen generates from ../schema.graphqls.
package graph

import (
	"log/slog"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/relay"
)

// ItemConnection is the items connection, as package relay builds it.
type ItemConnection = relay.Connection[itemsapi.Item]

// ItemEdge is one edge of an ItemConnection.
type ItemEdge = relay.Edge[itemsapi.Item]

// Resolver resolves the API's queries.
type Resolver struct {
	// Keyset pages through the items.
	Keyset *paginate.Keyset[itemsapi.Item]
	// Count counts the items when a query asks for totalCount.
	Count paginate.CountStrategy
	// Logger receives the errors that are not the client's; if nil,
	// they are not logged.
	Logger *slog.Logger
}
