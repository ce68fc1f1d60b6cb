package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-paginate/paginate/httpadapter"
)

// Envelope is a page as httpadapter writes it with its default keys, its
// items of type T. Members a page leaves out (the total of an uncounted
// page, the cursors of an offset page) are nil.
type Envelope[T any] struct {
	Total      *int64             `json:"total"`
	Page       *int               `json:"page"`
	PerPage    int                `json:"per_page"`
	Pages      *int               `json:"pages"`
	HasNext    bool               `json:"has_next"`
	HasPrev    bool               `json:"has_prev"`
	NextPage   *int               `json:"next_page"`
	PrevPage   *int               `json:"prev_page"`
	NextCursor *string            `json:"next_cursor"`
	PrevCursor *string            `json:"prev_cursor"`
	Links      map[string]*string `json:"links"`
	Items      []T                `json:"items"`
}

// Response is one answer, read whole.
type Response[T any] struct {
	Status  int
	Header  http.Header
	Body    []byte
	Page    Envelope[T]         // when Status is 200
	Problem httpadapter.Problem // when the body is application/problem+json
}

// Decode reads res's body, closes it, and decodes the envelope of a 200
// or the problem of a problem+json answer. The error says what could not
// be read or decoded; the Response holds what was read.
func Decode[T any](res *http.Response) (Response[T], error) {
	defer res.Body.Close()
	r := Response[T]{Status: res.StatusCode, Header: res.Header}
	var err error
	if r.Body, err = io.ReadAll(res.Body); err != nil {
		return r, fmt.Errorf("reading the body: %w", err)
	}
	switch {
	case res.StatusCode == http.StatusOK:
		if err := json.Unmarshal(r.Body, &r.Page); err != nil {
			return r, fmt.Errorf("200 with a body that is not an envelope: %w: %.300s", err, r.Body)
		}
	case res.Header.Get("Content-Type") == httpadapter.ProblemContentType:
		if err := json.Unmarshal(r.Body, &r.Problem); err != nil {
			return r, fmt.Errorf("%d with a problem body that does not decode: %w: %.300s", res.StatusCode, err, r.Body)
		}
	}
	return r, nil
}

// Read is [Decode], failing the test on an error.
func Read[T any](tb testing.TB, res *http.Response) Response[T] {
	tb.Helper()
	r, err := Decode[T](res)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// ParamNames returns the names of the problem's invalid_params, sorted.
func (r Response[T]) ParamNames() []string {
	var out []string
	for _, p := range r.Problem.InvalidParams {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

// Keys returns the body's top-level member names, sorted.
func (r Response[T]) Keys(tb testing.TB) []string {
	tb.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		tb.Fatalf("the body is not a JSON object: %v: %.300s", err, r.Body)
	}
	return SortedKeys(top)
}

// RawItems returns the body's items as JSON objects, to check which
// members they have.
func (r Response[T]) RawItems(tb testing.TB) []map[string]json.RawMessage {
	tb.Helper()
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		tb.Fatalf("the body's items are not JSON objects: %v: %.300s", err, r.Body)
	}
	return raw.Items
}

// SortedKeys returns the keys of m, sorted.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Get sends GET url with c (http.DefaultClient if nil), the query after
// the first '?' on the wire exactly as written rather than re-encoded by
// net/url, and decodes the answer. The request gives up after 30 seconds.
func Get[T any](c *http.Client, url string) (Response[T], error) {
	if c == nil {
		c = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base, rawQuery, _ := strings.Cut(url, "?")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	if err != nil {
		return Response[T]{}, err
	}
	req.URL.RawQuery = rawQuery
	res, err := c.Do(req)
	if err != nil {
		return Response[T]{}, fmt.Errorf("GET %.200s: %w", url, err)
	}
	r, err := Decode[T](res)
	if err != nil {
		return r, fmt.Errorf("GET %.200s: %w", url, err)
	}
	return r, nil
}

// Client sends GET requests to one server and reads the answers as pages
// of T or problems, failing its test on a transport error or an answer
// that does not decode.
type Client[T any] struct {
	TB   testing.TB
	Base string       // the server's URL, such as "http://127.0.0.1:8080"
	HTTP *http.Client // if nil, http.DefaultClient
}

// Get sends GET target, a path and its query (sent exactly as written),
// to the server.
func (c Client[T]) Get(target string) Response[T] {
	c.TB.Helper()
	r, err := Get[T](c.HTTP, c.Base+target)
	if err != nil {
		c.TB.Fatal(err)
	}
	return r
}
