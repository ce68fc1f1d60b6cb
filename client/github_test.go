package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/client"
)

// issue is an issue as GitHub's REST API lists it, abridged.
type issue struct {
	ID     int64  `json:"id"`
	Number int    `json:"number"`
	Title  string `json:"title"`
	State  string `json:"state"`
}

// githubAPI answers GET /repos/octocat/Spoon-Knife/issues the way
// api.github.com does: a top-level JSON array, per_page (default 30, at
// most 100) and page, and a Link header with prev, next, last and first
// in GitHub's order and format, pointing at /repositories/{id}/issues
// (GitHub links to the repository by id, not by name) with the request's
// other parameters kept. No Link header when everything fits on one page.
// faults, keyed by the 1-based number of a request, answer that request
// instead.
type githubAPI struct {
	*httptest.Server
	issues []issue
	faults map[int]http.HandlerFunc

	mu   sync.Mutex
	uris []string
}

func newGitHubAPI(tb testing.TB, n int, faults map[int]http.HandlerFunc) *githubAPI {
	tb.Helper()
	g := &githubAPI{faults: faults}
	for i := range n {
		num := n - i // newest first, as GitHub lists issues by default
		g.issues = append(g.issues, issue{ID: 1_000_000 + int64(num), Number: num, Title: fmt.Sprintf("Issue %d", num), State: "open"})
	}
	g.Server = httptest.NewServer(g)
	tb.Cleanup(g.Close)
	return g
}

func (g *githubAPI) requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.uris...)
}

func (g *githubAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.uris = append(g.uris, r.URL.RequestURI())
	fault := g.faults[len(g.uris)]
	g.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	if r.Method != http.MethodGet || (r.URL.Path != "/repos/octocat/Spoon-Knife/issues" && r.URL.Path != "/repositories/1300192/issues") {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	perPage, page := 30, 1
	if v := q.Get("per_page"); v != "" {
		perPage, _ = strconv.Atoi(v)
		perPage = min(max(perPage, 1), 100)
	}
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
		page = max(page, 1)
	}
	last := max((len(g.issues)+perPage-1)/perPage, 1)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "4987")
	h.Set("X-RateLimit-Reset", "1700000000")
	h.Set("X-RateLimit-Resource", "core")
	if last > 1 {
		h.Set("Link", g.link(r, page, last))
	}
	from, to := min((page-1)*perPage, len(g.issues)), min(page*perPage, len(g.issues))
	b, _ := json.Marshal(g.issues[from:to])
	w.Write(b)
}

// link is GitHub's Link header: prev, next, last, first, each present
// only when it applies, as absolute URLs.
func (g *githubAPI) link(r *http.Request, page, last int) string {
	var kept []string
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		if kv != "" && !strings.HasPrefix(kv, "page=") {
			kept = append(kept, kv)
		}
	}
	at := func(p int) string {
		return "<" + g.URL + "/repositories/1300192/issues?" + strings.Join(append(kept[:len(kept):len(kept)], "page="+strconv.Itoa(p)), "&") + ">"
	}
	var parts []string
	if page > 1 {
		parts = append(parts, at(page-1)+`; rel="prev"`)
	}
	if page < last {
		parts = append(parts, at(page+1)+`; rel="next"`, at(last)+`; rel="last"`)
	}
	if page > 1 {
		parts = append(parts, at(1)+`; rel="first"`)
	}
	return strings.Join(parts, ", ")
}

func numbersOf(is []issue) []int {
	out := make([]int, len(is))
	for i, x := range is {
		out[i] = x.Number
	}
	return out
}

