// Package cursor encodes, signs and verifies the opaque cursors of keyset
// pagination.
//
// A cursor is URL-safe base64 (no padding) of a binary payload followed by
// its HMAC-SHA256:
//
//	version  1 byte (2)
//	kind     1 byte (Position, Start or End)
//	issued   uvarint, Unix seconds; 0 when the cursor carries no issue time
//	binding  8 bytes, a hash of the sort and filters the cursor belongs to
//	count    uvarint, number of values
//	values   each a tag byte and its payload
//	mac      32 bytes, HMAC-SHA256 of everything before it
//
// Values are nil, int64 (zigzag varint), float64 (IEEE 754 bits, so every
// float round-trips exactly, infinities included; every NaN is written as
// math.NaN's bits, and other NaN bits are refused, so that each value has
// one spelling), bool, string, []byte and time.Time (Unix seconds and
// nanoseconds, UTC; Encode also takes a *time.Time, written as the time
// it points to, or as nil). Decoding checks the length before any work,
// verifies the MAC in constant time against every key before parsing, and
// rejects trailing bytes.
//
// Version 1 had the same layout, but always carried an issue time and
// never a NaN; its cursors still decode, so that cursors issued before an
// upgrade keep working.
package cursor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Version is the payload version this package writes. It reads it and
// version 1, whose layout is the same: version 1 cursors always carry an
// issue time and never a NaN.
const Version = 2

// nanBits is the one bit pattern a NaN is written with, math.NaN's.
const nanBits = 0x7FF8000000000001

// Kind says what a cursor points at.
type Kind byte

const (
	// Position is the position of a row: the page continues strictly after
	// (or before) it.
	Position Kind = 1
	// Start is before the first row: a walk forward from it begins at the
	// first row.
	Start Kind = 2
	// End is after the last row: a walk backward from it ends at the last
	// row.
	End Kind = 3
)

// Cursor is a decoded cursor.
type Cursor struct {
	Kind     Kind
	IssuedAt time.Time
	Binding  [8]byte
	Values   []any
}

const (
	macLen = sha256.Size
	minLen = 1 + 1 + 1 + 8 + 1 + macLen

	tagNil    = 0
	tagInt    = 1
	tagFloat  = 2
	tagFalse  = 3
	tagTrue   = 4
	tagString = 5
	tagBytes  = 6
	tagTime   = 7
)

// Errors returned by Decode. Callers wrap them as invalid input.
var (
	ErrTooLong   = errors.New("cursor too long")
	ErrMalformed = errors.New("malformed cursor")
	ErrSignature = errors.New("cursor signature does not verify")
	ErrVersion   = errors.New("unsupported cursor version")
)

// Codec signs and verifies cursors with a fixed set of keys, reusing its
// HMAC states and scratch buffers across calls. It is safe for concurrent
// use.
type Codec struct {
	macs   []sync.Pool // one pool of *macState per key
	maxLen int
}

// macState is an HMAC state of one key and a scratch buffer, pooled
// together: the buffer holds a payload, its MAC and the text of a cursor
// while one is encoded or decoded, so that neither needs an allocation of
// its own.
type macState struct {
	mac hash.Hash
	buf []byte
}

// maxPooledBuf is the largest scratch buffer put back in a pool; a larger
// one, for an unusually long cursor, is left to the garbage collector.
const maxPooledBuf = 4096

// NewCodec returns a codec that signs with keys[0], verifies with any of
// keys, and rejects cursors longer than maxLen characters.
func NewCodec(keys [][]byte, maxLen int) *Codec {
	c := &Codec{macs: make([]sync.Pool, len(keys)), maxLen: maxLen}
	for i, k := range keys {
		k := slices.Clone(k)
		c.macs[i].New = func() any { return &macState{mac: hmac.New(sha256.New, k), buf: make([]byte, 0, 256)} }
	}
	return c
}

func (c *Codec) get(i int) *macState { return c.macs[i].Get().(*macState) }

// put returns st to key i's pool, keeping buf, which may have grown, as
// its scratch buffer.
func (c *Codec) put(i int, st *macState, buf []byte) {
	if cap(buf) > maxPooledBuf {
		buf = make([]byte, 0, 256)
	}
	st.buf = buf[:0]
	c.macs[i].Put(st)
}

// sum appends the MAC of payload to dst.
func (st *macState) sum(dst, payload []byte) []byte {
	st.mac.Reset()
	st.mac.Write(payload)
	return st.mac.Sum(dst)
}

// Encode signs c with key and returns its text.
func Encode(c Cursor, key []byte) (string, error) {
	return NewCodec([][]byte{key}, 0).Encode(c)
}

