package hostile

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-paginate/paginate/httpadapter"
)

// TestServerDeadline gives each request a deadline in a middleware, the
// common way to bound a handler's time (context.WithTimeout on the
// request's context), and sends a request whose query outlives it: the
// answer is a prompt 503 problem, not an empty 200, and the query stops.
func TestServerDeadline(t *testing.T) {
	e := openEnv(t, "sqlite", 100)
	slowFrom := e.table + " CROSS JOIN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 200000000) SELECT max(x) AS m FROM c) AS slow"
	slow := newHandlers(t, e.db, slowFrom)
	mux := http.NewServeMux()
	mux.Handle("/items", withDeadline(300*time.Millisecond, slow.items))
	mux.Handle("/feed", withDeadline(300*time.Millisecond, slow.feed))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, path := range []string{"/items", "/feed"} {
		start := time.Now()
		res, err := srv.Client().Get(srv.URL + path + "?per_page=5")
		if err != nil {
			t.Fatal(err)
		}
		r := readResponse(t, res)
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Content-Type") != httpadapter.ProblemContentType {
			t.Errorf("%s past its deadline: %d %q %q, want a 503 problem", path, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		// Generous for a loaded machine under -race; the query alone runs
		// for many seconds.
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s took %v", path, d)
		}
	}
	st := e.db.Stats()
	for deadline := time.Now().Add(2 * time.Second); st.InUse != 0 && time.Now().Before(deadline); st = e.db.Stats() {
		time.Sleep(20 * time.Millisecond)
	}
	if st.InUse != 0 {
		t.Errorf("%d connections still busy 2s after the deadline", st.InUse)
	}
}

// withDeadline gives each request a deadline d.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
