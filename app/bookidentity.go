package app

import (
	"github.com/brainstormmsp/halosync/engine/clientbook"
	"github.com/brainstormmsp/halosync/engine/store"
)

// identity finds the client of the book that a row of a CSV file stands
// for, each client at most once per file.
type identity struct {
	byRef   map[string]*store.LocalClient
	byKey   map[string][]*store.LocalClient // the owner's clients by store.NameKey, in id order
	byName  map[string][]*store.LocalClient // the owner's clients by folded name, in id order
	aliases map[string]int64                // ids and name keys of clients merged away
	claimed map[int64]bool                  // clients a row of this file stands for
}

func newIdentity(locals []store.LocalClient, aliases map[string]int64) *identity {
	id := &identity{byRef: map[string]*store.LocalClient{}, byKey: map[string][]*store.LocalClient{},
		byName: map[string][]*store.LocalClient{}, aliases: aliases, claimed: map[int64]bool{}}
	for i := range locals {
		c := &locals[i]
		if c.Ref != "" {
			id.byRef[c.Ref] = c
		}
		// A client made from HaloPSA is found by its id only: a row with
		// its name joins it through the matcher, which rescores the mapping.
		if c.Origin == store.OriginBook {
			id.byKey[store.NameKey(c.Name, c.Domain)] = append(id.byKey[store.NameKey(c.Name, c.Domain)], c)
			id.byName[store.NameKey(c.Name, "")] = append(id.byName[store.NameKey(c.Name, "")], c)
		}
	}
	return id
}

// rowMatch is what a row stands for: a client of the book, a client merged
// away (client nil, found), or nothing yet (not found).
type rowMatch struct {
	row    clientbook.Row
	client *store.LocalClient
	found  bool
}

// resolve matches every row. Rows with an id go first, so that a row
// without one never takes the client another row names by id.
func (id *identity) resolve(rows []clientbook.Row) []rowMatch {
	out := make([]rowMatch, len(rows))
	for pass := range 2 {
		for i, r := range rows {
			if (r.Client.Ref != "") == (pass == 0) {
				c, found := id.find(r.Client)
				out[i] = rowMatch{row: r, client: c, found: found}
			}
		}
	}
	return out
}

func (id *identity) find(row store.LocalClient) (*store.LocalClient, bool) {
	if row.Ref != "" {
		if c := id.byRef[row.Ref]; c != nil && !id.claimed[c.ID] {
			return id.claim(c), true
		}
		if id.aliases[store.AliasRef+"\x00"+row.Ref] != 0 {
			return nil, true
		}
		// A client imported before the file had ids gets this one.
		if c := id.pick(row, true); c != nil {
			return id.claim(c), true
		}
		return nil, false
	}
	if id.aliases[store.AliasName+"\x00"+store.NameKey(row.Name, row.Domain)] != 0 {
		return nil, true
	}
	if c := id.pick(row, false); c != nil {
		return id.claim(c), true
	}
	return nil, false
}

// pick finds an unclaimed client of the owner's with the row's name and
// domain; a row without a domain takes any domain. Among several, the one
// with the row's phone, else the oldest, so that a second import pairs the
// rows the way the first did.
func (id *identity) pick(row store.LocalClient, noRef bool) *store.LocalClient {
	cands := id.byKey[store.NameKey(row.Name, row.Domain)]
	if row.Domain == "" {
		cands = id.byName[store.NameKey(row.Name, "")]
	}
	var first *store.LocalClient
	for _, c := range cands {
		if id.claimed[c.ID] || (noRef && c.Ref != "") {
			continue
		}
		if row.Phone != "" && c.Phone == row.Phone {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

func (id *identity) claim(c *store.LocalClient) *store.LocalClient {
	id.claimed[c.ID] = true
	return c
}

// fillIn gives c the row's id, name and every cell the row fills; empty
// cells leave c's values.
func fillIn(c, row store.LocalClient) (store.LocalClient, bool) {
	next := c
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&next.Ref, row.Ref)
	set(&next.Name, row.Name)
	set(&next.Domain, row.Domain)
	set(&next.Phone, row.Phone)
	set(&next.Notes, row.Notes)
	return next, next != c
}
