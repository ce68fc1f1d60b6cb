package sql

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
)

func TestClassifyTime(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ok     bool
		sep    byte
		secs   bool
		digits int
		suffix string
	}{
		{"2024-03-01", true, 0, false, 0, ""},
		{"2024-03-01 12:30", true, ' ', false, 0, ""},
		{"2024-03-01 12:30:05", true, ' ', true, 0, ""},
		{"2024-03-01T12:30:05Z", true, 'T', true, 0, "Z"},
		{"2024-03-01 12:30:05.120", true, ' ', true, 3, ""},
		{"2024-03-01 12:30:05.123456789+00:00", true, ' ', true, 9, "+00:00"},
		{"2024-03-01T12:30:05-05:30", true, 'T', true, 0, "-05:30"},
		{"2024-03-01T12:30:05+0200", true, 'T', true, 0, "+0200"},
		{"2024-03-01 12:30:05.", false, 0, false, 0, ""},
		{"2024-03-01 12:30:05.1234567890", false, 0, false, 0, ""},
		{"2024-03-01 12:30:05 UTC", false, 0, false, 0, ""},
		{"10000-01-01 00:00:00", false, 0, false, 0, ""},
		{"1709294405", false, 0, false, 0, ""},
		{"2024/03/01", false, 0, false, 0, ""},
		{"", false, 0, false, 0, ""},
	} {
		l, ok := classifyTime(tc.in)
		if ok != tc.ok {
			t.Errorf("classifyTime(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok && (l.sep != tc.sep || l.seconds != tc.secs || l.digits != tc.digits || l.suffix != tc.suffix) {
			t.Errorf("classifyTime(%q) = sep %q seconds %v digits %d suffix %q, want %q %v %d %q", tc.in, l.sep, l.seconds, l.digits, l.suffix, tc.sep, tc.secs, tc.digits, tc.suffix)
		}
	}
}

// TestTextTimesLayout checks which layout a column's values are found to
// be in, or why none serves.
func TestTextTimesLayout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   string // the layout's String, or a part of the reason
		ok     bool
	}{
		{"current_timestamp", []string{"2024-03-01 12:00:00", "2024-03-01 12:00:01"}, `"2006-01-02 15:04:05.999999999"`, true},
		{"t z seconds", []string{"2024-03-01T12:00:00Z", "2024-03-01T12:00:01Z"}, `"2006-01-02T15:04:05Z"`, true},
		{"fixed millis", []string{"2024-03-01 12:00:00.120", "2024-03-01 12:00:01.500"}, `"2006-01-02 15:04:05.000"`, true},
		{"six digits, no zero at the end", []string{"2024-03-01 12:00:00.123456+00:00", "2024-03-01 12:00:01.654321+00:00"}, `"2006-01-02 15:04:05.999999999+00:00"`, true},
		{"driver layout", []string{"2024-03-01 12:00:00+00:00", "2024-03-01 12:00:00.5+00:00", "2024-03-01 12:00:00.123456789+00:00"}, `"2006-01-02 15:04:05.999999999+00:00"`, true},
		{"python isoformat", []string{"2024-03-01 12:00:00", "2024-03-01 12:00:00.120000", "2024-03-01 12:00:00.500001"}, `"2006-01-02 15:04:05.000000" (no fraction for whole seconds)`, true},
		{"uniform offset", []string{"2024-03-01 14:00:00+02:00", "2024-03-02 14:00:00+02:00"}, `"2006-01-02 15:04:05.999999999+02:00"`, true},
		{"dates", []string{"2024-03-01", "2024-03-02"}, `"2006-01-02"`, true},
		{"minutes", []string{"2024-03-01 12:00", "2024-03-01 12:01"}, `"2006-01-02 15:04"`, true},
		{"rfc3339nano", []string{"2024-03-01T12:00:00Z", "2024-03-01T12:00:00.5Z"}, "followed by \"Z\"", false},
		{"mixed offsets", []string{"2024-03-01 12:00:00+01:00", "2024-03-01 12:00:00+02:00"}, "different zone offsets", false},
		{"mixed layouts", []string{"2024-03-01 12:00:00", "2024-03-01T12:00:00"}, "2 layouts", false},
		{"trailing zeros of varying length", []string{"2024-03-01 12:00:00.5", "2024-03-01 12:00:00.50", "2024-03-01 12:00:00.120"}, "trailing zeros", false},
		{"all-zero fraction among none", []string{"2024-03-01 12:00:00", "2024-03-01 12:00:00.000", "2024-03-01 12:00:00.120"}, "all zeros", false},
		{"not times", []string{"2024-03-01 12:00:00", "yesterday"}, "not times", false},
		{"13th month", []string{"2024-13-01 12:00:00"}, "not times", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTextTimes()
			for _, v := range tc.values {
				s.add(v)
			}
			l, why := s.layout()
			if tc.ok {
				if why != "" || l.String() != "text "+tc.want {
					t.Fatalf("layout = %s, %q; want text %s", l, why, tc.want)
				}
				for _, v := range tc.values {
					if _, ok := l.parse(v); !ok {
						t.Errorf("%s does not read back %q", l, v)
					}
				}
				return
			}
			if why == "" || !strings.Contains(why, tc.want) {
				t.Fatalf("layout = %s, %q; want a refusal mentioning %q", l, why, tc.want)
			}
		})
	}
}

