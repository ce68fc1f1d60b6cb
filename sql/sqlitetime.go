package sql

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-paginate/paginate"
)

// SQLite has no time type. Applications store times as text in one of a
// few layouts (CURRENT_TIMESTAMP's "2006-01-02 15:04:05", ISO 8601 with a
// T and a Z, with fractions of a second, with a zone offset, or the layout
// github.com/mattn/go-sqlite3 writes for a time.Time), or as integer Unix
// seconds or milliseconds; SQLite compares them as text or as integers.
// The check finds, for each time field, how its column is stored (see
// checkSQLite), and the field's values are converted between time.Time
// and that form by a valueCodec: filters and positions are bound in the
// stored form, and stored values are read back through it, each checked
// to come back exactly as stored.

// valueCodec converts one field's values between paginate's form and the
// form its column stores them in.
type valueCodec interface {
	// decode converts a value as the driver returns it. A value not in
	// the column's form is an error.
	decode(v any) (time.Time, error)
	// position converts a position's value, read from the column.
	position(t time.Time) (any, error)
	// bound converts a filter's value under op so that the comparison
	// selects the rows it selects on exact times: a bound between two
	// storable times moves to the one that keeps the same rows, and an
	// equality with a time the column cannot hold matches nothing.
	bound(t time.Time, op paginate.Op) (any, error)
	// String describes the stored form, for messages.
	String() string
}

// fracKind says how a text layout writes fractions of a second.
type fracKind uint8

const (
	fracNone     fracKind = iota // no fraction
	fracFixed                    // always digits digits
	fracOptional                 // digits digits, or none for a whole second
	fracTrimmed                  // up to digits digits, trailing zeros dropped, none for a whole second
)

// textTime is a text time layout: a date, then optionally a time of day
// (to the minute, the second or a fraction of it) and a zone suffix.
type textTime struct {
	sep     byte // ' ' or 'T' before the time; 0 for a date alone
	seconds bool // HH:MM:SS, else HH:MM
	frac    fracKind
	digits  int    // of the fraction
	suffix  string // "", "Z", "+hh:mm", "-hh:mm", "+hhmm"
	zone    *time.Location

	// whole, set by compile, is the pattern of the text of a time on a
	// whole second, which parse matches in one pass: '#' stands for a
	// digit, any other byte for itself.
	whole string
}

// compile fills in the pattern parse matches.
func (l textTime) compile() textTime {
	l.whole = l.wholePattern()
	return l
}

// wholePattern returns the pattern of the text l writes for a time on a
// whole second: '#' for each digit, the other bytes as written. A date
// alone has no suffix, as shapeOf reads it.
func (l textTime) wholePattern() string {
	p := "####-##-##"
	if l.sep == 0 {
		return p
	}
	p += string(l.sep) + "##:##"
	if l.seconds {
		p += ":##"
		if l.frac == fracFixed {
			p += "." + strings.Repeat("#", l.digits)
		}
	}
	return p + l.suffix
}

// goLayout returns the time.Format layout of l without its suffix, with
// the fraction as written for a time whose fraction is not zero.
func (l textTime) goLayout() string {
	if l.sep == 0 {
		return time.DateOnly
	}
	s := "2006-01-02" + string(l.sep) + "15:04"
	if !l.seconds {
		return s
	}
	s += ":05"
	switch l.frac {
	case fracFixed, fracOptional:
		s += "." + strings.Repeat("0", l.digits)
	case fracTrimmed:
		s += "." + strings.Repeat("9", l.digits)
	}
	return s
}

// precision is the finest difference between two times the layout holds.
func (l textTime) precision() time.Duration {
	switch {
	case l.sep == 0:
		return 24 * time.Hour
	case !l.seconds:
		return time.Minute
	case l.frac == fracNone:
		return time.Second
	}
	p := time.Duration(1)
	for range 9 - l.digits {
		p *= 10
	}
	return p
}

// String describes the layout: its Go layout and suffix, as a user would
// write it.
func (l textTime) String() string {
	s := fmt.Sprintf("text %q", l.goLayout()+l.suffix)
	if l.frac == fracOptional {
		s += " (no fraction for whole seconds)"
	}
	return s
}

