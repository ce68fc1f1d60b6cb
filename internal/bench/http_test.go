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
	"github.com/go-paginate/paginate/internal/apitest"
	"github.com/go-paginate/paginate/internal/dataset"
)

// The hand-written handlers below are what a careful person writes without
// the library, for the same endpoints: they read per_page and after (or
// page), fetch the page through a hand-written pageSource (the floor, or
// sqlx's prepared statements), sign their cursors with HMAC-SHA256, and
// write the same JSON envelope and Link header with encoding/json. Their
// cursors are their own binary format, not the library's.

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
type envelope = apitest.Envelope[dataset.Item]

// handHandler serves the feed and the list by hand, on src.
type handHandler struct {
	src pageSource
	key []byte
}

const handCursorLen = 8 + 8 + sha256.Size

// cursor signs a position: created_at in Unix nanoseconds, id, and the
// HMAC of both, in URL-safe base64.
func (h *handHandler) cursor(p position) string {
	var buf [handCursorLen]byte
	binary.BigEndian.PutUint64(buf[0:], uint64(p.CreatedAt.UnixNano()))
	binary.BigEndian.PutUint64(buf[8:], uint64(p.ID))
	m := hmac.New(sha256.New, h.key)
	m.Write(buf[:16])
	m.Sum(buf[:16])
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

var errBadCursor = errors.New("bad cursor")

func (h *handHandler) position(s string) (position, error) {
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
func (h *handHandler) feed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, ok := perPageParam(q)
	if !ok {
		badRequest(w, "per_page must be a positive integer")
		return
	}
	var p *position
	after := q.Get("after")
	if after != "" {
		pos, err := h.position(after)
		if err != nil {
			badRequest(w, "after is not a valid cursor")
			return
		}
		p = &pos
	}
	pg, err := h.src.keysetPage(r.Context(), n, p)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	items := pg.items
	if items == nil {
		items = []dataset.Item{}
	}
	env := feedBody{PerPage: n, HasNext: pg.hasNext, HasPrev: after != "", Items: items}
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
func (h *handHandler) list(w http.ResponseWriter, r *http.Request) {
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
	total, err := h.src.count(r.Context())
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pages := int((total + int64(n) - 1) / int64(n))
	pg, err := h.src.offsetPage(r.Context(), n, (page-1)*n)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	items := pg.items
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

func (h *handHandler) write(w http.ResponseWriter, env any, links []string) {
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

// httpTarget is one request, served by each approach with its own query
// string.
type httpTarget struct {
	name   string
	offset int // of the page's first row
	impls  []httpImpl
}

type httpImpl struct {
	name   string
	h      http.Handler
	target string
}

// BenchmarkHTTP measures a whole request through httptest, on SQLite: the
// library's httpadapter.Handler over its paginators (impl=library)
// against the hand-written handlers above on the floor (impl=floor) and
// on sqlx's prepared statements (impl=sqlx-prepared). The feed is
// measured on the first and the last page, the offset list on its first
// page, where the COUNT behind total dominates. Before timing, every
// handler's answer is checked: the same envelope (but for the cursors'
// text) and the page's rows.
func BenchmarkHTTP(b *testing.B) {
	ctx := context.Background()
	d := sqliteDatabase(b)
	httpOnce.Do(func() { libFeed, libList = libraryHandlers(b, d.lib) })
	floorH := &handHandler{src: d.floor, key: signingKey}
	sqlxH := &handHandler{src: sqlxPages{d.sqlx, true}, key: signingKey}
	const base = "http://api.example/items?per_page=20"

	var targets []httpTarget
	for _, depth := range []int{0, lastPage} {
		off := d.offset(depth)
		libQ, handQ := base, base
		if off > 0 {
			c, err := d.lib.after(ctx, off)
			if err != nil {
				b.Fatal(err)
			}
			p, err := d.positionAt(ctx, off-1)
			if err != nil {
				b.Fatal(err)
			}
			libQ += "&after=" + c
			handQ += "&after=" + floorH.cursor(p)
		}
		targets = append(targets, httpTarget{"strategy=keyset/" + depthName(depth), off, []httpImpl{
			{implFloor, http.HandlerFunc(floorH.feed), handQ},
			{implSQLXPrepared, http.HandlerFunc(sqlxH.feed), handQ},
			{implLibrary, libFeed, libQ},
		}})
	}
	targets = append(targets, httpTarget{"strategy=offset/" + depthName(0), 0, []httpImpl{
		{implFloor, http.HandlerFunc(floorH.list), base},
		{implSQLXPrepared, http.HandlerFunc(sqlxH.list), base},
		{implLibrary, libList, base},
	}})

	b.Run("db="+d.name, func(b *testing.B) {
		for _, t := range targets {
			b.Run(t.name, func(b *testing.B) {
				if err := checkHTTP(ctx, d, t); err != nil {
					b.Fatal(err)
				}
				as := make([]approach, len(t.impls))
				for i, im := range t.impls {
					as[i] = approach{im.name, func() error {
						w := httptest.NewRecorder()
						im.h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, http.MethodGet, im.target, nil))
						if w.Code != http.StatusOK {
							return fmt.Errorf("status %d", w.Code)
						}
						return nil
					}}
				}
				timeApproaches(b, as)
			})
		}
	})
}

// checkHTTP returns an error unless every handler of t answers with the
// reference page's rows and the same envelope as the first handler.
func checkHTTP(ctx context.Context, d *database, t httpTarget) error {
	want, _, err := d.referenceIDs(ctx, t.offset)
	if err != nil {
		return err
	}
	var first envelope
	for i, im := range t.impls {
		env, err := serveOnce(im.h, im.target)
		if err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		if err := checkItems(env.Items, want); err != nil {
			return fmt.Errorf("%s: GET %s: %w", im.name, im.target, err)
		}
		if i == 0 {
			first = env
		} else if !sameEnvelope(first, env) {
			return fmt.Errorf("%s and %s answered differently:\n%+v\n%+v", t.impls[0].name, im.name, first, env)
		}
	}
	return nil
}

// serveOnce serves target and decodes the envelope.
func serveOnce(h http.Handler, target string) (envelope, error) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	r, err := apitest.Decode[dataset.Item](w.Result())
	if err != nil {
		return envelope{}, fmt.Errorf("GET %s: %w", target, err)
	}
	if r.Status != http.StatusOK {
		return envelope{}, fmt.Errorf("GET %s: status %d: %s", target, r.Status, r.Body)
	}
	return r.Page, nil
}

// eqPtr reports whether x and y are both nil or point to equal values.
func eqPtr[T comparable](x, y *T) bool {
	return (x == nil) == (y == nil) && (x == nil || *x == *y)
}

// sameEnvelope compares the members the hand-written handlers write,
// everything but the cursors' text, which differs by design.
func sameEnvelope(a, b envelope) bool {
	return eqPtr(a.Total, b.Total) && eqPtr(a.Page, b.Page) && eqPtr(a.Pages, b.Pages) && a.PerPage == b.PerPage &&
		a.HasNext == b.HasNext && a.HasPrev == b.HasPrev &&
		(a.NextCursor == nil) == (b.NextCursor == nil) && (a.PrevCursor == nil) == (b.PrevCursor == nil) &&
		slices.EqualFunc(a.Items, b.Items, func(x, y dataset.Item) bool {
			return x.ID == y.ID && x.Name == y.Name && x.Category == y.Category && x.Price == y.Price &&
				x.CreatedAt.Equal(y.CreatedAt) && eqPtr(x.Discount, y.Discount)
		})
}
