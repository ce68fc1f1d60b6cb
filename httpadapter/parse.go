package httpadapter

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-paginate/paginate"
)

// Mode says how an endpoint pages. The zero Mode is no mode at all:
// [NewParser] refuses it, and [Handler] replaces it with the mode of the
// paginator it serves.
type Mode int

const (
	// OffsetMode pages by number: page and per_page.
	OffsetMode Mode = iota + 1
	// CursorMode pages by position: after, before and per_page.
	CursorMode
)

// String returns "offset", "cursor", or "Mode(n)" for any other value.
func (m Mode) String() string {
	switch m {
	case OffsetMode:
		return "offset"
	case CursorMode:
		return "cursor"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
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
	// Fields is the sparse fieldset's parameter. If empty, "fields". A
	// relation's fields are given as Fields[relation] (fields[seller]).
	Fields string
	// Include is the parameter listing the relations to include. If
	// empty, "include".
	Include string
}

// ParserConfig configures a [Parser].
type ParserConfig struct {
	// Mode says whether the endpoint pages by number or by cursor; the
	// parameters of the other mode are refused. Required: NewParser
	// refuses the zero Mode, since a parser that guessed would contradict
	// a paginator of the other mode. ([Handler] sets it from the paginator
	// when it is zero.)
	Mode Mode
	// Params names the query parameters.
	Params Params
	// Ignore lists query parameters the application handles itself:
	// parsing skips them and Link URLs keep them.
	Ignore []string
	// MaxFilters is the most filter parameters a request may carry. If
	// zero, DefaultMaxFilters.
	MaxFilters int
	// MaxQueryLen is the longest raw query string accepted, in bytes. If
	// zero, DefaultMaxQueryLen.
	MaxQueryLen int
}

// Default limits.
const (
	// DefaultMaxFilters is ParserConfig.MaxFilters's default.
	DefaultMaxFilters = 20
	// DefaultMaxQueryLen is ParserConfig.MaxQueryLen's default.
	DefaultMaxQueryLen = 8192
)

// ErrQueryTooLong is wrapped by the error for a query string longer than
// ParserConfig.MaxQueryLen.
var ErrQueryTooLong = errors.New("httpadapter: query string too long")

// stdParam is one of the standard (non-filter) parameters.
type stdParam uint8

const (
	pPage stdParam = iota
	pPerPage
	pAfter
	pBefore
	pSort
	pFields
	pInclude
	nParams
)

// String returns the parameter's default name, which is also the name the
// core gives it in a [paginate.ParamError].
func (k stdParam) String() string {
	switch k {
	case pPage:
		return "page"
	case pPerPage:
		return "per_page"
	case pAfter:
		return "after"
	case pBefore:
		return "before"
	case pSort:
		return "sort"
	case pFields:
		return "fields"
	case pInclude:
		return "include"
	}
	return "stdParam(" + strconv.Itoa(int(k)) + ")"
}

// sentinel is the error a bad value of the parameter wraps.
func (k stdParam) sentinel() error {
	switch k {
	case pPage:
		return paginate.ErrInvalidPage
	case pPerPage:
		return paginate.ErrInvalidPerPage
	case pAfter, pBefore:
		return paginate.ErrInvalidCursor
	case pSort:
		return paginate.ErrInvalidSort
	case pInclude:
		return paginate.ErrInvalidInclude
	}
	return paginate.ErrInvalidField
}

// positional reports whether the parameter says where the page is (the
// page number or a cursor): Link URLs replace it.
func (k stdParam) positional() bool { return k == pPage || k == pAfter || k == pBefore }

// Parser parses query strings into requests checked against one schema,
// for an endpoint of one mode. Build it with [NewParser]; it is safe for
// concurrent use.
type Parser struct {
	schema *paginate.Schema
	cfg    ParserConfig // defaults filled in
	names  [nParams]string
	byName map[string]stdParam
	ignore map[string]bool
}

// NewParser returns a parser for the fields s declares. It checks cfg: the
// mode must be set; parameter names must be distinct, 1 to 64 bytes of
// letters, digits, '_', '-' and '.'; limits must not be negative.
func NewParser(s *paginate.Schema, cfg ParserConfig) (*Parser, error) {
	if s == nil {
		return nil, errors.New("httpadapter: NewParser needs a schema")
	}
	p := &Parser{schema: s, cfg: cfg, byName: make(map[string]stdParam, nParams)}
	errs := p.setNames()
	switch cfg.Mode {
	case OffsetMode, CursorMode:
	case 0:
		errs = append(errs, errors.New("httpadapter: ParserConfig.Mode is not set: say whether the endpoint pages by number (OffsetMode) or by cursor (CursorMode)"))
	default:
		errs = append(errs, fmt.Errorf("httpadapter: unknown mode %d", cfg.Mode))
	}
	if cfg.MaxFilters < 0 || cfg.MaxQueryLen < 0 {
		errs = append(errs, errors.New("httpadapter: MaxFilters and MaxQueryLen must not be negative"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if p.cfg.MaxFilters == 0 {
		p.cfg.MaxFilters = DefaultMaxFilters
	}
	if p.cfg.MaxQueryLen == 0 {
		p.cfg.MaxQueryLen = DefaultMaxQueryLen
	}
	return p, nil
}

// setNames resolves and checks the parameter names and the ignored ones.
func (p *Parser) setNames() []error {
	given := [nParams]string{p.cfg.Params.Page, p.cfg.Params.PerPage, p.cfg.Params.After, p.cfg.Params.Before, p.cfg.Params.Sort, p.cfg.Params.Fields, p.cfg.Params.Include}
	var errs []error
	for k, n := range given {
		if n == "" {
			n = stdParam(k).String()
		}
		if !validParam(n) {
			errs = append(errs, fmt.Errorf("httpadapter: invalid parameter name %q", n))
		} else if _, dup := p.byName[n]; dup {
			errs = append(errs, fmt.Errorf("httpadapter: parameter name %q used twice", n))
		}
		p.names[k] = n
		p.byName[n] = stdParam(k)
	}
	p.cfg.Params = Params{Page: p.names[pPage], PerPage: p.names[pPerPage], After: p.names[pAfter],
		Before: p.names[pBefore], Sort: p.names[pSort], Fields: p.names[pFields], Include: p.names[pInclude]}
	if len(p.cfg.Ignore) > 0 {
		p.ignore = make(map[string]bool, len(p.cfg.Ignore))
		for _, n := range p.cfg.Ignore {
			if _, std := p.byName[n]; std {
				errs = append(errs, fmt.Errorf("httpadapter: parameter %q is both ignored and used", n))
			}
			p.ignore[n] = true
		}
		p.cfg.Ignore = append([]string(nil), p.cfg.Ignore...)
	}
	return errs
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
func (p *Parser) Parse(r *http.Request) (*ParsedQuery, error) {
	return p.ParseQuery(r.URL.RawQuery)
}

// ParseQuery parses a raw (still percent-encoded) query string into a
// request checked against the schema, keeping each parameter as the client
// wrote it. On bad input it returns an error wrapping a
// *paginate.RequestError (find it with errors.As) that lists every
// offending parameter, named as the client wrote it (percent-decoded),
// once each, with its first problem; each [paginate.ParamError] unwraps to
// the sentinel of its kind ([paginate.ErrInvalidSort] and so on, or
// [ErrQueryTooLong]). Limits that depend on the paginator, such as the
// maximum per_page and whether a cursor is valid, are checked by
// Paginate; [Writer.WriteError] names those parameters as the client
// wrote them too.
func (p *Parser) ParseQuery(rawQuery string) (*ParsedQuery, error) {
	q, qe := p.parse(rawQuery)
	if qe != nil {
		return nil, qe
	}
	return q, nil
}

// parse is ParseQuery, with the error's type.
func (p *Parser) parse(rawQuery string) (*ParsedQuery, *queryError) {
	st := parseState{p: p, q: &ParsedQuery{parser: p}}
	if len(rawQuery) > p.cfg.MaxQueryLen {
		st.tooLong(rawQuery)
	} else {
		for seg := range segments(rawQuery) {
			st.segment(seg)
		}
		st.finish()
	}
	if len(st.errs) > 0 {
		return nil, &queryError{&paginate.RequestError{Params: st.errs}}
	}
	return st.q, nil
}

// parseState is one ParseQuery call's work in progress.
type parseState struct {
	p       *Parser
	q       *ParsedQuery
	errs    []*paginate.ParamError
	blamed  map[string]bool
	seen    [nParams]bool
	seenKey map[string]bool // filter and unknown names
	filters int
	// relFields are the relations' fields parameters, attached to the
	// includes when the whole query is read.
	relFields []relFields
}

// relFields is one relation's fields parameter, parsed.
type relFields struct {
	name, relation string // the parameter, as the client wrote it, and its relation
	fields         []string
}

// bad records a problem with the parameter the client named name. Each
// parameter is named once, with its first problem, so that thousands of
// repetitions make one entry.
func (st *parseState) bad(name, reason string, sentinel error) {
	name = displayKey(name)
	if st.blamed[name] {
		return
	}
	if st.blamed == nil {
		st.blamed = make(map[string]bool)
	}
	st.blamed[name] = true
	st.errs = append(st.errs, &paginate.ParamError{Param: name, Reason: reason, Err: sentinel})
}

// tooLong blames a query string over the limit on the parameter taking
// the most room.
func (st *parseState) tooLong(raw string) {
	longest, name := -1, ""
	for seg := range segments(raw) {
		if n := len(seg.rawName) + len(seg.rawValue); n > longest {
			longest, name = n, seg.rawName
		}
	}
	if d, err := url.QueryUnescape(name); err == nil {
		name = d
	}
	st.bad(name, fmt.Sprintf("the query string is %d bytes, over the limit of %d", len(raw), st.p.cfg.MaxQueryLen), ErrQueryTooLong)
}

// segment parses one name=value segment.
func (st *parseState) segment(seg segment) {
	name, err := url.QueryUnescape(seg.rawName)
	if err != nil {
		st.bad(seg.rawName, "malformed percent-encoding in the name", paginate.ErrInvalidFilter)
		return
	}
	if !cleanText(name) {
		st.bad(name, "the name is not valid UTF-8 text", paginate.ErrInvalidFilter)
		return
	}
	if st.p.ignore[name] {
		st.q.keepIgnored(name, seg)
		return
	}
	k, isStd := st.p.byName[name]
	sentinel := paginate.ErrInvalidFilter
	if isStd {
		sentinel = k.sentinel()
	}
	if st.repeated(name, k, isStd) {
		st.bad(name, "given more than once", sentinel)
		return
	}
	val, why := value(seg)
	if why != "" {
		st.bad(name, why, sentinel)
		return
	}
	switch rel, isRel := st.p.relationFields(name); {
	case isStd:
		st.std(k, name, val)
	case isRel:
		st.relationFields(name, rel, val)
	default:
		st.filter(name, val)
	}
	st.q.params = append(st.q.params, queryParam{name: name, value: val, hasValue: true, positional: isStd && k.positional()})
}

// repeated reports whether the parameter was seen before, and notes it.
func (st *parseState) repeated(name string, k stdParam, isStd bool) bool {
	if isStd {
		seen := st.seen[k]
		st.seen[k] = true
		return seen
	}
	if st.seenKey[name] {
		return true
	}
	if st.seenKey == nil {
		st.seenKey = make(map[string]bool)
	}
	st.seenKey[name] = true
	return false
}

// value decodes a segment's value, or says why it is not acceptable.
func value(seg segment) (string, string) {
	val, err := url.QueryUnescape(seg.rawValue)
	switch {
	case err != nil:
		return "", "malformed percent-encoding in the value"
	case !cleanText(val):
		return "", "the value is not valid UTF-8 text"
	case val == "":
		return "", "empty value"
	}
	return val, ""
}

// std parses a standard parameter's value into the request.
func (st *parseState) std(k stdParam, name, val string) {
	if why := st.p.refusal(k); why != "" {
		st.bad(name, why, k.sentinel())
		return
	}
	req := &st.q.req
	switch k {
	case pPage, pPerPage:
		n, why := positive(val)
		if why != "" {
			st.bad(name, why, k.sentinel())
		} else if k == pPage {
			req.Page = n
		} else {
			req.PerPage = n
		}
	case pAfter:
		req.After = val
	case pBefore:
		req.Before = val
	case pSort:
		s, err := st.p.schema.ParseSort(val)
		if err != nil {
			st.bad(name, reasonOf(err, reasonSort), paginate.ErrInvalidSort)
			return
		}
		req.Sort = s
	case pFields:
		f, err := st.p.schema.ParseFields(val)
		if err != nil {
			st.bad(name, reasonOf(err, reasonFields), paginate.ErrInvalidField)
			return
		}
		req.Fields = f
	case pInclude:
		in, err := st.p.schema.ParseInclude(val)
		if err != nil {
			st.bad(name, reasonOf(err, reasonInclude), paginate.ErrInvalidInclude)
			return
		}
		req.Include = in
	}
}

// relationFields reports whether the parameter name is a relation's
// fields parameter, fields[relation], and returns the relation. A name
// in that form whose relation the schema does not declare is one too,
// unless a field has the fields parameter's name: then it is a filter.
func (p *Parser) relationFields(name string) (string, bool) {
	base, rel, ok := splitFilter(name)
	if !ok || rel == "" || base != p.names[pFields] {
		return "", false
	}
	if _, isRel := p.schema.Relation(rel); isRel {
		return rel, true
	}
	_, isField := p.schema.Field(base)
	return rel, !isField
}

// relationFields parses a relation's fields parameter.
func (st *parseState) relationFields(name, rel, val string) {
	f, err := st.p.schema.ParseRelationFields(rel, val)
	if err != nil {
		st.bad(name, reasonOf(err, reasonFields), paginate.ErrInvalidField)
		return
	}
	st.relFields = append(st.relFields, relFields{name: name, relation: rel, fields: f})
}

// refusal says why a parameter of the other mode is refused, or "".
func (p *Parser) refusal(k stdParam) string {
	switch {
	case p.cfg.Mode == CursorMode && k == pPage:
		return "this endpoint pages by cursor: use " + p.names[pAfter] + " or " + p.names[pBefore]
	case p.cfg.Mode == OffsetMode && (k == pAfter || k == pBefore):
		return "this endpoint pages by number: use " + p.names[pPage]
	}
	return ""
}

// filter parses a filter parameter, "field" or "field[op]", into the
// request.
func (st *parseState) filter(name, val string) {
	field, op, ok := splitFilter(name)
	if !ok {
		st.bad(name, "unknown parameter", paginate.ErrInvalidFilter)
		return
	}
	if _, declared := st.p.schema.Field(field); !declared {
		st.bad(name, "unknown parameter", paginate.ErrInvalidFilter)
		return
	}
	if st.filters++; st.filters > st.p.cfg.MaxFilters {
		if st.filters == st.p.cfg.MaxFilters+1 {
			st.bad(name, fmt.Sprintf("more than %d filters", st.p.cfg.MaxFilters), paginate.ErrInvalidFilter)
		}
		return
	}
	f, err := st.p.schema.ParseFilter(field, op, val)
	if err != nil {
		st.bad(name, reasonOf(err, reasonFilter), paginate.ErrInvalidFilter)
		return
	}
	core := f.Param()
	if _, twice := st.q.filterNames[core]; twice {
		st.bad(name, "the same filter is given twice", paginate.ErrInvalidFilter)
		return
	}
	st.q.req.Filters = append(st.q.req.Filters, f)
	if st.q.filterNames == nil {
		st.q.filterNames = make(map[string]string)
	}
	st.q.filterNames[core] = name
}

// finish checks what no single parameter shows, and gives each included
// relation its fields.
func (st *parseState) finish() {
	if st.q.req.After != "" && st.q.req.Before != "" {
		st.bad(st.p.names[pBefore], "cannot be combined with "+st.p.names[pAfter], paginate.ErrInvalidCursor)
	}
	include := st.q.req.Include
	for _, rf := range st.relFields {
		i := slices.IndexFunc(include, func(in paginate.Include) bool { return in.Relation == rf.relation })
		switch {
		case i >= 0:
			include[i].Fields = rf.fields
		case !st.blamed[st.p.names[pInclude]]:
			// (A bad include is reported already.)
			st.bad(rf.name, "the relation "+strconv.Quote(rf.relation)+" is not included: name it in "+st.p.names[pInclude], paginate.ErrInvalidField)
		}
	}
}

// queryError is a RequestError from ParseQuery, whose parameters are
// already named as the client wrote them.
type queryError struct{ re *paginate.RequestError }

func (e *queryError) Error() string { return e.re.Error() }
func (e *queryError) Unwrap() error { return e.re }

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

// reasonOf returns the Reason of the [paginate.ParamError] in err, which
// every error of the core about a parameter carries, or fallback for an
// error without one (a paginator of another package that wraps a sentinel
// bare). A reason is never made from an error's message, which may hold
// text no client should see.
func reasonOf(err error, fallback string) string {
	var pe *paginate.ParamError
	if errors.As(err, &pe) && pe.Reason != "" {
		return pe.Reason
	}
	return fallback
}
