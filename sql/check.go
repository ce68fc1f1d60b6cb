package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
)

// ErrSchemaMismatch is the sentinel every problem [Backend.Check] finds
// wraps: the schema declares a field the database cannot serve as
// declared.
var ErrSchemaMismatch = errors.New("paginate/sql: the schema does not match the database")

// Mismatch is the kind of a problem [Backend.Check] finds.
type Mismatch int

const (
	// MissingColumn: the field's column or expression does not run against
	// the base query (no such column, a typo, an unknown table alias).
	MissingColumn Mismatch = iota + 1
	// UndeclaredNull: the database allows NULL in the column, or holds
	// NULL in it, but the field is not declared Nullable. A keyset walk
	// would end before the NULL rows in the direction that sorts them
	// last.
	UndeclaredNull
	// WrongType: the field's paginate.Type does not match the column's
	// type, so bound values would be compared under another type's order
	// (digits as text, say) or could not be read back.
	WrongType
	// TimeStorage: a time column stored as text or numbers (SQLite) holds
	// values in no single layout whose text order is time order.
	TimeStorage
)

var mismatchNames = [...]string{"", "missing column", "undeclared NULL", "wrong type", "time storage"}

// String returns the mismatch in words.
func (m Mismatch) String() string {
	if m > 0 && int(m) < len(mismatchNames) {
		return mismatchNames[m]
	}
	return fmt.Sprintf("Mismatch(%d)", int(m))
}

// FieldError is one way a declared field disagrees with the database. It
// unwraps to [ErrSchemaMismatch].
type FieldError struct {
	// Field is the schema field's name.
	Field string
	// Column is the field's column or expression, as declared.
	Column string
	// Mismatch is the kind of problem.
	Mismatch Mismatch
	// Found is what the database says: the column's type, its
	// nullability, the stored values that do not fit.
	Found string
	// Fix says what to change.
	Fix string
}

// Error returns "paginate/sql: field F (column C): found; fix".
func (e *FieldError) Error() string {
	return "paginate/sql: " + e.problem()
}

// problem describes the problem without the package's prefix, as
// CheckError lists it.
func (e *FieldError) problem() string {
	return fmt.Sprintf("field %q (column %s): %s: %s; %s", e.Field, e.Column, e.Mismatch, e.Found, e.Fix)
}

// Unwrap returns [ErrSchemaMismatch].
func (e *FieldError) Unwrap() error { return ErrSchemaMismatch }

// CheckError lists every problem [Backend.Check] found. errors.Is finds
// [ErrSchemaMismatch] through it, and errors.As each [*FieldError].
type CheckError struct {
	Fields []*FieldError
}

// Error lists the problems, one per line after the first.
func (e *CheckError) Error() string {
	var b strings.Builder
	b.WriteString("paginate/sql: the schema does not match the database:")
	for _, f := range e.Fields {
		b.WriteString("\n\t")
		b.WriteString(f.problem())
	}
	return b.String()
}

// Unwrap returns the problems.
func (e *CheckError) Unwrap() []error {
	errs := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = f
	}
	return errs
}

// checkState is the outcome of the catalog check, shared by a backend and
// the backends made from it with On. The check runs once: the first call
// that needs it runs it while the others wait, and a completed outcome
// (success or a *CheckError) is kept; a check that could not run (a
// cancelled context, a lost connection) is tried again by the next call.
type checkState struct {
	sem  chan struct{} // holds the right to run the check
	done atomic.Bool
	err  error // the outcome, written before done is set

	// What the check learned, written before done is set and read only
	// after: how each schema field's values are stored where the
	// database does not say (SQLite times), by schema index; nil when no
	// field needs converting.
	codecs []valueCodec

	// layout is the text layout of SQLite time columns:
	// Config.SQLiteTimeLayout when layoutSet, else go-sqlite3's, used for
	// columns that hold no text to detect it from.
	layout    textTime
	layoutSet bool
}

// newCheckState prepares a backend's check. It does no I/O.
func newCheckState(d Dialect, sqliteLayout string) (*checkState, error) {
	s := &checkState{sem: make(chan struct{}, 1), layoutSet: sqliteLayout != ""}
	if d != SQLite {
		return s, nil
	}
	if sqliteLayout == "" {
		sqliteLayout = sqliteDriverTimeLayout
	}
	l, ok := layoutOf(sqliteLayout)
	if !ok {
		return nil, fmt.Errorf("paginate/sql: Config.SQLiteTimeLayout %q is not a layout the backend reads: a date (2006-01-02), optionally a time of day (' ' or 'T', 15:04 or 15:04:05, a fraction of a second), optionally a zone (Z or -07:00)", sqliteLayout)
	}
	if !l.orderSafe() {
		return nil, fmt.Errorf("paginate/sql: Config.SQLiteTimeLayout %q writes fractions of varying length followed by Z, which do not sort as time: write fractions at a fixed width (.000000) or the zone as +00:00", sqliteLayout)
	}
	s.layout = l
	return s, nil
}

// Check compares the schema with the database: it reads the catalog of
// every table the base query names and the types of the selected
// columns, and on SQLite the values stored in them, and reports every
// field that the backend could not serve correctly as declared, as a
// [*CheckError] listing each [*FieldError]. It is I/O, so it takes a
// context; [New] does none.
//
// Every Fetch, Count and Explain runs the check first if it has not run,
// so a backend never serves pages from a declaration the database
// contradicts; calling Check at startup makes a mismatch fail the start
// instead of the first request. The outcome is kept: a mismatch is
// reported again without asking the database until the process restarts;
// a check that could not run (a cancelled context, a lost connection) is
// tried again.
//
// Check verifies, for each field:
//
//   - its column or expression runs against the base query;
//   - a column the database allows NULL in, or that holds NULL, is
//     declared Nullable (a column of a table joined with LEFT JOIN counts
//     as nullable; a base query WHERE condition "col IS NOT NULL" counts
//     as not);
//   - the declared Type matches the column's type, so that filters and
//     positions are bound as the column's type and compared in its order;
//   - on SQLite, the stored values: their storage classes, booleans being
//     0 or 1, and times being all text in one layout whose text order is
//     time order, or all integers (Unix seconds or milliseconds).
//
// What the catalog cannot tell is checked against the stored values: the
// nullability of an expression (on PostgreSQL and SQLite) or of a view's
// column is taken from whether any row holds NULL now, which a later row
// may change.
func (b *Backend[T]) Check(ctx context.Context) error {
	return b.c.ensureChecked(ctx, b.db)
}

// ensureChecked runs the check once, as [Backend.Check] describes.
func (c *common) ensureChecked(ctx context.Context, db sqlx.QueryerContext) error {
	s := c.check
	if s.done.Load() {
		return s.err
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.sem }()
	if s.done.Load() {
		return s.err
	}
	err := c.runCheck(ctx, db)
	var ce *CheckError
	if err == nil || errors.As(err, &ce) {
		s.err = err
		s.done.Store(true)
	}
	return err
}

// ready prepares q for the database: it runs the check if it has not run,
// and converts the values of fields stored in a form the database does not
// type (SQLite times) to that form.
func (c *common) ready(ctx context.Context, db sqlx.QueryerContext, q *paginate.Query) error {
	if err := c.ensureChecked(ctx, db); err != nil {
		return c.timeoutErr(err)
	}
	return c.encodeQuery(q)
}
