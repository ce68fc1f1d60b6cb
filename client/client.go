// Package client walks paginated JSON APIs: [Items] returns an iterator
// over every item of every page, following each page's next link, so a
// program that consumes GitHub's API, this module's, or any other that
// names its next page does not write the follow-the-next-link loop by
// hand.
//
//	for repo, err := range client.Items[Repo](ctx, "https://api.github.com/orgs/golang/repos?per_page=100", client.Config{
//		Header: http.Header{"Authorization": {"Bearer " + token}},
//	}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(repo.Name)
//	}
//
// It only ever sends GET requests, through the caller's [http.Client].
//
// # Finding the next page
//
// A [Config] names one of three places:
//
//   - By default, the Link header's rel="next" link (RFC 8288), as GitHub
//     and this module's httpadapter send it. Several links in one header
//     and across header lines, quoted and unquoted parameters, several
//     relation types in one rel ("next last"), rel in any case, and commas
//     inside quoted strings or inside <URI> are all understood. A relative
//     link is resolved against the URL of the response (after redirects,
//     the URL that answered). A link whose anchor parameter names another
//     resource is not about this page and is ignored. A malformed header,
//     or two rel="next" links to different pages, is a [*LinkError], not a
//     walk that silently ends early or skips pages.
//   - [Config.Next]: the path to the next page's URL in the body, such as
//     "links.next" (JSON:API) or "next".
//   - [Config.Cursor]: the path to the next page's cursor, such as
//     "next_cursor", sent as [Config.CursorParam] in the query of the
//     first URL. A number works too ("next_page" into "page").
//
// The walk ends at the page without a next page: no rel="next" link, or a
// next URL or cursor that is null, "" or absent; and, with
// [Config.StopOnEmpty], at the first page without items. When a page's
// next page is wrong (a malformed Link header, a loop, another host), the
// page's items are yielded before the error.
//
// # Paths
//
// [Config.Items], [Config.Next] and [Config.Cursor] are paths into the
// JSON body: object keys separated by dots, such as "data" or
// "meta.pagination.next". Keys containing a dot cannot be named, and
// there are no array indexes. An empty Items path means the body itself
// is the array of items, as GitHub answers. A null anywhere along a path
// makes the value null (an empty page for Items, the last page for Next
// and Cursor). The items path must exist in every body; a next or cursor
// path may lack its last key (the last page), but not a key before it:
// "links.next" in a body without "links" is a [*PathError], most likely a
// wrong path rather than the last page.
//
// # Failures and retries
//
// A response whose status is not 2xx is a [*StatusError] with the status
// code, the header and the start of the body. Statuses 429 Too Many
// Requests and 503 Service Unavailable are retried, up to
// [Config.MaxAttempts] attempts per page, after the wait their
// Retry-After header asks for (delta-seconds, or an HTTP date measured
// against the response's Date header), or after 1s, 2s, 4s… without one.
// A Retry-After longer than [Config.MaxRetryWait] ends the walk at once
// with the StatusError (its RetryAfter field says how long the server
// asked for): retrying sooner is what the server asked clients not to do.
// Other statuses are not retried, 403 included: GitHub answers its
// secondary rate limit with 403 and Retry-After, but 403 also means
// "forbidden", and its rate-limit waits are a minute or more; a caller
// that wants to wait reads StatusError.RetryAfter and its Header. Errors
// of the transport (connection refused, reset) are not retried either.
//
// Waiting is done by [Config.Sleep], which tests replace, and ends when the
// context does.
//
// # Safety
//
//   - Every response body is read to at most [Config.MaxBodyBytes] and
//     closed; a longer one is [ErrBodyTooLarge].
//   - A next page whose URL the walk has already fetched (or was
//     redirected to) is [ErrLoop], so a server that points back does not
//     make an endless walk.
//   - [Config.MaxPages] bounds the pages; more is [ErrTooManyPages].
//   - A next page on another host than the first URL's, or over http
//     when the first URL is https, is [ErrOtherHost]: [Config.Header]
//     usually carries credentials, and they go with every request.
//   - The context is checked before every page and every item, and every
//     request carries it: cancelling it stops the walk with ctx.Err().
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config says where a walk finds items and next pages, and bounds it. The
// zero Config walks a body that is the array of items, following the Link
// header, through http.DefaultClient.
type Config struct {
	// Client sends the requests; its Transport, Timeout, CheckRedirect and
	// Jar apply. If nil, http.DefaultClient.
	Client *http.Client
	// Header is sent with every request, such as Authorization. If it has
	// no Accept, requests send "Accept: application/json".
	Header http.Header

	// Items is the path to the array of items in each body (see the
	// package doc's Paths). If empty, the body is the array.
	Items string
	// Next is the path to the next page's URL in the body, such as
	// "links.next"; a relative URL is resolved against the response's.
	// If empty and Cursor is empty, the next page is the Link header's
	// rel="next" link. Setting both Next and Cursor is an error.
	Next string
	// Cursor is the path to the next page's cursor in the body, such as
	// "next_cursor"; the cursor (a string or a number) replaces
	// CursorParam in the first URL's query. If empty, see Next.
	Cursor string
	// CursorParam is the query parameter the cursor goes in, such as
	// "after" or "page". It is required with Cursor and an error without
	// it.
	CursorParam string
	// StopOnEmpty ends the walk at the first page without items, for
	// APIs that always name a next page. If false, an empty page with a
	// next page is followed.
	StopOnEmpty bool

	// MaxPages bounds the pages fetched; a walk with a next page after
	// MaxPages pages ends with ErrTooManyPages. If zero, no bound. To
	// stop after some number of items, break out of the loop.
	MaxPages int
	// MaxBodyBytes bounds each response body. If zero, 16 MiB.
	MaxBodyBytes int64
	// MaxAttempts bounds the requests sent for one page when it is
	// answered 429 or 503. If zero, 4.
	MaxAttempts int
	// MaxRetryWait bounds one wait before a retry; a longer Retry-After
	// ends the walk. If zero, one minute.
	MaxRetryWait time.Duration
	// Sleep waits d before a retry, returning early with ctx.Err() when
	// ctx ends. If nil, a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the current time, used for a Retry-After date when the
	// response has no Date header. If nil, time.Now.
	Now func() time.Time
}

