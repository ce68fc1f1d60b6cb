package paginate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-paginate/paginate/internal/cursor"
	"github.com/go-paginate/paginate/internal/value"
)

// KeysetConfig configures a [Keyset] paginator.
type KeysetConfig struct {
	// Keys are the HMAC-SHA256 keys cursors are signed with, each at least
	// 32 bytes of secret randomness. The first key signs; every key
	// verifies, so a key is rotated by putting a new key first and
	// dropping the old one once its cursors have expired. Required.
	Keys [][]byte
	// MaxAge is how long a cursor stays valid after it was issued, at
	// least a second. If zero, cursors do not expire and carry no issue
	// time, so the same page of the same data always has the same
	// cursors (and, over HTTP, the same body and ETag).
	//
	// When set, a cursor carries its issue time rounded down to a step of
	// MaxAge/10 (in whole seconds, at least one), so that every request
	// for the same page within one step gets the same cursors; expiry is
	// accurate to that step: a cursor is refused between MaxAge minus one
	// step and MaxAge after it was issued, never later. A cursor issued
	// while MaxAge was zero has no issue time and is refused as expired.
	MaxAge time.Duration
	// MaxCursorLen is the longest cursor accepted and issued, in bytes, at
	// most 65536. If zero, 1024. A page whose cursor would be longer (a
	// sort on long text values) fails with an error that says so rather
	// than hand out a cursor that would be refused.
	MaxCursorLen int
	// PerPage is the page size when a request names none, at most
	// [PerPageLimit]. If zero, 10 (or MaxPerPage, when that is smaller).
	PerPage int
	// MaxPerPage is the largest page size, at most [PerPageLimit]. If
	// zero, 100.
	MaxPerPage int
	// RejectOverMax rejects a per_page above MaxPerPage with
	// ErrInvalidPerPage instead of clamping it to MaxPerPage.
	RejectOverMax bool
	// Now returns the current time, for issuing and expiring cursors. If
	// nil, time.Now.
	Now func() time.Time
	// Shapes, when not nil, decides which request shapes (orders and
	// filter operators) the paginator serves; see [ShapePolicy]. If nil,
	// every valid request is served.
	Shapes ShapePolicy
}

// Keyset serves pages by position: each page ends with cursors that point
// at its first and last rows, and the next request asks for the rows after
// (or before) that position. It never counts. Build it with [NewKeyset]; it
// is safe for concurrent use.
type Keyset[T any] struct {
	base
	b     Backend[T]
	cfg   KeysetConfig
	codec *cursor.Codec
	step  time.Duration // issue times are rounded down to it; 0: none issued
}

var _ Paginator[struct{}] = (*Keyset[struct{}])(nil)

const (
	// minKeyLen is the shortest signing key accepted.
	minKeyLen = 32
	// maxCursorSkew is how far in the future a cursor's issue time may
	// be, to allow for clocks that differ between servers.
	maxCursorSkew = 5 * time.Minute
	// maxCursorLenLimit is the largest MaxCursorLen: a longer cursor
	// would not fit the URL limits of common servers and proxies.
	maxCursorLenLimit = 1 << 16
)

// NewKeyset returns a keyset paginator over b for the fields schema
// declares.
func NewKeyset[T any](b Backend[T], schema *Schema, cfg KeysetConfig) (*Keyset[T], error) {
	if b == nil || schema == nil {
		return nil, errors.New("paginate: NewKeyset needs a backend and a schema")
	}
	keys, err := signingKeys(cfg.Keys)
	if err != nil {
		return nil, err
	}
	cfg.Keys = keys
	switch {
	case cfg.MaxAge < 0 || cfg.MaxCursorLen < 0:
		return nil, errors.New("paginate: MaxAge and MaxCursorLen must not be negative")
	case cfg.MaxAge > 0 && cfg.MaxAge < time.Second:
		return nil, fmt.Errorf("paginate: MaxAge %v is under a second; cursors carry their issue time in seconds", cfg.MaxAge)
	case cfg.MaxCursorLen > maxCursorLenLimit:
		return nil, fmt.Errorf("paginate: MaxCursorLen %d is above the limit of %d", cfg.MaxCursorLen, maxCursorLenLimit)
	case cfg.MaxCursorLen == 0:
		cfg.MaxCursorLen = 1024
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	bs, err := newBase(b, schema, cfg.PerPage, cfg.MaxPerPage, cfg.RejectOverMax)
	if err != nil {
		return nil, err
	}
	cfg.PerPage, cfg.MaxPerPage = bs.sizes.perPage, bs.sizes.maxPerPage
	return &Keyset[T]{base: bs, b: b, cfg: cfg, codec: cursor.NewCodec(cfg.Keys, cfg.MaxCursorLen), step: issueStep(cfg.MaxAge)}, nil
}

// signingKeys checks and copies the signing keys.
func signingKeys(keys [][]byte) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, errors.New("paginate: KeysetConfig.Keys is empty: cursors need a signing key")
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		if len(k) < minKeyLen {
			return nil, fmt.Errorf("paginate: signing key %d is %d bytes; at least %d are needed", i, len(k), minKeyLen)
		}
		out[i] = slices.Clone(k)
	}
	return out, nil
}

