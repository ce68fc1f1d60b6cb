package httpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
// Content-Type application/problem+json.
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

// WriteError answers a request that failed to parse or paginate:
//
//   - a request whose context was canceled: nothing is written (the
//     client is gone or the server is shutting down);
//   - [paginate.ErrPageOutOfRange] (a strict paginator's page past the
//     end): 404;
//   - a *paginate.RequestError or *paginate.ParamError: 400, naming every
//     offending parameter as the client wrote it;
//   - a request whose context's deadline has passed (a timeout set by
//     middleware), or [context.DeadlineExceeded] or [context.Canceled]
//     from inside the handler: 503 with a generic body;
//   - anything else: 500 with a generic body.
//
// Bodies of 500 and 503 never carry the error's text; it goes to the
// configured logger instead.
func (p *Parser) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		return
	}
	if ctxErr := r.Context().Err(); errors.Is(ctxErr, context.Canceled) {
		p.logger.DebugContext(r.Context(), "httpadapter: request ended before its page", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	} else if ctxErr != nil && !errors.Is(err, ctxErr) {
		// The deadline passed: the client is still waiting for an answer.
		err = errors.Join(err, ctxErr)
	}
	if errors.Is(err, paginate.ErrPageOutOfRange) {
		detail := "The page is past the last page."
		var pe *paginate.ParamError
		if errors.As(err, &pe) && pe.Reason != "" {
			detail = sentence(pe.Reason)
		}
		WriteProblem(w, newProblem(http.StatusNotFound, detail))
		return
	}
	if params := p.invalidParams(r, err); len(params) > 0 {
		prob := newProblem(http.StatusBadRequest, "")
		total := len(params)
		if len(params) > MaxInvalidParams {
			// A hostile query can hold thousands of bad parameters; the
			// answer should not be larger than the question.
			params = params[:MaxInvalidParams]
		}
		prob.InvalidParams = params
		if total == 1 {
			prob.Detail = "The query parameter " + params[0].Name + " is invalid: " + params[0].Reason + "."
		} else {
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
		}
		WriteProblem(w, prob)
		return
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		p.logger.WarnContext(r.Context(), "httpadapter: page timed out", "method", r.Method, "path", r.URL.Path, "err", err)
		WriteProblem(w, newProblem(http.StatusServiceUnavailable, "The server took too long to answer. Try again later."))
		return
	}
	p.logger.ErrorContext(r.Context(), "httpadapter: page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	WriteProblem(w, newProblem(http.StatusInternalServerError, "The server could not answer the request."))
}

// invalidParams lists the parameters err blames, renamed to the names the
// client used; nil when err is not about the request's parameters.
func (p *Parser) invalidParams(r *http.Request, err error) []InvalidParam {
	var list []*paginate.ParamError
	var qe *queryError
	if errors.As(err, &qe) {
		// From ParseQuery: already named as the client wrote them.
		out := make([]InvalidParam, len(qe.re.Params))
		for i, e := range qe.re.Params {
			out[i] = InvalidParam{Name: e.Param, Reason: e.Reason}
		}
		return out
	}
	var re *paginate.RequestError
	var pe *paginate.ParamError
	switch {
	case errors.As(err, &re):
		list = re.Params
	case errors.As(err, &pe):
		list = []*paginate.ParamError{pe}
	default:
		// A bare sentinel: blame the parameter of its kind.
		for i, s := range [...]error{paginate.ErrInvalidPage, paginate.ErrInvalidPerPage, paginate.ErrInvalidCursor, paginate.ErrInvalidSort, paginate.ErrInvalidField, paginate.ErrInvalidFilter} {
			if errors.Is(err, s) {
				name := [...]string{"page", "per_page", "after", "sort", "fields", "filter"}[i]
				list = []*paginate.ParamError{{Param: name, Reason: reason(err, s), Err: s}}
				break
			}
		}
	}
	if len(list) == 0 {
		return nil
	}
	out := make([]InvalidParam, 0, len(list))
	for _, e := range list {
		if e == nil {
			continue
		}
		out = append(out, InvalidParam{Name: p.clientName(r, e.Param), Reason: e.Reason})
	}
	return out
}

// clientName maps a parameter name the core uses ("per_page",
// "price[gte]") to the name the client wrote: the configured name of a
// standard parameter, or the filter key as given ("category[eq]" for the
// core's "category").
func (p *Parser) clientName(r *http.Request, core string) string {
	if n, ok := p.byCore[core]; ok {
		return n
	}
	if _, std := p.byName[core]; std {
		return core // already a configured name, from ParseQuery
	}
	field, op, ok := splitFilter(core)
	if !ok {
		return core
	}
	if op == "" {
		op = paginate.Eq.String()
	}
	if r == nil || len(r.URL.RawQuery) > p.cfg.MaxQueryLen {
		return core
	}
	for seg := range strings.SplitSeq(r.URL.RawQuery, "&") {
		rawKey, _, _ := strings.Cut(seg, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			continue
		}
		f, o, ok := splitFilter(key)
		if !ok {
			continue
		}
		if o == "" {
			o = paginate.Eq.String()
		}
		if f == field && o == op {
			return key
		}
	}
	return core
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
