package paginate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// TestEdgesCursorsArePaginateCursors checks that an edge's cursor is the
// cursor Paginate issues for the same row's position: the same text, so
// either works wherever the other does.
func TestEdgesCursorsArePaginateCursors(t *testing.T) {
	ctx := context.Background()
	p := keyset(t, memory(t, numbered(12)), paginate.KeysetConfig{})
	sort := []paginate.SortKey{{Field: "name", Dir: paginate.Desc}}
	e, err := p.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{PerPage: 12, Sort: sort}})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Cursors) != 12 || len(e.Items) != 12 || e.More || e.Behind {
		t.Fatalf("%d items, %d cursors, More %v, Behind %v", len(e.Items), len(e.Cursors), e.More, e.Behind)
	}
	req := paginate.Request{PerPage: 5, Sort: sort}
	for i := 0; i < 12; i += 5 {
		page, err := p.Paginate(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ids(e.Items[i:i+len(page.Items)]), ids(page.Items)); diff != "" {
			t.Fatalf("page at %d (-edges +page):\n%s", i, diff)
		}
		if i > 0 && page.PrevCursor != e.Cursors[i] {
			t.Errorf("page at %d: PrevCursor %q, edge cursor %q", i, page.PrevCursor, e.Cursors[i])
		}
		if page.HasNext && page.NextCursor != e.Cursors[i+4] {
			t.Errorf("page at %d: NextCursor %q, edge cursor %q", i, page.NextCursor, e.Cursors[i+4])
		}
		req.After = page.NextCursor
	}
}

// TestEdgesQueries checks what Edges asks the backend for: PerPage+1
// rows from the near cursor, then, only when the near cursor is set, one
// row the other way from the first row fetched, selecting only the key.
func TestEdgesQueries(t *testing.T) {
	ctx := context.Background()
	rec := &recordingBackend{Memory: memory(t, numbered(10))}
	p := keyset(t, rec, paginate.KeysetConfig{})
	all, err := p.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{PerPage: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.queries) != 1 || rec.queries[0].Limit != 11 || rec.queries[0].After != nil {
		t.Fatalf("from the start: queries %+v, want one of 11 rows from nowhere", rec.queries)
	}
	for _, tc := range []struct {
		name     string
		req      paginate.EdgesRequest
		anchor   any // the probe's position (the id of the first row fetched); nil: none
		dir      paginate.Direction
		behind   bool
		wantRows []int64
	}{
		{"after", paginate.EdgesRequest{Request: paginate.Request{PerPage: 2, After: all.Cursors[3]}}, int64(5), paginate.Desc, true, []int64{5, 6}},
		{"before, last", paginate.EdgesRequest{Request: paginate.Request{PerPage: 2, Before: all.Cursors[3]}, Last: true}, int64(3), paginate.Asc, true, []int64{2, 3}},
		{"after the last row", paginate.EdgesRequest{Request: paginate.Request{PerPage: 2, After: all.Cursors[9]}}, nil, 0, true, []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.queries = nil
			e, err := p.Edges(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(tc.wantRows, ids(e.Items)); diff != "" || e.Behind != tc.behind {
				t.Errorf("rows (-want +got):\n%s\nBehind %v, want %v", diff, e.Behind, tc.behind)
			}
			if len(rec.queries) != 2 {
				t.Fatalf("%d queries, want 2", len(rec.queries))
			}
			probe := rec.queries[1]
			if probe.Limit != 1 || len(probe.Fields) != 1 || probe.Fields[0].Name != "id" {
				t.Errorf("probe %+v, want one row of the key field", probe)
			}
			if tc.anchor == nil {
				if probe.After != nil {
					t.Errorf("probe from %v, want from nowhere", probe.After)
				}
				return
			}
			if diff := gocmp.Diff([]any{tc.anchor}, probe.After); diff != "" || probe.Sort[0].Dir != tc.dir {
				t.Errorf("probe from (-want +got):\n%s\ndirection %v, want %v", diff, probe.Sort[0].Dir, tc.dir)
			}
		})
	}
}

// TestEdgesErrors checks the errors that are not the client's: a backend
// failure, a cursor too long for MaxCursorLen, a bad count strategy.
func TestEdgesErrors(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	b, _ := newPlain(t, 5)
	failing := estimatingBackend{plainBackend: b, estimate: func(int64) (int64, error) { return 0, boom }}
	p := keyset(t, failing, paginate.KeysetConfig{})
	_, err := p.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{PerPage: 2}, Count: paginate.EstimatedCount{Threshold: 1}})
	if !errors.Is(err, boom) {
		t.Errorf("a failing count: %v, want it wrapped", err)
	}
	_, err = p.Edges(ctx, paginate.EdgesRequest{Count: paginate.CappedCount{Max: -1}})
	if err == nil {
		t.Error("a CappedCount with a negative Max: no error")
	}

	long := numbered(3)
	long[1].Name = strings.Repeat("x", 200)
	short := keyset(t, memory(t, long), paginate.KeysetConfig{MaxCursorLen: 150})
	_, err = short.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{PerPage: 3, Sort: []paginate.SortKey{{Field: "name"}}}})
	if err == nil || !strings.Contains(err.Error(), "MaxCursorLen") {
		t.Errorf("a cursor over MaxCursorLen: %v", err)
	}
}
