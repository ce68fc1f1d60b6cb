package paginate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-paginate/paginate/internal/value"
)

// RelationKind says how the rows of a [Relation] relate to an item.
type RelationKind int

const (
	// BelongsTo relates each item to at most one row: the row whose key
	// equals the item's Via field (an item's seller, through
	// items.seller_id). An item whose Via is NULL, or names no row, has
	// none.
	BelongsTo RelationKind = iota + 1
	// HasMany relates each item to the rows whose Via field equals the
	// item's key (an item's reviews, through reviews.item_id): at most
	// Limit of them, in the relation's Sort order.
	HasMany
)

// String returns "belongs-to" or "has-many".
func (k RelationKind) String() string {
	switch k {
	case BelongsTo:
		return "belongs-to"
	case HasMany:
		return "has-many"
	}
	return "RelationKind(" + strconv.Itoa(int(k)) + ")"
}

// Limits on relations.
const (
	// DefaultRelationLimit is a HasMany relation's Limit when it declares
	// none.
	DefaultRelationLimit = 10
	// MaxRelationLimit is the largest Limit a HasMany relation may
	// declare: a page of [PerPageLimit] items then loads at most
	// PerPageLimit × MaxRelationLimit related rows.
	MaxRelationLimit = 1000
)

// Relation declares rows related to the items of a schema, which a
// request may ask for by name ([Request].Include) to have them embedded
// in every item of a page, loaded with one query per relation and page,
// never one per item. It is declared beside the fields, in [NewSchema].
//
// A relation's rows have fields of their own, declared as the items' are
// (names, types, columns, one key), and come from a source the backend
// is told about (for the SQL backend, a base query per relation). An item
// holds a relation's rows in a struct field of its own, found by the rule
// of the section "Declaring fields" for the relation's Name: a pointer to
// a struct (*Seller) for BelongsTo, nil when there is no related row; a
// slice of structs or of pointers to structs ([]Review, []*Review) for
// HasMany, empty (never nil) when there are none. The struct's fields back
// the relation's fields by the same rule.
type Relation struct {
	// Name is the name clients use in the include and fields[name]
	// parameters: letters, digits and underscores, starting with a letter
	// or underscore, at most 64 bytes, and no field's name.
	Name string
	// Kind says how the rows relate to an item. Required.
	Kind RelationKind
	// Fields declares the related rows' fields, of which exactly one is
	// the non-nullable Key. They cannot be filtered on (no Ops); Sortable
	// ones may appear in Sort.
	Fields []Field
	// Via names the field that links an item to its related rows: for
	// BelongsTo, a field of the items holding the related row's key
	// (seller_id), of the key's Type, which may be Nullable; for HasMany,
	// one of Fields holding the item's key (item_id), of the type of the
	// items' key. Required.
	Via string
	// Sort is the order of an item's related rows (HasMany only), written
	// as a sort parameter ("-created_at"); the relation's key is appended
	// as the tie-breaker, in the direction of the last key, so the order
	// is total. If empty, the key ascending.
	Sort string
	// Limit is the most related rows an item holds (HasMany only): the
	// first Limit in Sort order. At most [MaxRelationLimit]. If zero,
	// [DefaultRelationLimit].
	Limit int
}

// relation is a declared relation, validated.
type relation struct {
	decl   Relation // defaults filled in, Fields copied
	fields *Schema  // the related rows' fields, with Sort as default sort
	via    Field
	order  []Order // HasMany: the complete order of an item's rows
}

// addRelations validates the relations of s, whose fields are valid.
func (s *Schema) addRelations(rels []Relation) []error {
	var errs []error
	for i, r := range rels {
		if !validName(r.Name) {
			errs = append(errs, fmt.Errorf("paginate: relation %d: invalid name %q", i, r.Name))
			continue
		}
		if _, dup := s.relByName[r.Name]; dup {
			errs = append(errs, fmt.Errorf("paginate: relation %q declared twice", r.Name))
			continue
		}
		if _, field := s.byName[r.Name]; field {
			errs = append(errs, fmt.Errorf("paginate: relation %q has the name of a field", r.Name))
			continue
		}
		rel, err := s.newRelation(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("paginate: relation %q: %w", r.Name, err))
			continue
		}
		if s.relByName == nil {
			s.relByName = make(map[string]int, len(rels))
		}
		s.relByName[r.Name] = len(s.relations)
		s.relations = append(s.relations, rel)
	}
	return errs
}

