package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/testdb"
)

// rows is not a multiple of the insert batch, so the short last batch is
// exercised too.
const rows = 2345

func TestRowDeterministicAndVaried(t *testing.T) {
	if diff := cmp.Diff(dataset.Row(77), dataset.Row(77)); diff != "" {
		t.Fatalf("Row(77) differs between calls (-first +second):\n%s", diff)
	}
	created := map[time.Time]int{}
	prices := map[int64]int{}
	nulls := 0
	for id := int64(1); id <= 10000; id++ {
		it := dataset.Row(id)
		if it.ID != id {
			t.Fatalf("Row(%d).ID = %d", id, it.ID)
		}
		if it.Price < 99 || it.Price > 99999 || it.Price%100 != 99 {
			t.Fatalf("Row(%d).Price = %d, want 99..99999 ending in 99", id, it.Price)
		}
		if it.CreatedAt.Location() != time.UTC || it.CreatedAt.Second() != 0 || it.CreatedAt.Before(dataset.Epoch) {
			t.Fatalf("Row(%d).CreatedAt = %v, want whole UTC minutes from %v", id, it.CreatedAt, dataset.Epoch)
		}
		if it.Discount == nil {
			nulls++
		} else if *it.Discount < 5 || *it.Discount > 50 || *it.Discount%5 != 0 {
			t.Fatalf("Row(%d).Discount = %d, want 5..50 in steps of 5", id, *it.Discount)
		}
		created[it.CreatedAt]++
		prices[it.Price]++
	}
	if len(created) > 10000/2 {
		t.Errorf("%d distinct created_at in 10000 rows: want many duplicates", len(created))
	}
	if len(prices) > 1000 {
		t.Errorf("%d distinct prices: want at most 1000", len(prices))
	}
	if nulls < 6000 || nulls > 8000 {
		t.Errorf("%d NULL discounts in 10000 rows, want about 7000", nulls)
	}
	// created_at must not simply follow id, or sorting by it would be
	// sorting by id.
	inversions := 0
	for id := int64(2); id <= 10000; id++ {
		if dataset.Row(id).CreatedAt.Before(dataset.Row(id - 1).CreatedAt) {
			inversions++
		}
	}
	if inversions == 0 {
		t.Error("created_at never decreases with id: want some out-of-order rows")
	}
}

func TestSeedSQLite(t *testing.T) {
	db := testdb.SQLite(t)
	checkSeed(t, db, "items")

	// The indexes serve every sort the example offers, newest first as
	// well as oldest first, without a temporary sort.
	for _, order := range []string{"created_at DESC, id DESC", "price, id", "name DESC, id DESC", "category, id", "id DESC"} {
		var plan []string
		rowsQ, err := db.Query("EXPLAIN QUERY PLAN SELECT * FROM items ORDER BY " + order + " LIMIT 20")
		if err != nil {
			t.Fatal(err)
		}
		for rowsQ.Next() {
			var id, parent, notused int
			var detail string
			if err := rowsQ.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rowsQ.Close()
		joined := strings.Join(plan, "; ")
		if strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("ORDER BY %s needs a sort: %s", order, joined)
		}
	}
}

func TestSeedPostgres(t *testing.T) {
	db := testdb.Postgres(t)
	table := testdb.Name("items")
	testdb.DropTable(t, db, table)
	checkSeed(t, db, table)
}

func TestSeedMySQL(t *testing.T) {
	db := testdb.MySQL(t)
	table := testdb.Name("items")
	testdb.DropTable(t, db, table)
	checkSeed(t, db, table)
}

