// Package httpadapter exposes a [paginate.Paginator] over net/http: it
// parses a request's query string into a [paginate.Request], answers bad
// input with RFC 9457 problem details, and writes a page as a JSON envelope
// with RFC 8288 Link and X-Total-Count headers.
//
// # The map of the package
//
// One type does each job:
//
//   - [Parser] parses: a query string, checked against a
//     [paginate.Schema] for an endpoint of one [Mode], becomes a
//     [ParsedQuery], which holds the [paginate.Request] and every
//     parameter as the client wrote it (parse.go, query.go).
//   - [Writer] writes, for items of one type: the envelope of a page
//     ([Writer.WritePage], [Keys], envelope.go), its items cut to the
//     requested fields with their included relations ([Writer.AppendItems],
//     items.go, related.go), its [Links] (links.go), and errors as RFC
//     9457 [Problem] details ([Writer.WriteError], problem.go). It takes
//     the mode and the parameter names from its parser.
//   - [Handler] puts a parser, a paginator and a writer together in one
//     http.Handler (handler.go).
//   - [Middleware] parses for a handler of the application's own, which
//     reads the result with [FromContext] (middleware.go).
//   - [Conditional] adds ETags and 304 Not Modified to any handler
//     (conditional.go).
//   - [OpenAPI] describes endpoints in an OpenAPI 3.1 document, from the
//     same declarations: what the [Endpoint] that Handler returns, or a
//     Writer, knows of its parameters, envelope, items and problems
//     (openapi.go, openapi_describe.go).
//   - [CostConfig] gives a [Handler] a time budget per page, a
//     Server-Timing header and slow-page logs (cost.go); [Limit] bounds
//     the requests served and waiting at once (limit.go).
//
// # The common case
//
// [Handler] does everything in one call:
//
//	h, err := httpadapter.Handler(p, schema, httpadapter.Config{})
//	mux.Handle("GET /api/items", h)
//
// # Modes
//
// An endpoint pages by number ([OffsetMode]: page, per_page) or by cursor
// ([CursorMode]: after, before, per_page), and refuses the other mode's
// parameters. The mode is never guessed: a [Parser] must be given one,
// and [Handler] takes it from a *[paginate.Offset] or *[paginate.Keyset]
// (refusing a configured mode that says otherwise) or, for any other
// paginator, from [ParserConfig.Mode]. So a cursor the endpoint hands out
// is never refused by the same endpoint.
//
// # Query parameters
//
// The defaults, each renamable with [Params]:
//
//	page=2             page number (offset mode)
//	per_page=20        page size; the paginator's default when absent, clamped
//	                   to (or rejected above) its maximum
//	after=CURSOR       the page after a cursor (cursor mode)
//	before=CURSOR      the page before a cursor (cursor mode)
//	sort=-price,name   order: field names, "-" for descending
//	fields=id,name     sparse fieldset: only these keys in each item
//	include=seller,reviews
//	                   relations whose rows each item holds (see below)
//	fields[seller]=name,country
//	                   an included relation's fields
//	category=books     filter, eq
//	price[gte]=1000    filter with an operator: eq, ne, lt, lte, gt, gte, in,
//	                   null, prefix, contains
//	category[in]=a,b   in: a comma-separated list
//	note[null]=true    null: a bool; true keeps the NULLs, false the rest
//	name[prefix]=ab    prefix, contains: literal text; % and _ match themselves
//
// Any other parameter is an error, unless [ParserConfig.Ignore] names it.
// A parameter given twice, an empty value, malformed percent-encoding,
// text that is not UTF-8 or holds NUL, more filters than
// [ParserConfig.MaxFilters] and a query string longer than
// [ParserConfig.MaxQueryLen] are all bad input: the answer is 400 with a
// problem+json body whose invalid_params name every offending parameter
// as the client wrote it (percent-decoded: price%5Bgte%5D is price[gte];
// category[eq] stays category[eq] and a renamed parameter keeps its
// name), whether the parser or the paginator found the problem.
//
// # Responses
//
// A page is written as a JSON object (see [Keys] for the names):
//
//	{"total":57,"page":2,"per_page":10,"pages":6,"has_next":true,"has_prev":true,"next_page":3,"prev_page":1,"links":{...},"items":[...]}
//	{"per_page":10,"has_next":true,"has_prev":false,"next_cursor":"...","prev_cursor":null,"links":{...},"items":[...]}
//
// next_page and prev_page are null when there is none (past the end,
// prev_page is the last page). total and pages appear only when the
// paginator counted; total_capped and total_estimated only when true.
// links holds the absolute URLs of the first, prev, next and last pages,
// each null when there is none: the URLs of the Link header (see
// [Links]), for clients that read them from the body.
//
// In cursor mode, first is the URL without a cursor and last asks for the
// page before the end (before=LastCursor, from [paginate.Page]), so a
// client starts from either end without walking there; the last page has
// has_next false, no next link and a prev link that walks back to the
// first row.
//
// Items are encoded with encoding/json, so T's json tags apply, with one
// exception: JSON numbers cannot hold NaN or the infinities, so a float64
// or float32 field (or a pointer to one, or a float in a map item) holding
// NaN, +Inf or -Inf is written as the string "NaN", "Infinity" or
// "-Infinity", as protobuf's JSON mapping writes them and as
// JavaScript's Number() and Python's float() read them back. (A float
// inside a nested value, such as a slice, still fails with a 500.)
//
// With a fields parameter each item holds only the requested keys, in
// T's order. The items are copied, once per page, into values of a struct
// type built (and cached) for that set of fields, holding just those
// fields with their original types and tags, and encoded in one pass; so
// omitempty, string options and field marshalers behave exactly as in a
// full item. Since reflect keeps every type it builds, only the first 256
// sets of fields a writer sees get a type; items with other sets are
// encoded field by field, with the same result. The struct field behind
// a declared field is found by the rule every package of the module
// follows (see "Declaring fields" in package paginate: db tag, else json
// tag, else Go name ignoring case), and its key is the one encoding/json
// gives it. [NewWriter] refuses a struct type in which a declared field
// has no such field, or two, or one that encoding/json does not write.
// Map items with string keys are filtered by key; items of other types
// are written whole.
//
// A schema may declare relations (see [paginate.Relation]): rows related
// to each item, which include names. Each included relation is a member
// of every item, under the JSON key of the item's field for it, after
// the item's own fields: a belongs-to relation's row as an object, or
// null when the item has none; a has-many relation's rows as an array,
// empty (never null) when there are none. Without include, an item holds
// no relation member at all. fields[relation] restricts a relation's rows
// to the named fields, as fields restricts the items'; it is refused
// (400) for a relation that is not included. An unknown or repeated
// relation in include, or an unknown field in fields[relation], is a 400
// naming the parameter. The item keeps the field it is linked through
// (seller_id) for loading, but writes it only when fields asks for it.
// Items that hold relations must be structs (or pointers to them).
//
// The Link header's URLs keep the request's other query parameters, in
// order and with their repeats, each name and value decoded and encoded
// again (so category[in]=a,b comes back as category%5Bin%5D=a%2Cb): no
// value can end a URL or add a link.
//
// Browser code on another origin can read the Link and X-Total-Count
// headers only when the response lists them in
// Access-Control-Expose-Headers: [WriterConfig.ExposeHeaders] adds them
// for requests that carry an Origin header, after any names an
// application's CORS middleware set.
//
// Errors map to statuses: invalid input 400 (a shape the paginator's
// policy refuses too); a strict paginator's page past the end 404; a
// request the client canceled gets nothing further written; a request
// past its deadline ([CostConfig].Budget or the caller's), or failed on
// broken database connections ([database/sql/driver.ErrBadConn]), 503 with
// Retry-After; anything else 500 with a generic body, the error itself
// going to [WriterConfig.Logger].
//
// # An OpenAPI document
//
// An API of several endpoints is described in one document:
//
//	doc, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{Title: "Shop", Version: "1.0.0"})
//	err = doc.Add("/api/items", items, httpadapter.Operation{ID: "listItems", ItemSchema: "Item"})
//	spec, err := doc.Handler()
//	mux.Handle("GET /openapi.json", spec)
//
// Each endpoint's parameters carry their configured names; sort and fields
// enumerate the declared fields; each filter operator of each field is a
// parameter (price[gte]) typed by the field's type (date-time for times,
// hexadecimal for bytes, a decimal pattern for decimals); per_page has the
// paginator's default and maximum; include enumerates the relations and
// fields[relation] each relation's fields. The envelope uses the
// configured keys, and its items the declared fields under the keys
// encoding/json gives them (a float may be the string "NaN", "Infinity" or
// "-Infinity"), and each relation as an optional member: a row or null,
// or an array of rows. 400 is an RFC 9457 problem with invalid_params,
// 404 appears for a strict offset paginator, 503 and 500 for failures.
//
// # Rendering your own responses
//
// An application that writes its own body uses the pieces: [Middleware]
// (or [Parser.Parse]) for the [ParsedQuery], [Writer.AppendItems] for the
// items limited to the requested fields, [Writer.Links] and
// [Links.Header] for the Link header, and [Writer.WriteError] for
// failures, naming parameters as the client wrote them.
package httpadapter
