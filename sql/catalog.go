package sql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
)

// typeClass is what a column's type means for pagination: which
// paginate.Type reads and compares its values correctly.
type typeClass uint8

const (
	classUnknown typeClass = iota // the database did not say
	classInt
	classFloat
	classDecimal
	classText
	classBytes
	classBool
	classTime
	classDate
	classOther // a type no paginate.Type serves (enums, JSON, intervals...)
)

// nullability is what is known of whether a column may hold NULL.
type nullability uint8

const (
	nullUnknown nullability = iota
	nullNo
	nullYes
)

// columnInfo is what a catalog says about one column of a table.
type columnInfo struct {
	typeName string // the type as the database writes it, for messages
	class    typeClass
	notNull  bool
	boolish  bool     // MySQL TINYINT(1), which BOOLEAN is
	single   bool     // a single-precision float (MySQL FLOAT)
	affinity affinity // SQLite's column affinity
	fromView bool     // a view's column, whose nullability the catalog does not know
	// pkMayBeNull marks an SQLite primary key that the catalog lets hold
	// NULL, which applications never store: the stored values decide.
	pkMayBeNull bool
}

// tableInfo is a table's (or view's) columns, by folded name.
type tableInfo struct {
	view bool
	cols map[string]columnInfo
}

// fieldFacts gathers what the database says about one field.
type fieldFacts struct {
	f   paginate.Field
	idx int // schema index

	probeErr error // the column does not run against the base query

	table *tableRef   // the table the column was resolved to
	col   *columnInfo // its catalog entry

	// The type: from the catalog, else from the result's metadata.
	typeName string
	class    typeClass
	boolish  bool
	single   bool
	affinity affinity

	null    nullability
	nullWhy string // why the column may be NULL, in words

	// meta is the type the driver reports for the column in a result.
	meta     string
	metaNull nullability
}

// probe selects every field's column over the base query with a false
// condition and returns the result's column types. Fields whose column
// does not run get probeErr.
func (c *common) probe(ctx context.Context, db sqlx.QueryerContext, facts []*fieldFacts) error {
	if _, err := c.probeColumns(ctx, db, []string{"1"}); err != nil {
		return fmt.Errorf("paginate/sql: check: the base query does not run: %w", err)
	}
	list := make([]string, len(facts))
	for i, ff := range facts {
		list[i] = ff.f.ColumnName() + " AS " + c.dialect.quote(ff.f.Name)
	}
	types, err := c.probeColumns(ctx, db, list)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Find the columns that fail.
		types = make([]*sql.ColumnType, len(facts))
		for i, ff := range facts {
			t, err := c.probeColumns(ctx, db, list[i:i+1])
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				ff.probeErr = err
				continue
			}
			types[i] = t[0]
		}
	}
	for i, ff := range facts {
		if types[i] == nil {
			continue
		}
		ff.meta = strings.ToUpper(types[i].DatabaseTypeName())
		if n, ok := types[i].Nullable(); ok && c.dialect == MySQL {
			ff.metaNull = nullNo
			if n {
				ff.metaNull = nullYes
			}
		}
	}
	return nil
}

// probeColumns runs SELECT list FROM base WHERE false and returns the
// result's column types.
func (c *common) probeColumns(ctx context.Context, db sqlx.QueryerContext, list []string) ([]*sql.ColumnType, error) {
	text, args, err := c.overBase(strings.Join(list, ", "), "1 = 0")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	for rows.Next() {
	}
	return types, rows.Err()
}

// fromTables reads the base query's FROM clause and joins. It reports
// false when they are not in a form parseFrom reads, or the base has a
// prefix (such as WITH), whose names would shadow tables.
func (c *common) fromTables() ([]tableRef, bool) {
	if !strings.HasPrefix(c.base.head.sql, "SELECT ") {
		return nil, false
	}
	from, ok := strings.CutPrefix(c.base.from.sql, " FROM ")
	if !ok {
		return nil, false
	}
	return parseFrom(from)
}

