package paginatetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// Item is an item of the related dataset ([RelatedDataset]), which checks
// that a backend loads relations ([paginate.Relater]). Its columns are
// the db tags; Seller, Reviews and TopReviews hold its related rows.
type Item struct {
	// ID is the key.
	ID int64 `db:"id"`
	// Name is lower-case ASCII text with duplicates.
	Name string `db:"name"`
	// SellerID is the key of the item's seller: NULL for some items, and
	// for some a key no seller has.
	SellerID *int64 `db:"seller_id"`
	// Seller is the seller relation's row.
	Seller *Seller `json:"seller"`
	// Reviews is the reviews relation's rows: the newest first.
	Reviews []Review `json:"reviews"`
	// TopReviews is the top_reviews relation's rows: the best rated
	// first.
	TopReviews []*Review `json:"top_reviews"`
}

// Seller is a row of the sellers of the related dataset.
type Seller struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	// Country is NULL for some sellers.
	Country *string `db:"country"`
}

// Review is a row of the reviews of the related dataset.
type Review struct {
	ID int64 `db:"id"`
	// ItemID is the key of the reviewed item: NULL for some reviews, and
	// for some a key no item has.
	ItemID *int64 `db:"item_id"`
	// Rating is 1 to 5.
	Rating int64 `db:"rating"`
	// Body is NULL for some reviews.
	Body *string `db:"body"`
	// CreatedAt is a UTC time with microsecond precision, shared by
	// several reviews of an item; NULL for some reviews.
	CreatedAt *time.Time `db:"created_at"`
}

// Related is the related dataset: items, and the rows of their relations.
type Related struct {
	Items   []Item
	Sellers []Seller
	Reviews []Review
}

// ReviewLimit and TopReviewLimit are the per-item limits of the reviews
// and top_reviews relations.
const (
	ReviewLimit    = 3
	TopReviewLimit = 2
)

// RelatedSchema returns the schema of [Item] and its relations: seller
// (belongs-to, through seller_id), reviews (has-many, through item_id,
// newest first, at most [ReviewLimit]) and top_reviews (has-many over the
// same rows, best rated first, at most [TopReviewLimit]). A backend reads
// both has-many relations from the same reviews.
func RelatedSchema() *paginate.Schema {
	reviewFields := []paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "item_id", Type: paginate.Int, Nullable: true},
		{Name: "rating", Type: paginate.Int, Sortable: true},
		{Name: "body", Type: paginate.String, Nullable: true},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Nullable: true},
	}
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.Lt, paginate.Gt}},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.In}},
		{Name: "seller_id", Type: paginate.Int, Sortable: true, Nullable: true, Ops: []paginate.Op{paginate.Eq, paginate.In}},
	}, "name",
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "name", Type: paginate.String},
			{Name: "country", Type: paginate.String, Nullable: true},
		}},
		paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-created_at", Limit: ReviewLimit, Fields: reviewFields},
		paginate.Relation{Name: "top_reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-rating", Limit: TopReviewLimit, Fields: reviewFields},
	)
	if err != nil {
		panic("paginatetest: " + err.Error()) // the declarations above are fixed
	}
	return s
}

// RelatedDataset returns the fixed related dataset, the same on every
// call: 40 items in a shuffled order, sharing 6 sellers (one seller is
// nobody's, some items have none, some name a seller that does not
// exist), and 0 to 8 reviews per item, with equal times and ratings
// among an item's reviews, NULL times and bodies, and reviews of no item
// or of items that do not exist.
func RelatedDataset() Related {
	var d Related
	countries := []string{"de", "fr", "jp", "se", "us"}
	for i := range 7 {
		s := Seller{ID: int64(i*13 + 5), Name: "seller" + string(rune('a'+i))}
		if i != 3 {
			s.Country = ptr(countries[i%len(countries)])
		}
		d.Sellers = append(d.Sellers, s)
	}
	words := []string{"apple", "brick", "cloud", "delta", "ember", "frost", "grain"}
	bodies := []string{"fine", "good", "meh", "great"}
	at := time.Date(2024, 3, 4, 5, 6, 7, 891000000, time.UTC)
	reviewID := int64(1000)
	for i := range 40 {
		it := Item{ID: int64(i*7 - 50), Name: words[(i*3)%len(words)]}
		switch {
		case i%5 == 0:
		case i%11 == 3:
			it.SellerID = ptr[int64](999)
		default:
			it.SellerID = ptr(d.Sellers[(i*5)%6].ID)
		}
		d.Items = append(d.Items, it)
		for j := range i % 9 {
			reviewID += int64(7 + (i*j)%5)
			r := Review{ID: reviewID, ItemID: ptr(it.ID), Rating: int64((i+j*3)%5 + 1)}
			if (i+j)%4 != 0 {
				r.Body = ptr(bodies[(i+j)%len(bodies)])
			}
			if j != 5 {
				r.CreatedAt = ptr(at.Add(time.Duration((i*j)%4) * time.Hour).Add(time.Duration(i) * time.Microsecond))
			}
			d.Reviews = append(d.Reviews, r)
		}
	}
	d.Reviews = append(d.Reviews,
		Review{ID: 1, Rating: 5, CreatedAt: ptr(at)},
		Review{ID: 2, ItemID: ptr[int64](12345), Rating: 1, CreatedAt: ptr(at)},
	)
	// Fixed shuffles, so that insertion order says nothing.
	for i := range d.Items {
		j := (i*17 + 5) % len(d.Items)
		d.Items[i], d.Items[j] = d.Items[j], d.Items[i]
	}
	for i := range d.Reviews {
		j := (i*31 + 3) % len(d.Reviews)
		d.Reviews[i], d.Reviews[j] = d.Reviews[j], d.Reviews[i]
	}
	return d
}

