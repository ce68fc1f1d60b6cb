// Package paginate splits a large result set into pages, by page number
// (offset pagination) or by position (keyset, or cursor, pagination), behind
// one interface so that a handler is written once and the strategy is
// configuration.
//
// # Overview
//
// An application declares its public fields once in a [Schema]: the name a
// client uses, the column behind it, its [Type], whether it may be sorted on,
// which filter operators it accepts, and which field is the row's unique key.
// A [Request] says which page the client wants, in which order, under which
// filters and with which fields. A [Paginator] answers it with a [Page]:
//
//	schema, err := paginate.NewSchema([]paginate.Field{
//		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
//		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
//	}, "name")
//	p, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{Keys: [][]byte{key}})
//	page, err := p.Paginate(ctx, paginate.Request{PerPage: 20, After: cursor})
//
// [Walk] iterates over every item from the page a request names to the
// last, following the pages' cursors or numbers.
//
// Every name in a request is checked against the schema; values are parsed by
// the field's type and reach a backend only as typed values, never as text
// to splice into a query. Invalid requests fail with a [*RequestError] that
// lists every offending parameter, each a [*ParamError] that names the
// parameter, says what is wrong in its Reason, and unwraps to one of the
// sentinel errors such as [ErrInvalidSort] or [ErrInvalidCursor].
//
// # Declaring fields
//
// A [Field]'s Name is what clients write; its Column is what the backend
// reads (for the SQL backend a column or an expression). A backend or an
// encoder that reads a field's values from a Go struct ([Memory] with its
// default Value is one) finds the struct field that backs a declared field
// by one rule:
//
//  1. the field whose `db` tag is the declared field's Column (or its Name
//     when Column is empty) or its Name;
//  2. else the field whose `json` tag names it the declared field's Name;
//  3. else the field whose Go name equals the Name, ignoring case
//     ("CreatedAt" backs "createdat", not "created_at").
//
// The first step that finds a field decides, so a struct with only json
// tags and one with only db tags both work. Fields of embedded structs
// (and pointers to structs) without a db or json name are promoted, as
// encoding/json promotes them; within a step the shallowest match wins,
// and two matches at the same depth are an error that names both, never a
// silent choice. Unexported fields and fields tagged `db:"-"` or
// `json:"-"` back nothing. A Column that is a qualified name or an
// expression ("a.name", "COUNT(t.tag)") is matched only by Name. The
// field's JSON key, for output, is its json tag's name, else its Go name.
//
// # Filter values
//
// A [Filter]'s values are typed as its field's [Type] says, or are text
// parsed as in a query string: decimal integers and floats, booleans as
// strconv.ParseBool reads them, RFC 3339 times or dates, hexadecimal
// bytes, plain decimal numbers. Floats must be finite: NaN and ±Infinity
// are refused ([ErrInvalidFilter], a 400), as SQLite cannot store NaN and
// MariaDB neither. A time must fall within the years 1 to 9999 in UTC,
// what RFC 3339 writes and every supported database stores, and within
// what the backend stores when it says (see [TimeRanger]); it is moved to
// the backend's precision as [TimePrecisioner] describes. A value outside
// these is a 400 naming the parameter, such as created_at[lt], on every
// backend.
//
// Three operators take values of their own. [IsNull]'s value is a bool
// whatever the field's type, written as strconv.ParseBool reads it (true,
// false, 1, 0, t, f and their capitalized forms): score[null]=true keeps
// the rows whose score is NULL, score[null]=false the others; only a
// Nullable field accepts it. [Prefix] and [Contains] take text, on
// String fields only: name[prefix]=ab keeps the names that start with
// "ab", name[contains]=ab the names with "ab" anywhere. Their value is
// matched literally: %, _, \ and every other character stand for
// themselves, never for a wildcard. An empty value is a 400 (it would
// match every row but NULLs; leave the filter out instead), as is one
// over 4096 bytes. Whether "AB" matches "ab" is the backend's text
// comparison: [Memory] compares bytes (case-sensitive) unless its Collate
// says otherwise, and the SQL backend compares under the column's
// collation, as its package documentation details per database.
//
// # Offset pagination
//
// [Offset] serves page numbers. It counts the matching rows to report the
// total and the number of pages, clamps or rejects per_page above a
// maximum, can cap how deep a client may page, and answers a page past the
// end with an empty page (or [ErrPageOutOfRange] in strict mode). It
// counts exactly by default; a [CountStrategy] in its config can skip the
// count, cap it, take the planner's estimate, or (with the package cache)
// cache it. Offset pages are
// simple and let a client jump to any page, but the database still reads and
// discards every skipped row, and rows inserted or deleted while a client
// pages shift the pages under it. Page sizes are at most [PerPageLimit],
// and a page so deep that its offset would overflow is a 400.
//
// # Keyset pagination
//
// [Keyset] serves positions. A cursor holds the sort-key values of the row at
// the edge of a page, and the next page asks for the rows strictly after
// that position, which an index serves at the same cost on the first page
// and on the millionth. The row's unique key is appended to every sort as a
// tie-breaker, so a walk never repeats or skips a row, even when rows are
// inserted or deleted while it runs. Cursors are opaque, versioned, URL-safe
// strings signed with HMAC-SHA256 and bound to the sort and filters they
// were made under. Every page also carries [Page].LastCursor, which asks
// for the final page directly ([Keyset.LastCursor] makes it without a
// page), and a walk backward from it through PrevCursor sees every row
// once.
//
// A cursor depends only on the position it holds, its sort and filters,
// and the signing key: the same page of the same data has the same cursors
// on every request, so its body and ETag do not change. When cursors
// expire ([KeysetConfig].MaxAge), a cursor also carries its issue time,
// rounded down to a tenth of MaxAge, and stays the same within that step.
//
// [Keyset.Edges] serves APIs that give every item its own cursor, such as
// GraphQL's Relay connections (package relay builds them): it returns
// consecutive rows between two cursors, each with the cursor of its
// position.
//
// # NULLs, NaN and infinities
//
// Nullable sort fields are supported. Where NULL sorts is the backend's
// [NullOrder]: SQLite and MySQL/MariaDB sort NULL before every value in
// ascending order ([NullsSmallest]), PostgreSQL after ([NullsLargest]). A
// descending sort reverses either. A NULL key value in a field not
// declared Nullable fails the page with an error that says so: the
// backend's comparisons would skip past such a position.
//
// Float sort keys may hold ±Infinity and NaN where a backend stores them
// (PostgreSQL does; SQLite turns NaN into NULL and MariaDB refuses both):
// they are positions like any other, in PostgreSQL's order, where NaN
// equals NaN and sorts above +Infinity. [Memory] orders them so.
//
// # Relations
//
// A schema may declare relations beside its fields ([Relation]): rows
// related to each item, such as an item's seller (belongs-to, through
// items.seller_id) or its reviews (has-many, through reviews.item_id, the
// newest first, at most a declared number per item). A request names the
// relations it wants in [Request].Include, each with the related fields
// it wants, and every item of the page holds their rows in a field of its
// own (Seller *Seller, Reviews []Review), loaded after the page is
// fetched by the backend's [Relater] with one query per relation, never
// one per item. A keyset cursor does not depend on the relations
// included: the position of a row is the same with or without them.
//
// # Bounded cost
//
// A page's cost depends on its shape: its order and which fields it
// filters with which operators. A shape an index serves reads about as
// many rows as the page holds; another may read the whole table for one
// page. A [ShapePolicy] in a paginator's config (Shapes) restricts an
// endpoint to the shapes it allows: [AllowList] lists them, the SQL
// backend's ShapeCheck asks the database's plans, [ShapePolicies]
// combines policies. A refused shape is a 400 (ErrShapeNotAllowed) that
// names the sort or the filter and lists the orders allowed. Offset
// pages of a served order still read the rows they skip:
// [OffsetConfig].MaxOffset bounds that, and a count strategy other than
// [ExactCount] bounds the count. A caller that wants to know where a
// page's time went puts a [Timings] in its context ([WithTimings]).
//
// # Writing a backend
//
// A backend runs a [Query] against a data source. It must implement
// [Backend]:
//
//   - Fetch returns at most Query.Limit rows matching Query.Filters, in
//     Query.Sort order, skipping Query.Offset rows; when Query.After is not
//     nil it returns only the rows strictly after that position in the sort
//     order. When Query.Keys is set it also returns each row's values of the
//     sort fields, in sort order, in Result.Keys: nil for NULL, else a
//     value the field's [Type] accepts (any Go integer for Int, float for
//     Float, a string or []byte in a driver's text form, a time.Time or a
//     non-nil *time.Time for Time, and so on).
//   - Count returns how many rows match Query.Filters.
//
// Each [Op]'s documentation says which rows its [Condition] keeps. No
// condition but IsNull keeps a row whose field is NULL. A backend that
// cannot serve an operator fails the query with an error; declaring only
// the operators a backend serves keeps clients from asking.
//
// Optional interfaces, found by type assertion, give a backend more
// powers or tell the paginators what it stores:
//
//   - [NullOrderer] says where the backend sorts NULL. The paginators
//     do not need to know (the backend sorts and compares), but the
//     conformance suite (package paginatetest) holds the backend's order
//     to it; without it, [NullsSmallest] is assumed.
//   - [TimePrecisioner] says the backend stores times at a coarser
//     precision than the nanosecond; time filter values are moved to it.
//   - [TimeRanger] says the backend stores times only within a narrower
//     range than the years 1 to 9999; time filter values outside it are a
//     400.
//   - [AtMostCounter] counts at most a limit of rows, for [CappedCount].
//   - [Estimator] returns the planner's estimate of a row count, for
//     [EstimatedCount].
//   - [Relater] loads the rows of the relations a request includes; the
//     paginators refuse a schema with relations over a backend without
//     it.
//   - A method Schema() *Schema says which schema the backend was built
//     for; [NewOffset] and [NewKeyset] refuse a backend built for another
//     schema than theirs, as the two would disagree on columns and
//     nullability.
//
// A backend must sort NULL as its NullOrder says, and floats as
// PostgreSQL does where it stores NaN or the infinities. It must return
// context errors unwrapped or wrapped so that errors.Is finds them.
// Backends never see a cursor string: the paginator decodes and verifies
// positions and signs new cursors. [Memory] is a complete backend over a
// slice and the reference the package paginatetest holds other backends
// to.
package paginate