// TestSeedRelated seeds the items with their sellers and reviews on each
// database and compares every row with SellerRow and Reviews.
func TestSeedRelated(t *testing.T) {
	for _, b := range testdb.Backends {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			opts := dataset.Options{Table: testdb.Name("items"), SellersTable: testdb.Name("sellers"), ReviewsTable: testdb.Name("reviews"), Rows: 1234, Related: true}
			for _, table := range []string{opts.Table, opts.SellersTable, opts.ReviewsTable} {
				testdb.DropTable(t, db, table)
			}
			ctx := context.Background()
			if err := dataset.Seed(ctx, db, opts); err != nil {
				t.Fatal(err)
			}
			var sellers []dataset.Seller
			if err := db.SelectContext(ctx, &sellers, "SELECT id, name, country FROM "+opts.SellersTable+" ORDER BY id"); err != nil {
				t.Fatal(err)
			}
			var wantSellers []dataset.Seller
			for id := int64(1); id <= dataset.Sellers; id++ {
				wantSellers = append(wantSellers, dataset.SellerRow(id))
			}
			if diff := cmp.Diff(wantSellers, sellers); diff != "" {
				t.Errorf("sellers differ from SellerRow (-want +got):\n%s", diff)
			}
			var reviews []dataset.Review
			if err := db.SelectContext(ctx, &reviews, "SELECT id, item_id, rating, body, created_at FROM "+opts.ReviewsTable+" ORDER BY id"); err != nil {
				t.Fatal(err)
			}
			var wantReviews []dataset.Review
			for id := int64(1); id <= int64(opts.Rows); id++ {
				wantReviews = append(wantReviews, dataset.Reviews(id)...)
			}
			if diff := cmp.Diff(wantReviews, reviews); diff != "" {
				t.Errorf("reviews differ from Reviews (-want +got):\n%.2000s", diff)
			}
		})
	}
}

// TestRelatedRows checks the sellers and reviews the functions make:
// every item's seller exists, reviews number 0 to 8 per item with every
// count present, ratings 1 to 5, and an item's reviews share times.
func TestRelatedRows(t *testing.T) {
	counts := map[int]int{}
	shared, nullSellers := 0, 0
	for id := int64(1); id <= 5000; id++ {
		it := dataset.Row(id)
		if it.SellerID == nil {
			nullSellers++
		} else if *it.SellerID < 1 || *it.SellerID > dataset.Sellers {
			t.Fatalf("Row(%d).SellerID = %d, want 1..%d", id, *it.SellerID, dataset.Sellers)
		}
		rs := dataset.Reviews(id)
		counts[len(rs)]++
		times := map[time.Time]bool{}
		for j, r := range rs {
			if r.ItemID != id || r.ID != id*10+int64(j) || r.Rating < 1 || r.Rating > 5 || r.Body == "" {
				t.Fatalf("Reviews(%d)[%d] = %+v", id, j, r)
			}
			if !r.CreatedAt.After(it.CreatedAt) || r.CreatedAt.Sub(it.CreatedAt) > 49*time.Hour {
				t.Fatalf("Reviews(%d)[%d] written at %v, the item at %v", id, j, r.CreatedAt, it.CreatedAt)
			}
			if times[r.CreatedAt] {
				shared++
			}
			times[r.CreatedAt] = true
		}
	}
	for n := 0; n <= dataset.MaxReviews; n++ {
		if counts[n] == 0 {
			t.Errorf("no item has %d reviews", n)
		}
	}
	if shared == 0 {
		t.Error("no item has two reviews written at the same time")
	}
	if nullSellers < 300 || nullSellers > 700 {
		t.Errorf("%d of 5000 items have no seller, want about 500", nullSellers)
	}
	if diff := cmp.Diff(dataset.Reviews(77), dataset.Reviews(77)); diff != "" {
		t.Errorf("Reviews(77) differs between calls:\n%s", diff)
	}
}

