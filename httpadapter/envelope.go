package httpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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
}

// Envelope key indexes.
const (
	kItems = iota
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
	nKeys
)

var defaultKeys = [nKeys]string{"items", "total", "page", "per_page", "pages", "has_next", "has_prev", "next_page", "prev_page", "next_cursor", "prev_cursor", "total_capped", "total_estimated"}

// envelopeKeys holds each key pre-encoded as `"name":`, or nil when left
// out.
type envelopeKeys [nKeys][]byte

func newEnvelopeKeys(k Keys) (envelopeKeys, error) {
	given := [nKeys]string{k.Items, k.Total, k.Page, k.PerPage, k.Pages, k.HasNext, k.HasPrev, k.NextPage, k.PrevPage, k.NextCursor, k.PrevCursor, k.TotalCapped, k.TotalEstimated}
	var out envelopeKeys
	seen := make(map[string]bool, nKeys)
	var errs []error
	for i, n := range given {
		switch n {
		case "":
			n = defaultKeys[i]
		case "-":
			if i == kItems {
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

// Writer writes pages of T as JSON envelopes with Link and X-Total-Count
// headers. Build it with [NewWriter]; it is safe for concurrent use.
type Writer[T any] struct {
	p   *Parser
	enc *itemEncoder
}

// NewWriter returns a writer using p's configuration: its mode, keys,
// parameter names, BaseURL and logger.
func NewWriter[T any](p *Parser) (*Writer[T], error) {
	if p == nil {
		return nil, errors.New("httpadapter: NewWriter needs a parser")
	}
	return &Writer[T]{p: p, enc: newItemEncoder(reflect.TypeFor[T](), p.schema)}, nil
}

// Parser returns the parser whose configuration w uses.
func (w *Writer[T]) Parser() *Parser { return w.p }

// WriteError answers a failed request; see [Parser.WriteError].
func (w *Writer[T]) WriteError(rw http.ResponseWriter, r *http.Request, err error) {
	w.p.WriteError(rw, r, err)
}

// buffers recycles response bodies.
var buffers = sync.Pool{New: func() any { return new(pageBuffer) }}

type pageBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 1 << 20

// WritePage writes page, the answer to req, as a 200 response: the JSON
// envelope, a Link header with the next and previous pages (and in offset
// mode the first and last), and X-Total-Count when the total is known
// exactly. req.Fields, when set, limits each item to those fields. The
// body is built in memory before anything is sent, so an item that fails
// to encode still gets a clean 500 (and a validator such as an ETag can be
// derived from the complete body before the headers go out).
func (w *Writer[T]) WritePage(rw http.ResponseWriter, r *http.Request, req paginate.Request, page paginate.Page[T]) {
	pb := buffers.Get().(*pageBuffer)
	defer func() {
		if pb.buf.Cap() <= maxPooled {
			pb.buf.Reset()
			buffers.Put(pb)
		}
	}()
	pb.buf.Reset()
	if pb.enc == nil {
		pb.enc = json.NewEncoder(&pb.buf)
	}
	if err := w.appendEnvelope(pb, req.Fields, &page); err != nil {
		w.p.WriteError(rw, r, fmt.Errorf("httpadapter: encode items: %w", err))
		return
	}
	body := pb.buf.Bytes()
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	exact := page.Counted && !page.TotalCapped && !page.TotalEstimated
	if link := w.p.link(r, page.Pages, exact, page.NextPage, page.PrevPage, page.NextCursor, page.PrevCursor); link != "" {
		h.Set("Link", link)
	}
	if exact {
		h.Set("X-Total-Count", strconv.FormatInt(page.Total, 10))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		rw.Write(body)
	}
}

// appendEnvelope writes the envelope into pb.buf.
func (w *Writer[T]) appendEnvelope(pb *pageBuffer, fields []string, page *paginate.Page[T]) error {
	k := &w.p.keys
	b := &pb.buf
	b.WriteByte('{')
	first := true
	key := func(i int) bool {
		if k[i] == nil {
			return false
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(k[i])
		return true
	}
	var num [24]byte
	boolean := func(v bool) {
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	}
	cursor := func(c string) {
		if c == "" {
			b.WriteString("null")
			return
		}
		// Cursors are URL-safe base64, but quote them properly anyway.
		q, _ := json.Marshal(c)
		b.Write(q)
	}
	if page.Counted && key(kTotal) {
		b.Write(strconv.AppendInt(num[:0], page.Total, 10))
	}
	offset := w.p.cfg.Mode == OffsetMode
	if offset && key(kPage) {
		b.Write(strconv.AppendInt(num[:0], int64(page.Page), 10))
	}
	if key(kPerPage) {
		b.Write(strconv.AppendInt(num[:0], int64(page.PerPage), 10))
	}
	if page.Counted && key(kPages) {
		b.Write(strconv.AppendInt(num[:0], int64(page.Pages), 10))
	}
	if page.TotalCapped && key(kTotalCapped) {
		b.WriteString("true")
	}
	if page.TotalEstimated && key(kTotalEstimated) {
		b.WriteString("true")
	}
	if key(kHasNext) {
		boolean(page.HasNext)
	}
	if key(kHasPrev) {
		boolean(page.HasPrev)
	}
	pageNumber := func(n int) {
		if n <= 0 {
			b.WriteString("null")
			return
		}
		b.Write(strconv.AppendInt(num[:0], int64(n), 10))
	}
	if offset {
		if key(kNextPage) {
			pageNumber(page.NextPage)
		}
		if key(kPrevPage) {
			pageNumber(page.PrevPage)
		}
	} else {
		if key(kNextCursor) {
			cursor(page.NextCursor)
		}
		if key(kPrevCursor) {
			cursor(page.PrevCursor)
		}
	}
	key(kItems)
	if err := w.enc.encode(pb, page.Items, fields); err != nil {
		return err
	}
	b.WriteString("}\n")
	return nil
}

// link builds the Link header value: first, prev, next and last (when the
// page count is exact) in offset mode; prev and next in cursor mode.
func (p *Parser) link(r *http.Request, pages int, exact bool, next, prev int, nextCursor, prevCursor string) string {
	type rel struct {
		name, param, value string
	}
	var rels [4]rel
	n := 0
	if p.cfg.Mode == OffsetMode {
		rels[n] = rel{"first", p.names[pPage], "1"}
		n++
		if prev > 0 {
			rels[n] = rel{"prev", p.names[pPage], strconv.Itoa(prev)}
			n++
		}
		if next > 0 {
			rels[n] = rel{"next", p.names[pPage], strconv.Itoa(next)}
			n++
		}
		if exact {
			rels[n] = rel{"last", p.names[pPage], strconv.Itoa(max(pages, 1))}
			n++
		}
	} else {
		if prevCursor != "" {
			rels[n] = rel{"prev", p.names[pBefore], prevCursor}
			n++
		}
		if nextCursor != "" {
			rels[n] = rel{"next", p.names[pAfter], nextCursor}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	prefix := p.baseOf(r)
	rest := p.keptQuery(r.URL.RawQuery)
	var b strings.Builder
	for i, l := range rels[:n] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('<')
		b.WriteString(prefix)
		b.WriteByte('?')
		b.WriteString(rest)
		if rest != "" {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(l.param))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(l.value))
		b.WriteString(`>; rel="`)
		b.WriteString(l.name)
		b.WriteByte('"')
	}
	return b.String()
}

// baseOf returns scheme://host/path of the URL the client asked for.
func (p *Parser) baseOf(r *http.Request) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if p.base != nil {
		scheme, host = p.base.Scheme, p.base.Host
	}
	if host == "" {
		host = r.URL.Host
	}
	// RequestURI is the path the client sent, before any prefix
	// stripping; URL.Path is the fallback for requests built in code.
	path := r.URL.EscapedPath()
	if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
		path, _, _ = strings.Cut(ru, "?")
	}
	return scheme + "://" + host + path
}

// keptQuery returns the query without the parameters a Link replaces (the
// page number or the cursors) and without empty segments. Every other
// parameter is kept, in order and with its repeats, decoded and encoded
// again with url.QueryEscape: the client's own encoding could carry
// characters such as > and , that end a URL in a Link header. A
// parameter with malformed percent-encoding, which url.ParseQuery would
// drop too, is left out.
func (p *Parser) keptQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	for seg := range strings.SplitSeq(raw, "&") {
		if seg == "" {
			continue
		}
		rawKey, rawVal, hasVal := strings.Cut(seg, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			continue
		}
		if std, ok := p.byName[key]; ok && (std == pPage || std == pAfter || std == pBefore) {
			continue
		}
		val, err := url.QueryUnescape(rawVal)
		if err != nil {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(key))
		if hasVal {
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(val))
		}
	}
	return b.String()
}

// itemEncoder encodes a page's items, whole or limited to some fields.
type itemEncoder struct {
	kind   reflect.Kind // Struct, Map (string keys) or Invalid (other)
	ptr    bool         // T is a pointer to the struct
	typ    reflect.Type // the struct or map type
	fields []jsonField  // the struct's encoded fields, in order
	// bySchema maps a schema field name to its index in fields.
	bySchema map[string]int

	mu     sync.RWMutex
	types  map[string]reflect.Type // sparse struct type per field set
	single []reflect.Type          // one-field struct type per field
}

// jsonField is one field encoding/json writes for a struct.
type jsonField struct {
	index []int
	typ   reflect.Type
	tag   string // the json tag, or the Go name when there is none
	name  string // the JSON key
	db    string // the db tag's name
	gonm  string // the Go field name
}

// maxSparseTypes bounds the cache of sparse struct types, and so the
// number built: field sets past it are encoded field by field.
const maxSparseTypes = 256

// sparseTypesBuilt counts the struct types built for sparse items, for
// tests: reflect keeps every type it builds.
var sparseTypesBuilt atomic.Int64

func newItemEncoder(t reflect.Type, s *paginate.Schema) *itemEncoder {
	e := &itemEncoder{}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		e.ptr, t = true, t.Elem()
	}
	e.typ = t
	switch {
	case t.Kind() == reflect.Struct:
		e.kind = reflect.Struct
		e.fields = structFields(t, nil, nil)
		e.bySchema = make(map[string]int)
		for _, f := range s.Fields() {
			if i := matchField(e.fields, f.Name); i >= 0 {
				e.bySchema[f.Name] = i
			}
		}
		e.types = make(map[string]reflect.Type)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && !e.ptr:
		e.kind = reflect.Map
	}
	return e
}

