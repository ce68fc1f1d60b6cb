// Command graphql serves the example items (the table examples/items
// serves over REST) as a GraphQL API whose items field is a Relay
// connection, built with gqlgen over package relay. It is a module of its
// own, so that the library's module does not depend on gqlgen.
//
//	go run .                                   # SQLite in a fresh temporary file, 1,000 rows
//	go run . -rows 100000 -db /tmp/items.db
//
// It serves POST and GET /graphql:
//
//	curl -s localhost:8081/graphql -H 'Content-Type: application/json' \
//	  -d '{"query":"{ items(first: 3) { totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }"}'
//
// items takes first, after, last and before, an orderBy list of
// {field, direction} and a filter on category (eq, ne, in), price and
// createdAt (eq, lt, lte, gt, gte), name (prefix, contains) and sellerId
// (null): the fields and operators the items schema (internal/itemsapi)
// declares. A bad argument is a GraphQL error that names it, with the
// code BAD_USER_INPUT.
//
// Cursors are signed with the key from -cursor-key or PAGINATE_CURSOR_KEY
// (at least 32 bytes). Without one the server uses a fixed development
// key, and says so: anyone who reads this file can forge cursors for it.
//
// The code in graph/generated.go and graph/model is generated from
// schema.graphqls by gqlgen (go generate); graph/schema.resolvers.go and
// graph/args.go are the resolvers.
package main

//go:generate go tool gqlgen generate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/examples/graphql/graph"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	pagesql "github.com/go-paginate/paginate/sql"
)

// devCursorKey signs cursors when no key is configured. It is public, so
// it must never be used in production.
const devCursorKey = "go-paginate example development key: not a secret"

// cursorKeyEnv is the environment variable holding the cursor key.
const cursorKeyEnv = "PAGINATE_CURSOR_KEY"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "graphql:", err)
		}
		os.Exit(1)
	}
}

// run starts the server and serves until ctx is done. It prints the
// address it listens on to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("graphql", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	path := fs.String("db", "", "SQLite database file, reused when it already holds -rows rows (default: a fresh temporary file)")
	rows := fs.Int("rows", 1000, "number of rows to seed")
	key := fs.String("cursor-key", os.Getenv(cursorKeyEnv), "key that signs cursors, at least 32 bytes (default: $"+cursorKeyEnv+", else a development key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *rows < 0 {
		return fmt.Errorf("unexpected arguments %q, or -rows below 0", fs.Args())
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	if *key == "" {
		*key = devCursorKey
		logger.Warn("signing cursors with the public development key; set -cursor-key or " + cursorKeyEnv + " to a secret of at least 32 bytes")
	}
	if *path == "" {
		dir, err := os.MkdirTemp("", "paginate-graphql-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*path = filepath.Join(dir, "items.db")
	}
	db, err := dataset.Cached(ctx, *path, *rows)
	if err != nil {
		return err
	}
	defer db.Close()
	h, closeAPI, err := newHandler(db, "items", Config{CursorKey: []byte(*key), Logger: logger})
	if err != nil {
		return err
	}
	defer closeAPI()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(stdout, "listening on http://%s/graphql\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Config is what may differ between instances of the API.
type Config struct {
	// CursorKey signs and verifies cursors. Required.
	CursorKey []byte
	// Keyset configures the paginator; its Keys are CursorKey.
	Keyset paginate.KeysetConfig
	// Count counts totalCount. If nil, paginate.ExactCount.
	Count paginate.CountStrategy
	// Logger receives the errors that are not the client's.
	Logger *slog.Logger
}

// newHandler returns the GraphQL API over table in db, at /graphql, and a
// function that releases it. table must come from the program, never
// from a request.
func newHandler(db *sqlx.DB, table string, cfg Config) (http.Handler, func(), error) {
	s, err := itemsapi.Schema()
	if err != nil {
		return nil, nil, err
	}
	backend, err := pagesql.New[itemsapi.Item](db, squirrel.Select().From(table), pagesql.Config{Schema: s})
	if err != nil {
		return nil, nil, err
	}
	cfg.Keyset.Keys = [][]byte{cfg.CursorKey}
	k, err := paginate.NewKeyset(backend, s, cfg.Keyset)
	if err != nil {
		backend.Close()
		return nil, nil, err
	}
	if cfg.Count == nil {
		cfg.Count = paginate.ExactCount{}
	}
	gql := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{Keyset: k, Count: cfg.Count, Logger: cfg.Logger}}))
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.Use(extension.Introspection{})
	gql.Use(extension.FixedComplexityLimit(200))
	mux := http.NewServeMux()
	mux.Handle("/graphql", gql)
	return mux, func() { backend.Close() }, nil
}
