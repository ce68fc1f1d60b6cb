package paginate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-paginate/paginate/internal/cursor"
)

// KeysetConfig configures a [Keyset] paginator.
type KeysetConfig struct {
	// Keys are the HMAC-SHA256 keys cursors are signed with, each at least
	// 32 bytes of secret randomness. The first key signs; every key
	// verifies, so a key is rotated by putting a new key first and
	// dropping the old one once its cursors have expired. Required.
	Keys [][]byte
	// MaxAge is how long a cursor stays valid after it was issued. If
	// zero, cursors do not expire.
	MaxAge time.Duration
	// MaxCursorLen is the longest cursor accepted, in bytes. If zero, 1024.
	MaxCursorLen int
	// PerPage is the page size when a request names none. If zero, 10 (or
	// MaxPerPage, when that is smaller).
	PerPage int
	// MaxPerPage is the largest page size. If zero, 100.
	MaxPerPage int
	// RejectOverMax rejects a per_page above MaxPerPage with
	// ErrInvalidPerPage instead of clamping it to MaxPerPage.
	RejectOverMax bool
	// Now returns the current time, for issuing and expiring cursors. If
	// nil, time.Now.
	Now func() time.Time
}

// Keyset serves pages by position: each page ends with cursors that point
// at its first and last rows, and the next request asks for the rows after
// (or before) that position. It never counts. Build it with [NewKeyset]; it
// is safe for concurrent use.
type Keyset[T any] struct {
	b      Backend[T]
	schema *Schema
	cfg    KeysetConfig
	sizes  sizes
	prec   time.Duration // the backend's time precision; 0 for nanoseconds
	codec  *cursor.Codec
}

var _ Paginator[struct{}] = (*Keyset[struct{}])(nil)

// minKeyLen is the shortest signing key accepted.
const minKeyLen = 32

// maxCursorSkew is how far in the future a cursor's issue time may be, to
// allow for clocks that differ between servers.
const maxCursorSkew = 5 * time.Minute

// NewKeyset returns a keyset paginator over b for the fields schema
// declares.
func NewKeyset[T any](b Backend[T], schema *Schema, cfg KeysetConfig) (*Keyset[T], error) {
	if b == nil || schema == nil {
		return nil, errors.New("paginate: NewKeyset needs a backend and a schema")
	}
	if err := checkBackendSchema(b, schema); err != nil {
		return nil, err
	}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("paginate: KeysetConfig.Keys is empty: cursors need a signing key")
	}
	keys := make([][]byte, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if len(k) < minKeyLen {
			return nil, fmt.Errorf("paginate: signing key %d is %d bytes; at least %d are needed", i, len(k), minKeyLen)
		}
		keys[i] = slices.Clone(k)
	}
	cfg.Keys = keys
	if cfg.MaxAge < 0 || cfg.MaxCursorLen < 0 {
		return nil, errors.New("paginate: MaxAge and MaxCursorLen must not be negative")
	}
	if cfg.MaxCursorLen == 0 {
		cfg.MaxCursorLen = 1024
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sz, err := newSizes(cfg.PerPage, cfg.MaxPerPage, cfg.RejectOverMax)
	if err != nil {
		return nil, err
	}
	cfg.PerPage, cfg.MaxPerPage = sz.perPage, sz.maxPerPage
	return &Keyset[T]{b: b, schema: schema, cfg: cfg, sizes: sz, prec: timePrecision(b), codec: cursor.NewCodec(cfg.Keys, cfg.MaxCursorLen)}, nil
}

// Config returns the paginator's configuration with defaults filled in.
// Its Keys must not be modified.
func (p *Keyset[T]) Config() KeysetConfig { return p.cfg }

// Schema returns the schema requests are checked against.
func (p *Keyset[T]) Schema() *Schema { return p.schema }

