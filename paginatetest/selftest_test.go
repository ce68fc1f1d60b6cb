package paginatetest

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
)

// broken is the in-memory backend with one fault, which the suite must
// find.
type broken struct {
	m      *paginate.Memory[Row]
	nulls  paginate.NullOrder
	query  func(*paginate.Query)
	result func(paginate.Query, *paginate.Result[Row])
	count  func(int64) int64
	noCtx  bool
}

func (b *broken) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[Row], error) {
	if b.noCtx {
		ctx = context.Background()
	}
	if b.query != nil {
		b.query(&q)
	}
	res, err := b.m.Fetch(ctx, q)
	if err == nil && b.result != nil {
		b.result(q, &res)
	}
	return res, err
}

func (b *broken) Count(ctx context.Context, q paginate.Query) (int64, error) {
	if b.noCtx {
		ctx = context.Background()
	}
	n, err := b.m.Count(ctx, q)
	if b.count != nil {
		n = b.count(n)
	}
	return n, err
}

func (b *broken) NullOrder() paginate.NullOrder { return b.nulls }

// mapKeys applies f to every key value of a result.
func mapKeys(f func(any) any) func(paginate.Query, *paginate.Result[Row]) {
	return func(_ paginate.Query, res *paginate.Result[Row]) {
		for _, k := range res.Keys {
			for i, v := range k {
				k[i] = f(v)
			}
		}
	}
}

// mapConditions applies f to every filter of a query.
func mapConditions(f func(*paginate.Condition)) func(*paginate.Query) {
	return func(q *paginate.Query) {
		conds := slices.Clone(q.Filters)
		for i := range conds {
			f(&conds[i])
		}
		q.Filters = conds
	}
}

// TestSuiteFindsFaults runs the suite against backends with one fault
// each and checks that it fails, so that a passing backend means
// something.
func TestSuiteFindsFaults(t *testing.T) {
	faults := []struct {
		name string
		b    broken
	}{
		{"NullOrderMisreported", broken{nulls: paginate.NullsLargest}},
		{"FloatKeysWith15Digits", broken{result: mapKeys(func(v any) any {
			if x, ok := v.(float64); ok {
				y, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
				return y
			}
			return v
		})}},
		{"TimeKeysInSeconds", broken{result: mapKeys(func(v any) any {
			if x, ok := v.(time.Time); ok {
				return x.Truncate(time.Second)
			}
			return v
		})}},
		{"IntKeysThroughFloat64", broken{result: mapKeys(func(v any) any {
			if x, ok := v.(int64); ok && math.Abs(float64(x)) > 1<<53 {
				return int64(float64(x) / 2 * 2)
			}
			return v
		})}},
		{"FirstRowAfterPositionLost", broken{result: func(q paginate.Query, res *paginate.Result[Row]) {
			if q.After != nil && len(res.Items) > 0 {
				res.Items, res.Keys = res.Items[1:], res.Keys[1:]
			}
		}}},
		{"NeIgnored", broken{query: func(q *paginate.Query) {
			var keep []paginate.Condition
			for _, c := range q.Filters {
				if c.Op != paginate.Ne {
					keep = append(keep, c)
				}
			}
			q.Filters = keep
		}}},
		{"NullInverted", broken{query: mapConditions(func(c *paginate.Condition) {
			if c.Op == paginate.IsNull {
				c.Values = []any{!c.Values[0].(bool)}
			}
		})}},
		{"ContainsAsPrefix", broken{query: mapConditions(func(c *paginate.Condition) {
			if c.Op == paginate.Contains {
				c.Op = paginate.Prefix
			}
		})}},
		{"WildcardsNotEscaped", broken{query: func(q *paginate.Query) {
			// As LIKE with an unescaped % or _ would: the value matches
			// (nearly) every row, as if the filter were not there.
			var keep []paginate.Condition
			for _, c := range q.Filters {
				if s, ok := c.Values[0].(string); !ok || (c.Op != paginate.Prefix && c.Op != paginate.Contains) || !strings.ContainsAny(s, "%_") {
					keep = append(keep, c)
				}
			}
			q.Filters = keep
		}}},
		{"UnrequestedFieldsReturned", broken{query: func(q *paginate.Query) { q.Fields = nil }}},
		{"OffsetIgnored", broken{query: func(q *paginate.Query) { q.Offset = 0 }}},
		{"LimitIgnored", broken{query: func(q *paginate.Query) { q.Limit = 1000 }}},
		{"CountOffByOne", broken{count: func(n int64) int64 { return n + 1 }}},
		{"ContextIgnored", broken{noCtx: true}},
		{"DescendingSecondKeyIgnored", broken{query: func(q *paginate.Query) {
			if len(q.Sort) > 1 {
				q.Sort[1].Dir = paginate.Asc
			}
		}}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			r := &runner{out: &out, stop: new(bool)}
			run(r, Harness{
				New: func(_ context.Context, schema *paginate.Schema, rows []Row) (paginate.Backend[Row], error) {
					m, err := paginate.NewMemory(rows, schema, paginate.MemoryConfig[Row]{})
					b := f.b
					b.m = m
					return &b, err
				},
				Cases: 40,
			})
			if !r.failed {
				t.Fatalf("the suite passed a backend whose fault is %s", f.name)
			}
			t.Logf("found: %.600s", out.String())
		})
	}
}

