package halosim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Behaviour selects how the simulator answers where HaloPSA's real behaviour
// is UNCONFIRMED (HALOPSA-API.md, section 2 and addendum 2). The zero value
// is the friendly tenant that honours everything. A client is meant to be
// tested against every Dialect, not against one shared guess.
//
// Unknown mode strings and negative sizes act as their defaults; Validate
// reports them for callers that take a Behaviour from outside.
type Behaviour struct {
	TicketDateFilter DateFilterMode `json:"ticket_date_filter"` // how /Tickets treats date filters
	TicketOrder      OrderMode      `json:"ticket_order"`       // how /Tickets treats order/orderdesc
	PastEndRepeats   bool           `json:"past_end_repeats"`   // a page_no past the end answers the last page again (same record_count) instead of an empty page [P1 1176c4c]
	AssetPageSize    int            `json:"asset_page_size"`    // rows per page /Asset serves whatever page_size says (0 = as other lists, the page cap); the pessimistic value is 50 [P2]
	UnpagedLimit     int            `json:"unpaged_limit"`      // rows a list returns without pageinate=true and without count (0 = all); the pessimistic value is 50 [P2 #203]
	TicketTimeKey    string         `json:"ticket_time_key"`    // JSON key of a ticket's change time: "last_update" (default when empty), "lastupdate" or "flastupdate" [P1 853c2ef][P3]
	// HaloDates writes dates as addendum 2 describes: the change time as UTC
	// with "Z" and 7 fractional digits ("2024-06-20T14:45:15.9746271Z"), and
	// unset dates as sentinels instead of leaving them out (dateclosed of an
	// open ticket "1900-01-01T00:00:00", a never-actioned lastactiondate
	// "0001-01-01T00:00:00", fixbydate "1899-12-30T00:00:00"). Stored dates
	// stay zone-less.
	HaloDates bool `json:"halo_dates"`
	// ActionNoteKey is the one key an action's text is read from on POST
	// /api/Actions and written under on reads: "note" (default when empty)
	// or "note_html". The spec has both, a production sample posts
	// note_html (HALOPSA-API.md 3.5 and section 4), and which one a tenant
	// honours is UNCONFIRMED; the other key is ignored and left out.
	ActionNoteKey string `json:"action_note_key"`
	// ValidationAnswer is how a ticket create missing a field its ticket
	// type requires is answered (400): "fields" (default when empty) keys the
	// message by field path, {"[0].site_id": "..."}, the validation shape
	// n8n reads; "message" sends {"Message": "..."} naming the field only in
	// words, as the CAB answer "CODE:APP03/2 Please select ..." does.
	ValidationAnswer string `json:"validation_answer"`
	// PriorityIDKey is the key of a priority's id on GET /api/Priority:
	// "id" (default when empty) or "priorityid", the name HaloPSA's SLA
	// priority rows use elsewhere. The fact sheet does not record the
	// shape, only that the list is a bare array.
	PriorityIDKey string `json:"priority_id_key"`
	// RestrictedTicketAnswer is how GET /api/Tickets/{id} answers for a
	// ticket the API agent may not see (HideTicket): "forbidden" (default
	// when empty) answers 403 "You do not have access to this Ticket";
	// "not_found" answers 404 as for a ticket that does not exist; "empty"
	// answers 200 with {}. The fact sheet records only that lists leave
	// such tickets out.
	RestrictedTicketAnswer string `json:"restricted_ticket_answer"`
}

// DateFilterMode is how /Tickets treats the date filters lastupdatefromdate,
// lastupdatetodate and datesearch with startdate/enddate.
type DateFilterMode string

// The date filter modes.
const (
	// DateFilterHonour is the default (also for ""): lastupdatefromdate=<date-time>
	// keeps tickets whose change time (last update) is at or after it,
	// lastupdatetodate=<date-time> at or before; datesearch is honoured only
	// for the documented columns dateoccured (sic, one r) and datecleared,
	// with startdate/enddate.
	DateFilterHonour DateFilterMode = "honour"
	// DateFilterIgnore ignores every date filter (lastupdatefromdate/todate,
	// datesearch/startdate/enddate): the full list comes back.
	DateFilterIgnore DateFilterMode = "ignore"
	// DateFilterReject binds lastupdatefromdate/lastupdatetodate as the bool
	// the spec declares: a value that is not a boolean is answered 400 with
	// "The value '<v>' is not valid for lastupdatefromdate."; datesearch is
	// ignored.
	DateFilterReject DateFilterMode = "reject"
)