// newRelation validates one relation against s's fields.
func (s *Schema) newRelation(r Relation) (relation, error) {
	var errs []error
	for _, f := range r.Fields {
		if len(f.Ops) > 0 {
			errs = append(errs, fmt.Errorf("field %q declares filter operators; related rows cannot be filtered", f.Name))
		}
	}
	switch r.Kind {
	case BelongsTo:
		if r.Sort != "" || r.Limit != 0 {
			errs = append(errs, errors.New("a belongs-to relation relates one row: Sort and Limit are for has-many relations"))
		}
	case HasMany:
		switch {
		case r.Limit < 0 || r.Limit > MaxRelationLimit:
			errs = append(errs, fmt.Errorf("its Limit %d is outside 0 to %d (MaxRelationLimit)", r.Limit, MaxRelationLimit))
		case r.Limit == 0:
			r.Limit = DefaultRelationLimit
		}
	default:
		errs = append(errs, fmt.Errorf("unknown kind %d: set BelongsTo or HasMany", r.Kind))
	}
	if len(errs) > 0 {
		return relation{}, errors.Join(errs...)
	}
	fields, err := NewSchema(r.Fields, r.Sort)
	if err != nil {
		return relation{}, err
	}
	r.Fields = fields.Fields()
	rel := relation{decl: r, fields: fields}
	key := fields.Key()
	if r.Kind == BelongsTo {
		via, ok := s.Field(r.Via)
		switch {
		case !ok:
			return relation{}, fmt.Errorf("its Via %q is not a field of the items: name the field that holds the related row's key", r.Via)
		case via.Type != key.Type:
			return relation{}, fmt.Errorf("its Via field %q is %s, but the related key %q is %s", r.Via, via.Type, key.Name, key.Type)
		}
		rel.via = via
		return rel, nil
	}
	via, ok := fields.Field(r.Via)
	switch {
	case !ok:
		return relation{}, fmt.Errorf("its Via %q is not one of the relation's fields: name the related field that holds the item's key", r.Via)
	case via.Type != s.Key().Type:
		return relation{}, fmt.Errorf("its Via field %q is %s, but the items' key %q is %s", r.Via, via.Type, s.Key().Name, s.Key().Type)
	}
	rel.via = via
	rel.order, _ = fields.order(fields.defaultSort) // the default sort is valid
	return rel, nil
}

// Relations returns a copy of the declared relations, in declaration
// order, with their defaults filled in.
func (s *Schema) Relations() []Relation {
	out := make([]Relation, len(s.relations))
	for i, r := range s.relations {
		out[i] = r.decl
		out[i].Fields = r.fields.Fields()
	}
	return out
}

// Relation returns the relation named name, with its defaults filled in.
func (s *Schema) Relation(name string) (Relation, bool) {
	i, ok := s.relByName[name]
	if !ok {
		return Relation{}, false
	}
	r := s.relations[i].decl
	r.Fields = s.relations[i].fields.Fields()
	return r, true
}

// Include asks for a relation's rows in every item of a page.
type Include struct {
	// Relation names a relation the schema declares.
	Relation string
	// Fields lists the related fields to return. If nil, all of them.
	Fields []string
}

// FieldsParam returns the query parameter that conventionally carries
// the include's fields: "fields[name]".
func (in Include) FieldsParam() string { return "fields[" + in.Relation + "]" }

// ParseInclude parses an include parameter: comma-separated relation
// names, each declared and named at most once. An error is a
// [*ParamError] for "include" that wraps [ErrInvalidInclude].
func (s *Schema) ParseInclude(v string) ([]Include, error) {
	reason := ""
	var out []Include
	switch {
	case v == "":
		reason = "empty"
	case len(v) > maxValueLen:
		reason = "too long"
	case strings.Count(v, ",")+1 > len(s.relations):
		reason = fmt.Sprintf("names more relations than the %d declared", len(s.relations))
	default:
		for n := range strings.SplitSeq(v, ",") {
			out = append(out, Include{Relation: n})
		}
		reason = s.includeProblem(out)
	}
	if reason != "" {
		return nil, &ParamError{Param: "include", Reason: reason, Err: ErrInvalidInclude}
	}
	return out, nil
}

// includeProblem says what is wrong with the relations of a list of
// includes, or returns "".
func (s *Schema) includeProblem(in []Include) string {
	for i, x := range in {
		if _, ok := s.relByName[x.Relation]; !ok {
			return "unknown relation " + value.Quote(x.Relation)
		}
		for _, prev := range in[:i] {
			if prev.Relation == x.Relation {
				return fmt.Sprintf("relation %q named twice", x.Relation)
			}
		}
	}
	return ""
}

// ParseRelationFields parses the fields parameter of a relation
// (fields[seller]=name,country): comma-separated names of the relation's
// fields, each at most once. An error is a [*ParamError] for
// "fields[relation]" that wraps [ErrInvalidField].
func (s *Schema) ParseRelationFields(relation, v string) ([]string, error) {
	i, ok := s.relByName[relation]
	if !ok {
		return nil, &ParamError{Param: Include{Relation: relation}.FieldsParam(), Reason: "unknown relation " + value.Quote(relation), Err: ErrInvalidField}
	}
	names, err := s.relations[i].fields.ParseFields(v)
	if err != nil {
		return nil, &ParamError{Param: Include{Relation: relation}.FieldsParam(), Reason: reasonOf(err), Err: ErrInvalidField}
	}
	return names, nil
}

