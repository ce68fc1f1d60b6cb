package httpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// OpenAPI is an OpenAPI 3.1 document describing paginated endpoints,
// generated from the declarations that parse and write their requests:
// each endpoint's query parameters (in their configured names, with the
// sortable, filterable and selectable fields, their types and operators),
// its envelope (in its configured keys) with its items (the declared
// fields under their JSON keys), its headers, and its RFC 9457 problems.
// Build one with [NewOpenAPI], describe each endpoint with [OpenAPI.Add],
// and write it with [OpenAPI.MarshalJSON] or serve it with
// [OpenAPI.Handler]. The same endpoints always give the same bytes.
//
// An OpenAPI is not safe for concurrent use while endpoints are added.
type OpenAPI struct {
	info    OpenAPIInfo
	paths   map[string]*oaOperation
	ids     map[string]bool
	schemas map[string]*oaSchema
}

// OpenAPIInfo is the document's info object.
type OpenAPIInfo struct {
	// Title is the API's name. Required.
	Title string
	// Version is the version of the API, not of OpenAPI. Required.
	Version string
	// Description describes the API, in CommonMark. If empty, none.
	Description string
}

// problemSchemaName is the component every endpoint's problems refer to.
const problemSchemaName = "Problem"

// NewOpenAPI returns a document, without endpoints yet, for the API info
// describes.
func NewOpenAPI(info OpenAPIInfo) (*OpenAPI, error) {
	if info.Title == "" || info.Version == "" {
		return nil, errors.New("httpadapter: an OpenAPI document needs a title and a version")
	}
	return &OpenAPI{
		info:    info,
		paths:   map[string]*oaOperation{},
		ids:     map[string]bool{},
		schemas: map[string]*oaSchema{problemSchemaName: problemSchema()},
	}, nil
}

// Operation is what an [OpenAPI] document says about an endpoint beyond
// what its declarations tell.
type Operation struct {
	// ID is the operationId, unique within the document. If empty, none.
	ID string
	// Summary is a short summary of the endpoint. If empty, none.
	Summary string
	// Description describes the endpoint, in CommonMark. If empty, none.
	Description string
	// Tags group the endpoint with others. If nil, none.
	Tags []string
	// ItemSchema, when set, names the item's schema under
	// components/schemas, so that endpoints serving the same items share
	// it (and generated clients name the type); endpoints that give the
	// same name must describe the same items. If empty, the item schema
	// is written inline. It cannot be "Problem", which names the problem
	// details.
	ItemSchema string
	// Conditional says the endpoint is wrapped in [Conditional]: it takes
	// If-None-Match, its pages carry an ETag, and it may answer 304.
	Conditional bool
	// Limits are the paginator's page sizes. The [Endpoint] that Handler
	// returns for a *paginate.Offset or *paginate.Keyset takes them from
	// the paginator and ignores these.
	Limits Limits
}

// Limits are a paginator's page sizes and strictness, as an [OpenAPI]
// document states them.
type Limits struct {
	// PerPage is the page size when a request names none. If zero, the
	// document states no default.
	PerPage int
	// MaxPerPage is the largest page size. If zero, the document states
	// no maximum.
	MaxPerPage int
	// RejectOverMax says a larger per_page is refused with 400 rather
	// than clamped to MaxPerPage.
	RejectOverMax bool
	// Strict says a page number past the last page is answered with 404
	// (offset mode).
	Strict bool
}

// Describer is an endpoint that can describe itself in an [OpenAPI]
// document: a *[Writer], or the [Endpoint] that [Handler] returns. Only
// this package's types implement it.
type Describer interface {
	// describe returns the endpoint's GET operation, and its item schema.
	describe(op Operation) (*oaOperation, *oaSchema)
}

// Endpoint is the http.Handler that [Handler] returns, which can also
// describe itself in an [OpenAPI] document, with the page sizes of its
// paginator when that is a *paginate.Offset or *paginate.Keyset. Describe
// the endpoint itself, not a handler wrapping it in middleware.
type Endpoint interface {
	http.Handler
	Describer
}

// componentName is what a components/schemas name may hold.
var componentName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// Add describes the GET operation of the endpoint e serves at path (such
// as "/api/items"), with what op adds. It refuses a path that does not
// start with "/", holds a template, a query or a fragment, or was added
// before; an ID used before; and an ItemSchema that is no valid component
// name or that names different items than before.
func (d *OpenAPI) Add(path string, e Describer, op Operation) error {
	switch {
	case e == nil:
		return errors.New("httpadapter: OpenAPI.Add needs an endpoint")
	case !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "{}?#"):
		return fmt.Errorf("httpadapter: OpenAPI path %q must start with / and hold no template, query or fragment", path)
	case d.paths[path] != nil:
		return fmt.Errorf("httpadapter: OpenAPI path %q added twice", path)
	case op.ID != "" && d.ids[op.ID]:
		return fmt.Errorf("httpadapter: operation ID %q used twice", op.ID)
	case op.ItemSchema != "" && (!componentName.MatchString(op.ItemSchema) || op.ItemSchema == problemSchemaName):
		return fmt.Errorf("httpadapter: %q cannot name an item schema", op.ItemSchema)
	}
	o, item := e.describe(op)
	if op.ItemSchema != "" {
		if have, ok := d.schemas[op.ItemSchema]; ok && !sameJSON(have, item) {
			return fmt.Errorf("httpadapter: item schema %q describes other items at %s than before", op.ItemSchema, path)
		}
		d.schemas[op.ItemSchema] = item
	}
	d.paths[path] = o
	if op.ID != "" {
		d.ids[op.ID] = true
	}
	return nil
}

