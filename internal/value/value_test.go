package value

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type (
	myInt    int32
	myString string
	myBytes  []byte
)

func TestNormalize(t *testing.T) {
	nan := math.NaN()
	negNaN := math.Float64frombits(math.Float64bits(nan) | 1<<63 | 1)
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		kind Kind
		in   any
		want any
	}{
		{String, "a", "a"},
		{String, []byte("b"), "b"},
		{String, myString("c"), "c"},
		{Int, int8(-3), int64(-3)},
		{Int, uint32(7), int64(7)},
		{Int, myInt(9), int64(9)},
		{Int, float64(1 << 52), int64(1 << 52)},
		{Int, []byte("-12"), int64(-12)},
		{Float, float32(0.5), 0.5},
		{Float, int64(3), 3.0},
		{Float, math.Inf(-1), math.Inf(-1)},
		{Float, "-Infinity", math.Inf(-1)},
		{Float, []byte("NaN"), nan},
		{Float, negNaN, nan},
		{Bool, int64(1), true},
		{Bool, "f", false},
		{Time, day.In(time.FixedZone("x", 3600)), day},
		{Time, "2024-02-29 00:00:00", day},
		{Time, []byte("2024-02-29T01:00:00+01:00"), day},
		{Time, ptrTo(day.In(time.FixedZone("x", 3600))), day},
		{Time, (*time.Time)(nil), nil},
		{Bytes, []byte{1, 2}, []byte{1, 2}},
		{Bytes, myBytes{3}, []byte{3}},
		{Decimal, "-12.50", "-12.50"},
		{Decimal, int64(12), "12"},
		{Decimal, 0.25, "0.25"},
		{Int, nil, nil},
	}
	for _, tc := range cases {
		got, err := Normalize(tc.kind, tc.in)
		if err != nil {
			t.Errorf("Normalize(%v, %#v): %v", tc.kind, tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.Comparer(sameFloat)); diff != "" {
			t.Errorf("Normalize(%v, %#v) (-want +got):\n%s", tc.kind, tc.in, diff)
		}
		if x, ok := got.(float64); ok && math.IsNaN(x) && math.Float64bits(x) != math.Float64bits(nan) {
			t.Errorf("Normalize(%v, %#v) = NaN with bits %x, want the canonical NaN", tc.kind, tc.in, math.Float64bits(x))
		}
	}

	for _, tc := range []struct {
		kind Kind
		in   any
	}{
		{String, 1},
		{Int, uint64(math.MaxUint64)},
		{Int, 0.5},
		{Int, float64(1 << 53)},
		{Int, "1.0"},
		{Float, true},
		{Bool, 1.0},
		{Time, int64(0)},
		{Time, "yesterday"},
		{Bytes, 1},
		{Decimal, math.NaN()},
		{Decimal, "1e5"},
		{Kind(99), 1},
	} {
		if got, err := Normalize(tc.kind, tc.in); err == nil {
			t.Errorf("Normalize(%v, %#v) = %#v, want an error", tc.kind, tc.in, got)
		}
	}
}

// TestNormalizeTimeIsUTC checks that a normalized time is in UTC without a
// monotonic clock reading, as UTC returns it, whether or not the input
// was: the same instant has one representation.
func TestNormalizeTimeIsUTC(t *testing.T) {
	now := time.Now()
	for _, in := range []time.Time{now, now.UTC(), now.In(time.FixedZone("x", -7200)), now.Round(0).UTC()} {
		got, err := Normalize(Time, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.(time.Time) != in.UTC() {
			t.Errorf("Normalize(Time, %#v) = %#v, want %#v", in, got, in.UTC())
		}
	}
}

// sameFloat treats NaNs as equal, so that cmp.Diff can check them.
func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

func TestParseRefusesNonFinite(t *testing.T) {
	for _, raw := range []string{"NaN", "nan", "Inf", "-Inf", "+Infinity", "1e309"} {
		if v, err := Parse(Float, raw); err == nil {
			t.Errorf("Parse(Float, %q) = %v, want an error", raw, v)
		}
	}
}

func TestCompareFloatOrder(t *testing.T) {
	// Ascending, PostgreSQL's order: NaN above +Infinity.
	order := []float64{math.Inf(-1), -1, 0, 1e-300, 1, math.MaxFloat64, math.Inf(1), math.NaN()}
	for i, a := range order {
		for j, b := range order {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			got, err := Compare(Float, a, b)
			if err != nil || got != want {
				t.Errorf("Compare(%v, %v) = %d, %v; want %d", a, b, got, err, want)
			}
		}
	}
	if c := CompareFloat(math.Copysign(0, -1), 0); c != 0 {
		t.Errorf("CompareFloat(-0, 0) = %d, want 0", c)
	}
}

func TestCompareKinds(t *testing.T) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		kind Kind
		a, b any
		want int
	}{
		{String, "a", "b", -1},
		{String, "é", "z", 1},
		{Int, int64(-1), int64(-1), 0},
		{Bool, false, true, -1},
		{Time, t0.Add(1), t0, 1},
		{Bytes, []byte{1}, []byte{1, 0}, -1},
		{Decimal, "10.0", "9.99", 1},
		{Decimal, "1.50", "1.5", 0},
	} {
		got, err := Compare(tc.kind, tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("Compare(%v, %#v, %#v) = %d, %v; want %d", tc.kind, tc.a, tc.b, got, err, tc.want)
		}
	}
}