// orderSafe reports whether text order is time order for the layout:
// always for fixed widths; where the fraction's length varies, the
// character after it must sort below '.' (the end of the text, or a zone
// offset's sign), so that "12:00:00+00:00" sorts before "12:00:00.5+00:00"
// but "12:00:00Z" would sort after "12:00:00.5Z".
func (l textTime) orderSafe() bool {
	if l.frac != fracOptional && l.frac != fracTrimmed {
		return true
	}
	return l.suffix == "" || l.suffix[0] == '+' || l.suffix[0] == '-'
}

// appendFormat appends t written in the layout, in the layout's zone: the
// text t.Format with the layout's Go layout writes, followed by the
// suffix, with the digits written directly (a position is formatted on
// every keyset request; TestAppendFormatMatchesTime holds the two equal).
func (l textTime) appendFormat(b []byte, t time.Time) ([]byte, error) {
	t = t.In(l.zone)
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return b, fmt.Errorf("%s is outside the years 0000-9999 that %s holds", t.Format(time.RFC3339Nano), l)
	}
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	if l.sep != 0 {
		hour, minute, second := t.Clock()
		b = append(b, l.sep)
		b = appendDigits(b, hour, 2)
		b = append(b, ':')
		b = appendDigits(b, minute, 2)
		if l.seconds {
			b = append(b, ':')
			b = appendDigits(b, second, 2)
			b = l.appendFraction(b, t.Nanosecond())
		}
	}
	return append(b, l.suffix...), nil
}

// appendFraction appends the fraction of a second nsec as the layout
// writes it: its first digits digits, truncated, after a '.'; for
// fracOptional nothing on a whole second, and for fracTrimmed without
// trailing zeros, and nothing when no digit is left.
func (l textTime) appendFraction(b []byte, nsec int) []byte {
	if l.frac == fracNone || l.frac == fracOptional && nsec == 0 {
		return b
	}
	digits := l.digits
	for range 9 - digits {
		nsec /= 10
	}
	if l.frac == fracTrimmed {
		for digits > 0 && nsec%10 == 0 {
			nsec /= 10
			digits--
		}
		if digits == 0 {
			return b
		}
	}
	b = append(b, '.')
	return appendDigits(b, nsec, digits)
}