func (it Item) id() int64 { return it.ID }

// equal reports whether it and o are equal as go-cmp compares them.
func (it Item) equal(o Item) bool {
	return cmp.Equal(it, o, cmpOptions...)
}

// relModel is the suite's own model of the relations: what each item
// holds, computed from the dataset without the backend's or the
// reference's code, so that a broken reference cannot hide a broken
// backend.
type relModel struct {
	d     Related
	nulls paginate.NullOrder
}

// attach returns it holding the rows of the relations in include, as
// the schema declares them, with only the fields each asks for.
func (m relModel) attach(it Item, include []paginate.Include) Item {
	for _, in := range include {
		switch in.Relation {
		case "seller":
			it.Seller = nil
			for _, s := range m.d.Sellers {
				if it.SellerID != nil && s.ID == *it.SellerID {
					it.Seller = projectSeller(s, in.Fields)
				}
			}
		case "reviews":
			it.Reviews = []Review{}
			for _, r := range m.reviews(it.ID, m.newestFirst, ReviewLimit) {
				it.Reviews = append(it.Reviews, projectReview(r, in.Fields))
			}
		case "top_reviews":
			it.TopReviews = []*Review{}
			for _, r := range m.reviews(it.ID, bestFirst, TopReviewLimit) {
				p := projectReview(r, in.Fields)
				it.TopReviews = append(it.TopReviews, &p)
			}
		}
	}
	return it
}

