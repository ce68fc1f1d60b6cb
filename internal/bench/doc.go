// Package bench holds the benchmarks behind docs/benchmarks.md: page
// latency against depth for the offset and keyset strategies, each next to
// the hand-written sqlx code it replaces, the full HTTP path next to a
// hand-written net/http handler, and the cost of counting.
//
// The package has no API; everything lives in its _test.go files. Every
// benchmark runs on the same items table, built by internal/dataset with
// PAGINATE_BENCH_ROWS rows (default 1,000,000) and cached on disk between
// runs, with pages of 20 items. With PAGINATE_POSTGRES_DSN set the page and
// count benchmarks run on PostgreSQL too, on a table seeded once and reused
// by later runs with the same row count.
//
// Sub-benchmarks are named with key=value parts so that benchstat can put
// the implementations side by side:
//
//	go test -run '^$' -bench . -benchmem -count 6 -timeout 2h ./internal/bench | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl bench.txt
//	go run ./internal/cmd/benchplot -in bench.txt -out docs/benchmarks.svg
package bench