// OrderMode is how /Tickets treats order and orderdesc.
type OrderMode string

// The order modes.
const (
	// OrderHonour is the default (also for ""): order=<column> sorts /Tickets
	// by that column (id, last_update / lastupdate, lastactiondate,
	// dateoccurred / dateoccured, datecreated; unknown column = id),
	// orderdesc=true descending; ties are broken by id in the same direction.
	OrderHonour OrderMode = "honour"
	// OrderIgnore ignores order and orderdesc on /Tickets: always id ascending.
	OrderIgnore OrderMode = "ignore"
)

// Ticket change-time keys seen on real tenants.
const (
	noteKeyDefault  = "note"
	noteKeyHTML     = "note_html"
	answerFields    = "fields"
	answerMessage   = "message"
	priorityKeyID   = "id"
	priorityKeyLong = "priorityid"
	timeKeyDefault  = "last_update"
	timeKeyNoScore  = "lastupdate"
	timeKeyF        = "flastupdate"
)

// Dialect is a named Behaviour preset standing for one plausible real tenant.
type Dialect struct {
	Name      string    // as --dialect and dialect= take it, e.g. "pessimistic"
	Behaviour Behaviour // what that tenant does
}

// Dialects returns the presets, friendliest first, for tests to loop over.
// Each call returns a fresh slice.
func Dialects() []Dialect {
	return []Dialect{
		// A tenant that does everything the spec and the client libraries
		// suggest: filters and ordering honoured, "last_update", zone-less
		// dates. The shared guess the simulator made before dialects existed.
		{Name: "friendly"},
		// A tenant whose /Tickets binds order/orderdesc but none of the date
		// filters, so polling must page the whole list, newest first, and
		// stop on its own once it reaches rows it has already seen.
		{Name: "order-only", Behaviour: Behaviour{TicketDateFilter: DateFilterIgnore, TicketOrder: OrderHonour}},
		// A tenant that ignores every list parameter the spec leaves
		// unconfirmed: no date filter, no ordering, only id order.
		{Name: "no-filters", Behaviour: Behaviour{TicketDateFilter: DateFilterIgnore, TicketOrder: OrderIgnore}},
		// A tenant that model-binds lastupdatefromdate as the bool the spec
		// types it as, so a date-time value is a 400 rather than a filter;
		// datesearch and ordering are ignored.
		{Name: "rejects-dates", Behaviour: Behaviour{TicketDateFilter: DateFilterReject, TicketOrder: OrderIgnore}},
		// Everything addendum 2 reports from production at once: filters and
		// ordering ignored, the last page repeated past the end, /Asset
		// stuck at 50 rows a page, 50 rows without pageinate, "flastupdate"
		// as the change-time key and Halo's own date formats and sentinels.
		{Name: "pessimistic", Behaviour: Behaviour{TicketDateFilter: DateFilterIgnore, TicketOrder: OrderIgnore,
			PastEndRepeats: true, AssetPageSize: 50, UnpagedLimit: 50, TicketTimeKey: timeKeyF, HaloDates: true,
			// and, for the fields the fact sheet leaves open, the less
			// convenient reading of each.
			ActionNoteKey: noteKeyHTML, ValidationAnswer: answerMessage, PriorityIDKey: priorityKeyLong,
			RestrictedTicketAnswer: restrictedEmpty}},
	}
}

// DialectBehaviour returns the Behaviour of the named preset, or an error
// listing the known names.
func DialectBehaviour(name string) (Behaviour, error) {
	var names []string
	for _, d := range Dialects() {
		if d.Name == name {
			return d.Behaviour, nil
		}
		names = append(names, d.Name)
	}
	return Behaviour{}, fmt.Errorf("unknown dialect %q (known: %s)", name, strings.Join(names, ", "))
}

