package cursor

import (
	"errors"
	"math"
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

func TestNaNRejected(t *testing.T) {
	s, err := Encode(Cursor{Kind: Position, Values: []any{math.NaN()}}, key1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(s, [][]byte{key1}, 1024); !errors.Is(err, ErrMalformed) {
		t.Errorf("a NaN value decoded: %v", err)
	}
}

func TestUnsupportedValue(t *testing.T) {
	if _, err := Encode(Cursor{Kind: Position, Values: []any{struct{}{}}}, key1); err == nil {
		t.Error("Encode accepted a struct value")
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