func TestGitHubWalk(t *testing.T) {
	for _, perPage := range []int{0, 1, 5, 22, 23, 100} {
		t.Run(fmt.Sprintf("per_page=%d", perPage), func(t *testing.T) {
			g := newGitHubAPI(t, 23, nil)
			u := g.URL + "/repos/octocat/Spoon-Knife/issues?state=open"
			if perPage > 0 {
				u += "&per_page=" + strconv.Itoa(perPage)
			}
			got, err := collect[issue](t.Context(), u, client.Config{
				Header: http.Header{"Accept": {"application/vnd.github+json"}, "Authorization": {"Bearer ghp_test"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(numbersOf(g.issues), numbersOf(got)); diff != "" {
				t.Errorf("issue numbers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(g.issues, got); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
			pp := perPage
			if pp == 0 {
				pp = 30
			}
			pages := (23 + pp - 1) / pp
			want := []string{strings.TrimPrefix(u, g.URL)}
			for p := 2; p <= pages; p++ {
				q := "state=open"
				if perPage > 0 {
					q += "&per_page=" + strconv.Itoa(perPage)
				}
				want = append(want, fmt.Sprintf("/repositories/1300192/issues?%s&page=%d", q, p))
			}
			if diff := cmp.Diff(want, g.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// The GitHub server's Link header is GitHub's, byte for byte.
func TestGitHubLinkFormat(t *testing.T) {
	g := newGitHubAPI(t, 23, nil)
	res, err := http.Get(g.URL + "/repositories/1300192/issues?per_page=2&page=3")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	b := g.URL + "/repositories/1300192/issues?per_page=2&page="
	want := `<` + b + `2>; rel="prev", <` + b + `4>; rel="next", <` + b + `12>; rel="last", <` + b + `1>; rel="first"`
	if got := res.Header.Get("Link"); got != want {
		t.Errorf("Link\n%s\nwant\n%s", got, want)
	}
}

func TestGitHubRateLimits(t *testing.T) {
	date := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	httpDate := func(t time.Time) string { return t.Format(http.TimeFormat) }
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}`
	tests := []struct {
		name        string
		faults      map[int]http.HandlerFunc
		cfg         client.Config
		waits       []time.Duration
		requests    int
		status      int           // 0: the walk succeeds
		retryAfter  time.Duration // of the StatusError
		attempts    int           // of the StatusError
		itemsBefore int           // items yielded before the error
	}{
		{name: "429 with Retry-After seconds",
			faults:   map[int]http.HandlerFunc{2: reply(429, `{"message":"API rate limit exceeded"}`, "Retry-After", "7")},
			waits:    []time.Duration{7 * time.Second},
			requests: 6},
		{name: "429 with Retry-After an HTTP date, against Date",
			faults:   map[int]http.HandlerFunc{2: reply(429, "", "Date", httpDate(date), "Retry-After", httpDate(date.Add(30*time.Second)))},
			waits:    []time.Duration{30 * time.Second},
			requests: 6},
		{name: "429 with Retry-After an HTTP date, no Date header",
			faults: map[int]http.HandlerFunc{3: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Date"] = nil // net/http sends none
				reply(429, "", "Retry-After", httpDate(date.Add(45*time.Second)))(w, r)
			}},
			cfg:      client.Config{Now: func() time.Time { return date }},
			waits:    []time.Duration{45 * time.Second},
			requests: 6},
		{name: "429 with Retry-After in the past",
			faults:   map[int]http.HandlerFunc{2: reply(429, "", "Date", httpDate(date), "Retry-After", httpDate(date.Add(-time.Hour)))},
			waits:    []time.Duration{0},
			requests: 6},
		{name: "429 with Retry-After 0",
			faults:   map[int]http.HandlerFunc{2: reply(429, "", "Retry-After", "0")},
			waits:    []time.Duration{0},
			requests: 6},
		{name: "429 with Retry-After garbage backs off",
			faults:   map[int]http.HandlerFunc{2: reply(429, "", "Retry-After", "soon"), 3: reply(429, "")},
			waits:    []time.Duration{time.Second, 2 * time.Second},
			requests: 7},
		{name: "429 with Retry-After over the cap",
			faults:      map[int]http.HandlerFunc{2: reply(429, "", "Date", httpDate(date), "Retry-After", httpDate(date.Add(2*time.Minute)))},
			requests:    2,
			status:      429,
			retryAfter:  2 * time.Minute,
			attempts:    1,
			itemsBefore: 5},
		{name: "429 with Retry-After under a raised cap",
			faults:   map[int]http.HandlerFunc{2: reply(429, "", "Retry-After", "120")},
			cfg:      client.Config{MaxRetryWait: 5 * time.Minute},
			waits:    []time.Duration{2 * time.Minute},
			requests: 6},
		{name: "503 then success",
			faults:   map[int]http.HandlerFunc{1: reply(503, "")},
			waits:    []time.Duration{time.Second},
			requests: 6},
		{name: "503 twice with Retry-After",
			faults:   map[int]http.HandlerFunc{4: reply(503, "", "Retry-After", "2"), 5: reply(503, "", "Retry-After", "3")},
			waits:    []time.Duration{2 * time.Second, 3 * time.Second},
			requests: 7},
		{name: "503 until the attempts run out",
			faults:      map[int]http.HandlerFunc{2: reply(503, "down"), 3: reply(503, "down"), 4: reply(503, "down", "Retry-After", "1")},
			cfg:         client.Config{MaxAttempts: 3},
			waits:       []time.Duration{time.Second, 2 * time.Second},
			requests:    4,
			status:      503,
			retryAfter:  time.Second,
			attempts:    3,
			itemsBefore: 5},
		{name: "one attempt retries nothing",
			faults:      map[int]http.HandlerFunc{1: reply(429, "", "Retry-After", "1")},
			cfg:         client.Config{MaxAttempts: 1},
			requests:    1,
			status:      429,
			retryAfter:  time.Second,
			attempts:    1,
			itemsBefore: 0},
		{name: "secondary rate limit 403 is an error",
			faults:      map[int]http.HandlerFunc{3: reply(403, secondary, "Retry-After", "60", "X-RateLimit-Remaining", "4000")},
			requests:    3,
			status:      403,
			retryAfter:  time.Minute,
			attempts:    1,
			itemsBefore: 10},
		{name: "primary rate limit 403 is an error",
			faults:      map[int]http.HandlerFunc{2: reply(403, `{"message":"API rate limit exceeded for 192.0.2.1."}`, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1700003600")},
			requests:    2,
			status:      403,
			attempts:    1,
			itemsBefore: 5},
		{name: "502 is an error",
			faults:      map[int]http.HandlerFunc{2: reply(502, "Server Error", "Retry-After", "1")},
			requests:    2,
			status:      502,
			retryAfter:  time.Second,
			attempts:    1,
			itemsBefore: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitHubAPI(t, 23, tt.faults)
			var slept sleeper
			cfg := tt.cfg
			cfg.Sleep = slept.Sleep
			got, err := collect[issue](t.Context(), g.URL+"/repos/octocat/Spoon-Knife/issues?per_page=5", cfg)
			if diff := cmp.Diff(tt.waits, slept.recorded()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := len(g.requests()); n != tt.requests {
				t.Errorf("%d requests, want %d: %q", n, tt.requests, g.requests())
			}
			if tt.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(numbersOf(g.issues), numbersOf(got)); diff != "" {
					t.Errorf("issue numbers (-want +got):\n%s", diff)
				}
				return
			}
			var se *client.StatusError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a *StatusError", err)
			}
			if se.StatusCode != tt.status || se.RetryAfter != tt.retryAfter || se.Attempts != tt.attempts {
				t.Errorf("StatusError: status %d, RetryAfter %v, Attempts %d; want %d, %v, %d",
					se.StatusCode, se.RetryAfter, se.Attempts, tt.status, tt.retryAfter, tt.attempts)
			}
			if len(got) != tt.itemsBefore {
				t.Errorf("%d items before the error, want %d", len(got), tt.itemsBefore)
			}
			if tt.status == 403 && se.Header.Get("X-RateLimit-Remaining") == "" {
				t.Errorf("StatusError.Header lacks the rate-limit headers: %v", se.Header)
			}
			if strings.Contains(tt.name, "secondary") && !strings.Contains(string(se.Body), "secondary rate limit") {
				t.Errorf("StatusError.Body %q", se.Body)
			}
			// The failed request is the page after the last one walked.
			wantURL := g.URL + "/repos/octocat/Spoon-Knife/issues?per_page=5"
			if tt.itemsBefore > 0 {
				wantURL = g.URL + "/repositories/1300192/issues?per_page=5&page=" + strconv.Itoa(tt.itemsBefore/5+1)
			}
			if se.URL != wantURL {
				t.Errorf("StatusError.URL %q, want %q", se.URL, wantURL)
			}
		})
	}
}
