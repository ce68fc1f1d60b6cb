package paginate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-paginate/paginate"
)

// A schema declares relations beside its fields; a request includes
// them by name, and each item of the page holds its related rows.
func ExampleRelation() {
	type Seller struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	type Review struct {
		ID     int64     `db:"id"`
		ItemID int64     `db:"item_id"`
		Stars  int64     `db:"stars"`
		At     time.Time `db:"at"`
	}
	type Item struct {
		ID       int64    `db:"id"`
		Name     string   `db:"name"`
		SellerID *int64   `db:"seller_id"`
		Seller   *Seller  `json:"seller"`
		Reviews  []Review `json:"reviews"`
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "name", Type: paginate.String, Sortable: true},
		{Name: "seller_id", Type: paginate.Int, Nullable: true},
	}, "name",
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "name", Type: paginate.String},
		}},
		paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-at", Limit: 2, Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "item_id", Type: paginate.Int},
			{Name: "stars", Type: paginate.Int},
			{Name: "at", Type: paginate.Time, Sortable: true},
		}},
	)
	if err != nil {
		panic(err)
	}
	seller := int64(7)
	day := func(d int) time.Time { return time.Date(2024, 5, d, 0, 0, 0, 0, time.UTC) }
	backend, err := paginate.NewMemory(
		[]Item{{ID: 1, Name: "lamp", SellerID: &seller}, {ID: 2, Name: "mug"}},
		schema,
		paginate.MemoryConfig[Item]{Related: map[string]any{
			"seller":  []Seller{{ID: 7, Name: "ann"}},
			"reviews": []Review{{ID: 10, ItemID: 1, Stars: 5, At: day(1)}, {ID: 11, ItemID: 1, Stars: 2, At: day(3)}, {ID: 12, ItemID: 1, Stars: 4, At: day(2)}},
		}})
	if err != nil {
		panic(err)
	}
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{})
	if err != nil {
		panic(err)
	}
	page, err := p.Paginate(context.Background(), paginate.Request{
		Include: []paginate.Include{{Relation: "seller"}, {Relation: "reviews", Fields: []string{"stars"}}},
	})
	if err != nil {
		panic(err)
	}
	for _, it := range page.Items {
		fmt.Print(it.Name, ": seller ")
		if it.Seller != nil {
			fmt.Print(it.Seller.Name)
		} else {
			fmt.Print("none")
		}
		fmt.Print(", newest reviews")
		for _, r := range it.Reviews {
			fmt.Print(" ", r.Stars, "★")
		}
		fmt.Println()
	}
	// Output:
	// lamp: seller ann, newest reviews 2★ 4★
	// mug: seller none, newest reviews
}
