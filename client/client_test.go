package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/client"
)

func TestLinkWalk(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/items":        okBody(numbers(1, 3), "Link", `</items?page=2>; rel="next", </items?page=3>; rel="last"`),
		"/items?page=2": okBody(numbers(4, 6), "Link", `</items>; rel="prev"`, "Link", `<?page=3>; rel=next`),
		"/items?page=3": okBody(numbers(7, 7), "Link", `</items?page=2>; rel="prev", </items>; rel="first"`),
	})
	got, err := collect[int](t.Context(), s.URL+"/items", client.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6, 7}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/items", "/items?page=2", "/items?page=3"}, s.uris()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// A relative next link is resolved against the URL that answered, after
// redirects, not the URL first asked for.
func TestRelativeLinkAfterRedirect(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/start":               http.RedirectHandler("/v2/list/?page=1", http.StatusFound).ServeHTTP,
		"/v2/list/?page=1":     okBody(numbers(1, 2), "Link", `<next?page=2>; rel="next"`),
		"/v2/list/next?page=2": okBody(numbers(3, 3)),
	})
	got, err := collect[int](t.Context(), s.URL+"/start", client.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func TestBodyNext(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/posts":         okBody(`{"data":[1,2],"links":{"self":"/posts","next":"/posts?page=2"}}`),
		"/posts?page=2":  okBody(`{"data":[3],"links":{"next":"?page=3"}}`),
		"/posts?page=3":  okBody(`{"data":null,"links":{"next":"?page=4"}}`), // null items: an empty page
		"/posts?page=4":  okBody(`{"data":[4],"links":{"next":"?page=5"}}`),
		"/posts?page=5":  okBody(`{"data":[5],"links":{"next":""}}`),
		"/a":             okBody(`{"data":[1],"links":{"next":"/a2"}}`),
		"/a2":            okBody(`{"data":[2],"links":{"next":null}}`),
		"/b":             okBody(`{"data":[1],"links":{"next":"/b2"}}`),
		"/b2":            okBody(`{"data":[2],"links":{}}`),
		"/c":             okBody(`{"data":[1],"links":null}`),
		"/d":             okBody(`{"data":[1],"next":"/d2"}`),
		"/d2":            okBody(`{"data":[2]}`, "Link", `</d>; rel="next"`), // Link is not where the next page is
		"/nolinks":       okBody(`{"data":[1]}`),
		"/wrongtype":     okBody(`{"data":[1],"links":{"next":3}}`),
		"/linksnotobj":   okBody(`{"data":[1],"links":"x"}`),
		"/linksnotabove": okBody(`{"data":[1],"links":{"next":"%zz"}}`),
	})
	cfg := client.Config{Items: "data", Next: "links.next"}
	runWalks(t, s.URL, []walkCase{
		{"relative links, empty string ends", "/posts", cfg, []int{1, 2, 3, 4, 5}, ""},
		{"null ends", "/a", cfg, []int{1, 2}, ""},
		{"absent last key ends", "/b", cfg, []int{1, 2}, ""},
		{"null object ends", "/c", cfg, []int{1}, ""},
		{"top-level key", "/d", client.Config{Items: "data", Next: "next"}, []int{1, 2}, ""},
		{"missing object is an error", "/nolinks", cfg, []int{1}, "client: GET " + s.URL + `/nolinks: Config.Next path "links.next": no key "links"`},
		{"number is an error", "/wrongtype", cfg, []int{1}, "is a JSON number, not a URL string"},
		{"string object is an error", "/linksnotobj", cfg, []int{1}, `"links" is a JSON string, not an object`},
		{"bad URL is an error", "/linksnotabove", cfg, []int{1}, `"%zz" is not a URL`},
	}, func(t *testing.T, err error) {
		var pe *client.PathError
		if err != nil && (!errors.As(err, &pe) || pe.Field != "Next") {
			t.Errorf("error %v is not a *PathError for Next", err)
		}
	})
}

// walkCase is a walk from path and what it should yield: the items, then
// no error ("") or one containing err.
type walkCase struct {
	name, path string
	cfg        client.Config
	want       []int
	err        string
}