// appendDigits appends v, which is at least 0 and less than 10^n, in n
// decimal digits with leading zeros.
func appendDigits(b []byte, v, n int) []byte {
	start := len(b)
	b = append(b, "000000000"[:n]...)
	for i := len(b) - 1; i >= start && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// format writes t in the layout, in the layout's zone.
func (l textTime) format(t time.Time) (string, error) {
	var buf [64]byte
	b, err := l.appendFormat(buf[:0], t)
	return string(b), err
}

// parse reads a value written in the layout; it reports false for text
// that does not come back exactly as it is when written again. It reads
// the fields by position, as shape checked them to be (or, for a whole
// second or a fixed width, as one pass against the layout's pattern finds
// them), which is what time.ParseInLocation with the layout does;
// TestTextTimeParseMatchesTime holds the two equal. Stored keys are
// parsed on every row: BenchmarkTextTimeParse measures about 30 ns for a
// whole second and 60 ns with a fraction, and time.ParseInLocation, beside
// it, about 90 and 105 ns for the same text without its offset.
func (l textTime) parse(s string) (time.Time, bool) {
	if l.whole != "" && len(s) == len(l.whole) && matches(s, l.whole) {
		// The common case, one pass over the text: a whole second, or
		// any time of a fixed-width layout.
		frac := ""
		if l.frac == fracFixed {
			frac = s[20 : 20+l.digits]
		}
		return l.fields(s, l.sep != 0, l.seconds, frac)
	}
	sh, ok := l.shape(s)
	if !ok {
		return time.Time{}, false
	}
	return l.fields(s, sh.sep != 0, sh.seconds, sh.frac)
}

// fields reads the time s holds, whose shape was checked: a date, a time
// of day when clock, seconds when seconds, and the fraction's digits frac.
// It reports false for a date or time of day that does not exist.
func (l textTime) fields(s string, clock, seconds bool, frac string) (time.Time, bool) {
	year, month, day := digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2)
	var hour, minute, second, nsec int
	if clock {
		hour, minute = digitsAt(s, 11, 2), digitsAt(s, 14, 2)
		if seconds {
			second = digitsAt(s, 17, 2)
			nsec = digitsAt(frac, 0, len(frac))
			for range 9 - len(frac) {
				nsec *= 10
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	if l.zone == time.UTC {
		// The common zone, by arithmetic: time.Date is general, and slower.
		sec := int64(unixDays(year, month, day))*86400 + int64(hour*3600+minute*60+second)
		return time.Unix(sec, int64(nsec)).UTC(), true
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, nsec, l.zone).UTC(), true
}

// unixDays returns the number of days from 1970-01-01 to the date y-m-d
// of the proleptic Gregorian calendar, for a valid date of the years 0
// to 9999: the count of whole 400-year eras, and of days into the era,
// of a year that starts on March 1 (so that February 29 ends it).
func unixDays(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400                  // year of the era, 0 to 399
	doy := (153*((m+9)%12)+2)/5 + d - 1 // day of the year from March 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468 // 719468: days from 0000-03-01 to 1970-01-01
}

// matches reports whether s, of pattern's length, has its shape: a digit
// where pattern has '#', pattern's byte elsewhere.
func matches(s, pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		if p, c := pattern[i], s[i]; p == '#' {
			if c < '0' || c > '9' {
				return false
			}
		} else if c != p {
			return false
		}
	}
	return true
}

// digitsAt returns the number the n decimal digits of s at i spell.
func digitsAt(s string, i, n int) int {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		v = v*10 + int(c-'0')
	}
	return v
}

// daysIn returns the number of days of month m in year y of the
// proleptic Gregorian calendar.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// shape returns s's structure, and whether it is the structure the
// layout writes: the same fields at the same widths, the same suffix, and
// a fraction as the layout writes it. With a valid calendar, such text is
// what format writes for the time it holds.
func (l textTime) shape(s string) (timeShape, bool) {
	sh, ok := shapeOf(s)
	if !ok || sh.sep != l.sep || sh.seconds != l.seconds || sh.suffix != l.suffix {
		return sh, false
	}
	switch l.frac {
	case fracFixed:
		return sh, sh.digits == l.digits
	case fracOptional:
		return sh, sh.digits == 0 || sh.digits == l.digits && strings.Trim(sh.frac, "0") != ""
	case fracTrimmed:
		return sh, sh.digits == 0 || sh.digits <= l.digits && sh.frac[sh.digits-1] != '0'
	}
	return sh, sh.digits == 0
}

func (l textTime) decode(v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case time.Time:
		return x.UTC(), nil
	default:
		return time.Time{}, fmt.Errorf("stored time %v (%T) is not %s, the column's layout when it was checked", v, v, l)
	}
	t, ok := l.parse(s)
	if !ok {
		return time.Time{}, fmt.Errorf("stored time %q is not %s, the column's layout when it was checked", s, l)
	}
	return t, nil
}

func (l textTime) position(t time.Time) (any, error) { return l.format(t) }

func (l textTime) bound(t time.Time, op paginate.Op) (any, error) {
	// Every stored value is text that starts with a four-digit year: ":"
	// sorts after all of them and "" before, as a time after the year 9999
	// or before the year 0 does.
	switch y := t.In(l.zone).Year(); {
	case y > 9999:
		return ":", nil
	case y < 0:
		return "", nil
	}
	p := l.precision()
	down := t.Truncate(p)
	if down.Equal(t) {
		return l.format(t)
	}
	switch op {
	case paginate.Lt, paginate.Gte:
		return l.format(down.Add(p))
	case paginate.Lte, paginate.Gt:
		return l.format(down)
	}
	// Eq, Ne, In: no stored value equals a time the layout cannot hold;
	// nine digits of fraction make text no stored value equals.
	exact := textTime{sep: l.sep, seconds: true, frac: fracFixed, digits: 9, suffix: l.suffix, zone: l.zone}
	if exact.sep == 0 {
		exact.sep = ' '
	}
	return exact.compile().format(t)
}

// unixTime is integer Unix time in seconds or milliseconds.
type unixTime struct {
	unit time.Duration // time.Second or time.Millisecond
}

func (u unixTime) String() string {
	if u.unit == time.Millisecond {
		return "integer Unix milliseconds"
	}
	return "integer Unix seconds"
}