// layouts are the layouts the order and bound tests run over.
func testLayouts(t *testing.T) []textTime {
	t.Helper()
	var out []textTime
	for _, layout := range []string{
		"2006-01-02 15:04:05", "2006-01-02T15:04:05Z", "2006-01-02 15:04:05.000", "2006-01-02T15:04:05.000000Z",
		"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04", "2006-01-02", "2006-01-02T15:04:05.999999",
	} {
		l, ok := layoutOf(layout)
		if !ok {
			t.Fatalf("layoutOf(%q) failed", layout)
		}
		out = append(out, l)
	}
	opt := textTime{sep: ' ', seconds: true, frac: fracOptional, digits: 6, zone: time.UTC}.compile()
	plus2 := textTime{sep: ' ', seconds: true, frac: fracTrimmed, digits: 9, suffix: "+02:00", zone: time.FixedZone("", 7200)}.compile()
	return append(out, opt, plus2)
}

// randomTimes returns times at precision p, many of them equal or close.
func randomTimes(rng *rand.Rand, n int, p time.Duration) []time.Time {
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	out := make([]time.Time, n)
	for i := range out {
		var d time.Duration
		switch rng.IntN(4) {
		case 0:
			d = time.Duration(rng.Int64N(int64(3 * time.Second)))
		case 1:
			d = time.Duration(rng.Int64N(int64(48 * time.Hour)))
		case 2:
			d = time.Duration(rng.Int64N(int64(3000*24*time.Hour))) - 1500*24*time.Hour
		}
		out[i] = base.Add(d).Truncate(p)
	}
	return out
}

// TestTextTimeOrder checks the property the layouts are chosen for: for
// times the layout holds, text order is time order, and text reads back
// to the same time.
func TestTextTimeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range testLayouts(t) {
		times := randomTimes(rng, 300, l.precision())
		for i, a := range times {
			sa, err := l.format(a)
			if err != nil {
				t.Fatal(err)
			}
			if back, ok := l.parse(sa); !ok || !back.Equal(a) {
				t.Fatalf("%s: %v written %q reads back %v, %v", l, a, sa, back, ok)
			}
			b := times[(i*7+3)%len(times)]
			sb, _ := l.format(b)
			if got, want := strings.Compare(sa, sb), a.Compare(b); got != want {
				t.Fatalf("%s: %q vs %q compare %d as text, %d as times", l, sa, sb, got, want)
			}
		}
	}
}