// issueStep returns the step issue times are rounded down to: a tenth of
// maxAge in whole seconds, at least one; 0 when cursors do not expire.
func issueStep(maxAge time.Duration) time.Duration {
	if maxAge == 0 {
		return 0
	}
	return max((maxAge / 10).Truncate(time.Second), time.Second)
}

// Config returns the paginator's configuration with defaults filled in.
// Its Keys must not be modified.
func (p *Keyset[T]) Config() KeysetConfig { return p.cfg }

// Schema returns the schema requests are checked against.
func (p *Keyset[T]) Schema() *Schema { return p.schema }

// keysetRequest is a request validated for a keyset paginator.
type keysetRequest struct {
	plan
	bind     [8]byte     // the binding of the request's sort and filters
	from     cursor.Kind // where the page starts: a position, the start or the end
	pos      []any       // the position's values, when from is Position
	backward bool        // the page lies before from
}

// Paginate returns the first page, or the page after req.After or before
// req.Before. Page numbers are not used: req.Page must be 0 or 1.
func (p *Keyset[T]) Paginate(ctx context.Context, req Request) (Page[T], error) {
	r, err := p.validate(req)
	if err != nil {
		return Page[T]{}, err
	}
	t := TimingsFrom(ctx)
	if err := p.allowShape(ctx, t, &r.plan); err != nil {
		return Page[T]{}, err
	}
	now := p.issueTime()
	// Nothing lies after the end or before the start: no fetch.
	if (r.from == cursor.End && !r.backward) || (r.from == cursor.Start && r.backward) {
		return p.page(r, nil, nil, false, now)
	}
	start := t.start()
	items, keys, more, err := p.fetch(ctx, r)
	t.add(phaseFetch, start)
	if err != nil {
		return Page[T]{}, err
	}
	// The related rows of the page's items, a step of its own.
	if err := relate(ctx, p.b, items, r.includes); err != nil {
		return Page[T]{}, err
	}
	return p.page(r, items, keys, more, now)
}

// allowShape asks the paginator's shape policy, if it has one, about r's
// shape, timing the question in t.
func (p *Keyset[T]) allowShape(ctx context.Context, t *Timings, r *plan) error {
	if p.cfg.Shapes == nil {
		return nil
	}
	start := t.start()
	err := p.checkShape(ctx, p.cfg.Shapes, true, r)
	t.add(phaseShape, start)
	return err
}

// validate checks req and decodes its cursor.
func (p *Keyset[T]) validate(req Request) (keysetRequest, error) {
	var errs requestErrors
	r := p.prepare(req, &errs)
	switch {
	case req.After != "" && req.Before != "":
		errs.add("before", ErrInvalidCursor, "after and before cannot both be set")
	case req.After != "":
		r.from, r.pos = p.position("after", req.After, r, &errs)
	case req.Before != "":
		r.from, r.pos = p.position("before", req.Before, r, &errs)
		r.backward = true
	}
	return r, errs.err()
}

// prepare checks the parts of req that do not depend on its cursors.
func (p *Keyset[T]) prepare(req Request, errs *requestErrors) keysetRequest {
	r := keysetRequest{plan: p.compile(req, errs), from: cursor.Start}
	if req.Page < 0 || req.Page > 1 {
		errs.add("page", ErrInvalidPage, "this endpoint pages by cursor")
	}
	if r.shape != nil {
		r.bind = r.shape.binding(r.filters)
	}
	return r
}

// fetch asks the backend for the page r describes, and returns its items
// and key values in sort order and whether more rows follow.
func (p *Keyset[T]) fetch(ctx context.Context, r keysetRequest) ([]T, [][]any, bool, error) {
	items, keys, err := p.rows(ctx, r, r.perPage+1)
	if err != nil {
		return nil, nil, false, err
	}
	more := len(items) > r.perPage
	if more {
		items, keys = items[:r.perPage], keys[:r.perPage]
	}
	if err := checkKeys(keys, r.sort); err != nil {
		return nil, nil, false, err
	}
	if r.backward {
		items, keys = slices.Clone(items), slices.Clone(keys)
		slices.Reverse(items)
		slices.Reverse(keys)
	}
	return items, keys, more, nil
}

