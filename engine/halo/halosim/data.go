package halosim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dataEpoch anchors generated timestamps, so that the same seed gives
// byte-identical data whatever the wall clock says. If Options.Now is earlier
// than the epoch, the data is anchored at Now truncated to the hour instead,
// so generated records never lie in the clock's future. Records changed
// later (mutation helpers, POST) are stamped with Options.Now.
var dataEpoch = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

const year = 365 * 24 * time.Hour

// gen generates the seeded tenant.
type gen struct {
	rng     *rand.Rand
	st      *store
	anchor  time.Time
	names   map[string]bool
	created []string // client names in creation order, for near-duplicates
	tickets []*ticket
}

// generate fills s.data from the options. It runs once, from New.
func (s *Server) generate() {
	o := s.opts
	anchor := dataEpoch
	if now := s.now().UTC(); now.Before(anchor) {
		anchor = now.Truncate(time.Hour)
	}
	n := o.Clients
	s.data = store{
		clients:   newTable[*client](n),
		sites:     newTable[*site](n * o.SitesPerClient),
		users:     newTable[*user](n * o.UsersPerClient),
		assets:    newTable[*asset](n * o.AssetsPerClient),
		tickets:   newTable[*ticket](n * o.TicketsPerClient),
		actionsOf: map[int][]*action{},
		enc:       o.Behaviour.encoding(),
	}
	g := &gen{rng: s.rng, st: &s.data, anchor: anchor, names: make(map[string]bool, n)}
	sitesN := spread(g.rng, n, o.SitesPerClient, 1)
	usersN := spread(g.rng, n, o.UsersPerClient, 2)
	assetsN := spread(g.rng, n, o.AssetsPerClient, 0)
	ticketsN := spread(g.rng, n, o.TicketsPerClient, 0)
	inactive := choose(g.rng, n, o.InactiveClients)
	unnamed := choose(g.rng, n*o.SitesPerClient, o.UnnamedSites)
	// open stays nil without OpenTickets, so the default data set draws
	// exactly the random numbers it always drew.
	var open []bool
	if o.OpenTickets > 0 {
		open = choose(g.rng, n*o.TicketsPerClient, o.OpenTickets)
	}
	first, firstTicket := 0, 0
	for i := range n {
		var ticketsOpen []bool
		if open != nil {
			ticketsOpen = open[firstTicket : firstTicket+ticketsN[i]]
		}
		g.client(inactive[i], unnamed[first:first+sitesN[i]], usersN[i], assetsN[i], ticketsN[i], ticketsOpen)
		first += sitesN[i]
		firstTicket += ticketsN[i]
	}
	// Ticket ids follow the date opened, as they do in a real tenant.
	slices.SortStableFunc(g.tickets, func(a, b *ticket) int { return a.occurred.Compare(b.occurred) })
	for _, t := range g.tickets {
		t.id = nextID(g.rng, &g.st.lastTicket, 1000)
		g.st.tickets.add(t)
	}
	s.data.encodeAll()
}

// encodeAll (re)builds every record body.
func (st *store) encodeAll() {
	for _, c := range st.clients.rows {
		c.raw = st.encodeClient(c)
	}
	for _, x := range st.sites.rows {
		x.raw = st.encodeSite(x)
	}
	for _, u := range st.users.rows {
		u.raw = st.encodeUser(u)
	}
	for _, a := range st.assets.rows {
		a.raw = st.encodeAsset(a)
	}
	for _, t := range st.tickets.rows {
		t.raw = st.encodeTicket(t)
	}
}

// spread returns n counts averaging per, each at least floor, summing to
// exactly n*per, varied by random one-unit transfers between entries.
func spread(rng *rand.Rand, n, per, floor int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = per
	}
	if per > floor && n > 1 {
		for range n * per / 2 {
			a, b := rng.IntN(n), rng.IntN(n)
			if c[a] > floor {
				c[a]--
				c[b]++
			}
		}
	}
	return c
}

