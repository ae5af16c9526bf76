package gui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// fakeFields is the fake backend's create fields, per-client defaults and
// notes, guarded by fakeBackend.mu.
type fakeFields struct {
	defaults    map[int64]store.TicketDefaults // by local client id
	savedDefs   []store.TicketDefaults         // what SetTicketDefaults was given
	fixes       [][5]int64                     // SetTicketFields: ticket, site, contact, type, priority
	notes       map[int64][]store.Note         // by ticket id
	onRefresh   map[int64][]store.Note         // notes HaloPSA holds that RefreshNotes brings in
	refreshed   []int64                        // the tickets RefreshNotes was asked for
	added       []store.Note                   // what AddNote was given
	outcomeSets [][2]int64                     // SetNoteOutcome: note, outcome
	givenUp     []store.InboxItem              // the inbox's failed deliveries
	retries     int                            // RetryFailedDeliveries calls
	addErr      error
	nextNote    int64
	choicesAsks int
}

// fakeChoices are Eagle Air's (local 6, HaloPSA 106) sites and contacts,
// and HaloPSA's lists; other clients have one site and contact each.
func fakeChoices(localID int64) app.TicketChoices {
	c := app.TicketChoices{
		Types:      []store.TicketType{{ID: 1, Name: "Incident"}, {ID: 3, Name: "Service Request"}},
		Priorities: []store.Priority{{ID: 1, Name: "Critical"}, {ID: 2, Name: "High"}, {ID: 3, Name: "Medium"}, {ID: 4, Name: "Low"}},
		Outcomes:   []store.Outcome{{ID: 7, Name: "Internal Note", Private: true}, {ID: 1, Name: "Email User"}},
	}
	if localID == 6 {
		c.HaloClientID = 106
		c.Sites = []store.Site{{ID: 61, Name: "Hangar 2"}, {ID: 62, Name: "Head Office"}}
		c.Contacts = []store.Contact{{ID: 71, Name: "Ann Pilot", SiteID: 62, Primary: true}, {ID: 72, Name: "Bob Mechanic", SiteID: 61}}
		return c
	}
	c.HaloClientID = 100 + localID
	c.Sites = []store.Site{{ID: localID * 10, Name: "Main"}}
	c.Contacts = []store.Contact{{ID: localID*10 + 1, Name: "Front Desk", SiteID: localID * 10, Primary: true}}
	return c
}

func (f *fakeBackend) TicketChoices(_ context.Context, localClientID int64) (app.TicketChoices, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.fields.choicesAsks++
	return fakeChoices(localClientID), nil
}

// NewTicketDraft starts from the saved defaults, else the primary contact
// and its site, as the app does.
func (f *fakeBackend) NewTicketDraft(_ context.Context, localClientID int64) (store.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := fakeChoices(localClientID)
	t := store.Ticket{LocalClientID: localClientID, HaloClientID: c.HaloClientID}
	if d, ok := f.tk.fields.defaults[localClientID]; ok {
		t.SiteID, t.UserID, t.TypeID, t.PriorityID = d.SiteID, d.UserID, d.TypeID, d.PriorityID
		return t, nil
	}
	t.UserID, t.SiteID = c.Contacts[0].ID, c.Contacts[0].SiteID
	return t, nil
}

func (f *fakeBackend) CreateTicketWith(_ context.Context, t store.Ticket) (store.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.created = append(f.tk.created, createCall{t.LocalClientID, t.Summary, t.Details, [4]int64{t.SiteID, t.UserID, t.TypeID, t.PriorityID}})
	if f.tk.createErr != nil {
		return store.Ticket{}, f.tk.createErr
	}
	f.tk.nextID++
	t.ID, t.Summary, t.StatusID, t.SyncState, t.Ref = 1000+f.tk.nextID, strings.TrimSpace(t.Summary), 1, store.TicketPending, "HS-TEST"
	f.tk.rows = append([]app.TicketRow{{Ticket: t, StatusName: "New"}}, f.tk.rows...)
	f.tk.outbox++
	return t, nil
}