// Defaults of the Config fields whose zero value means one.
const (
	defaultMaxBodyBytes = 16 << 20
	defaultMaxAttempts  = 4
	defaultMaxRetryWait = time.Minute
)

// Items returns an iterator over every item of the paginated JSON API at
// rawURL, an absolute http or https URL, decoded into T with
// encoding/json: the items of the first page, then of each next page, as
// cfg says where to find them. It yields the first error and stops;
// breaking out of the loop stops it too. Every range over the iterator
// walks again from rawURL.
func Items[T any](ctx context.Context, rawURL string, cfg Config) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		w, err := newWalker(rawURL, cfg)
		if err != nil {
			yield(zero, err)
			return
		}
		for u := w.first; u != nil; {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			if w.cfg.MaxPages > 0 && w.pages == w.cfg.MaxPages {
				yield(zero, fmt.Errorf("%w (%d): next is %s", ErrTooManyPages, w.cfg.MaxPages, u.Redacted()))
				return
			}
			pg, err := w.page(ctx, u)
			if err != nil {
				yield(zero, err)
				return
			}
			// A page whose next page is wrong (malformed, a loop, on
			// another host) still has good items: yield them first.
			var items []T
			if err := json.Unmarshal(pg.items, &items); err != nil {
				yield(zero, fmt.Errorf("client: GET %s: decode items: %w", u.Redacted(), err))
				return
			}
			for _, it := range items {
				if err := ctx.Err(); err != nil {
					yield(zero, err)
					return
				}
				if !yield(it, nil) {
					return
				}
			}
			if len(items) == 0 && cfg.StopOnEmpty {
				return // the next page does not matter, even a wrong one
			}
			if pg.nextErr != nil {
				yield(zero, pg.nextErr)
				return
			}
			u = pg.next
		}
	}
}

// walker is the state of one walk.
type walker struct {
	cfg    Config // defaults filled in
	client *http.Client
	first  *url.URL
	items  path // keys nil when the body is the array
	next   path // keys nil when not configured
	cursor path // keys nil when not configured
	seen   map[string]bool
	pages  int
}

// page is one fetched page.
type page struct {
	items   json.RawMessage // the JSON array of items, or null
	next    *url.URL        // nil on the last page
	nextErr error           // why the next page cannot be found or fetched
}

// newWalker validates cfg and rawURL and fills in cfg's defaults.
func newWalker(rawURL string, cfg Config) (*walker, error) {
	w := &walker{cfg: cfg, client: cfg.Client, seen: map[string]bool{}}
	if w.client == nil {
		w.client = http.DefaultClient
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: %q is not an absolute http or https URL", u.Redacted())
	}
	u.Fragment, u.RawFragment = "", ""
	w.first = u
	if err := w.paths(); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		neg  bool
	}{
		{"MaxPages", cfg.MaxPages < 0},
		{"MaxBodyBytes", cfg.MaxBodyBytes < 0},
		{"MaxAttempts", cfg.MaxAttempts < 0},
		{"MaxRetryWait", cfg.MaxRetryWait < 0},
	} {
		if f.neg {
			return nil, fmt.Errorf("client: Config.%s is negative", f.name)
		}
	}
	if w.cfg.MaxBodyBytes == 0 {
		w.cfg.MaxBodyBytes = defaultMaxBodyBytes
	}
	if w.cfg.MaxAttempts == 0 {
		w.cfg.MaxAttempts = defaultMaxAttempts
	}
	if w.cfg.MaxRetryWait == 0 {
		w.cfg.MaxRetryWait = defaultMaxRetryWait
	}
	if w.cfg.Sleep == nil {
		w.cfg.Sleep = sleep
	}
	if w.cfg.Now == nil {
		w.cfg.Now = time.Now
	}
	return w, nil
}

