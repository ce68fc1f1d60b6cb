package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// procStats is what the process holds.
type procStats struct {
	goroutines, threads, fds int
	heap                     uint64 // bytes of heap in use
	rss                      uint64 // bytes resident
}

func (p procStats) String() string {
	return fmt.Sprintf("%d goroutines, %d threads, %d fds, %d MiB heap, %d MiB resident", p.goroutines, p.threads, p.fds, p.heap>>20, p.rss>>20)
}

// readProc reads the process's threads, memory and file descriptors from
// /proc/self, and its goroutines and heap from the runtime.
func readProc(tb testing.TB) procStats {
	tb.Helper()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p := procStats{goroutines: runtime.NumGoroutine(), heap: m.HeapInuse}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "Threads":
			p.threads = int(n)
		case "VmRSS":
			p.rss = n << 10
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Fatal(err)
	}
	p.fds = len(fds)
	return p
}

// peak samples the process every few milliseconds until stop is called,
// which returns the largest of each measure.
func peak(tb testing.TB) (stop func() procStats) {
	var (
		mu   sync.Mutex
		max_ procStats
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			p := readProc(tb)
			mu.Lock()
			max_.goroutines = max(max_.goroutines, p.goroutines)
			max_.threads = max(max_.threads, p.threads)
			max_.fds = max(max_.fds, p.fds)
			max_.heap = max(max_.heap, p.heap)
			max_.rss = max(max_.rss, p.rss)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() procStats {
		close(done)
		wg.Wait()
		return max_
	}
}

func linuxOnly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self")
	}
}

const (
	loadClients  = 200
	loadRequests = 10 // per client
	loadRows     = 20_000
)