// TestCompareNeverPanics gives Compare every pairing of values of every
// kind, wrong types, nil and NaN: it answers or returns an error.
func TestCompareNeverPanics(t *testing.T) {
	values := []any{nil, "x", "1.5", int64(1), 1, 1.5, math.NaN(), true, time.Time{}, []byte{1}, myInt(1), new(big.Rat), struct{}{}}
	for k := Kind(0); k <= numKinds+1; k++ {
		for _, a := range values {
			for _, b := range values {
				c, err := Compare(k, a, b)
				if err == nil && (!Canonical(k, a) || !Canonical(k, b)) {
					t.Errorf("Compare(%v, %#v, %#v) = %d without an error", k, a, b, c)
				}
				if err != nil && Canonical(k, a) && Canonical(k, b) {
					t.Errorf("Compare(%v, %#v, %#v): %v", k, a, b, err)
				}
			}
		}
	}
}

func TestFiltersKey(t *testing.T) {
	key := func(fs ...[3]any) string {
		var k FiltersKey
		for _, f := range fs {
			k.Add(f[0].(string), f[1].(int), f[2].([]any))
		}
		return k.String()
	}
	a := [3]any{"price", 5, []any{1.5}}
	b := [3]any{"name", 0, []any{"x"}}
	if key(a, b) != key(b, a) {
		t.Error("the order of filters changes the key")
	}
	for _, other := range [][][3]any{
		{a},
		{a, {"name", 1, []any{"x"}}},
		{a, {"name", 0, []any{"y"}}},
		{{"price", 5, []any{int64(1)}}, b},
		{{"price", 5, []any{1.5, 2.5}}, b},
	} {
		if key(other...) == key(a, b) {
			t.Errorf("different filters %v share a key", other)
		}
	}
	// The text is part of every cursor's binding: it must not change
	// without a new cursor version.
	want := `f"name":0:string="x",;f"price":5:float64=1.5,;`
	if got := key(a, b); got != want {
		t.Errorf("key = %q, want %q", got, want)
	}
}

// TestFiltersKeyMatchesFmt holds the text FiltersKey writes without fmt
// to the text fmt writes, which earlier releases hashed into cursors.
func TestFiltersKeyMatchesFmt(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	values := []any{
		"", "x", `quote " and \ back`, "tab\there", "ünï", "\xff\xfe", "`back`",
		int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 1.0, 1.5, -2.25, 1e21, 1e-7, 123456789.125, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		true, false,
		time.Time{}, time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		[]byte{0, 1, 0xff}, nil, int(7),
	}
	for range 2000 {
		values = append(values,
			rnd.Int64()-rnd.Int64(),
			math.Float64frombits(rnd.Uint64()),
			rnd.NormFloat64()*math.Pow(10, float64(rnd.IntN(40)-20)),
			time.Unix(rnd.Int64N(1<<36)-1<<35, rnd.Int64N(1e9)).UTC(),
			string(rune(rnd.IntN(0x10ffff))),
		)
	}
	for _, v := range values {
		var k FiltersKey
		k.Add("f", 3, []any{v})
		want := fmt.Sprintf("f%q:%d:%T=%#v,;", "f", 3, v, v)
		if got := k.String(); got != want {
			t.Errorf("value %#v: key %q, fmt writes %q", v, got, want)
		}
	}
}

func ptrTo[V any](v V) *V { return &v }