// choose marks exactly k of n positions, chosen at random.
func choose(rng *rand.Rand, n, k int) []bool {
	out := make([]bool, n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := range min(k, n) {
		j := i + rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
		out[idx[i]] = true
	}
	return out
}

// nextID advances *last by one, sometimes more (real tenants have gaps from
// deleted records), starting above base.
func nextID(rng *rand.Rand, last *int, base int) int {
	if *last < base {
		*last = base
	}
	step := 1
	if rng.IntN(8) == 0 {
		step += 1 + rng.IntN(3)
	}
	*last += step
	return *last
}

// jitter gives t a whole-second, millisecond or 100 ns precision, so the
// wire shows 0, 1-3 and up to 7 fractional digits.
func (g *gen) jitter(t time.Time) time.Time {
	t = t.Truncate(time.Second)
	switch g.rng.IntN(3) {
	case 1:
		t = t.Add(time.Duration(g.rng.IntN(1000)) * time.Millisecond)
	case 2:
		t = t.Add(time.Duration(g.rng.IntN(10_000_000)) * 100)
	}
	return t
}

// between returns a time in [a, b).
func (g *gen) between(a, b time.Time) time.Time {
	if span := b.Sub(a) - time.Second; span > 0 {
		a = a.Add(time.Duration(g.rng.Int64N(int64(span))))
	}
	return g.jitter(a)
}

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// companyName returns a realistic, normally unique client name; about 1 in
// 100 is a near-duplicate of an earlier one ("Ltd" versus "Limited").
func (g *gen) companyName() string {
	if len(g.created) > 0 && g.rng.IntN(100) == 0 {
		prev := g.created[g.rng.IntN(len(g.created))]
		v := strings.NewReplacer(" Limited", " Ltd", " Ltd", " Limited", " & ", " and ").Replace(prev)
		if !g.names[v] {
			return v
		}
	}
	for range 50 {
		name := g.pick(companyStems) + " " + g.pick(companyTrades)
		if sfx := g.pick(companySuffixes); sfx != "" {
			name += " " + sfx
		}
		if !g.names[name] {
			return name
		}
	}
	return g.pick(companyStems) + " Holdings " + strconv.Itoa(len(g.created)+1)
}

// domainOf derives a web domain from a company name: its first two words.
func domainOf(name string) string {
	var b strings.Builder
	for i, w := range strings.Fields(name) {
		if i == 2 {
			break
		}
		for _, r := range strings.ToLower(w) {
			if r >= 'a' && r <= 'z' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// codeOf is the client's short code used in asset tags: word initials.
func codeOf(name string) string {
	var b []byte
	for _, w := range strings.Fields(name) {
		if c := w[0]; c >= 'A' && c <= 'Z' && len(b) < 4 {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "CL"
	}
	return string(b)
}

func (g *gen) phone() string {
	return fmt.Sprintf("0%d %06d", 1200+g.rng.IntN(8000), g.rng.IntN(1_000_000))
}

func (g *gen) postcode() string {
	l := func() byte { return byte('A' + g.rng.IntN(26)) }
	return fmt.Sprintf("%c%c%d %d%c%c", l(), l(), 1+g.rng.IntN(20), g.rng.IntN(10), l(), l())
}

// client generates one client with its sites, users, assets and tickets.
// A non-nil open says, per ticket, whether it is open (any status but
// Closed) or closed; nil leaves the status to chance.
func (g *gen) client(inactive bool, unnamed []bool, nUsers, nAssets, nTickets int, open []bool) {
	st := g.st
	name := g.companyName()
	g.names[name] = true
	g.created = append(g.created, name)
	created := g.between(g.anchor.Add(-4*year), g.anchor.Add(-30*24*time.Hour))
	c := &client{
		id: nextID(g.rng, &st.lastClient, 1), name: name, inactive: inactive,
		toplevelID: 1, toplevelName: "Customers",
		website: "www." + domainOf(name) + g.pick(tlds), phone: g.phone(),
		colour: g.pick(colours), vip: g.rng.IntN(20) == 0,
		created: created, updated: g.between(created, g.anchor),
	}
	if g.rng.IntN(10) == 0 {
		c.toplevelID, c.toplevelName = 2, "Partners"
	}
	st.clients.add(c)
	domain := strings.TrimPrefix(c.website, "www.")

	sites := make([]*site, len(unnamed))
	used := map[string]bool{}
	for j := range sites {
		x := &site{id: nextID(g.rng, &st.lastSite, 10), clientID: c.id, named: !unnamed[j],
			phone: g.phone(), line1: fmt.Sprintf("%d %s", 1+g.rng.IntN(200), g.pick(streets)),
			postcode: g.postcode(), created: g.between(created, g.anchor)}
		x.updated = g.between(x.created, g.anchor)
		town := g.pick(towns)
		x.line2 = town
		nm := g.pick(mainSiteNames)
		if j > 0 {
			nm = town + " " + g.pick(siteKinds)
		}
		if used[nm] {
			nm += " " + strconv.Itoa(j+1)
		}
		used[nm] = true
		if x.named {
			x.name = nm
		}
		sites[j] = x
		st.sites.add(x)
	}
	c.mainSiteID = sites[0].id

	users := make([]*user, nUsers)
	emails := map[string]bool{}
	for j := range users {
		u := &user{id: nextID(g.rng, &st.lastUser, 20), clientID: c.id, siteID: sites[0].id,
			created: g.between(created, g.anchor)}
		u.updated = g.between(u.created, g.anchor)
		switch j {
		case 0:
			u.general, u.firstname, u.surname = true, "General", "User"
		default:
			u.firstname, u.surname = g.pick(firstNames), g.pick(surnames)
			u.main = j == 1
			u.important = u.main || g.rng.IntN(10) == 0
			if j > 1 {
				u.siteID = sites[g.rng.IntN(len(sites))].id
			}
			local := strings.ToLower(u.firstname + "." + strings.ReplaceAll(u.surname, "'", ""))
			for k := 2; emails[local]; k++ {
				local = strings.ToLower(u.firstname+"."+strings.ReplaceAll(u.surname, "'", "")) + strconv.Itoa(k)
			}
			emails[local] = true
			u.email = local + "@" + domain
			u.phone = g.phone()
		}
		users[j] = u
		st.users.add(u)
	}
	c.mainContactName = users[1].name()

	code := codeOf(name)
	for j := range nAssets {
		at := assetTypeCatalog[g.rng.IntN(len(assetTypeCatalog))]
		a := &asset{id: nextID(g.rng, &st.lastAsset, 100), clientID: c.id,
			siteID: sites[g.rng.IntN(len(sites))].id, typeID: at.id,
			keyField: fmt.Sprintf("%s-%s-%03d", code, strings.ToUpper(at.name[:2]), j+1),
			serial:   fmt.Sprintf("SN%08X", g.rng.Uint32())}
		a.inventory = fmt.Sprintf("%s%05d", code, a.id)
		a.modified = g.between(created, g.anchor)
		a.updated = g.between(a.modified, g.anchor)
		st.assets.add(a)
	}

	for j := range nTickets {
		u := users[g.rng.IntN(len(users))]
		t := &ticket{clientID: c.id, siteID: u.siteID, userID: u.id,
			statusID:   g.ticketStatus(),
			typeID:     ticketTypeCatalog[g.rng.IntN(len(ticketTypeCatalog))].id,
			priorityID: 1 + g.rng.IntN(4),
			summary:    g.pick(ticketSummaries),
			clientName: c.name, siteName: st.siteName(u.siteID), userName: u.name()}
		if open != nil {
			t.statusID = g.statusFor(open[j], t.statusID)
		}
		t.details = t.summary + ". Reported by " + u.name() + "."
		t.occurred = g.between(g.anchor.Add(-180*24*time.Hour), g.anchor)
		t.created = t.occurred
		t.lastAction = g.between(t.occurred, g.anchor)
		t.lastUpdate = maxTime(t.lastAction, g.between(t.occurred, g.anchor))
		if t.statusID == closedStatusID {
			t.closed, t.closedAt = true, t.lastAction
		} else {
			t.closed = g.rng.IntN(20) == 0 // reopened at some point
		}
		g.tickets = append(g.tickets, t)
	}
}

// ticketStatus draws a status: mostly closed or new, like a real queue.
func (g *gen) ticketStatus() int {
	switch r := g.rng.IntN(100); {
	case r < 45:
		return closedStatusID
	case r < 60:
		return newStatusID
	default:
		return statusCatalog[g.rng.IntN(len(statusCatalog))].id
	}
}

// statusFor forces a drawn status open or closed. An open ticket that drew
// Closed draws again, so open tickets keep the usual mix of open statuses.
func (g *gen) statusFor(open bool, drawn int) int {
	if !open {
		return closedStatusID
	}
	for drawn == closedStatusID {
		drawn = g.ticketStatus()
	}
	return drawn
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