// structFields lists the fields encoding/json would write for t,
// promoting the fields of embedded structs without a json name. When
// names clash, the shallower field wins, as in encoding/json (ties keep
// the first).
func structFields(t reflect.Type, index []int, seen map[string]int) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		ft := sf.Type
		if sf.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, structFields(et, idx, nil)...)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if !hasTag || strings.HasPrefix(tag, ",") {
			tag = sf.Name + tag
		}
		db, _, _ := strings.Cut(sf.Tag.Get("db"), ",")
		out = append(out, jsonField{index: idx, typ: ft, tag: tag, name: name, db: db, gonm: sf.Name})
	}
	if index != nil {
		return out
	}
	// Top level: drop deeper duplicates of a name.
	kept := out[:0]
	depth := map[string]int{}
	for _, f := range out {
		if d, dup := depth[f.name]; dup && d <= len(f.index) {
			continue
		}
		depth[f.name] = len(f.index)
		kept = append(kept, f)
	}
	return kept
}

// matchField finds the field for a schema name: db tag, else JSON name,
// else Go name ignoring case. It returns -1 if none matches.
func matchField(fields []jsonField, name string) int {
	for i, f := range fields {
		if f.db == name {
			return i
		}
	}
	for i, f := range fields {
		if f.name == name {
			return i
		}
	}
	for i, f := range fields {
		if strings.EqualFold(f.gonm, name) {
			return i
		}
	}
	return -1
}

