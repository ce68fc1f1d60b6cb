package httpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/go-paginate/paginate"
)

// Keys names the envelope's keys. Each empty field means its default; "-"
// leaves the key out.
type Keys struct {
	// Items holds the page's items. If empty, "items". It cannot be "-".
	Items string
	// Total is the number of matching rows, when counted. If empty,
	// "total".
	Total string
	// Page is the page number (offset mode). If empty, "page".
	Page string
	// PerPage is the effective page size. If empty, "per_page".
	PerPage string
	// Pages is the number of pages, when counted. If empty, "pages".
	Pages string
	// HasNext says whether a next page exists. If empty, "has_next".
	HasNext string
	// HasPrev says whether a previous page exists. If empty, "has_prev".
	HasPrev string
	// NextPage is the number of the next page or null (offset mode). If
	// empty, "next_page".
	NextPage string
	// PrevPage is the number of the previous page or null (offset mode):
	// past the end, the last page. If empty, "prev_page".
	PrevPage string
	// NextCursor is the cursor of the next page or null (cursor mode). If
	// empty, "next_cursor".
	NextCursor string
	// PrevCursor is the cursor of the previous page or null (cursor mode).
	// If empty, "prev_cursor".
	PrevCursor string
	// TotalCapped, present only when true, says the total is a lower
	// bound. If empty, "total_capped".
	TotalCapped string
	// TotalEstimated, present only when true, says the total is the
	// database's estimate. If empty, "total_estimated".
	TotalEstimated string
	// Links holds the page's [Links] as an object with the members
	// first, prev, next and last, each an absolute URL or null: the URLs
	// of the Link header. If empty, "links".
	Links string
}

// envKey is one of the envelope's keys.
type envKey uint8

const (
	kItems envKey = iota
	kTotal
	kPage
	kPerPage
	kPages
	kHasNext
	kHasPrev
	kNextPage
	kPrevPage
	kNextCursor
	kPrevCursor
	kTotalCapped
	kTotalEstimated
	kLinks
	nKeys
)

// String returns the key's default name.
func (k envKey) String() string {
	switch k {
	case kItems:
		return "items"
	case kTotal:
		return "total"
	case kPage:
		return "page"
	case kPerPage:
		return "per_page"
	case kPages:
		return "pages"
	case kHasNext:
		return "has_next"
	case kHasPrev:
		return "has_prev"
	case kNextPage:
		return "next_page"
	case kPrevPage:
		return "prev_page"
	case kNextCursor:
		return "next_cursor"
	case kPrevCursor:
		return "prev_cursor"
	case kTotalCapped:
		return "total_capped"
	case kTotalEstimated:
		return "total_estimated"
	case kLinks:
		return "links"
	}
	return "envKey(" + strconv.Itoa(int(k)) + ")"
}

// envelopeKeys holds each key pre-encoded as `"name":`, or nil when left
// out.
type envelopeKeys [nKeys][]byte