// checkSeed seeds table and compares every row with Row.
func checkSeed(t *testing.T, db *sqlx.DB, table string) {
	t.Helper()
	ctx := context.Background()
	if err := dataset.Seed(ctx, db, dataset.Options{Table: table, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	var got []dataset.Item
	if err := db.SelectContext(ctx, &got, "SELECT id, name, category, price, created_at, discount, seller_id FROM "+table+" ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	want := make([]dataset.Item, rows)
	for i := range want {
		want[i] = dataset.Row(int64(i + 1))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s rows differ from Row (-want +got):\n%s", testdb.Describe(db), diff)
	}
	// Seeding again replaces the table rather than adding to it.
	if err := dataset.Seed(ctx, db, dataset.Options{Table: table, Rows: 10}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("after reseeding with 10 rows the table has %d", n)
	}
}

func TestSeedRejectsBadInput(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	for _, opts := range []dataset.Options{
		{Table: "items; DROP TABLE x", Rows: 1},
		{Table: "Items", Rows: 1},
		{Rows: -1},
		{Rows: 1, Dialect: dataset.Dialect(42)},
	} {
		if err := dataset.Seed(ctx, db, opts); err == nil {
			t.Errorf("Seed(%+v) = nil, want an error", opts)
		}
	}
	if _, err := dataset.DialectOf("oracle"); err == nil {
		t.Error(`DialectOf("oracle") = nil error`)
	}
}

func TestCached(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "items.db")
	count := func(db *sqlx.DB) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM items"); err != nil {
			t.Fatal(err)
		}
		return n
	}

	db, err := dataset.Cached(ctx, path, 1200)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(db); n != 1200 {
		t.Errorf("first Cached: %d rows, want 1200", n)
	}
	db.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	// Same rows: the file is reused, not rebuilt. A marker row proves it.
	db, err = dataset.Cached(ctx, path, 1200)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "UPDATE items SET name = 'marker' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = dataset.Cached(ctx, path, 1200)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := db.GetContext(ctx, &name, "SELECT name FROM items WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	if name != "marker" {
		t.Errorf("Cached rebuilt a current cache: row 1 is named %q", name)
	}
	db.Close()
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		t.Errorf("Cached replaced a current cache file (err %v)", err)
	}

	// Other rows: rebuilt.
	db, err = dataset.Cached(ctx, path, 700)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(db); n != 700 {
		t.Errorf("Cached with 700 rows: %d rows", n)
	}
	if err := db.GetContext(ctx, &name, "SELECT name FROM items WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	if name != dataset.Row(1).Name {
		t.Errorf("row 1 after rebuild is named %q, want %q", name, dataset.Row(1).Name)
	}
	db.Close()

	// A file that is not a cache is replaced.
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = dataset.Cached(ctx, junk, 5)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(db); n != 5 {
		t.Errorf("Cached over a junk file: %d rows", n)
	}
	db.Close()

	// No temporary files are left behind.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

// TestCachedRelated checks that CachedRelated builds the related tables
// over a cache without them, and Cached builds the items alone again.
func TestCachedRelated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "items.db")
	reviews := func(db *sqlx.DB) (int, error) {
		var n int
		err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM reviews")
		db.Close()
		return n, err
	}
	db, err := dataset.Cached(ctx, path, 700)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reviews(db); err == nil {
		t.Error("Cached built a reviews table")
	}
	if db, err = dataset.CachedRelated(ctx, path, 700); err != nil {
		t.Fatal(err)
	}
	var want int
	for id := int64(1); id <= 700; id++ {
		want += len(dataset.Reviews(id))
	}
	if n, err := reviews(db); err != nil || n != want {
		t.Errorf("CachedRelated: %d reviews, %v; want %d", n, err, want)
	}
	if db, err = dataset.Cached(ctx, path, 700); err != nil {
		t.Fatal(err)
	}
	if _, err := reviews(db); err == nil {
		t.Error("Cached after CachedRelated kept the reviews table")
	}
}

// benchRows is the size BenchmarkSeed builds: PAGINATE_BENCH_ROWS, or
// 1,000,000.
func benchRows(b *testing.B) int {
	if v := os.Getenv("PAGINATE_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			b.Fatalf("PAGINATE_BENCH_ROWS=%q is not a row count", v)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkSeed measures building the tables on SQLite, as Cached and
// CachedRelated do it (no journal, no fsync), indexes included: the items
// alone, and with their sellers and reviews.
func BenchmarkSeed(b *testing.B) {
	n := benchRows(b)
	for _, related := range []bool{false, true} {
		name := "items"
		if related {
			name = "related"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				db, err := sqlx.Open("sqlite3", "file:"+filepath.Join(dir, strconv.Itoa(i)+".db")+"?_journal_mode=OFF&_sync=OFF")
				if err != nil {
					b.Fatal(err)
				}
				db.SetMaxOpenConns(1)
				if err := dataset.Seed(ctx, db, dataset.Options{Rows: n, Related: related}); err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