// TestLoad serves the example, as it runs by default (shape policy,
// budget, offset limit, sized pool and limiter), on 127.0.0.1 to 200
// concurrent clients, each making 10 requests: valid offset pages and
// feed walks, bad input, and expensive requests (orders and filters no
// index serves, pages past the offset limit, huge page sizes). Every
// answer is a page, a 400 problem, or a 503 problem with Retry-After from
// the budget or the limiter: never another 5xx, never a transport error.
// The process's goroutines, threads, file descriptors and heap are
// measured before, during and after: threads stay near the pool's size
// (cgo calls hold one each), descriptors near two per connection, and
// after the server stops everything is back near where it was.
func TestLoad(t *testing.T) {
	linuxOnly(t)
	ignore := goleak.IgnoreCurrent()
	runtime.GC()
	before := readProc(t)
	s := start(t, "-rows", strconv.Itoa(loadRows), "-slow", "0")
	ready := readProc(t)

	// At most one connection per client: each has both its ends here.
	tr := &http.Transport{MaxIdleConnsPerHost: loadClients, MaxConnsPerHost: loadClients}
	lc := &loadClient{base: s.base, c: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	stop := peak(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, loadClients)
	for c := range loadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 13))
			for range loadRequests {
				if ctx.Err() != nil {
					return
				}
				if err := lc.one(rng); err != nil {
					errs <- fmt.Errorf("client %d: %w", c, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	during := stop()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("statuses: %s", lc.statuses())
	if lc.count(200) == 0 || lc.count(400) == 0 {
		t.Errorf("the load got no pages or no refusals: %s", lc.statuses())
	}

	tr.CloseIdleConnections()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	after := readProc(t)
	t.Logf("before: %v", before)
	t.Logf("ready:  %v", ready)
	t.Logf("peak:   %v", during)
	t.Logf("after:  %v", after)

	// A few goroutines per connection (the client's, its transport's
	// reader and writer, the server's), none per waiting request beyond.
	if during.goroutines > ready.goroutines+6*loadClients {
		t.Errorf("goroutines grew from %d to %d under load", ready.goroutines, during.goroutines)
	}
	// Four database connections run cgo calls at once; the runtime may
	// add a thread for each and a few of its own.
	if during.threads > ready.threads+4+runtime.GOMAXPROCS(0)+8 {
		t.Errorf("threads grew from %d to %d under load", ready.threads, during.threads)
	}
	// Two per client connection (both ends are in this process), a few
	// per database connection, some slack.
	if during.fds > ready.fds+2*loadClients+4*4+20 {
		t.Errorf("file descriptors grew from %d to %d under load", ready.fds, during.fds)
	}
	if during.heap > ready.heap+256<<20 {
		t.Errorf("heap in use grew from %d MiB to %d MiB under load", ready.heap>>20, during.heap>>20)
	}
	if after.fds > before.fds+4 {
		t.Errorf("%d file descriptors after the server stopped, %d before it started", after.fds, before.fds)
	}
	if after.heap > before.heap+32<<20 {
		t.Errorf("heap in use %d MiB after the server stopped, %d MiB before", after.heap>>20, before.heap>>20)
	}
	goleak.VerifyNone(t, ignore)
}

// loadClient makes the load's requests and counts their statuses.
type loadClient struct {
	base string
	c    *http.Client
	mu   sync.Mutex
	seen map[int]int
}

func (lc *loadClient) count(status int) int {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.seen[status]
}

func (lc *loadClient) statuses() string {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return fmt.Sprint(lc.seen)
}

// servedSorts are orders an index serves on SQLite; expensive are
// requests that cost too much to serve.
var (
	servedSorts = []string{"-created_at", "created_at", "price", "-price", "name", "-id", "category,created_at"}
	expensive   = []string{
		"/api/items?page=99999&sort=category,-price,name",
		"/api/items/feed?sort=price&created_at%5Blt%5D=2023-12-01",
		"/api/items?page=200&per_page=100",
		"/api/items?sort=name&category=books",
		"/api/items/feed?category%5Bne%5D=books",
		"/api/items?per_page=1000000&page=50",
	}
	badInput = []string{
		"/api/items?page=0", "/api/items?per_page=abc", "/api/items?sort=password",
		"/api/items?sort=name;DROP%20TABLE%20items", "/api/items?fields=secret", "/api/items?category=%00",
		"/api/items?price%5Bgte%5D=x", "/api/items?nope=1", "/api/items?page=1&page=2",
		"/api/items/feed?after=not-a-cursor", "/api/items?category=" + strings.Repeat("x", 9000),
	}
)

// one makes one request of the mix and checks its answer.
func (lc *loadClient) one(rng *rand.Rand) error {
	var path string
	want := []int{200}
	switch n := rng.IntN(10); {
	case n < 4:
		perPage := 5 + rng.IntN(96)
		path = fmt.Sprintf("/api/items?per_page=%d&page=%d&sort=%s", perPage, 1+rng.IntN(10_000/perPage+1), servedSorts[rng.IntN(len(servedSorts))])
	case n < 6:
		return lc.walk(rng)
	case n < 8:
		path, want = badInput[rng.IntN(len(badInput))], []int{400}
	default:
		path, want = expensive[rng.IntN(len(expensive))], []int{400, 200}
	}
	_, err := lc.get(path, want...)
	return err
}

// walk follows the feed for up to three pages.
func (lc *loadClient) walk(rng *rand.Rand) error {
	q := "/api/items/feed?per_page=" + strconv.Itoa(10+rng.IntN(91)) + "&sort=" + servedSorts[rng.IntN(len(servedSorts))]
	path := q
	for range 1 + rng.IntN(3) {
		env, err := lc.get(path, 200)
		if err != nil || env == nil || env.NextCursor == nil {
			return err
		}
		path = q + "&after=" + *env.NextCursor
	}
	return nil
}

// get asks for path and checks the answer: one of the statuses in want,
// or a 503 problem with Retry-After. It returns the page of a 200.
func (lc *loadClient) get(path string, want ...int) (*envelope, error) {
	res, err := lc.c.Get(lc.base + path)
	if err != nil {
		return nil, fmt.Errorf("GET %.100s: %w", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %.100s: reading the body: %w", path, err)
	}
	lc.mu.Lock()
	if lc.seen == nil {
		lc.seen = map[int]int{}
	}
	lc.seen[res.StatusCode]++
	lc.mu.Unlock()
	switch {
	case res.StatusCode == http.StatusServiceUnavailable:
		if res.Header.Get("Retry-After") == "" || res.Header.Get("Content-Type") != "application/problem+json" {
			return nil, fmt.Errorf("GET %.100s: 503 without Retry-After or a problem: %v %s", path, res.Header, body)
		}
		return nil, nil
	case !containsInt(want, res.StatusCode):
		return nil, fmt.Errorf("GET %.100s: %d, want %v: %.300s", path, res.StatusCode, want, body)
	case res.StatusCode == http.StatusOK:
		var env envelope
		if err := json.Unmarshal(body, &env); err != nil {
			return nil, fmt.Errorf("GET %.100s: %v: %.300s", path, err, body)
		}
		return &env, nil
	}
	return nil, nil
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestIdleTimeout opens keep-alive connections, makes one request on each
// and leaves them idle: the server closes them once -idle-timeout has
// passed, and the process holds no more descriptors than before.
func TestIdleTimeout(t *testing.T) {
	linuxOnly(t)
	s := start(t, "-rows", "100", "-idle-timeout", "300ms")
	base := readProc(t)
	addr := strings.TrimPrefix(s.base, "http://")
	const n = 50
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /api/items?per_page=1 HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		readers[i] = bufio.NewReader(c)
		res, err := http.ReadResponse(readers[i], nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Close {
			t.Fatalf("request %d: %d, close %v", i, res.StatusCode, res.Close)
		}
		conns[i] = c
	}
	open := readProc(t)
	if open.fds < base.fds+2*n {
		t.Fatalf("%d descriptors with %d connections open, %d before: are they open?", open.fds, n, base.fds)
	}
	time.Sleep(time.Second)
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := readers[i].ReadByte(); !errors.Is(err, io.EOF) {
			t.Errorf("idle connection %d: %v, want EOF (closed by the server)", i, err)
		}
		c.Close()
	}
	if after := readProc(t); after.fds > base.fds+2 {
		t.Errorf("%d descriptors after the idle connections closed, %d before they opened", after.fds, base.fds)
	}
}

// TestShutdownUnderLoad stops the server (as SIGINT or SIGTERM does)
// while clients keep asking, with one request served at a time so that
// many wait in the limiter when the shutdown begins. Every request gets
// either a complete answer or a connection error before any byte of one,
// never a truncated body; the requests the server has read when the
// shutdown begins are answered in full (many answers arrive after it
// began); a request still being read then (its headers half sent) gets
// no byte, as net/http's Shutdown closes its connection; and run returns
// without error.
func TestShutdownUnderLoad(t *testing.T) {
	s := start(t, "-rows", "2000", "-slow", "0", "-max-concurrent", "1", "-max-queue", "200", "-max-wait", "0", "-budget", "0")
	addr := strings.TrimPrefix(s.base, "http://")

	// A request still being read: its request line and a header.
	half, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	fmt.Fprintf(half, "GET /api/items?per_page=3 HTTP/1.1\r\nHost: %s\r\n", addr)

	tr := &http.Transport{MaxIdleConnsPerHost: 100}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		complete, refused atomic.Int64
		stopping          atomic.Bool
		afterStop         atomic.Int64
		wg                sync.WaitGroup
		errs              = make(chan error, 100)
	)
	for c := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				path := fmt.Sprintf("/api/items?per_page=%d&page=%d", 5+c%50, 1+i%20)
				res, err := client.Get(s.base + path)
				if err != nil {
					// No byte of an answer arrived: the connection was
					// refused or closed before a response.
					refused.Add(1)
					if stopping.Load() {
						return
					}
					continue
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil {
					errs <- fmt.Errorf("GET %s: truncated body after %d bytes: %w", path, len(body), err)
					return
				}
				if cl := res.ContentLength; cl >= 0 && int64(len(body)) != cl {
					errs <- fmt.Errorf("GET %s: %d bytes of %d", path, len(body), cl)
					return
				}
				if res.StatusCode != 200 || !json.Valid(body) {
					errs <- fmt.Errorf("GET %s: %d %.200s", path, res.StatusCode, body)
					return
				}
				complete.Add(1)
				if stopping.Load() {
					afterStop.Add(1)
				}
			}
		}()
	}
	for complete.Load() < 300 {
		time.Sleep(time.Millisecond)
	}
	stopping.Store(true)
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	if err := <-stopped; err != nil {
		t.Errorf("run: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if afterStop.Load() == 0 {
		t.Error("no answer arrived after the shutdown began: were requests in flight?")
	}
	// The half-sent request ends after the shutdown: no byte comes back.
	fmt.Fprintf(half, "\r\n")
	half.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := io.ReadAll(half); len(b) != 0 || err != nil {
		t.Errorf("a request half read at shutdown got %q, %v; want nothing and a closed connection", b, err)
	}
	t.Logf("%d complete answers (%d after the shutdown began), %d connection errors before any byte", complete.Load(), afterStop.Load(), refused.Load())
}
