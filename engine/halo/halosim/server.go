// Package halosim is a simulated HaloPSA server (an http.Handler) with seeded
// data and injectable faults, encoded independently of the real client so that
// tests catch its decoding bugs.
package halosim

// Where the fact sheet (HALOPSA-API.md) marks a behaviour UNCONFIRMED and
// production code reports several variants (ticket date filters and
// ordering, paging past the end, page limits, the change-time key, date
// formats), a run-time Behaviour picks one, and Dialects names the
// plausible tenants. Elsewhere the simulator picks the stricter, less
// convenient variant:
//   - timestamps carry no zone and 0-7 fractional digits ("2024-03-05T10:22:31.47");
//   - credentials are read from the form body only, never from Basic auth;
//   - unpaged lists (and count=N) return {"record_count", "<plural>"} with no
//     page_no/page_size; count=N is not capped, pages are capped at PageCap;
//   - without includeactive/includeinactive only active records are listed;
//     sites, users and assets of an inactive client stay active themselves;
//   - idonly=true ignores pageinate and returns every match as {"id":N};
//   - "Closed" is status 8 and status 9 is "On Hold";
//   - every /api request counts against the rolling rate limit, 429s included,
//     and a 429 has a text body and no Retry-After;
//   - ids have gaps; POST /api/Tickets accepts only an array;
//   - renaming a client does not bump its children's last-update fields, and
//     deleting a client leaves its tickets behind.

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default credentials of the simulated API application.
const (
	// DefaultClientID is the client id used when Options.ClientID is empty.
	// Real Halo client ids are GUIDs, so the default looks like one.
	DefaultClientID = "3f6c2a1e-7b4d-4e8a-9c1f-5a0d2b8e6f41"
	// DefaultClientSecret is the secret used when Options.ClientSecret is empty.
	DefaultClientSecret = "halosim-secret"
)

// ErrNotFound is returned by the mutation helpers when the record does not exist.
var ErrNotFound = errors.New("halosim: no such record")

// defaultScopes are the API application's scopes when Options.Scopes is nil.
var defaultScopes = []string{"read:customers", "read:assets", "read:tickets", "edit:tickets"}

// Options configures a Server. Zero values mean the documented default. For
// the counts whose zero means "default" (InactiveClients, UnnamedSites,
// AssetsPerClient, TicketsPerClient) pass a negative number to get none.
type Options struct {
	Seed             int64 // deterministic data from this seed (same seed and clock => byte-identical data)
	Clients          int   // number of clients (default 50)
	SitesPerClient   int   // average sites per client (default 3, minimum 1); the total is exact
	UsersPerClient   int   // average users per client (default 10, minimum 2: the main contact and "General User"); the total is exact
	AssetsPerClient  int   // average assets per client (default 5); the total is exact
	TicketsPerClient int   // average tickets per client (default 2); the total is exact
	InactiveClients  int   // exact number of inactive clients (default Clients/10)
	UnnamedSites     int   // exact number of sites with no "name" key (default about 2% of sites, at least 1)
	OpenTickets      int   // when > 0, exactly this many tickets are open and all others closed (0 = a random mix; more than the total = all open)

	ClientID      string        // API application client id (default DefaultClientID)
	ClientSecret  string        // API application secret (default DefaultClientSecret)
	Tenant        string        // if set, the token endpoint requires ?tenant=<Tenant>
	Scopes        []string      // scopes the API application has (default read:customers read:assets read:tickets edit:tickets)
	TokenLifetime time.Duration // token lifetime, sent as expires_in (default 1h)
	PageCap       int           // largest page size served (default 100)

	Latency    time.Duration // added to every /api resource request (not to token or authinfo)
	RateLimit  int           // requests allowed per rolling RateWindow on /api (0 = no limit)
	RateWindow time.Duration // rolling window of the rate limit (default 5m when RateLimit > 0)
	ErrorRate  float64       // fraction of /api requests answered 500
	DropRate   float64       // fraction of /api requests whose connection is closed without a response

	Behaviour Behaviour // starting behaviour where HaloPSA's is unconfirmed (see SetBehaviour)

	Now func() time.Time // clock for data timestamps and token expiry (default time.Now)
}

