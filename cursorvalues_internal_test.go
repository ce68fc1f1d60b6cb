package paginate

import (
	"testing"
	"time"

	"github.com/go-paginate/paginate/internal/cursor"
)

// TestCursorValuesMatchNormalized checks that the values signRow passes
// the codec, times as the backend returned them, make the same cursor as
// the normalized values: a row's cursor must not depend on the zone or
// the form (time.Time, *time.Time) a backend hands its times in.
func TestCursorValuesMatchNormalized(t *testing.T) {
	sort := []Order{
		{Field: Field{Name: "at", Type: Time}},
		{Field: Field{Name: "at2", Type: Time, Nullable: true}},
		{Field: Field{Name: "n", Type: Int}},
		{Field: Field{Name: "s", Type: String}},
	}
	local := time.Date(2024, 8, 19, 13, 40, 0, 123, time.FixedZone("", 2*3600))
	now := time.Now()
	var nilTime *time.Time
	rows := [][]any{
		{local, &local, int64(1), "a"},
		{&now, now, int(2), []byte("b")},
		{local.UTC(), nilTime, int64(3), "c"},
		{"2024-08-19 11:40:00", nil, int32(4), "d"},
	}
	codec := cursor.NewCodec([][]byte{[]byte("0123456789abcdef0123456789abcdef")}, 1024)
	for i, raw := range rows {
		got, want := make([]any, len(raw)), make([]any, len(raw))
		if err := cursorValues(got, raw, sort); err != nil {
			t.Fatalf("row %d: cursorValues: %v", i, err)
		}
		if err := normalizeKeys(want, raw, sort); err != nil {
			t.Fatalf("row %d: normalizeKeys: %v", i, err)
		}
		gs, err := codec.Encode(cursor.Cursor{Kind: cursor.Position, Values: got})
		if err != nil {
			t.Fatalf("row %d: encode %v: %v", i, got, err)
		}
		ws, err := codec.Encode(cursor.Cursor{Kind: cursor.Position, Values: want})
		if err != nil {
			t.Fatal(err)
		}
		if gs != ws {
			t.Errorf("row %d %v: cursor %q, want %q (normalized %v)", i, raw, gs, ws, want)
		}
	}
	// A value normalizing refuses is refused here too.
	if err := cursorValues(make([]any, 1), []any{true}, sort[:1]); err == nil {
		t.Error("cursorValues accepted a bool for a time field")
	}
}