import "context"

// Paginator answers a Request with one Page of items. [*Offset] and
// [*Keyset] implement it.
type Paginator[T any] interface {
	// Paginate returns the page the request asks for. Invalid requests fail
	// with a *RequestError; backend failures are returned wrapped.
	Paginate(ctx context.Context, req Request) (Page[T], error)
}

// Request is what a client asks for. Its zero value asks for the first page
// in the default order with the default page size.
type Request struct {
	// Page is the 1-based page number (offset pagination). If zero, 1.
	Page int
	// PerPage is the number of items per page. If zero, the paginator's
	// default.
	PerPage int
	// After is a cursor: return the items after the position it holds
	// (keyset pagination). At most one of After and Before may be set.
	After string
	// Before is a cursor: return the items before the position it holds.
	Before string
	// Sort is the order, most significant key first. If nil, the schema's
	// default sort. The schema's key is appended as a tie-breaker.
	Sort []SortKey
	// Filters restrict the rows; all must hold.
	Filters []Filter
	// Fields lists the fields to return. If nil, all fields. When the
	// request includes relations, the items also hold the fields they are
	// linked through (a BelongsTo's Via, the key for a HasMany).
	Fields []string
	// Include lists the relations whose rows each item is to hold (see
	// [Relation]), each at most once. If nil, none: the items' relation
	// fields are left as the backend leaves them (nil).
	Include []Include
}

