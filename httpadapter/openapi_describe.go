package httpadapter

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-paginate/paginate"
)

// maxPositive is the largest page number or page size a query string can
// carry: positive reads at most 9 digits.
const maxPositive = 999_999_999

// describe returns the GET operation of the endpoint w writes for, and
// its item schema.
func (w *Writer[T]) describe(op Operation) (*oaOperation, *oaSchema) {
	item := w.items.schema(w.parser.schema)
	inEnvelope := item
	if op.ItemSchema != "" {
		inEnvelope = ref(op.ItemSchema)
	}
	params := w.parameters(op.Limits)
	if op.Conditional {
		params = append(params, &oaParameter{
			Name: "If-None-Match", In: "header",
			Description: "The ETags of pages the client holds: when one matches the page, the answer is 304 Not Modified, without a body.",
			Schema:      &oaSchema{Type: "string"},
		})
	}
	return &oaOperation{
		Tags:        op.Tags,
		Summary:     op.Summary,
		Description: op.Description,
		OperationID: op.ID,
		Parameters:  params,
		Responses:   w.responses(op, inEnvelope),
	}, item
}

// describe describes h's endpoint, with its paginator's page sizes when
// the paginator is one of the core's.
func (h *handler[T]) describe(op Operation) (*oaOperation, *oaSchema) {
	if l, ok := limitsOf(h.p); ok {
		op.Limits = l
	}
	return h.w.describe(op)
}

// limitsOf returns the page sizes of p when it is a *paginate.Offset or
// *paginate.Keyset.
func limitsOf[T any](p paginate.Paginator[T]) (Limits, bool) {
	switch p := p.(type) {
	case *paginate.Offset[T]:
		c := p.Config()
		return Limits{PerPage: c.PerPage, MaxPerPage: c.MaxPerPage, RejectOverMax: c.RejectOverMax, Strict: c.Strict}, true
	case *paginate.Keyset[T]:
		c := p.Config()
		return Limits{PerPage: c.PerPage, MaxPerPage: c.MaxPerPage, RejectOverMax: c.RejectOverMax}, true
	}
	return Limits{}, false
}

// parameters describes the query parameters w's parser accepts, in their
// configured names: the page number or the cursors, per_page, sort,
// fields, and every filter the schema declares. Ignored parameters are
// the application's, and left out.
func (w *Writer[T]) parameters(l Limits) []*oaParameter {
	p := w.parser
	var ps []*oaParameter
	if p.cfg.Mode == OffsetMode {
		ps = append(ps, p.query(pPage, "The page number, from 1. A page past the last is empty, with no next page (or 404, when the endpoint is strict).",
			&oaSchema{Type: "integer", Minimum: ptrTo[int64](1), Maximum: ptrTo[int64](maxPositive)}))
	} else {
		cursor := &oaSchema{Type: "string", MinLength: ptrTo(1)}
		ps = append(ps,
			p.query(pAfter, "A cursor from "+w.from(kNextCursor, "next")+": the page after it. Cursors are opaque, and each belongs to the sort and filters of the request that made it.", cursor),
			p.query(pBefore, "A cursor from "+w.from(kPrevCursor, "prev or last")+": the page before it. Cannot be combined with "+p.names[pAfter]+".", cursor))
	}
	ps = append(ps, w.perPageParam(l), p.sortParam(), p.fieldsParam())
	ps = append(ps, p.relationParams()...)
	for _, f := range p.schema.Fields() {
		for _, op := range f.Ops {
			ps = append(ps, p.filterParam(f, op))
		}
	}
	return ps
}

// from says where a client finds a cursor: the envelope's key k, when
// the envelope has it, or the links rels.
func (w *Writer[T]) from(k envKey, rels string) string {
	if name := w.keys.name(k); name != "" {
		return "`" + name + "` (or the " + rels + " link)"
	}
	return "the " + rels + " link"
}

// query describes the standard parameter k.
func (p *Parser) query(k stdParam, description string, s *oaSchema) *oaParameter {
	return &oaParameter{Name: p.names[k], In: "query", Description: description, Schema: s}
}

// list describes the standard parameter k, a comma-separated list.
func (p *Parser) list(k stdParam, description string, s *oaSchema) *oaParameter {
	prm := p.query(k, description, s)
	prm.Style, prm.Explode = "form", ptrTo(false)
	return prm
}

