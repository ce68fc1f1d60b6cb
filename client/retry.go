package client

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter returns the wait a response's Retry-After header asks for
// (RFC 9110, section 10.2.3), and false when it has none or an invalid
// one. An HTTP date is measured against the response's Date header, the
// server's clock, so a client whose clock is off still waits as long as
// asked; without a Date header, against now. A date in the past is no
// wait.
func retryAfter(h http.Header, now func() time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > math.MaxInt64/int64(time.Second) {
			return time.Duration(math.MaxInt64), true // longer than any MaxRetryWait
		}
		return time.Duration(n) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	ref, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		ref = now()
	}
	return max(at.Sub(ref), 0), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// backoff is the wait before attempt+1 when the response asked for none:
// 1s, 2s, 4s, ...
func backoff(attempt int) time.Duration {
	if attempt > 30 {
		return time.Duration(math.MaxInt64)
	}
	return time.Second << (attempt - 1)
}
