package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-paginate/paginate/client"
)

// server is an httptest server answering from a table of handlers keyed
// by request URI (path and query), recording the URIs it was asked for.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

// serve starts a server for routes; a request for a URI not in routes is
// a test failure and a 404. It closes when the test ends.
func serve(tb testing.TB, routes map[string]http.HandlerFunc) *server {
	tb.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		h, ok := routes[r.URL.RequestURI()]
		if !ok {
			tb.Errorf("unexpected request %s %s", r.Method, r.URL.RequestURI())
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	tb.Cleanup(s.Close)
	return s
}

// uris returns the request URIs the server was asked for, in order.
func (s *server) uris() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = r.URL.RequestURI()
	}
	return out
}

// requests returns the requests the server received.
func (s *server) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// reply answers with status, the header lines in kv (name, value,
// name, value...) and body.
func reply(status int, body string, kv ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Add(kv[i], kv[i+1])
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// okBody answers 200 with body and the header lines in kv.
func okBody(body string, kv ...string) http.HandlerFunc { return reply(http.StatusOK, body, kv...) }

// sequence answers the n-th request with hs[n], and the last handler
// after that.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// sleeper records the waits a walk asks for instead of waiting.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

func (s *sleeper) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// collect walks and returns the items before the first error, and that
// error.
func collect[T any](ctx context.Context, url string, cfg client.Config) ([]T, error) {
	var out []T
	for it, err := range client.Items[T](ctx, url, cfg) {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// bodyCounter is a RoundTripper over http.DefaultTransport that counts
// the response bodies it hands out and those closed.
type bodyCounter struct {
	mu             sync.Mutex
	opened, closed int
}

func (c *bodyCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.opened++
	c.mu.Unlock()
	res.Body = &countedBody{ReadCloser: res.Body, c: c}
	return res, nil
}

func (c *bodyCounter) check(tb testing.TB) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opened == 0 || c.opened != c.closed {
		tb.Errorf("%d response bodies, %d closed", c.opened, c.closed)
	}
}

type countedBody struct {
	io.ReadCloser
	c    *bodyCounter
	once sync.Once
}

func (b *countedBody) Close() error {
	b.once.Do(func() {
		b.c.mu.Lock()
		b.c.closed++
		b.c.mu.Unlock()
	})
	return b.ReadCloser.Close()
}

// numbers is a JSON array of the integers from, from+1, ... to.
func numbers(from, to int) string {
	s := "["
	for i := from; i <= to; i++ {
		if i > from {
			s += ","
		}
		s += fmt.Sprint(i)
	}
	return s + "]"
}
