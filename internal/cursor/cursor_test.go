package cursor

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	key1 = []byte("0123456789abcdef0123456789abcdef")
	key2 = []byte("fedcba9876543210fedcba9876543210")
)

func sample() Cursor {
	return Cursor{
		Kind:     Position,
		IssuedAt: time.Unix(1_700_000_000, 0).UTC(),
		Binding:  [8]byte{1, 2, 3, 4, 5, 6, 7, 8},
		Values: []any{
			nil, int64(-42), int64(math.MaxInt64), int64(math.MinInt64),
			0.1 + 0.2, math.SmallestNonzeroFloat64, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), true, false,
			"héllo, 世界", "", []byte{0, 255, 7},
			time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC),
			time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		},
	}
}

func TestRoundTrip(t *testing.T) {
	c := sample()
	s, err := Encode(c, key1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(s, "+/=") {
		t.Errorf("cursor %q is not URL-safe unpadded base64", s)
	}
	got, err := Decode(s, [][]byte{key2, key1}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// The float 0.1+0.2 must keep all its bits.
	if got.Values[4].(float64) != 0.1+0.2 {
		t.Errorf("float lost precision: %v", got.Values[4])
	}
}

func TestDecodeRejects(t *testing.T) {
	c := sample()
	good, err := Encode(c, key1)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := Encode(c, key2)
	cases := []struct {
		name   string
		s      string
		maxLen int
		want   error
	}{
		{"empty", "", 1024, ErrMalformed},
		{"not base64", "!!!!", 1024, ErrMalformed},
		{"padded", good + "==", 1024, ErrMalformed},
		{"truncated", good[:len(good)-3], 1024, ErrMalformed},
		{"too long", good, len(good) - 1, ErrTooLong},
		{"wrong key", other, 1024, ErrSignature},
		{"short", "AAAA", 1024, ErrMalformed},
		// encoding/base64 would skip these and decode the same bytes.
		{"line feed inside", good[:10] + "\n" + good[10:], 1024, ErrMalformed},
		{"carriage return inside", good[:10] + "\r" + good[10:], 1024, ErrMalformed},
		{"CR LF at the end", good + "\r\n", 1024, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.s, [][]byte{key1}, tc.maxLen)
			if !errors.Is(err, tc.want) && !(tc.want == ErrMalformed && errors.Is(err, ErrSignature)) {
				t.Errorf("Decode: got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestEveryByteChange checks that changing any single byte of the payload or
// MAC makes the cursor fail to verify.
func TestEveryByteChange(t *testing.T) {
	s, err := Encode(sample(), key1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(s); i++ {
		for _, r := range []byte("AZaz09-_") {
			if s[i] == r {
				continue
			}
			m := s[:i] + string(r) + s[i+1:]
			if _, err := Decode(m, [][]byte{key1}, 1024); err == nil {
				t.Fatalf("changed byte %d to %q: still verifies", i, r)
			}
		}
	}
}

func TestNaN(t *testing.T) {
	if math.Float64bits(math.NaN()) != nanBits {
		t.Fatalf("math.NaN's bits are %#x, not nanBits", math.Float64bits(math.NaN()))
	}
	other := math.Float64frombits(nanBits | 1<<63 | 2) // a NaN with other bits
	s, err := Encode(Cursor{Kind: Position, Values: []any{other, math.NaN()}}, key1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Decode(s, [][]byte{key1}, 1024)
	if err != nil {
		t.Fatalf("a NaN position did not decode: %v", err)
	}
	for i, v := range c.Values {
		if x, ok := v.(float64); !ok || math.Float64bits(x) != nanBits {
			t.Errorf("value %d decoded as %#v, want the canonical NaN", i, v)
		}
	}
	// A NaN with other bits, signed, is refused: one value, one spelling.
	raw, _ := base64.RawURLEncoding.DecodeString(s)
	payload := raw[:len(raw)-macLen]
	at := bytes.Index(payload, binary.BigEndian.AppendUint64(nil, nanBits))
	binary.BigEndian.PutUint64(payload[at:], nanBits|2)
	if _, err := Decode(resign(payload), [][]byte{key1}, 1024); !errors.Is(err, ErrMalformed) {
		t.Errorf("a NaN with other bits decoded: %v", err)
	}
}

// resign signs payload with key1.
func resign(payload []byte) string {
	m := hmac.New(sha256.New, key1)
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(m.Sum(slices.Clone(payload)))
}

func TestIssueTime(t *testing.T) {
	// No issue time: the cursor says so, and its text depends only on
	// its content.
	c := Cursor{Kind: Position, Binding: [8]byte{9}, Values: []any{int64(1)}}
	s, err := Encode(c, key1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(s, [][]byte{key1}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.IsZero() {
		t.Errorf("IssuedAt = %v, want none", got.IssuedAt)
	}
	if _, err := Encode(Cursor{Kind: Start, IssuedAt: time.Unix(0, 0)}, key1); err == nil {
		t.Error("Encode accepted an issue time of 1970-01-01, which would read as none")
	}
}

// TestVersion1 checks that a version 1 cursor, as issued before version 2,
// still decodes, and that other versions do not.
func TestVersion1(t *testing.T) {
	c := sample()
	s, err := Encode(c, key1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(s)
	payload := raw[:len(raw)-macLen]
	if payload[0] != Version || Version != 2 {
		t.Fatalf("version byte %d, Version %d", payload[0], Version)
	}
	payload[0] = 1
	got, err := Decode(resign(payload), [][]byte{key1}, 1024)
	if err != nil {
		t.Fatalf("version 1 cursor: %v", err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("version 1 cursor (-want +got):\n%s", diff)
	}
	for _, v := range []byte{0, 3, 255} {
		payload[0] = v
		if _, err := Decode(resign(payload), [][]byte{key1}, 1024); !errors.Is(err, ErrVersion) {
			t.Errorf("version %d: err = %v, want ErrVersion", v, err)
		}
	}
}

func TestUnsupportedValue(t *testing.T) {
	if _, err := Encode(Cursor{Kind: Position, Values: []any{struct{}{}}}, key1); err == nil {
		t.Error("Encode accepted a struct value")
	}
}

// TestEncodeAll checks that EncodeAll's texts are Encode's, each
// decoding to its cursor, and that a bad cursor fails the batch.
func TestEncodeAll(t *testing.T) {
	codec := NewCodec([][]byte{key1, key2}, 4096)
	cs := []Cursor{sample(), {Kind: Start}, {Kind: Position, Values: []any{int64(7), "x"}}, {Kind: End, IssuedAt: time.Unix(5, 0).UTC()}}
	got, err := codec.EncodeAll(cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cs) {
		t.Fatalf("%d texts for %d cursors", len(got), len(cs))
	}
	for i, c := range cs {
		want, err := codec.Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		if got[i] != want {
			t.Errorf("cursor %d: EncodeAll gave %q, Encode %q", i, got[i], want)
		}
		back, err := codec.Decode(got[i])
		if err != nil {
			t.Fatalf("cursor %d: %v", i, err)
		}
		if c.Values == nil {
			c.Values = []any{}
		}
		if diff := cmp.Diff(c, back); diff != "" {
			t.Errorf("cursor %d (-want +got):\n%s", i, diff)
		}
	}
	if empty, err := codec.EncodeAll(nil); err != nil || len(empty) != 0 {
		t.Errorf("no cursors: %q, %v", empty, err)
	}
	if _, err := codec.EncodeAll([]Cursor{{Kind: Start}, {Kind: Position, Values: []any{struct{}{}}}}); err == nil {
		t.Error("EncodeAll accepted a struct value")
	}
}

func FuzzDecode(f *testing.F) {
	s, _ := Encode(sample(), key1)
	f.Add(s)
	s2, _ := Encode(Cursor{Kind: Start}, key1)
	f.Add(s2)
	f.Add("")
	f.Add("AAAA")
	f.Add(strings.Repeat("A", 2000))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Decode(s, [][]byte{key1}, 1024)
		if err != nil {
			return
		}
		// Anything that verifies must re-encode to the same text: the
		// encoding is canonical.
		again, err := Encode(c, key1)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if again != s {
			t.Fatalf("non-canonical cursor verified: %q re-encodes as %q", s, again)
		}
	})
}

// FuzzSingleByteChange checks, for cursors built from fuzzed values, that no
// single-byte change of the raw bytes verifies.
func FuzzSingleByteChange(f *testing.F) {
	f.Add(int64(7), "abc", 1.5, uint(3), byte(1))
	f.Add(int64(-1), "", math.Copysign(0, -1), uint(0), byte(255))
	f.Fuzz(func(t *testing.T, n int64, str string, x float64, pos uint, delta byte) {
		if delta == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		if !utf8Valid(str) {
			return
		}
		s, err := Encode(Cursor{Kind: Position, Values: []any{n, str, x}}, key1)
		if err != nil {
			t.Fatal(err)
		}
		raw := []byte(s)
		i := int(pos % uint(len(raw)))
		raw[i] ^= delta
		if _, err := Decode(string(raw), [][]byte{key1}, 1<<20); err == nil {
			// A change that decodes to the same bytes is impossible with
			// strict base64 except when it still maps to the same value.
			t.Fatalf("changed byte %d of %q by %#x: still verifies", i, s, delta)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// BenchmarkCodec measures encoding and decoding a position cursor of a
// time and an id, the benchmark table's keys.
func BenchmarkCodec(b *testing.B) {
	codec := NewCodec([][]byte{key1}, 1024)
	c := Cursor{Kind: Position, Values: []any{time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), int64(999_999)}}
	s, err := codec.Encode(c)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.Encode(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.Decode(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestTimePointer checks that a *time.Time is written as the time it
// points to, in any zone and with a monotonic reading, and a nil one as
// nil: the same text as the normalized value's.
func TestTimePointer(t *testing.T) {
	local := time.Date(2024, 8, 19, 13, 40, 0, 5, time.FixedZone("", 2*3600))
	now := time.Now() // carries a monotonic reading
	var nilTime *time.Time
	for _, tc := range []struct {
		name string
		in   any
		want any // the normalized value
	}{
		{"offset zone", &local, local.UTC()},
		{"monotonic", &now, now.Round(0).UTC()},
		{"nil pointer", nilTime, nil},
	} {
		c := Cursor{Kind: Position, Values: []any{tc.in}}
		got, err := Encode(c, key1)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c.Values = []any{tc.want}
		want, err := Encode(c, key1)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: cursor %q, want %q, the normalized value's", tc.name, got, want)
		}
		d, err := Decode(got, [][]byte{key1}, 1024)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{tc.want}, d.Values); diff != "" {
			t.Errorf("%s: decoded (-want +got):\n%s", tc.name, diff)
		}
	}
}
