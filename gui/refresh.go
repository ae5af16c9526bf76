package gui

import (
	"context"
	"time"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/tunnel"
)

// refreshInterval is how often the window re-reads what may change
// without an event: the tunnel's state, the outbox's due times, tickets
// changed by another process on the same data folder. Tests set it to
// zero: no timer, they refresh by hand.
var refreshInterval = 5 * time.Second

// webhookEvery is how many refresh ticks pass between reads of the
// webhook's state while nothing asks for it sooner (it reads the keychain).
const webhookEvery = 12

// refresher is the state of the periodic refresh, owned by the Fyne
// goroutine.
type refresher struct {
	ticks          int
	outboxLoading  bool
	webhookLoading bool
	webhook        app.WebhookStatus // the latest, to know if it is up
	deb            debouncer         // coalesces ticket events into one reload
	mappingStale   bool              // the mapping changed while its tab was hidden
}

// reset forgets what was read from the previous backend.
func (r *refresher) reset() {
	r.outboxLoading, r.webhookLoading, r.webhook = false, false, app.WebhookStatus{}
	r.mappingStale = false // the new backend's book is loaded anyway
}

// startRefresh ticks every refreshInterval until the window closes. The
// goroutine is not one of u.work's jobs: it lives as long as the window.
func (u *Window) startRefresh() {
	if refreshInterval <= 0 {
		return
	}
	go func() {
		tk := time.NewTicker(refreshInterval)
		defer tk.Stop()
		for {
			select {
			case <-u.ctx.Done():
				return
			case <-tk.C:
				u.do(u.onTick)
			}
		}
	}()
}

// onTick refreshes the outbox count, the tickets when their tab shows, and
// the webhook's state when it may have changed.
func (u *Window) onTick() {
	if u.b == nil || u.tabs == nil {
		return
	}
	u.refresh.ticks++
	u.refreshOutbox()
	tab := u.tabs.SelectedIndex()
	if tab == tabTickets {
		u.tickets.reload(false)
	}
	w := u.refresh.webhook
	if tab == tabConnection || u.refresh.ticks%webhookEvery == 0 || (w.Settings.Mode != tunnel.None && !w.Up) {
		u.refreshWebhook()
	}
}

// onTabSelected loads what the tab shown needs.
func (u *Window) onTabSelected() {
	switch u.tabs.SelectedIndex() {
	case tabMapping:
		if u.refresh.mappingStale {
			u.refresh.mappingStale = false
			u.mapping.reload()
		}
	case tabTickets:
		u.tickets.reload(true)
	case tabConnection:
		u.refreshWebhook()
	}
}

// ticketsChanged re-reads the tickets (when their tab shows) and the
// outbox count, after the user's own change or the engine's.
func (u *Window) ticketsChanged() {
	if u.tabs != nil && u.tabs.SelectedIndex() == tabTickets {
		u.tickets.reload(false)
	}
	if u.tickets != nil {
		u.tickets.held.reload()    // a sync may have held changes, or applied held ones
		u.tickets.givenUp.reload() // or given some up
	}
	u.refreshOutbox()
}

// refreshOutbox shows how many changes wait for HaloPSA.
func (u *Window) refreshOutbox() {
	b := u.b
	if b == nil || u.refresh.outboxLoading {
		return
	}
	u.refresh.outboxLoading = true
	u.goWork(func(ctx context.Context) {
		n, err := b.OutboxPending(ctx)
		u.do(func() {
			if b != u.b {
				return
			}
			u.refresh.outboxLoading = false
			if err == nil {
				u.status.setOutbox(n)
			}
		})
	})
}

// refreshWebhook shows the webhook's state in the status bar and on the
// Connection tab.
func (u *Window) refreshWebhook() {
	b := u.b
	if b == nil || u.refresh.webhookLoading {
		return
	}
	u.refresh.webhookLoading = true
	u.goWork(func(ctx context.Context) {
		st, err := b.WebhookStatus(ctx)
		u.do(func() {
			if b != u.b {
				return
			}
			u.refresh.webhookLoading = false
			if err != nil {
				st.Up, st.Problem = false, webhookError(err)
				if st.Settings.Mode == "" {
					st.Settings = u.refresh.webhook.Settings // unread: keep the form as it is
				}
			}
			u.refresh.webhook = st
			u.status.setWebhook(st)
			u.conn.hook.apply(st)
		})
	})
}