// reasonOf returns the Reason of a *ParamError.
func reasonOf(err error) string {
	var pe *ParamError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return "invalid"
}

// Inclusion is what a paginator asks a [Relater] to load: one relation,
// validated and resolved against the schema.
type Inclusion struct {
	// Relation is the relation, as the schema holds it (defaults filled
	// in).
	Relation Relation
	// Fields are the related fields the caller wants; nil means all. A
	// backend may load more.
	Fields []Field
	// Key is the related rows' key field.
	Key Field
	// Via is the field that links: for BelongsTo a field of the items,
	// for HasMany one of the related rows'.
	Via Field
	// Order is the complete order of an item's related rows (HasMany),
	// the relation's key last; nil for BelongsTo.
	Order []Order
}

// Relater is the optional backend interface that loads related rows: a
// backend must implement it for [NewOffset] and [NewKeyset] to accept a
// schema that declares relations. The paginators call Relate once per
// page, after Fetch, with the page's items and the relations the request
// includes; it is a step of its own, so that its time can be observed
// apart from the fetch's.
type Relater[T any] interface {
	// Relate stores, in each item, the rows of each relation in include,
	// in the item's field for the relation (see [Relation]):
	//
	//   - BelongsTo: the row whose Key equals the item's Via value, or
	//     none (nil) when that value is NULL or names no row.
	//   - HasMany: the first Relation.Limit rows whose Via equals the
	//     item's key, in Order; an empty, non-nil slice when there are
	//     none.
	//
	// The items hold their Via (BelongsTo) or key (HasMany) field,
	// whatever fields the request asked for: the paginators add it to
	// Query.Fields. A database backend runs one query per relation, never
	// one per item. Related fields not in Fields may be left zero.
	Relate(ctx context.Context, items []T, include []Inclusion) error
}

// inclusions validates req's includes, adding every problem to errs.
func (s *Schema) inclusions(in []Include, errs *requestErrors) []Inclusion {
	if reason := s.includeProblem(in); reason != "" {
		errs.add("include", ErrInvalidInclude, reason)
		return nil
	}
	out := make([]Inclusion, len(in))
	for i, x := range in {
		r := s.relations[s.relByName[x.Relation]]
		out[i] = Inclusion{Relation: r.decl, Key: r.fields.Key(), Via: r.via, Order: slices.Clone(r.order)}
		out[i].Relation.Fields = r.fields.Fields()
		if x.Fields == nil {
			continue
		}
		if reason := r.fields.fieldsProblem(x.Fields); reason != "" {
			errs.add(x.FieldsParam(), ErrInvalidField, reason)
			continue
		}
		out[i].Fields = make([]Field, len(x.Fields))
		for j, n := range x.Fields {
			out[i].Fields[j] = r.fields.fields[r.fields.byName[n]]
		}
	}
	return out
}

// linkFields returns fields (nil: all) with the fields of the items that
// the inclusions link through added: a BelongsTo's Via, a HasMany's key.
func (s *Schema) linkFields(fields []Field, in []Inclusion) []Field {
	if fields == nil {
		return nil
	}
	out := fields
	for _, x := range in {
		link := s.Key()
		if x.Relation.Kind == BelongsTo {
			link = x.Via
		}
		if !hasField(out, link.Name) {
			if len(out) == len(fields) {
				out = append(fields[:len(fields):len(fields)], link)
				continue
			}
			out = append(out, link)
		}
	}
	return out
}

func hasField(fs []Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// checkRelater refuses a backend that cannot load the relations schema
// declares.
func checkRelater[T any](b Backend[T], s *Schema) error {
	if len(s.relations) == 0 {
		return nil
	}
	if _, ok := b.(Relater[T]); !ok {
		return fmt.Errorf("paginate: the schema declares relations, but a %T cannot load them (it does not implement paginate.Relater)", b)
	}
	return nil
}

// relate asks b to load the included relations of items: the step that
// follows a fetch when a request includes relations.
func relate[T any](ctx context.Context, b Backend[T], items []T, include []Inclusion) error {
	if len(include) == 0 || len(items) == 0 {
		return nil
	}
	t := TimingsFrom(ctx)
	start := t.start()
	err := b.(Relater[T]).Relate(ctx, items, include)
	t.add(phaseRelated, start)
	if err != nil {
		return fmt.Errorf("paginate: relate: %w", err)
	}
	return nil
}
