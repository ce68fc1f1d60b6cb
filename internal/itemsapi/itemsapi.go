// Package itemsapi is the API of the example server in examples/items,
// kept here so that the tests can import it: examples/items serves it, and
// internal/hostile attacks, loads and walks the same handlers rather than a
// copy of them. It imports no database driver; the program and the tests
// open the databases.
//
// The API serves an items table (see internal/dataset) with two routes,
// and describes both in an OpenAPI 3.1 document:
//
//	/api/items        offset pages (page, per_page), counted as Config.Count says
//	/api/items/feed   cursor pages (after, before, per_page), signed with Config.CursorKey
//	/openapi.json     the OpenAPI document of the two
//
// Both sort by id, name, category, price and created_at (default
// -created_at, id breaking ties), filter on category (eq, ne, in), price
// and created_at (eq, lt, lte, gt, gte), name (prefix, contains) and
// seller_id (null), take fields, include each item's seller and its
// newest reviews (at most three) with include=seller,reviews
// (fields[seller] and fields[reviews] choose their fields), and answer
// If-None-Match with 304 Not Modified.
package itemsapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	pagesql "github.com/go-paginate/paginate/sql"
)

// Item is one row of the items table as the API shows it. Prices are
// integer cents. Seller and Reviews hold the item's related rows when a
// request includes them.
type Item struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Category  string    `db:"category" json:"category"`
	Price     int64     `db:"price" json:"price"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	SellerID  *int64    `db:"seller_id" json:"seller_id"`
	Seller    *Seller   `json:"seller"`
	Reviews   []Review  `json:"reviews"`
}

// Seller is one row of the sellers table: an item's seller.
type Seller struct {
	ID      int64  `db:"id" json:"id"`
	Name    string `db:"name" json:"name"`
	Country string `db:"country" json:"country"`
}

// Review is one row of the reviews table: a review of an item.
type Review struct {
	ID        int64     `db:"id" json:"id"`
	ItemID    int64     `db:"item_id" json:"item_id"`
	Rating    int64     `db:"rating" json:"rating"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// ReviewLimit is the most reviews an item holds: its newest.
const ReviewLimit = 3

// Schema declares the items' fields: what clients may sort on, filter on
// with which operators, and select. The API's endpoints serve
// [RelatedSchema], these fields with the relations.
func Schema() (*paginate.Schema, error) { return schema() }

// RelatedSchema is [Schema] with the relations clients may include: an
// item's seller and its newest reviews. It is the schema of the API's
// endpoints.
func RelatedSchema() (*paginate.Schema, error) {
	return schema(
		paginate.Relation{Name: "seller", Kind: paginate.BelongsTo, Via: "seller_id", Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "name", Type: paginate.String},
			{Name: "country", Type: paginate.String},
		}},
		paginate.Relation{Name: "reviews", Kind: paginate.HasMany, Via: "item_id", Sort: "-created_at", Limit: ReviewLimit, Fields: []paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true},
			{Name: "item_id", Type: paginate.Int},
			{Name: "rating", Type: paginate.Int},
			{Name: "body", Type: paginate.String},
			{Name: "created_at", Type: paginate.Time, Sortable: true},
		}},
	)
}

func schema(relations ...paginate.Relation) (*paginate.Schema, error) {
	cmpOps := []paginate.Op{paginate.Eq, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte}
	return paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Prefix, paginate.Contains}},
		{Name: "category", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.In}},
		{Name: "price", Type: paginate.Int, Sortable: true, Ops: cmpOps},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Ops: cmpOps},
		{Name: "seller_id", Type: paginate.Int, Nullable: true, Ops: []paginate.Op{paginate.IsNull}},
	}, "-created_at", relations...)
}

