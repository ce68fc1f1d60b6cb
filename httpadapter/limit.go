package httpadapter

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// LimitConfig configures [Limit].
type LimitConfig struct {
	// Concurrent is the most requests served at once. Required. Set it
	// to the size of the database pool (sql.DB.SetMaxOpenConns) behind
	// the handlers, so that requests wait here, a bounded number of them,
	// instead of waiting for a connection without bound.
	Concurrent int
	// Queue is the most requests that wait for a turn; a request that
	// finds the queue full is answered at once with a 503 problem and
	// Retry-After. If zero, none wait.
	Queue int
	// MaxWait is the longest a request waits for a turn before it is
	// answered with a 503 problem. If zero, it waits until its context
	// ends.
	MaxWait time.Duration
	// RetryAfter is the Retry-After of the 503 answers, rounded up to
	// whole seconds. If zero, 1 second.
	RetryAfter time.Duration
}

// Limit returns middleware that serves at most cfg.Concurrent requests at
// once and lets at most cfg.Queue more wait, each at most cfg.MaxWait;
// any other request is answered at once with 503 Service Unavailable, an
// RFC 9457 problem and Retry-After. A request whose client goes away
// while it waits is dropped with nothing written. Waiting requests are
// served in the order they came.
//
// The database pool bounds the connections a server opens, but not the
// goroutines waiting for one: under a burst every request waits inside
// database/sql, each holding its memory (and, with cgo drivers such as
// go-sqlite3, an OS thread once it runs), until its client times out.
// Limit bounds them, and tells the clients beyond the bound to come back
// later.
func Limit(cfg LimitConfig) (func(http.Handler) http.Handler, error) {
	switch {
	case cfg.Concurrent < 1:
		return nil, errors.New("httpadapter: LimitConfig.Concurrent must be at least 1")
	case cfg.Queue < 0 || cfg.MaxWait < 0 || cfg.RetryAfter < 0:
		return nil, errors.New("httpadapter: LimitConfig values must not be negative")
	}
	l := &limiter{cfg: cfg, slots: make(chan struct{}, cfg.Concurrent), retryAfter: retryAfter(cfg.RetryAfter)}
	return l.wrap, nil
}

type limiter struct {
	cfg        LimitConfig
	slots      chan struct{} // a request holds one while it is served
	waiting    atomic.Int64
	retryAfter string
}

func (l *limiter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case l.slots <- struct{}{}:
		default:
			if !l.wait(w, r) {
				return
			}
		}
		defer func() { <-l.slots }()
		next.ServeHTTP(w, r)
	})
}

// wait waits for a turn in the queue, reporting whether it got one; when
// not, it has answered the request.
func (l *limiter) wait(w http.ResponseWriter, r *http.Request) bool {
	defer l.waiting.Add(-1)
	if l.waiting.Add(1) > int64(l.cfg.Queue) {
		l.busy(w, "The server is busy. Try again later.")
		return false
	}
	var timeout <-chan time.Time
	if l.cfg.MaxWait > 0 {
		t := time.NewTimer(l.cfg.MaxWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return true
	case <-timeout:
		l.busy(w, "The server is busy. Try again later.")
	case <-r.Context().Done():
		if errors.Is(r.Context().Err(), context.DeadlineExceeded) {
			l.busy(w, "The server took too long to answer. Try again later.")
		}
	}
	return false
}

// busy answers 503 with Retry-After.
func (l *limiter) busy(w http.ResponseWriter, detail string) {
	w.Header().Set("Retry-After", l.retryAfter)
	WriteProblem(w, newProblem(http.StatusServiceUnavailable, detail))
}

// retryAfter returns a Retry-After value: d in whole seconds, rounded up;
// 1 for zero.
func retryAfter(d time.Duration) string {
	if d <= 0 {
		return "1"
	}
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}
