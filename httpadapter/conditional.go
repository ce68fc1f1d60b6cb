package httpadapter

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// DefaultCacheControl is the Cache-Control of a [ConditionalConfig] whose
// CacheControl is empty: a client may keep the page but must revalidate
// it, with its ETag, before each use, and shared caches must not keep it.
const DefaultCacheControl = "private, no-cache"

// DefaultMaxBody is the MaxBody of a [ConditionalConfig] whose MaxBody is
// zero.
const DefaultMaxBody = 4 << 20

// ConditionalConfig configures [Conditional].
type ConditionalConfig struct {
	// CacheControl is the Cache-Control header set on 200 responses that
	// have none. If empty, DefaultCacheControl.
	CacheControl string
	// Vary names the request headers a response depends on, added to the
	// Vary header of 200 and 304 responses; a page that depends on who
	// asks should name Authorization (or Cookie). The query string needs
	// no mention: it is part of the URL. If nil, {"Authorization"}; set
	// an empty, non-nil slice for none.
	Vary []string
	// MaxBody is the largest body buffered to compute an ETag, in bytes;
	// a larger response is streamed unchanged, without one. If zero,
	// DefaultMaxBody.
	MaxBody int
}

// Conditional returns middleware that makes GET and HEAD responses
// conditional. It buffers the response of the handler it wraps; when the
// status is 200 it sets a strong ETag derived from the body (the quoted,
// unpadded base64url SHA-256 of its bytes) unless the handler set one,
// the configured Cache-Control unless the handler set one, Vary, and
// Content-Length unless the handler set one. When the request's
// If-None-Match matches the ETag — "*", or a list of entity tags compared
// with the weak comparison RFC 9110 prescribes for GET and HEAD — it
// answers 304 Not Modified with the same validator and caching headers and
// no body.
//
// A HEAD request is served to the wrapped handler as a GET, and the body
// it writes is dropped: so a HEAD response carries the ETag and
// Content-Length of the GET response, and If-None-Match works on HEAD as
// on GET. A handler that writes nothing at all (no status, no body, as
// [Handler] does for a request the client canceled) gets nothing written
// by the middleware either.
//
// Other statuses and other methods pass through unchanged. A body larger
// than MaxBody is streamed as the handler writes it, without an ETag;
// with status 200 it still gets Cache-Control and Vary.
func Conditional(cfg ConditionalConfig) func(http.Handler) http.Handler {
	if cfg.CacheControl == "" {
		cfg.CacheControl = DefaultCacheControl
	}
	if cfg.Vary == nil {
		cfg.Vary = []string{"Authorization"}
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next.ServeHTTP(w, r)
				return
			}
			bw := &bufferedWriter{w: w, cfg: &cfg, head: r.Method == http.MethodHead}
			inner := r
			if bw.head {
				// The handler writes the body a GET gets, from which the
				// ETag and Content-Length come; it is not sent.
				inner = new(http.Request)
				*inner = *r
				inner.Method = http.MethodGet
			}
			next.ServeHTTP(bw, inner)
			if bw.passed {
				return
			}
			bw.finish(r)
		})
	}
}

// bufferedWriter holds a response until the handler returns, or until it
// grows past cfg.MaxBody and is passed through.
type bufferedWriter struct {
	w      http.ResponseWriter
	cfg    *ConditionalConfig
	head   bool // the request is HEAD: no body is sent
	status int
	buf    bytes.Buffer
	passed bool // the response went straight to w
}

func (b *bufferedWriter) Header() http.Header { return b.w.Header() }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.passed {
		b.w.WriteHeader(code)
		return
	}
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if !b.passed && b.buf.Len()+len(p) > b.cfg.MaxBody {
		// Too large to buffer: send what there is, and the rest as it
		// comes.
		b.passed = true
		if b.status == http.StatusOK {
			b.cachingHeaders()
		}
		b.w.WriteHeader(b.status)
		if !b.head {
			if _, err := b.w.Write(b.buf.Bytes()); err != nil {
				return 0, err
			}
		}
		b.buf = bytes.Buffer{}
	}
	if !b.passed {
		return b.buf.Write(p)
	}
	if b.head {
		return len(p), nil
	}
	return b.w.Write(p)
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (b *bufferedWriter) Unwrap() http.ResponseWriter { return b.w }