// Decode verifies s against keys (any may match) and decodes it. A cursor
// longer than maxLen characters is rejected before it is decoded.
func Decode(s string, keys [][]byte, maxLen int) (Cursor, error) {
	return NewCodec(keys, maxLen).Decode(s)
}

// Encode signs cur with the first key and returns its text. Values must be
// of the types the package documents.
func (codec *Codec) Encode(c Cursor) (string, error) {
	st := codec.get(0)
	buf, text, err := st.encode(st.buf[:0], c)
	if err != nil {
		codec.put(0, st, buf)
		return "", err
	}
	s := string(text)
	codec.put(0, st, buf)
	return s, nil
}

// encode appends c's payload and MAC to buf, then their text, and returns
// buf and the text within it.
func (st *macState) encode(buf []byte, c Cursor) ([]byte, []byte, error) {
	buf, err := appendPayload(buf, c)
	if err != nil {
		return buf, nil, err
	}
	buf = st.sum(buf, buf)
	n := len(buf)
	buf = base64.RawURLEncoding.AppendEncode(buf, buf)
	return buf, buf[n:], nil
}

// EncodeAll signs each cursor of cs with the first key and returns their
// texts, as Encode would, with one HMAC state and one buffer: the texts
// share one allocation.
func (codec *Codec) EncodeAll(cs []Cursor) ([]string, error) {
	st := codec.get(0)
	buf := st.buf[:0]
	defer func() { codec.put(0, st, buf) }()
	text := make([]byte, 0, len(cs)*base64.RawURLEncoding.EncodedLen(minLen+32))
	ends := make([]int, len(cs))
	for i, c := range cs {
		var t []byte
		var err error
		if buf, t, err = st.encode(buf[:0], c); err != nil {
			return nil, err
		}
		text = append(text, t...)
		ends[i] = len(text)
	}
	all := string(text)
	out := make([]string, len(cs))
	start := 0
	for i, end := range ends {
		out[i], start = all[start:end], end
	}
	return out, nil
}

// appendPayload appends c's payload, without its MAC, to buf.
func appendPayload(buf []byte, c Cursor) ([]byte, error) {
	var issued uint64
	if !c.IssuedAt.IsZero() {
		if c.IssuedAt.Unix() < 1 {
			return nil, errors.New("cursor: issue time before 1970")
		}
		issued = uint64(c.IssuedAt.Unix())
	}
	buf = append(buf, Version, byte(c.Kind))
	buf = binary.AppendUvarint(buf, issued)
	buf = append(buf, c.Binding[:]...)
	buf = binary.AppendUvarint(buf, uint64(len(c.Values)))
	for _, v := range c.Values {
		switch x := v.(type) {
		case nil:
			buf = append(buf, tagNil)
		case int64:
			buf = append(buf, tagInt)
			buf = binary.AppendVarint(buf, x)
		case float64:
			bits := math.Float64bits(x)
			if math.IsNaN(x) {
				bits = nanBits
			}
			buf = append(buf, tagFloat)
			buf = binary.BigEndian.AppendUint64(buf, bits)
		case bool:
			if x {
				buf = append(buf, tagTrue)
			} else {
				buf = append(buf, tagFalse)
			}
		case string:
			buf = append(buf, tagString)
			buf = binary.AppendUvarint(buf, uint64(len(x)))
			buf = append(buf, x...)
		case []byte:
			buf = append(buf, tagBytes)
			buf = binary.AppendUvarint(buf, uint64(len(x)))
			buf = append(buf, x...)
		case time.Time:
			buf = appendTime(buf, x)
		case *time.Time:
			if x == nil {
				buf = append(buf, tagNil)
			} else {
				buf = appendTime(buf, *x)
			}
		default:
			return nil, errors.New("cursor: unsupported value type")
		}
	}
	return buf, nil
}

// appendTime appends t, tagged: Unix seconds and nanoseconds, the same in
// every zone.
func appendTime(buf []byte, t time.Time) []byte {
	buf = append(buf, tagTime)
	buf = binary.AppendVarint(buf, t.Unix())
	return binary.AppendUvarint(buf, uint64(t.Nanosecond()))
}

