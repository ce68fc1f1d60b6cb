package httpadapter_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

// A schema's relations are included with include=, and their fields
// chosen with fields[relation]=: each item holds its seller (or null)
// under the relation's name. Without include the key is absent.
func ExampleHandler_include() {
	type Seller struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Country string `json:"country"`
	}
	type Book struct {
		ID       int64   `json:"id"`
		Title    string  `json:"title"`
		SellerID *int64  `json:"seller_id"`
		Seller   *Seller `json:"seller"`
	}
	s, _ := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "title", Type: paginate.String, Sortable: true},
		{Name: "seller_id", Type: paginate.Int, Nullable: true},
	}, "title", paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "name", Type: paginate.String},
		{Name: "country", Type: paginate.String},
	}})
	ann := int64(7)
	backend, _ := paginate.NewMemory([]Book{{ID: 1, Title: "Dune", SellerID: &ann}, {ID: 2, Title: "Emma"}}, s,
		paginate.MemoryConfig[Book]{Related: map[string]any{"seller": []Seller{{ID: 7, Name: "Ann", Country: "SE"}}}})
	pager, _ := paginate.NewKeyset(backend, s, paginate.KeysetConfig{Keys: [][]byte{[]byte("an example key of 32 bytes or more")}})
	h, _ := httpadapter.Handler(pager, nil, httpadapter.Config{Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{Links: "-", NextCursor: "-", PrevCursor: "-"}}})

	for _, target := range []string{"/books?fields=title", "/books?fields=title&include=seller&fields[seller]=name"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Print(rec.Body)
	}
	// Output:
	// {"per_page":10,"has_next":false,"has_prev":false,"items":[{"title":"Dune"},{"title":"Emma"}]}
	// {"per_page":10,"has_next":false,"has_prev":false,"items":[{"title":"Dune","seller":{"name":"Ann"}},{"title":"Emma","seller":null}]}
}
