package sql

import (
	"context"
	"fmt"

	"github.com/Masterminds/squirrel"

	"github.com/go-paginate/paginate"
)

// compileCount compiles the COUNT of a query's filters. A plain base is
// counted in place, SELECT COUNT(*) FROM ... WHERE ...; a base with
// DISTINCT, GROUP BY or HAVING is counted over a subquery that selects
// every schema field, so that the count is of the rows a page would hold.
// The base's suffixes are left out: they belong to the page query.
func (c *common) compileCount(q *paginate.Query) (*shape, error) {
	where, err := c.filters(q)
	if err != nil {
		return nil, err
	}
	var sb squirrel.SelectBuilder
	if c.wrap {
		list := make([]string, len(c.fields))
		for i, f := range c.fields {
			list[i] = f.ColumnName() + " AS " + c.dialect.quote(f.Name)
		}
		inner := c.base.Columns(list...)
		for _, w := range where {
			inner = inner.Where(w)
		}
		sb = squirrel.Select("COUNT(*)").FromSelect(inner, "t").PlaceholderFormat(c.dialect.placeholders())
	} else {
		sb = c.base.Columns("COUNT(*)")
		for _, w := range where {
			sb = sb.Where(w)
		}
	}
	plan, err := toPlan(sb)
	if err != nil {
		return nil, err
	}
	return &shape{stmts: []stmtPlan{plan}, maxArgs: len(plan.args)}, nil
}

// Count returns how many rows match q.Filters, ignoring its sort, position,
// fields and limits.
func (b *Backend[T]) Count(ctx context.Context, q paginate.Query) (int64, error) {
	s, err := b.c.lookup('C', &q)
	if err != nil {
		return 0, err
	}
	p := &s.stmts[0]
	args := b.c.dialect.bindArgs(make([]any, 0, s.maxArgs), p, &q, 0, 0)
	rows, release, err := b.query(ctx, p.sql, args)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: count: %w", err)
	}
	defer release()
	defer rows.Close()
	var n int64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: count: %w", err)
	}
	return n, nil
}
