package httpadapter_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

type Book struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Year  int64  `json:"year"`
}

func bookSchema() *paginate.Schema {
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "title", Type: paginate.String, Sortable: true},
		{Name: "year", Type: paginate.Int, Sortable: true, Ops: []paginate.Op{paginate.Gte, paginate.Lt}},
	}, "year")
	if err != nil {
		panic(err)
	}
	return s
}

var books = []Book{
	{1, "Dune", 1965},
	{2, "Neuromancer", 1984},
	{3, "Hyperion", 1989},
	{4, "Foundation", 1951},
}

// Handler serves a paginator in one call: here offset pages over an
// in-memory list.
func ExampleHandler() {
	s := bookSchema()
	backend, _ := paginate.NewMemory(books, s, paginate.MemoryConfig[Book]{})
	p, _ := paginate.NewOffset(backend, s, paginate.OffsetConfig{})
	h, err := httpadapter.Handler(p, s, httpadapter.Config{})
	if err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/books?year%5Bgte%5D=1960&per_page=1&page=2&fields=title", nil))
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("X-Total-Count"))
	fmt.Println(rec.Header().Get("Link"))
	fmt.Print(rec.Body)
	// Output:
	// 200
	// 3
	// <http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=1>; rel="first", <http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=1>; rel="prev", <http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=3>; rel="next", <http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=3>; rel="last"
	// {"total":3,"page":2,"per_page":1,"pages":3,"has_next":true,"has_prev":true,"next_page":3,"prev_page":1,"links":{"first":"http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=1","prev":"http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=1","next":"http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=3","last":"http://example.com/books?year%5Bgte%5D=1960&per_page=1&fields=title&page=3"},"items":[{"title":"Neuromancer"}]}
}

// Bad input is answered with RFC 9457 problem details naming every
// offending parameter.
func ExampleHandler_badInput() {
	s := bookSchema()
	backend, _ := paginate.NewMemory(books, s, paginate.MemoryConfig[Book]{})
	p, _ := paginate.NewOffset(backend, s, paginate.OffsetConfig{})
	h, _ := httpadapter.Handler(p, s, httpadapter.Config{})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/books?page=0&sort=author&year[gt]=2000", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body)
	// Output:
	// 400 application/problem+json
	// {"type":"about:blank","title":"Bad Request","status":400,"detail":"3 query parameters are invalid: page: must be a positive integer; sort: unknown field \"author\"; year[gt]: field \"year\" does not accept gt.","invalid_params":[{"name":"page","reason":"must be a positive integer"},{"name":"sort","reason":"unknown field \"author\""},{"name":"year[gt]","reason":"field \"year\" does not accept gt"}]}
}

// Cursor pages: Handler sees a Keyset paginator and serves after/before
// cursors, with the envelope keys renamed.
func ExampleHandler_cursor() {
	s := bookSchema()
	backend, _ := paginate.NewMemory(books, s, paginate.MemoryConfig[Book]{})
	key := []byte("an example key of at least 32 bytes")
	p, _ := paginate.NewKeyset(backend, s, paginate.KeysetConfig{Keys: [][]byte{key}})
	h, _ := httpadapter.Handler(p, nil, httpadapter.Config{Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{Items: "data"}}})

	target := "/books?per_page=3"
	for target != "" {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		var env struct {
			Data       []Book
			NextCursor *string `json:"next_cursor"`
		}
		decodeJSON(rec.Body, &env)
		for _, b := range env.Data {
			fmt.Println(b.Year, b.Title)
		}
		target = ""
		if env.NextCursor != nil {
			target = "/books?per_page=3&after=" + *env.NextCursor
		}
	}
	// Output:
	// 1951 Foundation
	// 1965 Dune
	// 1984 Neuromancer
	// 1989 Hyperion
}

// The middleware parses and validates the query string and hands the
// parsed query to an existing handler through the context.
func ExampleMiddleware() {
	p, err := httpadapter.NewParser(bookSchema(), httpadapter.ParserConfig{
		Mode:   httpadapter.OffsetMode,
		Params: httpadapter.Params{PerPage: "limit"},
	})
	if err != nil {
		panic(err)
	}
	h := httpadapter.Middleware(p)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := httpadapter.FromContext(r.Context())
		req := q.Request()
		fmt.Fprintf(w, "page %d, %d per page, sort %v, filter %s %v", req.Page, req.PerPage, req.Sort, req.Filters[0].Param(), req.Filters[0].Values)
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/books?page=2&limit=5&sort=-year&year[lt]=1980", nil))
	fmt.Println(rec.Body)
	// Output:
	// page 2, 5 per page, sort [{year desc}], filter year[lt] [1980]
}