func (u unixTime) decode(v any) (time.Time, error) {
	switch x := v.(type) {
	case int64:
		if u.unit == time.Millisecond {
			return time.UnixMilli(x).UTC(), nil
		}
		return time.Unix(x, 0).UTC(), nil
	case time.Time:
		return x.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("stored time %v (%T) is not %s, the column's form when it was checked", v, v, u)
}

func (u unixTime) toInt(t time.Time) int64 {
	if u.unit == time.Millisecond {
		return t.UnixMilli()
	}
	return t.Unix()
}

func (u unixTime) position(t time.Time) (any, error) {
	if !t.Truncate(u.unit).Equal(t) {
		return nil, fmt.Errorf("position %s is finer than %s", t.Format(time.RFC3339Nano), u)
	}
	return u.toInt(t), nil
}

func (u unixTime) bound(t time.Time, op paginate.Op) (any, error) {
	down := t.Truncate(u.unit)
	if down.Equal(t) {
		return u.toInt(t), nil
	}
	switch op {
	case paginate.Lt, paginate.Gte:
		return u.toInt(down.Add(u.unit)), nil
	case paginate.Lte, paginate.Gt:
		return u.toInt(down), nil
	}
	// Eq, Ne, In: a half unit equals no stored integer.
	return float64(u.toInt(down)) + 0.5, nil
}

// classifyTime reads the structure of a time written as text: which
// textTime layout it is in, with the fraction's digits as written
// (fracFixed, or fracNone). It reports false for text that is not a date
// and time in one of the layouts textTime describes.
func classifyTime(s string) (textTime, bool) {
	sh, ok := shapeOf(s)
	if !ok {
		return textTime{}, false
	}
	l := textTime{sep: sh.sep, seconds: sh.seconds, digits: sh.digits, suffix: sh.suffix}
	if l.digits > 0 {
		l.frac = fracFixed
	}
	l.zone, ok = zoneOf(l.suffix)
	return l, ok
}

// timeShape is the structure of a time written as text.
type timeShape struct {
	sep     byte
	seconds bool
	digits  int // of the fraction
	frac    string
	suffix  string
}

// shapeOf reads the structure of a time written as text, without
// checking the calendar.
func shapeOf(s string) (timeShape, bool) {
	var sh timeShape
	if len(s) < 10 || !shaped(s[:10], "9999-99-99") {
		return sh, false
	}
	if len(s) == 10 {
		return sh, true
	}
	if len(s) < 16 || !shaped(s[10:16], "_99:99") {
		return sh, false
	}
	sh.sep = s[10]
	rest := s[16:]
	if len(rest) >= 3 && shaped(rest[:3], ":99") {
		sh.seconds = true
		var ok bool
		if sh.frac, rest, ok = cutFraction(rest[3:]); !ok {
			return sh, false
		}
		sh.digits = len(sh.frac)
	}
	sh.suffix = rest
	return sh, rest == "" || rest == "Z" ||
		len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && shaped(rest[1:], "99:99") ||
		len(rest) == 5 && (rest[0] == '+' || rest[0] == '-') && shaped(rest[1:], "9999")
}

// shaped reports whether s has the shape of pattern: '9' stands for a
// digit, '_' for a space or a T, any other byte for itself.
func shaped(s, pattern string) bool {
	if len(s) != len(pattern) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch p, c := pattern[i], s[i]; p {
		case '9':
			if c < '0' || c > '9' {
				return false
			}
		case '_':
			if c != ' ' && c != 'T' {
				return false
			}
		default:
			if c != p {
				return false
			}
		}
	}
	return true
}

// cutFraction cuts a fraction of a second, "." and 1 to 9 digits, off the
// start of s, returning the digits ("" for none) and the rest.
func cutFraction(s string) (string, string, bool) {
	if s == "" || s[0] != '.' {
		return "", s, true
	}
	n := 1
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return s[1:n], s[n:], n >= 2 && n <= 10
}

// zoneOf returns the zone of a suffix shapeOf accepted.
func zoneOf(suffix string) (*time.Location, bool) {
	if len(suffix) < 5 {
		return time.UTC, true // "", "Z"
	}
	h, _ := strconv.Atoi(suffix[1:3])
	m, _ := strconv.Atoi(suffix[len(suffix)-2:])
	off := h*3600 + m*60
	if suffix[0] == '-' {
		off = -off
	}
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone(suffix, off), true
}

