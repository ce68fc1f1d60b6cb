package relay_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/relay"
)

type book struct {
	ID    int64
	Title string
	Year  int64
}

// books returns a keyset paginator over a few books, sorted by year by
// default.
func books() *paginate.Keyset[book] {
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "title", Type: paginate.String, Sortable: true},
		{Name: "year", Type: paginate.Int, Sortable: true, Ops: []paginate.Op{paginate.Lt, paginate.Gte}},
	}, "year")
	if err != nil {
		log.Fatal(err)
	}
	m, err := paginate.NewMemory([]book{
		{1, "The Left Hand of Darkness", 1969},
		{2, "Ficciones", 1944},
		{3, "Invisible Cities", 1972},
		{4, "The Dispossessed", 1974},
		{5, "If on a winter's night a traveler", 1979},
	}, schema, paginate.MemoryConfig[book]{})
	if err != nil {
		log.Fatal(err)
	}
	k, err := paginate.NewKeyset(m, schema, paginate.KeysetConfig{
		Keys: [][]byte{[]byte("an example key of at least 32 bytes")},
	})
	if err != nil {
		log.Fatal(err)
	}
	return k
}

// Example walks a connection forward with first and after, as a Relay
// client does: each page starts after the previous page's endCursor.
func Example() {
	k := books()
	ctx := context.Background()
	args := relay.Args{First: new(2), Count: paginate.ExactCount{}}
	for {
		c, err := relay.Paginate(ctx, k, args)
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range c.Edges {
			fmt.Println(e.Node.Year, e.Node.Title)
		}
		fmt.Printf("of %d; hasPreviousPage %v, hasNextPage %v\n", c.TotalCount.N, c.PageInfo.HasPreviousPage, c.PageInfo.HasNextPage)
		if !c.PageInfo.HasNextPage {
			break
		}
		args.After = c.PageInfo.EndCursor
	}
	// Output:
	// 1944 Ficciones
	// 1969 The Left Hand of Darkness
	// of 5; hasPreviousPage false, hasNextPage true
	// 1972 Invisible Cities
	// 1974 The Dispossessed
	// of 5; hasPreviousPage true, hasNextPage true
	// 1979 If on a winter's night a traveler
	// of 5; hasPreviousPage true, hasNextPage false
}

// Example_last walks backward from the end of the order with last and
// before, under a sort and a filter a resolver would map from its own
// arguments.
func Example_last() {
	k := books()
	ctx := context.Background()
	args := relay.Args{
		Last:    new(2),
		Sort:    []paginate.SortKey{{Field: "title"}},
		Filters: []paginate.Filter{{Field: "year", Op: paginate.Gte, Values: []any{1950}}},
	}
	for {
		c, err := relay.Paginate(ctx, k, args)
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range c.Edges {
			fmt.Println(e.Node.Title)
		}
		fmt.Println("--")
		if !c.PageInfo.HasPreviousPage {
			break
		}
		args.Before = c.PageInfo.StartCursor
	}
	// Output:
	// The Dispossessed
	// The Left Hand of Darkness
	// --
	// If on a winter's night a traveler
	// Invisible Cities
	// --
}

// ExamplePaginate_errors shows the errors a GraphQL server turns into
// field errors: each names the argument at fault.
func ExamplePaginate_errors() {
	k := books()
	_, err := relay.Paginate(context.Background(), k, relay.Args{First: new(2), After: new("not-a-cursor")})
	var re *paginate.RequestError
	if errors.As(err, &re) {
		for _, p := range re.Params {
			fmt.Printf("%s: %s\n", p.Param, p.Reason)
		}
	}
	fmt.Println(errors.Is(err, paginate.ErrInvalidCursor))

	_, err = relay.Paginate(context.Background(), k, relay.Args{First: new(-1)})
	fmt.Println(err)
	// Output:
	// after: malformed or not issued by this server
	// true
	// paginate: invalid request: first: must not be negative
}
