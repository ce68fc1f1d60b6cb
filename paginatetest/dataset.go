package paginatetest

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/go-paginate/paginate"
)

// Row is one row of the conformance dataset. A backend under test stores
// rows of this type and returns them from Fetch; its columns are named by
// the db tags, which are also the names of the fields [Fields] declares.
//
// Pointer fields are nullable: a nil pointer is NULL. Fields a query did
// not ask for must come back as zero values.
type Row struct {
	// ID is the key: unique, not NULL, and not in insertion order.
	ID int64 `db:"id"`
	// Name is unicode text with duplicates.
	Name string `db:"name"`
	// Category is one of a few ASCII words.
	Category string `db:"category"`
	// Score is a nullable integer with duplicates and values beyond 2^53.
	Score *int64 `db:"score"`
	// Price is a float whose neighbours differ only in the 17th
	// significant digit.
	Price float64 `db:"price"`
	// Amount is a decimal with two fractional digits.
	Amount Decimal `db:"amount"`
	// CreatedAt is a UTC time with microsecond precision; several rows
	// share each value and one predates 1970.
	CreatedAt time.Time `db:"created_at"`
	// Tag is a short binary value or a 16-byte UUID, never empty.
	Tag []byte `db:"tag"`
	// Active is a boolean.
	Active bool `db:"active"`
	// Note is nullable unicode text.
	Note *string `db:"note"`
}

// Decimal is a decimal number held as text, such as "12.50". Two decimals
// are the same value when they are numerically equal ("12.5" and "12.50"),
// and the suite compares them so, because databases return their own
// scale. It implements driver.Valuer and sql.Scanner, so that it can be
// written and read through database/sql from DECIMAL, NUMERIC and (on
// SQLite) REAL columns.
type Decimal string

// Value returns the decimal as a string.
func (d Decimal) Value() (driver.Value, error) { return string(d), nil }

// Scan reads a decimal from a string, []byte, int64 or float64.
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*d = Decimal(v)
	case []byte:
		*d = Decimal(v)
	case int64:
		*d = Decimal(strconv.FormatInt(v, 10))
	case float64:
		*d = Decimal(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return fmt.Errorf("paginatetest: cannot scan %T into a Decimal", src)
	}
	return nil
}

// Equal reports whether d and e are the same number; two malformed
// decimals are equal when their text is.
func (d Decimal) Equal(e Decimal) bool {
	x, ok1 := new(big.Rat).SetString(string(d))
	y, ok2 := new(big.Rat).SetString(string(e))
	if !ok1 || !ok2 {
		return d == e
	}
	return x.Cmp(y) == 0
}

// Fields returns the field declarations of the dataset: every column of
// [Row], each sortable. Every field but active accepts the comparison
// operators and In, active only Eq and Ne; the text fields name, category
// and note also accept Prefix and Contains, and the nullable fields score
// and note IsNull. The key is id.
func Fields() []paginate.Field {
	all := []paginate.Op{paginate.Eq, paginate.Ne, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte, paginate.In}
	text := append(all[:len(all):len(all)], paginate.Prefix, paginate.Contains)
	return []paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true, Ops: all},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: text},
		{Name: "category", Type: paginate.String, Sortable: true, Ops: text},
		{Name: "score", Type: paginate.Int, Sortable: true, Ops: append(all[:len(all):len(all)], paginate.IsNull), Nullable: true},
		{Name: "price", Type: paginate.Float, Sortable: true, Ops: all},
		{Name: "amount", Type: paginate.Decimal, Sortable: true, Ops: all},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Ops: all},
		{Name: "tag", Type: paginate.Bytes, Sortable: true, Ops: all},
		{Name: "active", Type: paginate.Bool, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne}},
		{Name: "note", Type: paginate.String, Sortable: true, Ops: append(text[:len(text):len(text)], paginate.IsNull), Nullable: true},
	}
}

// DefaultSort is the schema's default sort.
const DefaultSort = "-created_at"

