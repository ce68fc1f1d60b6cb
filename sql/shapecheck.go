package sql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/singleflight"

	"github.com/go-paginate/paginate"
)

// ShapeCheckConfig configures a [ShapeCheck]. Its zero value is usable.
type ShapeCheckConfig struct {
	// CacheSize is how many shapes keep their verdict; a shape evicted
	// from the cache is explained again when it comes back. If zero, 1024.
	CacheSize int
	// Timeout bounds the statements that decide one shape: reading two
	// sample rows (once) and explaining the shape's pages. They run under
	// a context of their own, with the values but not the deadline or
	// cancellation of the request that asked first, so that a client
	// going away does not fail the others waiting for the same shape. If
	// zero, 10 seconds.
	Timeout time.Duration
}

// ShapeCheck is a [paginate.ShapePolicy] that allows the request shapes
// an index serves, as the database's own plans say. Build it with
// [NewShapeCheck] and put it in the paginators' configs (Shapes); it is
// safe for concurrent use, and one check may serve both paginators of a
// backend.
//
// The first time a shape is asked about, the check runs EXPLAIN (as
// [Backend.Explain] does) on the statements of its pages: the first page,
// and for a keyset paginator's shape also a page after a position, the
// last page and a page before a position. Each is explained for a page of
// one row, which asks the planner for the plan that returns the first row
// soonest: one that reads an index in order, when an index serves the
// shape, even on a table so small that a page of many rows is cheaper to
// sort (as it is at run time there). PostgreSQL reads a small table whole
// even for one row, so there the pages are explained in a read-only
// transaction with sequential scans and sorts discouraged (when the
// backend's handle begins transactions, as *sqlx.DB does).
//
// The shape is served when, in every plan, the database reads rows in
// index order (no sort, not even of groups, and no full table scan),
// enters the first table through an index condition that holds every
// filtered column, and, from a position, seeks to it: the leading sort
// column not fixed by an eq filter is in the index condition. Then a page
// reads about as many rows as it returns, whatever the values. A filter
// checked row by row against an index read in order, which can read the
// whole table to fill one page, is not served.
//
// The verdict is cached by shape, so the statements run once per shape
// per process (again after eviction from the bounded cache); requests of
// one shape that arrive together share one check. A shape's values in the
// explained statements come from two rows of the base query (the first
// and the last by key), read once: planners choose by table statistics
// and values, so check against representative data. On an empty table
// each field's zero value is used.
//
// Offset pages of a served order still read the rows they skip: bound
// them with paginate.OffsetConfig.MaxOffset.
type ShapeCheck struct {
	b       shapeExplainer
	cfg     ShapeCheckConfig
	seed    maphash.Seed
	cache   *lru.Cache[uint64, *ShapeVerdict]
	flights singleflight.Group

	mu     sync.Mutex
	sample []map[string]any // two rows' values by field name; nil until read
}

var _ paginate.ShapePolicy = (*ShapeCheck)(nil)

// shapeExplainer is what a ShapeCheck needs of a [Backend].
type shapeExplainer interface {
	explainAll(ctx context.Context, qs []paginate.Query) ([]Report, error)
	sampleRows(ctx context.Context) ([]map[string]any, error)
	shared() *common
}

func (b *Backend[T]) shared() *common { return b.c }