func (w *Writer[T]) perPageParam(l Limits) *oaParameter {
	s := &oaSchema{Type: "integer", Minimum: ptrTo[int64](1), Maximum: ptrTo[int64](maxPositive)}
	var b strings.Builder
	b.WriteString("The number of items per page.")
	if l.PerPage > 0 {
		s.Default = l.PerPage
		fmt.Fprintf(&b, " Default %d.", l.PerPage)
	}
	switch {
	case l.MaxPerPage > 0 && l.RejectOverMax:
		s.Maximum = ptrTo(int64(l.MaxPerPage))
		fmt.Fprintf(&b, " At most %d.", l.MaxPerPage)
	case l.MaxPerPage > 0:
		fmt.Fprintf(&b, " A larger value is taken as %d, the most a page holds.", l.MaxPerPage)
	}
	return w.parser.query(pPerPage, b.String(), s)
}

func (p *Parser) sortParam() *oaParameter {
	var keys []any
	var names []string
	for _, f := range p.schema.Fields() {
		if f.Sortable {
			keys = append(keys, f.Name, "-"+f.Name)
			names = append(names, "`"+f.Name+"`")
		}
	}
	var def []any
	var defText []string
	for _, k := range p.schema.DefaultSort() {
		t := k.Field
		if k.Dir == paginate.Desc {
			t = "-" + t
		}
		def, defText = append(def, t), append(defText, t)
	}
	example := "-" + strings.Trim(names[0], "`")
	if len(names) > 1 {
		example += "," + strings.Trim(names[1], "`")
	}
	description := fmt.Sprintf("The order of the items: comma-separated sortable fields, each prefixed with - for descending, such as `%s`. The sortable fields are %s; the key field, `%s`, breaks ties. Default `%s`.",
		example, strings.Join(names, ", "), p.schema.Key().Name, strings.Join(defText, ","))
	return p.list(pSort, description, &oaSchema{
		Type:        "array",
		Items:       &oaSchema{Type: "string", Enum: keys},
		MinItems:    ptrTo(1),
		MaxItems:    ptrTo(len(names)),
		UniqueItems: true,
		Default:     def,
	})
}

func (p *Parser) fieldsParam() *oaParameter {
	var names []any
	for _, f := range p.schema.Fields() {
		names = append(names, f.Name)
	}
	return p.list(pFields, "The fields each item holds, comma-separated: a sparse fieldset. Without it, items hold every field.", &oaSchema{
		Type:        "array",
		Items:       &oaSchema{Type: "string", Enum: names},
		MinItems:    ptrTo(1),
		MaxItems:    ptrTo(len(names)),
		UniqueItems: true,
	})
}

// relationParams describes the include parameter and each relation's
// fields parameter, when the schema declares relations.
func (p *Parser) relationParams() []*oaParameter {
	rels := p.schema.Relations()
	if len(rels) == 0 {
		return nil
	}
	var names []any
	var text []string
	for _, r := range rels {
		names = append(names, r.Name)
		text = append(text, "`"+r.Name+"`")
	}
	ps := []*oaParameter{p.list(pInclude, "The relations whose rows each item holds, comma-separated: "+strings.Join(text, ", ")+". Each is a member of the item named like the relation: a belongs-to relation's row, or null; a has-many relation's rows, an array, empty when there are none. Without it, items hold no relation.", &oaSchema{
		Type:        "array",
		Items:       &oaSchema{Type: "string", Enum: names},
		MinItems:    ptrTo(1),
		MaxItems:    ptrTo(len(names)),
		UniqueItems: true,
	})}
	for _, r := range rels {
		var fields []any
		for _, f := range r.Fields {
			fields = append(fields, f.Name)
		}
		prm := &oaParameter{
			Name: p.names[pFields] + "[" + r.Name + "]", In: "query", Style: "form", Explode: ptrTo(false),
			Description: "The fields each `" + r.Name + "` row holds, comma-separated; only with `" + r.Name + "` in " + p.names[pInclude] + ". Without it, the rows hold every field.",
			Schema:      &oaSchema{Type: "array", Items: &oaSchema{Type: "string", Enum: fields}, MinItems: ptrTo(1), MaxItems: ptrTo(len(fields)), UniqueItems: true},
		}
		if r.Kind == paginate.HasMany {
			prm.Description += fmt.Sprintf(" An item holds at most %d of them.", r.Limit)
		}
		ps = append(ps, prm)
	}
	return ps
}

