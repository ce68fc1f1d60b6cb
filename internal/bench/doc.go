// Package bench holds the benchmarks behind docs/benchmarks.md: page
// latency against depth for the offset and keyset strategies, the full
// HTTP path, and the cost of counting, each through the library next to
// the hand-written code it replaces.
//
// The package has no API; everything lives in its _test.go files. Every
// benchmark runs on the same items table, built by internal/dataset with
// PAGINATE_BENCH_ROWS rows (default 1,000,000) and cached on disk between
// runs, with pages of 20 items. With PAGINATE_POSTGRES_DSN or
// PAGINATE_MYSQL_DSN set the page and count benchmarks run on PostgreSQL
// or MariaDB/MySQL too, on internal/dataset's shared table
// (dataset.Shared), seeded once and reused by later runs with the same
// row count and dataset version. The PostgreSQL table is vacuumed unless
// its visibility map is already set, so that index-only scans read no
// table pages.
//
// # Approaches
//
// Sub-benchmarks are named with key=value parts; impl= names the approach:
//
//   - impl=floor: plain database/sql, the cheapest code there is for the
//     page. A statement prepared once on the *sql.DB, LIMIT 21 written into
//     the SQL, rows.Scan straight into the struct's fields, the page
//     trimmed to 20. Every ratio is taken against it.
//   - impl=sqlx-prepared: the same SQL through a *sqlx.Stmt prepared once,
//     with a bound LIMIT ?, scanned by sqlx.
//   - impl=sqlx: that SQL as text through sqlx.SelectContext on every call,
//     which is what most code does.
//   - impl=library: the library's paginator over its SQL backend (and, for
//     BenchmarkHTTP, its httpadapter.Handler; the hand-written handlers
//     there run on the floor and on sqlx-prepared). Its deep OFFSET pages
//     are read by a deferred join (pagesql.Config.DeferredJoinOffset).
//   - impl=library-plain: OFFSET pages only, the library with deferred
//     joins turned off, reading every OFFSET as the floor does.
//
// Before an approach is timed, every approach's page at that depth is
// checked against the page's ids read by a separate query, and each row
// against dataset.Row.
//
// # Running
//
// internal/cmd/benchpair runs the benchmarks in interleaved passes and
// pairs each approach with the floor within a pass; that is how the
// figures in docs/benchmarks.md are made:
//
//	go run ./internal/cmd/benchpair -passes 7 -bench 'Page|HTTP' -out pair.md -raw pair.txt
//
// A single run with go test works too, for a quick look or for profiling:
//
//	go test -run '^$' -bench 'Page/db=sqlite/strategy=keyset/depth=0/' -benchmem ./internal/bench
//
// The test binary's -rotate flag picks the order in which the approaches
// of one depth are timed, a row of a balanced (Williams) design, so that
// over the passes each approach runs at each position and right after
// each other approach equally often; benchpair sets it to the pass number.
//
// Its -interleave flag times the approaches of one group together instead
// of one after another: in rounds, each a block of about the given length
// of every approach, in the order of the design's next row. The group
// then has one sub-benchmark, impl=interleaved, whose line gives each
// approach's metrics under its name (floor:ns/op, library:cpu-ns/op,
// library:allocs/op, ...). BenchmarkPage then times all the depths of
// the keyset strategy in one group, its approaches named for their depth
// as well (depth=0/floor:ns/op, depth=last/library:ns/op), each depth's
// blocks next to each other in a round: so an approach's last page and
// its first are timed a second apart at most, as an approach and the
// floor are milliseconds apart. (Offset pages keep a group per depth:
// their deep pages, up to half a second each, would leave a run only a
// few rounds.) On a machine whose speed changes from one second to
// the next, approaches timed close together meet the same conditions;
// benchpair's -interleave passes the flag on and reads such lines, as the
// groups of each depth:
//
//	go run ./internal/cmd/benchpair -passes 6 -interleave 50ms -benchtime 40s -bench 'Page/db=postgres/strategy=keyset' -out pair.md -raw pair.txt
package bench
