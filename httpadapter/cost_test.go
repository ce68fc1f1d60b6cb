package httpadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

// metrics parses a Server-Timing header into its metrics' names and
// durations, failing on anything else.
func metrics(tb testing.TB, header string) map[string]float64 {
	tb.Helper()
	out := map[string]float64{}
	re := regexp.MustCompile(`^([a-z]+);dur=([0-9]+\.[0-9]{2})$`)
	for _, m := range strings.Split(header, ", ") {
		parts := re.FindStringSubmatch(m)
		if parts == nil {
			tb.Fatalf("Server-Timing %q: metric %q is malformed", header, m)
		}
		d, _ := strconv.ParseFloat(parts[2], 64)
		out[parts[1]] = d
	}
	return out
}

func TestServerTiming(t *testing.T) {
	s := newSchema(t)
	list, err := paginate.NewAllowList(s, "sort=-created_at", "sort=price")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		h       http.Handler
		target  string
		status  int
		metrics []string
	}{
		{"offset page", offsetHandler(t, paginate.OffsetConfig{Shapes: list}, httpadapter.Config{Cost: httpadapter.CostConfig{ServerTiming: true}}),
			"/?sort=price", 200, []string{"count", "fetch", "shape", "total"}},
		{"offset, uncounted", offsetHandler(t, paginate.OffsetConfig{Count: paginate.NoCount{}}, httpadapter.Config{Cost: httpadapter.CostConfig{ServerTiming: true}}),
			"/", 200, []string{"fetch", "total"}},
		{"cursor page", cursorHandler(t, items, httpadapter.Config{Cost: httpadapter.CostConfig{ServerTiming: true}}),
			"/?per_page=2", 200, []string{"fetch", "total"}},
		{"refused shape", offsetHandler(t, paginate.OffsetConfig{Shapes: list}, httpadapter.Config{Cost: httpadapter.CostConfig{ServerTiming: true}}),
			"/?sort=name", 400, []string{"shape", "total"}},
		{"off", offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{}), "/", 200, nil},
		{"budget alone", offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Cost: httpadapter.CostConfig{Budget: time.Minute}}), "/", 200, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, tc.h, tc.target)
			readBody(t, res)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			header := res.Header.Get("Server-Timing")
			if tc.metrics == nil {
				if header != "" {
					t.Errorf("Server-Timing %q, want none", header)
				}
				return
			}
			m := metrics(t, header)
			var names []string
			for n := range m {
				names = append(names, n)
			}
			if diff := cmp.Diff(tc.metrics, names, cmpSorted); diff != "" {
				t.Errorf("metrics of %q (-want +got):\n%s", header, diff)
			}
			for n, d := range m {
				if n != "total" && d > m["total"] {
					t.Errorf("%s took %v ms, more than the total %v ms", n, d, m["total"])
				}
			}
		})
	}
}

var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// blocking is a paginator whose pages take until their context ends.
type blocking struct{ started chan struct{} }

func (b blocking) Paginate(ctx context.Context, _ paginate.Request) (paginate.Page[Item], error) {
	if b.started != nil {
		b.started <- struct{}{}
	}
	<-ctx.Done()
	return paginate.Page[Item]{}, ctx.Err()
}