// runWalks runs each walk against the server at base as a subtest, and
// check, if not nil, on each error.
func runWalks(t *testing.T, base string, tests []walkCase, check func(*testing.T, error)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect[int](t.Context(), base+tt.path, tt.cfg)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			checkErr(t, err, tt.err)
			if check != nil {
				check(t, err)
			}
		})
	}
}

// checkErr fails unless err is nil when want is "", or contains want.
func checkErr(tb testing.TB, err error, want string) {
	tb.Helper()
	switch {
	case want == "" && err != nil:
		tb.Errorf("error %v", err)
	case want != "" && err == nil:
		tb.Errorf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		tb.Errorf("error %q does not contain %q", err, want)
	}
}

func TestCursor(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/feed?limit=2":                       okBody(`{"meta":{"next_cursor":"b/c+d=="},"items":[1,2]}`),
		"/feed?after=b%2Fc%2Bd%3D%3D&limit=2": okBody(`{"meta":{"next_cursor":"e"},"items":[3,4]}`),
		"/feed?after=e&limit=2":               okBody(`{"meta":{"next_cursor":null},"items":[5]}`),
		"/pages":                              okBody(`{"next_page":2,"items":[1]}`),
		"/pages?page=2":                       okBody(`{"next_page":12345678901234567890,"items":[2]}`),
		"/pages?page=12345678901234567890":    okBody(`{"next_page":null,"items":[3]}`),
		"/bool":                               okBody(`{"next_page":true,"items":[1]}`),
		"/same":                               okBody(`{"next":"x","items":[1]}`),
		"/same?c=x":                           okBody(`{"next":"x","items":[2]}`),
	})
	runWalks(t, s.URL, []walkCase{
		{"string cursors", "/feed?limit=2", client.Config{Items: "items", Cursor: "meta.next_cursor", CursorParam: "after"}, []int{1, 2, 3, 4, 5}, ""},
		{"page numbers, exactly", "/pages", client.Config{Items: "items", Cursor: "next_page", CursorParam: "page"}, []int{1, 2, 3}, ""},
		{"boolean is an error", "/bool", client.Config{Items: "items", Cursor: "next_page", CursorParam: "page"}, []int{1}, "is a JSON boolean, not a string or a number"},
		{"same cursor twice is a loop", "/same", client.Config{Items: "items", Cursor: "next", CursorParam: "c"}, []int{1, 2}, "client: next page was already fetched"},
	}, nil)
}

func TestLoops(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/p1":     okBody(`[1]`, "Link", `</p2>; rel=next`),
		"/p2":     okBody(`[2]`, "Link", `</p1>; rel=next`),
		"/self":   okBody(`[1]`, "Link", `<>; rel=next`),
		"/frag":   okBody(`[1]`, "Link", `<#more>; rel=next`),
		"/r1":     okBody(`[1]`, "Link", `</r2>; rel=next`),
		"/r2":     http.RedirectHandler("/final2", http.StatusMovedPermanently).ServeHTTP,
		"/final2": okBody(`[2]`, "Link", `</r4>; rel=next`),
		"/r4":     okBody(`[4]`, "Link", `</final2>; rel=next`),
	})
	tests := []struct {
		name, path string
		want       []int
		loop       string
	}{
		{"back to the first page", "/p1", []int{1, 2}, "/p1"},
		{"to itself", "/self", []int{1}, "/self"},
		{"to itself with a fragment", "/frag", []int{1}, "/frag"},
		{"to where a redirect led", "/r1", []int{1, 2, 4}, "/final2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect[int](t.Context(), s.URL+tt.path, client.Config{})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if !errors.Is(err, client.ErrLoop) {
				t.Fatalf("error %v, want ErrLoop", err)
			}
			if !strings.Contains(err.Error(), "fetched: "+s.URL+tt.loop+", named by ") {
				t.Errorf("error %q does not name %s", err, tt.loop)
			}
		})
	}
}

