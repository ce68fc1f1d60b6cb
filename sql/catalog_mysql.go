package sql

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// mysqlTable reads a table's columns from information_schema, in the
// named database or the connection's current one.
func mysqlTable(ctx context.Context, db sqlx.QueryerContext, t *tableRef) (*tableInfo, error) {
	var schema any
	if t.schema.kind != 0 {
		schema = t.schema.ident
	}
	rows, err := db.QueryContext(ctx, `SELECT c.COLUMN_NAME, c.IS_NULLABLE, c.DATA_TYPE, c.COLUMN_TYPE, t.TABLE_TYPE
	FROM information_schema.COLUMNS c
	JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
	WHERE c.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND c.TABLE_NAME = ?`, schema, t.name.ident)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ti *tableInfo
	for rows.Next() {
		var col, nullable, dataType, colType, tableType string
		if err := rows.Scan(&col, &nullable, &dataType, &colType, &tableType); err != nil {
			return nil, err
		}
		if ti == nil {
			ti = &tableInfo{view: tableType == "VIEW", cols: map[string]columnInfo{}}
		}
		dataType = strings.ToLower(dataType)
		class, boolish := mysqlClass(dataType, strings.ToLower(colType))
		ti.cols[strings.ToLower(col)] = columnInfo{typeName: colType, class: class, boolish: boolish, single: dataType == "float", notNull: nullable == "NO"}
	}
	return ti, rows.Err()
}

// mysqlClass classifies a MySQL/MariaDB type by its DATA_TYPE (or the
// driver's type name) and its COLUMN_TYPE; boolish reports TINYINT(1),
// which BOOLEAN is.
func mysqlClass(dataType, colType string) (class typeClass, boolish bool) {
	dataType = strings.TrimPrefix(dataType, "unsigned ")
	switch dataType {
	case "tinyint":
		return classInt, strings.HasPrefix(colType, "tinyint(1)") || colType == "tinyint"
	case "smallint", "mediumint", "int", "integer", "bigint":
		return classInt, false
	case "float", "double", "real", "double precision":
		return classFloat, false
	case "decimal", "numeric":
		return classDecimal, false
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return classText, false
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return classBytes, false
	case "datetime", "timestamp":
		return classTime, false
	case "date":
		return classDate, false
	}
	return classOther, false
}