// sqlMatch returns an SQLite condition, with its arguments, that holds
// for the text x names exactly when it is written in the layout: the
// pass over every row checks the layout of the first rows with it.
func (l textTime) sqlMatch(x string) (string, []any) {
	base := "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
	if l.sep != 0 {
		base += string(l.sep) + "[0-9][0-9]:[0-9][0-9]"
		if l.seconds {
			base += ":[0-9][0-9]"
		}
	}
	n := len(base) - 4*strings.Count(base, "[0-9]") // characters matched
	suffix := l.suffix
	whole := fmt.Sprintf("(length(%s) = %d AND %s GLOB ?)", x, n+len(suffix), x)
	switch l.frac {
	case fracFixed:
		return fmt.Sprintf("(length(%s) = %d AND %s GLOB ?)", x, n+1+l.digits+len(suffix), x),
			[]any{base + "." + strings.Repeat("[0-9]", l.digits) + suffix}
	case fracOptional:
		return fmt.Sprintf("(%s OR (length(%s) = %d AND %s GLOB ? AND %s NOT GLOB ?))", whole, x, n+1+l.digits+len(suffix), x, x),
			[]any{base + suffix, base + "." + strings.Repeat("[0-9]", l.digits) + suffix, base + "." + strings.Repeat("0", l.digits) + suffix}
	case fracTrimmed:
		// A fraction of 1 to digits digits, the last not 0.
		return fmt.Sprintf("(%s OR (length(%s) BETWEEN %d AND %d AND %s GLOB ? AND substr(%s, %d, length(%s) - %d) NOT GLOB '*[^0-9]*'))",
				whole, x, n+2+len(suffix), n+1+l.digits+len(suffix), x, x, n+2, x, n+1+len(suffix)),
			[]any{base + suffix, base + ".*[1-9]" + suffix}
	}
	return whole, []any{base + suffix}
}

// layoutOf returns the textTime a time.Format layout writes, for times in
// UTC, or false when it writes something textTime does not describe.
func layoutOf(layout string) (textTime, bool) {
	at := func(nsec int) (textTime, bool) {
		return classifyTime(time.Date(2001, 2, 3, 4, 5, 6, nsec, time.UTC).Format(layout))
	}
	whole, ok0 := at(0)
	fine, ok1 := at(123456789)
	tenth, ok2 := at(100000000)
	if !ok0 || !ok1 || !ok2 || whole.sep != fine.sep || whole.seconds != fine.seconds || whole.suffix != fine.suffix {
		return textTime{}, false
	}
	l := fine
	switch {
	case fine.frac == fracNone:
	case whole.frac == fracFixed && tenth.digits == fine.digits:
		l.frac = fracFixed
	case whole.frac == fracNone && tenth.digits == 1:
		l.frac = fracTrimmed
	case whole.frac == fracNone && tenth.digits == fine.digits:
		l.frac = fracOptional
	default:
		return textTime{}, false
	}
	l = l.compile()
	for _, nsec := range []int{0, 123456789, 100000000, 999999999} {
		t := time.Date(2001, 2, 3, 4, 5, 6, nsec, time.UTC)
		got, err := l.format(t)
		if err != nil || got != t.Format(layout) {
			return textTime{}, false
		}
	}
	return l, true
}

// layoutKey groups stored values by layout, fraction length aside.
type layoutKey struct {
	sep     byte
	seconds bool
	suffix  string
}

// textTimes gathers the layouts of a column's text values.
type textTimes struct {
	n        int64
	keys     map[layoutKey]string // an example of each
	digits   map[int]int64        // how many values have each fraction length
	trailing int64                // values whose fraction ends in 0
	zeroFrac int64                // values whose fraction is all zeros
	bad      int64                // values that are not times textTime reads
	badEx    string
	trailEx  string
	zone     *time.Location
	compiled map[textTime]textTime // classified layouts, compiled
}

func newTextTimes() *textTimes {
	return &textTimes{keys: map[layoutKey]string{}, digits: map[int]int64{}, compiled: map[textTime]textTime{}}
}

func (s *textTimes) add(v string) {
	s.n++
	l, ok := classifyTime(v)
	if ok {
		c, seen := s.compiled[l]
		if !seen && len(s.compiled) < 64 {
			c = l.compile()
			s.compiled[l] = c
		} else if !seen {
			c = l.compile()
		}
		// Check the calendar too: the structure may hold a 13th month.
		_, ok = c.parse(v)
	}
	if !ok {
		s.bad++
		if s.badEx == "" {
			s.badEx = v
		}
		return
	}
	k := layoutKey{l.sep, l.seconds, l.suffix}
	if _, seen := s.keys[k]; !seen && len(s.keys) < 16 {
		s.keys[k] = v
	}
	s.zone = l.zone
	s.digits[l.digits]++
	if l.digits > 0 {
		frac := v[20 : 20+l.digits]
		if frac[len(frac)-1] == '0' {
			s.trailing++
			if s.trailEx == "" {
				s.trailEx = v
			}
		}
		if strings.Trim(frac, "0") == "" {
			s.zeroFrac++
		}
	}
}