func TestMaxPages(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1": okBody(`[1]`, "Link", `</2>; rel=next`),
		"/2": okBody(`[2]`, "Link", `</3>; rel=next`),
		"/3": okBody(`[3]`),
	})
	got, err := collect[int](t.Context(), s.URL+"/1", client.Config{MaxPages: 2})
	if diff := cmp.Diff([]int{1, 2}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if !errors.Is(err, client.ErrTooManyPages) || !strings.Contains(err.Error(), "(2): next is "+s.URL+"/3") {
		t.Errorf("error %v, want ErrTooManyPages naming /3", err)
	}
	if n := len(s.uris()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	got, err = collect[int](t.Context(), s.URL+"/1", client.Config{MaxPages: 3})
	if err != nil || len(got) != 3 {
		t.Errorf("a bound equal to the pages: %v, %v", got, err)
	}
}

func TestStopOnEmpty(t *testing.T) {
	// An API that always names a next cursor.
	s := serve(t, map[string]http.HandlerFunc{
		"/f":     okBody(`{"items":[1],"next":"a"}`),
		"/f?c=a": okBody(`{"items":[],"next":"b"}`),
		"/f?c=b": okBody(`{"items":[2],"next":"c"}`),
		"/f?c=c": okBody(`{"items":[],"next":"d"}`),
		"/f?c=d": okBody(`{"items":[],"next":"e"}`),
		"/g":     okBody(`{"items":[1],"next":"a"}`),
		"/g?c=a": okBody(`{"items":[],"next":{}}`), // a wrong cursor on an empty page
	})
	cfg := client.Config{Items: "items", Cursor: "next", CursorParam: "c", StopOnEmpty: true}
	got, err := collect[int](t.Context(), s.URL+"/f", cfg)
	if err != nil || !cmp.Equal([]int{1}, got) {
		t.Errorf("StopOnEmpty: %v, %v; want [1]", got, err)
	}
	got, err = collect[int](t.Context(), s.URL+"/g", cfg)
	if err != nil || !cmp.Equal([]int{1}, got) {
		t.Errorf("StopOnEmpty with a wrong cursor on the empty page: %v, %v; want [1]", got, err)
	}
	cfg.StopOnEmpty, cfg.MaxPages = false, 5
	got, err = collect[int](t.Context(), s.URL+"/f", cfg)
	if !errors.Is(err, client.ErrTooManyPages) || !cmp.Equal([]int{1, 2}, got) {
		t.Errorf("without StopOnEmpty: %v, %v; want [1 2] and ErrTooManyPages", got, err)
	}
}

func TestBodyFaults(t *testing.T) {
	big := `[` + strings.Repeat(" ", 2000) + `]`
	s := serve(t, map[string]http.HandlerFunc{
		"/html":      reply(http.StatusOK, "<!doctype html><p>Hello</p>", "Content-Type", "text/html"),
		"/empty":     reply(http.StatusNoContent, ""),
		"/truncated": okBody(`{"items":[1,2`),
		"/trailing":  okBody(`[1] [2]`),
		"/object":    okBody(`{"items":[1]}`),
		"/array":     okBody(`[1]`),
		"/string":    okBody(`"x"`),
		"/items-obj": okBody(`{"items":{"a":1}}`),
		"/nested":    okBody(`{"data":{"items":[1]}}`),
		"/badtype":   okBody(`["a"]`),
		"/big":       okBody(big),
		"/bigchunked": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("["))
			w.(http.Flusher).Flush() // no Content-Length
			w.Write([]byte(big[1:]))
		},
		"/fits": okBody(big[:1023] + "]"),
	})
	var pe *client.PathError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	tests := []struct {
		name, path string
		cfg        client.Config
		err        string
		is         func(error) bool
	}{
		{"HTML", "/html", client.Config{}, "body is not JSON: invalid character '<'", func(err error) bool { return errors.As(err, &se) }},
		{"no content", "/empty", client.Config{}, "body is not JSON: unexpected end of JSON input", nil},
		{"truncated", "/truncated", client.Config{Items: "items"}, "body is not JSON", nil},
		{"two values", "/trailing", client.Config{}, "body is not JSON: invalid character '['", nil},
		{"object without Items", "/object", client.Config{}, "the body is a JSON object, not an array of items", func(err error) bool { return errors.As(err, &pe) && pe.Field == "Items" }},
		{"string without Items", "/string", client.Config{}, "the body is a JSON string, not an array", nil},
		{"array with Items", "/array", client.Config{Items: "items"}, `Config.Items path "items": the body is a JSON array, not an object`, nil},
		{"items path missing", "/object", client.Config{Items: "data"}, `Config.Items path "data": no key "data"`, func(err error) bool { return errors.As(err, &pe) && pe.Path == "data" }},
		{"nested items path missing", "/nested", client.Config{Items: "data.rows"}, `Config.Items path "data.rows": no key "data.rows"`, nil},
		{"items not an array", "/items-obj", client.Config{Items: "items"}, "the value is a JSON object, not an array", nil},
		{"items of another type", "/badtype", client.Config{}, "decode items: json: cannot unmarshal string", func(err error) bool { return errors.As(err, &te) }},
		{"over the bound", "/big", client.Config{MaxBodyBytes: 1024}, "Content-Length 2002, limit 1024", func(err error) bool { return errors.Is(err, client.ErrBodyTooLarge) }},
		{"over the bound, chunked", "/bigchunked", client.Config{MaxBodyBytes: 1024}, "client: response body larger than Config.MaxBodyBytes: GET ", func(err error) bool { return errors.Is(err, client.ErrBodyTooLarge) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect[int](t.Context(), s.URL+tt.path, tt.cfg)
			if len(got) != 0 {
				t.Errorf("items %v before the error", got)
			}
			checkErr(t, err, tt.err)
			if err != nil && !strings.Contains(err.Error(), "GET "+s.URL+tt.path) {
				t.Errorf("error %q does not name the URL", err)
			}
			if tt.is != nil && !tt.is(err) {
				t.Errorf("error %v (%T) is not of the expected type", err, err)
			}
		})
	}
	t.Run("exactly the bound", func(t *testing.T) {
		if _, err := collect[int](t.Context(), s.URL+"/fits", client.Config{MaxBodyBytes: 1024}); err != nil {
			t.Error(err)
		}
	})
}