// Page is one page of items and what a client needs to ask for the next.
// Its zero value is an empty page that was not counted.
type Page[T any] struct {
	// Items are the page's items, in sort order.
	Items []T
	// Page is the 1-based page number (offset pagination only).
	Page int
	// PerPage is the effective page size, after defaults and clamping.
	PerPage int
	// Total is the number of matching rows, when Counted.
	Total int64
	// Pages is the number of pages, when Counted.
	Pages int
	// Counted reports whether Total and Pages are known.
	Counted bool
	// TotalCapped reports that Total is a lower bound: counting stopped there.
	TotalCapped bool
	// TotalEstimated reports that Total is the database's estimate.
	TotalEstimated bool
	// HasNext reports whether a next page exists.
	HasNext bool
	// HasPrev reports whether a previous page exists.
	HasPrev bool
	// NextPage and PrevPage are page numbers (offset pagination); 0 means
	// none.
	NextPage, PrevPage int
	// NextCursor and PrevCursor are cursors (keyset pagination) for the
	// After and Before fields of the next request; "" means none.
	NextCursor, PrevCursor string
	// LastCursor (keyset pagination) is a cursor for the Before field of a
	// request that asks for the last page of the same order and filters,
	// so a client can start from the end without walking there; "" in
	// offset pagination. It is the same on every page of one order and
	// filters.
	LastCursor string
}