// layout decides the one layout the values are in, or says why there is
// none whose text order is time order.
func (s *textTimes) layout() (textTime, string) {
	if s.bad > 0 {
		return textTime{}, fmt.Sprintf("%d of %d stored values are not times in a layout the library reads (such as %q)", s.bad, s.n, s.badEx)
	}
	if len(s.keys) > 1 {
		var ex []string
		suffixes := map[string]bool{}
		for k, v := range s.keys {
			ex = append(ex, strconv.Quote(v))
			suffixes[k.suffix] = true
		}
		slices.Sort(ex)
		if len(suffixes) == len(s.keys) {
			return textTime{}, fmt.Sprintf("the stored times have different zone offsets (%s), so their text order is not time order", strings.Join(ex, ", "))
		}
		return textTime{}, fmt.Sprintf("the stored times are written in %d layouts (%s), which do not compare as text", len(s.keys), strings.Join(ex, ", "))
	}
	var l textTime
	for k := range s.keys {
		l = textTime{sep: k.sep, seconds: k.seconds, suffix: k.suffix, zone: s.zone}
	}
	if l.zone == nil {
		l.zone = time.UTC
	}
	var lens []int
	for d := range s.digits {
		lens = append(lens, d)
	}
	slices.Sort(lens)
	// Where the values fit both, a trimmed fraction (what go-sqlite3 and
	// Go's RFC 3339 layouts write) is preferred to a fixed width, as the
	// more general: a column of whole seconds, or of six digits that
	// happen to end in no zero, may later hold other lengths. A trailing
	// zero proves a fixed width.
	trimmed := textTime{sep: l.sep, seconds: l.seconds, suffix: l.suffix, zone: l.zone, frac: fracTrimmed, digits: 9}
	switch {
	case len(lens) == 1 && lens[0] > 0:
		l.frac, l.digits = fracFixed, lens[0]
		if s.trailing == 0 && trimmed.orderSafe() {
			l = trimmed
		}
		return l.compile(), ""
	case len(lens) <= 1:
		// Whole seconds only: bind finer times with a trimmed fraction
		// where that sorts right, else at the layout's precision.
		if l.seconds && trimmed.orderSafe() {
			l = trimmed
		}
		return l.compile(), ""
	case len(lens) == 2 && lens[0] == 0 && s.trailing > 0:
		l.frac, l.digits = fracOptional, lens[1]
		if s.zeroFrac > 0 {
			return textTime{}, fmt.Sprintf("the stored times write fractions of %d digits, some all zeros, and some none: equal times would compare unequal as text", lens[1])
		}
	default:
		l.frac, l.digits = fracTrimmed, 9
		if s.trailing > 0 {
			return textTime{}, fmt.Sprintf("the stored times write fractions of varying length, some with trailing zeros (such as %q): equal times would compare unequal as text", s.trailEx)
		}
	}
	if !l.orderSafe() {
		return textTime{}, fmt.Sprintf("the stored times write fractions of varying length followed by %q, so \"...:05%s\" sorts after \"...:05.5%s\" as text although it is earlier", l.suffix, l.suffix, l.suffix)
	}
	return l.compile(), ""
}

// setCodecs installs the codecs the check found: values of those fields
// are selected as stored (without the driver's own conversion of
// TIMESTAMP columns) and decoded when scanned.
func (c *common) setCodecs(codecs []valueCodec) {
	found := false
	for i, cd := range codecs {
		if cd == nil || c.dests[i] == nil {
			continue
		}
		c.dests[i].codec = cd
		found = true
	}
	if found {
		c.check.codecs = codecs // else nil: no field pays for conversions
	}
}

// decodingScanner returns a Scanner that decodes the value scanned into
// it with cd and stores it in the field ptr points to: directly in a
// time.Time field, which costs no allocation per row, else through
// assign or through the field's own Scan method.
func decodingScanner(ptr any, assign assignFunc, cd valueCodec) sql.Scanner {
	store := func(x any) error {
		if assign != nil {
			return assign(ptr, x)
		}
		if s, ok := ptr.(sql.Scanner); ok {
			return s.Scan(x)
		}
		return fmt.Errorf("cannot store a time in %T", ptr)
	}
	return scanFunc(func(v any) error {
		if v == nil {
			return store(nil)
		}
		t, err := cd.decode(v)
		if err != nil {
			return err
		}
		if p, ok := ptr.(*time.Time); ok {
			*p = t
			return nil
		}
		return store(t)
	})
}

