package httpadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
)

// api is a small API of several endpoints and its OpenAPI document.
type api struct {
	doc      *httpadapter.OpenAPI
	handlers map[string]http.Handler // by path
}

// renamed are the parameter names and envelope keys of /v2/feed.
var renamed = httpadapter.Config{
	Parser: httpadapter.ParserConfig{Params: httpadapter.Params{After: "starting_after", Before: "ending_before", PerPage: "limit"}},
	Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{Items: "data", HasNext: "has_more", HasPrev: "-", NextCursor: "next", PrevCursor: "prev", Links: "_links"}},
}

// newAPI serves the test items by page (strict, conditional) and by
// cursor (with default and renamed parameters and keys), the readings
// through Middleware and a Writer, and describes them all.
func newAPI(t *testing.T) *api {
	t.Helper()
	doc, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{Title: "Test API", Version: "1.2.3", Description: "Items & readings."})
	if err != nil {
		t.Fatal(err)
	}
	a := &api{doc: doc, handlers: map[string]http.Handler{}}
	s := newSchema(t)
	off, err := paginate.NewOffset(memory(t, s, items), s, paginate.OffsetConfig{PerPage: 2, MaxPerPage: 3, RejectOverMax: true, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := httpadapter.Handler(off, nil, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a.add(t, "/items", pages, httpadapter.Conditional(httpadapter.ConditionalConfig{})(pages),
		httpadapter.Operation{ID: "listItems", Summary: "Items by page", Tags: []string{"items"}, ItemSchema: "Item", Conditional: true})
	feed, err := httpadapter.Handler(newKeyset(t, items), nil, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a.add(t, "/feed", feed, feed, httpadapter.Operation{ID: "feedItems", Summary: "Items by cursor", Tags: []string{"items"}, ItemSchema: "Item"})
	v2, err := httpadapter.Handler(newKeyset(t, items), nil, renamed)
	if err != nil {
		t.Fatal(err)
	}
	a.add(t, "/v2/feed", v2, v2, httpadapter.Operation{ID: "feedItemsV2", ItemSchema: "Item"})

	// The readings: the application's own handler, with Middleware and a
	// Writer, which takes the page sizes from the Operation.
	p, w := readingsWriter(t)
	ro, err := paginate.NewOffset(readingsMemory(t, p.Schema()), p.Schema(), paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	readings := httpadapter.Middleware(p)(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q, _ := httpadapter.FromContext(r.Context())
		page, err := ro.Paginate(r.Context(), q.Request())
		if err != nil {
			w.WriteError(rw, r, q, err)
			return
		}
		w.WritePage(rw, r, q, page)
	}))
	a.add(t, "/readings", w, readings, httpadapter.Operation{ID: "listReadings", Limits: httpadapter.Limits{PerPage: 10, MaxPerPage: 100}})
	return a
}

// readingsWriter returns a parser and a writer of offset pages of
// readings.
func readingsWriter(t *testing.T) (*httpadapter.Parser, *httpadapter.Writer[Reading]) {
	t.Helper()
	p, err := httpadapter.NewParser(readingSchema(t), httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	w, err := httpadapter.NewWriter[Reading](p, httpadapter.WriterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return p, w
}

func (a *api) add(t *testing.T, path string, d httpadapter.Describer, h http.Handler, op httpadapter.Operation) {
	t.Helper()
	if err := a.doc.Add(path, d, op); err != nil {
		t.Fatal(err)
	}
	a.handlers[path] = h
}

// ServeHTTP routes by path.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := a.handlers[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

// load checks the document with kin-openapi, as an OpenAPI 3.1 document,
// and returns it loaded, with a router over it.
func load(t *testing.T, doc []byte) apitest.OpenAPI {
	t.Helper()
	return apitest.LoadOpenAPI(t, doc)
}

// marshal returns the document's JSON, failing the test on an error.
func marshal(t *testing.T, doc *httpadapter.OpenAPI) []byte {
	t.Helper()
	b, err := doc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenAPIGolden: the document is valid OpenAPI 3.1 for kin-openapi,
// the same on every run, and as reviewed in testdata.
func TestOpenAPIGolden(t *testing.T) {
	b := marshal(t, newAPI(t).doc)
	load(t, b)
	if again := marshal(t, newAPI(t).doc); !bytes.Equal(b, again) {
		t.Fatal("two documents of the same endpoints differ")
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	checkGolden(t, "openapi.golden.json", indented.Bytes())
}

// validator checks requests and responses against a document.
type validator struct {
	doc apitest.OpenAPI
	h   http.Handler
}

// check sends target to v.h, checks that the answer has status want, and
// validates the response against the document; it returns the request's
// own validation error (nil when the document accepts the request).
func (v validator) check(t *testing.T, target string, header http.Header, want int) error {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	_, _, err := v.doc.Exchange(t, req, func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		v.h.ServeHTTP(rec, req)
		return rec.Result(), nil
	}, want)
	return err
}

// TestOpenAPIValidatesTraffic sends requests to the API and validates
// them, and its answers, against its own document: every request the API
// serves is valid by the document, and every response (pages in both
// modes, whole and sparse, with NaN and infinities, problems, 304 and
// 404) matches it. Requests the API refuses that the document can tell
// are bad are refused by the document too.
func TestOpenAPIValidatesTraffic(t *testing.T) {
	a := newAPI(t)
	v := validator{doc: load(t, marshal(t, a.doc)), h: a}
	for _, target := range []string{
		"/items",
		"/items?page=2&per_page=3&sort=-price,name",
		"/items?fields=price,name&sort=category,-id",
		"/items?category[in]=home,toys&price[gte]=1000&created_at[lt]=2024-01-03",
		"/items?created_at[gte]=2024-01-02T10:00:00Z&category=home",
		"/feed",
		"/feed?per_page=2&sort=price&fields=id,price",
		"/feed?category[ne]=toys&per_page=1",
		"/v2/feed?limit=2&sort=-created_at",
		"/readings",
		"/readings?fields=ratio,peak,id,value&per_page=3",
		"/readings?page=2&per_page=2&sort=-id",
		"/readings?peak[null]=false&note[prefix]=a",
		"/readings?note[contains]=%25_&peak[null]=true",
	} {
		if err := v.check(t, target, nil, http.StatusOK); err != nil {
			t.Errorf("%s: served, but the document refuses the request: %v", target, err)
		}
	}

	// Following links: every page on the way validates, cursors and all.
	for _, start := range []string{"/feed?per_page=2&sort=name", "/v2/feed?limit=2"} {
		res := get(t, a, start)
		links := headerLinks(t, res.Header.Get("Link"))
		for _, rel := range []string{"next", "last"} {
			u := strings.TrimPrefix(links[rel].(string), "http://example.com")
			if err := v.check(t, u, nil, http.StatusOK); err != nil {
				t.Errorf("%s: the document refuses the %s link: %v", u, rel, err)
			}
			prev := headerLinks(t, get(t, a, u).Header.Get("Link"))["prev"].(string)
			if err := v.check(t, strings.TrimPrefix(prev, "http://example.com"), nil, http.StatusOK); err != nil {
				t.Errorf("%s: the document refuses the prev link: %v", prev, err)
			}
		}
	}

	// Problems: the response matches; where the document can see the
	// problem, it refuses the request too.
	for _, tc := range []struct {
		target  string
		status  int
		visible bool // the document alone can tell the request is bad
	}{
		{"/items?page=0", http.StatusBadRequest, true},
		{"/items?per_page=4", http.StatusBadRequest, true},
		{"/items?sort=nope", http.StatusBadRequest, true},
		{"/items?sort=price,price", http.StatusBadRequest, true},
		{"/items?fields=id,nope", http.StatusBadRequest, true},
		{"/items?price[gte]=cheap", http.StatusBadRequest, true},
		{"/items?created_at[lt]=yesterday", http.StatusBadRequest, true},
		{"/items?page=9", http.StatusNotFound, false},
		{"/feed?after=not-a-cursor", http.StatusBadRequest, false},
		{"/v2/feed?limit=0&fields=x", http.StatusBadRequest, true},
		{"/readings?per_page=x", http.StatusBadRequest, true},
		{"/readings?peak[null]=maybe", http.StatusBadRequest, true},
		{"/readings?note[prefix]=", http.StatusBadRequest, true},
	} {
		err := v.check(t, tc.target, nil, tc.status)
		if tc.visible && err == nil {
			t.Errorf("%s: refused with %d, but the document accepts the request", tc.target, tc.status)
		}
	}

	// 304 Not Modified, through Conditional.
	res := get(t, a, "/items?per_page=2")
	if err := v.check(t, "/items?per_page=2", http.Header{"If-None-Match": {res.Header.Get("ETag")}}, http.StatusNotModified); err != nil {
		t.Errorf("If-None-Match: %v", err)
	}
}

// The document validates responses for real: a response that breaks it
// fails.
func TestOpenAPIValidationCanFail(t *testing.T) {
	a := newAPI(t)
	router := load(t, marshal(t, a.doc)).Router
	ctx := context.Background()
	for _, tc := range []struct{ name, body string }{
		{"a NaN as a number-like string", `{"page":1,"per_page":10,"has_next":false,"has_prev":false,"next_page":null,"prev_page":null,"links":{"first":null,"prev":null,"next":null,"last":null},"items":[{"id":1,"value":"nan"}]}`},
		{"no links", `{"page":1,"per_page":10,"has_next":false,"has_prev":false,"next_page":null,"prev_page":null,"items":[]}`},
		{"a string id", `{"page":1,"per_page":10,"has_next":false,"has_prev":false,"next_page":null,"prev_page":null,"links":{"first":null,"prev":null,"next":null,"last":null},"items":[{"id":"1"}]}`},
	} {
		req := httptest.NewRequest(http.MethodGet, "/readings", nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 http.StatusOK,
			Header:                 http.Header{"Content-Type": {"application/json"}},
		}
		out.SetBodyBytes([]byte(tc.body))
		if err := openapi3filter.ValidateResponse(ctx, out); err == nil {
			t.Errorf("%s: the document accepts %s", tc.name, tc.body)
		}
	}
}

// TestOpenAPIContent checks what the document says, where a valid but
// wrong document would pass the other tests: the parameter names of each
// mode, the envelope keys, the item keys and types, the page sizes.
func TestOpenAPIContent(t *testing.T) {
	spec := load(t, marshal(t, newAPI(t).doc)).Spec
	params := func(path string) []string {
		var out []string
		for _, p := range spec.Paths.Value(path).Get.Parameters {
			out = append(out, p.Value.Name)
		}
		return out
	}
	filters := []string{"category", "category[ne]", "category[in]", "price", "price[lt]", "price[lte]", "price[gt]", "price[gte]",
		"created_at", "created_at[lt]", "created_at[lte]", "created_at[gt]", "created_at[gte]"}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/items", append([]string{"page", "per_page", "sort", "fields"}, append(filters, "If-None-Match")...)},
		{"/feed", append([]string{"after", "before", "per_page", "sort", "fields"}, filters...)},
		{"/v2/feed", append([]string{"starting_after", "ending_before", "limit", "sort", "fields"}, filters...)},
		{"/readings", []string{"page", "per_page", "sort", "fields", "peak[null]", "note[prefix]", "note[contains]"}},
	} {
		if diff := cmp.Diff(tc.want, params(tc.path)); diff != "" {
			t.Errorf("%s parameters (-want +got):\n%s", tc.path, diff)
		}
	}

	op := spec.Paths.Value("/items").Get
	perPage := op.Parameters.GetByInAndName("query", "per_page").Schema.Value
	if perPage.Default != 2.0 || perPage.Max == nil || *perPage.Max != 3 {
		t.Errorf("/items per_page: default %v, maximum %v; want 2 and 3", perPage.Default, perPage.Max)
	}
	sort := op.Parameters.GetByInAndName("query", "sort").Schema.Value
	wantKeys := []any{"id", "-id", "name", "-name", "category", "-category", "price", "-price", "created_at", "-created_at"}
	if diff := cmp.Diff(wantKeys, sort.Items.Value.Enum); diff != "" {
		t.Errorf("sort keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"-created_at"}, sort.Default); diff != "" {
		t.Errorf("default sort (-want +got):\n%s", diff)
	}
	if op.Responses.Status(404) == nil || spec.Paths.Value("/feed").Get.Responses.Status(404) != nil {
		t.Error("404 is not documented for the strict offset endpoint alone")
	}
	if op.Responses.Status(304) == nil || spec.Paths.Value("/feed").Get.Responses.Status(304) != nil {
		t.Error("304 is not documented for the conditional endpoint alone")
	}

	envelope := func(path string) *openapi3.Schema {
		return spec.Paths.Value(path).Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	}
	keys := func(s *openapi3.Schema) []string {
		var out []string
		for k := range s.Properties {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/items", []string{"has_next", "has_prev", "items", "links", "next_page", "page", "pages", "per_page", "prev_page", "total", "total_capped", "total_estimated"}},
		{"/feed", []string{"has_next", "has_prev", "items", "links", "next_cursor", "pages", "per_page", "prev_cursor", "total", "total_capped", "total_estimated"}},
		{"/v2/feed", []string{"_links", "data", "has_more", "next", "pages", "per_page", "prev", "total", "total_capped", "total_estimated"}},
	} {
		if diff := cmp.Diff(tc.want, keys(envelope(tc.path))); diff != "" {
			t.Errorf("%s envelope keys (-want +got):\n%s", tc.path, diff)
		}
	}
	item := spec.Components.Schemas["Item"].Value
	if diff := cmp.Diff([]string{"category", "created_at", "id", "name", "price"}, keys(item)); diff != "" {
		t.Errorf("item keys (-want +got):\n%s", diff)
	}
	if f := item.Properties["created_at"].Value; !f.Type.Is("string") || f.Format != "date-time" {
		t.Errorf("created_at: %v %q, want a date-time string", f.Type, f.Format)
	}
	readings := spec.Paths.Value("/readings").Get.Parameters
	if v := readings.GetByInAndName("query", "peak[null]").Schema.Value; !v.Type.Is("boolean") {
		t.Errorf("peak[null] (a float field's null filter) is described as %v, want a boolean", v.Type)
	}
	for _, name := range []string{"note[prefix]", "note[contains]"} {
		prm := readings.GetByInAndName("query", name)
		if v := prm.Schema.Value; !v.Type.Is("string") || v.MinLength != 1 || !strings.Contains(prm.Description, "literally") {
			t.Errorf("%s: %v (min length %d), %q; want a non-empty string matched literally", name, v.Type, v.MinLength, prm.Description)
		}
	}
	reading := envelope("/readings").Properties["items"].Value.Items.Value
	if diff := cmp.Diff([]string{"id", "low", "note", "peak", "ratio", "skip", "value"}, keys(reading)); diff != "" {
		t.Errorf("reading keys (-want +got):\n%s", diff)
	}
}

// Add refuses what would make a wrong or ambiguous document.
func TestOpenAPIAddErrors(t *testing.T) {
	if _, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{Title: "x"}); err == nil {
		t.Error("NewOpenAPI accepted a document without a version")
	}
	doc, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{Title: "x", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpadapter.Handler(newKeyset(t, items), nil, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Add("/a", h, httpadapter.Operation{ID: "a", ItemSchema: "Item"}); err != nil {
		t.Fatal(err)
	}
	// Other items under the same component name.
	_, w := readingsWriter(t)
	for name, tc := range map[string]struct {
		path string
		d    httpadapter.Describer
		op   httpadapter.Operation
	}{
		"path twice":          {"/a", h, httpadapter.Operation{}},
		"relative path":       {"b", h, httpadapter.Operation{}},
		"template":            {"/b/{id}", h, httpadapter.Operation{}},
		"query":               {"/b?x=1", h, httpadapter.Operation{}},
		"id twice":            {"/b", h, httpadapter.Operation{ID: "a"}},
		"problem schema":      {"/b", h, httpadapter.Operation{ItemSchema: "Problem"}},
		"bad component":       {"/b", h, httpadapter.Operation{ItemSchema: "an item"}},
		"other items as Item": {"/b", w, httpadapter.Operation{ItemSchema: "Item"}},
		"no endpoint":         {"/b", nil, httpadapter.Operation{}},
	} {
		if err := doc.Add(tc.path, tc.d, tc.op); err == nil {
			t.Errorf("%s: Add accepted it", name)
		}
	}
	// None of them left a trace.
	spec := load(t, marshal(t, doc)).Spec
	if n := spec.Paths.Len(); n != 1 {
		t.Errorf("%d paths after the refused Adds, want 1", n)
	}
}

// The document's handler serves it, indented, to GET and HEAD.
func TestOpenAPIHandler(t *testing.T) {
	a := newAPI(t)
	h, err := a.doc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	res := get(t, h, "/openapi.json")
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" || !bytes.HasPrefix(body, []byte("{\n  \"openapi\": \"3.1.0\"")) {
		t.Fatalf("GET: %d %q %.40s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(compact.Bytes(), marshal(t, a.doc)) {
		t.Error("the served document is not MarshalJSON's")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/openapi.json", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}
