package sql_test

import (
	"context"
	"fmt"
	"log"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	pagesql "github.com/go-paginate/paginate/sql"
)

// ExampleNewShapeCheck reports, at startup, which of the orders and
// filters an endpoint offers an index serves, and the index that would
// serve the others; the same check, in the paginator's config, refuses
// requests of the shapes no index serves.
func ExampleNewShapeCheck() {
	db, err := sqlx.Open("sqlite3", "file:example_shapes?mode=memory&cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, year INTEGER NOT NULL);
		CREATE INDEX books_year ON books (year, id);
		INSERT INTO books VALUES (1, 'Ficciones', 1944), (2, 'The Dispossessed', 1974), (3, 'Invisible Cities', 1972);`)
	type Book struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
		Year  int64  `db:"year"`
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "title", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
		{Name: "year", Type: paginate.Int, Sortable: true, Ops: []paginate.Op{paginate.Gte, paginate.Lt}},
	}, "-year")
	if err != nil {
		log.Fatal(err)
	}
	backend, err := pagesql.New[Book](db, squirrel.Select().From("books"), pagesql.Config{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	defer backend.Close()
	check, err := pagesql.NewShapeCheck(backend, pagesql.ShapeCheckConfig{})
	if err != nil {
		log.Fatal(err)
	}

	var offered []paginate.Shape
	for _, s := range []string{"sort=-year", "sort=-year&year[gte]&year[lt]", "sort=title", "sort=-year&title"} {
		sh, err := schema.ParseShape(s)
		if err != nil {
			log.Fatal(err)
		}
		offered = append(offered, sh)
	}
	verdicts, err := check.Report(context.Background(), offered...)
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range verdicts {
		if v.Served {
			fmt.Printf("%s: served\n", v.Shape)
		} else {
			fmt.Printf("%s: %s\n", v.Shape, v.Index)
		}
	}

	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{Shapes: check})
	if err != nil {
		log.Fatal(err)
	}
	_, err = p.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "title"}}})
	fmt.Println(err)
	// Output:
	// sort=-year: served
	// sort=-year&year[lt]&year[gte]: served
	// sort=title: CREATE INDEX books_title_id ON books (title, id)
	// sort=-year&title: CREATE INDEX books_title_year_id ON books (title, year, id)
	// paginate: invalid request: sort: no index serves this order; orders available: -year, year, id, -id
}