// TestBound checks filter values bound to a stored form: comparing the
// stored values with the bound value, as the database compares them,
// keeps exactly the times the filter keeps.
func TestBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type form struct {
		cd      valueCodec
		prec    time.Duration
		compare func(stored, bound any) int
	}
	var forms []form
	textCmp := func(a, b any) int { return strings.Compare(a.(string), b.(string)) }
	for _, l := range testLayouts(t) {
		forms = append(forms, form{l, l.precision(), textCmp})
	}
	numCmp := func(a, b any) int {
		x := float64(a.(int64))
		var y float64
		switch v := b.(type) {
		case int64:
			y = float64(v)
		case float64:
			y = v
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	forms = append(forms, form{unixTime{time.Second}, time.Second, numCmp}, form{unixTime{time.Millisecond}, time.Millisecond, numCmp})
	keeps := map[paginate.Op]func(c int) bool{
		paginate.Eq: func(c int) bool { return c == 0 }, paginate.Ne: func(c int) bool { return c != 0 },
		paginate.Lt: func(c int) bool { return c < 0 }, paginate.Lte: func(c int) bool { return c <= 0 },
		paginate.Gt: func(c int) bool { return c > 0 }, paginate.Gte: func(c int) bool { return c >= 0 },
	}
	for _, f := range forms {
		stored := randomTimes(rng, 200, f.prec)
		probes := append(randomTimes(rng, 50, time.Nanosecond), stored[:20]...)
		for _, p := range probes {
			for op, keep := range keeps {
				b, err := f.cd.bound(p, op)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range stored {
					sv, err := f.cd.position(s)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := keep(f.compare(sv, b)), keep(s.Compare(p)); got != want {
						t.Fatalf("%s: %v %s %v: bound %v keeps the stored %v: %v, want %v", f.cd, s, op, p, b, sv, got, want)
					}
				}
			}
		}
	}
}

func TestLayoutOf(t *testing.T) {
	for _, tc := range []struct {
		layout string
		ok     bool
		safe   bool
		prec   time.Duration
	}{
		{"2006-01-02 15:04:05", true, true, time.Second},
		{"2006-01-02 15:04:05.999999999-07:00", true, true, time.Nanosecond},
		{"2006-01-02T15:04:05.000Z", true, true, time.Millisecond},
		{time.RFC3339Nano, true, false, time.Nanosecond},
		{time.RFC3339, true, true, time.Second},
		{"2006-01-02 15:04:05.999", true, true, time.Millisecond},
		{"Jan 2 2006", false, false, 0},
		{"2006-01-02 03:04:05PM", false, false, 0},
		{time.Kitchen, false, false, 0},
	} {
		l, ok := layoutOf(tc.layout)
		if ok != tc.ok || ok && (l.orderSafe() != tc.safe || l.precision() != tc.prec) {
			t.Errorf("layoutOf(%q) = %s, ok %v, safe %v, precision %v; want ok %v, safe %v, precision %v", tc.layout, l, ok, l.orderSafe(), l.precision(), tc.ok, tc.safe, tc.prec)
		}
	}
}

// TestSQLMatch checks the condition the pass over every row uses, in
// SQLite itself: it holds for exactly the text that reads back in the
// layout.
func TestSQLMatch(t *testing.T) {
	db := testdb.SQLite(t)
	values := []string{
		"2024-03-01", "2024-03-01 12:00", "2024-03-01 12:00:05", "2024-03-01T12:00:05", "2024-03-01T12:00:05Z",
		"2024-03-01 12:00:05.5", "2024-03-01 12:00:05.50", "2024-03-01 12:00:05.120", "2024-03-01 12:00:05.123456",
		"2024-03-01 12:00:05.000000", "2024-03-01 12:00:05.123456789", "2024-03-01 12:00:05+00:00", "2024-03-01 12:00:05.5+00:00",
		"2024-03-01 12:00:05.50+00:00", "2024-03-01 12:00:05.123456789+00:00", "2024-03-01 12:00:05.1x3+00:00", "2024-03-01T12:00:05.000000Z",
		"2024-03-01T12:00:05.123456Z", "2024-03-01 12:00:05+02:00", "2024-03-01 12:00:05.25+02:00", "x2024-03-01 12:00:05", "2024-03-01 12:00:05 ",
	}
	for _, l := range testLayouts(t) {
		cond, args := l.sqlMatch("x")
		for _, v := range values {
			var got bool
			if err := db.Get(&got, "SELECT "+cond+" FROM (SELECT ? AS x)", append(args, v)...); err != nil {
				t.Fatalf("%s: %v", cond, err)
			}
			_, want := l.parse(v)
			if got != want {
				t.Errorf("%s: %q matches %v in SQLite (%s %v), reads back %v", l, v, got, cond, args, want)
			}
		}
	}
}

func TestUnixTimeDecode(t *testing.T) {
	if got, _ := (unixTime{time.Second}).decode(int64(1709294405)); !got.Equal(time.Unix(1709294405, 0)) {
		t.Errorf("seconds: %v", got)
	}
	if got, _ := (unixTime{time.Millisecond}).decode(int64(1709294405123)); !got.Equal(time.UnixMilli(1709294405123)) {
		t.Errorf("milliseconds: %v", got)
	}
	for _, v := range []any{"1709294405", 1.5, []byte("x")} {
		if _, err := (unixTime{time.Second}).decode(v); err == nil {
			t.Errorf("decode(%#v) succeeded", v)
		}
	}
	if _, err := (unixTime{time.Second}).position(time.Unix(1, 5)); err == nil {
		t.Error("a position finer than the column's unit was accepted")
	}
	l, _ := layoutOf("2006-01-02 15:04:05")
	for _, v := range []any{"2024-03-01T12:00:05", "2024-03-01 12:00:05.5", int64(5)} {
		if _, err := l.decode(v); err == nil {
			t.Errorf("%s decoded %#v", l, v)
		}
	}
	if _, err := l.format(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("a year-10000 time was written in a four-digit layout")
	}

}

// TestParseIsRoundTrip checks that parse accepts exactly the text that
// format writes back unchanged, on written times and on text a character
// away from them.
func TestParseIsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	edits := []func(string) string{
		func(s string) string { return s },
		func(s string) string { return s + "0" },
		func(s string) string { return s[:len(s)-1] },
		func(s string) string { return strings.Replace(s, " ", "T", 1) },
		func(s string) string { return strings.Replace(s, "T", " ", 1) },
		func(s string) string { return strings.Replace(s, ".", ".0", 1) },
		func(s string) string { return strings.Replace(s, "05", "5", 1) },
		func(s string) string { return strings.Replace(s, "+02:00", "+00:00", 1) },
		func(s string) string { return strings.Replace(s, "-03-", "-02-", 1) },
		func(s string) string { return strings.Replace(s, "01 ", "30 ", 1) },
		func(s string) string { return s + "Z" },
	}
	for _, l := range testLayouts(t) {
		for _, tm := range randomTimes(rng, 100, l.precision()) {
			base, err := l.format(tm)
			if err != nil {
				t.Fatal(err)
			}
			for _, edit := range edits {
				s := edit(base)
				var want bool
				if u, err := time.ParseInLocation(shortLayout(l), strings.TrimSuffix(s, l.suffix), l.zone); err == nil && strings.HasSuffix(s, l.suffix) {
					back, err := l.format(u)
					want = err == nil && back == s
				}
				if _, got := l.parse(s); got != want {
					t.Fatalf("%s: parse(%q) = %v, but format writes it back unchanged: %v", l, s, got, want)
				}
			}
		}
	}
}

