package halosim

import (
	"slices"
	"time"
)

// record is a stored row: it has an id and a pre-encoded JSON body. Bodies
// are never modified in place, only replaced (under the write lock), so a
// reader may keep a body after releasing the read lock.
type record interface {
	comparable
	ident() int
	body() []byte
}

type client struct {
	id              int
	name            string
	inactive        bool
	toplevelID      int
	toplevelName    string
	website         string
	phone           string
	mainSiteID      int
	mainContactName string
	colour          string
	vip             bool
	created         time.Time
	updated         time.Time
	raw             []byte
}

type site struct {
	id       int
	clientID int
	name     string // "" with named=false means the key is absent
	named    bool
	phone    string
	line1    string
	line2    string
	postcode string
	created  time.Time
	updated  time.Time
	raw      []byte
}

type user struct {
	id        int
	clientID  int
	siteID    int
	firstname string
	surname   string
	email     string
	phone     string
	main      bool // ismaincontact
	important bool
	general   bool // the client's "General User" placeholder
	created   time.Time
	updated   time.Time
	raw       []byte
}

type asset struct {
	id        int
	clientID  int
	siteID    int
	inventory string
	keyField  string
	serial    string
	typeID    int
	updated   time.Time
	modified  time.Time
	raw       []byte
}

type ticket struct {
	id         int
	clientID   int
	siteID     int
	userID     int
	statusID   int
	typeID     int
	priorityID int
	summary    string
	details    string
	category1  string // category_1, e.g. "Hardware>Laptop"
	occurred   time.Time
	created    time.Time
	lastUpdate time.Time
	lastAction time.Time
	closedAt   time.Time
	closed     bool // hasbeenclosed: stays true once the ticket was closed
	// Names captured when the ticket was written, shown if the client,
	// site or user is deleted later.
	clientName, siteName, userName string
	raw                            []byte
}

func (c *client) ident() int   { return c.id }
func (c *client) body() []byte { return c.raw }
func (x *site) ident() int     { return x.id }
func (x *site) body() []byte   { return x.raw }
func (u *user) ident() int     { return u.id }
func (u *user) body() []byte   { return u.raw }
func (a *asset) ident() int    { return a.id }
func (a *asset) body() []byte  { return a.raw }
func (t *ticket) ident() int   { return t.id }
func (t *ticket) body() []byte { return t.raw }

func (u *user) name() string {
	if u.general {
		return "General User"
	}
	return u.firstname + " " + u.surname
}

// table holds records ordered by ascending id, plus an index by id.
type table[T record] struct {
	rows []T
	byID map[int]T
}

func newTable[T record](capacity int) table[T] {
	return table[T]{rows: make([]T, 0, capacity), byID: make(map[int]T, capacity)}
}

// add inserts r, keeping rows ordered by id.
func (t *table[T]) add(r T) {
	t.byID[r.ident()] = r
	if n := len(t.rows); n == 0 || t.rows[n-1].ident() < r.ident() {
		t.rows = append(t.rows, r)
		return
	}
	i, _ := slices.BinarySearchFunc(t.rows, r.ident(), func(x T, id int) int { return x.ident() - id })
	t.rows = slices.Insert(t.rows, i, r)
}

func (t *table[T]) get(id int) (T, bool) {
	r, ok := t.byID[id]
	return r, ok
}

// removeIf deletes every record for which drop returns true.
func (t *table[T]) removeIf(drop func(T) bool) {
	t.rows = slices.DeleteFunc(t.rows, func(r T) bool {
		if drop(r) {
			delete(t.byID, r.ident())
			return true
		}
		return false
	})
}

// store is the whole simulated tenant. It is guarded by Server.mu.
type store struct {
	clients table[*client]
	sites   table[*site]
	users   table[*user]
	assets  table[*asset]
	tickets table[*ticket]
	// actionsOf lists each ticket's actions, oldest first; an action's id
	// is its place in the list (ids are per ticket).
	actionsOf map[int][]*action
	// last ids handed out, so new records get higher ids than any before
	lastClient, lastSite, lastUser, lastAsset, lastTicket int
	enc                                                   ticketEncoding // how ticket bodies are written (SetBehaviour)
}

// siteName returns the site's name, "" when it has none or is gone.
func (st *store) siteName(id int) string {
	if x, ok := st.sites.get(id); ok {
		return x.name
	}
	return ""
}

func (st *store) clientName(id int) string {
	if c, ok := st.clients.get(id); ok {
		return c.name
	}
	return ""
}

// generalUser returns the client's "General User" placeholder, if any.
func (st *store) generalUser(clientID int) *user {
	for _, u := range st.users.rows {
		if u.clientID == clientID && u.general {
			return u
		}
	}
	return nil
}

// reencodeClient refreshes the bodies of a client and of every record that
// shows its name. Only the client's own timestamp is bumped by callers: the
// children's last-update fields stay as they were, as a denormalised join
// would leave them.
func (st *store) reencodeClient(c *client) {
	c.raw = st.encodeClient(c)
	for _, x := range st.sites.rows {
		if x.clientID == c.id {
			x.raw = st.encodeSite(x)
		}
	}
	for _, u := range st.users.rows {
		if u.clientID == c.id {
			u.raw = st.encodeUser(u)
		}
	}
	for _, a := range st.assets.rows {
		if a.clientID == c.id {
			a.raw = st.encodeAsset(a)
		}
	}
	for _, t := range st.tickets.rows {
		if t.clientID == c.id {
			t.clientName = c.name
			t.raw = st.encodeTicket(t)
		}
	}
}