func (f *fakeBackend) SetTicketFields(_ context.Context, ticketID, siteID, userID, typeID, priorityID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.fields.fixes = append(f.tk.fields.fixes, [5]int64{ticketID, siteID, userID, typeID, priorityID})
	for i := range f.tk.rows {
		r := &f.tk.rows[i]
		if r.ID == ticketID && r.HaloID == 0 {
			r.SiteID, r.UserID, r.TypeID, r.PriorityID = siteID, userID, typeID, priorityID
			r.SyncState, r.SyncError = store.TicketPending, ""
			return nil
		}
	}
	return errors.New("no such ticket, or it is in HaloPSA already (change it there)")
}

func (f *fakeBackend) SetTicketDefaults(_ context.Context, d store.TicketDefaults) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.fields.savedDefs = append(f.tk.fields.savedDefs, d)
	if f.tk.fields.defaults == nil {
		f.tk.fields.defaults = map[int64]store.TicketDefaults{}
	}
	f.tk.fields.defaults[d.LocalClientID] = d
	return nil
}

func (f *fakeBackend) Notes(_ context.Context, ticketID int64) ([]store.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.tk.fields.notes[ticketID]), nil
}

func (f *fakeBackend) RefreshNotes(_ context.Context, ticketID int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.fields.refreshed = append(f.tk.fields.refreshed, ticketID)
	n := f.tk.fields.onRefresh[ticketID]
	delete(f.tk.fields.onRefresh, ticketID)
	if f.tk.fields.notes == nil {
		f.tk.fields.notes = map[int64][]store.Note{}
	}
	f.tk.fields.notes[ticketID] = append(f.tk.fields.notes[ticketID], n...)
	return len(n), nil
}

func (f *fakeBackend) AddNote(_ context.Context, ticketID int64, text string, private bool, outcomeID int64) (store.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := store.Note{TicketID: ticketID, Body: strings.TrimSpace(text), Private: private, OutcomeID: outcomeID,
		Origin: store.NoteLocal, At: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	f.tk.fields.added = append(f.tk.fields.added, n)
	if f.tk.fields.addErr != nil {
		return store.Note{}, f.tk.fields.addErr
	}
	f.tk.fields.nextNote++
	n.ID = f.tk.fields.nextNote
	if f.tk.fields.notes == nil {
		f.tk.fields.notes = map[int64][]store.Note{}
	}
	f.tk.fields.notes[ticketID] = append(f.tk.fields.notes[ticketID], n)
	f.tk.outbox++
	return n, nil
}

// SetNoteOutcome changes a waiting note's outcome and, as the app's push
// would once HaloPSA takes it, clears its ticket's error.
func (f *fakeBackend) SetNoteOutcome(_ context.Context, noteID, outcomeID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.fields.outcomeSets = append(f.tk.fields.outcomeSets, [2]int64{noteID, outcomeID})
	for tid, ns := range f.tk.fields.notes {
		for i := range ns {
			if ns[i].ID != noteID {
				continue
			}
			if !ns[i].Pending() {
				return errors.New("the note is in HaloPSA already")
			}
			ns[i].OutcomeID = outcomeID
			for j := range f.tk.rows {
				if f.tk.rows[j].ID == tid {
					f.tk.rows[j].SyncState, f.tk.rows[j].SyncError = store.TicketPending, ""
				}
			}
			return nil
		}
	}
	return errors.New("no such note")
}

func (f *fakeBackend) GivenUpDeliveries(_ context.Context, limit int) (int, []store.InboxItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tk.fields.givenUp), slices.Clone(f.tk.fields.givenUp[:min(limit, len(f.tk.fields.givenUp))]), nil
}

func (f *fakeBackend) RetryFailedDeliveries(context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tk.fields.retries++
	n := len(f.tk.fields.givenUp)
	f.tk.fields.givenUp = nil
	return n, nil
}
