// Package paginatetest is a conformance suite for [paginate.Backend]
// implementations. A backend — one of this module's or a third party's —
// runs it with one call from its own tests:
//
//	func TestConformance(t *testing.T) {
//		paginatetest.Run(t, paginatetest.Harness{
//			New: func(ctx context.Context, schema *paginate.Schema, rows []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
//				// Store rows in a fresh table (dropped by t.Cleanup)
//				// and return a backend over it.
//			},
//		})
//	}
//
// The suite stores a fixed dataset ([Dataset]: duplicates everywhere,
// NULLs in nullable columns, unicode text, equal timestamps, floats that
// differ only in their 17th digit, decimals, binary keys) and a few seeded
// random ones through the harness, puts [paginate.Offset] and
// [paginate.Keyset] paginators in front of the backend, and compares every
// page they serve with go-cmp against the reference, [paginate.Memory]
// over the same rows with the backend's [paginate.NullOrder]:
//
//   - Offset: every page of every sort, ascending, descending and mixed,
//     then the page past the end, with every metadata field checked.
//   - Counting: offset pages under each count strategy but the
//     planner's estimate, and paginate.AtMostCounter when the backend
//     has it.
//   - Keyset: forward walks to the end and backward walks to the start,
//     each page checked, so that no row is repeated or skipped.
//   - Filters: every operator on every type, In, several at once, NULLs
//     matching only null; prefix and contains on unicode text, and with
//     values made of LIKE's and GLOB's wildcards and escapes (%, _, \, !,
//     *, [), which must match themselves.
//   - Fields: sparse fieldsets return zero values for the fields not asked
//     for, and walks still work.
//   - Deleted rows: cursors from one row set used on another with rows
//     deleted at the start, in the middle and at the end, so that pages
//     before the start and past the end come out empty with the right
//     metadata.
//   - Bad cursors: forged, truncated, too long, signed with another key,
//     expired, or made for another sort or other filters fail with
//     [paginate.ErrInvalidCursor] and never reach the backend.
//   - Context: a cancelled context's error is returned.
//   - Include: when [Harness.NewRelated] is set, a related dataset
//     ([RelatedDataset]: items with NULL, shared and missing sellers, and
//     0 to 8 reviews each, with equal times and ratings and NULL times)
//     is paged by number and walked by cursor both ways with its
//     relations included, alone and together, under sorts, filters and
//     sparse fields, and every item's related rows are checked against
//     the suite's own model: the right seller or none, the first reviews
//     in the declared order (ties broken by the key) up to the limit,
//     and an empty list, never nil, when there are none.
//   - Model: random datasets, sorts, directions, page sizes, filters and
//     fieldsets, walked forward to the end and back to the start. The
//     seed is logged and printed with every failure; set PAGINATETEST_SEED
//     to reproduce a run.
//
// # Text
//
// A backend compares text under its own collation (PostgreSQL's may be
// locale-aware, MariaDB's default is case-insensitive), and the suite
// never re-sorts text in Go to match one. Instead the dataset's strings
// are chosen so that byte order, which the reference uses, agrees with
// the common collations: C and POSIX, glibc and ICU locales, the Unicode
// Collation Algorithm's root order, and MariaDB/MySQL's
// utf8mb4_general_ci, utf8mb4_unicode_ci and uca1400 collations, case-
// and accent-insensitive ones included. All letters are lower case; any
// two distinct strings differ first at an ASCII letter, or one is a
// prefix of the other, or they start with letters of different scripts
// (Latin, Greek, Cyrillic, Han), which all of these orders rank alike;
// accented letters (chloé, dvořák, søren), other scripts (αλέξης,
// дмитрий, 東京) and an emoji appear only after that first difference.
// Their order has been checked against byte order on PostgreSQL 15 (C.UTF-8
// and the ICU collations und, en-US, de-DE and sv-SE) and MariaDB 10.11
// (utf8mb4_general_ci, unicode_ci, unicode_520_ci, uca1400_ai_ci,
// uca1400_as_cs, swedish_ci and bin). A backend whose collation still
// orders them differently gives the reference its order in
// [Harness.Collate].
//
// The prefix and contains filters match under the same collations
// without ambiguity: their values are lower case, and never hold a letter
// where the field's text holds an accented form of it, so that matching
// each character under a case- and accent-insensitive collation (as
// MariaDB's LIKE does) keeps the same rows as matching bytes, which the
// reference does without [Harness.Collate]. With Collate, the reference
// matches a value of n characters against runs of n characters that
// collate equal to it (see [paginate.MemoryConfig]).
package paginatetest

import (
	"context"
	"testing"

	"github.com/go-paginate/paginate"
)

// Harness is the backend under test.
type Harness struct {
	// New returns a backend over rows, stored in a fresh data source of
	// its own (for an SQL backend, a new, uniquely named table whose
	// columns are the db tags of [Row]). schema is [Schema]'s. Run calls
	// New several times, with different rows; a harness releases what it
	// made through the Cleanup of the test that calls Run. If the
	// backend implements [paginate.NullOrderer], its NullOrder is the
	// reference's. Required.
	New func(ctx context.Context, schema *paginate.Schema, rows []Row) (paginate.Backend[Row], error)
	// NewRelated returns a backend over the related dataset d
	// ([RelatedDataset]: items, sellers and reviews), stored as New
	// stores rows, for the checks of relations ([paginate.Relater]).
	// schema is [RelatedSchema]'s. If nil, relations are not checked.
	NewRelated func(ctx context.Context, schema *paginate.Schema, d Related) (paginate.Backend[Item], error)
	// Collate compares two strings as the backend does, for the
	// reference's order and its prefix and contains filters. If nil, byte
	// order and byte matching, which the dataset's text is chosen to
	// share with the common collations (see the package documentation's
	// section "Text").
	Collate func(a, b string) int
	// Seed seeds the random cases. If zero, the PAGINATETEST_SEED
	// environment variable, else the clock; the seed is logged either way.
	Seed int64
	// Cases is how many random cases to run. If zero, 200; if negative,
	// none.
	Cases int
}

// Run runs the suite against h as subtests of t. Subtests fail with
// messages that name the sort, filters, fields, page size, page and (for
// random cases) the seed, with a go-cmp diff (-want +got).
func Run(t *testing.T, h Harness) {
	t.Helper()
	run(testingT{t}, h)
}

// run runs the suite against h as subtests of t.
func run(t tester, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatalf("paginatetest: Harness.New is nil")
		return
	}
	newSuite(t, h).run()
}

// tester is what the suite needs of a test: *testing.T, through testingT,
// and the suite's own tests' recorder.
type tester interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	// run runs f as a subtest named name and reports whether it passed.
	run(name string, f func(tester)) bool
}

// testingT makes a *testing.T a tester.
type testingT struct{ *testing.T }

func (t testingT) run(name string, f func(tester)) bool {
	return t.Run(name, func(t *testing.T) { f(testingT{t}) })
}