// cachingHeaders sets the Cache-Control and Vary of a 200 response.
func (b *bufferedWriter) cachingHeaders() {
	h := b.w.Header()
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", b.cfg.CacheControl)
	}
	addVary(h, b.cfg.Vary)
}

// finish sends the buffered response, or a 304 in its place.
func (b *bufferedWriter) finish(r *http.Request) {
	if b.status == 0 {
		if b.buf.Len() == 0 {
			return // nothing written, nothing to add
		}
		b.status = http.StatusOK
	}
	h := b.w.Header()
	if b.status != http.StatusOK {
		if b.head && b.buf.Len() > 0 && h.Get("Content-Length") == "" {
			h.Set("Content-Length", strconv.Itoa(b.buf.Len()))
		}
		b.w.WriteHeader(b.status)
		b.body()
		return
	}
	etag := h.Get("ETag")
	if etag == "" {
		sum := sha256.Sum256(b.buf.Bytes())
		etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
		h.Set("ETag", etag)
	}
	b.cachingHeaders()
	if noneMatch(r.Header.Values("If-None-Match"), etag) {
		// RFC 9110 section 15.4.5: the headers a 200 would have carried
		// for caching, and no content.
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Last-Modified"} {
			h.Del(k)
		}
		b.w.WriteHeader(http.StatusNotModified)
		return
	}
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(b.buf.Len()))
	}
	b.w.WriteHeader(http.StatusOK)
	b.body()
}

// body sends the buffered body, unless the request is HEAD.
func (b *bufferedWriter) body() {
	if !b.head {
		_, _ = b.w.Write(b.buf.Bytes()) // an error means the client is gone
	}
}

// addVary adds names to the Vary header, once each.
func addVary(h http.Header, names []string) { addTokens(h, "Vary", names) }

// addTokens adds names to the header key, a comma-separated list of
// header names, each once (compared without case) and after the names
// already there; a Vary of "*" takes no more.
func addTokens(h http.Header, key string, names []string) {
	have := map[string]bool{}
	for _, v := range h.Values(key) {
		for _, n := range strings.Split(v, ",") {
			have[strings.ToLower(strings.TrimSpace(n))] = true
		}
	}
	for _, n := range names {
		n = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(n))
		if n == "" || (key == "Vary" && have["*"]) || have[strings.ToLower(n)] {
			continue
		}
		have[strings.ToLower(n)] = true
		h.Add(key, n)
	}
}

// noneMatch reports whether an If-None-Match header's field values match
// etag: "*" matches any current representation, and entity tags match by
// the weak comparison (equal opaque tags, W/ ignored).
func noneMatch(values []string, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for {
			v = strings.TrimLeft(v, " \t,")
			if v == "" {
				break
			}
			if v[0] == '*' {
				return true
			}
			tag, rest, ok := scanETag(v)
			if !ok {
				break // malformed: ignore the rest of this field value
			}
			if strings.TrimPrefix(tag, "W/") == want {
				return true
			}
			v = rest
		}
	}
	return false
}

// scanETag reads one entity-tag, [W/]"opaque", from the start of s.
func scanETag(s string) (tag, rest string, ok bool) {
	start := s
	s = strings.TrimPrefix(s, "W/")
	if len(s) < 2 || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			n := len(start) - len(s) + i + 1
			return start[:n], start[n:], true
		case c == 0x21, c >= 0x23 && c <= 0x7E, c >= 0x80:
		default:
			return "", "", false
		}
	}
	return "", "", false
}