// TestTextTimeParseMatchesTime holds textTime.parse, which reads the
// fields by position, to what time.ParseInLocation reads with the
// layout, on text each layout writes and on text with every field
// changed to other digits (days past a month's end, February 29 in
// common years, hours 24 and more, seconds 60).
func TestTextTimeParseMatchesTime(t *testing.T) {
	layouts := []textTime{
		{zone: time.UTC},
		{sep: ' ', zone: time.UTC},
		{sep: 'T', suffix: "Z", zone: time.UTC},
		{sep: ' ', seconds: true, zone: time.UTC},
		{sep: 'T', seconds: true, suffix: "Z", zone: time.UTC},
		{sep: ' ', seconds: true, frac: fracFixed, digits: 3, zone: time.UTC},
		{sep: 'T', seconds: true, frac: fracFixed, digits: 9, suffix: "+05:30", zone: time.FixedZone("", 5*3600+1800)},
		{sep: ' ', seconds: true, frac: fracOptional, digits: 6, zone: time.UTC},
		{sep: ' ', seconds: true, frac: fracTrimmed, digits: 9, suffix: "-07:00", zone: time.FixedZone("", -7*3600)},
		{sep: 'T', seconds: true, frac: fracTrimmed, digits: 9, suffix: "+0200", zone: time.FixedZone("", 7200)},
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, l := range layouts {
		l = l.compile()
		reference := func(s string) (time.Time, bool) {
			if _, ok := l.shape(s); !ok {
				return time.Time{}, false
			}
			tm, err := time.ParseInLocation(shortLayout(l), s[:len(s)-len(l.suffix)], l.zone)
			return tm.UTC(), err == nil
		}
		checked, valid := 0, 0
		for range 3000 {
			tm := time.Unix(rnd.Int64N(253402300799+62135596800)-62135596800, rnd.Int64N(1e9)).UTC()
			if rnd.IntN(4) == 0 {
				tm = tm.Truncate(time.Second)
			}
			s, err := l.format(tm)
			if err != nil {
				continue
			}
			texts := []string{s}
			// The same text with one digit changed, at each digit.
			for i := range len(s) {
				if s[i] >= '0' && s[i] <= '9' {
					b := []byte(s)
					b[i] = byte('0' + rnd.IntN(10))
					texts = append(texts, string(b))
				}
			}
			for _, x := range texts {
				got, gotOK := l.parse(x)
				want, wantOK := reference(x)
				if gotOK != wantOK || !got.Equal(want) || got.Location() != want.Location() {
					t.Fatalf("layout %s, text %q: parse = %v, %v; time.ParseInLocation = %v, %v", l, x, got, gotOK, want, wantOK)
				}
				checked++
				if gotOK {
					valid++
				}
			}
		}
		if valid == 0 || valid == checked {
			t.Errorf("layout %s: %d of %d texts valid: the test does not reach both answers", l, valid, checked)
		}
	}
}

// BenchmarkTextTimeParse measures reading one stored time in go-sqlite3's
// layout (a trimmed fraction and an offset): a whole second, which parse
// matches in one pass, and a time with a fraction; and, for reference,
// time.ParseInLocation on the same text without its offset.
func BenchmarkTextTimeParse(b *testing.B) {
	l := textTime{sep: ' ', seconds: true, frac: fracTrimmed, digits: 9, suffix: "+00:00", zone: time.UTC}.compile()
	for _, s := range []string{"2024-08-19 11:40:00+00:00", "2024-08-19 11:40:00.123456+00:00"} {
		b.Run("len="+strconv.Itoa(len(s)), func(b *testing.B) {
			for b.Loop() {
				if _, ok := l.parse(s); !ok {
					b.Fatalf("parse(%q) failed", s)
				}
			}
		})
		b.Run("time.ParseInLocation/len="+strconv.Itoa(len(s)), func(b *testing.B) {
			text := strings.TrimSuffix(s, l.suffix)
			for b.Loop() {
				if _, err := time.ParseInLocation(l.goLayout(), text, time.UTC); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestUnixDays holds unixDays to time.Date on every day of years around
// each rule of the calendar: year 0 (a leap year), the first years of
// eras and centuries, the Unix epoch, and the last year a layout holds.
func TestUnixDays(t *testing.T) {
	for _, y := range []int{0, 1, 3, 4, 99, 100, 399, 400, 401, 1600, 1899, 1900, 1969, 1970, 1971, 2000, 2024, 2100, 2400, 9998, 9999} {
		for d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == y; d = d.AddDate(0, 0, 1) {
			want := d.Unix() / 86400
			if d.Unix() < 0 && d.Unix()%86400 != 0 {
				want-- // floor division
			}
			if got := unixDays(d.Year(), int(d.Month()), d.Day()); int64(got) != want {
				t.Fatalf("unixDays(%s) = %d, want %d", d.Format(time.DateOnly), got, want)
			}
		}
	}
}

// shortLayout returns l's Go layout without its fraction: what the layout
// writes for a whole second under fracOptional.
func shortLayout(l textTime) string {
	s, _, _ := strings.Cut(l.goLayout(), ".")
	return s
}

// TestAppendFormatMatchesTime holds textTime.appendFormat, which writes
// the digits itself, to time.Format with the layout's Go layout, followed
// by the suffix (and without the fraction on a whole second under
// fracOptional): every separator, with and without seconds, each kind of
// fraction at each length, in three zones, on times of the years 0000 to
// 9999 whose fractions end in any number of zeros.
func TestAppendFormatMatchesTime(t *testing.T) {
	zones := []struct {
		suffix string
		zone   *time.Location
	}{{"", time.UTC}, {"Z", time.UTC}, {"+05:30", time.FixedZone("", 5*3600+1800)}, {"-0700", time.FixedZone("", -7*3600)}}
	var layouts []textTime
	for _, z := range zones {
		layouts = append(layouts, textTime{zone: z.zone}, textTime{sep: ' ', suffix: z.suffix, zone: z.zone})
		for _, sep := range []byte{' ', 'T'} {
			layouts = append(layouts, textTime{sep: sep, seconds: true, suffix: z.suffix, zone: z.zone})
			for _, frac := range []fracKind{fracFixed, fracOptional, fracTrimmed} {
				for digits := 1; digits <= 9; digits++ {
					layouts = append(layouts, textTime{sep: sep, seconds: true, frac: frac, digits: digits, suffix: z.suffix, zone: z.zone})
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	pow10 := []int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}
	for _, l := range layouts {
		l = l.compile()
		for range 200 {
			sec := rng.Int64N(253402300799+62135596800) - 62135596800
			nsec := rng.Int64N(1e9) / pow10[rng.IntN(10)] * pow10[rng.IntN(10)] % 1e9
			tm := time.Unix(sec, nsec)
			local := tm.In(l.zone)
			layout := l.goLayout()
			if l.frac == fracOptional && local.Nanosecond() == 0 {
				layout = shortLayout(l)
			}
			got, err := l.appendFormat([]byte("x"), tm)
			if y := local.Year(); y < 0 || y > 9999 {
				if err == nil {
					t.Fatalf("layout %s: %v formatted as %q, want an error for the year %d", l, tm, got, y)
				}
				continue
			}
			if want := "x" + local.Format(layout) + l.suffix; err != nil || string(got) != want {
				t.Fatalf("layout %s: appendFormat(%v) = %q, %v; time.Format writes %q", l, tm, got, err, want)
			}
		}
	}
}
