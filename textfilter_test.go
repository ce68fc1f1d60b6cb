package paginate_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// note is a row for the null, prefix and contains tests.
type note struct {
	ID    int64   `db:"id"`
	Text  string  `db:"text"`
	Label *string `db:"label"`
	Score *int64  `db:"score"`
}

func noteFields() []paginate.Field {
	return []paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "text", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Prefix, paginate.Contains}},
		{Name: "label", Type: paginate.String, Nullable: true, Ops: []paginate.Op{paginate.IsNull, paginate.Prefix, paginate.Contains}},
		{Name: "score", Type: paginate.Int, Nullable: true, Ops: []paginate.Op{paginate.IsNull, paginate.Gte}},
	}
}

func noteSchema(t testing.TB) *paginate.Schema {
	t.Helper()
	s, err := paginate.NewSchema(noteFields(), "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hostileTexts are values whose characters are wildcards or escapes
// somewhere: LIKE's % and _, the backslash and ! escapes, GLOB's * ? [ ],
// quotes, and text beyond ASCII.
var hostileTexts = []string{
	"abc", "ABC", "a%c", "a_c", `a\c`, `a\%c`, "a!c", "a!%", "a*c", "a?c", "a[b]c", "[a]",
	"it's", `say "hi"`, "%", "_", `\`, "!", "%%", "__", "100%", "x_y_z", "ñandú", "Ñandú",
	"日本語", "🙂 smile", "e\u0301", "é", "a b", "ab ", "",
}

func notes() []note {
	out := make([]note, len(hostileTexts))
	for i, s := range hostileTexts {
		n := note{ID: int64(i + 1), Text: s}
		if i%3 != 0 {
			l := hostileTexts[(i*5)%len(hostileTexts)]
			n.Label = &l
		}
		if i%4 == 1 {
			sc := int64(i)
			n.Score = &sc
		}
		out[i] = n
	}
	return out
}

// filterIDs returns the ids of every row of rows the filters keep, through
// an offset paginator over Memory with cfg, in id order.
func filterIDs(t *testing.T, rows []note, cfg paginate.MemoryConfig[note], filters ...paginate.Filter) ([]int64, error) {
	t.Helper()
	s := noteSchema(t)
	m, err := paginate.NewMemory(rows, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := paginate.NewOffset(m, s, paginate.OffsetConfig{PerPage: 100, MaxPerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := p.Paginate(context.Background(), paginate.Request{Filters: filters})
	if err != nil {
		return nil, err
	}
	var got []int64
	for _, n := range pg.Items {
		got = append(got, n.ID)
	}
	if int(pg.Total) != len(got) {
		t.Errorf("%v: total %d for %d rows", filters, pg.Total, len(got))
	}
	return got, nil
}

func TestOpNames(t *testing.T) {
	want := map[paginate.Op]string{paginate.IsNull: "null", paginate.Prefix: "prefix", paginate.Contains: "contains", paginate.In: "in"}
	for op, name := range want {
		if op.String() != name {
			t.Errorf("%d.String() = %q, want %q", int(op), op.String(), name)
		}
	}
	// Appending operators kept the old ones' numbers, which cursors and
	// cache keys hash.
	if paginate.Eq != 0 || paginate.In != 6 || paginate.IsNull != 7 || paginate.Prefix != 8 || paginate.Contains != 9 {
		t.Errorf("operator numbers moved: eq %d, in %d, null %d, prefix %d, contains %d",
			paginate.Eq, paginate.In, paginate.IsNull, paginate.Prefix, paginate.Contains)
	}
	if got := paginate.Op(10).String(); got != "Op(10)" {
		t.Errorf("Op(10).String() = %q", got)
	}
}

func TestSchemaRefusesMisplacedOps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field paginate.Field
		want  string
	}{
		{"null on a non-nullable field", paginate.Field{Name: "f", Type: paginate.Int, Ops: []paginate.Op{paginate.IsNull}}, `field "f": operator null needs a Nullable field`},
		{"prefix on an int", paginate.Field{Name: "f", Type: paginate.Int, Ops: []paginate.Op{paginate.Prefix}}, `field "f": operator prefix applies to String fields, not int`},
		{"contains on a decimal", paginate.Field{Name: "f", Type: paginate.Decimal, Nullable: true, Ops: []paginate.Op{paginate.Contains}}, `field "f": operator contains applies to String fields, not decimal`},
		{"prefix on bytes", paginate.Field{Name: "f", Type: paginate.Bytes, Ops: []paginate.Op{paginate.Eq, paginate.Prefix}}, `operator prefix applies to String fields, not bytes`},
		{"unknown operator", paginate.Field{Name: "f", Type: paginate.String, Ops: []paginate.Op{paginate.Op(10)}}, `field "f": unknown operator 10`},
		{"negative operator", paginate.Field{Name: "f", Type: paginate.String, Ops: []paginate.Op{paginate.Op(-1)}}, `field "f": unknown operator -1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := []paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, tc.field}
			_, err := paginate.NewSchema(fields, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewSchema: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// The key is never nullable, so it cannot take null.
	_, err := paginate.NewSchema([]paginate.Field{{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.IsNull}}}, "")
	if err == nil || !strings.Contains(err.Error(), "operator null needs a Nullable field") {
		t.Fatalf("null on the key: %v", err)
	}
	// Every new operator where it belongs.
	if _, err := paginate.NewSchema(noteFields(), ""); err != nil {
		t.Fatal(err)
	}
}

func TestParseFilterTextAndNull(t *testing.T) {
	s := noteSchema(t)
	ok := []struct {
		field, op, raw string
		want           []any
	}{
		{"score", "null", "true", []any{true}},
		{"score", "null", "false", []any{false}},
		{"score", "null", "1", []any{true}},
		{"score", "null", "0", []any{false}},
		{"score", "null", "T", []any{true}},
		{"label", "null", "FALSE", []any{false}},
		{"text", "prefix", "a,b", []any{"a,b"}},
		{"text", "prefix", `%_\!'"`, []any{`%_\!'"`}},
		{"text", "contains", " ", []any{" "}},
		{"label", "contains", "🙂", []any{"🙂"}},
		{"text", "prefix", strings.Repeat("x", 4096), []any{strings.Repeat("x", 4096)}},
	}
	for _, tc := range ok {
		f, err := s.ParseFilter(tc.field, tc.op, tc.raw)
		if err != nil {
			t.Errorf("ParseFilter(%q, %q, %.20q): %v", tc.field, tc.op, tc.raw, err)
			continue
		}
		if diff := cmp.Diff(tc.want, f.Values); diff != "" {
			t.Errorf("ParseFilter(%q, %q, %.20q) values (-want +got):\n%s", tc.field, tc.op, tc.raw, diff)
		}
	}
	bad := []struct {
		field, op, raw string
		param, reason  string
	}{
		{"score", "null", "yes", "score[null]", `"yes" is not a boolean`},
		{"score", "null", "", "score[null]", `"" is not a boolean`},
		{"score", "null", "2", "score[null]", `"2" is not a boolean`},
		{"text", "null", "true", "text[null]", `field "text" does not accept null`},
		{"score", "prefix", "1", "score[prefix]", `field "score" does not accept prefix`},
		{"text", "prefix", "", "text[prefix]", "empty value"},
		{"text", "contains", "", "text[contains]", "empty value"},
		{"text", "prefix", "a\x00b", "text[prefix]", "not valid UTF-8 text"},
		{"text", "contains", "\xff", "text[contains]", "not valid UTF-8 text"},
		{"text", "prefix", strings.Repeat("x", 4097), "text[prefix]", "value too long"},
		{"text", "like", "a%", "text[like]", `unknown operator "like"`},
	}
	for _, tc := range bad {
		_, err := s.ParseFilter(tc.field, tc.op, tc.raw)
		var pe *paginate.ParamError
		if !errors.As(err, &pe) || !errors.Is(err, paginate.ErrInvalidFilter) {
			t.Errorf("ParseFilter(%q, %q, %.20q): %v, want a ParamError wrapping ErrInvalidFilter", tc.field, tc.op, tc.raw, err)
			continue
		}
		if pe.Param != tc.param || pe.Reason != tc.reason {
			t.Errorf("ParseFilter(%q, %q, %.20q): param %q reason %q, want %q %q", tc.field, tc.op, tc.raw, pe.Param, pe.Reason, tc.param, tc.reason)
		}
	}
}

func TestMemoryNull(t *testing.T) {
	rows := notes()
	var nullScore, withScore, nullLabel []int64
	for _, r := range rows {
		if r.Score == nil {
			nullScore = append(nullScore, r.ID)
		} else {
			withScore = append(withScore, r.ID)
		}
		if r.Label == nil {
			nullLabel = append(nullLabel, r.ID)
		}
	}
	if len(nullScore) == 0 || len(withScore) == 0 || len(nullLabel) == 0 {
		t.Fatal("the rows need NULL and non-NULL scores and labels")
	}
	f := func(field, op string, v any) paginate.Filter {
		o := map[string]paginate.Op{"null": paginate.IsNull, "gte": paginate.Gte}[op]
		return paginate.Filter{Field: field, Op: o, Values: []any{v}}
	}
	for _, tc := range []struct {
		name    string
		filters []paginate.Filter
		want    []int64
	}{
		{"null", []paginate.Filter{f("score", "null", true)}, nullScore},
		{"not null", []paginate.Filter{f("score", "null", false)}, withScore},
		{"text true", []paginate.Filter{f("score", "null", "true")}, nullScore},
		{"text 0", []paginate.Filter{f("score", "null", "0")}, withScore},
		{"label null", []paginate.Filter{f("label", "null", true)}, nullLabel},
		// gte never matches NULL; with null=true nothing is left.
		{"gte and null", []paginate.Filter{f("score", "gte", int64(0)), f("score", "null", true)}, nil},
		{"gte and not null", []paginate.Filter{f("score", "gte", int64(0)), f("score", "null", false)}, withScore},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := filterIDs(t, rows, paginate.MemoryConfig[note]{}, tc.filters...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMemoryTextLiteral checks that prefix and contains match their
// value's characters literally, by bytes: a few cases by hand, then every
// run of characters of every row's text against strings.HasPrefix and
// strings.Contains over the rows.
func TestMemoryTextLiteral(t *testing.T) {
	rows := notes()
	id := func(s string) int64 { return int64(slices.Index(hostileTexts, s) + 1) }
	ids := func(ss ...string) []int64 {
		out := make([]int64, len(ss))
		for i, s := range ss {
			out[i] = id(s)
		}
		slices.Sort(out)
		return out
	}
	hand := []struct {
		op   paginate.Op
		v    string
		want []int64
	}{
		{paginate.Prefix, "a%", ids("a%c")},
		{paginate.Prefix, "a_", ids("a_c")},
		{paginate.Prefix, `a\`, ids(`a\c`, `a\%c`)},
		{paginate.Prefix, "a!", ids("a!c", "a!%")},
		{paginate.Prefix, "a[", ids("a[b]c")},
		{paginate.Prefix, "A", ids("ABC")},
		{paginate.Prefix, "ab", ids("abc", "ab ")},
		{paginate.Prefix, "abC", nil},
		{paginate.Prefix, "e", ids("e\u0301")},
		{paginate.Contains, "%", ids("a%c", `a\%c`, "a!%", "%", "%%", "100%")},
		{paginate.Contains, "_", ids("a_c", "_", "__", "x_y_z")},
		{paginate.Contains, `\`, ids(`a\c`, `a\%c`, `\`)},
		{paginate.Contains, "'", ids("it's")},
		{paginate.Contains, `"`, ids(`say "hi"`)},
		{paginate.Contains, "b]", ids("a[b]c")},
		{paginate.Contains, "ndú", ids("ñandú", "Ñandú")},
		{paginate.Contains, "ñ", ids("ñandú")},
		{paginate.Contains, "本", ids("日本語")},
		{paginate.Contains, "\u0301", ids("e\u0301")},
		{paginate.Contains, " ", ids(`say "hi"`, "🙂 smile", "a b", "ab ")},
	}
	for _, tc := range hand {
		got, err := filterIDs(t, rows, paginate.MemoryConfig[note]{}, paginate.Filter{Field: "text", Op: tc.op, Values: []any{tc.v}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("text[%s]=%q (-want +got):\n%s", tc.op, tc.v, diff)
		}
	}

	for _, v := range textProbes(hostileTexts) {
		for _, op := range []paginate.Op{paginate.Prefix, paginate.Contains} {
			var want []int64
			for _, r := range rows {
				if (op == paginate.Prefix && strings.HasPrefix(r.Text, v)) || (op == paginate.Contains && strings.Contains(r.Text, v)) {
					want = append(want, r.ID)
				}
			}
			got, err := filterIDs(t, rows, paginate.MemoryConfig[note]{}, paginate.Filter{Field: "text", Op: op, Values: []any{v}})
			if err != nil {
				t.Fatalf("text[%s]=%q: %v", op, v, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("text[%s]=%q (-want +got):\n%s", op, v, diff)
			}
		}
	}
}

// textProbes returns every run of one or more characters of texts.
func textProbes(texts []string) []string {
	var out []string
	for _, s := range texts {
		r := []rune(s)
		for i := range r {
			for j := i + 1; j <= len(r); j++ {
				out = append(out, string(r[i:j]))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestMemoryTextCollate checks that Collate decides prefix and contains:
// under a case-insensitive collation "AB" starts "abc", and a run of the
// value as long as the filter's value must collate equal to it.
func TestMemoryTextCollate(t *testing.T) {
	rows := notes()
	fold := func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
	cfg := paginate.MemoryConfig[note]{Collate: fold}
	id := func(s string) int64 { return int64(slices.Index(hostileTexts, s) + 1) }
	for _, tc := range []struct {
		op   paginate.Op
		v    string
		want []int64
	}{
		{paginate.Prefix, "ab", []int64{id("abc"), id("ABC"), id("ab ")}},
		{paginate.Prefix, "AbC", []int64{id("abc"), id("ABC")}},
		{paginate.Prefix, "abcd", nil},
		{paginate.Contains, "BC", []int64{id("abc"), id("ABC")}},
		{paginate.Contains, "ÑAND", []int64{id("ñandú"), id("Ñandú")}},
		{paginate.Prefix, "a%", []int64{id("a%c")}},
		{paginate.Contains, "ab ", []int64{id("ab ")}},
		{paginate.Contains, "smile", []int64{id("🙂 smile")}},
	} {
		got, err := filterIDs(t, rows, cfg, paginate.Filter{Field: "text", Op: tc.op, Values: []any{tc.v}})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(tc.want)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("text[%s]=%q under a case-insensitive Collate (-want +got):\n%s", tc.op, tc.v, diff)
		}
	}
}

// TestMemoryRefusesMalformedConditions checks that Memory, as a backend,
// refuses a query whose new operators do not fit the field or carry
// values of the wrong type, instead of panicking.
func TestMemoryRefusesMalformedConditions(t *testing.T) {
	s := noteSchema(t)
	m, err := paginate.NewMemory(notes(), s, paginate.MemoryConfig[note]{})
	if err != nil {
		t.Fatal(err)
	}
	text, _ := s.Field("text")
	score, _ := s.Field("score")
	for _, c := range []paginate.Condition{
		{Field: text, Op: paginate.IsNull, Values: []any{true}},
		{Field: score, Op: paginate.Prefix, Values: []any{int64(1)}},
		{Field: score, Op: paginate.IsNull, Values: []any{"true"}},
		{Field: score, Op: paginate.IsNull, Values: []any{int64(1)}},
		{Field: text, Op: paginate.Prefix, Values: []any{true}},
		{Field: text, Op: paginate.Contains, Values: []any{"a", "b"}},
		{Field: text, Op: paginate.Op(10), Values: []any{"a"}},
	} {
		if _, err := m.Count(context.Background(), paginate.Query{Filters: []paginate.Condition{c}}); err == nil {
			t.Errorf("Count with %s %s %v: no error", c.Field.Name, c.Op, c.Values)
		}
	}
}

// TestCursorsBindNewOps checks that a cursor made under a null, prefix or
// contains filter works only under the same filter, with the same value;
// the bool of null is bound by value, however it was written.
func TestCursorsBindNewOps(t *testing.T) {
	s := noteSchema(t)
	var rows []note
	for i := range 30 {
		r := note{ID: int64(i + 1), Text: "ab" + strings.Repeat("c", i%4)}
		if i%2 == 0 {
			l := "lab"
			r.Label = &l
		}
		rows = append(rows, r)
	}
	m, err := paginate.NewMemory(rows, s, paginate.MemoryConfig[note]{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := paginate.NewKeyset(m, s, paginate.KeysetConfig{Keys: [][]byte{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f := func(field string, op paginate.Op, v any) paginate.Filter {
		return paginate.Filter{Field: field, Op: op, Values: []any{v}}
	}
	for _, tc := range []struct {
		name   string
		made   paginate.Filter
		same   []paginate.Filter
		others []paginate.Filter
	}{
		{"null", f("label", paginate.IsNull, true),
			[]paginate.Filter{f("label", paginate.IsNull, "1"), f("label", paginate.IsNull, "t")},
			[]paginate.Filter{f("label", paginate.IsNull, false), f("score", paginate.IsNull, true)}},
		{"prefix", f("text", paginate.Prefix, "ab"),
			[]paginate.Filter{f("text", paginate.Prefix, "ab")},
			[]paginate.Filter{f("text", paginate.Prefix, "abc"), f("text", paginate.Contains, "ab"), f("text", paginate.Eq, "ab"), f("label", paginate.Prefix, "ab")}},
		{"contains", f("text", paginate.Contains, "b"),
			[]paginate.Filter{f("text", paginate.Contains, "b")},
			[]paginate.Filter{f("text", paginate.Contains, "B"), f("text", paginate.Prefix, "b")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, err := p.Paginate(ctx, paginate.Request{PerPage: 3, Filters: []paginate.Filter{tc.made}})
			if err != nil {
				t.Fatal(err)
			}
			if first.NextCursor == "" {
				t.Fatal("no next cursor")
			}
			for _, g := range tc.same {
				if _, err := p.Paginate(ctx, paginate.Request{PerPage: 3, After: first.NextCursor, Filters: []paginate.Filter{g}}); err != nil {
					t.Errorf("cursor made under %v refused under %v: %v", tc.made, g, err)
				}
			}
			for _, g := range tc.others {
				_, err := p.Paginate(ctx, paginate.Request{PerPage: 3, After: first.NextCursor, Filters: []paginate.Filter{g}})
				if !errors.Is(err, paginate.ErrInvalidCursor) {
					t.Errorf("cursor made under %v used under %v: %v, want ErrInvalidCursor", tc.made, g, err)
				}
			}
		})
	}
}

// TestParseFilterNamesInErrors checks that an unknown parameter name that
// is not text, or is long, is made fit for an error message.
func TestParseFilterNamesInErrors(t *testing.T) {
	s := noteSchema(t)
	for _, tc := range []struct{ field, op, param string }{
		{"\xff", "", "\uFFFD"},
		{"\xff", "0", "\uFFFD[0]"},
		{strings.Repeat("é", 100), "", strings.Repeat("é", 64) + "…"},
	} {
		_, err := s.ParseFilter(tc.field, tc.op, "1")
		var pe *paginate.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("ParseFilter(%q, %q): %v, want parameter %q", tc.field, tc.op, err, tc.param)
		}
	}
}