// rows asks the backend for at most limit rows from r's position in r's
// direction, and returns them in that direction's order (the row nearest
// the position first), with their key values.
func (p *Keyset[T]) rows(ctx context.Context, r keysetRequest, limit int) ([]T, [][]any, error) {
	q := Query{Fields: r.fields, Filters: r.filters, Sort: r.sort, After: r.pos, Limit: limit, Keys: true}
	if r.backward {
		q.Sort = r.shape.reversed
	}
	res, err := p.b.Fetch(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("paginate: fetch: %w", err)
	}
	if len(res.Keys) != len(res.Items) {
		return nil, nil, fmt.Errorf("paginate: backend returned %d keys for %d items", len(res.Keys), len(res.Items))
	}
	return res.Items, res.Keys, nil
}

// checkKeys checks that every row has one key value per sort field, and
// NULL only in nullable fields: a NULL where the schema says there is
// none would make a position the backend's comparisons skip past.
func checkKeys(keys [][]any, sort []Order) error {
	for _, row := range keys {
		if len(row) != len(sort) {
			return fmt.Errorf("paginate: backend returned %d key values for a sort of %d fields", len(row), len(sort))
		}
		for i, v := range row {
			if f := sort[i].Field; v == nil && !f.Nullable {
				return fmt.Errorf("paginate: backend returned NULL for field %q, which is not declared Nullable: declare it Nullable, or make its column NOT NULL", f.Name)
			}
		}
	}
	return nil
}

// page builds the page of items (in sort order, with their key values)
// for r, with cursors that point at its first and last rows.
func (p *Keyset[T]) page(r keysetRequest, items []T, keys [][]any, more bool, now time.Time) (Page[T], error) {
	if items == nil {
		items = []T{}
	}
	out := Page[T]{Items: items, PerPage: r.perPage}
	// Before a position or the end lie rows; after a position or the
	// start too.
	if r.backward {
		out.HasPrev, out.HasNext = more, r.from != cursor.End
	} else {
		out.HasNext, out.HasPrev = more, r.from != cursor.Start
	}
	var err error
	switch {
	case len(keys) == 0:
		// An empty page, as when the rows after (or before) the position
		// were deleted: everything that remains lies on the other side,
		// so turning back starts from the end (or the start).
		if out.HasPrev {
			out.PrevCursor, err = p.sign(now, r.bind, cursor.End, nil)
		}
		if out.HasNext && err == nil {
			out.NextCursor, err = p.sign(now, r.bind, cursor.Start, nil)
		}
	default:
		if out.HasNext {
			out.NextCursor, err = p.signRow(now, r, keys[len(keys)-1])
		}
		if out.HasPrev && err == nil {
			out.PrevCursor, err = p.signRow(now, r, keys[0])
		}
	}
	if err == nil {
		out.LastCursor, err = p.lastCursor(now, r)
	}
	if err != nil {
		return Page[T]{}, err
	}
	return out, nil
}

// lastCursor returns the end cursor of r's sort and filters. Without
// filters it is the same for every request in the sort (within one step
// of issue times, when cursors expire), so it is signed once and kept.
func (p *Keyset[T]) lastCursor(now time.Time, r keysetRequest) (string, error) {
	if len(r.filters) > 0 {
		return p.sign(now, r.bind, cursor.End, nil)
	}
	var issued time.Time
	if p.step > 0 {
		issued = now.Truncate(p.step)
	}
	if c := r.shape.last.Load(); c != nil && c.issued.Equal(issued) {
		return c.text, nil
	}
	text, err := p.sign(now, r.bind, cursor.End, nil)
	if err == nil {
		r.shape.last.Store(&signedCursor{issued: issued, text: text})
	}
	return text, err
}

// LastCursor returns the cursor that, as req.Before with req's sort and
// filters, asks for the last page of that order: the last rows, without
// walking there. It is the [Page.LastCursor] of every page of req's order
// and filters. req's cursors, page and page size are not looked at; an invalid
// sort or filter is a *RequestError.
func (p *Keyset[T]) LastCursor(req Request) (string, error) {
	req.After, req.Before, req.Page, req.PerPage = "", "", 0, 0
	r, err := p.validate(req)
	if err != nil {
		return "", err
	}
	return p.lastCursor(p.issueTime(), r)
}

// issueTime returns the time the cursors signed now carry, rounded down
// to the step by sign: the clock's time when cursors expire, else the
// zero time, without reading the clock.
func (p *Keyset[T]) issueTime() time.Time {
	if p.step == 0 {
		return time.Time{}
	}
	return p.cfg.Now()
}

// signRow returns a cursor for the position of a row with key values raw.
func (p *Keyset[T]) signRow(now time.Time, r keysetRequest, raw []any) (string, error) {
	var arr [8]any // the values, normalized, stay on the stack for most sorts
	vals := arr[:0]
	if len(raw) > len(arr) {
		vals = make([]any, 0, len(raw))
	}
	vals = vals[:len(raw)]
	if err := cursorValues(vals, raw, r.sort); err != nil {
		return "", err
	}
	return p.sign(now, r.bind, cursor.Position, vals)
}

