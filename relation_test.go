package paginate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

type relSeller struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	Country *string `db:"country"`
}

type relReview struct {
	ID        int64     `db:"id"`
	ItemID    *int64    `db:"item_id"`
	Rating    int64     `db:"rating"`
	CreatedAt time.Time `db:"created_at"`
}

type relItem struct {
	ID       int64       `db:"id"`
	Name     string      `db:"name"`
	SellerID *int64      `db:"seller_id"`
	Seller   *relSeller  `json:"seller"`
	Reviews  []relReview `json:"reviews"`
}

func ptr[V any](v V) *V { return &v }

var relT0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func relSchema(t testing.TB) *paginate.Schema {
	t.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
		{Name: "seller_id", Type: paginate.Int, Nullable: true},
	}, "id",
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "name", Type: paginate.String},
			{Name: "country", Type: paginate.String, Nullable: true},
		}},
		paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-created_at", Limit: 2, Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "item_id", Type: paginate.Int, Nullable: true},
			{Name: "rating", Type: paginate.Int},
			{Name: "created_at", Type: paginate.Time, Sortable: true},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The rows: item 1 and 3 share seller 10; item 2 has no seller; item 4
// names a seller that does not exist. Item 1 has three reviews, two of
// them at the same time (the larger id comes first); item 3 has one;
// items 2 and 4 none; one review belongs to no item.
var (
	relSellers = []relSeller{{ID: 10, Name: "ann", Country: ptr("se")}, {ID: 11, Name: "bob"}}
	relReviews = []relReview{
		{ID: 100, ItemID: ptr[int64](1), Rating: 5, CreatedAt: relT0},
		{ID: 101, ItemID: ptr[int64](1), Rating: 4, CreatedAt: relT0.Add(time.Hour)},
		{ID: 102, ItemID: ptr[int64](1), Rating: 3, CreatedAt: relT0.Add(time.Hour)},
		{ID: 103, ItemID: ptr[int64](3), Rating: 2, CreatedAt: relT0},
		{ID: 104, ItemID: nil, Rating: 1, CreatedAt: relT0},
	}
	relItems = []relItem{
		{ID: 1, Name: "a", SellerID: ptr[int64](10)},
		{ID: 2, Name: "b"},
		{ID: 3, Name: "c", SellerID: ptr[int64](10)},
		{ID: 4, Name: "d", SellerID: ptr[int64](99)},
	}
)