// Paginate returns the first page, or the page after req.After or before
// req.Before. Page numbers are not used: req.Page must be 0 or 1.
func (p *Keyset[T]) Paginate(ctx context.Context, req Request) (Page[T], error) {
	var errs requestErrors
	pl := compile(p.schema, p.sizes, p.prec, req, &errs)
	if req.Page < 0 || req.Page > 1 {
		errs.add("page", ErrInvalidPage, fmt.Errorf("%w: this endpoint pages by cursor", ErrInvalidPage))
	}
	var bind [8]byte
	if pl.sort != nil {
		bind = binding(pl.sort, pl.filters)
	}
	var pos []any
	kind := cursor.Start // no cursor: forward from the start
	backward := false
	switch {
	case req.After != "" && req.Before != "":
		errs.add("before", ErrInvalidCursor, fmt.Errorf("%w: after and before cannot both be set", ErrInvalidCursor))
	case req.After != "":
		kind, pos = p.position("after", req.After, pl, bind, &errs)
	case req.Before != "":
		kind, pos = p.position("before", req.Before, pl, bind, &errs)
		backward = true
	}
	if err := errs.err(); err != nil {
		return Page[T]{}, err
	}
	now := p.cfg.Now()
	// Nothing lies after the end or before the start.
	if (kind == cursor.End && !backward) || (kind == cursor.Start && backward) {
		out := Page[T]{Items: []T{}, PerPage: pl.perPage, HasNext: backward, HasPrev: !backward}
		var err error
		if backward {
			out.NextCursor, err = p.sign(now, bind, cursor.Start, nil)
		} else {
			out.PrevCursor, err = p.sign(now, bind, cursor.End, nil)
		}
		if err != nil {
			return Page[T]{}, err
		}
		return out, nil
	}

	q := Query{Fields: pl.fields, Filters: pl.filters, Sort: pl.sort, After: pos, Limit: pl.perPage + 1, Keys: true}
	if backward {
		q.Sort = make([]Order, len(pl.sort))
		for i, o := range pl.sort {
			q.Sort[i] = Order{Field: o.Field, Dir: o.Dir.Reverse()}
		}
	}
	res, err := p.b.Fetch(ctx, q)
	if err != nil {
		return Page[T]{}, fmt.Errorf("paginate: fetch: %w", err)
	}
	if len(res.Keys) != len(res.Items) {
		return Page[T]{}, fmt.Errorf("paginate: backend returned %d keys for %d items", len(res.Keys), len(res.Items))
	}
	items, keys := res.Items, res.Keys
	more := len(items) > pl.perPage
	if more {
		items, keys = items[:pl.perPage], keys[:pl.perPage]
	}
	if backward {
		items, keys = slices.Clone(items), slices.Clone(keys)
		slices.Reverse(items)
		slices.Reverse(keys)
	}
	if items == nil {
		items = []T{}
	}
	out := Page[T]{Items: items, PerPage: pl.perPage}
	if backward {
		// Before a row there is that row; before the end, nothing.
		out.HasPrev, out.HasNext = more, kind == cursor.Position
	} else {
		out.HasNext, out.HasPrev = more, kind == cursor.Position
	}
	if len(keys) == 0 {
		// The page came out empty, as when the rows after (or before) the
		// position were deleted: everything that remains lies on the other
		// side, so turning back starts from the end (or the start).
		if out.HasPrev {
			out.PrevCursor, err = p.sign(now, bind, cursor.End, nil)
		}
		if out.HasNext {
			out.NextCursor, err = p.sign(now, bind, cursor.Start, nil)
		}
		return out, err
	}
	// Cursors point at the page's first and last rows.
	if out.HasNext {
		last, err := p.keyValues(keys[len(keys)-1], pl.sort)
		if err != nil {
			return Page[T]{}, err
		}
		if out.NextCursor, err = p.sign(now, bind, cursor.Position, last); err != nil {
			return Page[T]{}, err
		}
	}
	if out.HasPrev {
		first, err := p.keyValues(keys[0], pl.sort)
		if err != nil {
			return Page[T]{}, err
		}
		if out.PrevCursor, err = p.sign(now, bind, cursor.Position, first); err != nil {
			return Page[T]{}, err
		}
	}
	return out, nil
}

func (p *Keyset[T]) sign(now time.Time, bind [8]byte, kind cursor.Kind, values []any) (string, error) {
	s, err := p.codec.Encode(cursor.Cursor{Kind: kind, IssuedAt: now, Binding: bind, Values: values})
	if err != nil {
		return "", fmt.Errorf("paginate: encode cursor: %w", err)
	}
	return s, nil
}

// keyValues normalizes one row's key values as the backend returned them.
func (p *Keyset[T]) keyValues(raw []any, sort []Order) ([]any, error) {
	if len(raw) != len(sort) {
		return nil, fmt.Errorf("paginate: backend returned %d key values for a sort of %d fields", len(raw), len(sort))
	}
	vals := make([]any, len(raw))
	for i, v := range raw {
		f := sort[i].Field
		n, err := normalize(f.Type, v)
		if err != nil {
			return nil, fmt.Errorf("paginate: key value of field %q: %w", f.Name, err)
		}
		if n == nil && !f.Nullable {
			return nil, fmt.Errorf("paginate: backend returned NULL for non-nullable field %q", f.Name)
		}
		vals[i] = n
	}
	return vals, nil
}

// position decodes and checks a cursor, returning its kind and, for a
// position, its values.
func (p *Keyset[T]) position(param, s string, pl plan, bind [8]byte, errs *requestErrors) (cursor.Kind, []any) {
	bad := func(reason string) (cursor.Kind, []any) {
		errs.add(param, ErrInvalidCursor, fmt.Errorf("%w: %s", ErrInvalidCursor, reason))
		return 0, nil
	}
	c, err := p.codec.Decode(s)
	switch {
	case errors.Is(err, cursor.ErrTooLong):
		return bad(fmt.Sprintf("longer than %d bytes", p.cfg.MaxCursorLen))
	case err != nil:
		return bad("malformed or not issued by this server")
	case pl.sort == nil:
		return 0, nil // the sort is invalid and already reported
	case c.Binding != bind:
		return bad("made for another sort or filters")
	case c.Kind != cursor.Position && len(c.Values) != 0:
		return bad("malformed")
	case c.Kind == cursor.Position && len(c.Values) != len(pl.sort):
		return bad("made for another sort or filters")
	}
	now := p.cfg.Now()
	if c.IssuedAt.After(now.Add(maxCursorSkew)) {
		return bad("issued in the future")
	}
	if p.cfg.MaxAge > 0 && now.Sub(c.IssuedAt) > p.cfg.MaxAge {
		return bad("expired")
	}
	for i, v := range c.Values {
		f := pl.sort[i].Field
		if v == nil {
			if !f.Nullable {
				return bad("made for another sort or filters")
			}
			continue
		}
		if !canonicalType(f.Type, v) {
			return bad("made for another sort or filters")
		}
	}
	if c.Kind != cursor.Position {
		return c.Kind, nil
	}
	return c.Kind, c.Values
}

// canonicalType reports whether v has the Go type normalize gives t.
func canonicalType(t Type, v any) bool {
	switch x := v.(type) {
	case int64:
		return t == Int
	case float64:
		return t == Float
	case bool:
		return t == Bool
	case time.Time:
		return t == Time
	case []byte:
		return t == Bytes
	case string:
		return t == String || (t == Decimal && validDecimal(x))
	}
	return false
}