// encode writes items as a JSON array into pb.buf.
func (e *itemEncoder) encode(pb *pageBuffer, items any, fields []string) error {
	v := reflect.ValueOf(items)
	if v.Len() == 0 {
		pb.buf.WriteString("[]")
		return nil
	}
	if fields != nil {
		switch e.kind {
		case reflect.Struct:
			picked := e.pick(fields)
			st, ok := e.sparseType(picked)
			if !ok {
				return e.encodeByField(pb, v, picked)
			}
			items = e.sparseStructs(v, picked, st)
		case reflect.Map:
			items = e.sparseMaps(v, fields)
		}
	}
	if err := pb.enc.Encode(items); err != nil {
		return err
	}
	pb.buf.Truncate(pb.buf.Len() - 1) // the Encoder's newline
	return nil
}

// pick returns the indexes in e.fields of the requested schema fields, in
// declaration order, so the keys come out as in a full item.
func (e *itemEncoder) pick(fields []string) []int {
	picked := make([]int, 0, len(fields))
	for _, name := range fields {
		if i, ok := e.bySchema[name]; ok {
			picked = append(picked, i)
		}
	}
	for i := 1; i < len(picked); i++ {
		for j := i; j > 0 && picked[j] < picked[j-1]; j-- {
			picked[j], picked[j-1] = picked[j-1], picked[j]
		}
	}
	return picked
}

