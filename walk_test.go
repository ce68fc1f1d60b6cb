package paginate_test

import (
	"context"
	"errors"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

func TestWalk(t *testing.T) {
	b := memory(t, numbered(23))
	off, err := paginate.NewOffset(b, itemSchema(t), paginate.OffsetConfig{PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]paginate.Paginator[item]{
		"offset": off,
		"keyset": keyset(t, b, paginate.KeysetConfig{PerPage: 5}),
	} {
		t.Run(name, func(t *testing.T) {
			var got []int64
			for it, err := range paginate.Walk(context.Background(), p, paginate.Request{}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, it.ID)
			}
			if diff := gocmp.Diff(span(1, 23), got); diff != "" {
				t.Errorf("walk (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWalkStops(t *testing.T) {
	p := keyset(t, memory(t, numbered(23)), paginate.KeysetConfig{PerPage: 5})

	// Breaking out of the loop stops the walk.
	n := 0
	for _, err := range paginate.Walk(context.Background(), p, paginate.Request{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 7 {
			break
		}
	}

	// A canceled context ends the walk with its error.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	n = 0
	for _, err := range paginate.Walk(ctx, p, paginate.Request{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 6 {
			cancel()
		}
	}
	if n != 10 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("after cancel at item 6: %d items, errors %v; want the page of 10 then context.Canceled", n, errs)
	}

	// A bad request yields its error once.
	errs = nil
	for _, err := range paginate.Walk(context.Background(), p, paginate.Request{PerPage: -1}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], paginate.ErrInvalidPerPage) {
		t.Errorf("bad request: got %v", errs)
	}
}

// TestWalkFromBefore starts a walk from a Before cursor: it yields the
// page before the cursor's position, then every page after it, to the
// end, each row once.
func TestWalkFromBefore(t *testing.T) {
	ctx := context.Background()
	p := keyset(t, memory(t, numbered(23)), paginate.KeysetConfig{PerPage: 5})
	first, err := p.Paginate(ctx, paginate.Request{PerPage: 8})
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.Paginate(ctx, paginate.Request{PerPage: 8, After: first.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	// second.PrevCursor points at row 9: the walk starts with the five
	// rows before it.
	var got []int64
	n := 0
	for it, err := range paginate.Walk(ctx, p, paginate.Request{Before: second.PrevCursor}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n > 23 {
			t.Fatal("the walk does not end")
		}
		got = append(got, it.ID)
	}
	if diff := gocmp.Diff(span(4, 23), got); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
}
