package httpadapter_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

// The shop: products, each of a seller (or none) and with reviews.
type (
	shopSeller struct {
		ID      int64   `json:"id"`
		Name    string  `json:"name"`
		Country *string `json:"country"`
	}
	shopReview struct {
		ID     int64     `json:"id"`
		ItemID int64     `json:"item_id"`
		Rating int64     `json:"rating"`
		At     time.Time `json:"at"`
	}
	product struct {
		ID       int64        `json:"id"`
		Name     string       `json:"name"`
		SellerID *int64       `json:"seller_id"`
		Seller   *shopSeller  `json:"seller"`
		Reviews  []shopReview `json:"reviews"`
	}
)

var (
	shopT0   = time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	products = []product{
		{ID: 1, Name: "lamp", SellerID: ref[int64](7)},
		{ID: 2, Name: "mug"},
		{ID: 3, Name: "pen", SellerID: ref[int64](7)},
	}
	shopSellers = []shopSeller{{ID: 7, Name: "ann", Country: ref("se")}, {ID: 8, Name: "bo"}}
	shopReviews = []shopReview{
		{ID: 10, ItemID: 1, Rating: 5, At: shopT0},
		{ID: 11, ItemID: 1, Rating: 3, At: shopT0.Add(time.Hour)},
		{ID: 12, ItemID: 1, Rating: 4, At: shopT0.Add(2 * time.Hour)},
		{ID: 13, ItemID: 3, Rating: 1, At: shopT0},
	}
)

func ref[V any](v V) *V { return &v }

func shopSchema(tb testing.TB) *paginate.Schema {
	tb.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
		{Name: "seller_id", Type: paginate.Int, Nullable: true},
	}, "id",
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "name", Type: paginate.String},
			{Name: "country", Type: paginate.String, Nullable: true},
		}},
		paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-at", Limit: 2, Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "item_id", Type: paginate.Int},
			{Name: "rating", Type: paginate.Int},
			{Name: "at", Type: paginate.Time, Sortable: true},
		}},
	)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func shopMemory(tb testing.TB, s *paginate.Schema) *paginate.Memory[product] {
	tb.Helper()
	m, err := paginate.NewMemory(products, s, paginate.MemoryConfig[product]{Related: map[string]any{"seller": shopSellers, "reviews": shopReviews}})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// shopHandlers returns the shop by page and by cursor, with cfg.
func shopHandlers(tb testing.TB, cfg httpadapter.Config) (offset, cursor httpadapter.Endpoint) {
	tb.Helper()
	s := shopSchema(tb)
	off, err := paginate.NewOffset(shopMemory(tb, s), s, paginate.OffsetConfig{MaxPerPage: 3})
	if err != nil {
		tb.Fatal(err)
	}
	ks, err := paginate.NewKeyset(shopMemory(tb, s), s, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}, MaxPerPage: 3})
	if err != nil {
		tb.Fatal(err)
	}
	if offset, err = httpadapter.Handler(off, nil, cfg); err != nil {
		tb.Fatal(err)
	}
	if cursor, err = httpadapter.Handler(ks, nil, cfg); err != nil {
		tb.Fatal(err)
	}
	return offset, cursor
}

// items returns the raw items of a page's body.
func rawItems(tb testing.TB, body []byte) string {
	tb.Helper()
	var env struct {
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		tb.Fatalf("%v: %s", err, body)
	}
	return string(env.Items)
}