// An application that renders its own body takes the pieces: the items
// limited to the requested fields, and the Link header. Errors, including
// the paginator's, name parameters as the client wrote them.
func ExampleWriter_AppendItems() {
	s := bookSchema()
	backend, _ := paginate.NewMemory(books, s, paginate.MemoryConfig[Book]{})
	pager, _ := paginate.NewOffset(backend, s, paginate.OffsetConfig{RejectOverMax: true})
	parser, _ := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode, Params: httpadapter.Params{PerPage: "limit"}})
	writer, _ := httpadapter.NewWriter[Book](parser, httpadapter.WriterConfig{})

	h := httpadapter.Middleware(parser)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := httpadapter.FromContext(r.Context())
		page, err := pager.Paginate(r.Context(), q.Request())
		if err != nil {
			writer.WriteError(w, r, q, err)
			return
		}
		items, err := writer.AppendItems(nil, page.Items, q.Request())
		if err != nil {
			writer.WriteError(w, r, q, err)
			return
		}
		w.Header().Set("Link", writer.Links(r, q, page).Header())
		fmt.Fprintf(w, `{"data":%s,"more":%t}`, items, page.HasNext)
	}))

	for _, target := range []string{"/books?limit=2&fields=title", "/books?limit=500"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Println(rec.Code)
		if link := rec.Header().Get("Link"); link != "" {
			fmt.Println(link)
		}
		fmt.Println(rec.Body)
	}
	// Output:
	// 200
	// <http://example.com/books?limit=2&fields=title&page=1>; rel="first", <http://example.com/books?limit=2&fields=title&page=2>; rel="next", <http://example.com/books?limit=2&fields=title&page=2>; rel="last"
	// {"data":[{"title":"Foundation"},{"title":"Dune"}],"more":true}
	// 400
	// {"type":"about:blank","title":"Bad Request","status":400,"detail":"The query parameter limit is invalid: exceeds the maximum of 100.","invalid_params":[{"name":"limit","reason":"exceeds the maximum of 100"}]}
}

func decodeJSON(r io.Reader, v any) {
	if err := json.NewDecoder(r).Decode(v); err != nil {
		panic(err)
	}
}

// An API's endpoints are described in one OpenAPI 3.1 document, made from
// the declarations that serve them: here the cursor pages of the books.
func ExampleOpenAPI() {
	s := bookSchema()
	backend, _ := paginate.NewMemory(books, s, paginate.MemoryConfig[Book]{})
	p, _ := paginate.NewKeyset(backend, s, paginate.KeysetConfig{Keys: [][]byte{[]byte("an example key of at least 32 bytes")}, PerPage: 5, MaxPerPage: 50})
	feed, err := httpadapter.Handler(p, s, httpadapter.Config{})
	if err != nil {
		panic(err)
	}
	doc, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{Title: "Library", Version: "1.0.0"})
	if err != nil {
		panic(err)
	}
	if err := doc.Add("/books", feed, httpadapter.Operation{ID: "listBooks", ItemSchema: "Book"}); err != nil {
		panic(err)
	}
	spec, err := doc.Handler()
	if err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	spec.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	var d struct {
		OpenAPI string
		Paths   map[string]map[string]struct {
			OperationID string
			Parameters  []struct {
				Name   string
				Schema struct{ Default any }
			}
		}
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct{ Type string }
			}
		}
	}
	decodeJSON(rec.Body, &d)
	fmt.Println("openapi", d.OpenAPI)
	for _, prm := range d.Paths["/books"]["get"].Parameters {
		fmt.Println(prm.Name, prm.Schema.Default)
	}
	book := d.Components.Schemas["Book"].Properties
	fmt.Println("Book:", book["id"].Type, book["title"].Type, book["year"].Type)
	// Output:
	// openapi 3.1.0
	// after <nil>
	// before <nil>
	// per_page 5
	// sort [year]
	// fields <nil>
	// year[gte] <nil>
	// year[lt] <nil>
	// Book: integer string integer
}
