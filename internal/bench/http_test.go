package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
)

// The hand-written handlers below are what a careful person writes without
// the library, for the same endpoints: they read per_page and after (or
// page), run the same SQL through the statements prepared once, sign their
// cursors with HMAC-SHA256, and write the same JSON envelope and Link
// header with encoding/json. Their cursors are their own binary format,
// not the library's.

// feedBody and listBody are the JSON bodies the hand-written handlers
// write, with the library's keys in the library's order.
type feedBody struct {
	PerPage    int            `json:"per_page"`
	HasNext    bool           `json:"has_next"`
	HasPrev    bool           `json:"has_prev"`
	NextCursor *string        `json:"next_cursor"`
	PrevCursor *string        `json:"prev_cursor"`
	Items      []dataset.Item `json:"items"`
}

type listBody struct {
	Total   int64          `json:"total"`
	Page    int            `json:"page"`
	PerPage int            `json:"per_page"`
	Pages   int            `json:"pages"`
	HasNext bool           `json:"has_next"`
	HasPrev bool           `json:"has_prev"`
	Items   []dataset.Item `json:"items"`
}

// envelope decodes either body, to compare the handlers' answers.
type envelope struct {
	Total      *int64         `json:"total,omitempty"`
	Page       int            `json:"page,omitempty"`
	PerPage    int            `json:"per_page"`
	Pages      *int           `json:"pages,omitempty"`
	HasNext    bool           `json:"has_next"`
	HasPrev    bool           `json:"has_prev"`
	NextCursor *string        `json:"next_cursor,omitempty"`
	PrevCursor *string        `json:"prev_cursor,omitempty"`
	Items      []dataset.Item `json:"items"`
}

// handWritten serves the feed by hand.
type handWritten struct {
	f   *floor
	key []byte
}

const handCursorLen = 8 + 8 + sha256.Size

// cursor signs a position: created_at in Unix nanoseconds, id, and the
// HMAC of both, in URL-safe base64.
func (h *handWritten) cursor(p position) string {
	var buf [handCursorLen]byte
	binary.BigEndian.PutUint64(buf[0:], uint64(p.CreatedAt.UnixNano()))
	binary.BigEndian.PutUint64(buf[8:], uint64(p.ID))
	m := hmac.New(sha256.New, h.key)
	m.Write(buf[:16])
	m.Sum(buf[:16])
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

var errBadCursor = errors.New("bad cursor")

func (h *handWritten) position(s string) (position, error) {
	var buf [handCursorLen]byte
	if base64.RawURLEncoding.DecodedLen(len(s)) != handCursorLen {
		return position{}, errBadCursor
	}
	if _, err := base64.RawURLEncoding.Decode(buf[:], []byte(s)); err != nil {
		return position{}, errBadCursor
	}
	m := hmac.New(sha256.New, h.key)
	m.Write(buf[:16])
	if !hmac.Equal(m.Sum(nil), buf[16:]) {
		return position{}, errBadCursor
	}
	return position{
		CreatedAt: time.Unix(0, int64(binary.BigEndian.Uint64(buf[0:]))).UTC(),
		ID:        int64(binary.BigEndian.Uint64(buf[8:])),
	}, nil
}

func badRequest(w http.ResponseWriter, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{"title": "Bad Request", "status": 400, "detail": detail})
}

// perPageParam reads per_page: 20 if absent, at most 100.
func perPageParam(q url.Values) (int, bool) {
	s := q.Get("per_page")
	if s == "" {
		return perPage, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, false
	}
	return min(n, 100), true
}

// feed serves keyset pages forward (after=) from the first page.
func (h *handWritten) feed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, ok := perPageParam(q)
	if !ok {
		badRequest(w, "per_page must be a positive integer")
		return
	}
	var items []dataset.Item
	var err error
	after := q.Get("after")
	if after == "" {
		err = h.f.firstStmt.SelectContext(r.Context(), &items, n+1)
	} else {
		p, perr := h.position(after)
		if perr != nil {
			badRequest(w, "after is not a valid cursor")
			return
		}
		err = h.f.keysetStmt.SelectContext(r.Context(), &items, p.CreatedAt, p.ID, n+1)
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	env := feedBody{PerPage: n, HasNext: len(items) > n, HasPrev: after != ""}
	if env.HasNext {
		items = items[:n]
	}
	env.Items = items
	if items == nil {
		env.Items = []dataset.Item{}
	}
	var links []string
	base := "http://" + r.Host + r.URL.Path + "?per_page=" + strconv.Itoa(n)
	if env.HasPrev && len(items) > 0 {
		c := h.cursor(position{items[0].CreatedAt, items[0].ID})
		env.PrevCursor = &c
		links = append(links, "<"+base+"&before="+c+`>; rel="prev"`)
	}
	if env.HasNext {
		last := items[len(items)-1]
		c := h.cursor(position{last.CreatedAt, last.ID})
		env.NextCursor = &c
		links = append(links, "<"+base+"&after="+c+`>; rel="next"`)
	}
	h.write(w, env, links)
}

