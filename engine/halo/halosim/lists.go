package halosim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// paramError is a bad query parameter; its text is the 400 message. An
// empty key means the query string itself is malformed.
type paramError struct{ key, value string }

func (e paramError) Error() string {
	if e.key == "" {
		return "The query string is malformed."
	}
	return "The value '" + e.value + "' is not valid for " + e.key + "."
}

// query holds a request's query parameters with lower-cased keys (ASP.NET
// binds parameter names case-insensitively); only the first value is kept.
type query map[string]string

func parseQuery(r *http.Request) (query, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, paramError{}
	}
	q := make(query, len(vals))
	for k, v := range vals {
		if lk := strings.ToLower(k); len(v) > 0 {
			if _, dup := q[lk]; !dup {
				q[lk] = v[0]
			}
		}
	}
	return q, nil
}

// boolean returns the parameter k, def when absent or empty, and an error
// when it is not a boolean.
func (q query) boolean(k string, def bool) (bool, error) {
	v, ok := q[k]
	if !ok || v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, paramError{key: k, value: v}
	}
	return b, nil
}

// integer returns the parameter k and whether it was present.
func (q query) integer(k string) (int, bool, error) {
	v, ok := q[k]
	if !ok || v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, paramError{key: k, value: v}
	}
	return n, true, nil
}

// filter collects the predicates, ordering and page rules of one list
// request. A request with no predicates is served without scanning the
// table.
type filter[T any] struct {
	q     query
	err   error
	preds []func(T) bool
	none  bool // nothing can match
	// sortKey, when set, orders the matches by its value, ties by id,
	// instead of by id alone; orderdesc reverses the whole order.
	sortKey func(T) int64
	// ignoreOrder makes the list skip orderdesc: always id ascending.
	ignoreOrder bool
	// pageSize, when > 0, is served whatever page_size asks.
	pageSize int
}

func newFilter[T any](q query) *filter[T] { return &filter[T]{q: q} }

func (f *filter[T]) add(p func(T) bool) { f.preds = append(f.preds, p) }

func (f *filter[T]) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// eq keeps records whose field equals the integer parameter k, if present.
func (f *filter[T]) eq(k string, field func(T) int) {
	want, ok, err := f.q.integer(k)
	if err != nil {
		f.fail(err)
	} else if ok {
		f.add(func(r T) bool { return field(r) == want })
	}
}

// active implements includeactive/includeinactive. includeactive defaults
// to true and includeinactive to false, so a request with neither returns
// active records only. A nil inactive means the records are never inactive.
func (f *filter[T]) active(inactive func(T) bool) {
	act, err := f.q.boolean("includeactive", true)
	if err != nil {
		f.fail(err)
		return
	}
	inact, err := f.q.boolean("includeinactive", false)
	if err != nil {
		f.fail(err)
		return
	}
	switch {
	case act && inact:
	case act && inactive != nil:
		f.add(func(r T) bool { return !inactive(r) })
	case act:
	case inact && inactive != nil:
		f.add(inactive)
	default:
		f.none = true
	}
}

// keep returns the combined predicate, nil when every record matches.
func (f *filter[T]) keep() func(T) bool {
	switch {
	case f.none:
		return func(T) bool { return false }
	case len(f.preds) == 0:
		return nil
	}
	return func(r T) bool {
		for _, p := range f.preds {
			if !p(r) {
				return false
			}
		}
		return true
	}
}

// serveOne answers GET /api/<what>/{id} with the bare object or a 404.
func serveOne[T record](s *Server, w http.ResponseWriter, idPart, what string, t *table[T]) {
	id, err := strconv.Atoi(idPart)
	var body []byte
	if err == nil {
		s.mu.RLock()
		if r, ok := t.get(id); ok {
			body = r.body()
		}
		s.mu.RUnlock()
	}
	if body == nil {
		writeJSON(w, http.StatusNotFound, messageBody(fmt.Sprintf("%s %s not found.", what, idPart)))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// contains reports whether s contains the lower-cased needle, ignoring case.
func contains(s, lowerNeedle string) bool {
	return strings.Contains(strings.ToLower(s), lowerNeedle)
}

func badRequest(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, messageBody(err.Error()))
}

func (s *Server) listClients(w http.ResponseWriter, q query) {
	f := newFilter[*client](q)
	f.active(func(c *client) bool { return c.inactive })
	f.eq("toplevel_id", func(c *client) int { return c.toplevelID })
	if search := strings.ToLower(q["search"]); search != "" {
		f.add(func(c *client) bool { return contains(c.name, search) })
	}
	serveList(s, w, q, "clients", &s.data.clients, f)
}

// Sites, users and assets are never inactive themselves: the ones of an
// inactive client stay active, so includeinactive does not hide them.

func (s *Server) listSites(w http.ResponseWriter, q query) {
	f := newFilter[*site](q)
	f.active(nil)
	f.eq("client_id", func(x *site) int { return x.clientID })
	serveList(s, w, q, "sites", &s.data.sites, f)
}

func (s *Server) listUsers(w http.ResponseWriter, q query) {
	f := newFilter[*user](q)
	f.active(nil)
	f.eq("client_id", func(u *user) int { return u.clientID })
	f.eq("site_id", func(u *user) int { return u.siteID })
	if search := strings.ToLower(q["search"]); search != "" {
		f.add(func(u *user) bool { return contains(u.name(), search) || contains(u.email, search) })
	}
	serveList(s, w, q, "users", &s.data.users, f)
}

// listAssets serves GET /api/Asset, at Behaviour.AssetPageSize rows a page
// when that is set.
func (s *Server) listAssets(w http.ResponseWriter, q query) {
	f := newFilter[*asset](q)
	f.pageSize = s.behaviour().AssetPageSize
	f.active(nil)
	f.eq("client_id", func(a *asset) int { return a.clientID })
	f.eq("site_id", func(a *asset) int { return a.siteID })
	f.eq("assettype_id", func(a *asset) int { return a.typeID })
	serveList(s, w, q, "assets", &s.data.assets, f)
}

func (s *Server) getClient(w http.ResponseWriter, id string) {
	serveOne(s, w, id, "Client", &s.data.clients)
}

func (s *Server) getSite(w http.ResponseWriter, id string) {
	serveOne(s, w, id, "Site", &s.data.sites)
}

func (s *Server) getUser(w http.ResponseWriter, id string) {
	serveOne(s, w, id, "User", &s.data.users)
}

func (s *Server) getAsset(w http.ResponseWriter, id string) {
	serveOne(s, w, id, "Asset", &s.data.assets)
}