// notNullInWhere returns the columns the base query's WHERE requires to be
// NOT NULL ("col IS NOT NULL" as one of its ANDed parts), folded.
func (c *common) notNullInWhere() map[string]bool {
	out := map[string]bool{}
	for _, part := range andedParts(c.base.where.sql) {
		if r, ok := isNotNullCondition(part); ok {
			out[c.refKey(r)] = true
		}
	}
	return out
}

// andedParts splits a WHERE clause's text at its top-level ANDs. A clause
// with a top-level OR or BETWEEN (whose AND is not a conjunction), or one
// the tokenizer cannot read, is returned whole: a part is then only ever
// a condition every row meets.
func andedParts(where string) []string {
	toks, ok := tokenize(where)
	if !ok {
		return []string{where}
	}
	var parts []string
	var cur []string
	depth := 0
	for _, t := range toks {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
		case depth == 0 && (t.is("OR") || t.is("BETWEEN")):
			return []string{where}
		case depth == 0 && t.is("AND"):
			parts = append(parts, strings.Join(cur, " "))
			cur = cur[:0]
			continue
		}
		cur = append(cur, t.text)
	}
	return append(parts, strings.Join(cur, " "))
}

// fold returns an identifier as the database compares it: PostgreSQL
// folds unquoted names to lower case and keeps quoted ones; SQLite and
// MySQL compare column names without regard to case.
func (d Dialect) fold(t sqlToken) string {
	if d == PostgreSQL && t.quoted {
		return t.ident
	}
	return strings.ToLower(t.ident)
}

// refKey is a column reference's folded text, for comparing references.
func (c *common) refKey(r colRef) string {
	k := c.dialect.fold(r.name)
	if r.qual.kind != 0 {
		k = c.dialect.fold(r.qual) + "." + k
	}
	return k
}

// catalog reads tables' catalogs, each once.
type catalog struct {
	c      *common
	db     sqlx.QueryerContext
	tables map[string]*tableInfo // by tableRef label
}

func (k *catalog) table(ctx context.Context, t *tableRef) (*tableInfo, error) {
	if t.name.kind == 0 {
		return nil, nil // a subquery
	}
	key := t.schema.text + "." + t.name.text
	if ti, ok := k.tables[key]; ok {
		return ti, nil
	}
	var ti *tableInfo
	var err error
	switch k.c.dialect {
	case SQLite:
		ti, err = sqliteTable(ctx, k.db, t)
	case PostgreSQL:
		ti, err = postgresTable(ctx, k.db, t)
	case MySQL:
		ti, err = mysqlTable(ctx, k.db, t)
	}
	if err != nil {
		return nil, fmt.Errorf("paginate/sql: check: reading the catalog of %s: %w", t.label(), err)
	}
	k.tables[key] = ti
	return ti, nil
}

// resolve finds the table column a reference names: through the alias or
// table name that qualifies it, or, unqualified, in the one table of the
// FROM clause that has it. It returns nils when it cannot tell.
func (k *catalog) resolve(ctx context.Context, refs []tableRef, r colRef) (*tableRef, *columnInfo, error) {
	d := k.c.dialect
	name := d.fold(r.name)
	var cands []*tableRef
	for i := range refs {
		t := &refs[i]
		if r.qual.kind == 0 {
			cands = append(cands, t)
			continue
		}
		q := d.fold(r.qual)
		if t.alias.kind != 0 && d.fold(t.alias) == q || t.alias.kind == 0 && t.name.kind != 0 && d.fold(t.name) == q &&
			(r.schema.kind == 0 || t.schema.kind != 0 && d.fold(t.schema) == d.fold(r.schema)) {
			cands = append(cands, t)
		}
	}
	var found *tableRef
	var col columnInfo
	for _, t := range cands {
		ti, err := k.table(ctx, t)
		if err != nil {
			return nil, nil, err
		}
		if ti == nil {
			return nil, nil, nil // a subquery or unknown table might hold it
		}
		ci, ok := ti.cols[name]
		if !ok {
			continue
		}
		if found != nil {
			return nil, nil, nil // ambiguous: the database will say so
		}
		found, col = t, ci
		if ti.view {
			col.notNull = false // views do not carry NOT NULL
			col.fromView = true
		}
	}
	if found == nil {
		return nil, nil, nil
	}
	return found, &col, nil
}

