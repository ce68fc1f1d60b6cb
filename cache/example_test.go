package cache_test

import (
	"context"
	"fmt"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

type Book struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
}

func bookPaginator(count paginate.CountStrategy) *paginate.Offset[Book] {
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "title", Type: paginate.String, Sortable: true},
	}, "title")
	if err != nil {
		panic(err)
	}
	books := []Book{{1, "Programming Pearls"}, {2, "The Go Programming Language"}, {3, "The Practice of Programming"}}
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{PerPage: 2, Count: count})
	if err != nil {
		panic(err)
	}
	return p
}

func ExampleNewCount() {
	store, err := cache.NewLRU(cache.LRUConfig{})
	if err != nil {
		panic(err)
	}
	counts, err := cache.NewCount(nil, cache.Config{Store: store, Name: "books"})
	if err != nil {
		panic(err)
	}
	p := bookPaginator(counts)

	// Each tenant's counts are its own.
	ctx := cache.WithScope(context.Background(), "tenant-42")
	for _, n := range []int{1, 2} {
		page, err := p.Paginate(ctx, paginate.Request{Page: n})
		if err != nil {
			panic(err)
		}
		fmt.Printf("page %d of %d: %d books\n", page.Page, page.Pages, len(page.Items))
	}
	// After a write, drop the table's cached counts.
	if err := cache.Invalidate(ctx, store, "books"); err != nil {
		panic(err)
	}
	// Output:
	// page 1 of 2: 2 books
	// page 2 of 2: 1 books
}

func ExampleNewPages() {
	store, err := cache.NewLRU(cache.LRUConfig{})
	if err != nil {
		panic(err)
	}
	// Every caller sees the same books, so no request needs a scope.
	p, err := cache.NewPages(bookPaginator(nil), cache.Config{Store: store, Name: "books", Shared: true})
	if err != nil {
		panic(err)
	}
	for range 2 {
		page, err := p.Paginate(context.Background(), paginate.Request{})
		if err != nil {
			panic(err)
		}
		fmt.Println(page.Items[0].Title, page.Total)
	}
	// Output:
	// Programming Pearls 3
	// Programming Pearls 3
}
