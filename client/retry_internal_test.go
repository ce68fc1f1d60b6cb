package client

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	date := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	now := func() time.Time { return date.Add(10 * time.Second) }
	tests := []struct {
		name       string
		retryAfter string
		date       string
		want       time.Duration
		ok         bool
	}{
		{"absent", "", "", 0, false},
		{"seconds", "120", "", 2 * time.Minute, true},
		{"zero", "0", "", 0, true},
		{"spaces", " 5 ", "", 5 * time.Second, true},
		{"leading zeros", "007", "", 7 * time.Second, true},
		{"huge", "99999999999999999999", "", math.MaxInt64, true},
		{"just over int64 nanoseconds", "9223372037", "", math.MaxInt64, true},
		{"negative", "-1", "", 0, false},
		{"fraction", "1.5", "", 0, false},
		{"garbage", "soon", "", 0, false},
		{"IMF-fixdate against Date", "Tue, 04 Mar 2025 05:07:07 GMT", "Tue, 04 Mar 2025 05:06:07 GMT", time.Minute, true},
		{"RFC 850 date", "Tuesday, 04-Mar-25 05:07:07 GMT", "Tue, 04 Mar 2025 05:06:07 GMT", time.Minute, true},
		{"asctime date", "Tue Mar  4 05:07:07 2025", "Tue, 04 Mar 2025 05:06:07 GMT", time.Minute, true},
		{"date against now without Date", "Tue, 04 Mar 2025 05:07:07 GMT", "", 50 * time.Second, true},
		{"date against now with a bad Date", "Tue, 04 Mar 2025 05:07:07 GMT", "yesterday", 50 * time.Second, true},
		{"date in the past", "Tue, 04 Mar 2025 05:00:00 GMT", "Tue, 04 Mar 2025 05:06:07 GMT", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			if tt.date != "" {
				h.Set("Date", tt.date)
			}
			got, ok := retryAfter(h, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("retryAfter(%q, Date %q) = %v, %v; want %v, %v", tt.retryAfter, tt.date, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := backoff(64); got != math.MaxInt64 {
		t.Errorf("backoff(64) = %v", got)
	}
}

// The real sleep ends when the context does.
func TestSleepInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sleep(ctx, time.Hour) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("sleep = %v, want context.Canceled", err)
	}
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep = %v", err)
	}
}

func TestPathLookup(t *testing.T) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(`{"a":{"b":{"c":[1]},"n":null,"s":"x"},"z":0}`), &top); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		value string
		found bool
		err   string
	}{
		{"a.b.c", "[1]", true, ""},
		{"z", "0", true, ""},
		{"a.b.d", "", false, ""},
		{"missing", "", false, ""},
		{"a.n.x.y", "null", true, ""},
		{"a.x.c", "", false, `Config.Next path "a.x.c": no key "a.x"`},
		{"a.s.c", "", false, `Config.Next path "a.s.c": "a.s" is a JSON string, not an object`},
		{"z.c", "", false, `"z" is a JSON number, not an object`},
		{"a.b.c.d", "", false, `"a.b.c" is a JSON array, not an object`},
	}
	for _, tt := range tests {
		p, err := parsePath("Next", tt.path)
		if err != nil {
			t.Fatal(err)
		}
		v, found, err := p.lookup(top)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("lookup(%q) error %v, want %q", tt.path, err, tt.err)
			}
			continue
		}
		if err != nil || string(v) != tt.value || found != tt.found {
			t.Errorf("lookup(%q) = %s, %v, %v; want %s, %v", tt.path, v, found, err, tt.value, tt.found)
		}
	}
}
