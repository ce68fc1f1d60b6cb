package sql

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// postgresTable reads a table's columns from pg_catalog. The name is
// resolved by to_regclass as the FROM clause resolves it: through the
// search_path when unqualified, folded to lower case unless quoted. A
// domain's column has its base type, and is NOT NULL when the domain is.
func postgresTable(ctx context.Context, db sqlx.QueryerContext, t *tableRef) (*tableInfo, error) {
	name := t.name.text
	if t.schema.kind != 0 {
		name = t.schema.text + "." + name
	}
	rows, err := db.QueryContext(ctx, `SELECT a.attname,
		a.attnotnull OR t.typnotnull,
		format_type(a.atttypid, a.atttypmod),
		CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END,
		CASE WHEN t.typtype = 'd' THEN bt.typtype ELSE t.typtype END,
		c.relkind
	FROM pg_attribute a
	JOIN pg_class c ON c.oid = a.attrelid
	JOIN pg_type t ON t.oid = a.atttypid
	LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
	WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT a.attisdropped`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ti *tableInfo
	for rows.Next() {
		var col, typeName, base, typtype, relkind string
		var notNull bool
		if err := rows.Scan(&col, &notNull, &typeName, &base, &typtype, &relkind); err != nil {
			return nil, err
		}
		if ti == nil {
			ti = &tableInfo{view: relkind == "v" || relkind == "m", cols: map[string]columnInfo{}}
		}
		ti.cols[col] = columnInfo{typeName: typeName, class: postgresClass(base, typtype), notNull: notNull}
	}
	return ti, rows.Err()
}

// postgresClass classifies a base type by its pg_type name and typtype.
func postgresClass(typname, typtype string) typeClass {
	if typtype == "e" {
		return classOther // an enum: ordered by its declaration, bound as text
	}
	switch typname {
	case "int2", "int4", "int8":
		return classInt
	case "float4", "float8":
		return classFloat
	case "numeric":
		return classDecimal
	case "text", "varchar", "bpchar", "name", "citext", "uuid":
		return classText
	case "bool":
		return classBool
	case "bytea":
		return classBytes
	case "timestamptz", "timestamp":
		return classTime
	case "date":
		return classDate
	}
	return classOther
}

// postgresMetaType classifies the type pgx reports for a result column:
// a type name it knows ("INT8", "TEXT"), or the type's OID for one it does
// not (a domain, an extension's type), which pg_type resolves.
func postgresMetaType(ctx context.Context, db sqlx.QueryerContext, meta string) (string, typeClass) {
	if meta == "" {
		return "", classUnknown
	}
	oid, err := strconv.ParseUint(meta, 10, 32)
	if err != nil {
		name := strings.ToLower(meta)
		return name, postgresClass(name, "b")
	}
	var name, base, typtype string
	err = db.QueryRowxContext(ctx, `SELECT format_type(t.oid, NULL),
		CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END,
		CASE WHEN t.typtype = 'd' THEN bt.typtype ELSE t.typtype END
	FROM pg_type t LEFT JOIN pg_type bt ON bt.oid = t.typbasetype WHERE t.oid = $1`, oid).Scan(&name, &base, &typtype)
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		return "type " + meta, classUnknown
	}
	return name, postgresClass(base, typtype)
}
