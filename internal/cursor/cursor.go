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
// nanoseconds, UTC). Decoding checks the length before any work, verifies
// the MAC in constant time against every key before parsing, and rejects
// trailing bytes.
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
// HMAC states across calls. It is safe for concurrent use.
type Codec struct {
	macs   []sync.Pool // one pool of HMAC states per key
	maxLen int
}

// NewCodec returns a codec that signs with keys[0], verifies with any of
// keys, and rejects cursors longer than maxLen characters.
func NewCodec(keys [][]byte, maxLen int) *Codec {
	c := &Codec{macs: make([]sync.Pool, len(keys)), maxLen: maxLen}
	for i, k := range keys {
		k := slices.Clone(k)
		c.macs[i].New = func() any { return hmac.New(sha256.New, k) }
	}
	return c
}

// sum appends the MAC of payload under key i to dst.
func (c *Codec) sum(i int, dst, payload []byte) []byte {
	m := c.macs[i].Get().(hash.Hash)
	m.Reset()
	m.Write(payload)
	dst = m.Sum(dst)
	c.macs[i].Put(m)
	return dst
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
	buf, err := appendPayload(make([]byte, 0, 64), c)
	if err != nil {
		return "", err
	}
	buf = codec.sum(0, buf, buf)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// EncodeAll signs each cursor of cs with the first key and returns their
// texts, as Encode would, with one HMAC state and one buffer: the texts
// share one allocation.
func (codec *Codec) EncodeAll(cs []Cursor) ([]string, error) {
	m := codec.macs[0].Get().(hash.Hash)
	defer codec.macs[0].Put(m)
	var (
		payload []byte
		err     error
	)
	text := make([]byte, 0, len(cs)*base64.RawURLEncoding.EncodedLen(minLen+32))
	ends := make([]int, len(cs))
	for i, c := range cs {
		if payload, err = appendPayload(payload[:0], c); err != nil {
			return nil, err
		}
		m.Reset()
		m.Write(payload)
		payload = m.Sum(payload)
		text = base64.RawURLEncoding.AppendEncode(text, payload)
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
			buf = append(buf, tagTime)
			buf = binary.AppendVarint(buf, x.Unix())
			buf = binary.AppendUvarint(buf, uint64(x.Nanosecond()))
		default:
			return nil, errors.New("cursor: unsupported value type")
		}
	}
	return buf, nil
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
	if strings.ContainsAny(s, "\r\n") {
		return Cursor{}, ErrMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) < minLen {
		return Cursor{}, ErrMalformed
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !codec.verify(payload, mac) {
		return Cursor{}, ErrSignature
	}
	return parse(payload)
}

func (codec *Codec) verify(payload, mac []byte) bool {
	var sum [macLen]byte
	ok := false
	for i := range codec.macs {
		// Every key is tried, so timing does not tell which one matched.
		if hmac.Equal(codec.sum(i, sum[:0], payload), mac) {
			ok = true
		}
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
