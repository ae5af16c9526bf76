package halo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
func (c *Client) SaveTicket(ctx context.Context, t TicketWrite) (Ticket, error) {
	var raw json.RawMessage
	if err := c.do(ctx, "POST", "Tickets", nil, []map[string]any{t.body()}, &raw); err != nil {
		return Ticket{}, err
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

// TicketQuery selects tickets for polling.
type TicketQuery struct {
	// ChangedSince, when set, asks HaloPSA for tickets whose DateColumn is
	// at or after it. HaloPSA's date filter is only partly documented, so
	// callers must still check each ticket's own timestamps.
	ChangedSince time.Time
	DateColumn   string // default "lastactiondate"
	ClientID     ID
	Search       string // free text, e.g. a reference in the details
}

// TicketsChanged lists tickets page by page with TicketQuery's filters.
func (c *Client) TicketsChanged(ctx context.Context, q TicketQuery, fn func(Page[Ticket]) error) error {
	v := ListOptions{IncludeInactive: false, ClientID: q.ClientID}.query()
	if !q.ChangedSince.IsZero() {
		col := q.DateColumn
		if col == "" {
			col = "lastactiondate"
		}
		v.Set("datesearch", col)
		v.Set("startdate", q.ChangedSince.UTC().Format("2006-01-02T15:04:05"))
	}
	if q.Search != "" {
		v.Set("search", q.Search)
		v.Set("search_details", "true")
	}
	return listAll(ctx, c, "Tickets", "tickets", v, fn)
}
