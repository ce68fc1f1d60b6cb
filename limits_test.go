package paginate_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// TestSizeLimits checks that page sizes beyond PerPageLimit are refused
// when a paginator is built, and that the limit itself is accepted.
func TestSizeLimits(t *testing.T) {
	b := memory(t, numbered(3))
	for _, tc := range []struct {
		name              string
		perPage, maxPer   int
		ok                bool
		offsetAndKeysetOK bool
	}{
		{"MaxPerPage MaxInt", 0, math.MaxInt, false, false},
		{"MaxPerPage MaxInt-1", 0, math.MaxInt - 1, false, false},
		{"PerPage MaxInt", math.MaxInt, 0, false, false},
		{"MaxPerPage MaxInt32", 0, math.MaxInt32, false, false},
		{"one over the limit", 0, paginate.PerPageLimit + 1, false, false},
		{"the limit", paginate.PerPageLimit, paginate.PerPageLimit, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := paginate.NewOffset(b, itemSchema(t), paginate.OffsetConfig{PerPage: tc.perPage, MaxPerPage: tc.maxPer})
			if (err == nil) != tc.ok {
				t.Errorf("NewOffset: err = %v, want ok %v", err, tc.ok)
			}
			_, err = paginate.NewKeyset(b, itemSchema(t), paginate.KeysetConfig{Keys: [][]byte{testKey}, PerPage: tc.perPage, MaxPerPage: tc.maxPer})
			if (err == nil) != tc.ok {
				t.Errorf("NewKeyset: err = %v, want ok %v", err, tc.ok)
			}
		})
	}
	for name, cfg := range map[string]paginate.KeysetConfig{
		"MaxCursorLen MaxInt": {Keys: [][]byte{testKey}, MaxCursorLen: math.MaxInt},
		"MaxAge under 1s":     {Keys: [][]byte{testKey}, MaxAge: time.Millisecond},
	} {
		if _, err := paginate.NewKeyset(b, itemSchema(t), cfg); err == nil {
			t.Errorf("%s: NewKeyset accepted %+v", name, cfg)
		}
	}
}

// recordingBackend records the queries a paginator asks for.
type recordingBackend struct {
	*paginate.Memory[item]
	queries []paginate.Query
}

func (b *recordingBackend) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[item], error) {
	b.queries = append(b.queries, q)
	return b.Memory.Fetch(ctx, q)
}

