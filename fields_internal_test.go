package paginate

import (
	"testing"

	"github.com/go-paginate/paginate/internal/value"
)

// TestTypesAreKinds pins Type's numbers to internal/value's kinds, which
// the package converts between.
func TestTypesAreKinds(t *testing.T) {
	pairs := []struct {
		t Type
		k value.Kind
	}{
		{String, value.String}, {Int, value.Int}, {Float, value.Float}, {Bool, value.Bool},
		{Time, value.Time}, {Bytes, value.Bytes}, {Decimal, value.Decimal},
	}
	for _, p := range pairs {
		if p.t.kind() != p.k || p.t.String() != p.k.String() || !p.t.valid() {
			t.Errorf("Type %v is kind %v, want %v", p.t, p.t.kind(), p.k)
		}
	}
	if Type(len(pairs)).valid() || value.Kind(len(pairs)).Valid() {
		t.Errorf("a Type or Kind past Decimal is valid")
	}
	if got := Type(-1).String(); got != "Type(-1)" {
		t.Errorf("Type(-1).String() = %q", got)
	}
}
