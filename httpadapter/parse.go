// Package httpadapter exposes a [paginate.Paginator] over net/http: it
// parses a request's query string into a [paginate.Request], answers bad
// input with RFC 9457 problem details, and writes a page as a JSON envelope
// with RFC 8288 Link and X-Total-Count headers.
//
// # The common case
//
// [Handler] does everything in one call:
//
//	h, err := httpadapter.Handler(p, schema, httpadapter.Config{})
//	mux.Handle("GET /api/items", h)
//
// # Query parameters
//
// The defaults, each renamable with [Params]:
//
//	page=2             page number (offset mode)
//	per_page=20        page size; the paginator's default when absent, clamped
//	                   to (or rejected above) its maximum
//	after=CURSOR       the page after a cursor (cursor mode)
//	before=CURSOR      the page before a cursor (cursor mode)
//	sort=-price,name   order: field names, "-" for descending
//	fields=id,name     sparse fieldset: only these keys in each item
//	category=books     filter, eq
//	price[gte]=1000    filter with an operator: eq, ne, lt, lte, gt, gte, in
//	category[in]=a,b   in: a comma-separated list
//
// Any other parameter is an error, unless [Config.Ignore] names it. A
// parameter given twice, an empty value, malformed percent-encoding, text
// that is not UTF-8 or holds NUL, more filters than [Config.MaxFilters] and
// a query string longer than [Config.MaxQueryLen] are all bad input: the
// answer is 400 with a problem+json body whose invalid_params name every
// offending parameter as the client wrote it.
//
// # Responses
//
// A page is written as a JSON object (see [Keys] for the names):
//
//	{"total":57,"page":2,"per_page":10,"pages":6,"has_next":true,"has_prev":true,"next_page":3,"prev_page":1,"items":[...]}
//	{"per_page":10,"has_next":true,"has_prev":false,"next_cursor":"...","prev_cursor":null,"items":[...]}
//
// next_page and prev_page are null when there is none (past the end,
// prev_page is the last page). total and pages appear only when the
// paginator counted; total_capped and
// total_estimated only when true. Items are encoded with encoding/json, so
// T's json tags apply. With a fields parameter each item holds only the
// requested keys: the items are copied, once per page, into values of a
// struct type built (and cached) for that set of fields, holding just those
// fields with their original types and tags, and encoded in one pass; so
// omitempty, string options and custom marshalers behave exactly as in a
// full item. Since reflect keeps every type it builds, only the first 256
// sets of fields a writer sees get a type; items with other sets are
// encoded field by field, with the same result. A schema field is found in T as [paginate.Memory] finds it:
// the field whose db tag, else json tag, else Go name (ignoring case)
// matches. Map items with string keys are filtered by key; items of other
// types are written whole.
//
// The Link header's URLs keep the request's other query parameters, in
// order and with their repeats, each name and value decoded and encoded
// again (so category[in]=a,b comes back as category%5Bin%5D=a%2Cb): no
// value can end a URL or add a link.
//
// Errors map to statuses: invalid input 400; a strict paginator's page past
// the end 404; a request the client canceled gets nothing further
// written; a request past its deadline 503; anything else 500 with a
// generic body, the error itself going to [Config.Logger].
package httpadapter

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-paginate/paginate"
)

// Mode says how an endpoint pages.
type Mode int

const (
	// OffsetMode pages by number: page and per_page.
	OffsetMode Mode = iota
	// CursorMode pages by position: after, before and per_page.
	CursorMode
)

// String returns "offset" or "cursor".
func (m Mode) String() string {
	if m == CursorMode {
		return "cursor"
	}
	return "offset"
}

// Params names the query parameters. Each empty field means its default.
type Params struct {
	// Page is the page number's parameter. If empty, "page".
	Page string
	// PerPage is the page size's parameter. If empty, "per_page".
	PerPage string
	// After is the forward cursor's parameter. If empty, "after".
	After string
	// Before is the backward cursor's parameter. If empty, "before".
	Before string
	// Sort is the sort's parameter. If empty, "sort".
	Sort string
	// Fields is the sparse fieldset's parameter. If empty, "fields".
	Fields string
}

