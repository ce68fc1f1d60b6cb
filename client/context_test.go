package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/client"
)

// Cancelling the context from inside the loop ends the walk with
// ctx.Err() at the next item, without another request.
func TestCancelBetweenItems(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1": okBody(`[1,2,3,4,5]`, "Link", `</2>; rel=next`),
		"/2": okBody(`[6]`),
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []int
	var errs []error
	for v, err := range client.Items[int](ctx, s.URL+"/1", client.Config{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, v)
		if v == 3 {
			cancel()
		}
	}
	if !cmp.Equal([]int{1, 2, 3}, got) {
		t.Errorf("items %v, want [1 2 3]", got)
	}
	if len(errs) != 1 || errs[0] != context.Canceled {
		t.Errorf("errors %v, want [context.Canceled]", errs)
	}
	if n := len(s.uris()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// Cancelling between pages stops before the next request.
func TestCancelBetweenPages(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1": okBody(`[1,2]`, "Link", `</2>; rel=next`),
		"/2": okBody(`[3]`),
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []int
	var last error
	for v, err := range client.Items[int](ctx, s.URL+"/1", client.Config{}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, v)
		if v == 2 { // the last item of the page
			cancel()
		}
	}
	if !cmp.Equal([]int{1, 2}, got) || !errors.Is(last, context.Canceled) {
		t.Errorf("%v, %v; want [1 2], context.Canceled", got, last)
	}
	if n := len(s.uris()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// Cancelling while a request is in flight ends the walk with ctx.Err();
// the server sees the request's context end.
func TestCancelDuringRequest(t *testing.T) {
	arrived, released := make(chan struct{}), make(chan struct{})
	s := serve(t, map[string]http.HandlerFunc{
		"/1": okBody(`[1]`, "Link", `</slow>; rel=next`),
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done() // the client hung up
			close(released)
		},
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	got, err := collect[int](ctx, s.URL+"/1", client.Config{})
	if !cmp.Equal([]int{1}, got) || err != context.Canceled {
		t.Errorf("%v, %v; want [1], context.Canceled", got, err)
	}
	<-released
}

// A wait for Retry-After ends when the context does, with the real sleep
// (a wait of an hour that was not interrupted would time the test out).
func TestCancelDuringRetryWait(t *testing.T) {
	answered := make(chan struct{})
	s := serve(t, map[string]http.HandlerFunc{
		"/1": sequence(
			func(w http.ResponseWriter, r *http.Request) {
				reply(http.StatusTooManyRequests, "", "Retry-After", "3600")(w, r)
				close(answered)
			},
			func(w http.ResponseWriter, r *http.Request) {
				t.Error("the request was retried after the context ended")
			}),
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		<-answered
		cancel()
	}()
	got, err := collect[int](ctx, s.URL+"/1", client.Config{MaxRetryWait: 2 * time.Hour})
	if len(got) != 0 || err != context.Canceled {
		t.Errorf("%v, %v; want no items, context.Canceled", got, err)
	}
}

// A context that has ended before the walk starts sends no request.
func TestCancelledBeforeStart(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := collect[int](ctx, s.URL+"/1", client.Config{})
	if len(got) != 0 || err != context.Canceled {
		t.Errorf("%v, %v", got, err)
	}
	if n := len(s.uris()); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// A deadline is reported as context.DeadlineExceeded.
func TestDeadline(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/slow": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	_, err := collect[int](ctx, s.URL+"/slow", client.Config{})
	if err != context.DeadlineExceeded {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
}