// filterParam describes the parameter of the filter op on field f. It is
// the one place that knows how each operator is written and what it
// means: an operator the core adds is described by adding its case here.
func (p *Parser) filterParam(f paginate.Field, op paginate.Op) *oaParameter {
	name := paginate.Filter{Field: f.Name, Op: op}.Param()
	if _, std := p.byName[name]; std || p.ignore[name] {
		// A field named like a standard or ignored parameter is filtered
		// with [eq].
		name = f.Name + "[" + op.String() + "]"
	}
	value := filterValueSchema(f.Type)
	prm := &oaParameter{Name: name, In: "query", Schema: value}
	var what string
	switch op {
	case paginate.Eq:
		what = "equals the value"
	case paginate.Ne:
		what = "differs from the value"
	case paginate.Lt:
		what = "is less than the value"
	case paginate.Lte:
		what = "is at most the value"
	case paginate.Gt:
		what = "is greater than the value"
	case paginate.Gte:
		what = "is at least the value"
	case paginate.In:
		what = fmt.Sprintf("equals one of the values, separated by commas (at most %d)", paginate.MaxInValues)
		prm.Style, prm.Explode = "form", ptrTo(false)
		prm.Schema = &oaSchema{Type: "array", Items: value, MinItems: ptrTo(1), MaxItems: ptrTo(paginate.MaxInValues)}
	case paginate.IsNull:
		prm.Schema = &oaSchema{Type: "boolean"}
		prm.Description = "Keeps the items whose `" + f.Name + "` is null (`true`) or is not null (`false`)."
		return prm
	case paginate.Prefix:
		what = "starts with the value, matched literally (`%` and `_` are not wildcards; case sensitivity follows the column's collation)"
	case paginate.Contains:
		what = "contains the value, matched literally (`%` and `_` are not wildcards)"
	default:
		what = "matches the value by the operator " + op.String()
	}
	prm.Description = "Keeps the items whose `" + f.Name + "` " + what + valueNote(f.Type) + "."
	if f.Nullable {
		prm.Description += " Items whose `" + f.Name + "` is null never match."
	}
	return prm
}

// filterValueSchema describes a filter value of type t, as a query string
// carries it.
func filterValueSchema(t paginate.Type) *oaSchema {
	switch t {
	case paginate.Int:
		return &oaSchema{Type: "integer", Format: "int64"}
	case paginate.Float:
		return &oaSchema{Type: "number", Format: "double"}
	case paginate.Bool:
		return &oaSchema{Type: "boolean"}
	case paginate.Time:
		return &oaSchema{AnyOf: []*oaSchema{{Type: "string", Format: "date-time"}, {Type: "string", Format: "date"}}}
	case paginate.Bytes:
		return &oaSchema{Type: "string", Pattern: "^([0-9A-Fa-f]{2})+$"}
	case paginate.Decimal:
		return decimalSchema()
	}
	return &oaSchema{Type: "string", MinLength: ptrTo(1)}
}

// valueNote says how a filter value of type t is written, when its
// schema alone does not.
func valueNote(t paginate.Type) string {
	switch t {
	case paginate.Time:
		return " (an RFC 3339 time, or a date: midnight UTC)"
	case paginate.Bytes:
		return " (in hexadecimal)"
	case paginate.Decimal:
		return " (a decimal number, such as 12.50)"
	case paginate.Float:
		return " (a finite number)"
	}
	return ""
}

func decimalSchema() *oaSchema {
	return &oaSchema{Type: "string", Pattern: `^[-+]?[0-9]+(\.[0-9]+)?$`, MaxLength: ptrTo(102)}
}