// behaviourParams are the parameter names Set accepts, in the order String
// writes them. They are the query parameters of POST /_sim/behaviour.
var behaviourParams = []string{"ticket_date_filter", "ticket_order", "past_end_repeats",
	"asset_page_size", "unpaged_limit", "ticket_time_key", "halo_dates",
	"action_note_key", "validation_answer", "priority_id_key", "restricted_ticket_answer"}

// Set changes the field named by its parameter name (ticket_date_filter,
// ticket_order, past_end_repeats, asset_page_size, unpaged_limit,
// ticket_time_key, halo_dates, action_note_key, validation_answer,
// priority_id_key, restricted_ticket_answer) from its text form. An unknown name or a bad
// value is an error naming the parameter, and leaves b unchanged.
func (b *Behaviour) Set(param, value string) error {
	bad := func(want string) error {
		return fmt.Errorf("%s: %q is not valid (want %s)", param, value, want)
	}
	v := strings.ToLower(strings.TrimSpace(value))
	switch param {
	case "ticket_date_filter":
		switch m := DateFilterMode(v); m {
		case DateFilterHonour, DateFilterIgnore, DateFilterReject:
			b.TicketDateFilter = m
		default:
			return bad("honour, ignore or reject")
		}
	case "ticket_order":
		switch m := OrderMode(v); m {
		case OrderHonour, OrderIgnore:
			b.TicketOrder = m
		default:
			return bad("honour or ignore")
		}
	case "past_end_repeats", "halo_dates":
		on, err := strconv.ParseBool(v)
		if err != nil {
			return bad("true or false")
		}
		if param == "halo_dates" {
			b.HaloDates = on
		} else {
			b.PastEndRepeats = on
		}
	case "asset_page_size", "unpaged_limit":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return bad("a whole number, 0 or more")
		}
		if param == "asset_page_size" {
			b.AssetPageSize = n
		} else {
			b.UnpagedLimit = n
		}
	case "ticket_time_key":
		switch v {
		case timeKeyDefault, timeKeyNoScore, timeKeyF:
			b.TicketTimeKey = v
		default:
			return bad("last_update, lastupdate or flastupdate")
		}
	case "action_note_key", "validation_answer", "priority_id_key", "restricted_ticket_answer":
		f, want := b.keyField(param)
		if !slices.Contains(want, v) {
			return bad(strings.Join(want, " or "))
		}
		*f = v
	default:
		return fmt.Errorf("%s: unknown behaviour parameter (known: %s)", param, strings.Join(behaviourParams, ", "))
	}
	return nil
}

// Validate reports the first field that would silently act as its default:
// an unknown mode or time key (they are case-sensitive here, unlike Set's
// input), or a negative size.
func (b Behaviour) Validate() error {
	bad := func(param string, value any, want string) error {
		return fmt.Errorf("%s: %q is not valid (want %s)", param, fmt.Sprint(value), want)
	}
	switch b.TicketDateFilter {
	case "", DateFilterHonour, DateFilterIgnore, DateFilterReject:
	default:
		return bad("ticket_date_filter", b.TicketDateFilter, "honour, ignore or reject")
	}
	switch b.TicketOrder {
	case "", OrderHonour, OrderIgnore:
	default:
		return bad("ticket_order", b.TicketOrder, "honour or ignore")
	}
	switch {
	case b.AssetPageSize < 0:
		return bad("asset_page_size", b.AssetPageSize, "a whole number, 0 or more")
	case b.UnpagedLimit < 0:
		return bad("unpaged_limit", b.UnpagedLimit, "a whole number, 0 or more")
	}
	switch b.TicketTimeKey {
	case "", timeKeyDefault, timeKeyNoScore, timeKeyF:
	default:
		return bad("ticket_time_key", b.TicketTimeKey, "last_update, lastupdate or flastupdate")
	}
	for _, param := range keyParams {
		f, want := b.keyField(param)
		if *f != "" && !slices.Contains(want, *f) {
			return bad(param, *f, strings.Join(want, " or "))
		}
	}
	return nil
}