// runCheck compares the schema with the database; see [Backend.Check].
func (c *common) runCheck(ctx context.Context, db sqlx.QueryerContext) error {
	facts := make([]*fieldFacts, len(c.fields))
	for i, f := range c.fields {
		facts[i] = &fieldFacts{f: f, idx: i}
	}
	if err := c.probe(ctx, db, facts); err != nil {
		return err
	}
	refs, parsed := c.fromTables()
	notNull := c.notNullInWhere()
	k := &catalog{c: c, db: db, tables: map[string]*tableInfo{}}
	for _, ff := range facts {
		if ff.probeErr != nil {
			continue
		}
		if err := c.gather(ctx, k, ff, refs, parsed, notNull); err != nil {
			return err
		}
	}
	var codecs []valueCodec
	var problems []*FieldError
	var err error
	switch c.dialect {
	case SQLite:
		codecs, problems, err = c.checkSQLite(ctx, db, facts)
	default:
		problems, err = c.checkServer(ctx, db, facts)
	}
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &CheckError{Fields: problems}
	}
	c.setCodecs(codecs)
	return nil
}

// gather fills in what the catalog and the result's metadata say about a
// field's column.
func (c *common) gather(ctx context.Context, k *catalog, ff *fieldFacts, refs []tableRef, parsed bool, notNull map[string]bool) error {
	r, isRef := parseColRef(ff.f.ColumnName())
	if isRef && parsed {
		t, col, err := k.resolve(ctx, refs, r)
		if err != nil {
			return err
		}
		ff.table, ff.col = t, col
	}
	switch {
	case ff.col != nil:
		ff.typeName, ff.class, ff.boolish, ff.single, ff.affinity = ff.col.typeName, ff.col.class, ff.col.boolish, ff.col.single, ff.col.affinity
		switch {
		case ff.table.outer:
			ff.null = nullYes
			ff.nullWhy = fmt.Sprintf("its table %s is joined with %s, so the column is NULL where no row matches", ff.table.label(), ff.table.joinKind)
		case ff.col.notNull:
			ff.null = nullNo
		case ff.col.pkMayBeNull:
			ff.null = nullUnknown
		case ff.col.fromView:
			ff.null = ff.metaNull
			if ff.null == nullYes {
				ff.null = nullUnknown
			}
		default:
			ff.null = nullYes
			ff.nullWhy = fmt.Sprintf("the column allows NULL in table %s", ff.table.label())
		}
	default:
		ff.typeName, ff.class, ff.boolish = c.metaType(ctx, k, ff.meta)
		if c.dialect == SQLite {
			ff.affinity = affinityOf(ff.meta)
		}
		ff.null = ff.metaNull
		if ff.null == nullYes {
			ff.null = nullUnknown // expressions are reported nullable whenever they might be
		}
	}
	if ff.null != nullNo && isRef && notNull[c.refKey(r)] {
		ff.null = nullNo
	}
	return nil
}

// metaType classifies the type the driver reports for a result column.
func (c *common) metaType(ctx context.Context, k *catalog, meta string) (string, typeClass, bool) {
	switch c.dialect {
	case PostgreSQL:
		name, class := postgresMetaType(ctx, k.db, meta)
		return name, class, false
	case MySQL:
		name := strings.ToLower(meta)
		class, boolish := mysqlClass(name, name)
		return name, class, boolish
	}
	return meta, classUnknown, false // SQLite: the stored values decide
}