func TestBudget(t *testing.T) {
	s := newSchema(t)
	var logs bytes.Buffer
	cfg := httpadapter.Config{
		Parser: httpadapter.ParserConfig{Mode: httpadapter.OffsetMode},
		Writer: httpadapter.WriterConfig{Logger: slog.New(slog.NewTextHandler(&logs, nil)), RetryAfter: 2500 * time.Millisecond},
		Cost:   httpadapter.CostConfig{Budget: 50 * time.Millisecond, ServerTiming: true},
	}
	h, err := httpadapter.Handler[Item](blocking{}, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := get(t, h, "/?sort=price")
	p := problem(t, res, http.StatusServiceUnavailable)
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("answered after %v, before the budget of 50ms", took)
	}
	if got := res.Header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After %q, want 3 (2.5s rounded up)", got)
	}
	if m := metrics(t, res.Header.Get("Server-Timing")); m["total"] < 50 {
		t.Errorf("Server-Timing total %v ms, under the budget", m["total"])
	}
	if strings.Contains(p.Detail, "deadline") || !strings.Contains(logs.String(), "timed out") {
		t.Errorf("detail %q; log %q", p.Detail, logs.String())
	}

	// A client that goes away gets nothing, whatever the budget.
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	h, _ = httpadapter.Handler[Item](blocking{started: started}, s, cfg)
	rec := &recorder{header: http.Header{}}
	go func() { <-started; cancel() }()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
	if rec.wrote {
		t.Errorf("wrote %d %q to a client that went away", rec.status, rec.body.String())
	}

	// Without a budget a 503 carries Retry-After too: 1 second by default.
	hd, _ := httpadapter.Handler[Item](blocking{}, s, httpadapter.Config{Parser: httpadapter.ParserConfig{Mode: httpadapter.OffsetMode}, Writer: httpadapter.WriterConfig{Logger: discardLogger()}})
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	res2 := httptest.NewRecorder()
	hd.ServeHTTP(res2, httptest.NewRequestWithContext(dctx, http.MethodGet, "/", nil))
	if res2.Code != http.StatusServiceUnavailable || res2.Header().Get("Retry-After") != "1" {
		t.Errorf("deadline without a budget: %d, Retry-After %q", res2.Code, res2.Header().Get("Retry-After"))
	}

	for _, bad := range []httpadapter.CostConfig{{Budget: -1}, {SlowPage: -1}} {
		if _, err := httpadapter.Handler[Item](blocking{}, s, httpadapter.Config{Parser: httpadapter.ParserConfig{Mode: httpadapter.OffsetMode}, Cost: bad}); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// recorder records whether anything was written.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	r.status, r.wrote = status, true
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

func TestSlowPageLog(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	cfg := httpadapter.Config{Writer: httpadapter.WriterConfig{Logger: logger}, Cost: httpadapter.CostConfig{SlowPage: time.Nanosecond}}
	h := offsetHandler(t, paginate.OffsetConfig{}, cfg)
	res := get(t, h, "/?sort=-price,name&category[in]=home,toys&price%5Bgte%5D=1234&price[lt]=98765")
	readBody(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"httpadapter: slow page"`, `"sort":"-price,name"`, `"filters":"category[in],price[gte],price[lt]"`, `"path":"/"`, `"fetch_ms":`, `"count_ms":`, `"total_ms":`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	for _, value := range []string{"home", "toys", "1234", "98765"} {
		if strings.Contains(out, value) {
			t.Errorf("log holds the value %q:\n%s", value, out)
		}
	}

	// Under the threshold, nothing.
	logs.Reset()
	cfg.Cost.SlowPage = time.Hour
	h = offsetHandler(t, paginate.OffsetConfig{}, cfg)
	readBody(t, get(t, h, "/"))
	if logs.Len() != 0 {
		t.Errorf("a fast page was logged: %s", logs.String())
	}
}

func TestLimit(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		w.Write([]byte("ok"))
	})
	limit, err := httpadapter.Limit(httpadapter.LimitConfig{Concurrent: 1, Queue: 1, RetryAfter: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := limit(slow)
	results := make(chan *httptest.ResponseRecorder, 6)
	serve := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		results <- rec
	}
	// One request is served; of five more, one waits and four are turned
	// away at once.
	go serve()
	<-entered
	for range 5 {
		go serve()
	}
	for range 4 {
		rec := <-results
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "2" ||
			rec.Header().Get("Content-Type") != httpadapter.ProblemContentType || !strings.Contains(rec.Body.String(), "busy") {
			t.Fatalf("over the queue: %d %v %q", rec.Code, rec.Header(), rec.Body.String())
		}
	}
	close(release)
	for range 2 {
		if rec := <-results; rec.Code != 200 || rec.Body.String() != "ok" {
			t.Errorf("a served or queued request: %d %q", rec.Code, rec.Body.String())
		}
	}
	var rec *httptest.ResponseRecorder

	// MaxWait turns a waiting request away.
	hold, holding := make(chan struct{}), make(chan struct{})
	limit, _ = httpadapter.Limit(httpadapter.LimitConfig{Concurrent: 1, Queue: 5, MaxWait: 30 * time.Millisecond})
	h = limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(holding)
		<-hold
	}))
	go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	<-holding
	rec = httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Errorf("turned away after %v, before MaxWait", took)
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("after MaxWait: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	// A waiting client that goes away gets nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := &recorder{header: http.Header{}}
	h.ServeHTTP(gone, httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
	if gone.wrote {
		t.Errorf("wrote %d to a client that went away", gone.status)
	}
	close(hold)

	for _, bad := range []httpadapter.LimitConfig{{}, {Concurrent: 1, Queue: -1}, {Concurrent: 1, MaxWait: -1}} {
		if _, err := httpadapter.Limit(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// BenchmarkHandlerCost measures what the cost config adds to a page
// served through the handler: nothing set, a budget, Server-Timing, both.
func BenchmarkHandlerCost(b *testing.B) {
	for _, bc := range []struct {
		name string
		cost httpadapter.CostConfig
	}{
		{"off", httpadapter.CostConfig{}},
		{"budget", httpadapter.CostConfig{Budget: time.Second}},
		{"timing", httpadapter.CostConfig{ServerTiming: true}},
		{"all", httpadapter.CostConfig{Budget: time.Second, ServerTiming: true, SlowPage: time.Hour}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := offsetHandler(b, paginate.OffsetConfig{}, httpadapter.Config{Cost: bc.cost})
			req := httptest.NewRequest(http.MethodGet, "/?per_page=3&sort=price", nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

// ExampleLimit serves one request at a time and lets none wait: a second
// request while the first is served gets a 503 with Retry-After at once.
func ExampleLimit() {
	limit, err := httpadapter.Limit(httpadapter.LimitConfig{Concurrent: 1})
	if err != nil {
		panic(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	h := limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(inside)
		<-release
	}))
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		close(done)
	}()
	<-inside
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Retry-After"))
	close(release)
	<-done
	// Output:
	// 503 1
}

// ExampleCostConfig gives each page a time budget and reports where its
// time went in a Server-Timing header.
func ExampleCostConfig() {
	schema, err := paginate.NewSchema([]paginate.Field{{Name: "id", Type: paginate.Int, Key: true}}, "")
	if err != nil {
		panic(err)
	}
	backend, err := paginate.NewMemory([]struct {
		ID int64 `json:"id"`
	}{{1}, {2}, {3}}, schema, paginate.MemoryConfig[struct {
		ID int64 `json:"id"`
	}]{})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{})
	if err != nil {
		panic(err)
	}
	h, err := httpadapter.Handler(p, schema, httpadapter.Config{Cost: httpadapter.CostConfig{Budget: time.Second, ServerTiming: true}})
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?per_page=2", nil))
	var names []string
	for _, m := range strings.Split(rec.Header().Get("Server-Timing"), ", ") {
		name, _, _ := strings.Cut(m, ";")
		names = append(names, name)
	}
	fmt.Println(rec.Code, names)
	// Output:
	// 200 [count fetch total]
}