// Config is what may differ between instances of the API. CursorKey,
// Count and Logger are the example's settings; Adapter, Offset and Keyset
// are the full configurations they go into, for callers (the tests) that
// need more. Setting both a shortcut and the field it fills is an error.
type Config struct {
	// CursorKey signs and verifies the feed's cursors; it becomes
	// Keyset.Keys. One of the two must be set.
	CursorKey []byte
	// Count is how /api/items counts the matching rows; it becomes
	// Offset.Count. Nil means an exact COUNT per request.
	Count paginate.CountStrategy
	// Logger receives the handlers' reports of failed requests; it
	// becomes Adapter.Writer.Logger.
	Logger *slog.Logger
	// Index, when not nil, serves GET / (and nothing else under /).
	Index http.Handler
	// CheckShapes restricts both endpoints to the shapes (orders and
	// filter operators) an index serves, as the database's plans say: a
	// pagesql.ShapeCheck becomes Offset.Shapes and Keyset.Shapes.
	CheckShapes bool
	// StatementTimeout becomes the SQL backend's StatementTimeout: the
	// longest MySQL and MariaDB run one statement.
	StatementTimeout time.Duration
	// SellersTable and ReviewsTable name the tables of the items' sellers
	// and reviews, as dataset.Options does. If empty, "sellers" and
	// "reviews".
	SellersTable, ReviewsTable string

	// Adapter configures both HTTP handlers.
	Adapter httpadapter.Config
	// Offset configures the offset paginator behind /api/items.
	Offset paginate.OffsetConfig
	// Keyset configures the keyset paginator behind /api/items/feed.
	Keyset paginate.KeysetConfig
}

// API is the example's API over one items table.
type API struct {
	schema  *paginate.Schema
	backend *pagesql.Backend[Item]
	check   *pagesql.ShapeCheck // nil unless Config.CheckShapes
	offset  *paginate.Offset[Item]
	keyset  *paginate.Keyset[Item]
	mux     *http.ServeMux
}

// New builds the API over table in db, with the sellers and reviews in
// the tables cfg names. Table names go into the queries' FROM clauses as
// written (a table name, or any FROM expression), so they must come from
// the program, never from a request.
func New(db *sqlx.DB, table string, cfg Config) (*API, error) {
	if cfg.CursorKey != nil {
		if cfg.Keyset.Keys != nil {
			return nil, errors.New("itemsapi: both CursorKey and Keyset.Keys are set")
		}
		cfg.Keyset.Keys = [][]byte{cfg.CursorKey}
	}
	if cfg.Count != nil {
		if cfg.Offset.Count != nil {
			return nil, errors.New("itemsapi: both Count and Offset.Count are set")
		}
		cfg.Offset.Count = cfg.Count
	}
	if cfg.Logger != nil {
		if cfg.Adapter.Writer.Logger != nil {
			return nil, errors.New("itemsapi: both Logger and Adapter.Writer.Logger are set")
		}
		cfg.Adapter.Writer.Logger = cfg.Logger
	}

	s, err := RelatedSchema()
	if err != nil {
		return nil, err
	}
	if cfg.SellersTable == "" {
		cfg.SellersTable = "sellers"
	}
	if cfg.ReviewsTable == "" {
		cfg.ReviewsTable = "reviews"
	}
	backend, err := pagesql.New[Item](db, squirrel.Select().From(table), pagesql.Config{
		Schema:           s,
		StatementTimeout: cfg.StatementTimeout,
		Relations: map[string]squirrel.SelectBuilder{
			"seller":  squirrel.Select().From(cfg.SellersTable),
			"reviews": squirrel.Select().From(cfg.ReviewsTable),
		},
	})
	if err != nil {
		return nil, err
	}
	a := &API{schema: s, backend: backend}
	if cfg.CheckShapes {
		if cfg.Offset.Shapes != nil || cfg.Keyset.Shapes != nil {
			return nil, errors.New("itemsapi: both CheckShapes and Offset.Shapes or Keyset.Shapes are set")
		}
		if a.check, err = pagesql.NewShapeCheck(backend, pagesql.ShapeCheckConfig{}); err != nil {
			return nil, err
		}
		cfg.Offset.Shapes, cfg.Keyset.Shapes = a.check, a.check
	}
	if err := a.build(cfg); err != nil {
		backend.Close()
		return nil, err
	}
	return a, nil
}

// build makes the paginators and the routes over a's backend.
func (a *API) build(cfg Config) error {
	var err error
	if a.offset, err = paginate.NewOffset(a.backend, a.schema, cfg.Offset); err != nil {
		return err
	}
	if a.keyset, err = paginate.NewKeyset(a.backend, a.schema, cfg.Keyset); err != nil {
		return err
	}
	items, err := httpadapter.Handler(a.offset, a.schema, cfg.Adapter)
	if err != nil {
		return err
	}
	feed, err := httpadapter.Handler(a.keyset, a.schema, cfg.Adapter)
	if err != nil {
		return err
	}
	spec, err := describe(items, feed)
	if err != nil {
		return err
	}
	// ETag and 304 Not Modified; the pages are public, so they vary on no
	// request header.
	conditional := httpadapter.Conditional(httpadapter.ConditionalConfig{Vary: []string{}})
	a.mux = http.NewServeMux()
	a.mux.Handle("/api/items", conditional(items))
	a.mux.Handle("/api/items/feed", conditional(feed))
	a.mux.Handle("GET /openapi.json", spec)
	if cfg.Index != nil {
		a.mux.Handle("GET /{$}", cfg.Index)
	}
	return nil
}

