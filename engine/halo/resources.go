package halo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// ListOptions narrows a list call.
type ListOptions struct {
	// IncludeInactive also lists inactive records. HaloPSA's default for
	// active/inactive is unconfirmed, so both flags are always sent.
	IncludeInactive bool
	// ClientID lists only one client's records (sites, users, assets, tickets).
	ClientID ID
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	q.Set("includeactive", "true")
	q.Set("includeinactive", strconv.FormatBool(o.IncludeInactive))
	q.Set("order", "id")
	if o.ClientID != 0 {
		q.Set("client_id", strconv.FormatInt(int64(o.ClientID), 10))
	}
	return q
}

// Customers lists HaloPSA clients page by page (see listAll for the order).
func (c *Client) Customers(ctx context.Context, o ListOptions, fn func(Page[Customer]) error) error {
	return listAll(ctx, c, "Client", "clients", o.query(), fn)
}

// Sites lists sites page by page.
func (c *Client) Sites(ctx context.Context, o ListOptions, fn func(Page[Site]) error) error {
	return listAll(ctx, c, "Site", "sites", o.query(), fn)
}

// Users lists contacts page by page, without agents.
func (c *Client) Users(ctx context.Context, o ListOptions, fn func(Page[User]) error) error {
	q := o.query()
	q.Set("exclude_agents", "true")
	return listAll(ctx, c, "Users", "users", q, fn)
}

// Assets lists assets page by page.
func (c *Client) Assets(ctx context.Context, o ListOptions, fn func(Page[Asset]) error) error {
	return listAll(ctx, c, "Asset", "assets", o.query(), fn)
}

// Tickets lists tickets page by page.
func (c *Client) Tickets(ctx context.Context, o ListOptions, fn func(Page[Ticket]) error) error {
	return listAll(ctx, c, "Tickets", "tickets", o.query(), fn)
}

// Customer fetches one HaloPSA client; errors.Is(err, ErrNotFound) when it is gone.
func (c *Client) Customer(ctx context.Context, id ID) (Customer, error) {
	var v Customer
	err := c.do(ctx, "GET", "Client/"+strconv.FormatInt(int64(id), 10), nil, nil, &v)
	return v, err
}

// Ticket fetches one ticket with its details.
func (c *Client) Ticket(ctx context.Context, id ID) (Ticket, error) {
	var v Ticket
	q := url.Values{"includedetails": {"true"}}
	err := c.do(ctx, "GET", "Tickets/"+strconv.FormatInt(int64(id), 10), q, nil, &v)
	return v, err
}

// Statuses lists ticket statuses (a bare array).
func (c *Client) Statuses(ctx context.Context) ([]Status, error) {
	return bareList[Status](ctx, c, "Status", "statuses", url.Values{"type": {"ticket"}})
}

// TicketTypes lists ticket types (a bare array).
func (c *Client) TicketTypes(ctx context.Context) ([]TicketType, error) {
	return bareList[TicketType](ctx, c, "TicketType", "tickettypes", url.Values{"showall": {"true"}})
}

// bareList reads an endpoint that answers with a bare array (or, should
// that change, an envelope), in one request.
func bareList[T any](ctx context.Context, c *Client, path, key string, q url.Values) ([]T, error) {
	var body json.RawMessage
	if err := c.do(ctx, "GET", path, q, nil, &body); err != nil {
		return nil, err
	}
	p, _, err := decodeList[T](body, key, 0, "GET /api/"+path)
	if err != nil {
		return nil, err
	}
	if len(p.Bad) > 0 {
		return p.Rows, fmt.Errorf("%w: %v", ErrNotHalo, p.Bad[0])
	}
	return p.Rows, nil
}
