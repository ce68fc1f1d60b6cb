package paginatetest

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/go-paginate/paginate"
)

// SeedEnv is the environment variable that sets the seed of the random
// cases when [Harness.Seed] is zero.
const SeedEnv = "PAGINATETEST_SEED"

// datasets is how many random row sets the random cases are spread over.
const datasets = 4

// maxFailures is how many failing random cases are reported before the
// rest are skipped.
const maxFailures = 5

func (s *suite) seed() (int64, string) {
	if s.h.Seed != 0 {
		return s.h.Seed, "Harness.Seed"
	}
	if v := os.Getenv(SeedEnv); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n, SeedEnv
		}
		s.t.Logf("%s=%q is not an integer; seeding from the clock", SeedEnv, v)
	}
	return time.Now().UnixNano(), "the clock"
}

// testModel runs the random cases: random row sets, with many duplicate
// and NULL values, each stored through the harness, and random sorts,
// directions, page sizes, filters and fieldsets, each walked forward to
// the end and back to the start with cursors and, for some, paged by
// number, against the reference.
func (s *suite) testModel(t tester) {
	cases := s.h.Cases
	if cases < 0 {
		t.Logf("Harness.Cases is negative: no random cases")
		return
	}
	if cases == 0 {
		cases = 200
	}
	seed, from := s.seed()
	t.Logf("seed %d, from %s; rerun with %s=%d", seed, from, SeedEnv, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	failures := 0
	for d := range datasets {
		size := 10 + rng.IntN(70)
		if d == 0 {
			size = rng.IntN(4) // empty, or almost
		}
		rows := randomRows(rng, size)
		fx := s.load(t, rows)
		if fx == nil {
			return
		}
		n := cases / datasets
		if d < cases%datasets {
			n++
		}
		for c := range n {
			sp := randomSpec(rng, rows)
			var pages []int
			if c%3 == 0 {
				pages = []int{1, 1 + rng.IntN(6)}
			}
			where := fmt.Sprintf("seed %d (rerun with %s=%d), dataset %d of %d rows, case %d", seed, SeedEnv, seed, d, size, c)
			failed := false
			if err := fx.walk(sp); err != nil {
				t.Errorf("%s: keyset %s: %v", where, sp, err)
				failed = true
			}
			if pages != nil {
				if err := fx.pages(sp, pages); err != nil {
					t.Errorf("%s: offset %s: %v", where, sp, err)
					failed = true
				}
			}
			if failed {
				if failures++; failures >= maxFailures {
					t.Errorf("seed %d: stopping after %d failing random cases", seed, failures)
					return
				}
			}
		}
	}
}

// randomRows returns n rows with distinct ids and values drawn from small
// sets, so that sort keys collide often.
func randomRows(rng *rand.Rand, n int) []Row {
	ids := rng.Perm(3*n + 1)
	rows := make([]Row, n)
	for i := range rows {
		pool := names
		if rng.IntN(2) == 0 {
			pool = names[:4]
		}
		r := Row{
			ID:        int64(ids[i] - n),
			Name:      pool[rng.IntN(len(pool))],
			Category:  categories[rng.IntN(3)],
			Price:     prices[rng.IntN(len(prices))],
			Amount:    amounts[rng.IntN(len(amounts))],
			CreatedAt: epoch.Add(time.Duration(rng.IntN(4))*time.Minute + time.Duration(rng.IntN(2))*time.Microsecond),
			Tag:       tags[rng.IntN(len(tags))],
			Active:    rng.IntN(2) == 0,
		}
		if rng.IntN(12) == 0 {
			r.CreatedAt = preEpoch
		}
		if rng.IntN(10) >= 3 {
			r.Score = ptr(scores[rng.IntN(len(scores))])
		}
		if rng.IntN(2) == 0 {
			r.Note = ptr(notes[rng.IntN(len(notes))])
		}
		rows[i] = r
	}
	return rows
}

// fieldNames are the dataset's field names, in declaration order.
var fieldNames = func() []string {
	var out []string
	for _, f := range Fields() {
		out = append(out, f.Name)
	}
	return out
}()

// randomSpec returns a random request shape over rows.
func randomSpec(rng *rand.Rand, rows []Row) spec {
	var sp spec
	if rng.IntN(10) > 0 {
		names := shuffled(rng, fieldNames)
		for _, name := range names[:1+rng.IntN(3)] {
			sp.sort = append(sp.sort, paginate.SortKey{Field: name, Dir: paginate.Direction(rng.IntN(2))})
		}
	}
	switch r := rng.IntN(10); {
	case r >= 8:
		sp.filters = append(sp.filters, randomFilter(rng, rows), randomFilter(rng, rows))
	case r >= 5:
		sp.filters = append(sp.filters, randomFilter(rng, rows))
	}
	if rng.IntN(5) == 0 {
		names := shuffled(rng, fieldNames)
		sp.fields = names[:1+rng.IntN(len(names))]
	}
	sp.perPage = 1 + rng.IntN(12)
	if rng.IntN(10) == 0 {
		sp.perPage = 1 + rng.IntN(100)
	}
	return sp
}

func shuffled(rng *rand.Rand, s []string) []string {
	out := make([]string, len(s))
	for i, j := range rng.Perm(len(s)) {
		out[i] = s[j]
	}
	return out
}

// randomFilter returns a filter on a random field with a random operator
// the field accepts, comparing with values of random rows (so that Eq and
// In match) or from the field's value set.
func randomFilter(rng *rand.Rand, rows []Row) paginate.Filter {
	fields := Fields()
	f := fields[rng.IntN(len(fields))]
	op := f.Ops[rng.IntN(len(f.Ops))]
	switch op {
	case paginate.IsNull, paginate.Prefix, paginate.Contains:
		return paginate.Filter{Field: f.Name, Op: op, Values: []any{randomMatch(rng, rows, f.Name, op)}}
	}
	n := 1
	if op == paginate.In {
		n = 1 + rng.IntN(3)
	}
	vals := make([]any, n)
	for i := range vals {
		var v any
		if len(rows) > 0 && rng.IntN(4) > 0 {
			v = value(rows[rng.IntN(len(rows))], f.Name)
		}
		if v == nil {
			v = value(randomRows(rng, 1)[0], f.Name)
		}
		for v == nil { // a NULL: filters compare with values only
			v = value(randomRows(rng, 1)[0], f.Name)
		}
		if rng.IntN(5) == 0 {
			v = text(v)
		}
		vals[i] = v
	}
	return paginate.Filter{Field: f.Name, Op: op, Values: vals}
}

// randomMatch returns a value for a null, prefix or contains filter on
// the field: a bool, sometimes as text, for null; the first characters of
// a random row's text for prefix; one of the field's fragments for
// contains.
func randomMatch(rng *rand.Rand, rows []Row, field string, op paginate.Op) any {
	switch op {
	case paginate.IsNull:
		v := rng.IntN(2) == 0
		if rng.IntN(4) == 0 {
			return [...]string{"false", "true", "0", "1"}[boolInt(v)+2*rng.IntN(2)]
		}
		return v
	case paginate.Contains:
		frags := fragments[field]
		return frags[rng.IntN(len(frags))]
	}
	var s any
	for s == nil {
		if len(rows) > 0 && rng.IntN(4) > 0 {
			s = value(rows[rng.IntN(len(rows))], field)
		} else {
			s = value(randomRows(rng, 1)[0], field)
		}
	}
	r := []rune(s.(string))
	return string(r[:1+rng.IntN(len(r))])
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// value returns r's value of the field, typed as the schema's types are,
// or nil for NULL.
func value(r Row, field string) any {
	switch field {
	case "id":
		return r.ID
	case "name":
		return r.Name
	case "category":
		return r.Category
	case "score":
		if r.Score == nil {
			return nil
		}
		return *r.Score
	case "price":
		return r.Price
	case "amount":
		return string(r.Amount)
	case "created_at":
		return r.CreatedAt
	case "tag":
		return r.Tag
	case "active":
		return r.Active
	case "note":
		if r.Note == nil {
			return nil
		}
		return *r.Note
	}
	panic("paginatetest: unknown field " + field)
}

// text writes a value as a query string would carry it.
func text(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []byte:
		return hex.EncodeToString(x)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	panic(fmt.Sprintf("paginatetest: no text form for %T", v))
}
