package paginate_test

import (
	"context"
	"fmt"

	"github.com/go-paginate/paginate"
)

type Book struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
	Year  int    `db:"year"`
}

func bookSchema() *paginate.Schema {
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "title", Type: paginate.String, Sortable: true},
		{Name: "year", Type: paginate.Int, Sortable: true, Ops: []paginate.Op{paginate.Gte, paginate.Lt}},
	}, "-year")
	if err != nil {
		panic(err)
	}
	return s
}

var books = []Book{
	{1, "The C Programming Language", 1978},
	{2, "Structure and Interpretation of Computer Programs", 1985},
	{3, "The Go Programming Language", 2015},
	{4, "The Practice of Programming", 1999},
	{5, "Programming Pearls", 1986},
}

func ExampleNewOffset() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{PerPage: 2})
	if err != nil {
		panic(err)
	}
	page, err := p.Paginate(context.Background(), paginate.Request{Page: 2})
	if err != nil {
		panic(err)
	}
	for _, b := range page.Items {
		fmt.Println(b.Year, b.Title)
	}
	fmt.Printf("page %d of %d, %d books\n", page.Page, page.Pages, page.Total)
	// Output:
	// 1986 Programming Pearls
	// 1985 Structure and Interpretation of Computer Programs
	// page 2 of 3, 5 books
}

func ExampleNewKeyset() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{
		Keys:    [][]byte{[]byte("a secret of at least thirty-two bytes")},
		PerPage: 2,
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	req := paginate.Request{Sort: []paginate.SortKey{{Field: "title"}}}
	for {
		page, err := p.Paginate(ctx, req)
		if err != nil {
			panic(err)
		}
		for _, b := range page.Items {
			fmt.Println(b.Title)
		}
		if !page.HasNext {
			break
		}
		req.After = page.NextCursor
	}
	// Output:
	// Programming Pearls
	// Structure and Interpretation of Computer Programs
	// The C Programming Language
	// The Go Programming Language
	// The Practice of Programming
}

// ExampleKeyset_Edges takes the rows between two cursors, each with its
// own cursor, as a GraphQL Relay connection does (package relay builds
// connections on it).
func ExampleKeyset_Edges() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{
		Keys: [][]byte{[]byte("a secret of at least thirty-two bytes")},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	all, err := p.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{PerPage: 5}})
	if err != nil {
		panic(err)
	}
	// The rows after the first and before the last, the two nearest the
	// last.
	e, err := p.Edges(ctx, paginate.EdgesRequest{
		Request: paginate.Request{PerPage: 2, After: all.Cursors[0], Before: all.Cursors[4]},
		Last:    true,
	})
	if err != nil {
		panic(err)
	}
	for i, b := range e.Items {
		fmt.Println(b.Year, b.Title, e.Cursors[i] == all.Cursors[i+2])
	}
	fmt.Printf("more before them: %v; rows at or after the last: %v\n", e.More, e.Behind)
	// Output:
	// 1986 Programming Pearls true
	// 1985 Structure and Interpretation of Computer Programs true
	// more before them: true; rows at or after the last: true
}

func ExampleWalk() {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{
		Keys:    [][]byte{[]byte("a secret of at least thirty-two bytes")},
		PerPage: 2,
	})
	if err != nil {
		panic(err)
	}
	req := paginate.Request{Filters: []paginate.Filter{{Field: "year", Op: paginate.Lt, Values: []any{1990}}}}
	for b, err := range paginate.Walk(context.Background(), p, req) {
		if err != nil {
			panic(err)
		}
		fmt.Println(b.Year, b.Title)
	}
	// Output:
	// 1986 Programming Pearls
	// 1985 Structure and Interpretation of Computer Programs
	// 1978 The C Programming Language
}

func ExampleSchema_ParseSort() {
	schema := bookSchema()
	keys, err := schema.ParseSort("-year,title")
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		fmt.Println(k.Field, k.Dir)
	}
	_, err = schema.ParseSort("password")
	fmt.Println(err)
	// Output:
	// year desc
	// title asc
	// paginate: parameter sort: unknown field "password"
}

// Prefix and contains match text literally, % included; null keeps the
// rows whose field is, or is not, NULL.
func ExampleOp() {
	type Film struct {
		ID     int64   `db:"id"`
		Title  string  `db:"title"`
		Sequel *string `db:"sequel"`
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "title", Type: paginate.String, Ops: []paginate.Op{paginate.Prefix, paginate.Contains}},
		{Name: "sequel", Type: paginate.String, Nullable: true, Ops: []paginate.Op{paginate.IsNull}},
	}, "id")
	if err != nil {
		panic(err)
	}
	aliens := "Aliens"
	films := []Film{{1, "100% Wolf", nil}, {2, "10 Things I Hate About You", nil}, {3, "Alien", &aliens}, {4, "Aliens", nil}}
	backend, err := paginate.NewMemory(films, schema, paginate.MemoryConfig[Film]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{})
	if err != nil {
		panic(err)
	}
	for _, q := range [][3]string{{"title", "prefix", "10"}, {"title", "prefix", "100%"}, {"title", "contains", "lien"}, {"sequel", "null", "false"}} {
		f, err := schema.ParseFilter(q[0], q[1], q[2])
		if err != nil {
			panic(err)
		}
		page, err := p.Paginate(context.Background(), paginate.Request{Filters: []paginate.Filter{f}})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s=%s:", f.Param(), q[2])
		for _, film := range page.Items {
			fmt.Printf(" [%s]", film.Title)
		}
		fmt.Println()
	}
	// Output:
	// title[prefix]=10: [100% Wolf] [10 Things I Hate About You]
	// title[prefix]=100%: [100% Wolf]
	// title[contains]=lien: [Alien] [Aliens]
	// sequel[null]=false: [Alien]
}