// TestHugeRequests checks that no request size or page number overflows:
// per_page is clamped (or refused), and a page so deep that its offset
// plus per_page+1 would not fit an int64 is a 400, while the deepest page
// that fits is served.
func TestHugeRequests(t *testing.T) {
	ctx := context.Background()
	rec := &recordingBackend{Memory: memory(t, numbered(5))}
	for _, perPage := range []int{1, 7, 100, paginate.PerPageLimit} {
		p, err := paginate.NewOffset(rec, itemSchema(t), paginate.OffsetConfig{MaxPerPage: perPage, Count: paginate.NoCount{}})
		if err != nil {
			t.Fatal(err)
		}
		pp := int64(perPage)
		deepest := (math.MaxInt64-pp-1)/pp + 1 // the last page whose offset+limit fits
		if deepest > math.MaxInt-1 {
			deepest = math.MaxInt - 1
		}
		for _, page := range []int64{math.MaxInt, math.MaxInt - 1, deepest + 1, deepest} {
			rec.queries = nil
			got, err := p.Paginate(ctx, paginate.Request{Page: int(page), PerPage: math.MaxInt})
			if page > deepest {
				var pe *paginate.ParamError
				if !errors.Is(err, paginate.ErrInvalidPage) || !errors.As(err, &pe) || pe.Param != "page" {
					t.Errorf("per_page %d, page %d: err = %v, want ErrInvalidPage for page", perPage, page, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("per_page %d, page %d (the deepest): %v", perPage, page, err)
				continue
			}
			if len(rec.queries) != 1 {
				t.Fatalf("per_page %d, page %d: %d fetches", perPage, page, len(rec.queries))
			}
			q := rec.queries[0]
			if q.Limit != perPage+1 || q.Offset != (page-1)*pp || q.Offset < 0 || q.Offset > math.MaxInt64-int64(q.Limit) {
				t.Errorf("per_page %d, page %d: query offset %d limit %d", perPage, page, q.Offset, q.Limit)
			}
			if got.PerPage != perPage || got.PrevPage != int(page)-1 || got.NextPage != 0 {
				t.Errorf("per_page %d, page %d: PerPage %d PrevPage %d NextPage %d", perPage, page, got.PerPage, got.PrevPage, got.NextPage)
			}
		}
	}

	// Over the maximum, per_page is clamped, or refused when asked.
	k := keyset(t, memory(t, numbered(5)), paginate.KeysetConfig{})
	page, err := k.Paginate(ctx, paginate.Request{PerPage: math.MaxInt})
	if err != nil || page.PerPage != 100 || len(page.Items) != 5 {
		t.Errorf("keyset per_page MaxInt: PerPage %d, %d items, err %v; want 100, 5, nil", page.PerPage, len(page.Items), err)
	}
	strict := keyset(t, memory(t, numbered(5)), paginate.KeysetConfig{RejectOverMax: true})
	if _, err := strict.Paginate(ctx, paginate.Request{PerPage: math.MaxInt}); !errors.Is(err, paginate.ErrInvalidPerPage) {
		t.Errorf("keyset per_page MaxInt with RejectOverMax: err = %v, want ErrInvalidPerPage", err)
	}
}

// TestOffsetHugeCounts checks that a count near MaxInt64 (an estimate, or
// a capped count with an absurd cap) does not overflow the page count.
func TestOffsetHugeCounts(t *testing.T) {
	b, _ := newPlain(t, 5)
	huge := estimatingBackend{plainBackend: b, estimate: func(int64) (int64, error) { return math.MaxInt64, nil }}
	p := offsetOver(t, huge, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 1}, PerPage: 2})
	page, err := p.Paginate(context.Background(), paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(math.MaxInt64/2 + 1); page.Total != math.MaxInt64 || int64(page.Pages) != min(want, math.MaxInt) {
		t.Errorf("Total %d, Pages %d: want MaxInt64 and %d", page.Total, page.Pages, want)
	}
	capped := offsetOver(t, atMostBackend{b}, paginate.OffsetConfig{Count: paginate.CappedCount{Max: math.MaxInt64}})
	if page, err := capped.Paginate(context.Background(), paginate.Request{}); err != nil || page.Total != 5 {
		t.Errorf("CappedCount{Max: MaxInt64}: total %d, err %v; want 5", page.Total, err)
	}
}

// TestTimeFilterRange checks that a time filter value whose UTC instant
// falls outside the years 1 to 9999 is a 400 naming the parameter, as
// text or typed, from ParseFilter or in a Request.
func TestTimeFilterRange(t *testing.T) {
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Ops: []paginate.Op{paginate.Lt, paginate.Gt, paginate.Gte, paginate.Eq, paginate.In}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID        int64
		CreatedAt time.Time `db:"created_at"`
	}
	m, err := paginate.NewMemory([]row{{1, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}, s, paginate.MemoryConfig[row]{})
	if err != nil {
		t.Fatal(err)
	}
	off, err := paginate.NewOffset(m, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op, raw string
		param   string
		ok      bool
	}{
		{"lt", "0001-01-01T00:00:00+01:00", "created_at[lt]", false}, // 0000-12-31T23:00Z
		{"gt", "9999-12-31T20:00:00-05:00", "created_at[gt]", false}, // 10000-01-01T01:00Z
		{"", "0000-06-01", "created_at", false},
		{"in", "2020-01-01,0000-01-01T00:00:00Z", "created_at[in]", false},
		{"gte", "0001-01-01T00:00:00Z", "created_at[gte]", true},
		{"lt", "9999-12-31T23:59:59.999999999Z", "created_at[lt]", true},
		{"lt", "0001-01-01T00:00:00-01:00", "created_at[lt]", true}, // 0001-01-01T01:00Z
	} {
		_, err := s.ParseFilter("created_at", tc.op, tc.raw)
		checkParamError(t, "ParseFilter "+tc.op+" "+tc.raw, err, tc.ok, tc.param, paginate.ErrInvalidFilter)
		op := paginate.Eq
		for o := paginate.Eq; o <= paginate.In; o++ {
			if o.String() == tc.op {
				op = o
			}
		}
		values := []any{tc.raw}
		if op == paginate.In {
			values = []any{}
			for v := range strings.SplitSeq(tc.raw, ",") {
				values = append(values, v)
			}
		}
		_, err = off.Paginate(context.Background(), paginate.Request{Filters: []paginate.Filter{{Field: "created_at", Op: op, Values: values}}})
		checkParamError(t, "Paginate "+tc.op+" "+tc.raw, err, tc.ok, tc.param, paginate.ErrInvalidFilter)
	}
	// Typed values: the same rule.
	for _, tm := range []time.Time{
		time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -2*3600)),
	} {
		_, err = off.Paginate(context.Background(), paginate.Request{Filters: []paginate.Filter{{Field: "created_at", Op: paginate.Gt, Values: []any{tm}}}})
		checkParamError(t, "typed "+tm.String(), err, false, "created_at[gt]", paginate.ErrInvalidFilter)
	}
}

// checkParamError fails unless err is nil when ok, or else a ParamError
// for param that wraps sentinel.
func checkParamError(t *testing.T, what string, err error, ok bool, param string, sentinel error) {
	t.Helper()
	if ok {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		return
	}
	var pe *paginate.ParamError
	if !errors.Is(err, sentinel) || !errors.As(err, &pe) || pe.Param != param || pe.Reason == "" {
		t.Errorf("%s: err = %v, want a ParamError for %s wrapping %v", what, err, param, sentinel)
	}
}

