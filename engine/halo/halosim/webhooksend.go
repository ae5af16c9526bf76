package halosim

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// webhookID is the simulated webhook's id: fixed, as a configured HaloPSA
// webhook's is.
const webhookID = "5c7e2b9a-0f3d-4a61-9e84-b2d6c1f0a7e3"

// hookTimeFormat is how the live payload writes its timestamp: UTC with
// seven fractional digits and a Z ("2026-09-25T06:41:08.7895915Z"), unlike
// the zone-less times in records.
const hookTimeFormat = haloTimeUTC

// notificationIDs are the ids of the notification rules that fire each
// event (HaloPSA sends the rule's id as notification_id).
var notificationIDs = map[string]int{
	EventTicketLogged: 40, EventStatusChanged: 41, EventTicketClosed: 42, EventTicketUpdated: 43, EventActionAdded: 44,
}

// hookEvent is one queued event, with the ticket as it was at that moment.
type hookEvent struct {
	id, escmsgID string // new GUIDs per event; a duplicate re-sends them unchanged
	event        string
	message      string
	objectID     int
	agentID      int
	at           time.Time
	full         []byte // the ticket's body; bodies are replaced, never modified, so sharing is safe
	small        []byte
	action       []byte // the action's body, for EventActionAdded
}

func newHookEvent(event string, t *ticket, agent int, now time.Time, enc ticketEncoding) hookEvent {
	num := fmt.Sprintf("%07d", t.id)
	var msg string
	switch event {
	case EventTicketLogged:
		msg = "A new Ticket has been logged: Ticket ID: " + num + "."
	case EventStatusChanged:
		msg = "The status has been changed for Ticket ID: " + num + "."
	case EventTicketClosed:
		msg = "Ticket ID: " + num + " has been closed."
	case EventActionAdded:
		msg = "An Action has been added to Ticket ID: " + num + "."
	default:
		msg = "Ticket ID: " + num + " has been updated."
	}
	o := newObj(160)
	o.int("id", t.id)
	o.str("summary", t.summary)
	o.int("status_id", t.statusID)
	o.int("client_id", t.clientID)
	enc.changeTime(o, t.lastUpdate)
	return hookEvent{id: newGUID(), escmsgID: newGUID(), event: event, message: msg,
		objectID: t.id, agentID: agent, at: now, full: t.raw, small: o.done()}
}

// newGUID returns a random (version 4) GUID. Random rather than seeded:
// a restarted simulator must not repeat delivery ids that a receiver has
// already stored, or it would take new events for re-sent ones.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// encode writes one event as a payload object.
func (e *hookEvent) encode(payloadType string) []byte {
	o := newObj(320 + len(e.full))
	o.str("id", e.id)
	o.str("webhook_id", webhookID)
	o.int("notification_id", notificationIDs[e.event])
	o.str("escmsg_id", e.escmsgID)
	o.str("event", e.event)
	if payloadType != "event-only" {
		o.str("message", e.message)
	}
	o.int("object_id", e.objectID)
	if payloadType != "event-only" {
		o.int("agent_id", e.agentID)
	}
	o.str("timestamp", e.at.UTC().Format(hookTimeFormat))
	switch payloadType {
	case "event-only":
	case "small":
		o.rawBytes("ticket", e.small)
	default:
		o.rawBytes("ticket", e.full)
	}
	if e.action != nil && payloadType != "event-only" {
		o.rawBytes("action", e.action)
	}
	return o.done()
}

// hookDelivery is one POST to make.
type hookDelivery struct {
	body      []byte
	array     bool
	duplicate bool // a re-send of an earlier delivery in the window
}

// sendHooks is the sender goroutine: it sends the queue window by window
// and exits when the queue is empty.
func (s *Server) sendHooks() {
	h := &s.hooks
	for {
		h.mu.Lock()
		if len(h.queue) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		delay := h.cfg.Delay
		h.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay)
		}

		h.mu.Lock()
		cfg := h.cfg
		n := min(len(h.queue), max(maxHookWindow, cfg.Batch))
		window := slices.Clone(h.queue[:n])
		h.queue = slices.Delete(h.queue, 0, n)
		var plan []hookDelivery
		if cfg.URL != "" {
			plan = h.planLocked(window, cfg)
		}
		client := h.client
		h.mu.Unlock()

		for _, d := range plan {
			ok := postHook(client, cfg, d.body)
			h.mu.Lock()
			if d.duplicate {
				h.stats.Duplicated++
			} else {
				h.stats.Sent++
				if d.array {
					h.stats.Batches++
				}
			}
			if !ok {
				h.stats.Failed++
			}
			h.mu.Unlock()
		}

		h.mu.Lock()
		h.attempted += int64(n)
		h.wakeLocked()
		h.mu.Unlock()
	}
}

// planLocked turns a window of events into the POSTs to make, deciding
// order, batching, losses and duplicates. Caller holds h.mu (for h.rng).
func (h *hookState) planLocked(window []hookEvent, cfg WebhookConfig) []hookDelivery {
	if cfg.Reorder {
		slices.Reverse(window)
	}
	size := max(cfg.Batch, 1)
	var plan, dups []hookDelivery
	for i := 0; i < len(window); i += size {
		group := window[i:min(i+size, len(window))]
		d := hookDelivery{array: size > 1}
		if d.array {
			parts := make([][]byte, len(group))
			for j := range group {
				parts[j] = group[j].encode(cfg.PayloadType)
			}
			d.body = bareArray(parts)
		} else {
			d.body = group[0].encode(cfg.PayloadType)
		}
		if h.rng.Float64() < cfg.LoseRate {
			h.stats.Lost++
			continue
		}
		plan = append(plan, d)
		if h.rng.Float64() < cfg.DuplicateRate {
			d.duplicate = true
			dups = append(dups, d)
		}
	}
	return append(plan, dups...)
}

// DefaultHMACHeader is the signature header's name when WebhookConfig
// names none.
const DefaultHMACHeader = "X-Halo-Signature"

// hookSignature is base64(HMAC-SHA256(secret, body)), the secret's UTF-8
// bytes as the key. It is computed here rather than borrowed from the
// receiver, so that tests check one implementation against another.
func hookSignature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// postHook makes one POST and reports whether it was answered 2xx. There is
// no retry: HaloPSA documents none (a failed delivery can only be re-sent
// by hand from its log), so a receiver must not count on one.
func postHook(client *http.Client, cfg WebhookConfig, body []byte) bool {
	req, err := http.NewRequest(http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if cfg.Username != "" {
		req.SetBasicAuth(cfg.Username, cfg.Password)
	}
	if cfg.HMACSecret != "" {
		h := cfg.HMACHeader
		if h == "" {
			h = DefaultHMACHeader
		}
		req.Header.Set(h, hookSignature(cfg.HMACSecret, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
