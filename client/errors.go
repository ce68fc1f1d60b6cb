package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

var (
	// ErrLoop reports a next page whose URL the walk has already fetched:
	// following it would walk the same pages again, forever.
	ErrLoop = errors.New("client: next page was already fetched")
	// ErrTooManyPages reports a walk that still had a next page after
	// Config.MaxPages pages. The items of those pages were yielded first.
	ErrTooManyPages = errors.New("client: more pages than Config.MaxPages")
	// ErrBodyTooLarge reports a response body longer than
	// Config.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("client: response body larger than Config.MaxBodyBytes")
	// ErrOtherHost reports a next page on another host than the first
	// URL's, or one reached over http from an https walk: Config.Header
	// (credentials, typically) goes with every request, so the walk stays
	// where it started.
	ErrOtherHost = errors.New("client: next page is on another host")
)

// StatusError is a response whose status is not 2xx. Statuses 429 and 503
// are retried first, as [Config.MaxAttempts] and [Config.MaxRetryWait]
// allow; the error is the last response's.
type StatusError struct {
	// URL is the request's URL, its password (if any) redacted.
	URL string
	// StatusCode is the response's status code, such as 503.
	StatusCode int
	// Header is the response's header, for callers that read
	// rate-limit headers such as X-RateLimit-Reset.
	Header http.Header
	// Body is the start of the response body, at most 1 KiB.
	Body []byte
	// RetryAfter is the wait the response's Retry-After header asked for;
	// zero if it had none (or an invalid one).
	RetryAfter time.Duration
	// Attempts is how many times the request was sent.
	Attempts int
}

// Error returns "client: GET URL: status 503 Service Unavailable", the
// number of attempts when there were several, and the start of the body.
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client: GET %s: status %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
	}
	if len(e.Body) > 0 {
		snippet := e.Body
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		fmt.Fprintf(&b, ": %q", snippet)
	}
	return b.String()
}

// LinkError is a Link header that does not follow RFC 8288, or whose
// next link is ambiguous or not a URL. It comes wrapped with the URL of
// the page: "client: GET URL: malformed Link header: ...".
type LinkError struct {
	// Value is the header's value.
	Value string
	// Offset is the byte offset in Value where the problem was found.
	Offset int
	// Reason says what was wrong, such as "unterminated quoted string".
	Reason string
}

// Error returns "malformed Link header: reason at byte N of "value"", the
// value cut at 200 bytes.
func (e *LinkError) Error() string {
	v := e.Value
	if len(v) > 200 {
		v = v[:200] + "..."
	}
	return fmt.Sprintf("malformed Link header: %s at byte %d of %q", e.Reason, e.Offset, v)
}

// PathError is a response body without what a configured path names: no
// such key, or a value of the wrong JSON type. It comes wrapped with the
// URL of the page: "client: GET URL: Config.Items path ...".
type PathError struct {
	// Field is the Config field holding the path: "Items", "Next" or
	// "Cursor".
	Field string
	// Path is the path, such as "links.next".
	Path string
	// Reason says what was wrong, such as `no key "links"`.
	Reason string
}

// Error returns "Config.Items path "data": reason".
func (e *PathError) Error() string {
	return fmt.Sprintf("Config.%s path %q: %s", e.Field, e.Path, e.Reason)
}