// The default bound is 16 MiB.
func TestDefaultBodyBound(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/huge": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("["))
			chunk := []byte(strings.Repeat(" ", 1<<16))
			for range 16<<20/len(chunk) + 1 {
				if _, err := w.Write(chunk); err != nil {
					return // the client hung up
				}
			}
			w.Write([]byte("]"))
		},
	})
	_, err := collect[int](t.Context(), s.URL+"/huge", client.Config{})
	if !errors.Is(err, client.ErrBodyTooLarge) || !strings.Contains(err.Error(), "limit 16777216") {
		t.Errorf("error %v, want ErrBodyTooLarge at 16 MiB", err)
	}
}

func TestMalformedLinkHeaders(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/":        okBody(`[1]`, "Link", `</ok>; rel=next`),
		"/ok":      okBody(`[2]`, "Link", `https://example.com/?page=3; rel="next"`),
		"/nogt":    okBody(`[1]`, "Link", `</next; rel="next"`),
		"/quote":   okBody(`[1]`, "Link", `</next>; rel="next`),
		"/garbage": okBody(`[1]`, "Link", `}{ garbage`),
		"/twonext": okBody(`[1]`, "Link", `</a>; rel=next`, "Link", `</b>; rel=next`),
	})
	tests := []struct {
		path   string
		want   []int
		reason string
	}{
		{"/", []int{1, 2}, "a link starts with '<', not 'h'"},
		{"/nogt", []int{1}, "'<' without its '>'"},
		{"/quote", []int{1}, "unterminated quoted string"},
		{"/garbage", []int{1}, "a link starts with '<', not '}'"},
		{"/twonext", []int{1}, "two rel=next links"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := collect[int](t.Context(), s.URL+tt.path, client.Config{})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			var le *client.LinkError
			if !errors.As(err, &le) {
				t.Fatalf("error %v, want a *LinkError", err)
			}
			if !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", le.Reason, tt.reason)
			}
		})
	}
}