// paths parses and checks the Items, Next and Cursor paths.
func (w *walker) paths() error {
	c := &w.cfg
	switch {
	case c.Next != "" && c.Cursor != "":
		return errors.New("client: Config.Next and Config.Cursor are both set; the next page is found in one place")
	case c.Cursor != "" && c.CursorParam == "":
		return errors.New("client: Config.Cursor is set without Config.CursorParam, the query parameter it goes in")
	case c.Cursor == "" && c.CursorParam != "":
		return errors.New("client: Config.CursorParam is set without Config.Cursor, the path to the cursor")
	case c.Items == "" && (c.Next != "" || c.Cursor != ""):
		return errors.New("client: Config.Next or Config.Cursor is set, so the body is an object, but Config.Items (the path to its items) is empty")
	}
	var err error
	for _, p := range []struct {
		dst         *path
		field, path string
	}{{&w.items, "Items", c.Items}, {&w.next, "Next", c.Next}, {&w.cursor, "Cursor", c.Cursor}} {
		if p.path == "" {
			continue
		}
		if *p.dst, err = parsePath(p.field, p.path); err != nil {
			return err
		}
	}
	return nil
}

// page fetches the page at u and finds its items and next page.
func (w *walker) page(ctx context.Context, u *url.URL) (page, error) {
	res, body, err := w.get(ctx, u)
	if err != nil {
		return page{}, err
	}
	w.pages++
	final := u
	if res.Request != nil && res.Request.URL != nil {
		final = res.Request.URL
	}
	w.seen[urlKey(u)] = true
	w.seen[urlKey(final)] = true
	pg, err := w.parse(body, res.Header, final)
	if err != nil {
		return page{}, fmt.Errorf("client: GET %s: %w", u.Redacted(), err)
	}
	if pg.nextErr != nil {
		pg.nextErr = fmt.Errorf("client: GET %s: %w", u.Redacted(), pg.nextErr)
	} else if pg.next != nil {
		pg.nextErr = w.check(pg.next, u)
	}
	return pg, nil
}

// parse finds the items and the next page in a response: body, its
// header, and the URL that answered. An error finding the next page is
// pg.nextErr, an error finding the items the error returned.
func (w *walker) parse(body []byte, h http.Header, base *url.URL) (page, error) {
	var pg page
	var doc json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return pg, fmt.Errorf("body is not JSON: %w", err)
	}
	if w.items.keys == nil {
		if k := kind(doc); k != "array" && k != "null" {
			return pg, &PathError{Field: "Items", Reason: fmt.Sprintf("the body is a JSON %s, not an array of items", k)}
		}
		pg.items = doc
		pg.next, pg.nextErr = nextLink(h.Values("Link"), base)
		return pg, nil
	}
	if k := kind(doc); k != "object" {
		return pg, w.items.errorf("the body is a JSON %s, not an object", k)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return pg, err
	}
	items, ok, err := w.items.lookup(top)
	switch {
	case err != nil:
		return pg, err
	case !ok:
		return pg, w.items.errorf("no key %q", w.items.raw)
	case kind(items) != "array" && kind(items) != "null":
		return pg, w.items.errorf("the value is a JSON %s, not an array", kind(items))
	}
	pg.items = items
	switch {
	case w.next.keys != nil:
		pg.next, pg.nextErr = w.bodyNext(top, base)
	case w.cursor.keys != nil:
		pg.next, pg.nextErr = w.cursorNext(top)
	default:
		pg.next, pg.nextErr = nextLink(h.Values("Link"), base)
	}
	return pg, nil
}

