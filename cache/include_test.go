package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

type owner struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// owned has an owner, and a maker who is an owner too.
type owned struct {
	ID      int64  `db:"id"`
	OwnerID int64  `db:"owner_id"`
	Owner   *owner `json:"owner"`
	Maker   *owner `json:"maker"`
}

// relating counts the pages its Memory loads relations for.
type relating struct {
	*paginate.Memory[owned]
	relates int
}

func (r *relating) Relate(ctx context.Context, items []owned, include []paginate.Inclusion) error {
	r.relates++
	return r.Memory.Relate(ctx, items, include)
}

// TestPagesInclude checks that a page with relations is cached apart from
// one without them or with other relation fields, and that the order of
// the include list does not matter.
func TestPagesInclude(t *testing.T) {
	ownerFields := []paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, {Name: "name", Type: paginate.String}}
	s, err := paginate.NewSchema([]paginate.Field{{Name: "id", Type: paginate.Int, Key: true}, {Name: "owner_id", Type: paginate.Int}}, "",
		paginate.Relation{Name: "owner", Kind: paginate.BelongsTo, Via: "owner_id", Fields: ownerFields},
		paginate.Relation{Name: "maker", Kind: paginate.BelongsTo, Via: "owner_id", Fields: ownerFields})
	if err != nil {
		t.Fatal(err)
	}
	owners := []owner{{ID: 5, Name: "ann"}}
	m, err := paginate.NewMemory([]owned{{ID: 1, OwnerID: 5}}, s, paginate.MemoryConfig[owned]{Related: map[string]any{"owner": owners, "maker": owners}})
	if err != nil {
		t.Fatal(err)
	}
	b := &relating{Memory: m}
	inner, err := paginate.NewOffset[owned](b, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := cache.NewPages(inner, cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "owned", Shared: true, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ann := &owner{ID: 5, Name: "ann"}
	steps := []struct {
		name         string
		include      []paginate.Include
		relates      int
		owner, maker *owner
	}{
		{"without", nil, 0, nil, nil},
		{"owner", []paginate.Include{{Relation: "owner"}}, 1, ann, nil},
		{"owner again", []paginate.Include{{Relation: "owner"}}, 1, ann, nil},
		{"without again", nil, 1, nil, nil},
		{"owner's id", []paginate.Include{{Relation: "owner", Fields: []string{"id"}}}, 2, &owner{ID: 5}, nil},
		{"both", []paginate.Include{{Relation: "owner"}, {Relation: "maker"}}, 3, ann, ann},
		{"both, the other way", []paginate.Include{{Relation: "maker"}, {Relation: "owner"}}, 3, ann, ann},
	}
	for _, st := range steps {
		pg, err := p.Paginate(context.Background(), paginate.Request{Include: st.include})
		if err != nil {
			t.Fatal(err)
		}
		if b.relates != st.relates {
			t.Errorf("%s: %d relates, want %d", st.name, b.relates, st.relates)
		}
		for _, c := range []struct {
			what      string
			got, want *owner
		}{{"owner", pg.Items[0].Owner, st.owner}, {"maker", pg.Items[0].Maker, st.maker}} {
			if (c.got == nil) != (c.want == nil) || (c.got != nil && *c.got != *c.want) {
				t.Errorf("%s: %s %+v, want %+v", st.name, c.what, c.got, c.want)
			}
		}
	}
}