// Config configures parsing, the envelope and error responses. Its zero
// value serves offset pages with the default names and limits.
type Config struct {
	// Mode says whether the endpoint pages by number or by cursor; the
	// parameters of the other mode are rejected. [Handler] sets it from the
	// paginator. If zero, OffsetMode.
	Mode Mode
	// Params names the query parameters.
	Params Params
	// Ignore lists query parameters the application handles itself:
	// parsing skips them and Link URLs keep them.
	Ignore []string
	// MaxFilters is the most filter parameters a request may carry. If
	// zero, 20.
	MaxFilters int
	// MaxQueryLen is the longest raw query string accepted, in bytes. If
	// zero, 8192.
	MaxQueryLen int
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
}

// Default limits.
const (
	// DefaultMaxFilters is Config.MaxFilters's default.
	DefaultMaxFilters = 20
	// DefaultMaxQueryLen is Config.MaxQueryLen's default.
	DefaultMaxQueryLen = 8192
)

// ErrQueryTooLong is wrapped by the error for a query string longer than
// Config.MaxQueryLen.
var ErrQueryTooLong = errors.New("httpadapter: query string too long")

// param identifies a standard parameter.
type param int

const (
	pPage param = iota
	pPerPage
	pAfter
	pBefore
	pSort
	pFields
	nParams
)

// coreNames are the names the core uses in ParamError.Param.
var coreNames = [nParams]string{"page", "per_page", "after", "before", "sort", "fields"}

// Parser parses query strings into requests checked against one schema.
// Build it with [NewParser]; it is safe for concurrent use.
type Parser struct {
	schema  *paginate.Schema
	cfg     Config
	names   [nParams]string
	byName  map[string]param
	ignore  map[string]bool
	keys    envelopeKeys
	base    *url.URL
	logger  *slog.Logger
	byCore  map[string]string // core param name → configured name
	std     [nParams]bool     // which standard params the mode accepts
	problem [nParams]string   // why a param of the other mode is refused
}

// NewParser returns a parser for the fields s declares. It checks cfg:
// parameter names must be distinct, 1 to 64 bytes of letters, digits, '_',
// '-' and '.', and BaseURL an absolute http or https URL without a path.
func NewParser(s *paginate.Schema, cfg Config) (*Parser, error) {
	if s == nil {
		return nil, errors.New("httpadapter: NewParser needs a schema")
	}
	p := &Parser{schema: s, cfg: cfg, byName: make(map[string]param, nParams), byCore: make(map[string]string, nParams)}
	given := [nParams]string{cfg.Params.Page, cfg.Params.PerPage, cfg.Params.After, cfg.Params.Before, cfg.Params.Sort, cfg.Params.Fields}
	var errs []error
	for i, n := range given {
		if n == "" {
			n = coreNames[i]
		}
		if !validParam(n) {
			errs = append(errs, fmt.Errorf("httpadapter: invalid parameter name %q", n))
		} else if _, dup := p.byName[n]; dup {
			errs = append(errs, fmt.Errorf("httpadapter: parameter name %q used twice", n))
		}
		p.names[i] = n
		p.byName[n] = param(i)
		p.byCore[coreNames[i]] = n
	}
	if len(cfg.Ignore) > 0 {
		p.ignore = make(map[string]bool, len(cfg.Ignore))
		for _, n := range cfg.Ignore {
			if _, std := p.byName[n]; std {
				errs = append(errs, fmt.Errorf("httpadapter: parameter %q is both ignored and used", n))
			}
			p.ignore[n] = true
		}
	}
	if cfg.Mode != OffsetMode && cfg.Mode != CursorMode {
		errs = append(errs, fmt.Errorf("httpadapter: unknown mode %d", cfg.Mode))
	}
	if cfg.MaxFilters < 0 || cfg.MaxQueryLen < 0 {
		errs = append(errs, errors.New("httpadapter: MaxFilters and MaxQueryLen must not be negative"))
	}
	if p.cfg.MaxFilters == 0 {
		p.cfg.MaxFilters = DefaultMaxFilters
	}
	if p.cfg.MaxQueryLen == 0 {
		p.cfg.MaxQueryLen = DefaultMaxQueryLen
	}
	keys, err := newEnvelopeKeys(cfg.Keys)
	if err != nil {
		errs = append(errs, err)
	}
	p.keys = keys
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("httpadapter: BaseURL: %w", err))
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
			errs = append(errs, fmt.Errorf("httpadapter: BaseURL %q is not an http or https URL of a host alone", cfg.BaseURL))
		default:
			p.base = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.logger = cfg.Logger
	if p.logger == nil {
		p.logger = slog.Default()
	}
	for i := range p.std {
		p.std[i] = true
	}
	if cfg.Mode == CursorMode {
		p.std[pPage] = false
		p.problem[pPage] = "this endpoint pages by cursor: use " + p.names[pAfter] + " or " + p.names[pBefore]
	} else {
		p.std[pAfter], p.std[pBefore] = false, false
		p.problem[pAfter] = "this endpoint pages by number: use " + p.names[pPage]
		p.problem[pBefore] = p.problem[pAfter]
	}
	return p, nil
}

