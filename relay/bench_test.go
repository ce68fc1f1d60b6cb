package relay_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/relay"
)

type benchItem struct {
	ID        int64
	Name      string
	CreatedAt time.Time `db:"created_at"`
}

// BenchmarkConnection measures what a connection of 20 edges costs over
// a plain keyset page of 20 items, both over Memory (50 rows) sorted
// newest first, so that each cursor holds a time and an id. "first" pages
// start at the first row; "after" pages continue after a cursor, where
// the connection also asks the backend whether a row lies at or before
// it, for an exact hasPreviousPage.
func BenchmarkConnection(b *testing.B) {
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String},
		{Name: "created_at", Type: paginate.Time, Sortable: true},
	}, "-created_at")
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]benchItem, 50)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = benchItem{ID: int64(i + 1), Name: fmt.Sprintf("item %d", i+1), CreatedAt: t0.Add(time.Duration(i/3) * time.Minute)}
	}
	m, err := paginate.NewMemory(rows, schema, paginate.MemoryConfig[benchItem]{})
	if err != nil {
		b.Fatal(err)
	}
	k, err := paginate.NewKeyset(m, schema, paginate.KeysetConfig{Keys: [][]byte{testKey}, PerPage: 20})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	first, err := k.Paginate(ctx, paginate.Request{})
	if err != nil {
		b.Fatal(err)
	}
	after := first.NextCursor

	b.Run("keyset/first", func(b *testing.B) {
		benchPage(b, k, paginate.Request{})
	})
	b.Run("connection/first", func(b *testing.B) {
		benchConnection(b, k, relay.Args{First: new(20)})
	})
	b.Run("keyset/after", func(b *testing.B) {
		benchPage(b, k, paginate.Request{After: after})
	})
	b.Run("connection/after", func(b *testing.B) {
		benchConnection(b, k, relay.Args{First: new(20), After: &after})
	})
}

func benchPage(b *testing.B, k *paginate.Keyset[benchItem], req paginate.Request) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := k.Paginate(ctx, req)
		if err != nil || len(p.Items) != 20 {
			b.Fatalf("%d items, %v", len(p.Items), err)
		}
	}
}

func benchConnection(b *testing.B, k *paginate.Keyset[benchItem], args relay.Args) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := relay.Paginate(ctx, k, args)
		if err != nil || len(c.Edges) != 20 {
			b.Fatalf("%d edges, %v", len(c.Edges), err)
		}
	}
}
