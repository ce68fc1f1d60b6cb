package apitest

import (
	"cmp"
	"slices"
	"strings"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
)

// Item returns the dataset's row id as the items API serves it, without
// its related rows.
func Item(id int64) itemsapi.Item {
	r := dataset.Row(id)
	return itemsapi.Item{ID: r.ID, Name: r.Name, Category: r.Category, Price: r.Price, CreatedAt: r.CreatedAt, SellerID: r.SellerID}
}

// Items returns the rows 1..n of a table seeded with n rows, in id order.
func Items(n int) []itemsapi.Item {
	out := make([]itemsapi.Item, n)
	for i := range out {
		out[i] = Item(int64(i + 1))
	}
	return out
}

// Filter returns, in a new slice, the items keep keeps; all of them when
// keep is nil.
func Filter(items []itemsapi.Item, keep func(itemsapi.Item) bool) []itemsapi.Item {
	if keep == nil {
		return slices.Clone(items)
	}
	return slices.DeleteFunc(slices.Clone(items), func(it itemsapi.Item) bool { return !keep(it) })
}

// SortKeys returns the keys of a sort parameter, such as "-price,name".
// It reads the parameter on its own, not through the library, so that it
// can stand as the reference.
func SortKeys(sort string) []paginate.SortKey {
	var keys []paginate.SortKey
	for _, k := range strings.Split(sort, ",") {
		if f, ok := strings.CutPrefix(k, "-"); ok {
			keys = append(keys, paginate.SortKey{Field: f, Dir: paginate.Desc})
		} else {
			keys = append(keys, paginate.SortKey{Field: k})
		}
	}
	return keys
}

// Sorted returns, in a new slice, the items in the order of the sort
// parameter sort, as the API orders them (see [Compare]).
func Sorted(items []itemsapi.Item, sort string) []itemsapi.Item {
	keys := SortKeys(sort)
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b itemsapi.Item) int { return Compare(keys, a, b) })
	return out
}

// Compare compares two items in the order keys give, the id breaking ties
// in the direction of the last key, as the API's paginators append it.
func Compare(keys []paginate.SortKey, a, b itemsapi.Item) int {
	dir := paginate.Asc
	for _, k := range keys {
		var c int
		switch k.Field {
		case "id":
			c = cmp.Compare(a.ID, b.ID)
		case "name":
			c = strings.Compare(a.Name, b.Name)
		case "category":
			c = strings.Compare(a.Category, b.Category)
		case "price":
			c = cmp.Compare(a.Price, b.Price)
		case "created_at":
			c = a.CreatedAt.Compare(b.CreatedAt)
		default:
			panic("apitest: no order on the field " + k.Field)
		}
		if k.Dir == paginate.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		dir = k.Dir
	}
	c := cmp.Compare(a.ID, b.ID)
	if dir == paginate.Desc {
		c = -c
	}
	return c
}

// IDs returns the items' ids, in order.
func IDs(items []itemsapi.Item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// Seller returns the seller the API embeds in it with include=seller:
// nil when the item has none.
func Seller(it itemsapi.Item) *itemsapi.Seller {
	if it.SellerID == nil {
		return nil
	}
	s := dataset.SellerRow(*it.SellerID)
	return &s
}

// Reviews returns the reviews the API embeds in the item itemID with
// include=reviews: its newest, at most [itemsapi.ReviewLimit], ties broken
// by the higher id; empty, never nil, when it has none.
func Reviews(itemID int64) []itemsapi.Review {
	all := dataset.Reviews(itemID)
	slices.SortFunc(all, func(a, b dataset.Review) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return append([]itemsapi.Review{}, all[:min(len(all), itemsapi.ReviewLimit)]...)
}
