package graph

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/examples/graphql/graph/model"
)

// The items field's arguments map onto the items schema's declaration
// (itemsapi.Schema): a sort field's enum value is the declared field's
// name in upper case, a filter's input field is the declared name in
// camel case, and an operator's is the operator's name. The declaration
// checks every value; TestSchemaMatchesDeclaration checks that the
// GraphQL schema offers exactly what it declares.

// sortKeys maps the orderBy argument; nil keeps the default order.
func sortKeys(orderBy []*model.ItemOrder) []paginate.SortKey {
	if orderBy == nil {
		return nil
	}
	keys := make([]paginate.SortKey, len(orderBy))
	for i, o := range orderBy {
		keys[i] = paginate.SortKey{Field: strings.ToLower(string(o.Field))}
		if o.Direction == model.SortDirectionDesc {
			keys[i].Dir = paginate.Desc
		}
	}
	return keys
}

// filters maps the filter argument. It also returns, for each filter's
// parameter name in the core's errors ("price[gte]"), the argument's path
// in the query ("filter.price.gte").
func filters(f *model.ItemFilter) ([]paginate.Filter, map[string]string) {
	var m filterMap
	if f == nil {
		return nil, nil
	}
	if n := f.Name; n != nil {
		add(&m, "name", "name", paginate.Prefix, n.Prefix)
		add(&m, "name", "name", paginate.Contains, n.Contains)
	}
	if n := f.SellerID; n != nil {
		add(&m, "sellerId", "seller_id", paginate.IsNull, n.Null)
	}
	if c := f.Category; c != nil {
		add(&m, "category", "category", paginate.Eq, c.Eq)
		add(&m, "category", "category", paginate.Ne, c.Ne)
		if c.In != nil {
			vals := make([]any, len(c.In))
			for i, v := range c.In {
				vals[i] = v
			}
			m.add("category", "category", paginate.In, vals)
		}
	}
	if p := f.Price; p != nil {
		for _, c := range []struct {
			op paginate.Op
			v  *int
		}{{paginate.Eq, p.Eq}, {paginate.Lt, p.Lt}, {paginate.Lte, p.Lte}, {paginate.Gt, p.Gt}, {paginate.Gte, p.Gte}} {
			add(&m, "price", "price", c.op, c.v)
		}
	}
	if t := f.CreatedAt; t != nil {
		for _, c := range []struct {
			op paginate.Op
			v  *time.Time
		}{{paginate.Eq, t.Eq}, {paginate.Lt, t.Lt}, {paginate.Lte, t.Lte}, {paginate.Gt, t.Gt}, {paginate.Gte, t.Gte}} {
			add(&m, "createdAt", "created_at", c.op, c.v)
		}
	}
	return m.filters, m.paths
}

// filterMap collects filters and their arguments' paths.
type filterMap struct {
	filters []paginate.Filter
	paths   map[string]string
}

func (m *filterMap) add(arg, field string, op paginate.Op, vals []any) {
	f := paginate.Filter{Field: field, Op: op, Values: vals}
	m.filters = append(m.filters, f)
	if m.paths == nil {
		m.paths = make(map[string]string)
	}
	m.paths[f.Param()] = "filter." + arg + "." + op.String()
}

// add adds a filter with the one value v, when v is given.
func add[V any](m *filterMap, arg, field string, op paginate.Op, v *V) {
	if v != nil {
		m.add(arg, field, op, []any{*v})
	}
}

// reportError turns err from relay.Paginate into the query's errors: one
// GraphQL error per bad argument, naming it in its message and in the
// extensions "argument" and "reason", with the code BAD_USER_INPUT. Any
// other error is logged and reported without its text, which may hold
// SQL or driver messages.
func reportError(ctx context.Context, err error, paths map[string]string, log *slog.Logger) error {
	var re *paginate.RequestError
	if !errors.As(err, &re) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if log != nil {
			log.ErrorContext(ctx, "items", "err", err)
		}
		return errors.New("internal error")
	}
	for _, p := range re.Params {
		arg := p.Param
		switch {
		case arg == "sort":
			arg = "orderBy"
		case paths[arg] != "":
			arg = paths[arg]
		}
		graphql.AddError(ctx, &gqlerror.Error{
			Message: "argument " + arg + ": " + p.Reason,
			Path:    graphql.GetPath(ctx),
			Extensions: map[string]any{
				"code":     "BAD_USER_INPUT",
				"argument": arg,
				"reason":   p.Reason,
			},
		})
	}
	return nil
}