// bodyNext returns the URL at the Next path, resolved against base, or
// nil when it is null, "" or absent.
func (w *walker) bodyNext(top map[string]json.RawMessage, base *url.URL) (*url.URL, error) {
	v, ok, err := w.next.lookup(top)
	if err != nil || !ok || kind(v) == "null" {
		return nil, err
	}
	var s string
	if kind(v) != "string" {
		return nil, w.next.errorf("the value is a JSON %s, not a URL string", kind(v))
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, err
	}
	if s == "" {
		return nil, nil
	}
	u, err := base.Parse(s)
	if err != nil {
		return nil, w.next.errorf("%q is not a URL: %v", s, err)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// cursorNext returns the first URL with the cursor at the Cursor path in
// CursorParam, or nil when the cursor is null, "" or absent.
func (w *walker) cursorNext(top map[string]json.RawMessage) (*url.URL, error) {
	v, ok, err := w.cursor.lookup(top)
	if err != nil || !ok {
		return nil, err
	}
	var cursor string
	switch kind(v) {
	case "null":
		return nil, nil
	case "string":
		if err := json.Unmarshal(v, &cursor); err != nil {
			return nil, err
		}
	case "number":
		cursor = strings.TrimSpace(string(v)) // as written: 12345678901234567890 stays exact
	default:
		return nil, w.cursor.errorf("the value is a JSON %s, not a string or a number", kind(v))
	}
	if cursor == "" {
		return nil, nil
	}
	u := *w.first
	q := u.Query()
	q.Set(w.cfg.CursorParam, cursor)
	u.RawQuery = q.Encode()
	return &u, nil
}

// check refuses a next page the walk must not fetch, named by the page at
// u: one already fetched, or one on another host.
func (w *walker) check(next, u *url.URL) error {
	if (next.Scheme != "http" && next.Scheme != "https") ||
		!strings.EqualFold(next.Hostname(), w.first.Hostname()) ||
		(w.first.Scheme == "https" && next.Scheme != "https") {
		return fmt.Errorf("%w: %s, named by %s in a walk that started at %s", ErrOtherHost, next.Redacted(), u.Redacted(), w.first.Redacted())
	}
	if w.seen[urlKey(next)] {
		return fmt.Errorf("%w: %s, named by %s", ErrLoop, next.Redacted(), u.Redacted())
	}
	return nil
}

// urlKey is u without its fragment, scheme and host in lower case: the
// key of a fetched page.
func urlKey(u *url.URL) string {
	k := *u
	k.Scheme, k.Host = strings.ToLower(k.Scheme), strings.ToLower(k.Host)
	k.Fragment, k.RawFragment = "", ""
	return k.String()
}

// get sends GET u, retrying 429 and 503 as the Config allows, and returns
// the 2xx response with its body, read and closed. A context error is
// returned as it is.
func (w *walker) get(ctx context.Context, u *url.URL) (*http.Response, []byte, error) {
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, nil, fmt.Errorf("client: %w", err)
		}
		if w.cfg.Header != nil {
			req.Header = w.cfg.Header.Clone()
		}
		if req.Header.Get("Accept") == "" {
			req.Header.Set("Accept", "application/json")
		}
		res, err := w.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, fmt.Errorf("client: %w", err)
		}
		if res.StatusCode >= 200 && res.StatusCode < 300 {
			body, err := w.read(res, u)
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				return nil, nil, err
			}
			return res, body, nil
		}
		serr, wait, retry := w.failed(res, u, attempt)
		if !retry {
			return nil, nil, serr
		}
		if err := w.cfg.Sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
	}
}

// read reads and closes the body of res, the answer to GET u, of at most
// MaxBodyBytes.
func (w *walker) read(res *http.Response, u *url.URL) ([]byte, error) {
	defer res.Body.Close()
	limit := w.cfg.MaxBodyBytes
	if res.ContentLength > limit {
		return nil, fmt.Errorf("%w: GET %s: Content-Length %d, limit %d", ErrBodyTooLarge, u.Redacted(), res.ContentLength, limit)
	}
	r := io.LimitReader(res.Body, min(limit, math.MaxInt64-1)+1)
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("client: GET %s: read body: %w", u.Redacted(), err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: GET %s: limit %d", ErrBodyTooLarge, u.Redacted(), limit)
	}
	return body, nil
}

// Bounds on what is read from a response that is not 2xx.
const (
	snippetBytes = 1 << 10  // kept in StatusError.Body
	drainBytes   = 64 << 10 // read and dropped, so the connection can be reused
)

// failed closes res, a response whose status is not 2xx, and returns its
// error, and whether and how long to wait before sending the request
// again.
func (w *walker) failed(res *http.Response, u *url.URL, attempt int) (*StatusError, time.Duration, bool) {
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, snippetBytes))
	io.CopyN(io.Discard, res.Body, drainBytes)
	res.Body.Close()
	wait, hasWait := retryAfter(res.Header, w.cfg.Now)
	serr := &StatusError{
		URL:        u.Redacted(),
		StatusCode: res.StatusCode,
		Header:     res.Header,
		Body:       snippet,
		Attempts:   attempt,
	}
	if hasWait {
		serr.RetryAfter = wait
	}
	if res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusServiceUnavailable ||
		attempt >= w.cfg.MaxAttempts {
		return serr, 0, false
	}
	if !hasWait {
		wait = min(backoff(attempt), w.cfg.MaxRetryWait)
	}
	if wait > w.cfg.MaxRetryWait {
		return serr, 0, false
	}
	return serr, wait, true
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