// responses describes the responses of the endpoint: its pages, its
// problems, and 304 when it is conditional.
func (w *Writer[T]) responses(op Operation, items *oaSchema) map[string]*oaResponse {
	problem := func(description string) *oaResponse {
		return &oaResponse{Description: description, Content: map[string]oaMedia{ProblemContentType: {Schema: ref(problemSchemaName)}}}
	}
	headers := map[string]*oaHeader{
		"Link": {
			Description: "RFC 8288 links to the first, prev, next and last pages, those that exist: the URLs of the envelope's links.",
			Schema:      &oaSchema{Type: "string"},
		},
		"X-Total-Count": {
			Description: "The number of matching items, when counted exactly.",
			Schema:      &oaSchema{Type: "integer", Minimum: ptrTo[int64](0)},
		},
	}
	rs := map[string]*oaResponse{
		"200": {Description: "A page of items.", Headers: headers, Content: map[string]oaMedia{"application/json": {Schema: w.envelopeSchema(items, op.Limits)}}},
		"400": problem("Invalid query parameters: invalid_params names each one as the client wrote it, with the reason."),
		"500": problem("The server failed to answer."),
		"503": problem("The server took too long to answer; try again later."),
	}
	if op.Conditional {
		etag := &oaHeader{Description: "The page's entity tag, for If-None-Match.", Schema: &oaSchema{Type: "string"}}
		headers["ETag"] = etag
		rs["304"] = &oaResponse{Description: "Not Modified: the page still has an ETag that If-None-Match named.", Headers: map[string]*oaHeader{"ETag": etag}}
	}
	if w.parser.cfg.Mode == OffsetMode && op.Limits.Strict {
		rs["404"] = problem("The page is past the last page.")
	}
	return rs
}

// envelopeSchema describes the envelope of a page, in its configured
// keys, holding items.
func (w *Writer[T]) envelopeSchema(items *oaSchema, l Limits) *oaSchema {
	count := func(description string) *oaSchema {
		return &oaSchema{Type: "integer", Minimum: ptrTo[int64](0), Description: description}
	}
	boolean := func(description string) *oaSchema { return &oaSchema{Type: "boolean", Description: description} }
	perPage := &oaSchema{Type: "integer", Minimum: ptrTo[int64](1), Description: "The page size: the number of items a full page holds."}
	if l.MaxPerPage > 0 {
		perPage.Maximum = ptrTo(int64(l.MaxPerPage))
	}
	if w.items.ptr {
		items = &oaSchema{OneOf: []*oaSchema{items, {Type: "null"}}}
	}
	type entry struct {
		k        envKey
		s        *oaSchema
		required bool
	}
	list := []entry{{kTotal, count("The number of matching items, when counted."), false}}
	if w.parser.cfg.Mode == OffsetMode {
		list = append(list, entry{kPage, &oaSchema{Type: "integer", Minimum: ptrTo[int64](1), Description: "The page number."}, true})
	}
	list = append(list,
		entry{kPerPage, perPage, true},
		entry{kPages, count("The number of pages, when counted."), false},
		entry{kTotalCapped, boolean("Present and true when the total is a lower bound: counting stopped there."), false},
		entry{kTotalEstimated, boolean("Present and true when the total is the database's estimate."), false},
		entry{kHasNext, boolean("Whether a next page exists."), true},
		entry{kHasPrev, boolean("Whether a previous page exists."), true})
	if w.parser.cfg.Mode == OffsetMode {
		page := func(description string) *oaSchema {
			return &oaSchema{Type: []string{"integer", "null"}, Minimum: ptrTo[int64](1), Description: description}
		}
		list = append(list,
			entry{kNextPage, page("The next page's number, or null."), true},
			entry{kPrevPage, page("The previous page's number, or null; past the end, the last page's."), true})
	} else {
		cursor := func(description string) *oaSchema {
			return &oaSchema{Type: []string{"string", "null"}, MinLength: ptrTo(1), Description: description}
		}
		list = append(list,
			entry{kNextCursor, cursor("The cursor of the next page, for " + w.parser.names[pAfter] + "; null when there is none."), true},
			entry{kPrevCursor, cursor("The cursor of the previous page, for " + w.parser.names[pBefore] + "; null when there is none."), true})
	}
	list = append(list,
		entry{kLinks, linksSchema(), true},
		entry{kItems, &oaSchema{Type: "array", Items: items}, true})
	env := &oaSchema{Type: "object"}
	for _, e := range list {
		name := w.keys.name(e.k)
		if name == "" {
			continue
		}
		env.Properties = append(env.Properties, member{name, e.s})
		if e.required {
			env.Required = append(env.Required, name)
		}
	}
	return env
}