// TestIncludeEnvelope checks the items of pages with and without
// relations, byte for byte, in both modes.
func TestIncludeEnvelope(t *testing.T) {
	offset, cursor := shopHandlers(t, httpadapter.Config{})
	const (
		lamp = `"seller":{"id":7,"name":"ann","country":"se"},"reviews":[{"id":12,"item_id":1,"rating":4,"at":"2024-02-03T06:05:06Z"},{"id":11,"item_id":1,"rating":3,"at":"2024-02-03T05:05:06Z"}]`
		mug  = `"seller":null,"reviews":[]`
		pen  = `"seller":{"id":7,"name":"ann","country":"se"},"reviews":[{"id":13,"item_id":3,"rating":1,"at":"2024-02-03T04:05:06Z"}]`
	)
	cases := []struct{ query, want string }{
		{"", `[{"id":1,"name":"lamp","seller_id":7},{"id":2,"name":"mug","seller_id":null},{"id":3,"name":"pen","seller_id":7}]`},
		{"include=seller,reviews", `[{"id":1,"name":"lamp","seller_id":7,` + lamp + `},{"id":2,"name":"mug","seller_id":null,` + mug + `},{"id":3,"name":"pen","seller_id":7,` + pen + `}]`},
		// T's order, whatever the include list's.
		{"include=reviews,seller&per_page=1", `[{"id":1,"name":"lamp","seller_id":7,` + lamp + `}]`},
		{"include=seller&fields=name", `[{"name":"lamp","seller":{"id":7,"name":"ann","country":"se"}},{"name":"mug","seller":null},{"name":"pen","seller":{"id":7,"name":"ann","country":"se"}}]`},
		{"include=reviews&fields[reviews]=rating&fields=id&per_page=2", `[{"id":1,"reviews":[{"rating":4},{"rating":3}]},{"id":2,"reviews":[]}]`},
		{"fields[seller]=country,name&include=seller&fields=id&per_page=1", `[{"id":1,"seller":{"name":"ann","country":"se"}}]`},
		{"include=seller&fields[seller]=country&fields=name&sort=-name&name=mug", `[{"name":"mug","seller":null}]`},
	}
	for _, c := range cases {
		for _, h := range []http.Handler{offset, cursor} {
			res := get(t, h, "/shop?"+c.query)
			body := readBody(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", c.query, res.StatusCode, body)
			}
			if got := rawItems(t, body); got != c.want {
				t.Errorf("%s:\n got %s\nwant %s", c.query, got, c.want)
			}
		}
	}
}

// TestIncludeLinks checks that links keep include and the relations'
// fields, and that the pages they lead to hold the relations.
func TestIncludeLinks(t *testing.T) {
	_, cursor := shopHandlers(t, httpadapter.Config{})
	res := get(t, cursor, "/shop?per_page=1&include=reviews&fields%5Breviews%5D=rating")
	next := headerLinks(t, res.Header.Get("Link"))["next"].(string)
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("include") != "reviews" || q.Get("fields[reviews]") != "rating" {
		t.Fatalf("next link %s lost include or fields[reviews]", next)
	}
	body := readBody(t, get(t, cursor, u.RequestURI()))
	if got, want := rawItems(t, body), `[{"id":2,"name":"mug","seller_id":null,"reviews":[]}]`; got != want {
		t.Errorf("next page: got %s, want %s", got, want)
	}
}