// Backend runs paginated queries against a data source. See the package
// documentation's section "Writing a backend".
type Backend[T any] interface {
	// Fetch returns the rows the query selects.
	Fetch(ctx context.Context, q Query) (Result[T], error)
	// Count returns how many rows match q.Filters, ignoring sort, position
	// and limits.
	Count(ctx context.Context, q Query) (int64, error)
}

// NullOrderer is an optional backend interface: a backend that says where
// it sorts NULL. The conformance suite (package paginatetest) checks the
// backend's order against it.
type NullOrderer interface {
	NullOrder() NullOrder
}

// NullOrder says where a backend sorts NULL in ascending order.
type NullOrder int

const (
	// NullsSmallest sorts NULL before every value in ascending order and
	// after every value in descending order (SQLite, MySQL, MariaDB).
	NullsSmallest NullOrder = iota
	// NullsLargest sorts NULL after every value in ascending order and
	// before every value in descending order (PostgreSQL).
	NullsLargest
)

// String returns "nulls smallest" or "nulls largest".
func (o NullOrder) String() string {
	if o == NullsLargest {
		return "nulls largest"
	}
	return "nulls smallest"
}

// Query is what a paginator asks of a backend: a validated, typed
// description of one page with no SQL and no cursor strings in it. A
// backend must not modify its slices: a paginator shares them between
// requests (every request in one sort gets the same Sort).
type Query struct {
	// Fields are the fields the caller wants, nil meaning all. A backend may
	// return more.
	Fields []Field
	// Filters must all hold for a row to be returned.
	Filters []Condition
	// Sort is the complete order; its last field is the schema's key, so the
	// order is total.
	Sort []Order
	// After, when not nil, holds one value per Sort entry (nil for NULL):
	// only rows strictly after this position in Sort order are returned.
	After []any
	// Offset is how many rows to skip.
	Offset int64
	// Limit is the most rows to return; always positive.
	Limit int
	// Keys asks the backend to fill Result.Keys.
	Keys bool
}

// Order is one sort key of a Query: a field and its direction.
type Order struct {
	Field Field
	Dir   Direction
}

// Condition is one filter of a Query: a field, an operator and typed
// values (one value, or one or more for In).
type Condition struct {
	Field  Field
	Op     Op
	Values []any
}

// Result is what a backend returns for a Query.
type Result[T any] struct {
	// Items are the rows, in Query.Sort order.
	Items []T
	// Keys holds, when Query.Keys is set, one slice per item with the
	// item's values of the Query.Sort fields, in sort order; nil for NULL.
	Keys [][]any
}