func linksSchema() *oaSchema {
	s := &oaSchema{
		Type:                 "object",
		Description:          "The absolute URLs of the pages around this one, null where there is none: the URLs of the Link header.",
		AdditionalProperties: ptrTo(false),
	}
	for _, rel := range []string{"first", "prev", "next", "last"} {
		s.Properties = append(s.Properties, member{rel, &oaSchema{Type: []string{"string", "null"}, Format: "uri"}})
		s.Required = append(s.Required, rel)
	}
	return s
}

// problemSchema describes a [Problem].
func problemSchema() *oaSchema {
	text := func(description string) *oaSchema { return &oaSchema{Type: "string", Description: description} }
	param := &oaSchema{
		Type: "object",
		Properties: members{
			{"name", text("The query parameter as the client wrote it.")},
			{"reason", text("What is wrong with it.")},
		},
		Required: []string{"name", "reason"},
	}
	return &oaSchema{
		Type:        "object",
		Description: "RFC 9457 problem details.",
		Properties: members{
			{"type", &oaSchema{Type: "string", Format: "uri-reference", Description: "The problem type; about:blank when the status says enough."}},
			{"title", text("The status's reason phrase.")},
			{"status", &oaSchema{Type: "integer", Minimum: ptrTo[int64](400), Maximum: ptrTo[int64](599)}},
			{"detail", text("What went wrong with this request.")},
			{"invalid_params", &oaSchema{Type: "array", Items: param, MaxItems: ptrTo(MaxInvalidParams),
				Description: "The invalid query parameters, in a 400 (at most " + strconv.Itoa(MaxInvalidParams) + "; detail counts them all)."}},
		},
		Required: []string{"type", "title", "status", "detail"},
	}
}

// schema describes an item: for struct items, an object of the declared
// fields under the keys encoding/json gives them, typed by their Go types
// (and formatted by their declared types); for map items, the declared
// fields by their declared types; any value otherwise. No member is
// required, since a fields parameter or omitempty may leave it out.
func (e *itemEncoder) schema(s *paginate.Schema) *oaSchema {
	obj := &oaSchema{Type: "object", Description: "An item: its declared fields, or those the fields parameter names."}
	switch e.kind {
	case structItems:
		declared := make(map[int]paginate.Field)
		for _, f := range s.Fields() {
			if i, ok := e.bySchema[f.Name]; ok {
				if _, dup := declared[i]; !dup {
					declared[i] = f
				}
			}
		}
		for i, jf := range e.fields {
			if f, ok := declared[i]; ok {
				obj.Properties = append(obj.Properties, member{jf.name, goSchema(jf.typ, jf.quoted, f.Type)})
			}
		}
		for _, r := range e.rels {
			obj.Properties = append(obj.Properties, member{e.fields[r.field].name, r.schema()})
		}
		return obj
	case mapItems:
		for _, f := range s.Fields() {
			v := declaredSchema(f.Type)
			if f.Nullable {
				v = orNull(v)
			}
			obj.Properties = append(obj.Properties, member{f.Name, v})
		}
		return obj
	}
	return &oaSchema{Description: "An item, as the application encodes it."}
}