func TestOtherHost(t *testing.T) {
	tls := httptest.NewTLSServer(nil)
	defer tls.Close()
	plain := "http://" + strings.TrimPrefix(tls.URL, "https://")
	tls.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			okBody(`[1]`, "Link", `<https://other.example/b>; rel=next`)(w, r)
		case "/c":
			okBody(`[1]`, "Link", `<`+plain+`/d>; rel=next`)(w, r)
		case "/e":
			okBody(`[1]`, "Link", `<ftp://`+strings.TrimPrefix(tls.URL, "https://")+`/f>; rel=next`)(w, r)
		default:
			t.Errorf("request for %s", r.URL)
		}
	})
	for _, path := range []string{"/a", "/c", "/e"} {
		got, err := collect[int](t.Context(), tls.URL+path, client.Config{Client: tls.Client()})
		if !errors.Is(err, client.ErrOtherHost) || !cmp.Equal([]int{1}, got) {
			t.Errorf("%s: %v, %v; want ErrOtherHost", path, got, err)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1":   okBody(`[1]`, "Link", `</404>; rel=next`),
		"/404": reply(http.StatusNotFound, `{"message":"Not Found"}`, "X-Request-Id", "abc"),
		"/500": reply(http.StatusInternalServerError, strings.Repeat("x", 5000)),
		"/502": reply(http.StatusBadGateway, "bad gateway"),
	})
	var slept sleeper
	cfg := client.Config{Sleep: slept.Sleep}
	got, err := collect[int](t.Context(), s.URL+"/1", cfg)
	var se *client.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("error %v, want a *StatusError", err)
	}
	if !cmp.Equal([]int{1}, got) {
		t.Errorf("items %v, want [1]", got)
	}
	if se.StatusCode != 404 || string(se.Body) != `{"message":"Not Found"}` || se.Header.Get("X-Request-Id") != "abc" ||
		se.URL != s.URL+"/404" || se.Attempts != 1 || se.RetryAfter != 0 {
		t.Errorf("StatusError %+v", se)
	}
	if want := `client: GET ` + s.URL + `/404: status 404 Not Found: "{\"message\":\"Not Found\"}"`; err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	for _, p := range []string{"/500", "/502"} {
		_, err := collect[int](t.Context(), s.URL+p, cfg)
		if !errors.As(err, &se) || se.Attempts != 1 || len(se.Body) > 1024 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if se.StatusCode != 502 {
		t.Errorf("status %d", se.StatusCode)
	}
	if w := slept.recorded(); len(w) != 0 {
		t.Errorf("waited %v before retrying a status that is not retried", w)
	}
	if n := len(s.uris()); n != 4 {
		t.Errorf("%d requests, want 4: %v", n, s.uris())
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		url  string
		cfg  client.Config
		err  string
	}{
		{"Next and Cursor", "http://127.0.0.1/", client.Config{Items: "a", Next: "n", Cursor: "c", CursorParam: "p"}, "Config.Next and Config.Cursor are both set"},
		{"Cursor without param", "http://127.0.0.1/", client.Config{Items: "a", Cursor: "c"}, "without Config.CursorParam"},
		{"param without Cursor", "http://127.0.0.1/", client.Config{Items: "a", CursorParam: "p"}, "without Config.Cursor"},
		{"Next without Items", "http://127.0.0.1/", client.Config{Next: "n"}, "Config.Items (the path to its items) is empty"},
		{"empty key", "http://127.0.0.1/", client.Config{Items: "data..items"}, `Config.Items path "data..items" has an empty key`},
		{"trailing dot", "http://127.0.0.1/", client.Config{Items: "data", Next: "links."}, `Config.Next path "links." has an empty key`},
		{"negative MaxPages", "http://127.0.0.1/", client.Config{MaxPages: -1}, "Config.MaxPages is negative"},
		{"negative MaxBodyBytes", "http://127.0.0.1/", client.Config{MaxBodyBytes: -1}, "Config.MaxBodyBytes is negative"},
		{"negative MaxAttempts", "http://127.0.0.1/", client.Config{MaxAttempts: -1}, "Config.MaxAttempts is negative"},
		{"negative MaxRetryWait", "http://127.0.0.1/", client.Config{MaxRetryWait: -1}, "Config.MaxRetryWait is negative"},
		{"relative URL", "/items", client.Config{}, `"/items" is not an absolute http or https URL`},
		{"other scheme", "ftp://127.0.0.1/items", client.Config{}, "is not an absolute http or https URL"},
		{"bad URL", "http://127.0.0.1/%zz", client.Config{}, "invalid URL escape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, err := range client.Items[int](t.Context(), tt.url, tt.cfg) {
				n++
				checkErr(t, err, tt.err)
			}
			if n != 1 {
				t.Errorf("%d values, want one error", n)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1": okBody(`[1]`, "Link", `</2>; rel=next`),
		"/2": okBody(`[2]`),
	})
	header := http.Header{"Authorization": {"Bearer t0ken"}, "X-Api-Version": {"2"}}
	if _, err := collect[int](t.Context(), s.URL+"/1", client.Config{Header: header}); err != nil {
		t.Fatal(err)
	}
	if _, err := collect[int](t.Context(), s.URL+"/1", client.Config{Header: http.Header{"Accept": {"application/vnd.github+json"}}}); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, r := range reqs[:2] {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer t0ken" || r.Header.Get("X-Api-Version") != "2" || r.Header.Get("Accept") != "application/json" {
			t.Errorf("request %d: %s %v", i, r.Method, r.Header)
		}
	}
	for i, r := range reqs[2:] {
		if got := r.Header.Values("Accept"); !cmp.Equal([]string{"application/vnd.github+json"}, got) {
			t.Errorf("request %d: Accept %q", i+2, got)
		}
	}
	if len(header) != 2 {
		t.Errorf("Config.Header was changed: %v", header)
	}
}

