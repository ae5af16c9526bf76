package halo

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// responseError turns a non-2xx answer into an *APIError, reading every
// error body shape HaloPSA is known to send: {"resultCode","errorMessage"},
// {"ClassName","Message"}, {"Message"}, OAuth's {"error"}, and 400
// validation objects keyed by field path such as {"[0].id": "..."}.
func responseError(op string, r *response) error {
	e := &APIError{Op: op, Status: r.status}
	switch {
	case r.status == http.StatusUnauthorized:
		e.Kind = ErrBadCredentials
	case r.status == http.StatusForbidden:
		e.Kind = ErrPermission
	case r.status == http.StatusNotFound:
		e.Kind = ErrNotFound
	case r.status == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
	case r.status == http.StatusBadRequest || r.status == http.StatusUnprocessableEntity:
		e.Kind = ErrValidation
	case r.status >= 500:
		e.Kind = ErrServer
	default:
		e.Kind = ErrNotHalo
	}
	body := bytes.TrimSpace(r.body)
	var obj map[string]json.RawMessage
	if len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &obj) == nil {
		for _, k := range []string{"errorMessage", "Message", "message", "error_description", "error"} {
			if s := jsonString(obj[k]); s != "" {
				e.Message = s
				break
			}
		}
		if e.Kind == ErrValidation {
			for k, v := range obj {
				switch k {
				case "errorMessage", "Message", "message", "error", "error_description", "ClassName", "resultCode":
					continue
				}
				if s := jsonString(v); s != "" {
					if e.Fields == nil {
						e.Fields = map[string]string{}
					}
					e.Fields[k] = s
				}
			}
		}
		return e
	}
	e.Message = shortText(body)
	return e
}

func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

// shortText keeps a plain-text body readable in one log line; HTML pages
// (a proxy's error page, a wrong host) are named rather than dumped.
func shortText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(strings.ToLower(s), "<!doctype") || strings.HasPrefix(s, "<") {
		return "the server answered with a web page, not JSON"
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