// keyParams are the string-choice parameters added for tickets' fields,
// notes and access.
var keyParams = []string{"action_note_key", "validation_answer", "priority_id_key", "restricted_ticket_answer"}

// keyField returns the field behind one of keyParams, and its allowed
// values, default first.
func (b *Behaviour) keyField(param string) (*string, []string) {
	switch param {
	case "restricted_ticket_answer":
		return &b.RestrictedTicketAnswer, []string{restrictedForbidden, restrictedNotFound, restrictedEmpty}
	case "action_note_key":
		return &b.ActionNoteKey, []string{noteKeyDefault, noteKeyHTML}
	case "validation_answer":
		return &b.ValidationAnswer, []string{answerFields, answerMessage}
	default:
		return &b.PriorityIDKey, []string{priorityKeyID, priorityKeyLong}
	}
}

// effective spells out the defaults: the modes and time key the server
// actually uses for b.
func (b Behaviour) effective() Behaviour {
	if b.TicketDateFilter != DateFilterIgnore && b.TicketDateFilter != DateFilterReject {
		b.TicketDateFilter = DateFilterHonour
	}
	if b.TicketOrder != OrderIgnore {
		b.TicketOrder = OrderHonour
	}
	b.AssetPageSize = max(b.AssetPageSize, 0)
	b.UnpagedLimit = max(b.UnpagedLimit, 0)
	if b.TicketTimeKey != timeKeyNoScore && b.TicketTimeKey != timeKeyF {
		b.TicketTimeKey = timeKeyDefault
	}
	for _, param := range keyParams {
		if f, want := b.keyField(param); !slices.Contains(want, *f) {
			*f = want[0]
		}
	}
	return b
}

// String writes the effective behaviour as the parameters of POST
// /_sim/behaviour, so a logged behaviour can be pasted back.
func (b Behaviour) String() string {
	e := b.effective()
	return fmt.Sprintf("ticket_date_filter=%s ticket_order=%s past_end_repeats=%t asset_page_size=%d unpaged_limit=%d ticket_time_key=%s halo_dates=%t"+
		" action_note_key=%s validation_answer=%s priority_id_key=%s restricted_ticket_answer=%s",
		e.TicketDateFilter, e.TicketOrder, e.PastEndRepeats, e.AssetPageSize, e.UnpagedLimit, e.TicketTimeKey, e.HaloDates,
		e.ActionNoteKey, e.ValidationAnswer, e.PriorityIDKey, e.RestrictedTicketAnswer)
}

// ticketEncoding is the part of a Behaviour that shapes ticket bodies.
// Bodies are pre-encoded, so a change re-encodes every ticket.
type ticketEncoding struct {
	timeKey   string
	haloDates bool
}

func (b Behaviour) encoding() ticketEncoding {
	e := b.effective()
	return ticketEncoding{timeKey: e.TicketTimeKey, haloDates: e.HaloDates}
}

// SetBehaviour replaces the behaviour at once; it is safe to call while
// requests are in flight. A request already reading a list finishes with
// the old behaviour. Changing the time key or HaloDates re-encodes every
// ticket under the write lock (a few milliseconds for 20,000 tickets).
func (s *Server) SetBehaviour(b Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beh.Store(&b)
	for _, as := range s.data.actionsOf { // the note's key may have changed
		for _, a := range as {
			a.raw = encodeAction(a, b.effective().ActionNoteKey)
		}
	}
	if enc := b.encoding(); enc != s.data.enc {
		s.data.enc = enc
		for _, t := range s.data.tickets.rows {
			t.raw = s.data.encodeTicket(t)
		}
	}
}

// Behaviour returns the behaviour as last set (by Options.Behaviour or
// SetBehaviour), without defaults filled in.
func (s *Server) Behaviour() Behaviour {
	return *s.beh.Load()
}

// behaviour is the effective behaviour for one request.
func (s *Server) behaviour() Behaviour {
	return s.beh.Load().effective()
}