// checkServer judges the facts on PostgreSQL and MySQL, asking the
// stored values what the catalog could not say.
func (c *common) checkServer(ctx context.Context, db sqlx.QueryerContext, facts []*fieldFacts) ([]*FieldError, error) {
	var problems []*FieldError
	for _, ff := range facts {
		if ff.probeErr != nil {
			problems = append(problems, missingColumn(ff))
			continue
		}
		if p := c.judgeType(ff); p != nil {
			problems = append(problems, p)
			continue
		}
		if ff.f.Type == paginate.Bool && c.dialect == MySQL {
			n, example, err := c.countWhere(ctx, db, ff.f, "x NOT IN (0, 1)", true)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				problems = append(problems, &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: WrongType,
					Found: fmt.Sprintf("%s holds %d values other than 0 and 1 (such as %s), which read as true but sort apart", ff.typeName, n, example),
					Fix:   "store only 0 and 1, or declare Type: paginate.Int"})
				continue
			}
		}
		if p, err := c.judgeNull(ctx, db, ff); err != nil {
			return nil, err
		} else if p != nil {
			problems = append(problems, p)
		}
	}
	return problems, nil
}

func missingColumn(ff *fieldFacts) *FieldError {
	return &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: MissingColumn,
		Found: "selecting it over the base query fails: " + ff.probeErr.Error(),
		Fix:   "correct the field's Column (a column of the base query's tables, qualified by its alias where the query joins tables, or an expression over them)"}
}

// judgeNull reports a field the database may hold NULL in that is not
// declared Nullable. Where the catalog cannot say, the stored values are
// asked.
func (c *common) judgeNull(ctx context.Context, db sqlx.QueryerContext, ff *fieldFacts) (*FieldError, error) {
	if ff.f.Nullable || ff.null == nullNo {
		return nil, nil
	}
	fix := "declare the field Nullable: true, or make the column NOT NULL"
	if ff.null == nullYes {
		if ff.table != nil && ff.table.outer {
			fix = "declare the field Nullable: true, or join the table with an inner JOIN"
		}
		return &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: UndeclaredNull, Found: ff.nullWhy, Fix: fix}, nil
	}
	n, _, err := c.countWhere(ctx, db, ff.f, "x IS NULL", false)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: UndeclaredNull,
			Found: fmt.Sprintf("%d rows of the base query hold NULL in it", n),
			Fix:   "declare the field Nullable: true, or wrap the expression in COALESCE"}, nil
	}
	return nil, nil
}

// countWhere counts the base query's rows whose value of f, named x,
// meets cond, and with example returns the least such value as text (for
// types MIN takes).
func (c *common) countWhere(ctx context.Context, db sqlx.QueryerContext, f paginate.Field, cond string, example bool) (int64, string, error) {
	cols := "COUNT(*), NULL"
	if example {
		cols = "COUNT(*), MIN(x)"
	}
	text, args, err := c.fromBase(cols, f.ColumnName()+" AS x", " WHERE "+cond, nil)
	if err != nil {
		return 0, "", err
	}
	var n int64
	var ex sql.NullString
	row := db.QueryRowxContext(ctx, text, args...)
	if err := row.Scan(&n, &ex); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", nil
		}
		return 0, "", fmt.Errorf("paginate/sql: check: reading the values of field %q: %w", f.Name, err)
	}
	return n, ex.String, nil
}

// withArticle returns "an int", "a time" and so on.
func withArticle(t paginate.Type) string {
	if t == paginate.Int {
		return "an int"
	}
	return "a " + t.String()
}

// typeNames are the Go names of paginate's types, for messages.
var typeNames = map[paginate.Type]string{paginate.String: "paginate.String", paginate.Int: "paginate.Int", paginate.Float: "paginate.Float",
	paginate.Bool: "paginate.Bool", paginate.Time: "paginate.Time", paginate.Bytes: "paginate.Bytes", paginate.Decimal: "paginate.Decimal"}

