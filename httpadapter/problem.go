package httpadapter

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-paginate/paginate"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object.
type Problem struct {
	// Type is a URI naming the problem type; "about:blank" when the
	// status says enough.
	Type string `json:"type"`
	// Title is a short summary of the problem type; with "about:blank",
	// the status's reason phrase.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence of the problem.
	Detail string `json:"detail"`
	// InvalidParams names each offending query parameter, for 400s.
	InvalidParams []InvalidParam `json:"invalid_params,omitempty"`
}

// InvalidParam is one offending query parameter in a [Problem].
type InvalidParam struct {
	// Name is the query parameter as the client wrote it.
	Name string `json:"name"`
	// Reason says what is wrong with it.
	Reason string `json:"reason"`
}

// WriteProblem writes p as the response, with its Status and
// Content-Type application/problem+json, removing any Link and
// X-Total-Count headers already set.
func WriteProblem(w http.ResponseWriter, p *Problem) {
	body, err := json.Marshal(p)
	if err != nil {
		// A Problem holds only strings and ints; this cannot happen.
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	h := w.Header()
	h.Del("Link")
	h.Del("X-Total-Count")
	h.Set("Content-Type", ProblemContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	w.Write(body)
}

// MaxInvalidParams is the most parameters a 400 problem lists; its detail
// says how many were invalid in all.
const MaxInvalidParams = 20

// newProblem returns an about:blank problem for status.
func newProblem(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// badRequest is the 400 problem listing params (at most MaxInvalidParams
// of them: a hostile query can hold thousands of bad parameters, and the
// answer should not be larger than the question).
func badRequest(params []InvalidParam) *Problem {
	prob := newProblem(http.StatusBadRequest, "")
	total := len(params)
	if len(params) > MaxInvalidParams {
		params = params[:MaxInvalidParams]
	}
	prob.InvalidParams = params
	if total == 1 {
		prob.Detail = "The query parameter " + params[0].Name + " is invalid: " + params[0].Reason + "."
		return prob
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(total))
	b.WriteString(" query parameters are invalid")
	if total > len(params) {
		b.WriteString(", the first ")
		b.WriteString(strconv.Itoa(len(params)))
		b.WriteString(" listed")
	}
	b.WriteString(": ")
	for i, ip := range params {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(ip.Name)
		b.WriteString(": ")
		b.WriteString(ip.Reason)
	}
	b.WriteByte('.')
	prob.Detail = b.String()
	return prob
}

// invalidParams lists a parse error's parameters, already named as the
// client wrote them.
func (e *queryError) invalidParams() []InvalidParam {
	out := make([]InvalidParam, len(e.re.Params))
	for i, pe := range e.re.Params {
		out[i] = InvalidParam{Name: pe.Param, Reason: pe.Reason}
	}
	return out
}

// WriteError answers a request that failed to parse or paginate. q is the
// parsed query the request was paginated with, used to name parameters as
// the client wrote them; it is nil when parsing failed (the parse error
// names them itself).
//
//   - a request whose context was canceled: nothing is written (the
//     client is gone or the server is shutting down);
//   - [paginate.ErrPageOutOfRange] (a strict paginator's page past the
//     end): 404;
//   - a *paginate.RequestError or *paginate.ParamError, or an error
//     wrapping one of the core's sentinels for bad input: 400, naming
//     every offending parameter;
//   - a request whose context's deadline has passed (a timeout set by
//     middleware), or [context.DeadlineExceeded] or [context.Canceled]
//     from inside the handler: 503 with a generic body and Retry-After
//     ([WriterConfig.RetryAfter]);
//   - [driver.ErrBadConn]: 503 and Retry-After too. database/sql returns
//     it when every connection it tried was broken, which happens to a
//     request that follows a burst of timed-out ones (pgx closes a
//     connection whose context ended, and the pool finds out only when it
//     hands that connection to the next request): a condition that
//     passes, not a fault in the request or the server;
//   - anything else: 500 with a generic body.
//
// Bodies of 500 and 503 never carry the error's text; it goes to
// [WriterConfig.Logger] instead.
func (w *Writer[T]) WriteError(rw http.ResponseWriter, r *http.Request, q *ParsedQuery, err error) {
	if err == nil {
		return
	}
	ctx := r.Context()
	ctxErr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && ctxErr == nil && !time.Now().Before(d) {
		// A driver's own timer for the deadline (a dial's, a socket's)
		// can fire a moment before the context's, and its error is not
		// the context's: past the deadline, it is the deadline's.
		ctxErr = context.DeadlineExceeded
	}
	if errors.Is(ctxErr, context.Canceled) {
		w.logger.DebugContext(ctx, "httpadapter: request ended before its page", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	} else if ctxErr != nil && !errors.Is(err, ctxErr) {
		// The deadline passed: the client is still waiting for an answer.
		err = errors.Join(err, ctxErr)
	}
	prob := w.problemFor(q, err)
	switch prob.Status {
	case http.StatusServiceUnavailable:
		rw.Header().Set("Retry-After", w.retryAfter)
		msg := "httpadapter: page timed out"
		if !timedOut(err) {
			msg = "httpadapter: page unavailable: database connections broken"
		}
		w.logger.WarnContext(ctx, msg, "method", r.Method, "path", r.URL.Path, "err", err)
	case http.StatusInternalServerError:
		w.logger.ErrorContext(ctx, "httpadapter: page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	WriteProblem(rw, prob)
}

// problemFor maps err to its problem.
func (w *Writer[T]) problemFor(q *ParsedQuery, err error) *Problem {
	if errors.Is(err, paginate.ErrPageOutOfRange) {
		detail := "The page is past the last page."
		var pe *paginate.ParamError
		if errors.As(err, &pe) && pe.Reason != "" {
			detail = sentence(pe.Reason)
		}
		return newProblem(http.StatusNotFound, detail)
	}
	if params := w.invalidParams(q, err); len(params) > 0 {
		return badRequest(params)
	}
	if timedOut(err) {
		return newProblem(http.StatusServiceUnavailable, "The server took too long to answer. Try again later.")
	}
	if errors.Is(err, driver.ErrBadConn) {
		return newProblem(http.StatusServiceUnavailable, "The server could not answer the request now. Try again later.")
	}
	return newProblem(http.StatusInternalServerError, "The server could not answer the request.")
}

// timedOut reports whether err is a context's: the page ran out of time
// (or its request was canceled).
func timedOut(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// invalidParams lists the parameters err blames, named as the client
// wrote them; nil when err is not about the request's parameters.
func (w *Writer[T]) invalidParams(q *ParsedQuery, err error) []InvalidParam {
	var qe *queryError
	if errors.As(err, &qe) {
		return qe.invalidParams()
	}
	list := paramErrors(err)
	out := make([]InvalidParam, 0, len(list))
	for _, e := range list {
		if e != nil {
			out = append(out, InvalidParam{Name: w.parser.clientName(q, e.Param), Reason: e.Reason})
		}
	}
	return out
}

// paramErrors returns the parameter errors in err. A bare sentinel of the
// core's, without a *paginate.ParamError (which only a paginator of
// another package returns), blames the parameter of its kind with a fixed
// reason.
func paramErrors(err error) []*paginate.ParamError {
	var re *paginate.RequestError
	if errors.As(err, &re) {
		return re.Params
	}
	var pe *paginate.ParamError
	if errors.As(err, &pe) {
		return []*paginate.ParamError{pe}
	}
	for _, s := range [...]struct {
		sentinel      error
		param, reason string
	}{
		{paginate.ErrInvalidPage, "page", "not a valid page"},
		{paginate.ErrInvalidPerPage, "per_page", "not a valid page size"},
		{paginate.ErrInvalidCursor, "after", "not a valid cursor"},
		{paginate.ErrInvalidSort, "sort", reasonSort},
		{paginate.ErrInvalidField, "fields", reasonFields},
		{paginate.ErrInvalidInclude, "include", reasonInclude},
		{paginate.ErrInvalidFilter, "filter", reasonFilter},
	} {
		if errors.Is(err, s.sentinel) {
			return []*paginate.ParamError{{Param: s.param, Reason: s.reason, Err: s.sentinel}}
		}
	}
	return nil
}

// The reasons given for errors that carry none of their own.
const (
	reasonSort    = "not a valid sort"
	reasonFields  = "not a valid list of fields"
	reasonInclude = "not a valid list of relations"
	reasonFilter  = "not a valid filter"
)

func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
