package dataset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// metaTable records, in a cached database, which rows it holds.
const metaTable = "dataset_meta"

// CachePath returns the default cache file for a table of rows rows, in
// the user's cache directory (for example ~/.cache/go-paginate).
func CachePath(rows int) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("dataset: %w", err)
	}
	return filepath.Join(dir, "go-paginate", "items-"+strconv.Itoa(rows)+"-v"+strconv.Itoa(Version)+".db"), nil
}

// Cached opens the SQLite database at path holding the items table with
// rows rows, building it first unless the file already holds exactly that
// (same row count and [Version], recorded in a dataset_meta table). A
// build goes to a temporary file in the same directory, renamed into place
// when complete, so an interrupted or concurrent build never leaves a
// half-built cache behind. The caller must have registered the go-sqlite3
// driver ("sqlite3"), for example by importing github.com/mattn/go-sqlite3.
func Cached(ctx context.Context, path string, rows int) (*sqlx.DB, error) {
	return cached(ctx, path, Options{Rows: rows})
}

// CachedRelated is [Cached] for the items table and, as Options.Related
// builds them, the sellers and reviews tables (named sellers and
// reviews): a file built by Cached, without them, is rebuilt.
func CachedRelated(ctx context.Context, path string, rows int) (*sqlx.DB, error) {
	return cached(ctx, path, Options{Rows: rows, Related: true})
}

func cached(ctx context.Context, path string, opts Options) (*sqlx.DB, error) {
	if ok, err := current(ctx, path, opts); err != nil {
		return nil, err
	} else if !ok {
		if err := build(ctx, path, opts); err != nil {
			return nil, err
		}
	}
	return Open(path)
}

// Open opens the SQLite file at path as the example and the benchmarks
// do: write-ahead logging and a busy timeout, so readers run in parallel.
func Open(path string) (*sqlx.DB, error) {
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("dataset: open %s: %w", path, err)
	}
	return db, nil
}

// current reports whether path is a cache holding the tables opts asks
// for, of this Version.
func current(ctx context.Context, path string, opts Options) (bool, error) {
	if _, err := os.Stat(path); err != nil {
		if os.IsNotExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("dataset: %w", err)
	}
	db, err := sqlx.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return false, fmt.Errorf("dataset: open %s: %w", path, err)
	}
	defer db.Close()
	var version, n int
	var related bool
	err = db.QueryRowContext(ctx, "SELECT version, row_count, related FROM "+metaTable).Scan(&version, &n, &related)
	if err != nil {
		// Not a cache of ours, or an incomplete one: rebuild.
		return false, nil
	}
	return version == Version && n == opts.Rows && related == opts.Related, nil
}

// build seeds a new file next to path and renames it into place.
func build(ctx context.Context, path string, opts Options) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	// The file is private until renamed, so durability is not needed while
	// it is built: no journal, no fsync.
	db, err := sqlx.Open("sqlite3", "file:"+tmp+"?_journal_mode=OFF&_sync=OFF")
	if err != nil {
		return fmt.Errorf("dataset: open %s: %w", tmp, err)
	}
	db.SetMaxOpenConns(1)
	opts.Dialect = SQLite
	err = Seed(ctx, db, opts)
	if err == nil {
		_, err = db.ExecContext(ctx, "CREATE TABLE "+metaTable+" (version INTEGER NOT NULL, row_count INTEGER NOT NULL, related BOOLEAN NOT NULL)")
	}
	if err == nil {
		_, err = db.ExecContext(ctx, "INSERT INTO "+metaTable+" (version, row_count, related) VALUES (?, ?, ?)", Version, opts.Rows, opts.Related)
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("dataset: close: %w", cerr)
	}
	if err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("dataset: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}
