package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/go-paginate/paginate/client"
)

// Repo is a repository as a GitHub-like API lists it.
type Repo struct {
	Name  string `json:"name"`
	Stars int    `json:"stargazers_count"`
}

// A GitHub-style API: each page is a JSON array, and the Link header
// names the next page.
func Example() {
	pages := map[string]struct{ body, link string }{
		"1": {`[{"name":"go","stargazers_count":120000},{"name":"tools","stargazers_count":7000}]`, `<?page=2>; rel="next", <?page=2>; rel="last"`},
		"2": {`[{"name":"net","stargazers_count":2700}]`, `<?page=1>; rel="prev", <?page=1>; rel="first"`},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := pages[r.URL.Query().Get("page")]
		w.Header().Set("Link", p.link)
		fmt.Fprint(w, p.body)
	}))
	defer srv.Close()

	ctx := context.Background()
	cfg := client.Config{Header: http.Header{"Authorization": {"Bearer token"}}}
	for repo, err := range client.Items[Repo](ctx, srv.URL+"/orgs/golang/repos?page=1", cfg) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(repo.Name, repo.Stars)
	}
	// Output:
	// go 120000
	// tools 7000
	// net 2700
}

// An API that puts the items under "data" and the next page's cursor under
// "meta.next_cursor", to be sent back as the "after" parameter.
func ExampleItems_cursor() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("after") {
		case "":
			fmt.Fprint(w, `{"data":[{"id":1},{"id":2}],"meta":{"next_cursor":"Mg"}}`)
		case "Mg":
			fmt.Fprint(w, `{"data":[{"id":3}],"meta":{"next_cursor":null}}`)
		}
	}))
	defer srv.Close()

	type Item struct {
		ID int `json:"id"`
	}
	cfg := client.Config{Items: "data", Cursor: "meta.next_cursor", CursorParam: "after"}
	for it, err := range client.Items[Item](context.Background(), srv.URL+"/api/items?per_page=2", cfg) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(it.ID)
	}
	// Output:
	// 1
	// 2
	// 3
}

// A JSON:API-style body with the next page's URL under "links.next".
func ExampleItems_nextURL() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[number]") == "2" {
			fmt.Fprint(w, `{"data":["c"],"links":{"next":null}}`)
			return
		}
		fmt.Fprint(w, `{"data":["a","b"],"links":{"next":"/articles?page%5Bnumber%5D=2"}}`)
	}))
	defer srv.Close()

	cfg := client.Config{Items: "data", Next: "links.next"}
	for s, err := range client.Items[string](context.Background(), srv.URL+"/articles", cfg) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(s)
	}
	// Output:
	// a
	// b
	// c
}

// A 503 with Retry-After is retried after the wait it asks for. Sleep is
// replaced here to show the wait without waiting.
func ExampleConfig_retry() {
	var answered atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !answered.Swap(true) { // busy the first time
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `[1,2,3]`)
	}))
	defer srv.Close()

	cfg := client.Config{
		MaxAttempts:  3,
		MaxRetryWait: 10 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			fmt.Println("waiting", d)
			return nil
		},
	}
	for n, err := range client.Items[int](context.Background(), srv.URL, cfg) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(n)
	}
	// Output:
	// waiting 2s
	// 1
	// 2
	// 3
}

// A status that is not retried, such as GitHub's 403 for its secondary
// rate limit, ends the walk with a *StatusError.
func ExampleStatusError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit."}`)
	}))
	defer srv.Close()

	for _, err := range client.Items[Repo](context.Background(), srv.URL, client.Config{}) {
		var se *client.StatusError
		if errors.As(err, &se) {
			fmt.Println(se.StatusCode, se.RetryAfter)
			fmt.Println(string(se.Body))
		}
	}
	// Output:
	// 403 1m0s
	// {"message":"You have exceeded a secondary rate limit."}
}