func validParam(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		switch c := n[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// Schema returns the schema the parser checks requests against.
func (p *Parser) Schema() *paginate.Schema { return p.schema }

// Mode returns the parser's mode.
func (p *Parser) Mode() Mode { return p.cfg.Mode }

// Parse parses r's query string. See [Parser.ParseQuery].
func (p *Parser) Parse(r *http.Request) (paginate.Request, error) {
	return p.ParseQuery(r.URL.RawQuery)
}

// ParseQuery parses a raw (still percent-encoded) query string into a
// request checked against the schema. On bad input it returns an error
// wrapping a *paginate.RequestError (find it with errors.As) that lists
// every offending parameter, named as the client wrote it; each [paginate.ParamError] unwraps to the sentinel of
// its kind ([paginate.ErrInvalidSort] and so on, or [ErrQueryTooLong]).
// Limits that depend on the paginator, such as the maximum per_page and
// whether a cursor is valid, are checked by Paginate.
func (p *Parser) ParseQuery(rawQuery string) (paginate.Request, error) {
	var req paginate.Request
	var errs []*paginate.ParamError
	var blamed map[string]bool
	bad := func(name, reason string, sentinel error) {
		// Each parameter is named once, with its first problem, so that
		// thousands of repetitions make one entry.
		name = displayKey(name)
		if blamed[name] {
			return
		}
		if blamed == nil {
			blamed = make(map[string]bool)
		}
		blamed[name] = true
		errs = append(errs, &paginate.ParamError{Param: name, Reason: reason, Err: sentinel})
	}
	if len(rawQuery) > p.cfg.MaxQueryLen {
		// Name the parameter taking the most room.
		longest, name := -1, ""
		for seg := range strings.SplitSeq(rawQuery, "&") {
			if len(seg) > longest {
				k, _, _ := strings.Cut(seg, "=")
				longest, name = len(seg), displayKey(k)
			}
		}
		bad(name, fmt.Sprintf("the query string is %d bytes, over the limit of %d", len(rawQuery), p.cfg.MaxQueryLen), ErrQueryTooLong)
		return req, &queryError{&paginate.RequestError{Params: errs}}
	}

	var seen [nParams]bool
	var seenKeys map[string]bool // filter and unknown keys
	filters := 0
	for seg := range strings.SplitSeq(rawQuery, "&") {
		if seg == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(seg, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			bad(displayKey(rawKey), "malformed percent-encoding in the name", paginate.ErrInvalidFilter)
			continue
		}
		if !cleanText(key) {
			bad(displayKey(key), "the name is not valid UTF-8 text", paginate.ErrInvalidFilter)
			continue
		}
		if p.ignore[key] {
			continue
		}
		std, isStd := p.byName[key]
		sentinel := paginate.ErrInvalidFilter
		if isStd {
			sentinel = stdSentinel(std)
			if seen[std] {
				bad(key, "given more than once", sentinel)
				continue
			}
			seen[std] = true
		} else {
			if seenKeys[key] {
				bad(key, "given more than once", sentinel)
				continue
			}
			if seenKeys == nil {
				seenKeys = make(map[string]bool)
			}
			seenKeys[key] = true
		}
		val, err := url.QueryUnescape(rawVal)
		switch {
		case err != nil:
			bad(key, "malformed percent-encoding in the value", sentinel)
			continue
		case !cleanText(val):
			bad(key, "the value is not valid UTF-8 text", sentinel)
			continue
		case val == "":
			bad(key, "empty value", sentinel)
			continue
		}
		if !isStd {
			field, op, ok := splitFilter(key)
			if !ok {
				bad(key, "unknown parameter", sentinel)
				continue
			}
			if _, declared := p.schema.Field(field); !declared {
				bad(key, "unknown parameter", sentinel)
				continue
			}
			if filters++; filters > p.cfg.MaxFilters {
				if filters == p.cfg.MaxFilters+1 {
					bad(key, fmt.Sprintf("more than %d filters", p.cfg.MaxFilters), sentinel)
				}
				continue
			}
			f, err := p.schema.ParseFilter(field, op, val)
			if err != nil {
				bad(key, reason(err, sentinel), sentinel)
				continue
			}
			for _, prev := range req.Filters {
				if prev.Field == f.Field && prev.Op == f.Op {
					bad(key, "the same filter is given twice", sentinel)
					break
				}
			}
			req.Filters = append(req.Filters, f)
			continue
		}
		if !p.std[std] {
			bad(key, p.problem[std], sentinel)
			continue
		}
		switch std {
		case pPage, pPerPage:
			n, why := positive(val)
			if why != "" {
				bad(key, why, sentinel)
				continue
			}
			if std == pPage {
				req.Page = n
			} else {
				req.PerPage = n
			}
		case pAfter:
			req.After = val
		case pBefore:
			req.Before = val
		case pSort:
			s, err := p.schema.ParseSort(val)
			if err != nil {
				bad(key, reason(err, sentinel), sentinel)
				continue
			}
			req.Sort = s
		case pFields:
			f, err := p.schema.ParseFields(val)
			if err != nil {
				bad(key, reason(err, sentinel), sentinel)
				continue
			}
			req.Fields = f
		}
	}
	if req.After != "" && req.Before != "" {
		bad(p.names[pBefore], "cannot be combined with "+p.names[pAfter], paginate.ErrInvalidCursor)
	}
	if len(errs) > 0 {
		return paginate.Request{}, &queryError{&paginate.RequestError{Params: errs}}
	}
	return req, nil
}

// queryError is a RequestError from ParseQuery, whose parameters are
// already named as the client wrote them.
type queryError struct{ re *paginate.RequestError }

func (e *queryError) Error() string { return e.re.Error() }
func (e *queryError) Unwrap() error { return e.re }

func stdSentinel(p param) error {
	switch p {
	case pPage:
		return paginate.ErrInvalidPage
	case pPerPage:
		return paginate.ErrInvalidPerPage
	case pAfter, pBefore:
		return paginate.ErrInvalidCursor
	case pSort:
		return paginate.ErrInvalidSort
	}
	return paginate.ErrInvalidField
}

// splitFilter splits "field" or "field[op]". An empty or malformed
// bracket is not a filter.
func splitFilter(key string) (field, op string, ok bool) {
	i := strings.IndexByte(key, '[')
	if i < 0 {
		return key, "", !strings.ContainsRune(key, ']')
	}
	if i == 0 || !strings.HasSuffix(key, "]") {
		return "", "", false
	}
	field, op = key[:i], key[i+1:len(key)-1]
	if op == "" || strings.ContainsAny(op, "[]") {
		return "", "", false
	}
	return field, op, true
}

// positive parses a positive decimal integer of at most 9 digits, so that
// no page arithmetic can overflow, or says why it cannot.
func positive(s string) (int, string) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, "must be a positive integer"
		}
	}
	if len(strings.TrimLeft(s, "0")) > 9 {
		return 0, "too large"
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, "must be a positive integer"
	}
	return n, ""
}

// cleanText reports whether s is valid UTF-8 without NUL.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// displayKey makes a client's parameter name safe and short enough to
// echo back.
func displayKey(k string) string {
	k = strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "\uFFFD")
	const max = 64
	if len(k) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(k[cut]) {
			cut--
		}
		k = k[:cut] + "…"
	}
	return k
}

// reason returns err's message without the sentinel's prefix, or the
// Reason of a *paginate.ParamError.
func reason(err, sentinel error) string {
	var pe *paginate.ParamError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	msg := err.Error()
	if s := sentinel.Error() + ": "; strings.HasPrefix(msg, s) {
		return msg[len(s):]
	}
	return strings.TrimPrefix(msg, "paginate: ")
}
