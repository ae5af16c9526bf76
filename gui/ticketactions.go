package gui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
)

// showDetail shows a ticket below the table, or a hint when r is nil, and
// sets the status select to its status.
func (t *ticketsTab) showDetail(r *app.TicketRow) {
	if r == nil {
		t.detail.SetText("Select a ticket to see it here.")
		t.notes.show(nil)
		t.syncNote.Hide()
		t.status.Selected = ""
		t.status.Refresh()
		t.updateButtons()
		return
	}
	var b strings.Builder
	b.WriteString(r.Summary + "\n\n")
	fmt.Fprintf(&b, "%s · %s · ", t.clientName(*r), r.StatusName)
	if r.HaloID != 0 {
		fmt.Fprintf(&b, "HaloPSA ticket %d", r.HaloID)
	} else {
		b.WriteString("not in HaloPSA yet")
	}
	if r.Ref != "" {
		b.WriteString(" · HaloSync reference " + r.Ref)
	}
	fmt.Fprintf(&b, "\nLast change %s", when(lastChange(r.Ticket)))
	if line := t.fieldsLine(*r); line != "" {
		b.WriteString("\n" + line)
	}
	if d := strings.TrimSpace(r.Details); d != "" {
		b.WriteString("\n\n" + d)
	}
	t.detail.SetText(b.String())
	t.notes.show(r)
	note, imp := syncNote(*r)
	t.syncNote.Text, t.syncNote.Importance = note, imp
	t.syncNote.Show()
	t.syncNote.Refresh()
	t.status.Selected = r.StatusName // set, not chosen: no OnChanged
	t.status.Refresh()
	t.updateButtons()
}

// syncNote says in words where a ticket stands, with the sync error of a
// conflict or a failed push.
func syncNote(r app.TicketRow) (string, widget.Importance) {
	why := strings.TrimSpace(r.SyncError)
	switch r.SyncState {
	case store.TicketSynced:
		return "In sync with HaloPSA.", widget.SuccessImportance
	case store.TicketPending:
		return "Changed here; waiting to be sent to HaloPSA.", widget.MediumImportance
	case store.TicketConflict:
		if why == "" {
			why = "both sides changed this ticket; the later change was kept"
		}
		return "Conflict: " + why + ". The Sync Log has both changes.", widget.WarningImportance
	case store.TicketError:
		if needsFix(r) {
			return "Not in HaloPSA yet: " + why + ". Fix… sets it and sends the ticket again.", widget.DangerImportance
		}
		if why == "" {
			why = "HaloPSA did not accept the change"
		}
		return "Not synced: " + why + "." + seeLog, widget.DangerImportance
	}
	return string(r.SyncState), widget.MediumImportance
}

// onStatus changes the selected ticket's status to the one chosen.
func (t *ticketsTab) onStatus(name string) {
	r, ok := t.selectedRow()
	if !ok || t.busy {
		return
	}
	for _, s := range t.statuses {
		if s.Name == name && s.ID != r.StatusID {
			t.setStatus(r, func(context.Context) (int64, error) { return s.ID, nil })
			return
		}
	}
}

// onClose sets the selected ticket to HaloPSA's "Closed" status, looked up
// by name: its id differs between HaloPSA instances.
func (t *ticketsTab) onClose() {
	r, ok := t.selectedRow()
	if !ok || t.busy {
		return
	}
	b := t.u.b
	t.setStatus(r, func(ctx context.Context) (int64, error) { return b.ResolveStatus(ctx, "Closed") })
}

// setStatus sets r's status to the one resolve finds, off the Fyne
// goroutine, with the buttons disabled meanwhile.
func (t *ticketsTab) setStatus(r app.TicketRow, resolve func(context.Context) (int64, error)) {
	t.busy = true
	t.updateButtons()
	t.setMessage("Changing the status…", widget.MediumImportance)
	b := t.u.b
	t.u.goWork(func(ctx context.Context) {
		id, err := resolve(ctx)
		if err == nil {
			err = b.SetTicketStatus(ctx, r.ID, id)
		}
		t.u.do(func() {
			t.busy = false
			if err != nil {
				t.setMessage("The status could not be changed. "+plainError(err), widget.DangerImportance)
				t.status.Selected = r.StatusName
				t.status.Refresh()
				t.updateButtons()
				return
			}
			t.setMessage(fmt.Sprintf("%q set to %s. The Sync column shows when HaloPSA has it.",
				clip(oneLine(r.Summary), 60), t.statusName(id)), widget.SuccessImportance)
			t.updateButtons()
			t.u.ticketsChanged()
		})
	})
}

