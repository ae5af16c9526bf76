package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/webhook"
)

// Held tickets: changes of tickets whose HaloPSA client no local client is
// mapped to wait in the inbox. Here they are explained per client, and the
// user releases them (maps the client, or applies them anyway to a local
// client of their choice) or drops them.

// HeldReason says why a HaloPSA client's tickets are held.
type HeldReason string

// The reasons.
const (
	HeldNotMapped HeldReason = "not mapped" // an active client no local client is mapped to
	HeldInactive  HeldReason = "inactive"   // HaloPSA marks the client inactive
	HeldDeleted   HeldReason = "deleted"    // the client is gone from HaloPSA
	HeldUnknown   HeldReason = "unknown"    // never imported: inactive or gone before HaloSync saw it
	HeldMapped    HeldReason = "mapped"     // mapped since: they apply with the next ticket sync
)

// HeldTicket is one held ticket: its HaloPSA id and, when the delivery
// carried it, its summary.
type HeldTicket struct {
	ID      int64
	Summary string
}

// HeldClient is a HaloPSA client with ticket changes held for it.
type HeldClient struct {
	HaloID  int64
	Name    string // from the import, else from a held ticket
	Reason  HeldReason
	Why     string // the reason in words
	Changes int    // held deliveries
	Tickets []HeldTicket
	Since   time.Time // when the oldest arrived
	items   []int64
}

// HeldTickets lists the HaloPSA clients with held ticket changes, the
// most changes first.
func (a *App) HeldTickets(ctx context.Context) ([]HeldClient, error) {
	items, err := a.db.HeldItems(ctx)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	clients, err := a.db.Clients(ctx, store.ClientQuery{})
	if err != nil {
		return nil, err
	}
	known := make(map[int64]store.Client, len(clients))
	for _, c := range clients {
		known[c.ID] = c
	}
	by := map[int64]*HeldClient{}
	var order []int64
	for _, it := range items {
		client, tk, name := it.HaloClientID, HeldTicket{ID: it.ObjectID}, ""
		if evs, err := webhook.Decode(it.Body); err == nil && len(evs) == 1 && evs[0].Err == nil {
			tk.ID = evs[0].TicketID
			if t := evs[0].Ticket; t != nil {
				tk.Summary, name = t.Summary, t.ClientName
				if client == 0 {
					client = t.ClientID.Int()
				}
			}
		}
		h := by[client]
		if h == nil {
			h = &HeldClient{HaloID: client, Since: it.ReceivedAt}
			by[client] = h
			order = append(order, client)
		}
		h.Changes++
		h.items = append(h.items, it.ID)
		if h.Name == "" {
			h.Name = name
		}
		if i := slices.IndexFunc(h.Tickets, func(x HeldTicket) bool { return x.ID == tk.ID }); i < 0 {
			h.Tickets = append(h.Tickets, tk)
		} else if tk.Summary != "" {
			h.Tickets[i].Summary = tk.Summary // the newest summary
		}
	}
	out := make([]HeldClient, 0, len(order))
	for _, id := range order {
		h := by[id]
		c, ok := known[id]
		if ok {
			h.Name = c.Name
		}
		if h.Name == "" {
			h.Name = fmt.Sprintf("HaloPSA client %d", id)
		}
		_, mapped, err := a.db.LocalClientForHalo(ctx, id)
		if err != nil {
			return nil, err
		}
		h.Reason, h.Why = heldReason(c, ok, mapped)
		out = append(out, *h)
	}
	slices.SortStableFunc(out, func(x, y HeldClient) int { return y.Changes - x.Changes })
	return out, nil
}

func heldReason(c store.Client, imported, mapped bool) (HeldReason, string) {
	switch {
	case mapped:
		return HeldMapped, "mapped now; they apply with the next ticket sync"
	case !imported:
		return HeldUnknown, "not imported: inactive or deleted in HaloPSA before HaloSync saw it; apply them to a local client, or drop them"
	case c.State == store.StateDeleted:
		return HeldDeleted, "deleted in HaloPSA; apply them to a local client, or drop them"
	case c.State == store.StateInactive:
		return HeldInactive, "inactive in HaloPSA; map it, apply them to a local client, or drop them"
	}
	return HeldNotMapped, "not mapped to any of your clients; map it, apply them to a local client, or drop them"
}

// heldOf finds one client's held ticket changes.
func (a *App) heldOf(ctx context.Context, haloClientID int64) (HeldClient, error) {
	hs, err := a.HeldTickets(ctx)
	if err != nil {
		return HeldClient{}, err
	}
	for _, h := range hs {
		if h.HaloID == haloClientID {
			return h, nil
		}
	}
	return HeldClient{}, fmt.Errorf("no ticket changes are held for HaloPSA client %d: %w", haloClientID, store.ErrNotFound)
}

// ReleaseHeld releases the ticket changes held for a HaloPSA client to
// local client localID. With mapClient the HaloPSA client is mapped to it
// (saved like any decision, in the history), so its later tickets follow;
// without, only the held changes are applied to it, as if it were mapped.
// They apply with the next ticket sync, which it wakes. It returns how many
// changes were released.
func (a *App) ReleaseHeld(ctx context.Context, haloClientID, localID int64, mapClient bool) (int, error) {
	h, err := a.heldOf(ctx, haloClientID)
	if err != nil {
		return 0, err
	}
	l, err := a.db.LocalClient(ctx, localID)
	if err != nil {
		return 0, fmt.Errorf("local client %d: %w", localID, err)
	}
	if mapClient {
		if cur, err := a.db.HaloClientForLocal(ctx, localID); err == nil && cur != haloClientID {
			return 0, fmt.Errorf("%s is mapped to another HaloPSA client already: apply the tickets without mapping, "+
				"or change its mapping in Clients & Mapping first", l.Name)
		}
		_, err := a.SaveMappings(ctx, []store.Decision{{LocalID: localID, Action: store.Accept, HaloID: haloClientID}})
		if errors.Is(err, store.ErrUnknownHaloClient) {
			return 0, fmt.Errorf("%s cannot be mapped (%s): apply its tickets without mapping instead", h.Name, h.Why)
		}
		if err != nil {
			return 0, err
		}
		a.log(ctx, store.Info, store.OpTickets, h.Name, fmt.Sprintf("Mapped %s to %s; its %d held ticket change(s) apply now", h.Name, l.Name, h.Changes))
		a.ticketsChanged()
		return h.Changes, nil // SaveMappings released them
	}
	n, err := a.db.ReleaseHeldTo(ctx, h.items, localID)
	if err != nil {
		return 0, err
	}
	a.log(ctx, store.Info, store.OpTickets, h.Name, fmt.Sprintf("Released %d held ticket change(s) of %s to %s, without mapping it", n, h.Name, l.Name))
	a.ticketsChanged()
	a.wakeTickets()
	return n, nil
}

// DropHeld gives up the ticket changes held for a HaloPSA client: they are
// never applied. A later change of one of its tickets is held again.
func (a *App) DropHeld(ctx context.Context, haloClientID int64) (int, error) {
	h, err := a.heldOf(ctx, haloClientID)
	if err != nil {
		return 0, err
	}
	note := fmt.Sprintf("dropped by %s on %s: never applied", osUser(), time.Now().UTC().Format(time.RFC3339))
	n, err := a.db.DropHeld(ctx, h.items, note)
	if err != nil {
		return 0, err
	}
	a.log(ctx, store.Info, store.OpTickets, h.Name, fmt.Sprintf("Dropped %d held ticket change(s) of %s; they were never applied", n, h.Name))
	a.ticketsChanged()
	return n, nil
}