// sparseStructs copies the picked fields of each item into a slice of st,
// a struct type holding only those fields.
func (e *itemEncoder) sparseStructs(v reflect.Value, picked []int, st reflect.Type) any {
	elem := st
	if e.ptr {
		elem = reflect.PointerTo(st)
	}
	out := reflect.MakeSlice(reflect.SliceOf(elem), v.Len(), v.Len())
	for i := range v.Len() {
		src := v.Index(i)
		dst := out.Index(i)
		if e.ptr {
			if src.IsNil() {
				continue
			}
			src = src.Elem()
			p := reflect.New(st)
			dst.Set(p)
			dst = p.Elem()
		}
		for j, fi := range picked {
			f, err := src.FieldByIndexErr(e.fields[fi].index)
			if err != nil {
				continue // through a nil embedded pointer: leave zero
			}
			dst.Field(j).Set(f)
		}
	}
	return out.Interface()
}

// sparseType returns the struct type holding the picked fields with their
// JSON tags, building and caching it while the cache has room. Once it is
// full, ok is false and no type is built: reflect keeps every type it
// builds, so building one per field set a client asks for would grow
// memory without bound.
func (e *itemEncoder) sparseType(picked []int) (t reflect.Type, ok bool) {
	var kb strings.Builder
	for _, i := range picked {
		kb.WriteString(strconv.Itoa(i))
		kb.WriteByte(',')
	}
	k := kb.String()
	e.mu.RLock()
	t, ok = e.types[k]
	e.mu.RUnlock()
	if ok {
		return t, true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok = e.types[k]; ok {
		return t, true
	}
	if len(e.types) >= maxSparseTypes {
		return nil, false
	}
	sfs := make([]reflect.StructField, len(picked))
	for j, i := range picked {
		sfs[j] = e.structField(i, j)
	}
	t = reflect.StructOf(sfs)
	sparseTypesBuilt.Add(1)
	e.types[k] = t
	return t, true
}

// structField is field i of the item, as field j of a sparse struct.
func (e *itemEncoder) structField(i, j int) reflect.StructField {
	f := e.fields[i]
	return reflect.StructField{
		Name: "F" + strconv.Itoa(j),
		Type: f.typ,
		Tag:  reflect.StructTag(`json:` + strconv.Quote(f.tag)),
	}
}

// singleType returns the struct type holding only field i, built once per
// field.
func (e *itemEncoder) singleType(i int) reflect.Type {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.single == nil {
		e.single = make([]reflect.Type, len(e.fields))
	}
	if e.single[i] == nil {
		e.single[i] = reflect.StructOf([]reflect.StructField{e.structField(i, 0)})
		sparseTypesBuilt.Add(1)
	}
	return e.single[i]
}

// encodeByField writes the picked fields of each item without a struct
// type for the set: each field is encoded on its own, as the only field
// of a struct, and the members are joined into one object. encoding/json
// encodes a struct's fields independently, so the result is the same as
// sparseStructs gives.
func (e *itemEncoder) encodeByField(pb *pageBuffer, v reflect.Value, picked []int) error {
	holders := make([]reflect.Value, len(picked))
	for j, fi := range picked {
		holders[j] = reflect.New(e.singleType(fi)).Elem()
	}
	b := &pb.buf
	b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			b.WriteByte(',')
		}
		src := v.Index(i)
		if e.ptr {
			if src.IsNil() {
				b.WriteString("null")
				continue
			}
			src = src.Elem()
		}
		open := false
		for j, fi := range picked {
			hf := holders[j].Field(0)
			if f, err := src.FieldByIndexErr(e.fields[fi].index); err == nil {
				hf.Set(f)
			} else {
				hf.SetZero() // through a nil embedded pointer
			}
			start := b.Len()
			if err := pb.enc.Encode(holders[j].Interface()); err != nil {
				return err
			}
			// {"key":value}\n, or {}\n when the field is omitted. The first
			// member keeps the brace; the others turn it into a comma.
			if b.Len()-start == len("{}\n") {
				b.Truncate(start)
				continue
			}
			if open {
				b.Bytes()[start] = ','
			}
			open = true
			b.Truncate(b.Len() - len("}\n"))
		}
		if !open {
			b.WriteByte('{')
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return nil
}

// sparseMaps copies the requested keys of each map item.
func (e *itemEncoder) sparseMaps(v reflect.Value, fields []string) any {
	out := reflect.MakeSlice(reflect.SliceOf(e.typ), v.Len(), v.Len())
	keys := make([]reflect.Value, len(fields))
	for i, f := range fields {
		keys[i] = reflect.ValueOf(f).Convert(e.typ.Key())
	}
	for i := range v.Len() {
		src := v.Index(i)
		if src.IsNil() {
			continue
		}
		m := reflect.MakeMapWithSize(e.typ, len(fields))
		for _, k := range keys {
			if val := src.MapIndex(k); val.IsValid() {
				m.SetMapIndex(k, val)
			}
		}
		out.Index(i).Set(m)
	}
	return out.Interface()
}