// rangedBackend stores only times from 1970 to 2038, as a MySQL TIMESTAMP
// column does, and at microsecond precision.
type rangedBackend struct{ *paginate.Memory[item] }

func (rangedBackend) TimeRange() (time.Time, time.Time) {
	return time.Unix(1, 0), time.Date(2038, 1, 19, 3, 14, 7, 999999000, time.UTC)
}

func (rangedBackend) TimePrecision() time.Duration { return time.Microsecond }

// TestTimeRanger checks that a backend's narrower time range is enforced
// on filter values, as a 400 naming the parameter.
func TestTimeRanger(t *testing.T) {
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "name", Type: paginate.Time, Ops: []paginate.Op{paginate.Lt, paginate.Gte}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := paginate.NewMemory(nil, s, paginate.MemoryConfig[item]{Value: func(item, paginate.Field) any { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	b := rangedBackend{m}
	off, err := paginate.NewOffset[item](b, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := paginate.NewKeyset[item](b, s, paginate.KeysetConfig{Keys: [][]byte{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op  paginate.Op
		raw string
		ok  bool
	}{
		{paginate.Lt, "1969-12-31T23:59:59Z", false},
		{paginate.Gte, "2038-01-19T03:14:08Z", false},
		{paginate.Gte, "1970-01-01T00:00:01Z", true},
		{paginate.Lt, "2038-01-19T03:14:07.999999Z", true},
		// Moved up to the next microsecond, past the range.
		{paginate.Gte, "2038-01-19T03:14:07.9999995Z", false},
	} {
		req := paginate.Request{Filters: []paginate.Filter{{Field: "name", Op: tc.op, Values: []any{tc.raw}}}}
		param := "name[" + tc.op.String() + "]"
		_, err := off.Paginate(context.Background(), req)
		checkParamError(t, "offset "+param+"="+tc.raw, err, tc.ok, param, paginate.ErrInvalidFilter)
		_, err = ks.Paginate(context.Background(), req)
		checkParamError(t, "keyset "+param+"="+tc.raw, err, tc.ok, param, paginate.ErrInvalidFilter)
	}
}

// TestReasons checks the Reason of problems found in several places: a
// sentence fit for a client, set where the problem is found, without the
// parameter's name or the sentinel's text in it.
func TestReasons(t *testing.T) {
	s := itemSchema(t)
	p := keyset(t, memory(t, numbered(3)), paginate.KeysetConfig{})
	_, sortErr := s.ParseSort("id,nope")
	_, fieldsErr := s.ParseFields("id,id")
	_, filterErr := s.ParseFilter("price", "gte", "cheap")
	_, opErr := s.ParseFilter("price", "like", "1")
	_, orderErr := s.Order([]paginate.SortKey{{Field: "id"}, {Field: "id"}})
	_, pageErr := p.Paginate(context.Background(), paginate.Request{Page: 2, PerPage: -1, After: "x"})
	var got []paginate.ParamError
	for _, err := range []error{sortErr, fieldsErr, filterErr, opErr, orderErr, pageErr} {
		var re *paginate.RequestError
		if errors.As(err, &re) {
			for _, pe := range re.Params {
				got = append(got, *pe)
			}
			continue
		}
		var pe *paginate.ParamError
		if !errors.As(err, &pe) {
			t.Fatalf("%v is not a ParamError", err)
		}
		got = append(got, *pe)
	}
	want := []paginate.ParamError{
		{Param: "sort", Reason: `unknown field "nope"`, Err: paginate.ErrInvalidSort},
		{Param: "fields", Reason: `field "id" named twice`, Err: paginate.ErrInvalidField},
		{Param: "price[gte]", Reason: `"cheap" is not a finite number`, Err: paginate.ErrInvalidFilter},
		{Param: "price[like]", Reason: `unknown operator "like"`, Err: paginate.ErrInvalidFilter},
		{Param: "sort", Reason: `field "id" named twice`, Err: paginate.ErrInvalidSort},
		{Param: "per_page", Reason: "must be a positive integer", Err: paginate.ErrInvalidPerPage},
		{Param: "page", Reason: "this endpoint pages by cursor", Err: paginate.ErrInvalidPage},
		{Param: "after", Reason: "malformed or not issued by this server", Err: paginate.ErrInvalidCursor},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// negativeCount is a broken count strategy.
type negativeCount struct{}

func (negativeCount) CountTotal(context.Context, paginate.Counter, paginate.Query) (paginate.Total, error) {
	return paginate.Total{N: -1, Known: true}, nil
}

func TestOffsetNegativeCount(t *testing.T) {
	p := offsetOver(t, memory(t, numbered(3)), paginate.OffsetConfig{Count: negativeCount{}})
	if page, err := p.Paginate(context.Background(), paginate.Request{}); err == nil {
		t.Errorf("a count of -1 gave a page: %+v", meta(page))
	}
}