// statusName names a status id, or gives the id when it is unknown.
func (t *ticketsTab) statusName(id int64) string {
	for _, s := range t.statuses {
		if s.ID == id {
			return s.Name
		}
	}
	return fmt.Sprintf("status %d", id)
}

// onNew opens the New ticket dialog.
func (t *ticketsTab) onNew() {
	if t.u.b == nil {
		return
	}
	t.dialog = showNewTicket(t.u, t.clientID, func(tk store.Ticket, defaultsErr error) {
		msg, imp := fmt.Sprintf("Ticket %q created. The Sync column shows when HaloPSA has it.", clip(oneLine(tk.Summary), 60)),
			widget.SuccessImportance
		if defaultsErr != nil {
			msg, imp = msg+" The client's defaults could not be saved. "+plainError(defaultsErr), widget.WarningImportance
		}
		t.setMessage(msg, imp)
		t.selected = tk.ID
		t.u.ticketsChanged()
	})
}

// onFix opens the Fix dialog for the selected ticket HaloPSA refused to
// create for a missing field.
func (t *ticketsTab) onFix() {
	r, ok := t.selectedRow()
	if !ok || !needsFix(r) {
		return
	}
	t.fixDialog = showFixTicket(t.u, r, func() {
		t.setMessage(fmt.Sprintf("%q is on its way to HaloPSA again. The Sync column shows when HaloPSA has it.",
			clip(oneLine(r.Summary), 60)), widget.SuccessImportance)
		t.u.ticketsChanged()
	})
}

// syncLabel is how a sync state reads in the table, and its colour.
func syncLabel(s store.TicketSyncState) (string, widget.Importance) {
	switch s {
	case store.TicketSynced:
		return "✓ synced", widget.SuccessImportance
	case store.TicketPending:
		return "… pending", widget.MediumImportance
	case store.TicketConflict:
		return "! conflict", widget.WarningImportance
	case store.TicketError:
		return "✗ error", widget.DangerImportance
	}
	return string(s), widget.MediumImportance
}

// lastChange is when the ticket last changed on either side; for a
// ticket just made here, when it was stored.
func lastChange(t store.Ticket) time.Time {
	last := t.HaloUpdatedAt
	if t.LocalChangedAt.After(last) {
		last = t.LocalChangedAt
	}
	if last.IsZero() {
		last = t.UpdatedAt
	}
	return last
}

// plural counts things: "1 conflict", "2 conflicts".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// haloNumber is a ticket's HaloPSA id, or a dash before it exists there.
func haloNumber(id int64) string {
	if id == 0 {
		return "—"
	}
	return strconv.FormatInt(id, 10)
}

// fieldsLine names a ticket's site, contact, type and priority from its
// client's lists, read once per client off the Fyne goroutine (the detail
// is shown again when they arrive); "" until then, or when none is set.
func (t *ticketsTab) fieldsLine(r app.TicketRow) string {
	if r.SiteID == 0 && r.UserID == 0 && r.TypeID == 0 && r.PriorityID == 0 {
		return ""
	}
	c, ok := t.choices[r.LocalClientID]
	if !ok {
		t.loadChoices(r.LocalClientID)
		return ""
	}
	var parts []string
	for _, p := range []struct {
		id         int64
		name, what string
	}{
		{r.SiteID, c.SiteName(r.SiteID), "site"}, {r.UserID, c.ContactName(r.UserID), "contact"},
		{r.TypeID, c.TypeName(r.TypeID), "type"}, {r.PriorityID, c.PriorityName(r.PriorityID), "priority"},
	} {
		switch {
		case p.id == 0:
		case p.name == "":
			parts = append(parts, fmt.Sprintf("%s %d", p.what, p.id))
		case p.what == "priority":
			parts = append(parts, p.name+" priority")
		default:
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, " · ")
}

// loadChoices reads a client's lists for fieldsLine, once at a time.
func (t *ticketsTab) loadChoices(localID int64) {
	if t.u.b == nil || localID == 0 || t.choicesBusy[localID] {
		return
	}
	if t.choicesBusy == nil {
		t.choicesBusy = map[int64]bool{}
	}
	t.choicesBusy[localID] = true
	b := t.u.b
	t.u.goWork(func(ctx context.Context) {
		c, err := b.TicketChoices(ctx, localID)
		t.u.do(func() {
			delete(t.choicesBusy, localID)
			if err != nil {
				c = app.TicketChoices{} // ids without names, and no retry until a full reload
			}
			if t.choices == nil {
				t.choices = map[int64]app.TicketChoices{}
			}
			t.choices[localID] = c
			if r, ok := t.selectedRow(); ok && r.LocalClientID == localID {
				t.showDetail(&r)
			}
		})
	})
}