// withDefaults returns o with every default filled in. totalSites is not
// known yet, so UnnamedSites is resolved here from the site count.
func (o Options) withDefaults() Options {
	if o.Clients <= 0 {
		o.Clients = 50
	}
	o.SitesPerClient = defaultCount(o.SitesPerClient, 3, 1)
	o.UsersPerClient = defaultCount(o.UsersPerClient, 10, 2)
	o.AssetsPerClient = defaultCount(o.AssetsPerClient, 5, 0)
	o.TicketsPerClient = defaultCount(o.TicketsPerClient, 2, 0)
	o.InactiveClients = min(defaultCount(o.InactiveClients, o.Clients/10, 0), o.Clients)
	sites := o.Clients * o.SitesPerClient
	if o.UnnamedSites == 0 {
		o.UnnamedSites = max(1, (sites+25)/50)
	}
	o.UnnamedSites = min(max(o.UnnamedSites, 0), sites)
	o.OpenTickets = max(o.OpenTickets, 0)
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.Scopes == nil {
		o.Scopes = defaultScopes
	}
	o.Scopes = append([]string(nil), o.Scopes...)
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = time.Hour
	}
	if o.PageCap <= 0 {
		o.PageCap = 100
	}
	if o.RateLimit > 0 && o.RateWindow <= 0 {
		o.RateWindow = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// defaultCount maps 0 to def, negatives to 0, and raises the result to floor.
func defaultCount(v, def, floor int) int {
	switch {
	case v == 0:
		v = def
	case v < 0:
		v = 0
	}
	return max(v, floor)
}

// Server is a simulated HaloPSA instance. Create it with New; it is safe for
// concurrent use by any number of goroutines.
type Server struct {
	opts  Options // immutable after New; fault fields live in faults, the behaviour in beh
	now   func() time.Time
	scope scopeSet // the API application's scopes

	mu   sync.RWMutex // guards data and rng
	data store
	rng  *rand.Rand // continues the seeded stream for AddClient

	// beh is read lock-free by every request; SetBehaviour stores it under
	// mu, because it may re-encode the tickets.
	beh atomic.Pointer[Behaviour]

	auth   authState
	faults faultState
	stats  statsState
	hooks  hookState // webhook queue and counters (webhook.go)

	ticketFaults map[int]ticketFault // guarded by mu (ticketaccess.go)
}

// New builds a Server from o, filling defaults and generating the data set.
func New(o Options) *Server {
	o = o.withDefaults()
	s := &Server{opts: o, now: o.Now, scope: newScopeSet(o.Scopes)}
	s.auth.tokens = make(map[string]tokenInfo)
	s.faults.init(o.Seed, Faults{Latency: o.Latency, RateLimit: o.RateLimit,
		RateWindow: o.RateWindow, ErrorRate: o.ErrorRate, DropRate: o.DropRate})
	s.stats.reset()
	b := o.Behaviour
	s.beh.Store(&b)
	s.rng = rand.New(rand.NewPCG(uint64(o.Seed), 0x4a1e5c0de))
	s.generate()
	return s
}

// Options returns the effective options: defaults filled in, the fault
// fields as last set by SetFaults and the behaviour as last set by
// SetBehaviour.
func (s *Server) Options() Options {
	o := s.opts
	o.Scopes = append([]string(nil), o.Scopes...)
	f := s.faults.get()
	o.Latency, o.RateLimit, o.RateWindow, o.ErrorRate, o.DropRate =
		f.Latency, f.RateLimit, f.RateWindow, f.ErrorRate, f.DropRate
	o.Behaviour = s.Behaviour()
	return o
}

// ServeHTTP serves the token endpoint (/auth/token), the anonymous discovery
// endpoint (/api/authinfo) and the resources under /api. Paths are matched
// case-insensitively.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.ToLower(r.URL.Path)
	s.stats.request(path)
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	switch {
	case path == "/auth/token":
		s.serveToken(w, r)
	case path == "/api/authinfo":
		s.serveAuthInfo(w, r)
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(strings.TrimPrefix(path, "/api"), "/"))
	default:
		writeJSON(w, http.StatusNotFound, messageBody("No HTTP resource was found that matches the request URI."))
	}
}