func relMemory(t testing.TB, s *paginate.Schema) *paginate.Memory[relItem] {
	t.Helper()
	m, err := paginate.NewMemory(relItems, s, paginate.MemoryConfig[relItem]{Related: map[string]any{"seller": relSellers, "reviews": relReviews}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRelateMemory checks Memory's related rows through both paginators
// and Edges, against rows written out by hand.
func TestRelateMemory(t *testing.T) {
	s := relSchema(t)
	m := relMemory(t, s)
	ann := &relSeller{ID: 10, Name: "ann", Country: ptr("se")}
	want := []relItem{
		{ID: 1, Name: "a", SellerID: ptr[int64](10), Seller: ann, Reviews: []relReview{relReviews[2], relReviews[1]}},
		{ID: 2, Name: "b", Reviews: []relReview{}},
		{ID: 3, Name: "c", SellerID: ptr[int64](10), Seller: ann, Reviews: []relReview{relReviews[3]}},
		{ID: 4, Name: "d", SellerID: ptr[int64](99), Reviews: []relReview{}},
	}
	req := paginate.Request{PerPage: 4, Include: []paginate.Include{{Relation: "seller"}, {Relation: "reviews"}}}
	off, err := paginate.NewOffset(m, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := paginate.NewKeyset(m, s, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pg, err := off.Paginate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, pg.Items); d != "" {
		t.Errorf("offset (-want +got):\n%s", d)
	}
	kp, err := ks.Paginate(ctx, paginate.Request{PerPage: 2, Include: req.Include})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want[:2], kp.Items); d != "" {
		t.Errorf("keyset first page (-want +got):\n%s", d)
	}
	back, err := ks.Paginate(ctx, paginate.Request{PerPage: 2, Before: kp.LastCursor, Include: req.Include})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want[2:], back.Items); d != "" {
		t.Errorf("keyset last page, backward (-want +got):\n%s", d)
	}
	edges, err := ks.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{PerPage: 3, Include: req.Include}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want[:3], edges.Items); d != "" {
		t.Errorf("edges (-want +got):\n%s", d)
	}

	// Without include, nothing is loaded.
	plain, err := off.Paginate(ctx, paginate.Request{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]relItem{relItems[0]}, plain.Items); d != "" {
		t.Errorf("without include (-want +got):\n%s", d)
	}
}

// TestRelateFields checks sparse fields: the items keep the field they
// link through, and related rows keep their key, their Via and the
// fields asked for.
func TestRelateFields(t *testing.T) {
	s := relSchema(t)
	off, err := paginate.NewOffset(relMemory(t, s), s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := off.Paginate(context.Background(), paginate.Request{
		PerPage: 1,
		Fields:  []string{"name"},
		Include: []paginate.Include{{Relation: "seller", Fields: []string{"country"}}, {Relation: "reviews", Fields: []string{"rating"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []relItem{{
		ID: 1, Name: "a", SellerID: ptr[int64](10),
		Seller:  &relSeller{ID: 10, Country: ptr("se")},
		Reviews: []relReview{{ID: 102, ItemID: ptr[int64](1), Rating: 3}, {ID: 101, ItemID: ptr[int64](1), Rating: 4}},
	}}
	if d := cmp.Diff(want, pg.Items); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestIncludeErrors checks that bad includes are 400s naming include or
// fields[relation], all at once.
func TestIncludeErrors(t *testing.T) {
	s := relSchema(t)
	off, err := paginate.NewOffset(relMemory(t, s), s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		include []paginate.Include
		want    map[string]error
	}{
		{"unknown", []paginate.Include{{Relation: "buyer"}}, map[string]error{"include": paginate.ErrInvalidInclude}},
		{"twice", []paginate.Include{{Relation: "seller"}, {Relation: "seller"}}, map[string]error{"include": paginate.ErrInvalidInclude}},
		{"field", []paginate.Include{{Relation: "seller", Fields: []string{"rating"}}}, map[string]error{"fields[seller]": paginate.ErrInvalidField}},
		{"empty fields", []paginate.Include{{Relation: "reviews", Fields: []string{}}}, map[string]error{"fields[reviews]": paginate.ErrInvalidField}},
		{"both", []paginate.Include{{Relation: "seller", Fields: []string{"id", "id"}}, {Relation: "reviews", Fields: []string{"name"}}}, map[string]error{"fields[seller]": paginate.ErrInvalidField, "fields[reviews]": paginate.ErrInvalidField}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := off.Paginate(context.Background(), paginate.Request{Include: c.include})
			var re *paginate.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RequestError", err)
			}
			got := map[string]error{}
			for _, p := range re.Params {
				got[p.Param] = p.Err
				if p.Reason == "" {
					t.Errorf("%s: no reason", p.Param)
				}
			}
			if d := cmp.Diff(c.want, got, cmp.Comparer(func(a, b error) bool { return a == b })); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseInclude(t *testing.T) {
	s := relSchema(t)
	got, err := s.ParseInclude("reviews,seller")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]paginate.Include{{Relation: "reviews"}, {Relation: "seller"}}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"", "seller,seller", "seller,", "buyer", "seller,reviews,seller", strings.Repeat("x", 5000)} {
		_, err := s.ParseInclude(bad)
		var pe *paginate.ParamError
		if !errors.As(err, &pe) || pe.Param != "include" || !errors.Is(err, paginate.ErrInvalidInclude) || pe.Reason == "" {
			t.Errorf("ParseInclude(%.20q) = %v; want a ParamError for include", bad, err)
		}
	}
	fs, err := s.ParseRelationFields("seller", "name,country")
	if err != nil || !cmp.Equal(fs, []string{"name", "country"}) {
		t.Errorf("ParseRelationFields = %q, %v", fs, err)
	}
	for _, c := range []struct{ rel, v string }{{"seller", "rating"}, {"buyer", "name"}, {"seller", ""}, {"seller", "name,name"}} {
		_, err := s.ParseRelationFields(c.rel, c.v)
		var pe *paginate.ParamError
		if !errors.As(err, &pe) || pe.Param != "fields["+c.rel+"]" || !errors.Is(err, paginate.ErrInvalidField) {
			t.Errorf("ParseRelationFields(%q, %q) = %v; want a ParamError for fields[%s]", c.rel, c.v, err, c.rel)
		}
	}
}

// TestRelationDeclarations checks what NewSchema refuses in relations.
func TestRelationDeclarations(t *testing.T) {
	fields := []paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, {Name: "seller_id", Type: paginate.Int, Nullable: true}, {Name: "code", Type: paginate.String}}
	sellerFields := []paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, {Name: "name", Type: paginate.String}}
	reviewFields := []paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, {Name: "item_id", Type: paginate.Int}, {Name: "at", Type: paginate.Time, Sortable: true}, {Name: "body", Type: paginate.String}}
	cases := []struct {
		name string
		rel  paginate.Relation
		want string
	}{
		{"bad name", paginate.Relation{Name: "1x", Kind: paginate.BelongsTo, Via: "seller_id", Fields: sellerFields}, "invalid name"},
		{"field name", paginate.Relation{Name: "code", Kind: paginate.BelongsTo, Via: "seller_id", Fields: sellerFields}, "name of a field"},
		{"no kind", paginate.Relation{Name: "seller", Via: "seller_id", Fields: sellerFields}, "unknown kind"},
		{"no key", paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: sellerFields[1:]}, "no field is the key"},
		{"ops", paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.Eq}}}}, "cannot be filtered"},
		{"unknown via", paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "vendor_id", Fields: sellerFields}, `Via "vendor_id" is not a field of the items`},
		{"via type", paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "code", Fields: sellerFields}, `Via field "code" is string`},
		{"belongs-to limit", paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Limit: 3, Fields: sellerFields}, "Sort and Limit are for has-many"},
		{"has-many via", paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "seller_id", Fields: reviewFields}, `Via "seller_id" is not one of the relation's fields`},
		{"has-many via type", paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "body", Fields: reviewFields}, `Via field "body" is string`},
		{"limit", paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Limit: paginate.MaxRelationLimit + 1, Fields: reviewFields}, "outside 0 to 1000"},
		{"sort", paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "body", Fields: reviewFields}, "not sortable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := paginate.NewSchema(fields, "", c.rel)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	_, err := paginate.NewSchema(fields, "",
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: sellerFields},
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: sellerFields})
	if err == nil || !strings.Contains(err.Error(), "declared twice") {
		t.Errorf("a relation declared twice: got %v", err)
	}
	s, err := paginate.NewSchema(fields, "", paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Fields: reviewFields})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Relation("reviews"); r.Limit != paginate.DefaultRelationLimit {
		t.Errorf("default limit %d, want %d", r.Limit, paginate.DefaultRelationLimit)
	}
}