// sameJSON reports whether a and b encode alike.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// MarshalJSON returns the document as JSON: objects whose members have an
// order of their own (parameters, properties) keep it, and the others
// (paths, responses, components) have their keys sorted.
func (d *OpenAPI) MarshalJSON() ([]byte, error) {
	doc := oaDocument{
		OpenAPI:    "3.1.0",
		Info:       oaInfo{Title: d.info.Title, Version: d.info.Version, Description: d.info.Description},
		Paths:      make(map[string]oaPathItem, len(d.paths)),
		Components: oaComponents{Schemas: d.schemas},
	}
	for p, o := range d.paths {
		doc.Paths[p] = oaPathItem{Get: o}
	}
	return marshalText(doc)
}

// marshalText is json.Marshal without escaping <, > and &, which the
// document's descriptions and URLs hold.
func marshalText(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Handler returns a handler that serves the document as it is now,
// indented, as application/json, to GET and HEAD requests (other methods
// get 405). Endpoints added later are not served.
func (d *OpenAPI) Handler() (http.Handler, error) {
	compact, err := d.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	body := b.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			WriteProblem(w, newProblem(http.StatusMethodNotAllowed, "Use GET or HEAD."))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}), nil
}

// The document's objects, as OpenAPI 3.1 spells them.
type (
	oaDocument struct {
		OpenAPI    string                `json:"openapi"`
		Info       oaInfo                `json:"info"`
		Paths      map[string]oaPathItem `json:"paths"`
		Components oaComponents          `json:"components"`
	}
	oaInfo struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description,omitempty"`
	}
	oaPathItem struct {
		Get *oaOperation `json:"get"`
	}
	oaComponents struct {
		Schemas map[string]*oaSchema `json:"schemas"`
	}
	oaOperation struct {
		Tags        []string               `json:"tags,omitempty"`
		Summary     string                 `json:"summary,omitempty"`
		Description string                 `json:"description,omitempty"`
		OperationID string                 `json:"operationId,omitempty"`
		Parameters  []*oaParameter         `json:"parameters"`
		Responses   map[string]*oaResponse `json:"responses"`
	}
	oaParameter struct {
		Name        string    `json:"name"`
		In          string    `json:"in"`
		Description string    `json:"description,omitempty"`
		Style       string    `json:"style,omitempty"`
		Explode     *bool     `json:"explode,omitempty"`
		Schema      *oaSchema `json:"schema"`
	}
	oaResponse struct {
		Description string               `json:"description"`
		Headers     map[string]*oaHeader `json:"headers,omitempty"`
		Content     map[string]oaMedia   `json:"content,omitempty"`
	}
	oaHeader struct {
		Description string    `json:"description,omitempty"`
		Schema      *oaSchema `json:"schema"`
	}
	oaMedia struct {
		Schema *oaSchema `json:"schema"`
	}
)

// oaSchema is a JSON Schema (2020-12) of the subset the documents use. The
// zero oaSchema is {}, which any value satisfies.
type oaSchema struct {
	Ref                  string      `json:"$ref,omitempty"`
	Type                 any         `json:"type,omitempty"` // a string, or []string with "null"
	Format               string      `json:"format,omitempty"`
	ContentEncoding      string      `json:"contentEncoding,omitempty"`
	Description          string      `json:"description,omitempty"`
	Enum                 []any       `json:"enum,omitempty"`
	Pattern              string      `json:"pattern,omitempty"`
	Minimum              *int64      `json:"minimum,omitempty"`
	Maximum              *int64      `json:"maximum,omitempty"`
	MinLength            *int        `json:"minLength,omitempty"`
	MaxLength            *int        `json:"maxLength,omitempty"`
	Items                *oaSchema   `json:"items,omitempty"`
	MinItems             *int        `json:"minItems,omitempty"`
	MaxItems             *int        `json:"maxItems,omitempty"`
	UniqueItems          bool        `json:"uniqueItems,omitempty"`
	Properties           members     `json:"properties,omitempty"`
	Required             []string    `json:"required,omitempty"`
	AdditionalProperties *bool       `json:"additionalProperties,omitempty"`
	OneOf                []*oaSchema `json:"oneOf,omitempty"`
	AnyOf                []*oaSchema `json:"anyOf,omitempty"`
	Default              any         `json:"default,omitempty"`
}

// members are a JSON object's members in their own order.
type members []member

type member struct {
	name   string
	schema *oaSchema
}

// MarshalJSON writes the members as an object, in order.
func (ms members) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := marshalText(m.name)
		if err != nil {
			return nil, err
		}
		v, err := marshalText(m.schema)
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ref refers to the component schema named name.
func ref(name string) *oaSchema { return &oaSchema{Ref: "#/components/schemas/" + name} }

func ptrTo[V any](v V) *V { return &v }
