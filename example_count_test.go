package paginate_test

import (
	"context"
	"fmt"

	"github.com/go-paginate/paginate"
)

// Without a count a page still knows whether a next page exists: the
// fetch asks for one row more than the page holds.
func ExampleNoCount() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{PerPage: 2, Count: paginate.NoCount{}})
	if err != nil {
		panic(err)
	}
	for n := 1; n <= 4; n++ {
		page, err := p.Paginate(context.Background(), paginate.Request{Page: n})
		if err != nil {
			panic(err)
		}
		fmt.Printf("page %d: %d books, counted %t, next %t\n", n, len(page.Items), page.Counted, page.HasNext)
	}
	// Output:
	// page 1: 2 books, counted false, next true
	// page 2: 2 books, counted false, next true
	// page 3: 1 books, counted false, next false
	// page 4: 0 books, counted false, next false
}

// A capped count reports "at least Max" once more than Max rows match.
func ExampleCappedCount() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{PerPage: 2, Count: paginate.CappedCount{Max: 3}})
	if err != nil {
		panic(err)
	}
	page, err := p.Paginate(context.Background(), paginate.Request{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("total %d, capped %t, next %t\n", page.Total, page.TotalCapped, page.HasNext)
	// Output:
	// total 3, capped true, next true
}
