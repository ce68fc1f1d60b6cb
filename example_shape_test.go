package paginate_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-paginate/paginate"
)

// ExampleNewAllowList restricts an endpoint to the orders and filters the
// application has indexes for: newest first, optionally from a year on,
// and by title.
func ExampleNewAllowList() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	shapes, err := paginate.NewAllowList(schema, "sort=-year", "sort=-year&year[gte]", "sort=title")
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{PerPage: 2, Shapes: shapes})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	page, err := p.Paginate(ctx, paginate.Request{Filters: []paginate.Filter{{Field: "year", Op: paginate.Gte, Values: []any{"1990"}}}})
	if err != nil {
		panic(err)
	}
	for _, b := range page.Items {
		fmt.Println(b.Year, b.Title)
	}

	_, err = p.Paginate(ctx, paginate.Request{Sort: []paginate.SortKey{{Field: "year"}}})
	var re *paginate.RequestError
	if errors.Is(err, paginate.ErrShapeNotAllowed) && errors.As(err, &re) {
		fmt.Printf("%s: %s\n", re.Params[0].Param, re.Params[0].Reason)
	}
	// Output:
	// 2015 The Go Programming Language
	// 1999 The Practice of Programming
	// sort: no index serves this order; orders available: -year, title
}

// ExampleWithTimings reads how long a page's phases took.
func ExampleWithTimings() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{})
	if err != nil {
		panic(err)
	}
	var t paginate.Timings
	if _, err := p.Paginate(paginate.WithTimings(context.Background(), &t), paginate.Request{}); err != nil {
		panic(err)
	}
	fmt.Println("counted:", t.Count > 0, "fetched:", t.Fetch > 0, "related rows:", t.Related)
	// Output:
	// counted: true fetched: true related rows: 0s
}