func newEnvelopeKeys(k Keys) (envelopeKeys, error) {
	given := [nKeys]string{k.Items, k.Total, k.Page, k.PerPage, k.Pages, k.HasNext, k.HasPrev, k.NextPage, k.PrevPage, k.NextCursor, k.PrevCursor, k.TotalCapped, k.TotalEstimated, k.Links}
	var out envelopeKeys
	seen := make(map[string]bool, nKeys)
	var errs []error
	for i, n := range given {
		switch n {
		case "":
			n = envKey(i).String()
		case "-":
			if envKey(i) == kItems {
				errs = append(errs, errors.New("httpadapter: the items key cannot be left out"))
			}
			continue
		}
		if seen[n] {
			errs = append(errs, fmt.Errorf("httpadapter: envelope key %q used twice", n))
		}
		seen[n] = true
		b, err := json.Marshal(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[i] = append(b, ':')
	}
	return out, errors.Join(errs...)
}

// WriterConfig configures a [Writer].
type WriterConfig struct {
	// Keys names the envelope's keys.
	Keys Keys
	// BaseURL is the scheme and host Link URLs start with, such as
	// "https://api.example.com", for servers behind a proxy. If empty, the
	// request's: https when it came over TLS, else http, and its Host
	// header. Forwarding headers are never trusted.
	BaseURL string
	// Logger receives the details of errors that clients see only as a
	// generic 500 or 503. If nil, slog.Default().
	Logger *slog.Logger
	// ExposeHeaders lets cross-origin browser code read the Link and
	// X-Total-Count headers of a page: when the request carries an Origin
	// header, the response lists them in Access-Control-Expose-Headers,
	// after any names already there (as a CORS middleware that ran first
	// set them). Every page response then says Vary: Origin, so that a
	// cache keeps the two apart. Allowing the origin itself
	// (Access-Control-Allow-Origin) stays the application's decision. If
	// false, neither header is touched.
	ExposeHeaders bool
	// RetryAfter is the Retry-After header of a 503 answer (a page past
	// its deadline), rounded up to whole seconds. If zero, 1 second.
	RetryAfter time.Duration
}

// Writer writes the responses of one endpoint serving items of T: pages as
// JSON envelopes with Link and X-Total-Count headers, and errors as RFC
// 9457 problems. Its pieces serve applications that render their own
// bodies: [Writer.Links] for the Link header and [Writer.AppendItems] for
// items limited to the requested fields. Build it with [NewWriter]; it is
// safe for concurrent use.
type Writer[T any] struct {
	parser  *Parser
	keys    envelopeKeys
	base    *url.URL
	logger  *slog.Logger
	expose  bool
	items   *itemEncoder
	buffers sync.Pool // of *pageBuffer
	// retryAfter is the Retry-After of a 503, in seconds.
	retryAfter string
}

// NewWriter returns a writer for the endpoint whose queries p parses: it
// takes the mode, the parameter names (for links) and the schema (for
// fields) from p. It checks cfg: envelope keys must be distinct and
// BaseURL an absolute http or https URL of a host alone. It checks T: when
// T is a struct (or a pointer to one), each declared field must be backed
// by one of its fields, as the package documentation says.
func NewWriter[T any](p *Parser, cfg WriterConfig) (*Writer[T], error) {
	if p == nil {
		return nil, errors.New("httpadapter: NewWriter needs a parser")
	}
	keys, err := newEnvelopeKeys(cfg.Keys)
	errs := []error{err}
	base, err := baseURL(cfg.BaseURL)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	items, err := newItemEncoder(reflect.TypeFor[T](), p.schema)
	if err != nil {
		return nil, err
	}
	w := &Writer[T]{parser: p, keys: keys, base: base, logger: cfg.Logger, expose: cfg.ExposeHeaders, items: items, retryAfter: retryAfter(cfg.RetryAfter)}
	if w.logger == nil {
		w.logger = slog.Default()
	}
	w.buffers.New = func() any { return new(pageBuffer) }
	return w, nil
}

// baseURL checks a WriterConfig.BaseURL; nil for "".
func baseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("httpadapter: BaseURL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return nil, fmt.Errorf("httpadapter: BaseURL %q is not an http or https URL of a host alone", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// pageBuffer is a response body being built.
type pageBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
	// text encodes strings into buf without escaping &, < and >, so
	// URLs read as in the Link header.
	text *json.Encoder
}

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 1 << 20

func (w *Writer[T]) getBuffer() *pageBuffer {
	pb := w.buffers.Get().(*pageBuffer)
	pb.buf.Reset()
	if pb.enc == nil {
		pb.enc = json.NewEncoder(&pb.buf)
		pb.text = json.NewEncoder(&pb.buf)
		pb.text.SetEscapeHTML(false)
	}
	return pb
}

func (w *Writer[T]) putBuffer(pb *pageBuffer) {
	if pb.buf.Cap() <= maxPooled {
		pb.buf.Reset()
		w.buffers.Put(pb)
	}
}

// errForeignQuery is logged when a writer is handed a query another
// parser (or none) parsed: its links and names could be wrong.
var errForeignQuery = errors.New("httpadapter: WritePage needs the ParsedQuery the writer's own parser made for the request")

// WritePage writes page, the answer to the request r whose query q holds,
// as a 200 response: the JSON envelope, the Link header of
// [Writer.Links] (the envelope's links), X-Total-Count when the total is
// known exactly, and the CORS headers [WriterConfig.ExposeHeaders] asks
// for. The
// fields q asks for limit each item to those fields. q must come from the
// writer's parser; any other (or nil) is a programming error, answered
// with a 500 and logged. The body is built in memory before anything is
// sent, so an item that fails to encode still gets a clean 500 (and a
// validator such as an ETag can be derived from the complete body before
// the headers go out).
func (w *Writer[T]) WritePage(rw http.ResponseWriter, r *http.Request, q *ParsedQuery, page paginate.Page[T]) {
	if q == nil || q.parser != w.parser {
		w.WriteError(rw, r, nil, errForeignQuery)
		return
	}
	pb := w.getBuffer()
	defer w.putBuffer(pb)
	links := w.Links(r, q, page)
	if err := w.appendEnvelope(pb, &q.req, &page, &links); err != nil {
		w.WriteError(rw, r, q, fmt.Errorf("httpadapter: encode items: %w", err))
		return
	}
	body := pb.buf.Bytes()
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	if link := links.Header(); link != "" {
		h.Set("Link", link)
	}
	if exactTotal(&page) {
		h.Set("X-Total-Count", strconv.FormatInt(page.Total, 10))
	}
	if w.expose {
		addTokens(h, "Vary", []string{"Origin"})
		if r.Header.Get("Origin") != "" {
			addTokens(h, "Access-Control-Expose-Headers", exposedHeaders)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		rw.Write(body)
	}
}

// exposedHeaders are the headers of a page that WriterConfig.ExposeHeaders
// lets cross-origin code read.
var exposedHeaders = []string{"Link", "X-Total-Count"}

// AppendItems appends items to dst as a JSON array, as WritePage writes
// them for req, normally the request's [ParsedQuery.Request]: each item
// whole, or, when req.Fields is not nil, with only those fields (in T's
// order; see the package documentation), the rows of the relations
// req.Include names under their keys, and non-finite floats as strings.
// It is for applications that render their own envelope.
func (w *Writer[T]) AppendItems(dst []byte, items []T, req paginate.Request) ([]byte, error) {
	pb := w.getBuffer()
	defer w.putBuffer(pb)
	if err := w.items.encode(pb, items, req.Fields, req.Include); err != nil {
		return dst, err
	}
	return append(dst, pb.buf.Bytes()...), nil
}

// appendEnvelope writes the envelope into pb.buf.
func (w *Writer[T]) appendEnvelope(pb *pageBuffer, req *paginate.Request, page *paginate.Page[T], links *Links) error {
	e := envelope{b: &pb.buf, keys: &w.keys, text: pb.text}
	e.b.WriteByte('{')
	offset := w.parser.cfg.Mode == OffsetMode
	if page.Counted {
		e.int(kTotal, page.Total)
	}
	if offset {
		e.int(kPage, int64(page.Page))
	}
	e.int(kPerPage, int64(page.PerPage))
	if page.Counted {
		e.int(kPages, int64(page.Pages))
	}
	if page.TotalCapped {
		e.bool(kTotalCapped, true)
	}
	if page.TotalEstimated {
		e.bool(kTotalEstimated, true)
	}
	e.bool(kHasNext, page.HasNext)
	e.bool(kHasPrev, page.HasPrev)
	if offset {
		e.pageNumber(kNextPage, page.NextPage)
		e.pageNumber(kPrevPage, page.PrevPage)
	} else {
		e.cursor(kNextCursor, page.NextCursor)
		e.cursor(kPrevCursor, page.PrevCursor)
	}
	e.links(links)
	e.key(kItems)
	if err := w.items.encode(pb, page.Items, req.Fields, req.Include); err != nil {
		return err
	}
	e.b.WriteString("}\n")
	return nil
}

// envelope writes an envelope's members.
type envelope struct {
	b     *bytes.Buffer
	keys  *envelopeKeys
	text  *json.Encoder // strings into b, without HTML escaping
	comma bool
	num   [24]byte
}

// key writes k's key, reporting false when k is left out.
func (e *envelope) key(k envKey) bool {
	if e.keys[k] == nil {
		return false
	}
	if e.comma {
		e.b.WriteByte(',')
	}
	e.comma = true
	e.b.Write(e.keys[k])
	return true
}

func (e *envelope) int(k envKey, n int64) {
	if e.key(k) {
		e.b.Write(strconv.AppendInt(e.num[:0], n, 10))
	}
}

func (e *envelope) bool(k envKey, v bool) {
	if e.key(k) {
		e.b.Write(strconv.AppendBool(e.num[:0], v))
	}
}

// pageNumber writes n, or null when n is not a page.
func (e *envelope) pageNumber(k envKey, n int) {
	if !e.key(k) {
		return
	}
	if n <= 0 {
		e.b.WriteString("null")
		return
	}
	e.b.Write(strconv.AppendInt(e.num[:0], int64(n), 10))
}

// cursor writes c, or null when it is "".
func (e *envelope) cursor(k envKey, c string) {
	if e.key(k) {
		e.string(c)
	}
}

// string writes s as a JSON string, or null when it is "".
func (e *envelope) string(s string) {
	if s == "" {
		e.b.WriteString("null")
		return
	}
	// Strings cannot fail to encode; the encoder adds a newline.
	_ = e.text.Encode(s)
	e.b.Truncate(e.b.Len() - 1)
}

// links writes ls as an object of the four relations.
func (e *envelope) links(ls *Links) {
	if !e.key(kLinks) {
		return
	}
	for _, l := range [...]struct{ rel, url string }{{`{"first":`, ls.First}, {`,"prev":`, ls.Prev}, {`,"next":`, ls.Next}, {`,"last":`, ls.Last}} {
		e.b.WriteString(l.rel)
		e.string(l.url)
	}
	e.b.WriteByte('}')
}