// Every response body is closed: pages, failures, retries, oversized
// bodies, and a loop broken by the caller.
func TestBodiesClosed(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1":     okBody(`[1,2]`, "Link", `</2>; rel=next`),
		"/2":     okBody(`[3]`),
		"/503":   reply(http.StatusServiceUnavailable, "busy", "Retry-After", "1"),
		"/big":   okBody(`[` + strings.Repeat(" ", 100) + `]`),
		"/link":  okBody(`[1]`, "Link", `<x`),
		"/notjs": okBody(`nope`),
	})
	var slept sleeper
	counter := &bodyCounter{}
	cfg := client.Config{Client: &http.Client{Transport: counter}, Sleep: slept.Sleep, MaxBodyBytes: 50}
	for _, p := range []string{"/1", "/503", "/big", "/link", "/notjs"} {
		collect[int](t.Context(), s.URL+p, cfg)
	}
	for range client.Items[int](t.Context(), s.URL+"/1", cfg) {
		break
	}
	counter.check(t)
	if counter.opened != 2+4+1+1+1+1 {
		t.Errorf("%d bodies, want 10", counter.opened)
	}
}

func TestBreakStopsRequests(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{
		"/1": okBody(`[1,2]`, "Link", `</2>; rel=next`),
		"/2": okBody(`[3]`),
	})
	seq := client.Items[int](t.Context(), s.URL+"/1", client.Config{})
	for v, err := range seq {
		if err != nil || v != 1 {
			t.Fatalf("first value %v, %v", v, err)
		}
		break
	}
	if n := len(s.uris()); n != 1 {
		t.Errorf("%d requests after a break on the first item, want 1", n)
	}
	// Ranging again walks again from the first URL.
	var got []int
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !cmp.Equal([]int{1, 2, 3}, got) {
		t.Errorf("second walk %v", got)
	}
}

func TestDefaultClient(t *testing.T) {
	s := serve(t, map[string]http.HandlerFunc{"/": okBody(`[{"id":1},{"id":2}]`)})
	got, err := collect[struct{ ID int }](context.Background(), s.URL+"/", client.Config{})
	if err != nil || len(got) != 2 || got[1].ID != 2 {
		t.Errorf("%v, %v", got, err)
	}
}
