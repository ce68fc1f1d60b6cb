// Package cursor encodes, signs and verifies the opaque cursors of keyset
// pagination.
//
// A cursor is URL-safe base64 (no padding) of a binary payload followed by
// its HMAC-SHA256:
//
//	version  1 byte (1)
//	kind     1 byte (Position, Start or End)
//	issued   uvarint, Unix seconds
//	binding  8 bytes, a hash of the sort and filters the cursor belongs to
//	count    uvarint, number of values
//	values   each a tag byte and its payload
//	mac      32 bytes, HMAC-SHA256 of everything before it
//
// Values are nil, int64 (zigzag varint), float64 (IEEE 754 bits, so every
// float round-trips exactly), bool, string, []byte and time.Time (Unix
// seconds and nanoseconds, UTC). Decoding checks the length before any work, verifies
// the MAC in constant time against every key before parsing, and rejects
// trailing bytes.
package cursor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Version is the payload version this package writes and reads.
const Version = 1

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

// Encode signs c with key and returns its text. Values must be of the types
// the package documents.
func Encode(c Cursor, key []byte) (string, error) {
	buf := make([]byte, 0, 64)
	buf = append(buf, Version, byte(c.Kind))
	buf = binary.AppendUvarint(buf, uint64(max(c.IssuedAt.Unix(), 0)))
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
			buf = append(buf, tagFloat)
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(x))
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
			return "", errors.New("cursor: unsupported value type")
		}
	}
	m := hmac.New(sha256.New, key)
	m.Write(buf)
	buf = m.Sum(buf)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Decode verifies s against keys (any may match) and decodes it. A cursor
// longer than maxLen characters is rejected before it is decoded.
func Decode(s string, keys [][]byte, maxLen int) (Cursor, error) {
	if len(s) > maxLen {
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
	if !verify(payload, mac, keys) {
		return Cursor{}, ErrSignature
	}
	return parse(payload)
}

func verify(payload, mac []byte, keys [][]byte) bool {
	var sum [macLen]byte
	ok := false
	for _, k := range keys {
		var m hash.Hash = hmac.New(sha256.New, k)
		m.Write(payload)
		if hmac.Equal(m.Sum(sum[:0]), mac) {
			ok = true
		}
	}
	return ok
}

func parse(p []byte) (Cursor, error) {
	var c Cursor
	if p[0] != Version {
		return c, ErrVersion
	}
	c.Kind = Kind(p[1])
	if c.Kind < Position || c.Kind > End {
		return c, ErrMalformed
	}
	p = p[2:]
	issued, n := binary.Uvarint(p)
	if n <= 0 || issued > math.MaxInt64 {
		return c, ErrMalformed
	}
	c.IssuedAt = time.Unix(int64(issued), 0).UTC()
	p = p[n:]
	if len(p) < 8 {
		return c, ErrMalformed
	}
	copy(c.Binding[:], p)
	p = p[8:]
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
		tag := p[0]
		p = p[1:]
		switch tag {
		case tagNil:
			c.Values = append(c.Values, nil)
		case tagInt:
			x, n := binary.Varint(p)
			if n <= 0 {
				return c, ErrMalformed
			}
			p = p[n:]
			c.Values = append(c.Values, x)
		case tagTime:
			sec, n := binary.Varint(p)
			if n <= 0 {
				return c, ErrMalformed
			}
			p = p[n:]
			nsec, n := binary.Uvarint(p)
			if n <= 0 || nsec >= 1e9 {
				return c, ErrMalformed
			}
			p = p[n:]
			c.Values = append(c.Values, time.Unix(sec, int64(nsec)).UTC())
		case tagFloat:
			if len(p) < 8 {
				return c, ErrMalformed
			}
			f := math.Float64frombits(binary.BigEndian.Uint64(p))
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return c, ErrMalformed
			}
			c.Values = append(c.Values, f)
			p = p[8:]
		case tagFalse, tagTrue:
			c.Values = append(c.Values, tag == tagTrue)
		case tagString, tagBytes:
			l, n := binary.Uvarint(p)
			if n <= 0 || l > uint64(len(p)-n) {
				return c, ErrMalformed
			}
			b := p[n : n+int(l)]
			p = p[n+int(l):]
			if tag == tagString {
				if !utf8.Valid(b) {
					return c, ErrMalformed
				}
				c.Values = append(c.Values, string(b))
			} else {
				c.Values = append(c.Values, append([]byte{}, b...))
			}
		default:
			return c, ErrMalformed
		}
	}
	if len(p) != 0 {
		return c, ErrMalformed
	}
	return c, nil
}