// TestIncludeBadInput checks that every bad include and relation fields
// parameter is a 400 naming it as the client wrote it.
func TestIncludeBadInput(t *testing.T) {
	renamedRel := httpadapter.Config{Parser: httpadapter.ParserConfig{Params: httpadapter.Params{Fields: "fieldset", Include: "with"}}}
	offset, _ := shopHandlers(t, httpadapter.Config{})
	renamedH, _ := shopHandlers(t, renamedRel)
	cases := []struct {
		h     http.Handler
		query string
		want  []string
	}{
		{offset, "include=buyer", []string{"include"}},
		{offset, "include=seller,seller", []string{"include"}},
		{offset, "include=seller,reviews,seller", []string{"include"}},
		{offset, "include=", []string{"include"}},
		{offset, "include=seller&include=reviews", []string{"include"}},
		{offset, "include=" + strings.Repeat("seller,", 2000), []string{"include"}},
		{offset, "include=seller%00", []string{"include"}},
		{offset, "include=Seller", []string{"include"}},
		{offset, "include=seller&fields[seller]=rating", []string{"fields[seller]"}},
		{offset, "include=seller&fields%5Bseller%5D=name,name", []string{"fields[seller]"}},
		{offset, "include=seller&fields[seller]=", []string{"fields[seller]"}},
		{offset, "include=seller&fields[seller]=name&fields[seller]=id", []string{"fields[seller]"}},
		{offset, "fields[seller]=name", []string{"fields[seller]"}},
		{offset, "include=reviews&fields[seller]=name", []string{"fields[seller]"}},
		{offset, "include=seller&fields[buyer]=name", []string{"fields[buyer]"}},
		{offset, "include=seller&fields[]=name", []string{"fields[]"}},
		{offset, "include=nope&fields[seller]=name&fields[reviews]=x", []string{"include", "fields[reviews]"}},
		{offset, "include=seller&fields[seller]=name&fields=seller", []string{"fields"}},
		{renamedH, "with=buyer", []string{"with"}},
		{renamedH, "with=seller&fieldset[seller]=x", []string{"fieldset[seller]"}},
		{renamedH, "fieldset[seller]=name", []string{"fieldset[seller]"}},
		{renamedH, "include=seller", []string{"include"}},
		{renamedH, "with=seller&fields[seller]=name", []string{"fields[seller]"}},
	}
	for _, c := range cases {
		p := problem(t, get(t, c.h, "/shop?"+c.query), http.StatusBadRequest)
		var got []string
		for _, ip := range p.InvalidParams {
			got = append(got, ip.Name)
			if ip.Reason == "" {
				t.Errorf("%.60s: %s has no reason", c.query, ip.Name)
			}
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%.60s: invalid_params (-want +got):\n%s", c.query, diff)
		}
	}
	// A fields[relation] the parser sees as such but the paginator finds
	// wrong (through Request, not the parser) is named as the client's
	// parameter too.
	s := shopSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode, Params: renamedRel.Parser.Params})
	if err != nil {
		t.Fatal(err)
	}
	w, err := httpadapter.NewWriter[product](p, httpadapter.WriterConfig{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	off, err := paginate.NewOffset(shopMemory(t, s), s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	q := parse(t, p, "with=seller")
	req := q.Request()
	req.Include = []paginate.Include{{Relation: "seller", Fields: []string{"rating"}}}
	_, perr := off.Paginate(t.Context(), req)
	rec := httptest.NewRecorder()
	w.WriteError(rec, httptest.NewRequest(http.MethodGet, "/shop?with=seller", nil), q, perr)
	pr := problem(t, rec.Result(), http.StatusBadRequest)
	if len(pr.InvalidParams) != 1 || pr.InvalidParams[0].Name != "fieldset[seller]" {
		t.Errorf("a paginator's fields[seller] error: %+v", pr.InvalidParams)
	}
}

// TestIncludeWriterErrors checks what NewWriter refuses of items that
// hold relations.
func TestIncludeWriterErrors(t *testing.T) {
	s := shopSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	type valueSeller struct {
		ID       int64        `json:"id"`
		Name     string       `json:"name"`
		SellerID *int64       `json:"seller_id"`
		Seller   shopSeller   `json:"seller"`
		Reviews  []shopReview `json:"reviews"`
	}
	if _, err := httpadapter.NewWriter[valueSeller](p, httpadapter.WriterConfig{}); err == nil || !strings.Contains(err.Error(), "pointer to a struct") {
		t.Errorf("a seller held by value: %v", err)
	}
	type hidden struct {
		ID       int64        `json:"id"`
		Name     string       `json:"name"`
		SellerID *int64       `json:"seller_id"`
		Seller   *shopSeller  `json:"-"`
		Reviews  []shopReview `json:"reviews"`
	}
	if _, err := httpadapter.NewWriter[hidden](p, httpadapter.WriterConfig{}); err == nil {
		t.Error("a seller encoding/json does not write")
	}
	if _, err := httpadapter.NewWriter[map[string]any](p, httpadapter.WriterConfig{}); err == nil || !strings.Contains(err.Error(), "only struct items") {
		t.Errorf("map items with relations: %v", err)
	}
	type badReview struct {
		ID     int64 `json:"id"`
		ItemID int64 `json:"item_id"`
		Rating int64 `json:"rating"`
	}
	type missingField struct {
		ID       int64       `json:"id"`
		Name     string      `json:"name"`
		SellerID *int64      `json:"seller_id"`
		Seller   *shopSeller `json:"seller"`
		Reviews  []badReview `json:"reviews"`
	}
	if _, err := httpadapter.NewWriter[missingField](p, httpadapter.WriterConfig{}); err == nil || !strings.Contains(err.Error(), `"at"`) {
		t.Errorf("a review type without the at field: %v", err)
	}
}

// TestIncludeOpenAPI validates the shop's document and its traffic with
// relations against it, and checks what the document says of them.
func TestIncludeOpenAPI(t *testing.T) {
	offset, cursor := shopHandlers(t, httpadapter.Config{})
	doc, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{Title: "Shop", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	a := &api{doc: doc, handlers: map[string]http.Handler{}}
	a.add(t, "/shop", offset, offset, httpadapter.Operation{ID: "shop", ItemSchema: "Product"})
	a.add(t, "/shop/feed", cursor, cursor, httpadapter.Operation{ID: "feed", ItemSchema: "Product"})
	spec, router := load(t, marshal(t, doc))
	v := validator{router: router, h: a}
	for _, target := range []string{
		"/shop", "/shop?include=seller", "/shop?include=seller,reviews&per_page=3",
		"/shop?include=reviews&fields[reviews]=rating,at&fields=name",
		"/shop/feed?include=seller&fields[seller]=country&per_page=2",
		"/shop/feed?include=reviews,seller&sort=-name",
	} {
		if err := v.check(t, target, nil, http.StatusOK); err != nil {
			t.Errorf("%s: served, but the document refuses the request: %v", target, err)
		}
	}
	for _, target := range []string{"/shop?include=buyer", "/shop?include=seller&fields[seller]=rating", "/shop/feed?include=seller,seller"} {
		if err := v.check(t, target, nil, http.StatusBadRequest); err == nil {
			t.Errorf("%s: refused, but the document accepts the request", target)
		}
	}
	item := spec.Components.Schemas["Product"].Value
	if item.Required != nil && (slices.Contains(item.Required, "seller") || slices.Contains(item.Required, "reviews")) {
		t.Errorf("relations are required members: %v", item.Required)
	}
	seller := item.Properties["seller"].Value
	if !seller.Type.Is("object") && !seller.Type.Includes("object") || !seller.Type.Includes("null") {
		t.Errorf("seller: type %v, want an object or null", seller.Type)
	}
	if got := len(seller.Properties); got != 3 {
		t.Errorf("seller has %d properties, want 3", got)
	}
	reviews := item.Properties["reviews"].Value
	if !reviews.Type.Is("array") || reviews.MaxItems == nil || *reviews.MaxItems != 2 || reviews.Items.Value.Properties["at"] == nil {
		t.Errorf("reviews: %v, at most %v", reviews.Type, reviews.MaxItems)
	}
	op := spec.Paths.Value("/shop").Get
	include := op.Parameters.GetByInAndName("query", "include")
	if include == nil || !cmp.Equal(include.Schema.Value.Items.Value.Enum, []any{"seller", "reviews"}) {
		t.Fatalf("include parameter: %+v", include)
	}
	fs := op.Parameters.GetByInAndName("query", "fields[seller]")
	if fs == nil || !cmp.Equal(fs.Schema.Value.Items.Value.Enum, []any{"id", "name", "country"}) {
		t.Errorf("fields[seller] parameter: %+v", fs)
	}
}