// NewShapeCheck returns a check of the shapes b serves.
func NewShapeCheck[T any](b *Backend[T], cfg ShapeCheckConfig) (*ShapeCheck, error) {
	switch {
	case b == nil:
		return nil, errors.New("paginate/sql: NewShapeCheck needs a backend")
	case cfg.CacheSize < 0 || cfg.Timeout < 0:
		return nil, errors.New("paginate/sql: ShapeCheckConfig values must not be negative")
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 1024
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	c := &ShapeCheck{b: b, cfg: cfg, seed: maphash.MakeSeed()}
	c.cache, _ = lru.New[uint64, *ShapeVerdict](cfg.CacheSize)
	return c, nil
}

// ShapeVerdict is what a [ShapeCheck] found for one shape.
type ShapeVerdict struct {
	// Shape is the shape checked.
	Shape paginate.Shape
	// Served reports that an index serves every page of the shape.
	Served bool
	// Reasons say, when the shape is not served, what the database does
	// instead, page by page.
	Reasons []string
	// Index, when the shape is not served and one index could serve it,
	// is the statement that creates that index. The index may exist
	// already, unused by the planner (the Reasons say what it did
	// instead). It is empty when no single index can serve the shape;
	// then the last reason says why.
	Index string
	// Plans are the plans the verdict was made from.
	Plans []Plan

	key string // the shape's AppendKey, to tell hash collisions apart
}

// String summarizes the verdict on one line.
func (v ShapeVerdict) String() string {
	var b strings.Builder
	b.WriteString(v.Shape.String())
	if v.Shape.Keyset {
		b.WriteString(" (keyset)")
	}
	if v.Served {
		b.WriteString(": served by an index")
		return b.String()
	}
	b.WriteString(": NOT served by an index: ")
	b.WriteString(strings.Join(v.Reasons, "; "))
	if v.Index != "" {
		b.WriteString("; would be served by: ")
		b.WriteString(v.Index)
	}
	return b.String()
}

// Allow reports whether an index serves shape s. It implements
// [paginate.ShapePolicy].
func (c *ShapeCheck) Allow(ctx context.Context, s paginate.Shape) (bool, error) {
	v, err := c.verdict(ctx, s)
	if err != nil {
		return false, err
	}
	return v.Served, nil
}

// Check returns the verdict on shape s, explaining its pages the first
// time it is asked about.
func (c *ShapeCheck) Check(ctx context.Context, s paginate.Shape) (ShapeVerdict, error) {
	v, err := c.verdict(ctx, s)
	if err != nil {
		return ShapeVerdict{}, err
	}
	return *v, nil
}

// Report returns the verdict on each shape, in order: which orders and
// filter combinations an index serves on this database, which not, and
// the index that would serve each. It is meant for startup, over the
// shapes an endpoint offers, and fills the cache that requests use.
func (c *ShapeCheck) Report(ctx context.Context, shapes ...paginate.Shape) ([]ShapeVerdict, error) {
	out := make([]ShapeVerdict, 0, len(shapes))
	for _, s := range shapes {
		v, err := c.Check(ctx, s)
		if err != nil {
			return out, fmt.Errorf("paginate/sql: shape %s: %w", s, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// verdict returns the cached verdict on s or decides it, once for all the
// callers asking at the same time.
func (c *ShapeCheck) verdict(ctx context.Context, s paginate.Shape) (*ShapeVerdict, error) {
	var arr [256]byte
	key := s.AppendKey(arr[:0])
	h := maphash.Bytes(c.seed, key)
	if v, ok := c.cache.Get(h); ok && v.key == string(key) {
		return v, nil
	}
	skey := string(key)
	s = cloneShape(s)
	ch := c.flights.DoChan(skey, func() (any, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
		defer cancel()
		v, err := c.decide(dctx, s)
		if err != nil {
			return nil, err
		}
		v.key = skey
		c.cache.Add(h, v)
		return v, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*ShapeVerdict), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func cloneShape(s paginate.Shape) paginate.Shape {
	s.Sort = slices.Clone(s.Sort)
	s.Filters = slices.Clone(s.Filters)
	return s
}

// checkedPage is one page of a shape whose statements are explained.
type checkedPage struct {
	name string
	q    paginate.Query
}

// decide explains the pages of s and judges their plans.
func (c *ShapeCheck) decide(ctx context.Context, s paginate.Shape) (*ShapeVerdict, error) {
	sample, err := c.sampleValues(ctx)
	if err != nil {
		return nil, err
	}
	com := c.b.shared()
	v := &ShapeVerdict{Shape: s}
	pages := c.pages(s, sample)
	qs := make([]paginate.Query, len(pages))
	for i, pg := range pages {
		qs[i] = pg.q
	}
	reports, err := c.b.explainAll(ctx, qs)
	if err != nil {
		return nil, err
	}
	for i, r := range reports {
		for _, p := range r.Plans {
			v.Plans = append(v.Plans, p)
			for _, problem := range com.planProblems(p, &qs[i]) {
				v.Reasons = append(v.Reasons, pages[i].name+": "+problem)
			}
		}
	}
	v.Served = len(v.Reasons) == 0
	if !v.Served {
		table := ""
		if len(v.Plans) > 0 {
			table = v.Plans[0].Table
		}
		var why string
		if v.Index, why = com.suggestIndex(s, table); why != "" {
			v.Reasons = append(v.Reasons, why)
		}
	}
	return v, nil
}

// pages returns the pages of s whose statements decide it, with values
// from the sample rows: the first page; for a keyset shape also the page
// after a position, the last page (the first of the reversed order) and
// the page before a position. The position is the first sample row, and
// the filters all match it, since a planner sees through a position or a
// range that no row can match: eq takes its value, ne and in also another
// one (in two values, which a planner may otherwise read as eq), and a
// range bound lies just below or above it.
func (c *ShapeCheck) pages(s paginate.Shape, sample []map[string]any) []checkedPage {
	com := c.b.shared()
	filters := make([]paginate.Condition, len(s.Filters))
	for i, f := range s.Filters {
		field, _ := com.schema.Field(f.Field)
		a := sample[0][f.Field]
		var vals []any
		switch f.Op {
		case paginate.Ne:
			vals = []any{otherValue(field.Type, a, sample[1][f.Field])}
		case paginate.In:
			vals = []any{a, otherValue(field.Type, a, sample[1][f.Field])}
		case paginate.Gt, paginate.Gte:
			vals = []any{nextValue(field.Type, a, false)}
		case paginate.Lt, paginate.Lte:
			vals = []any{nextValue(field.Type, a, true)}
		case paginate.IsNull:
			vals = []any{a == nil}
		case paginate.Prefix, paginate.Contains:
			if x, ok := a.(string); ok && x != "" {
				vals = []any{x}
			} else {
				vals = []any{"a"}
			}
		default:
			vals = []any{a}
		}
		filters[i] = paginate.Condition{Field: field, Op: f.Op, Values: vals}
	}
	page := func(sort []paginate.Order, after bool) paginate.Query {
		q := paginate.Query{Sort: sort, Filters: filters, Limit: 1, Keys: s.Keyset}
		if after {
			q.After = make([]any, len(sort))
			for i, o := range sort {
				q.After[i] = sample[0][o.Field.Name]
			}
		}
		return q
	}
	out := []checkedPage{{"first page", page(s.Sort, false)}}
	if s.Keyset {
		rev := s.Reverse().Sort
		out = append(out,
			checkedPage{"page after a cursor", page(s.Sort, true)},
			checkedPage{"last page", page(rev, false)},
			checkedPage{"page before a cursor", page(rev, true)})
	}
	return out
}

// txBeginner is the optional method of a handle that begins a
// transaction, which *sqlx.DB has.
type txBeginner interface {
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

// explainAll explains the pages qs as the shape check does. On
// PostgreSQL, whose planner reads a small table whole and sorts it even
// for one row, it explains them in a read-only transaction with
// sequential scans and sorts discouraged (enable_seqscan, enable_sort
// and enable_incremental_sort off, for that transaction only), so that
// the plan shows an index that serves the page when one exists, as the
// planner uses it once the table is large; that needs a handle that
// begins transactions, such as *sqlx.DB.
func (b *Backend[T]) explainAll(ctx context.Context, qs []paginate.Query) ([]Report, error) {
	eb := b
	if beg, ok := b.db.(txBeginner); ok && b.c.dialect == PostgreSQL {
		tx, err := beg.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("paginate/sql: shape check: %w", err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off"); err != nil {
			return nil, fmt.Errorf("paginate/sql: shape check: %w", err)
		}
		eb = &Backend[T]{db: tx, c: b.c}
	}
	out := make([]Report, len(qs))
	for i, q := range qs {
		r, err := eb.Explain(ctx, q)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// sampleValues returns the values of two rows of the base, read the
// first time they are needed.
func (c *ShapeCheck) sampleValues(ctx context.Context) ([]map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sample != nil {
		return c.sample, nil
	}
	rows, err := c.b.sampleRows(ctx)
	if err != nil {
		return nil, fmt.Errorf("paginate/sql: shape check: reading sample rows: %w", err)
	}
	c.sample = rows
	return rows, nil
}

// sampleRows reads every schema field of the first and the last row of
// the base by key, as the driver returns them (text as a string), with
// each field's zero value for a NULL or when the base has no rows.
func (b *Backend[T]) sampleRows(ctx context.Context) ([]map[string]any, error) {
	out := make([]map[string]any, 2)
	for i, dir := range []string{" ASC", " DESC"} {
		m, err := b.sampleRow(ctx, dir)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// sampleRow reads the first row of the base in key order dir.
func (b *Backend[T]) sampleRow(ctx context.Context, dir string) (map[string]any, error) {
	c := b.c
	cols := make([]string, len(c.fields))
	for i, f := range c.fields {
		cols[i] = f.ColumnName()
	}
	tail := fragment{sql: " ORDER BY " + c.schema.Key().ColumnName() + dir + " LIMIT 1"}
	stmt, err := c.base.selectOver(strings.Join(cols, ", "), nil, tail, false).plan(c.dialect)
	if err != nil {
		return nil, err
	}
	args := c.bindArgs(nil, &stmt, &paginate.Query{}, 0, 0)
	rows, err := b.db.QueryContext(ctx, stmt.sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	found := rows.Next()
	if found {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	m := make(map[string]any, len(cols))
	for i, f := range c.fields {
		v := vals[i]
		switch x := v.(type) {
		case []byte:
			if f.Type != paginate.Bytes {
				v = string(x)
			}
		case int:
			v = int64(x)
		case int32:
			v = int64(x)
		case int16:
			v = int64(x)
		case float32:
			v = float64(x)
		}
		if !found || v == nil {
			v = zeroValue(f.Type)
		}
		m[f.Name] = v
	}
	return m, nil
}

// nextValue returns a value of type t just above a (or just below, when
// !up).
func nextValue(t paginate.Type, a any, up bool) any {
	step := int64(-1)
	if up {
		step = 1
	}
	switch x := a.(type) {
	case int64:
		return x + step
	case float64:
		return x + float64(step)
	case time.Time:
		return x.Add(time.Duration(step) * time.Second)
	case []byte:
		if up {
			return append(slices.Clip(x), 0xff)
		}
		return []byte{}
	case string:
		if t == paginate.Decimal {
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return strconv.FormatFloat(f+float64(step), 'f', -1, 64)
			}
			return x
		}
		if up {
			return x + "~"
		}
		return ""
	}
	return a
}

// otherValue returns b when it differs from a, else a value of type t
// that does.
func otherValue(t paginate.Type, a, b any) any {
	if fmt.Sprint(a) != fmt.Sprint(b) {
		return b
	}
	switch x := a.(type) {
	case int64:
		return x + 1
	case float64:
		return x + 1
	case bool:
		return !x
	case time.Time:
		return x.Add(time.Second)
	case []byte:
		return append(slices.Clip(x), 0)
	case string:
		if t == paginate.Decimal {
			return x + "1"
		}
		return x + "~"
	}
	return b
}

// zeroValue is a value of type t for a statement that only gets
// explained.
func zeroValue(t paginate.Type) any {
	switch t {
	case paginate.Int:
		return int64(0)
	case paginate.Float:
		return float64(0)
	case paginate.Bool:
		return false
	case paginate.Time:
		return time.Unix(0, 0).UTC()
	case paginate.Bytes:
		return []byte{}
	case paginate.Decimal:
		return "0"
	}
	return ""
}

// planProblems says what keeps plan p of page q from being served by an
// index, or nothing when it is.
func (c *common) planProblems(p Plan, q *paginate.Query) []string {
	var out []string
	if p.Sorted {
		out = append(out, "sorts every matching row ("+strings.Join(p.Notes, "; ")+")")
	}
	if p.GroupSorted {
		out = append(out, "sorts each group of rows that share the leading sort keys")
	}
	if p.FullScan {
		out = append(out, "reads a whole table")
	}
	fixed := map[string]bool{}
	for _, f := range q.Filters {
		if f.Op == paginate.Eq || f.Op == paginate.IsNull {
			fixed[f.Field.Name] = true
		}
		if !c.inIndexCond(p, f.Field) && !slices.Contains(out, filterProblem(f.Field)) {
			out = append(out, filterProblem(f.Field))
		}
	}
	if q.After != nil {
		for _, o := range q.Sort {
			if fixed[o.Field.Name] {
				continue
			}
			if !c.inIndexCond(p, o.Field) {
				out = append(out, fmt.Sprintf("does not seek to the position: reads %s from the start and skips the rows before it", o.Field.Name))
			}
			break
		}
	}
	return out
}

func filterProblem(f paginate.Field) string {
	return "checks the filter on " + f.Name + " row by row instead of seeking with it"
}

// inIndexCond reports whether the column of f appears in the condition p
// enters its first table by. An expression column is never found. SQLite
// names an INTEGER PRIMARY KEY "rowid", which stands for the schema's key.
func (c *common) inIndexCond(p Plan, f paginate.Field) bool {
	col := bareColumn(f.ColumnName())
	if col == "" || p.IndexCond == "" {
		return false
	}
	for _, id := range condIdentifiers(p.IndexCond) {
		if strings.EqualFold(id, col) || (c.dialect == SQLite && f.Key && strings.EqualFold(id, "rowid")) {
			return true
		}
	}
	return false
}

// bareColumn returns the column name of a plain or qualified column
// ("i.created_at", `"created_at"`), or "" for an expression.
func bareColumn(col string) string {
	parts := strings.Split(col, ".")
	name := strings.Trim(parts[len(parts)-1], "\"`")
	for _, p := range parts {
		if !isIdentifier(strings.Trim(p, "\"`")) {
			return ""
		}
	}
	return name
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !identByte(s[i]) || (i == 0 && s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

func identByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// condIdentifiers returns the identifiers of an index condition as a
// plan writes it, skipping string literals ('books') and PostgreSQL's
// type casts (::timestamp with time zone), whose words are not columns.
func condIdentifiers(cond string) []string {
	var out []string
	for i := 0; i < len(cond); {
		switch ch := cond[i]; {
		case ch == '\'':
			i++
			for i < len(cond) {
				if cond[i] == '\'' {
					if i+1 < len(cond) && cond[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case ch == ':' && strings.HasPrefix(cond[i:], "::"):
			i += 2
			for i < len(cond) && (identByte(cond[i]) || cond[i] == ' ') {
				i++
			}
		case identByte(ch) && (ch < '0' || ch > '9'):
			j := i
			for j < len(cond) && identByte(cond[j]) {
				j++
			}
			out = append(out, cond[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}

// suggestIndex returns a CREATE INDEX statement for an index that would
// serve s on table, or why none can: the columns filtered with eq (or
// null), then the sort columns in their directions (the first ascending;
// an index serves the reverse order too). A range, in or prefix filter is
// served only on the leading sort column that no eq filter fixes, and ne
// and contains by no index.
func (c *common) suggestIndex(s paginate.Shape, table string) (stmt, why string) {
	eq := map[string]bool{}
	for _, f := range s.Filters {
		if equality(f.Op) {
			eq[f.Field] = true
		}
	}
	var order []paginate.Order
	for _, o := range s.Sort {
		if !eq[o.Field.Name] {
			order = append(order, o)
		}
	}
	for _, f := range s.Filters {
		switch f.Op {
		case paginate.Eq, paginate.IsNull:
		case paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte, paginate.In, paginate.Prefix:
			if len(order) > 0 && order[0].Field.Name == f.Field {
				continue
			}
			return "", fmt.Sprintf("no single index serves %s with sort=%s: an index is read in one order, so only the leading sort field can be filtered by %s (sort by %s, or drop the filter)", f.Param(), s.SortParam(), f.Op, f.Field)
		default:
			return "", fmt.Sprintf("no index serves %s: an index finds rows equal to values or within a range", f.Param())
		}
	}
	var cols, names []string
	for _, f := range s.Filters {
		if equality(f.Op) && !slices.Contains(names, f.Field) {
			field, _ := c.schema.Field(f.Field)
			cols = append(cols, c.indexColumn(field, false))
			names = append(names, f.Field)
		}
	}
	flip := len(order) > 0 && order[0].Dir == paginate.Desc
	for _, o := range order {
		cols = append(cols, c.indexColumn(o.Field, (o.Dir == paginate.Desc) != flip))
		names = append(names, o.Field.Name)
	}
	if table == "" {
		table = "the_table"
	}
	name := bareColumn(table) + "_" + strings.Join(names, "_")
	if bareColumn(table) == "" {
		name = strings.Join(names, "_")
	}
	if len(name) > 63 {
		name = name[:63]
	}
	return fmt.Sprintf("CREATE INDEX %s ON %s (%s)", name, table, strings.Join(cols, ", ")), ""
}

// equality reports whether op holds a field to one value, as an index's
// leading columns can: eq, and null (IS NULL or IS NOT NULL).
func equality(op paginate.Op) bool { return op == paginate.Eq || op == paginate.IsNull }

// indexColumn writes f's column as an index key part.
func (c *common) indexColumn(f paginate.Field, desc bool) string {
	col := bareColumn(f.ColumnName())
	if col == "" {
		col = "(" + f.ColumnName() + ")"
	}
	if desc {
		col += " DESC"
	}
	return col
}