// serveAPI runs the fault pipeline, authenticates and dispatches one
// resource request. rest is the lower-cased path after "/api/".
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	if !s.applyFaults(w, r) {
		return
	}
	tok, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	name, idPart, hasID := strings.Cut(rest, "/")
	res, found := resources[name]
	if !found || strings.Contains(idPart, "/") || (hasID && idPart == "") {
		writeJSON(w, http.StatusNotFound, messageBody("No HTTP resource was found that matches the request URI."))
		return
	}
	need := res.readScope
	if r.Method == http.MethodPost {
		need = res.editScope
	}
	if need != "" && !tok.scopes.allows(need) {
		s.forbid(w, need)
		return
	}
	switch {
	case r.Method == http.MethodGet && hasID && res.oneQ != nil:
		q, err := parseQuery(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, messageBody(err.Error()))
			return
		}
		res.oneQ(s, w, idPart, q)
	case r.Method == http.MethodGet && hasID:
		res.one(s, w, idPart)
	case r.Method == http.MethodGet:
		q, err := parseQuery(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, messageBody(err.Error()))
			return
		}
		res.list(s, w, q)
	case r.Method == http.MethodPost && res.post != nil && !hasID:
		s.postMaybeLost(w, r, res.post)
	default:
		w.Header().Set("Allow", res.allow())
		writeJSON(w, http.StatusMethodNotAllowed,
			messageBody("The requested resource does not support http method '"+r.Method+"'."))
	}
}

// resource describes one /api collection.
type resource struct {
	readScope, editScope string
	list                 func(s *Server, w http.ResponseWriter, q query)
	one                  func(s *Server, w http.ResponseWriter, id string)
	oneQ                 func(s *Server, w http.ResponseWriter, id string, q query) // instead of one, when the single GET reads its query
	post                 func(s *Server, w http.ResponseWriter, r *http.Request)
}

func (r resource) allow() string {
	if r.post != nil {
		return "GET, POST"
	}
	return "GET"
}

// resources maps the lower-cased collection name to its handlers.
var resources map[string]resource

func init() {
	resources = map[string]resource{
		"client":     {readScope: "read:customers", list: (*Server).listClients, one: (*Server).getClient},
		"site":       {readScope: "read:customers", list: (*Server).listSites, one: (*Server).getSite},
		"users":      {readScope: "read:customers", list: (*Server).listUsers, one: (*Server).getUser},
		"asset":      {readScope: "read:assets", list: (*Server).listAssets, one: (*Server).getAsset},
		"tickets":    {readScope: "read:tickets", editScope: "edit:tickets", list: (*Server).listTickets, one: (*Server).getTicket, post: (*Server).postTickets},
		"status":     {readScope: "read:tickets", list: (*Server).listStatuses, one: (*Server).getStatus},
		"tickettype": {readScope: "read:tickets", list: (*Server).listTicketTypes, one: (*Server).getTicketType},
		"priority":   {readScope: "read:tickets", list: (*Server).listPriorities, one: (*Server).getPriority},
		"outcome":    {readScope: "read:tickets", list: (*Server).listOutcomes, one: (*Server).getOutcome},
		"actions":    {readScope: "read:tickets", editScope: "edit:tickets", list: (*Server).listActions, oneQ: (*Server).getAction, post: (*Server).postActions},
	}
}

// writeJSON sends body with a JSON content type.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