// Decode verifies s against the codec's keys (any may match) and decodes
// it. A cursor longer than the codec's maximum length is rejected before
// it is decoded.
func (codec *Codec) Decode(s string) (Cursor, error) {
	if len(s) > codec.maxLen {
		return Cursor{}, ErrTooLong
	}
	// encoding/base64 skips CR and LF even in strict mode: without this
	// check a cursor with newlines inserted would decode to the same bytes
	// and verify, so one cursor would have many spellings.
	if strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '\n') >= 0 {
		return Cursor{}, ErrMalformed
	}
	st := codec.get(0)
	raw, err := base64.RawURLEncoding.Strict().AppendDecode(st.buf[:0], []byte(s))
	if err != nil || len(raw) < minLen {
		codec.put(0, st, raw)
		return Cursor{}, ErrMalformed
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	var c Cursor
	if !codec.verify(st, payload, mac) {
		err = ErrSignature
	} else {
		// parse copies what it keeps: the buffer can go back to the pool.
		c, err = parse(payload)
	}
	codec.put(0, st, raw)
	return c, err
}

// verify reports whether mac is the MAC of payload under any of the
// codec's keys. st is key 0's state; payload and mac lie in its buffer,
// which has room after them for a MAC.
func (codec *Codec) verify(st *macState, payload, mac []byte) bool {
	ok := hmac.Equal(st.sum(mac[len(mac):], payload), mac)
	for i := 1; i < len(codec.macs); i++ {
		// Every key is tried, so timing does not tell which one matched.
		sti := codec.get(i)
		sum := sti.sum(sti.buf[:0], payload)
		if hmac.Equal(sum, mac) {
			ok = true
		}
		codec.put(i, sti, sum)
	}
	return ok
}

func parse(p []byte) (Cursor, error) {
	c, p, err := parseHeader(p)
	if err != nil {
		return c, err
	}
	count, n := binary.Uvarint(p)
	if n <= 0 || count > uint64(len(p)) {
		return c, ErrMalformed
	}
	p = p[n:]
	c.Values = make([]any, 0, count)
	for range count {
		if len(p) == 0 {
			return c, ErrMalformed
		}
		var v any
		v, p, err = parseValue(p[0], p[1:])
		if err != nil {
			return c, err
		}
		c.Values = append(c.Values, v)
	}
	if len(p) != 0 {
		return c, ErrMalformed
	}
	return c, nil
}

// parseHeader reads the version, kind, issue time and binding, and
// returns the rest of p.
func parseHeader(p []byte) (Cursor, []byte, error) {
	var c Cursor
	if p[0] != Version && p[0] != 1 {
		return c, nil, ErrVersion
	}
	c.Kind = Kind(p[1])
	if c.Kind < Position || c.Kind > End {
		return c, nil, ErrMalformed
	}
	p = p[2:]
	issued, n := binary.Uvarint(p)
	if n <= 0 || issued > math.MaxInt64 {
		return c, nil, ErrMalformed
	}
	if issued > 0 {
		c.IssuedAt = time.Unix(int64(issued), 0).UTC()
	}
	p = p[n:]
	if len(p) < 8 {
		return c, nil, ErrMalformed
	}
	copy(c.Binding[:], p)
	return c, p[8:], nil
}

// parseValue reads the payload of one value tagged tag from p, and returns
// the value and the rest of p.
func parseValue(tag byte, p []byte) (any, []byte, error) {
	switch tag {
	case tagNil:
		return nil, p, nil
	case tagFalse, tagTrue:
		return tag == tagTrue, p, nil
	case tagInt:
		x, n := binary.Varint(p)
		if n <= 0 {
			return nil, nil, ErrMalformed
		}
		return x, p[n:], nil
	case tagFloat:
		if len(p) < 8 {
			return nil, nil, ErrMalformed
		}
		bits := binary.BigEndian.Uint64(p)
		if f := math.Float64frombits(bits); math.IsNaN(f) && bits != nanBits {
			return nil, nil, ErrMalformed // one NaN, one spelling
		}
		return math.Float64frombits(bits), p[8:], nil
	case tagTime:
		return parseTime(p)
	case tagString, tagBytes:
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return nil, nil, ErrMalformed
		}
		b, rest := p[n:n+int(l)], p[n+int(l):]
		if tag == tagBytes {
			return append([]byte{}, b...), rest, nil
		}
		if !utf8.Valid(b) {
			return nil, nil, ErrMalformed
		}
		return string(b), rest, nil
	}
	return nil, nil, ErrMalformed
}

func parseTime(p []byte) (any, []byte, error) {
	sec, n := binary.Varint(p)
	if n <= 0 {
		return nil, nil, ErrMalformed
	}
	p = p[n:]
	nsec, n := binary.Uvarint(p)
	if n <= 0 || nsec >= 1e9 {
		return nil, nil, ErrMalformed
	}
	return time.Unix(sec, int64(nsec)).UTC(), p[n:], nil
}