// Schema returns the schema of [Fields] with the default sort
// [DefaultSort].
func Schema() *paginate.Schema {
	s, err := paginate.NewSchema(Fields(), DefaultSort)
	if err != nil {
		panic("paginatetest: " + err.Error()) // the declarations above are fixed
	}
	return s
}

// The values the columns draw from. The text is chosen as the package
// documentation's section "Text" says.
var (
	names = []string{
		"ann", "anna", "björk", "chloé", "dvořák", "fjörður", "günther",
		"hélène", "ingrid", "jürgen", "kaśka", "mañana", "noël", "oskar",
		"pérez", "quentin", "renée", "søren", "tomás", "xavi🙂", "zoë",
		"αλέξης", "дмитрий", "大阪", "東京",
	}
	notes      = []string{"crème", "façade", "naïve", "résumé", "vis-à-vis"}
	categories = []string{"alpha", "beta", "delta", "gamma"}
	scores     = []int64{3, -1, 3, 1<<53 + 1, 0, -(1<<53 + 1), 42, 3, 7, math.MaxInt64, math.MinInt64 + 1}
	prices     = []float64{
		0.1, 0.2, 0.30000000000000004, 0.3, 1, 1.0000000000000002,
		0.9999999999999999, 123456.78901234567, -2.5, 1e-300, 1e300, 0.1,
		2.2250738585072014e-308,
	}
	amounts = []Decimal{"12.50", "-3.25", "0.00", "100.75", "12.50", "99999999.75", "-0.25", "7.00", "12.25"}
	tags    = [][]byte{
		{0x00}, {0x00, 0x00}, {0x01}, {0xff}, {0x7f, 0x80}, {0x01, 0x00},
		{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00},
		{0xf4, 0x7a, 0xc1, 0x0b, 0x58, 0xcc, 0x43, 0x72, 0xa5, 0x67, 0x0e, 0x02, 0xb2, 0xc3, 0xd4, 0x79},
		{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x01},
	}
)

// fragments are what the random cases search the text fields for with
// Contains: runs of each field's text, some matching nothing, chosen as
// the package documentation's section "Text" says.
var fragments = map[string][]string{
	"name":     {"nn", "ar", "k", "th", "gr", "x", "z", "qu", "東", "дми", "🙂", "ing", "nobody"},
	"category": {"a", "ta", "mm", "lph", "el", "b", "omega"},
	"note":     {"vis", "sum", "-", "ad", "ïv", "ve", "zz"},
}

// epoch is the CreatedAt of the first rows of the dataset; preEpoch is
// one before 1970, for negative Unix times.
var (
	epoch    = time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	preEpoch = time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC)
)

// DatasetSize is the number of rows [Dataset] returns.
const DatasetSize = 52

// Dataset returns the fixed rows most of the suite runs on, in a shuffled
// order that is neither the key order nor any sort's. Every call returns
// equal rows. Duplicates are everywhere: names, categories, scores,
// prices, amounts, times and tags repeat, and about a third of the scores
// and half of the notes are NULL.
func Dataset() []Row {
	rows := make([]Row, 0, DatasetSize)
	for i := range DatasetSize {
		r := Row{
			ID:        int64(i*11 - 100),
			Name:      names[(i*7)%len(names)],
			Category:  categories[(i/3)%len(categories)],
			Price:     prices[(i*5)%len(prices)],
			Amount:    amounts[i%len(amounts)],
			CreatedAt: epoch.Add(time.Duration(i/3) * time.Minute).Add(time.Duration(i%2) * time.Microsecond),
			Tag:       tags[(i*4)%len(tags)],
			Active:    i%3 == 0,
		}
		if i%16 == 5 {
			r.CreatedAt = preEpoch
		}
		if i%3 != 1 {
			r.Score = ptr(scores[(i*3)%len(scores)])
		}
		if i%2 == 1 {
			r.Note = ptr(notes[(i/2)%len(notes)])
		}
		rows = append(rows, r)
	}
	// A fixed shuffle, so that insertion order says nothing.
	for i := range rows {
		j := (i*29 + 7) % len(rows)
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

func ptr[T any](v T) *T { return &v }