// describe returns the handler of the API's OpenAPI document.
func describe(items, feed httpadapter.Endpoint) (http.Handler, error) {
	doc, err := httpadapter.NewOpenAPI(httpadapter.OpenAPIInfo{
		Title:       "go-paginate example: items",
		Version:     "1.0.0",
		Description: "An items table, by page number and by cursor, with each item's seller and newest reviews on request (include). Prices are integer cents.",
	})
	if err != nil {
		return nil, err
	}
	for _, e := range []struct {
		path string
		h    httpadapter.Endpoint
		op   httpadapter.Operation
	}{
		{"/api/items", items, httpadapter.Operation{ID: "listItems", Summary: "Items by page number", Tags: []string{"items"}, ItemSchema: "Item", Conditional: true}},
		{"/api/items/feed", feed, httpadapter.Operation{ID: "feedItems", Summary: "Items by cursor", Tags: []string{"items"}, ItemSchema: "Item", Conditional: true}},
	} {
		if err := doc.Add(e.path, e.h, e.op); err != nil {
			return nil, err
		}
	}
	return doc.Handler()
}

// Handler returns the API's routes.
func (a *API) Handler() http.Handler { return a.mux }

// Schema returns the schema the API was built with.
func (a *API) Schema() *paginate.Schema { return a.schema }

// Backend returns the SQL backend both paginators read through.
func (a *API) Backend() *pagesql.Backend[Item] { return a.backend }

// Offset returns the paginator behind /api/items.
func (a *API) Offset() *paginate.Offset[Item] { return a.offset }

// Keyset returns the paginator behind /api/items/feed.
func (a *API) Keyset() *paginate.Keyset[Item] { return a.keyset }

// ShapeCheck returns the check that restricts the endpoints' shapes, or
// nil when Config.CheckShapes was not set.
func (a *API) ShapeCheck() *pagesql.ShapeCheck { return a.check }

// Sorts are the orders the API documents, each offered in both
// directions: every sortable field, and category with created_at.
func Sorts() []string {
	return []string{"-created_at", "price", "name", "category", "id", "category,created_at"}
}

// FilterSets are the filter combinations the API documents, written as
// in a shape: none, each operator of category, ranges of price and of
// created_at, category with either range, a name's prefix or fragment,
// and items with or without a seller.
func FilterSets() []string {
	return []string{"", "category", "category[in]", "category[ne]", "price[gte]&price[lt]",
		"created_at[gte]&created_at[lt]", "category&created_at[gte]&created_at[lt]", "category&price[gte]&price[lt]",
		"name[prefix]", "name[contains]", "seller_id[null]"}
}

// Shapes returns the API's documented shapes for one endpoint: every
// sort of Sorts in both directions with every filter set of FilterSets.
func Shapes(s *paginate.Schema, keyset bool) ([]paginate.Shape, error) {
	var out []paginate.Shape
	for _, sort := range Sorts() {
		for _, filters := range FilterSets() {
			sh, err := s.ParseShape("sort=" + sort + "&" + filters)
			if err != nil {
				return nil, err
			}
			sh.Keyset = keyset
			out = append(out, sh, sh.Reverse())
		}
	}
	return out, nil
}

// ShapeReport checks every documented shape of both endpoints with the
// API's ShapeCheck (filling its cache) and returns the verdicts, offset
// endpoint first. It fails when Config.CheckShapes was not set.
func (a *API) ShapeReport(ctx context.Context) ([]pagesql.ShapeVerdict, error) {
	if a.check == nil {
		return nil, errors.New("itemsapi: ShapeReport needs Config.CheckShapes")
	}
	var out []pagesql.ShapeVerdict
	for _, keyset := range []bool{false, true} {
		shapes, err := Shapes(a.schema, keyset)
		if err != nil {
			return nil, err
		}
		v, err := a.check.Report(ctx, shapes...)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

// Close closes the backend's prepared statements. The API still works
// after Close, without preparing.
func (a *API) Close() error { return a.backend.Close() }