// scanFunc is a sql.Scanner made of a function.
type scanFunc func(any) error

func (f scanFunc) Scan(v any) error { return f(v) }

// selectItem is the select-list item of schema field i under alias: its
// column, or, for a field whose values a codec decodes, an expression of
// the same value that the driver does not convert (go-sqlite3 turns the
// text of a TIMESTAMP column into a time.Time by its own rules, which
// would hide a value in another layout). Such an expression is not
// aliased with the field's name: SQLite resolves a name in ORDER BY to a
// result column of that name before a table's column, and ordering by the
// expression would keep it from reading an index in order.
func (c *common) selectItem(i int, alias string) string {
	col := c.fields[i].ColumnName()
	if cs := c.check.codecs; cs != nil && cs[i] != nil {
		if !strings.HasPrefix(alias, "_") {
			alias = c.dialect.quote("_t_" + c.fields[i].Name)
		}
		return "+(" + col + ") AS " + alias
	}
	return col + " AS " + alias
}

// timeKey is a sort key whose field's values a codec decodes.
type timeKey struct {
	key   int // the key's index in the sort
	codec valueCodec
	name  string // the field's name, for errors
}

// timeKeys returns the sort keys of sortIdx (schema indexes) whose fields
// have codecs.
func (c *common) timeKeys(sortIdx []int) []timeKey {
	cs := c.check.codecs
	if cs == nil {
		return nil
	}
	var out []timeKey
	for k, fi := range sortIdx {
		if cs[fi] != nil {
			out = append(out, timeKey{key: k, codec: cs[fi], name: c.fields[fi].Name})
		}
	}
	return out
}

// decodeKeys decodes, in place, a scanned row's sort-key values whose
// fields have codecs. Each decoded time is appended to times, a buffer
// the Fetch allocates once, and its key slot gets a pointer to it: a
// time.Time boxed in the slot would cost an allocation per row. It
// returns times.
func (s *shape) decodeKeys(keys []any, times []time.Time) ([]time.Time, error) {
	for _, tk := range s.timeKeys {
		v := keys[tk.key]
		if v == nil {
			continue
		}
		t, err := tk.codec.decode(v)
		if err != nil {
			return times, fmt.Errorf("field %q: %w", tk.name, err)
		}
		// An append that grows the buffer leaves the pointers already
		// taken in the old array, whose values stay as they are.
		times = append(times, t)
		keys[tk.key] = &times[len(times)-1]
	}
	return times, nil
}

// encodeQuery converts q's filter values and position, for fields with
// codecs, to their stored form. It copies what it changes: q's slices
// belong to the caller.
func (c *common) encodeQuery(q *paginate.Query) error {
	cs := c.check.codecs
	if cs == nil {
		return nil
	}
	var filters []paginate.Condition
	for i, f := range q.Filters {
		fi, ok := c.byName[f.Field.Name]
		if !ok || cs[fi] == nil {
			continue
		}
		if filters == nil {
			filters = slices.Clone(q.Filters)
		}
		vals := make([]any, len(f.Values))
		for j, v := range f.Values {
			t, ok := v.(time.Time)
			if !ok {
				vals[j] = v
				continue
			}
			x, err := cs[fi].bound(t, f.Op)
			if err != nil {
				return fmt.Errorf("paginate/sql: filter on %q: %w", f.Field.Name, err)
			}
			vals[j] = x
		}
		filters[i].Values = vals
	}
	if filters != nil {
		q.Filters = filters
	}
	if q.After == nil {
		return nil
	}
	var after []any
	for k, o := range q.Sort {
		fi, ok := c.byName[o.Field.Name]
		if !ok || cs[fi] == nil || k >= len(q.After) {
			continue
		}
		t, ok := q.After[k].(time.Time)
		if !ok {
			continue
		}
		if after == nil {
			after = slices.Clone(q.After)
		}
		x, err := cs[fi].position(t)
		if err != nil {
			return fmt.Errorf("paginate/sql: position of %q: %w", o.Field.Name, err)
		}
		after[k] = x
	}
	if after != nil {
		q.After = after
	}
	return nil
}