// sign returns a cursor of kind for bind. It carries now, rounded down to
// the paginator's step, when cursors expire, and no time when they do not.
func (p *Keyset[T]) sign(now time.Time, bind [8]byte, kind cursor.Kind, values []any) (string, error) {
	c := cursor.Cursor{Kind: kind, Binding: bind, Values: values}
	if p.step > 0 {
		c.IssuedAt = now.Truncate(p.step)
	}
	s, err := p.codec.Encode(c)
	if err != nil {
		return "", fmt.Errorf("paginate: encode cursor: %w", err)
	}
	if len(s) > p.cfg.MaxCursorLen {
		return "", fmt.Errorf("paginate: a cursor for this page would be %d bytes, longer than MaxCursorLen (%d): raise MaxCursorLen or sort on shorter values", len(s), p.cfg.MaxCursorLen)
	}
	return s, nil
}

// cursorValues converts one row's key values, as the backend returned
// them (raw), into dst, of the same length, for the cursor codec: as
// normalizeKeys does, except that a time.Time or a non-nil *time.Time (a
// decoded SQLite time in the page's buffer) is passed as it is. The codec
// writes a time as Unix seconds and nanoseconds, the same in every zone,
// so the UTC copy normalizing makes would cost an allocation and change
// nothing in the cursor.
func cursorValues(dst, raw []any, sort []Order) error {
	for i, v := range raw {
		f := sort[i].Field
		if f.Type == Time && isTime(v) {
			dst[i] = v
			continue
		}
		n, err := normalizeKey(f, v)
		if err != nil {
			return err
		}
		dst[i] = n
	}
	return nil
}

// isTime reports whether v is a time.Time or a non-nil *time.Time.
func isTime(v any) bool {
	switch t := v.(type) {
	case time.Time:
		return true
	case *time.Time:
		return t != nil
	}
	return false
}

// normalizeKeys normalizes one row's key values as the backend returned
// them (raw) into dst, of the same length.
func normalizeKeys(dst, raw []any, sort []Order) error {
	for i, v := range raw {
		n, err := normalizeKey(sort[i].Field, v)
		if err != nil {
			return err
		}
		dst[i] = n
	}
	return nil
}

// normalizeKey normalizes a key value of field f as the backend returned
// it.
func normalizeKey(f Field, v any) (any, error) {
	n, err := value.Normalize(f.Type.kind(), v)
	if err != nil {
		return nil, fmt.Errorf("paginate: key value of field %q: %w", f.Name, err)
	}
	return n, nil
}

// position decodes and checks the cursor s given as param, returning
// where it points and, for a row's position, its values.
func (p *Keyset[T]) position(param, s string, r keysetRequest, errs *requestErrors) (cursor.Kind, []any) {
	c, err := p.codec.Decode(s)
	reason := ""
	switch {
	case errors.Is(err, cursor.ErrTooLong):
		reason = fmt.Sprintf("longer than %d bytes", p.cfg.MaxCursorLen)
	case err != nil:
		reason = "malformed or not issued by this server"
	case r.sort == nil:
		return 0, nil // the sort is invalid and already reported
	case c.Binding != r.bind:
		reason = "made for another sort or filters"
	default:
		reason = p.cursorProblem(c, r.sort)
	}
	if reason != "" {
		errs.add(param, ErrInvalidCursor, reason)
		return 0, nil
	}
	if c.Kind != cursor.Position {
		return c.Kind, nil
	}
	return c.Kind, c.Values
}

// cursorProblem says what is wrong with a verified cursor of the right
// binding, or returns "".
func (p *Keyset[T]) cursorProblem(c cursor.Cursor, sort []Order) string {
	switch {
	case c.Kind != cursor.Position && len(c.Values) != 0:
		return "malformed"
	case c.Kind == cursor.Position && len(c.Values) != len(sort):
		return "made for another sort or filters"
	}
	if !c.IssuedAt.IsZero() || p.cfg.MaxAge > 0 {
		now := p.cfg.Now()
		switch {
		case !c.IssuedAt.IsZero() && c.IssuedAt.After(now.Add(maxCursorSkew)):
			return "issued in the future"
		case p.cfg.MaxAge > 0 && (c.IssuedAt.IsZero() || now.Sub(c.IssuedAt) > p.cfg.MaxAge):
			return "expired"
		}
	}
	for i, v := range c.Values {
		f := sort[i].Field
		if (v == nil && !f.Nullable) || (v != nil && !value.Canonical(f.Type.kind(), v)) {
			return "made for another sort or filters"
		}
	}
	return ""
}