// list serves offset pages with the total.
func (h *handWritten) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, ok := perPageParam(q)
	if !ok {
		badRequest(w, "per_page must be a positive integer")
		return
	}
	page := 1
	if s := q.Get("page"); s != "" {
		var err error
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			badRequest(w, "page must be a positive integer")
			return
		}
	}
	var total int64
	if err := h.f.countStmt.GetContext(r.Context(), &total); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pages := int((total + int64(n) - 1) / int64(n))
	var items []dataset.Item
	if err := h.f.offsetStmt.SelectContext(r.Context(), &items, n, (page-1)*n); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if items == nil {
		items = []dataset.Item{}
	}
	env := listBody{Total: total, Page: page, PerPage: n, Pages: pages, HasNext: page < pages, HasPrev: page > 1, Items: items}
	base := "http://" + r.Host + r.URL.Path + "?per_page=" + strconv.Itoa(n) + "&page="
	links := []string{"<" + base + `1>; rel="first"`}
	if env.HasPrev {
		links = append(links, "<"+base+strconv.Itoa(page-1)+`>; rel="prev"`)
	}
	if env.HasNext {
		links = append(links, "<"+base+strconv.Itoa(page+1)+`>; rel="next"`)
	}
	links = append(links, "<"+base+strconv.Itoa(max(pages, 1))+`>; rel="last"`)
	w.Header().Set("X-Total-Count", strconv.FormatInt(total, 10))
	h.write(w, env, links)
}

func (h *handWritten) write(w http.ResponseWriter, env any, links []string) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(env); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	if len(links) > 0 {
		l := links[0]
		for _, s := range links[1:] {
			l += ", " + s
		}
		hd.Set("Link", l)
	}
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// libraryHandlers returns the library's handlers over l: the feed
// (keyset) and the list (offset, with an exact count).
func libraryHandlers(tb testing.TB, l *library) (feed, list http.Handler) {
	tb.Helper()
	counted, err := paginate.NewOffset(l.backend, l.schema, paginate.OffsetConfig{PerPage: perPage})
	if err != nil {
		tb.Fatal(err)
	}
	if feed, err = httpadapter.Handler(l.keyset, l.schema, httpadapter.Config{}); err != nil {
		tb.Fatal(err)
	}
	if list, err = httpadapter.Handler(counted, l.schema, httpadapter.Config{}); err != nil {
		tb.Fatal(err)
	}
	return feed, list
}

var (
	httpOnce         sync.Once
	libFeed, libList http.Handler
)

// BenchmarkHTTP measures a whole request through httptest: the library's
// httpadapter.Handler over its paginators (impl=library) against the
// hand-written handlers above (impl=handwritten), on SQLite. The feed is
// measured on the first and the last page, the offset list on its first
// page, where the COUNT behind total dominates.
func BenchmarkHTTP(b *testing.B) {
	ctx := context.Background()
	d := sqliteDatabase(b)
	f := floorOf(b, d)
	l := libraryOf(b, d)
	httpOnce.Do(func() { libFeed, libList = libraryHandlers(b, l) })
	hw := &handWritten{f: f, key: signingKey}

	type target struct {
		name        string
		lib, hand   http.Handler
		libQ, handQ string
		offset      int
	}
	var targets []target
	for _, depth := range []int{0, lastPage} {
		off := d.offset(depth)
		libQ, handQ := "per_page=20", "per_page=20"
		if off > 0 {
			c, err := l.after(ctx, off)
			if err != nil {
				b.Fatal(err)
			}
			p, err := f.positionAt(ctx, off-1)
			if err != nil {
				b.Fatal(err)
			}
			libQ += "&after=" + c
			handQ += "&after=" + hw.cursor(p)
		}
		targets = append(targets, target{"strategy=keyset/" + depthName(depth), libFeed, http.HandlerFunc(hw.feed), libQ, handQ, off})
	}
	targets = append(targets, target{"strategy=offset/" + depthName(0), libList, http.HandlerFunc(hw.list), "per_page=20", "per_page=20", 0})

	for _, t := range targets {
		b.Run(t.name, func(b *testing.B) {
			at, err := f.positionAt(ctx, t.offset)
			if err != nil {
				b.Fatal(err)
			}
			impls := []struct {
				name string
				h    http.Handler
				q    string
			}{
				{"handwritten", t.hand, t.handQ},
				{"library", t.lib, t.libQ},
			}
			var bodies []envelope
			for _, im := range impls {
				b.Run("impl="+im.name, func(b *testing.B) {
					target := "http://api.example/items?" + im.q
					env := serveOnce(b, im.h, target)
					if len(env.Items) == 0 || env.Items[0].ID != at.ID {
						b.Fatalf("first item of %s is not id %d", target, at.ID)
					}
					bodies = append(bodies, env)
					loop(b, func() error {
						w := httptest.NewRecorder()
						im.h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil))
						if w.Code != http.StatusOK {
							return fmt.Errorf("status %d", w.Code)
						}
						return nil
					})
				})
			}
			if len(bodies) == 2 && !sameEnvelope(bodies[0], bodies[1]) {
				b.Fatalf("the handlers answered differently:\n%+v\n%+v", bodies[0], bodies[1])
			}
		})
	}
}

// serveOnce serves target and decodes the envelope.
func serveOnce(tb testing.TB, h http.Handler, target string) envelope {
	tb.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	if w.Code != http.StatusOK {
		tb.Fatalf("GET %s: status %d: %s", target, w.Code, w.Body)
	}
	var env envelope
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
	return env
}

// sameEnvelope compares everything but the cursors' text, which differs
// by design.
func sameEnvelope(a, b envelope) bool {
	eqPtr := func(x, y *string) bool { return (x == nil) == (y == nil) }
	eqInt := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eqInt(a.Total, b.Total) && a.Page == b.Page && a.PerPage == b.PerPage &&
		a.HasNext == b.HasNext && a.HasPrev == b.HasPrev &&
		eqPtr(a.NextCursor, b.NextCursor) && eqPtr(a.PrevCursor, b.PrevCursor) &&
		slices.EqualFunc(a.Items, b.Items, func(x, y dataset.Item) bool {
			return x.ID == y.ID && x.Name == y.Name && x.Category == y.Category && x.Price == y.Price &&
				x.CreatedAt.Equal(y.CreatedAt) && (x.Discount == nil) == (y.Discount == nil)
		})
}