// reviews returns the first limit reviews of item id in the order cmp
// gives, ties broken by id in the direction of the order.
func (m relModel) reviews(id int64, cmp func(a, b Review) int, limit int) []Review {
	var out []Review
	for _, r := range m.d.Reviews {
		if r.ItemID != nil && *r.ItemID == id {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, cmp)
	return out[:min(limit, len(out))]
}

// newestFirst orders reviews by created_at descending, then id
// descending; NULL times come first where NULL sorts largest, last
// where it sorts smallest.
func (m relModel) newestFirst(a, b Review) int {
	switch {
	case a.CreatedAt == nil && b.CreatedAt == nil:
	case a.CreatedAt == nil || b.CreatedAt == nil:
		aNull := a.CreatedAt == nil
		if aNull == (m.nulls == paginate.NullsLargest) {
			return -1
		}
		return 1
	default:
		if c := b.CreatedAt.Compare(*a.CreatedAt); c != 0 {
			return c
		}
	}
	return cmpInt(b.ID, a.ID)
}

// bestFirst orders reviews by rating descending, then id descending.
func bestFirst(a, b Review) int {
	if c := cmpInt(b.Rating, a.Rating); c != 0 {
		return c
	}
	return cmpInt(b.ID, a.ID)
}

// projectSeller returns a copy of s with only the fields named (all when
// fields is nil).
func projectSeller(s Seller, fields []string) *Seller {
	if fields == nil {
		return &s
	}
	out := Seller{}
	for _, f := range fields {
		switch f {
		case "id":
			out.ID = s.ID
		case "name":
			out.Name = s.Name
		case "country":
			out.Country = s.Country
		default:
			panic("paginatetest: unknown seller field " + f)
		}
	}
	return &out
}

// projectReview returns r with only the fields named (all when fields is
// nil).
func projectReview(r Review, fields []string) Review {
	if fields == nil {
		return r
	}
	out := Review{}
	for _, f := range fields {
		switch f {
		case "id":
			out.ID = r.ID
		case "item_id":
			out.ItemID = r.ItemID
		case "rating":
			out.Rating = r.Rating
		case "body":
			out.Body = r.Body
		case "created_at":
			out.CreatedAt = r.CreatedAt
		default:
			panic("paginatetest: unknown review field " + f)
		}
	}
	return out
}

// projectItem returns it with only the fields named (all when fields is
// nil) and the related rows of the relations in include, each with only
// the fields its include names: what the suite compares, since a backend
// may load more fields than asked for.
func projectItem(it Item, fields []string, include []paginate.Include) Item {
	out := it
	if fields != nil {
		out = Item{Seller: it.Seller, Reviews: it.Reviews, TopReviews: it.TopReviews}
		for _, f := range fields {
			switch f {
			case "id":
				out.ID = it.ID
			case "name":
				out.Name = it.Name
			case "seller_id":
				out.SellerID = it.SellerID
			default:
				panic("paginatetest: unknown item field " + f)
			}
		}
	}
	for _, in := range include {
		switch in.Relation {
		case "seller":
			if it.Seller != nil {
				out.Seller = projectSeller(*it.Seller, in.Fields)
			}
		case "reviews":
			if it.Reviews != nil {
				out.Reviews = make([]Review, len(it.Reviews))
				for i, r := range it.Reviews {
					out.Reviews[i] = projectReview(r, in.Fields)
				}
			}
		case "top_reviews":
			if it.TopReviews != nil {
				out.TopReviews = make([]*Review, len(it.TopReviews))
				for i, r := range it.TopReviews {
					if r != nil {
						p := projectReview(*r, in.Fields)
						out.TopReviews[i] = &p
					}
				}
			}
		}
	}
	return out
}

// projected is a paginator whose pages' items are projected as
// projectItem does.
type projected struct {
	p      paginate.Paginator[Item]
	fields []string
}

func (p projected) Paginate(ctx context.Context, req paginate.Request) (paginate.Page[Item], error) {
	pg, err := p.p.Paginate(ctx, req)
	for i, it := range pg.Items {
		pg.Items[i] = projectItem(it, p.fields, req.Include)
	}
	return pg, err
}

// includeCase is one request shape of the include checks.
type includeCase struct {
	sort    string
	filters []paginate.Filter
	fields  []string
	include []paginate.Include
	perPage int
}

func (c includeCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sort=%s", sortName(c.sort))
	for _, f := range c.filters {
		b.WriteString(" " + formatFilter(f))
	}
	if c.fields != nil {
		b.WriteString(" fields=" + strings.Join(c.fields, ","))
	}
	var names []string
	for _, in := range c.include {
		names = append(names, in.Relation)
		if in.Fields != nil {
			fmt.Fprintf(&b, " %s=%s", in.FieldsParam(), strings.Join(in.Fields, ","))
		}
	}
	fmt.Fprintf(&b, " include=%s per_page=%d", strings.Join(names, ","), c.perPage)
	return b.String()
}

// includeCases are the request shapes the related dataset is paged in:
// each relation alone and all together, with and without their fields,
// under sorts (NULL seller ids among them), filters and sparse fields.
func includeCases() []includeCase {
	all := []paginate.Include{{Relation: "seller"}, {Relation: "reviews"}, {Relation: "top_reviews"}}
	some := []paginate.Include{
		{Relation: "seller", Fields: []string{"country"}},
		{Relation: "reviews", Fields: []string{"created_at", "rating"}},
		{Relation: "top_reviews", Fields: []string{"body"}},
	}
	f := func(field string, op paginate.Op, vals ...any) paginate.Filter {
		return paginate.Filter{Field: field, Op: op, Values: vals}
	}
	return []includeCase{
		{include: all[:1], perPage: 7},
		{include: all[1:2], perPage: 7},
		{include: all[2:], perPage: 7},
		{include: all, perPage: 1},
		{include: all, perPage: 6},
		{include: all, perPage: 40},
		{include: some, perPage: 9},
		{sort: "-seller_id,name", include: all, perPage: 5},
		{sort: "seller_id", include: some[:1], perPage: 4},
		{sort: "-name", fields: []string{"name"}, include: all, perPage: 8},
		{sort: "-id", fields: []string{"id"}, include: some, perPage: 11},
		{filters: []paginate.Filter{f("seller_id", paginate.In, int64(5), int64(18), int64(999))}, include: all, perPage: 3},
		{filters: []paginate.Filter{f("name", paginate.Ne, "apple"), f("id", paginate.Gt, int64(0))}, fields: []string{"seller_id"}, include: all[:2], perPage: 4},
		{filters: []paginate.Filter{f("seller_id", paginate.Eq, int64(999))}, include: all, perPage: 2},
		{filters: []paginate.Filter{f("name", paginate.Eq, "nothing")}, include: all, perPage: 5},
	}
}

// testInclude pages the related dataset with relations included, by
// number and by cursor both ways, and checks every item and its related
// rows against the suite's model of the relations.
func (s *suite) testInclude(t tester) {
	if s.h.NewRelated == nil {
		t.Logf("Harness.NewRelated is nil: relations are not checked")
		return
	}
	schema := RelatedSchema()
	d := RelatedDataset()
	b, err := s.h.NewRelated(s.ctx, schema, RelatedDataset())
	if err != nil {
		t.Fatalf("Harness.NewRelated: %v", err)
		return
	}
	if _, ok := b.(paginate.Relater[Item]); !ok {
		t.Fatalf("the backend %T does not implement paginate.Relater", b)
		return
	}
	model := relModel{d: d, nulls: nullOrder(b)}
	// The reference orders the items, without their relations.
	mem, err := paginate.NewMemory(d.Items, schema, paginate.MemoryConfig[Item]{
		Nulls: model.nulls, Collate: s.h.Collate,
		Related: map[string]any{"seller": d.Sellers, "reviews": d.Reviews, "top_reviews": d.Reviews},
	})
	if err != nil {
		t.Fatalf("reference: %v", err)
		return
	}
	ref, err := paginate.NewOffset(mem, schema, paginate.OffsetConfig{MaxPerPage: maxPerPage})
	if err != nil {
		t.Fatalf("reference: %v", err)
		return
	}
	offset, err := paginate.NewOffset(b, schema, paginate.OffsetConfig{MaxPerPage: maxPerPage, RejectOverMax: true})
	if err != nil {
		t.Fatalf("NewOffset: %v", err)
		return
	}
	keyset, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{signingKey}, Now: func() time.Time { return now }, MaxPerPage: maxPerPage})
	if err != nil {
		t.Fatalf("NewKeyset: %v", err)
		return
	}
	s.checkRelatedModel(t, model)
	for i, c := range includeCases() {
		t.run(fmt.Sprintf("%02d", i), func(t tester) {
			sp := spec{filters: c.filters, fields: c.fields, include: c.include, perPage: c.perPage}
			if c.sort != "" {
				sp.sort, err = schema.ParseSort(c.sort)
				if err != nil {
					t.Fatalf("%v", err)
					return
				}
			}
			req := sp.request()
			req.Include, req.Fields, req.PerPage = nil, nil, maxPerPage
			parents, err := ref.Paginate(s.ctx, req)
			if err != nil {
				t.Fatalf("reference %s: %v", c, err)
				return
			}
			want := make([]Item, len(parents.Items))
			for k, it := range parents.Items {
				want[k] = projectItem(model.attach(it, c.include), c.fields, c.include)
			}
			if err := checkOffset(s.ctx, projected{offset, c.fields}, want, sp, nil); err != nil {
				t.Errorf("offset %s: %v", c, err)
			}
			if err := checkKeyset(s.ctx, projected{keyset, c.fields}, want, sp); err != nil {
				t.Errorf("keyset %s: %v", c, err)
			}
		})
	}
}

