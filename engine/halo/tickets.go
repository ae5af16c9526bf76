package halo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// TicketWrite is one ticket to create (ID 0) or update (ID set) with
// POST /api/Tickets. Only the fields set are sent: an update is partial,
// and HaloPSA rejects ints written as doubles, so every id goes out as a
// plain integer.
type TicketWrite struct {
	ID           ID
	Summary      string
	Details      string
	ClientID     ID
	SiteID       ID
	UserID       ID
	StatusID     ID
	TicketTypeID ID
	PriorityID   ID
}

func (t TicketWrite) body() map[string]any {
	m := map[string]any{}
	set := func(k string, v ID) {
		if v != 0 {
			m[k] = int64(v)
		}
	}
	set("id", t.ID)
	set("client_id", t.ClientID)
	set("site_id", t.SiteID)
	set("user_id", t.UserID)
	set("status_id", t.StatusID)
	set("tickettype_id", t.TicketTypeID)
	set("priority_id", t.PriorityID)
	if t.Summary != "" {
		m["summary"] = t.Summary
	}
	if t.Details != "" {
		m["details"] = t.Details
	}
	return m
}

// SaveTicket creates or updates one ticket and returns HaloPSA's copy.
// It is never retried after a 5xx or a dropped connection, since HaloPSA
// may have acted on it: the caller decides (see engine/sync's outbox).
// HaloPSA's 400 (a field the ticket type requires, say) is a
// *ValidationError naming the field when the answer does.
func (c *Client) SaveTicket(ctx context.Context, t TicketWrite) (Ticket, error) {
	var raw json.RawMessage
	if err := c.do(ctx, "POST", "Tickets", nil, []map[string]any{t.body()}, &raw); err != nil {
		return Ticket{}, validation(err)
	}
	// A one-element array is answered with the object; be ready for an
	// array all the same.
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var ts []Ticket
		if err := json.Unmarshal(raw, &ts); err != nil || len(ts) != 1 {
			return Ticket{}, &APIError{Kind: ErrNotHalo, Op: "POST /api/Tickets", Err: fmt.Errorf("unreadable answer: %v", err)}
		}
		return ts[0], nil
	}
	var v Ticket
	if err := json.Unmarshal(raw, &v); err != nil {
		return Ticket{}, &APIError{Kind: ErrNotHalo, Op: "POST /api/Tickets", Err: err}
	}
	return v, nil
}

// TicketQuery selects tickets. Which of its filters a HaloPSA honours is
// partly UNCONFIRMED (HALOPSA-API.md, addendum 2): callers must check each
// ticket's own timestamps and state rather than trust that a filter held.
type TicketQuery struct {
	// ChangedSince, when set, sends lastupdatefromdate: what long-running
	// production syncs send for "changed since", though the spec types the
	// parameter as a bool. A tenant may honour it, ignore it or reject it.
	ChangedSince time.Time
	// DateSearch and DateFrom, when both set, send datesearch=<column> with
	// startdate. The documented columns are "dateoccured" (sic: opened) and
	// "datecleared" (closed).
	DateSearch string
	DateFrom   time.Time
	OpenOnly   bool // open_only=true: tickets not closed
	ClosedOnly bool // closed_only=true: closed tickets only
	// OrderBy names the column to sort by (default "id"); OrderDesc sorts
	// newest first. Whether HaloPSA honours other columns is UNCONFIRMED.
	OrderBy   string
	OrderDesc bool
	ClientID  ID
	Search    string // free text, e.g. a reference in the details
}

// haloDate writes a time the way HaloPSA's production clients send dates:
// UTC without a zone.
func haloDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

func (q TicketQuery) values() url.Values {
	v := ListOptions{ClientID: q.ClientID}.query()
	if q.OrderBy != "" {
		v.Set("order", q.OrderBy)
	}
	if q.OrderDesc {
		v.Set("orderdesc", "true")
	}
	if !q.ChangedSince.IsZero() {
		v.Set("lastupdatefromdate", haloDate(q.ChangedSince))
	}
	if q.DateSearch != "" && !q.DateFrom.IsZero() {
		v.Set("datesearch", q.DateSearch)
		v.Set("startdate", haloDate(q.DateFrom))
	}
	if q.OpenOnly {
		v.Set("open_only", "true")
	}
	if q.ClosedOnly {
		v.Set("closed_only", "true")
	}
	if q.Search != "" {
		v.Set("search", q.Search)
		v.Set("search_details", "true")
	}
	return v
}

// ListTickets lists every ticket the query selects, page by page (pages
// after the first concurrently, in any order; see listAll).
func (c *Client) ListTickets(ctx context.Context, q TicketQuery, fn func(Page[Ticket]) error) error {
	return listAll(ctx, c, "Tickets", "tickets", q.values(), fn)
}

// TicketPages lists the query's tickets one page at a time, in order, and
// stops as soon as fn answers false: a poll sorted newest first can stop
// at the first ticket older than its cursor. It also stops at the end of
// the list, however the server marks it (see pagesInOrder).
func (c *Client) TicketPages(ctx context.Context, q TicketQuery, fn func(Page[Ticket]) (more bool, err error)) error {
	return pagesInOrder(ctx, c, "Tickets", "tickets", q.values(), fn)
}