// runner is a tester that records failures instead of reporting them to
// a *testing.T, so that a test can check the suite fails: it runs
// subtests in turn and writes failures to out. With stop set, the first
// failure ends the run: every later subtest is skipped.
type runner struct {
	name   string
	failed bool
	out    io.Writer
	stop   *bool
}

type fatal struct{}

func (r *runner) Helper()             {}
func (r *runner) Logf(string, ...any) {}

func (r *runner) Errorf(f string, a ...any) {
	r.failed = true
	fmt.Fprintf(r.out, r.name+": "+f+"\n", a...)
	if r.stop != nil {
		*r.stop = true
		panic(fatal{})
	}
}

func (r *runner) Fatalf(f string, a ...any) {
	r.Errorf(f, a...)
	panic(fatal{})
}

func (r *runner) run(name string, f func(tester)) bool {
	if r.stop != nil && *r.stop {
		return false
	}
	sub := &runner{name: r.name + "/" + name, out: r.out, stop: r.stop}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(fatal); !ok {
					panic(v)
				}
			}
		}()
		f(sub)
	}()
	r.failed = r.failed || sub.failed
	return !sub.failed
}

// TestSuitePassesMemory checks, through the recorder, that the suite
// passes the in-memory backend: the faults TestSuiteFindsFaults plants
// are what fails it.
func TestSuitePassesMemory(t *testing.T) {
	var out strings.Builder
	r := &runner{out: &out}
	run(r, Harness{
		New: func(_ context.Context, schema *paginate.Schema, rows []Row) (paginate.Backend[Row], error) {
			return paginate.NewMemory(rows, schema, paginate.MemoryConfig[Row]{})
		},
		Seed:  1,
		Cases: 20,
	})
	if r.failed {
		t.Fatalf("the suite failed the in-memory backend:\n%.2000s", out.String())
	}
}

// brokenRelater is the in-memory backend of the related dataset with one
// fault in the related rows it loads.
type brokenRelater struct {
	*paginate.Memory[Item]
	fault func(in paginate.Inclusion, it *Item)
}

func (b *brokenRelater) Relate(ctx context.Context, items []Item, include []paginate.Inclusion) error {
	if err := b.Memory.Relate(ctx, items, include); err != nil {
		return err
	}
	for i := range items {
		for _, in := range include {
			b.fault(in, &items[i])
		}
	}
	return nil
}

// TestSuiteFindsRelationFaults runs the checks of relations against
// backends with one fault each in their related rows, and checks that
// they fail.
func TestSuiteFindsRelationFaults(t *testing.T) {
	faults := []struct {
		name  string
		fault func(in paginate.Inclusion, it *Item)
	}{
		{"SellerOfNullKey", func(in paginate.Inclusion, it *Item) {
			if in.Relation.Name == "seller" && it.SellerID == nil {
				it.Seller = &Seller{ID: 5}
			}
		}},
		{"NoReviewsIsNil", func(in paginate.Inclusion, it *Item) {
			if in.Relation.Name == "reviews" && len(it.Reviews) == 0 {
				it.Reviews = nil
			}
		}},
		{"OldestFirst", func(in paginate.Inclusion, it *Item) {
			if in.Relation.Name == "reviews" {
				slices.Reverse(it.Reviews)
			}
		}},
		{"LimitMinusOne", func(in paginate.Inclusion, it *Item) {
			if in.Relation.Name == "reviews" && len(it.Reviews) == ReviewLimit {
				it.Reviews = it.Reviews[:ReviewLimit-1]
			}
		}},
		{"TiesByAscendingID", func(in paginate.Inclusion, it *Item) {
			r := it.TopReviews
			if in.Relation.Name == "top_reviews" && len(r) == 2 && r[0].Rating == r[1].Rating {
				r[0], r[1] = r[1], r[0]
			}
		}},
		{"FieldsOfOtherRelation", func(in paginate.Inclusion, it *Item) {
			if in.Relation.Name == "seller" && it.Seller != nil && in.Fields != nil {
				it.Seller.Country = nil
			}
		}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			r := &runner{out: &out, stop: new(bool)}
			s := newSuite(r, Harness{
				NewRelated: func(_ context.Context, schema *paginate.Schema, d Related) (paginate.Backend[Item], error) {
					m, err := paginate.NewMemory(d.Items, schema, paginate.MemoryConfig[Item]{
						Related: map[string]any{"seller": d.Sellers, "reviews": d.Reviews, "top_reviews": d.Reviews},
					})
					return &brokenRelater{Memory: m, fault: f.fault}, err
				},
			})
			s.testInclude(r)
			if !r.failed {
				t.Fatalf("the suite passed a backend whose fault is %s", f.name)
			}
			t.Logf("found: %.600s", out.String())
		})
	}
}