// checkRelatedModel checks the model against facts about the dataset
// that need no code: that it has shared sellers, missing sellers, items
// with more reviews than the limits, ties, and NULLs where the model
// must place them.
func (s *suite) checkRelatedModel(t tester, m relModel) {
	byID := map[int64]int{}
	for _, it := range m.d.Items {
		if it.SellerID != nil {
			byID[*it.SellerID]++
		}
	}
	if byID[999] == 0 || byID[5] < 2 {
		t.Errorf("related dataset: want items of a missing seller and a shared seller, got %v", byID)
	}
	full := 0
	for _, it := range m.d.Items {
		got := m.reviews(it.ID, m.newestFirst, 100)
		if len(got) > ReviewLimit {
			full++
		}
		for k := 1; k < len(got); k++ {
			a, b := got[k-1], got[k]
			if a.CreatedAt != nil && b.CreatedAt != nil && a.CreatedAt.Before(*b.CreatedAt) {
				t.Errorf("model: review %d sorts before review %d, which is newer", a.ID, b.ID)
			}
			if (a.CreatedAt == nil) != (b.CreatedAt == nil) && (a.CreatedAt == nil) != (m.nulls == paginate.NullsLargest) {
				t.Errorf("model: review %d and %d: NULL times sort on the wrong side for %s", a.ID, b.ID, m.nulls)
			}
		}
	}
	if full == 0 {
		t.Errorf("related dataset: no item has more than %d reviews", ReviewLimit)
	}
}
