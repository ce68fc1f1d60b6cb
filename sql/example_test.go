package sql_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"

	"github.com/go-paginate/paginate"
	pagesql "github.com/go-paginate/paginate/sql"
)

// Example pages through books joined to their authors, sorted by the
// author's name (a column of the joined table) and then by the book's key,
// with a Backend under a keyset paginator.
func Example() {
	db, err := sqlx.Open("sqlite3", "file:example?mode=memory&cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
		CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL, published TIMESTAMP NOT NULL);
		CREATE INDEX authors_name ON authors (name, id);
		INSERT INTO authors VALUES (1, 'Le Guin'), (2, 'Borges'), (3, 'Calvino');`)
	day := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, b := range []struct {
		title  string
		author int
	}{
		{"The Dispossessed", 1}, {"Ficciones", 2}, {"Invisible Cities", 3},
		{"The Left Hand of Darkness", 1}, {"The Aleph", 2},
	} {
		// Applications on SQLite store times in UTC.
		db.MustExec(`INSERT INTO books VALUES (?, ?, ?, ?)`, i+1, b.title, b.author, day.AddDate(i, 0, 0))
	}

	type Book struct {
		ID        int64     `db:"id"`
		Title     string    `db:"title"`
		Author    string    `db:"author"`
		Published time.Time `db:"published"`
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Column: "b.id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "title", Column: "b.title", Type: paginate.String},
		{Name: "author", Column: "a.name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
		{Name: "published", Column: "b.published", Type: paginate.Time, Sortable: true},
	}, "author")
	if err != nil {
		log.Fatal(err)
	}
	base := squirrel.Select().From("books b").Join("authors a ON a.id = b.author_id")
	backend, err := pagesql.New[Book](db, base, pagesql.Config{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	defer backend.Close()

	p, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{
		Keys:    [][]byte{[]byte("an example key of at least 32 bytes")},
		PerPage: 2,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := paginate.Request{Fields: []string{"title", "author"}}
	for {
		page, err := p.Paginate(ctx, req)
		if err != nil {
			log.Fatal(err)
		}
		for _, b := range page.Items {
			fmt.Printf("%s: %s\n", b.Author, b.Title)
		}
		if !page.HasNext {
			break
		}
		fmt.Println("--")
		req.After = page.NextCursor
	}

	n, err := backend.Count(ctx, paginate.Query{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "books")
	// Output:
	// Borges: Ficciones
	// Borges: The Aleph
	// --
	// Calvino: Invisible Cities
	// Le Guin: The Dispossessed
	// --
	// Le Guin: The Left Hand of Darkness
	// 5 books
}

// ExampleBackend_CheckSort checks at startup that a sort is served from an
// index.
func ExampleBackend_CheckSort() {
	db, err := sqlx.Open("sqlite3", "file:check?mode=memory&cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`CREATE TABLE events (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL, kind TEXT NOT NULL);
		CREATE INDEX events_at ON events (at, id);
		INSERT INTO events (at, kind) VALUES ('2024-01-01 00:00:00+00:00', 'a'), ('2024-01-02 00:00:00+00:00', 'b');`)
	type Event struct {
		ID   int64     `db:"id"`
		At   time.Time `db:"at"`
		Kind string    `db:"kind"`
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "at", Type: paginate.Time, Sortable: true},
		{Name: "kind", Type: paginate.String, Sortable: true},
	}, "-at")
	if err != nil {
		log.Fatal(err)
	}
	backend, err := pagesql.New[Event](db, squirrel.Select().From("events"), pagesql.Config{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	defer backend.Close()
	for _, sort := range []string{"-at", "kind"} {
		r, err := backend.CheckSort(context.Background(), sort)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: indexed %v\n", sort, r.Indexed())
	}
	// Output:
	// -at: indexed true
	// kind: indexed false
}

// ExampleBackend_Check checks a declaration against a table that already
// exists: times written in two layouts, a column that holds NULL and one
// of digits stored as text. Each problem names the field, its column,
// what the database holds and what to change.
func ExampleBackend_Check() {
	db, err := sqlx.Open("sqlite3", "file:checkdecl?mode=memory&cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.MustExec(`CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, score INTEGER, code TEXT NOT NULL);
		INSERT INTO events (at, score, code) VALUES ('2024-03-01 12:00:00', 3, '100'), ('2024-03-01T12:00:05Z', NULL, '99');`)
	type Event struct {
		ID    int64     `db:"id"`
		At    time.Time `db:"at"`
		Score int64     `db:"score"`
		Code  int64     `db:"code"`
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "at", Type: paginate.Time, Sortable: true},
		{Name: "score", Type: paginate.Int, Sortable: true},
		{Name: "code", Type: paginate.Int, Sortable: true},
	}, "-at")
	if err != nil {
		log.Fatal(err)
	}
	backend, err := pagesql.New[Event](db, squirrel.Select().From("events"), pagesql.Config{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	defer backend.Close()
	var ce *pagesql.CheckError
	if err := backend.Check(context.Background()); errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Printf("%s: %s\n", f.Field, f.Mismatch)
		}
		fmt.Println(ce.Fields[1].Fix)
	}
	// Output:
	// at: time storage
	// score: undeclared NULL
	// code: wrong type
	// declare the field Nullable: true, or make the column NOT NULL
}
