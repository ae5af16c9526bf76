package halosim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Webhooks: like HaloPSA (HALOPSA-API.md sections 6 and 8), the simulator
// POSTs a JSON payload to a configured URL when a ticket changes. Events are
// queued in memory and sent by one background goroutine, which runs only
// while there is something to send, so a Server needs no Close.

// WebhookConfig configures the simulated webhook. The zero value (no URL)
// disables it.
type WebhookConfig struct {
	URL                string // the Payload URL; "" disables the webhook
	Username, Password string // Basic authentication when Username != ""
	// HMACSecret, when set, signs each delivery: header HMACHeader (default
	// DefaultHMACHeader) carries base64(HMAC-SHA256(HMACSecret, body)), the
	// header authentication one production integration uses
	// (HALOPSA-API.md, addendum 2). Independent of Basic authentication.
	HMACSecret, HMACHeader string
	// Batch > 1 groups up to Batch events into one delivery whose body is a
	// JSON array (HaloPSA's "group occurrences" option); with batching on,
	// even a lone event is sent as a one-element array.
	Batch int
	// DuplicateRate is the fraction of deliveries sent a second time, with
	// the same ids and body, after the rest of their window.
	DuplicateRate float64
	// LoseRate is the fraction of deliveries never sent.
	LoseRate float64
	// Reorder sends each window's events newest first: the array elements
	// and the order of the deliveries are both reversed.
	Reorder bool
	// Delay is how long the sender waits before sending a window; events
	// queued meanwhile join it. It models HaloPSA's queue, and makes windows
	// (hence batching and reordering) predictable in tests.
	Delay time.Duration
	// PayloadType is "full" (the default: the ticket as GET /api/Tickets/{id}
	// returns it), "small" (id, summary, status_id, client_id, last_update)
	// or "event-only" (no ticket, and only the fields every HaloPSA payload
	// has). Any other value means "full".
	PayloadType string
}

// WebhookStats counts webhook activity since the Server was created.
type WebhookStats struct {
	Events     int // ticket events queued for delivery
	Sent       int // deliveries POSTed once (their duplicates are counted apart)
	Batches    int // of Sent, deliveries whose body was an array
	Duplicated int // extra POSTs re-sending a delivery with the same ids
	Lost       int // deliveries deliberately never sent (LoseRate)
	Failed     int // POSTs answered non-2xx or failing in transport; none is retried
	Overflowed int // events dropped because the queue was full
}

// Webhook tuning.
const (
	maxHookQueue  = 10000 // queued events; more are dropped (Overflowed), never blocking a ticket write
	maxHookWindow = 100   // events sent per window, unless Batch is larger
	hookTimeout   = 10 * time.Second
)

// hookState is the webhook queue and its counters, guarded by mu. Lock
// order: Server.mu before hookState.mu; the sender never takes Server.mu.
type hookState struct {
	mu        sync.Mutex
	cfg       WebhookConfig
	rng       *rand.Rand // decides losses and duplicates; seeded from Options.Seed
	queue     []hookEvent
	running   bool  // a sender goroutine is active
	queued    int64 // events ever queued
	attempted int64 // events whose window was sent (or discarded)
	progress  chan struct{}
	stats     WebhookStats
	client    *http.Client
}

// SetWebhook replaces the webhook configuration; events queued so far are
// sent with the new one. A config without URL disables the webhook and
// discards queued events.
func (s *Server) SetWebhook(c WebhookConfig) {
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rng == nil {
		h.rng = rand.New(rand.NewPCG(uint64(s.opts.Seed), 0x7765626b686f6f6b))
		h.client = &http.Client{Timeout: hookTimeout}
	}
	h.cfg = c
	if c.URL == "" {
		h.attempted += int64(len(h.queue))
		h.queue = nil
		h.wakeLocked()
	}
}

// WebhookStats returns the webhook counters.
func (s *Server) WebhookStats() WebhookStats {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return s.hooks.stats
}

// FlushWebhooks waits until every event queued before the call was sent (or
// deliberately lost or discarded), or until ctx is done.
func (s *Server) FlushWebhooks(ctx context.Context) error {
	h := &s.hooks
	h.mu.Lock()
	target := h.queued
	for h.attempted < target {
		ch := h.progressLocked()
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		h.mu.Lock()
	}
	h.mu.Unlock()
	return nil
}

// progressLocked returns a channel closed at the next progress.
func (h *hookState) progressLocked() <-chan struct{} {
	if h.progress == nil {
		h.progress = make(chan struct{})
	}
	return h.progress
}

func (h *hookState) wakeLocked() {
	if h.progress != nil {
		close(h.progress)
		h.progress = nil
	}
}

// The agents that change tickets: the API application's agent (as in the
// id_token) for writes through the API, and a service desk agent for the
// control helpers, which act as a person working in HaloPSA would.
const (
	apiAgentID  = agentID
	deskAgentID = 3
)

// Ticket event names, as HaloPSA's notification events are named.
const (
	EventTicketLogged  = "New Ticket Logged"
	EventStatusChanged = "Ticket Status Changed"
	EventTicketClosed  = "Ticket Closed"
	EventTicketUpdated = "Ticket Updated"
	// EventActionAdded fires when an action (a note) is added. HaloPSA's
	// name for it is UNCONFIRMED; the delivery carries the ticket and the
	// action object ("containing the ticket and action objects where
	// applicable", HALOPSA-API.md section 6), which is what a receiver
	// should go by.
	EventActionAdded = "Action Added"
)

// ticketEvents queues the events for one ticket write: a new ticket is
// logged; a status change is a status change, and also a close when the new
// status is Closed (as a webhook subscribed to both events gets both); any
// other write is an update. Caller holds s.mu, so t is stable.
func (s *Server) ticketEvents(t *ticket, isNew, statusChanged bool, agent int, now time.Time) {
	switch {
	case isNew:
		s.queueHook(EventTicketLogged, t, agent, now)
	case statusChanged:
		s.queueHook(EventStatusChanged, t, agent, now)
		if t.statusID == closedStatusID {
			s.queueHook(EventTicketClosed, t, agent, now)
		}
	default:
		s.queueHook(EventTicketUpdated, t, agent, now)
	}
}

// queueHook queues one event if the webhook is on. Caller holds s.mu. It never blocks: a full
// queue drops the event, because the ticket write holding s.mu must not
// wait for a receiver that may itself be calling this server.
func (s *Server) queueHook(event string, t *ticket, agent int, now time.Time) {
	s.queueHookWith(event, t, nil, agent, now)
}

// queueActionHook queues the event for a new action, carrying the ticket
// and the action. Caller holds s.mu.
func (s *Server) queueActionHook(t *ticket, a *action, agent int, now time.Time) {
	s.queueHookWith(EventActionAdded, t, a.raw, agent, now)
}

// queueHookWith is queueHook with the raw action the event carries (nil
// for none).
func (s *Server) queueHookWith(event string, t *ticket, action []byte, agent int, now time.Time) {
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.URL == "" {
		return
	}
	if len(h.queue) >= maxHookQueue {
		h.stats.Overflowed++
		return
	}
	e := newHookEvent(event, t, agent, now, s.data.enc)
	e.action = action
	s.queueEventLocked(e)
}

// queueEventLocked appends e and starts the sender. Caller holds h.mu.
func (s *Server) queueEventLocked(e hookEvent) {
	h := &s.hooks
	h.queue = append(h.queue, e)
	h.queued++
	h.stats.Events++
	if !h.running {
		h.running = true
		go s.sendHooks()
	}
}
