package apitest

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// OpenAPI is an OpenAPI 3.1 document loaded and checked by kin-openapi,
// with a router that finds a request's operation in it.
type OpenAPI struct {
	Spec   *openapi3.T
	Router routers.Router
}

// LoadOpenAPI loads doc with kin-openapi and checks that it is a valid
// OpenAPI 3.1 document, failing the test if not.
func LoadOpenAPI(tb testing.TB, doc []byte) OpenAPI {
	tb.Helper()
	spec, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		tb.Fatalf("loading the document: %v", err)
	}
	if !spec.IsOpenAPI31OrLater() || spec.IsOpenAPI32OrLater() {
		tb.Fatalf("kin-openapi reads version %q, not 3.1", spec.OpenAPI)
	}
	if err := spec.Validate(context.Background(), openapi3.EnableMultiError()); err != nil {
		tb.Fatalf("the document is not valid OpenAPI 3.1: %v", err)
	}
	router, err := legacy.NewRouter(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return OpenAPI{Spec: spec, Router: router}
}

// Exchange validates req against the document, has send answer it, and
// checks the answer: its status must be want and it must match the
// document. A request the document has no operation for, or another
// status, fails the test; a response that does not match is an error of
// the test. Exchange returns the response, its body, and the request's
// own validation error (nil when the document accepts the request).
func (o OpenAPI) Exchange(tb testing.TB, req *http.Request, send func(*http.Request) (*http.Response, error), want int) (*http.Response, []byte, error) {
	tb.Helper()
	ctx := context.Background()
	route, params, err := o.Router.FindRoute(req)
	if err != nil {
		tb.Fatalf("%s: no operation in the document: %v", req.URL, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, SkipSettingDefaults: true}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	res, err := send(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		tb.Fatalf("%s: reading the body: %v", req.URL, err)
	}
	if res.StatusCode != want {
		tb.Fatalf("%s: status %d, want %d: %s", req.URL, res.StatusCode, want, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		tb.Errorf("%s: the %d response does not match the document: %v\n%.300s", req.URL, res.StatusCode, err, body)
	}
	return res, body, reqErr
}
