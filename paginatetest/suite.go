package paginatetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-paginate/paginate"
)

// signingKey signs the suite's cursors; otherKey signs cursors that must
// be refused.
var (
	signingKey = []byte("paginatetest signing key, 32 bytes or more")
	otherKey   = []byte("paginatetest other key, also 32 bytes or more")
)

// now is the clock of the suite's keyset paginators, so that cursor ages
// are exact.
var now = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// maxPerPage is the page size limit of the suite's paginators, above the
// size of every dataset, so that one page can hold a reference order.
const maxPerPage = 1000

type suite struct {
	t      tester
	h      Harness
	schema *paginate.Schema
	ctx    context.Context
}

func newSuite(t tester, h Harness) *suite {
	return &suite{t: t, h: h, schema: Schema(), ctx: context.Background()}
}

// fixture is one row set stored in the backend under test, and the
// reference over the same rows.
type fixture struct {
	s       *suite
	rows    []Row
	backend paginate.Backend[Row]
	nulls   paginate.NullOrder
	ref     *paginate.Offset[Row] // over Memory, for reference orders
	mem     *paginate.Memory[Row]
	offset  *paginate.Offset[Row]
	keyset  *paginate.Keyset[Row]
}

// load stores rows through the harness and builds the paginators.
func (s *suite) load(t tester, rows []Row) *fixture {
	t.Helper()
	b, err := s.h.New(s.ctx, s.schema, slices.Clone(rows))
	if err != nil {
		t.Fatalf("Harness.New with %d rows: %v", len(rows), err)
		return nil
	}
	if b == nil {
		t.Fatalf("Harness.New returned a nil backend")
		return nil
	}
	f := &fixture{s: s, rows: rows, backend: b, nulls: nullOrder(b)}
	if f.mem, err = paginate.NewMemory(rows, s.schema, paginate.MemoryConfig[Row]{Nulls: f.nulls, Collate: s.h.Collate}); err != nil {
		t.Fatalf("reference: %v", err)
	}
	if f.ref, err = paginate.NewOffset[Row](f.mem, s.schema, paginate.OffsetConfig{MaxPerPage: maxPerPage}); err != nil {
		t.Fatalf("reference: %v", err)
	}
	if f.offset, err = paginate.NewOffset(b, s.schema, paginate.OffsetConfig{MaxPerPage: maxPerPage, RejectOverMax: true}); err != nil {
		t.Fatalf("NewOffset: %v", err)
	}
	if f.keyset, err = newKeyset(b, s.schema, paginate.KeysetConfig{}); err != nil {
		t.Fatalf("NewKeyset: %v", err)
	}
	return f
}

