package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/Masterminds/squirrel"

	"github.com/go-paginate/paginate"
)

// compileCount compiles a count of a query's filters: 'C' the exact
// count, 'M' a count of at most a limit of rows, 'E' the statement whose
// plan estimates the count. A plain base is counted in place, SELECT
// COUNT(*) FROM ... WHERE ...; a base with DISTINCT, GROUP BY or HAVING is
// counted over a subquery that selects every schema field, so that the
// count is of the rows a page would hold. The base's suffixes are left
// out: they belong to the page query.
func (c *common) compileCount(q *paginate.Query, what byte) (*shape, error) {
	where, err := c.filters(q)
	if err != nil {
		return nil, err
	}
	var sb squirrel.SelectBuilder
	if c.wrap || what == 'M' || what == 'E' {
		var inner squirrel.SelectBuilder
		if c.wrap {
			list := make([]string, len(c.fields))
			for i, f := range c.fields {
				list[i] = f.ColumnName() + " AS " + c.dialect.quote(f.Name)
			}
			inner = c.base.Columns(list...)
		} else {
			inner = c.base.Columns("1")
		}
		for _, w := range where {
			inner = inner.Where(w)
		}
		switch what {
		case 'E':
			sb = inner
		case 'M':
			inner = inner.Suffix("LIMIT ?", slot{kind: argLimit})
			fallthrough
		default:
			sb = squirrel.Select("COUNT(*)").FromSelect(inner, "t").PlaceholderFormat(c.dialect.placeholders())
		}
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
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return 0, err
	}
	n, err := b.count(ctx, 'C', &q, 0)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: count: %w", err)
	}
	return n, nil
}

// CountAtMost returns how many rows match q.Filters, or limit when at
// least limit rows do, counting over a subquery limited to limit rows so
// that the database stops there. It implements [paginate.AtMostCounter].
func (b *Backend[T]) CountAtMost(ctx context.Context, q paginate.Query, limit int64) (int64, error) {
	if limit <= 0 {
		return 0, nil
	}
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return 0, err
	}
	n, err := b.count(ctx, 'M', &q, limit)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: count: %w", err)
	}
	return n, nil
}

func (b *Backend[T]) count(ctx context.Context, what byte, q *paginate.Query, limit int64) (int64, error) {
	s, err := b.c.lookup(what, q)
	if err != nil {
		return 0, err
	}
	p := &s.stmts[0]
	args := b.c.bindArgs(make([]any, 0, s.maxArgs), p, q, limit, 0)
	rows, release, err := b.query(ctx, p.sql, args)
	if err != nil {
		return 0, err
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
	return n, err
}

// EstimateCount returns the planner's estimate of how many rows match
// q.Filters: the row estimate of EXPLAIN on PostgreSQL, where it comes
// from the table statistics ANALYZE keeps. On SQLite and MySQL/MariaDB it
// returns an error wrapping errors.ErrUnsupported. It implements
// [paginate.Estimator].
func (b *Backend[T]) EstimateCount(ctx context.Context, q paginate.Query) (int64, error) {
	if b.c.dialect != PostgreSQL {
		return 0, fmt.Errorf("paginate/sql: estimate: %w on %s", errors.ErrUnsupported, b.c.dialect)
	}
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return 0, err
	}
	s, err := b.c.lookup('E', &q)
	if err != nil {
		return 0, err
	}
	p := &s.stmts[0]
	args := b.c.bindArgs(nil, p, &q, 0, 0)
	plan, err := b.explain(ctx, p.sql, args)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: estimate: %w", err)
	}
	var doc []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan.Raw), &doc); err != nil || len(doc) == 0 {
		return 0, fmt.Errorf("paginate/sql: estimate: reading plan: %v", err)
	}
	return int64(doc[0].Plan.Rows), nil
}