// classType is the paginate.Type that serves a type class.
var classType = map[typeClass]paginate.Type{classInt: paginate.Int, classFloat: paginate.Float, classDecimal: paginate.Decimal,
	classText: paginate.String, classBytes: paginate.Bytes, classBool: paginate.Bool, classTime: paginate.Time}

// judgeType reports a field whose declared type the column's type does
// not serve. On SQLite the stored values decide instead (checkSQLite).
func (c *common) judgeType(ff *fieldFacts) *FieldError {
	t := ff.f.Type
	ok := false
	switch ff.class {
	case classUnknown:
		return nil // nothing to judge by; documented
	case classInt:
		ok = t == paginate.Int || t == paginate.Bool && ff.boolish
	case classFloat:
		ok = t == paginate.Float
		if ok && ff.single && c.noPrepare && c.dialect == MySQL {
			return &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: WrongType,
				Found: "the column is " + ff.typeName + ": without prepared statements MySQL sends single-precision values as rounded decimal text, which does not compare equal to the stored value",
				Fix:   "change the column to DOUBLE, or leave Config.NoPrepare unset"}
		}
	default:
		want, known := classType[ff.class]
		ok = known && want == t
	}
	if ok {
		return nil
	}
	e := &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: WrongType, Found: "the column is " + ff.typeName}
	want, known := classType[ff.class]
	switch {
	case ff.class == classInt && t == paginate.Bool:
		e.Found += ", an integer wider than a boolean"
		e.Fix = "declare Type: paginate.Int, or use a BOOLEAN (TINYINT(1)) column"
		return e
	case ff.class == classText && (t == paginate.Int || t == paginate.Float || t == paginate.Decimal):
		e.Found += ", which the database compares as text (\"100\" sorts before \"99\"), while " + withArticle(t) + " filter or position is bound as a number"
	case ff.class == classDate && t == paginate.Time:
		e.Found += ", which holds days, not instants: a time bound to it is cut to its day"
		e.Fix = "cast the column to a timestamp in Column (\"CAST(col AS TIMESTAMP)\"), or declare Type: paginate.String and filter with dates"
		return e
	case ff.class == classOther:
		e.Found += ", a type no paginate.Type reads and orders as the database does"
		e.Fix = "cast it in Column to a type that one does (text, integer, timestamp), or leave the field out of the schema"
		return e
	}
	if known {
		e.Fix = "declare Type: " + typeNames[want] + ", or change the column's type to one that holds " + t.String() + " values"
	} else {
		e.Fix = "change the column's type to one that holds " + t.String() + " values"
	}
	return e
}

// overBase returns SELECT list over the base query with the extra
// condition cond (no arguments) ANDed to its WHERE, without its suffixes,
// in the dialect's placeholders and with the statements' time limit
// (timeout.go), and the base's arguments.
func (c *common) overBase(list, cond string) (string, []any, error) {
	f := c.base.selectOver(list, []fragment{{sql: cond}}, fragment{}, false)
	args := make([]any, len(f.args))
	for i, a := range f.args {
		args[i] = a.value
	}
	text, err := c.dialect.placeholders().ReplacePlaceholders(f.sql)
	return c.timed(text), args, err
}

// fromBase returns SELECT cols FROM (SELECT inner over the base) AS t,
// followed by tail (such as " WHERE ..." with "?" placeholders for args),
// in the dialect's placeholders and with the statements' time limit.
func (c *common) fromBase(cols, inner, tail string, args []any) (string, []any, error) {
	f := c.base.selectOver(inner, nil, fragment{}, false)
	all := make([]any, 0, len(f.args)+len(args))
	for _, a := range f.args {
		all = append(all, a.value)
	}
	all = append(all, args...)
	text, err := c.dialect.placeholders().ReplacePlaceholders("SELECT " + cols + " FROM (" + f.sql + ") AS t" + tail)
	return c.timed(text), all, err
}