// newKeyset returns a keyset paginator with the suite's key, clock and
// page size limit, unless cfg sets them.
func newKeyset(b paginate.Backend[Row], schema *paginate.Schema, cfg paginate.KeysetConfig) (*paginate.Keyset[Row], error) {
	if cfg.Keys == nil {
		cfg.Keys = [][]byte{signingKey}
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	cfg.MaxPerPage, cfg.RejectOverMax = maxPerPage, true
	return paginate.NewKeyset(b, schema, cfg)
}

func nullOrder(b any) paginate.NullOrder {
	if o, ok := b.(paginate.NullOrderer); ok {
		return o.NullOrder()
	}
	return paginate.NullsSmallest
}

// reference returns every row s selects, in order, from the reference.
func (f *fixture) reference(s spec) ([]Row, error) {
	req := s.request()
	req.PerPage = maxPerPage
	pg, err := f.ref.Paginate(f.s.ctx, req)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	if pg.Total > maxPerPage {
		return nil, fmt.Errorf("reference: %d rows is more than the suite handles", pg.Total)
	}
	return pg.Items, nil
}

// walk checks a keyset walk of s both ways.
func (f *fixture) walk(s spec) error {
	ref, err := f.reference(s)
	if err != nil {
		return err
	}
	return checkKeyset(f.s.ctx, f.keyset, ref, s)
}

// pages checks the offset pages of s (all, or the ones listed).
func (f *fixture) pages(s spec, pages []int) error {
	ref, err := f.reference(s)
	if err != nil {
		return err
	}
	return checkOffset(f.s.ctx, f.offset, ref, s, pages)
}

func (s *suite) run() {
	t := s.t
	t.Helper()
	fx := s.load(t, Dataset())
	if fx == nil {
		return
	}
	t.Logf("backend %T, %s", fx.backend, fx.nulls)
	t.run("Reference", func(t tester) { s.testReference(t, fx) })
	t.run("Fetch", func(t tester) { s.testFetch(t, fx) })
	t.run("Offset", func(t tester) { s.testOffset(t, fx) })
	t.run("Counting", func(t tester) { s.testCounting(t, fx) })
	t.run("Keyset", func(t tester) { s.testKeyset(t, fx) })
	t.run("Filters", func(t tester) { s.testFilters(t, fx) })
	t.run("Fields", func(t tester) { s.testFields(t, fx) })
	t.run("Walk", func(t tester) { s.testWalk(t, fx) })
	t.run("DeletedRows", func(t tester) { s.testDeleted(t, fx) })
	t.run("BadCursors", func(t tester) { s.testBadCursors(t, fx) })
	t.run("Context", func(t tester) { s.testContext(t, fx) })
	t.run("Include", func(t tester) { s.testInclude(t) })
	t.run("Model", func(t tester) { s.testModel(t) })
}

// sorts are the sorts the fixed dataset is paged in: every field in both
// directions, mixed directions, NULLs, and the key in the middle.
var sorts = []string{
	"", "id", "-id", "name", "-name", "category,-created_at", "score", "-score",
	"score,-name", "-score,name", "price", "-price", "amount,-id", "-amount",
	"created_at", "-created_at,name", "tag", "-tag,score", "active,-score,name",
	"note", "-note,-price", "category,note,-id,name",
}

// fineSorts are also walked one row per page, so that every pair of
// neighbouring rows meets at a page boundary: the keys whose values are
// easiest to garble on the way through a cursor.
var fineSorts = []string{"score", "-price", "amount,-id", "created_at", "tag", "-note,-price"}

func sortName(v string) string {
	if v == "" {
		return "default"
	}
	return v
}

// testReference checks the reference against facts about the dataset
// that need no paginator, so that a broken reference cannot hide a broken
// backend: its size, and where NULL sorts.
func (s *suite) testReference(t tester, fx *fixture) {
	ref, err := fx.reference(spec{sort: mustSort("score")})
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	if len(ref) != len(fx.rows) {
		t.Errorf("reference has %d rows, want %d", len(ref), len(fx.rows))
		return
	}
	nulls := 0
	for _, r := range fx.rows {
		if r.Score == nil {
			nulls++
		}
	}
	if s.h.Collate == nil {
		s.checkReferenceMatches(t, fx)
	}
	block := ref[:nulls]
	if fx.nulls == paginate.NullsLargest {
		block = ref[len(ref)-nulls:]
	}
	for _, r := range block {
		if r.Score != nil {
			t.Errorf("sort=score with %s: row %d (score %d) sorts among the NULLs", fx.nulls, r.ID, *r.Score)
		}
	}
}

// checkReferenceMatches checks the reference's null, prefix and contains
// filters against the rows they select, computed here by bytes.
func (s *suite) checkReferenceMatches(t tester, fx *fixture) {
	t.Helper()
	for _, fs := range filterCases() {
		if len(fs) != 1 || (fs[0].Op != paginate.IsNull && fs[0].Op != paginate.Prefix && fs[0].Op != paginate.Contains) {
			continue
		}
		flt := fs[0]
		var want []int64
		for _, r := range fx.rows {
			v := value(r, flt.Field)
			var keep bool
			switch flt.Op {
			case paginate.IsNull:
				keep = (v == nil) == (text(flt.Values[0]) == "true" || text(flt.Values[0]) == "1")
			case paginate.Prefix:
				keep = v != nil && strings.HasPrefix(v.(string), flt.Values[0].(string))
			default:
				keep = v != nil && strings.Contains(v.(string), flt.Values[0].(string))
			}
			if keep {
				want = append(want, r.ID)
			}
		}
		ref, err := fx.reference(spec{sort: mustSort("id"), filters: fs})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		slices.Sort(want)
		got := make([]int64, len(ref))
		for i, r := range ref {
			got[i] = r.ID
		}
		if !slices.Equal(want, got) {
			t.Errorf("reference under %s: ids %v, want %v", formatFilter(flt), got, want)
		}
	}
}

func (s *suite) testOffset(t tester, fx *fixture) {
	for _, v := range sorts {
		t.run(sortName(v), func(t tester) {
			for _, pp := range []int{5, 13, 60} {
				sp := spec{sort: mustSort(v), perPage: pp}
				if err := fx.pages(sp, nil); err != nil {
					t.Errorf("offset %s: %v", sp, err)
				}
			}
		})
	}
	t.run("Strict", func(t tester) {
		p, err := paginate.NewOffset(fx.backend, s.schema, paginate.OffsetConfig{Strict: true})
		if err != nil {
			t.Fatalf("NewOffset: %v", err)
			return
		}
		_, err = p.Paginate(s.ctx, paginate.Request{Page: DatasetSize, PerPage: 10})
		if !isErr(err, paginate.ErrPageOutOfRange) {
			t.Errorf("page %d of %d rows, 10 per page, strict: got error %v, want paginate.ErrPageOutOfRange", DatasetSize, DatasetSize, err)
		}
	})
}

func (s *suite) testKeyset(t tester, fx *fixture) {
	for _, v := range sorts {
		t.run(sortName(v), func(t tester) {
			sizes := []int{4, 13, 60}
			if slices.Contains(fineSorts, v) {
				sizes = append(sizes, 1)
			}
			for _, pp := range sizes {
				sp := spec{sort: mustSort(v), perPage: pp}
				if err := fx.walk(sp); err != nil {
					t.Errorf("keyset %s: %v", sp, err)
				}
			}
		})
	}
}

// filterCases are the filters the fixed dataset is filtered by: every
// operator on every type, values typed and as query-string text, times in
// another zone, and values that match nothing.
func filterCases() [][]paginate.Filter {
	f := func(field string, op paginate.Op, vals ...any) paginate.Filter {
		return paginate.Filter{Field: field, Op: op, Values: vals}
	}
	east := time.FixedZone("UTC+5", 5*3600)
	mid := epoch.Add(7 * time.Minute)
	cases := [][]paginate.Filter{
		{f("id", paginate.Eq, int64(-45))},
		{f("id", paginate.Ne, -45)},
		{f("id", paginate.Lt, int64(0))},
		{f("id", paginate.Lte, "-1")},
		{f("id", paginate.Gt, int64(300))},
		{f("id", paginate.Gte, int64(-100))},
		{f("id", paginate.In, int64(-100), int64(-45), int64(12345), int64(450))},
		{f("name", paginate.Eq, "chloé")},
		{f("name", paginate.Ne, "chloé")},
		{f("name", paginate.Lt, "hélène")},
		{f("name", paginate.Lte, "anna")},
		{f("name", paginate.Gt, "zoë")},
		{f("name", paginate.Gte, "дмитрий")},
		{f("name", paginate.In, "anna", "東京", "xavi🙂", "nobody")},
		{f("category", paginate.In, "beta", "gamma")},
		{f("score", paginate.Eq, int64(3))},
		{f("score", paginate.Ne, int64(3))},
		{f("score", paginate.Lt, int64(1<<53+1))},
		{f("score", paginate.Lte, int64(0))},
		{f("score", paginate.Gt, int64(-(1<<53 + 1)))},
		{f("score", paginate.Gte, "42")},
		{f("score", paginate.In, int64(-1), int64(7), int64(1<<53+1))},
		{f("price", paginate.Eq, 0.30000000000000004)},
		{f("price", paginate.Ne, 0.1)},
		{f("price", paginate.Lt, 0.3)},
		{f("price", paginate.Lte, "0.3")},
		{f("price", paginate.Gt, 1.0)},
		{f("price", paginate.Gte, 0.9999999999999999)},
		{f("price", paginate.In, 0.1, 1.0000000000000002, 1e300)},
		{f("amount", paginate.Eq, "12.5")},
		{f("amount", paginate.Ne, "12.50")},
		{f("amount", paginate.Lt, "0")},
		{f("amount", paginate.Lte, "12.25")},
		{f("amount", paginate.Gt, "-0.25")},
		{f("amount", paginate.Gte, "100.75")},
		{f("amount", paginate.In, "7", "-3.25", "1.5")},
		{f("created_at", paginate.Eq, epoch.Add(3*time.Minute).In(east))},
		{f("created_at", paginate.Ne, epoch.Add(3*time.Minute))},
		{f("created_at", paginate.Lt, mid)},
		{f("created_at", paginate.Lte, mid.In(east))},
		{f("created_at", paginate.Gt, epoch.Add(7*time.Minute+time.Microsecond).Format(time.RFC3339Nano))},
		{f("created_at", paginate.Gte, mid)},
		{f("created_at", paginate.Lt, "1970-01-01")},
		{f("created_at", paginate.In, preEpoch, epoch, epoch.Add(time.Minute+time.Microsecond))},
		{f("tag", paginate.Eq, []byte{0x00})},
		{f("tag", paginate.Ne, "00")},
		{f("tag", paginate.Lt, []byte{0x01})},
		{f("tag", paginate.Lte, []byte{0x01, 0x00})},
		{f("tag", paginate.Gt, tags[6])},
		{f("tag", paginate.Gte, "7f")},
		{f("tag", paginate.In, tags[7], []byte{0x00, 0x00}, []byte{0x02})},
		{f("active", paginate.Eq, true)},
		{f("active", paginate.Ne, "true")},
		{f("note", paginate.Eq, "naïve")},
		{f("note", paginate.Ne, "naïve")},
		{f("note", paginate.Lt, "naïve")},
		{f("note", paginate.Gte, "résumé")},
		{f("note", paginate.In, "crème", "vis-à-vis")},
		{f("score", paginate.Gte, int64(0)), f("category", paginate.In, "alpha", "delta")},
		{f("note", paginate.Ne, "crème"), f("price", paginate.Lt, 1.0), f("active", paginate.Eq, false)},
		{f("name", paginate.Eq, "nobody")},
		{f("score", paginate.IsNull, true)},
		{f("score", paginate.IsNull, "false")},
		{f("note", paginate.IsNull, "1"), f("name", paginate.Prefix, "a")},
		{f("note", paginate.IsNull, false), f("note", paginate.Ne, "crème")},
		{f("score", paginate.IsNull, false), f("score", paginate.Gte, int64(0))},
		{f("name", paginate.Prefix, "an")},
		{f("name", paginate.Prefix, "anna")},
		{f("name", paginate.Prefix, "zoë")},
		{f("name", paginate.Prefix, "東")},
		{f("name", paginate.Prefix, "xavi🙂")},
		{f("category", paginate.Prefix, "ga")},
		{f("note", paginate.Prefix, "vis-à")},
		{f("name", paginate.Contains, "nn")},
		{f("name", paginate.Contains, "k")},
		{f("name", paginate.Contains, "дми")},
		{f("category", paginate.Contains, "lt")},
		{f("note", paginate.Contains, "sum"), f("score", paginate.IsNull, false)},
		// Wildcards and escapes match themselves: nothing here.
		{f("name", paginate.Prefix, "%")},
		{f("name", paginate.Prefix, "_")},
		{f("name", paginate.Contains, "%")},
		{f("category", paginate.Contains, "_")},
		{f("note", paginate.Contains, `\`)},
		{f("note", paginate.Prefix, "!")},
		{f("name", paginate.Prefix, "a%")},
		{f("name", paginate.Contains, "*")},
		{f("name", paginate.Prefix, "[a]")},
	}
	return cases
}

func (s *suite) testFilters(t tester, fx *fixture) {
	sortFor := []string{"", "score,-name", "-price", "note", "name"}
	for i, fs := range filterCases() {
		var names []string
		for _, f := range fs {
			names = append(names, strings.NewReplacer("[", "_", "]", "").Replace(f.Param()))
		}
		t.run(fmt.Sprintf("%02d_%s", i, strings.Join(names, "+")), func(t tester) {
			sp := spec{sort: mustSort(sortFor[i%len(sortFor)]), filters: fs, perPage: 3}
			if err := fx.pages(sp, []int{1, 2}); err != nil {
				t.Errorf("offset %s: %v", sp, err)
			}
			if err := fx.walk(sp); err != nil {
				t.Errorf("keyset %s: %v", sp, err)
			}
		})
	}
}

func (s *suite) testFields(t tester, fx *fixture) {
	cases := []struct {
		sort   string
		fields []string
	}{
		{"-score,name", []string{"name"}},
		{"price", []string{"id"}},
		{"-created_at", []string{"tag", "note"}},
		{"note,-amount", []string{"active", "amount", "created_at"}},
		{"tag", []string{"score", "price", "category"}},
		{"", []string{"id", "name", "category", "score", "price", "amount", "created_at", "tag", "active", "note"}},
	}
	for _, c := range cases {
		t.run(strings.Join(c.fields, ","), func(t tester) {
			sp := spec{sort: mustSort(c.sort), fields: c.fields, perPage: 5}
			ref, err := fx.reference(sp)
			if err != nil {
				t.Fatalf("%v", err)
				return
			}
			// The reference's projection is checked against the suite's own.
			full, err := fx.reference(spec{sort: sp.sort})
			if err != nil {
				t.Fatalf("%v", err)
				return
			}
			want := make([]Row, len(full))
			for i, r := range full {
				want[i] = project(r, c.fields)
			}
			if d := pageDiff(view{Items: want}, paginate.Page[Row]{Items: ref}); d != "" {
				t.Errorf("reference projection of %s: %s", sp, d)
			}
			if err := checkOffset(s.ctx, fx.offset, want, sp, []int{1, 2, 11}); err != nil {
				t.Errorf("offset %s: %v", sp, err)
			}
			if err := checkKeyset(s.ctx, fx.keyset, want, sp); err != nil {
				t.Errorf("keyset %s: %v", sp, err)
			}
		})
	}
}

// testWalk checks paginate.Walk over both strategies.
func (s *suite) testWalk(t tester, fx *fixture) {
	sp := spec{sort: mustSort("-score,name"), perPage: 7}
	ref, err := fx.reference(sp)
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	for _, p := range []paginate.Paginator[Row]{fx.offset, fx.keyset} {
		var got []Row
		for r, err := range paginate.Walk(s.ctx, p, sp.request()) {
			if err != nil {
				t.Errorf("Walk %T %s: %v", p, sp, err)
				break
			}
			got = append(got, r)
		}
		if d := pageDiff(view{Items: ref}, paginate.Page[Row]{Items: got}); d != "" {
			t.Errorf("Walk %T %s: %s", p, sp, d)
		}
	}
}

// countingBackend counts the calls that reach a backend.
type countingBackend struct {
	b     paginate.Backend[Row]
	calls atomic.Int64
}

func (c *countingBackend) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[Row], error) {
	c.calls.Add(1)
	return c.b.Fetch(ctx, q)
}

func (c *countingBackend) Count(ctx context.Context, q paginate.Query) (int64, error) {
	c.calls.Add(1)
	return c.b.Count(ctx, q)
}

func (c *countingBackend) NullOrder() paginate.NullOrder { return nullOrder(c.b) }

func isErr(err, target error) bool { return err != nil && errors.Is(err, target) }
