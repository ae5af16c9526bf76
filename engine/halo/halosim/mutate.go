package halosim

import (
	"fmt"
	"strings"
)

// Counts is the ground truth of the simulated tenant, for assertions.
type Counts struct {
	Clients            int // all clients
	ActiveClients      int // clients with inactive=false
	Sites              int // all sites
	ActiveClientSites  int // sites whose client is active
	Users              int // all users, "General User" placeholders included
	ActiveClientUsers  int // users whose client is active
	MainContacts       int // users with ismaincontact=true
	Assets             int // all assets
	ActiveClientAssets int // assets whose client is active
	Tickets            int // all tickets
}

// Counts returns the current totals.
func (s *Server) Counts() Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := &s.data
	active := func(clientID int) bool {
		c, ok := st.clients.get(clientID)
		return ok && !c.inactive
	}
	n := Counts{
		Clients: len(st.clients.rows), Sites: len(st.sites.rows), Users: len(st.users.rows),
		Assets: len(st.assets.rows), Tickets: len(st.tickets.rows),
	}
	for _, c := range st.clients.rows {
		if !c.inactive {
			n.ActiveClients++
		}
	}
	for _, x := range st.sites.rows {
		if active(x.clientID) {
			n.ActiveClientSites++
		}
	}
	for _, u := range st.users.rows {
		if active(u.clientID) {
			n.ActiveClientUsers++
		}
		if u.main {
			n.MainContacts++
		}
	}
	for _, a := range st.assets.rows {
		if active(a.clientID) {
			n.ActiveClientAssets++
		}
	}
	return n
}

// ActiveClientIDs returns the ids of the active clients in ascending order.
func (s *Server) ActiveClientIDs() []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int
	for _, c := range s.data.clients.rows {
		if !c.inactive {
			ids = append(ids, c.id)
		}
	}
	return ids
}

// SetClientInactive flags a client inactive or active again and bumps its
// alastupdate. Its sites, users and assets keep their own (active) flags.
func (s *Server) SetClientInactive(id int, inactive bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.data.clients.get(id)
	if !ok {
		return fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	c.inactive = inactive
	c.updated = s.now()
	c.raw = s.data.encodeClient(c)
	return nil
}

// RenameClient changes a client's name and bumps its alastupdate. Sites,
// users, assets and tickets show the new client_name at once, but their own
// last-update timestamps do not move, so an incremental sync keyed on them
// will not see the change.
func (s *Server) RenameClient(id int, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.data.clients.get(id)
	if !ok {
		return fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	c.name = name
	c.updated = s.now()
	s.data.reencodeClient(c)
	return nil
}

// DeleteClient removes a client with its sites, users and assets. Its
// tickets stay, still naming the deleted client, so a client must cope with
// tickets whose client no longer exists.
func (s *Server) DeleteClient(id int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.data
	if _, ok := st.clients.get(id); !ok {
		return fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	st.clients.removeIf(func(c *client) bool { return c.id == id })
	st.sites.removeIf(func(x *site) bool { return x.clientID == id })
	st.users.removeIf(func(u *user) bool { return u.clientID == id })
	st.assets.removeIf(func(a *asset) bool { return a.clientID == id })
	return nil
}

// AddClient creates an active client named name with one site ("Head
// Office"), one main contact and, as Halo does for every client, a "General
// User" placeholder. It returns the new client's id, higher than any before.
func (s *Server) AddClient(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, rng, now := &s.data, s.rng, s.now()
	g := &gen{rng: rng, st: st}
	c := &client{id: nextID(rng, &st.lastClient, 1), name: name, toplevelID: 1, toplevelName: "Customers",
		website: "www." + domainOf(name) + ".com", phone: g.phone(), created: now, updated: now}
	if domainOf(name) == "" {
		c.website = ""
	}
	x := &site{id: nextID(rng, &st.lastSite, 10), clientID: c.id, name: "Head Office", named: true,
		phone: c.phone, line1: "1 " + g.pick(streets), line2: g.pick(towns), postcode: g.postcode(),
		created: now, updated: now}
	c.mainSiteID = x.id
	general := &user{id: nextID(rng, &st.lastUser, 20), clientID: c.id, siteID: x.id,
		firstname: "General", surname: "User", general: true, created: now, updated: now}
	main := &user{id: nextID(rng, &st.lastUser, 20), clientID: c.id, siteID: x.id,
		firstname: g.pick(firstNames), surname: g.pick(surnames), main: true, important: true,
		phone: g.phone(), created: now, updated: now}
	if c.website != "" {
		main.email = strings.ToLower(main.firstname+"."+strings.ReplaceAll(main.surname, "'", "")) +
			"@" + strings.TrimPrefix(c.website, "www.")
	}
	c.mainContactName = main.name()
	st.clients.add(c)
	st.sites.add(x)
	st.users.add(general)
	st.users.add(main)
	c.raw = st.encodeClient(c)
	x.raw = st.encodeSite(x)
	general.raw = st.encodeUser(general)
	main.raw = st.encodeUser(main)
	return c.id
}
