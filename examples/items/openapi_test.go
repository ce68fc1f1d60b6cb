package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	gocmp "github.com/google/go-cmp/cmp"
)

// openAPI fetches the server's OpenAPI document, checks it is valid
// OpenAPI 3.1 by kin-openapi and the same on every request, and returns
// a router over it.
func (s *server) openAPI(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	var bodies [2][]byte
	for i := range bodies {
		res, err := http.Get(s.base + "/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		bodies[i], _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Fatal("two fetches of /openapi.json differ")
	}
	spec, err := openapi3.NewLoader().LoadFromData(bodies[0])
	if err != nil {
		t.Fatalf("loading /openapi.json: %v", err)
	}
	if !spec.IsOpenAPI31OrLater() || spec.IsOpenAPI32OrLater() {
		t.Fatalf("/openapi.json is OpenAPI %q, not 3.1", spec.OpenAPI)
	}
	if err := spec.Validate(context.Background(), openapi3.EnableMultiError()); err != nil {
		t.Fatalf("/openapi.json is not valid OpenAPI 3.1: %v", err)
	}
	router, err := legacy.NewRouter(spec)
	if err != nil {
		t.Fatal(err)
	}
	return spec, router
}

// exchange sends GET path (with header) to s, and validates the request
// and the response against the document. It fails the test when the
// status is not want or the response does not match; it returns the
// response, its body, and the request's validation error (nil when the
// document accepts the request).
func (s *server) exchange(t *testing.T, router routers.Router, path string, header http.Header, want int) (*http.Response, []byte, error) {
	t.Helper()
	ctx := context.Background()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s: no operation in the document: %v", path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, SkipSettingDefaults: true}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d: %s", path, res.StatusCode, want, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s: the %d response does not match /openapi.json: %v\n%.300s", path, res.StatusCode, err, body)
	}
	return res, body, reqErr
}

// TestOpenAPI validates the example's real traffic against the document
// it serves: requests the API serves are valid by it, and its responses,
// in both modes, whole and sparse, pages and problems and 304s, match it.
func TestOpenAPI(t *testing.T) {
	// Every order, indexed or not: the documented orders are what the
	// traffic exercises. (A refused order is a 400 problem like others.)
	s := start(t, "-rows", "60", "-shapes", "all")
	spec, router := s.openAPI(t)
	if got := []string{spec.Paths.Find("/api/items").Get.OperationID, spec.Paths.Find("/api/items/feed").Get.OperationID}; gocmp.Diff([]string{"listItems", "feedItems"}, got) != "" {
		t.Errorf("operations %q", got)
	}
	for _, path := range []string{
		"/api/items",
		"/api/items?page=3&per_page=7&sort=-price,name",
		"/api/items?fields=name,price&sort=category,-id&per_page=500",
		"/api/items?category[in]=books,toys&price[gte]=10000&created_at[lt]=2024-01-01T00:30:00Z",
		"/api/items?category[ne]=books&created_at[gte]=2024-01-01&page=99",
		"/api/items/feed",
		"/api/items/feed?per_page=5&sort=price&fields=id,price,created_at",
		"/api/items/feed?category=home&price[lt]=50000",
		"/api/items?include=seller,reviews&per_page=20",
		"/api/items?include=reviews&fields[reviews]=rating,created_at&fields=id,name&page=2",
		"/api/items/feed?include=seller&fields[seller]=country&sort=price&per_page=6",
		"/api/items/feed?include=reviews,seller&category[in]=books,toys",
	} {
		if _, _, err := s.exchange(t, router, path, nil, http.StatusOK); err != nil {
			t.Errorf("%s: served, but /openapi.json refuses the request: %v", path, err)
		}
	}

	// The feed's links, followed: next, last, and prev from the last.
	res, _, _ := s.exchange(t, router, "/api/items/feed?per_page=4&sort=-name&fields=id,name", nil, http.StatusOK)
	links := linkTargets(res.Header.Get("Link"))
	for _, rel := range []string{"first", "next", "last"} {
		res, _, err := s.exchange(t, router, strings.TrimPrefix(links[rel], s.base), nil, http.StatusOK)
		if err != nil {
			t.Errorf("the %s link: /openapi.json refuses the request: %v", rel, err)
		}
		if rel == "last" {
			if _, _, err := s.exchange(t, router, strings.TrimPrefix(linkTargets(res.Header.Get("Link"))["prev"], s.base), nil, http.StatusOK); err != nil {
				t.Errorf("the last page's prev link: /openapi.json refuses the request: %v", err)
			}
		}
	}

	// Problems, in both modes: the document refuses what it can tell is
	// bad, and the problem matches it.
	for _, tc := range []struct {
		path    string
		visible bool
	}{
		{"/api/items?page=0", true},
		{"/api/items?per_page=x&sort=nope", true},
		{"/api/items?fields=id,secret", true},
		{"/api/items?price[gte]=cheap", true},
		{"/api/items?category[in]=" + strings.Repeat("a,", 100) + "a", true},
		{"/api/items?after=abc", false},
		{"/api/items/feed?page=2", false},
		{"/api/items/feed?after=forged", false},
		{"/api/items/feed?created_at[gt]=tomorrow", true},
		{"/api/items?include=buyers", true},
		{"/api/items?include=seller&fields[seller]=email", true},
		{"/api/items/feed?include=reviews,reviews", true},
		{"/api/items/feed?fields[seller]=name", false},
	} {
		_, _, err := s.exchange(t, router, tc.path, nil, http.StatusBadRequest)
		if tc.visible && err == nil {
			t.Errorf("%s: refused with 400, but /openapi.json accepts the request", tc.path)
		}
	}

	// 304 Not Modified on both endpoints.
	for _, path := range []string{"/api/items?per_page=3", "/api/items/feed?per_page=3"} {
		res, _, _ := s.exchange(t, router, path, nil, http.StatusOK)
		if _, _, err := s.exchange(t, router, path, http.Header{"If-None-Match": {res.Header.Get("ETag")}}, http.StatusNotModified); err != nil {
			t.Errorf("%s with If-None-Match: %v", path, err)
		}
	}
}

// linkTargets returns the target of each rel in a Link header.
func linkTargets(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ", ") {
		if u, rel, ok := strings.Cut(part, `>; rel="`); ok {
			out[strings.TrimSuffix(rel, `"`)] = strings.TrimPrefix(u, "<")
		}
	}
	return out
}
