package value

import (
	"math/big"
	"time"
)

// MapKey returns a canonical value of kind k as a comparable map key,
// equal for two values exactly when [Compare] finds them equal: []byte
// (not comparable) as a string of its own type, a decimal as its exact
// rational ("12.5" and "12.50" are one key), a time as its instant. NaN
// is never equal to a key, not even its own. nil stays nil.
func MapKey(k Kind, v any) any {
	switch x := v.(type) {
	case []byte:
		return bytesKey(x)
	case time.Time:
		return timeKey{x.Unix(), x.Nanosecond()}
	case string:
		if k == Decimal {
			if r, ok := new(big.Rat).SetString(x); ok {
				return decimalKey(r.RatString())
			}
		}
	}
	return v
}

type (
	bytesKey   string
	decimalKey string
	timeKey    struct {
		sec  int64
		nsec int
	}
)