// TestRelateConstruction checks that paginators refuse a backend that
// cannot load relations, and Memory refuses rows that do not fit.
func TestRelateConstruction(t *testing.T) {
	s := relSchema(t)
	m := relMemory(t, s)
	if _, err := paginate.NewOffset[relItem](noRelater{m}, s, paginate.OffsetConfig{}); err == nil || !strings.Contains(err.Error(), "paginate.Relater") {
		t.Errorf("NewOffset over a backend without Relate: %v", err)
	}
	cases := []struct {
		name    string
		related map[string]any
		want    string
	}{
		{"missing", map[string]any{"seller": relSellers}, `no rows for the relation "reviews"`},
		{"unknown", map[string]any{"seller": relSellers, "reviews": relReviews, "buyer": relSellers}, `"buyer", which the schema does not declare`},
		{"type", map[string]any{"seller": relReviews, "reviews": relReviews}, "want a []paginate_test.relSeller"},
		{"duplicate key", map[string]any{"seller": append(relSellers, relSellers[0]), "reviews": relReviews}, "two rows have the key 10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := paginate.NewMemory(relItems, s, paginate.MemoryConfig[relItem]{Related: c.related})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	type wrongHolder struct {
		ID       int64
		Name     string
		SellerID *int64 `db:"seller_id"`
		Seller   relSeller
		Reviews  []relReview
	}
	_, err := paginate.NewMemory([]wrongHolder{}, s, paginate.MemoryConfig[wrongHolder]{Related: map[string]any{"seller": relSellers, "reviews": relReviews}})
	if err == nil || !strings.Contains(err.Error(), "must be a pointer to a struct") {
		t.Errorf("a Seller that is no pointer: %v", err)
	}
}

type noRelater struct{ b paginate.Backend[relItem] }

func (n noRelater) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[relItem], error) {
	return n.b.Fetch(ctx, q)
}

func (n noRelater) Count(ctx context.Context, q paginate.Query) (int64, error) {
	return n.b.Count(ctx, q)
}

// slowRelater is a Memory whose Relate takes d.
type slowRelater struct {
	*paginate.Memory[relItem]
	d time.Duration
}

func (s slowRelater) Relate(ctx context.Context, items []relItem, include []paginate.Inclusion) error {
	time.Sleep(s.d)
	return s.Memory.Relate(ctx, items, include)
}

// TestTimingsRelated: the time spent loading included relations is
// recorded as Related, by both paginators, and nothing is when no
// relation is included.
func TestTimingsRelated(t *testing.T) {
	s := relSchema(t)
	slow := slowRelater{Memory: relMemory(t, s), d: 2 * time.Millisecond}
	off, err := paginate.NewOffset[relItem](slow, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := paginate.NewKeyset[relItem](slow, s, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	include := []paginate.Include{{Relation: "reviews"}}
	for name, p := range map[string]paginate.Paginator[relItem]{"offset": off, "keyset": ks} {
		var tm paginate.Timings
		ctx := paginate.WithTimings(context.Background(), &tm)
		if _, err := p.Paginate(ctx, paginate.Request{Include: include}); err != nil {
			t.Fatal(err)
		}
		if tm.Related < slow.d {
			t.Errorf("%s with include: %+v, want Related of at least %v", name, tm, slow.d)
		}
		tm = paginate.Timings{}
		if _, err := p.Paginate(ctx, paginate.Request{}); err != nil {
			t.Fatal(err)
		}
		if tm.Related != 0 {
			t.Errorf("%s without include: Related %v, want 0", name, tm.Related)
		}
	}
}