// goSchema describes what encoding/json writes for a struct field of
// type t (quoted: with the string option), as the writer writes it (a
// NaN or an infinity as a string), whose declared type is decl.
func goSchema(t reflect.Type, quoted bool, decl paginate.Type) *oaSchema {
	nullable := false
	for t.Kind() == reflect.Pointer && t.Name() == "" && !marshals(t) {
		nullable, t = true, t.Elem()
	}
	s := goValueSchema(t, quoted, decl)
	if nullable {
		return orNull(s)
	}
	return s
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// goValueSchema is goSchema for a type that is not an unnamed pointer.
func goValueSchema(t reflect.Type, quoted bool, decl paginate.Type) *oaSchema {
	implements := func(m reflect.Type) bool { return t.Implements(m) || reflect.PointerTo(t).Implements(m) }
	switch {
	case t == timeType:
		return &oaSchema{Type: "string", Format: "date-time"}
	case implements(jsonMarshalerType):
		return &oaSchema{Description: "Written by the type's own MarshalJSON."}
	case implements(textMarshalerType):
		return &oaSchema{Type: "string"}
	}
	return kindSchema(t, quoted, decl)
}

// kindSchema is goValueSchema for a type without a marshaler, by its kind.
func kindSchema(t reflect.Type, quoted bool, decl paginate.Type) *oaSchema {
	k := t.Kind()
	switch {
	case k == reflect.Bool:
		return scalarSchema("boolean", quoted)
	case k >= reflect.Int && k <= reflect.Int64:
		s := scalarSchema("integer", quoted)
		if !quoted {
			s.Format = intFormat(t.Bits())
		}
		return s
	case k >= reflect.Uint && k <= reflect.Uintptr:
		s := scalarSchema("integer", quoted)
		if !quoted {
			s.Minimum = ptrTo[int64](0)
		}
		return s
	case k == reflect.Float32 || k == reflect.Float64:
		if quoted {
			return &oaSchema{Type: "string"}
		}
		return floatSchema(k == reflect.Float32)
	case k == reflect.String:
		if quoted || decl != paginate.Time && decl != paginate.Decimal {
			return &oaSchema{Type: "string"}
		}
		return declaredSchema(decl)
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !marshals(t.Elem()):
		return orNull(&oaSchema{Type: "string", ContentEncoding: "base64"})
	case k == reflect.Slice:
		return orNull(&oaSchema{Type: "array"})
	case k == reflect.Array:
		return &oaSchema{Type: "array"}
	case k == reflect.Map:
		return orNull(&oaSchema{Type: "object"})
	case k == reflect.Struct:
		return &oaSchema{Type: "object"}
	}
	return &oaSchema{}
}

// intFormat is the OpenAPI format of a signed integer of bits bits.
func intFormat(bits int) string {
	if bits == 32 {
		return "int32"
	}
	if bits == 64 {
		return "int64"
	}
	return ""
}

// scalarSchema is a schema of JSON type typ, or of a string when the
// field has the string option.
func scalarSchema(typ string, quoted bool) *oaSchema {
	if quoted {
		return &oaSchema{Type: "string"}
	}
	return &oaSchema{Type: typ}
}

// floatSchema describes a float as the writer writes it: a number, or
// one of the strings a NaN or an infinity becomes.
func floatSchema(single bool) *oaSchema {
	format := "double"
	if single {
		format = "float"
	}
	return &oaSchema{OneOf: []*oaSchema{
		{Type: "number", Format: format},
		{Type: "string", Enum: []any{"NaN", "Infinity", "-Infinity"}},
	}}
}

// declaredSchema describes a value of declared type t as encoding/json
// writes the Go value a backend gives for it.
func declaredSchema(t paginate.Type) *oaSchema {
	switch t {
	case paginate.Int:
		return &oaSchema{Type: "integer", Format: "int64"}
	case paginate.Float:
		return floatSchema(false)
	case paginate.Bool:
		return &oaSchema{Type: "boolean"}
	case paginate.Time:
		return &oaSchema{Type: "string", Format: "date-time"}
	case paginate.Bytes:
		return &oaSchema{Type: "string", ContentEncoding: "base64"}
	case paginate.Decimal:
		return decimalSchema()
	}
	return &oaSchema{Type: "string"}
}

// orNull returns s allowing null too.
func orNull(s *oaSchema) *oaSchema {
	switch t := s.Type.(type) {
	case string:
		c := *s
		c.Type = []string{t, "null"}
		return &c
	case nil:
		switch {
		case s.Ref == "" && s.OneOf == nil && s.AnyOf == nil:
			return s // any value, null too
		case s.Ref == "" && s.OneOf != nil:
			c := *s
			c.OneOf = append(s.OneOf[:len(s.OneOf):len(s.OneOf)], &oaSchema{Type: "null"})
			return &c
		}
	}
	return &oaSchema{OneOf: []*oaSchema{s, {Type: "null"}}}
}

// name returns key k's name, or "" when it is left out.
func (ks *envelopeKeys) name(k envKey) string {
	enc := ks[k]
	if enc == nil {
		return ""
	}
	var n string
	if err := json.Unmarshal(enc[:len(enc)-1], &n); err != nil {
		return ""
	}
	return n
}
