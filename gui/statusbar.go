package gui

import (
	"fmt"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/sync"
	"github.com/brainstormmsp/halosync/engine/tunnel"
)

// statusBar is the strip under the tabs: the connection state (or, while
// connected, why HaloPSA is not answering or why requests wait), the last
// sync, during an import a progress bar per resource, the changes waiting
// for HaloPSA and the webhook's state. Its methods run on the Fyne
// goroutine.
type statusBar struct {
	state    *widget.Label
	lastSync *widget.Label
	outbox   *widget.Label // "2 changes waiting for HaloPSA"; hidden at 0
	webhook  *widget.Label // "Webhook: up", "Polling" or "Webhook: problem"
	demo     *widget.Label
	running  *fyne.Container // the bars, shown during an import unless requests wait
	bars     map[store.Resource]*resourceBar
	content  fyne.CanvasObject

	st         app.Status // the latest status read
	health     app.Health // the latest health
	healthSeen bool       // health came as an event, newer than any status read
	importing  bool
}

// resourceBar is one resource's import progress.
type resourceBar struct {
	box *fyne.Container
	bar *widget.ProgressBar
}

func newStatusBar() *statusBar {
	s := &statusBar{
		state:    &widget.Label{Text: "Not connected", TextStyle: fyne.TextStyle{Bold: true}},
		lastSync: &widget.Label{},
		outbox:   &widget.Label{Importance: widget.WarningImportance},
		webhook:  &widget.Label{Text: "Polling"},
		demo:     &widget.Label{Text: "Demo mode: simulated HaloPSA, made-up clients", Importance: widget.WarningImportance},
		bars:     map[store.Resource]*resourceBar{},
		running:  container.NewHBox(),
	}
	s.demo.Hide()
	for _, r := range store.Resources() {
		bar := &widget.ProgressBar{Max: 1}
		bar.TextFormatter = func() string { return progressText(r, bar) }
		rb := &resourceBar{bar: bar, box: container.NewGridWrap(fyne.NewSize(130, bar.MinSize().Height), bar)}
		rb.box.Hide()
		s.bars[r] = rb
		s.running.Add(rb.box)
	}
	s.running.Hide()
	s.outbox.Hide()
	// The parts wrap onto a second row in a narrow window rather than
	// widen it or cut a part off.
	s.content = container.NewVBox(widget.NewSeparator(),
		wrapRow(s.state, s.lastSync, s.running, s.outbox, s.webhook, s.demo))
	return s
}

// progressText reads "clients 300/400" on the bar.
func progressText(r store.Resource, b *widget.ProgressBar) string {
	if b.Max <= 1 && b.Value == 0 {
		return string(r) + "…"
	}
	return fmt.Sprintf("%s %d/%d", r, int(b.Value), int(b.Max))
}

// applyStatus shows the connection state and the last sync.
func (s *statusBar) applyStatus(st app.Status, syncing bool) {
	s.st = st
	if !s.healthSeen {
		s.health = st.Health
	}
	s.showState()
	s.showLastFailure(syncing)
}

// showLastFailure says when the latest import failed, if it did and none
// runs now; the state line already tells the last sync's time.
func (s *statusBar) showLastFailure(syncing bool) {
	r := s.st.LastRun
	if syncing || r == nil || (r.Status != store.StatusFailed && r.Status != store.StatusInterrupted) {
		s.lastSync.Hide()
		return
	}
	s.lastSync.SetText("The latest attempt failed at " + when(r.FinishedAt))
	s.lastSync.Show()
}

// setHealth shows a change of HaloSync's standing with HaloPSA.
func (s *statusBar) setHealth(h app.Health) {
	s.health, s.healthSeen = h, true
	s.showState()
}

// reset forgets what the previous backend said.
func (s *statusBar) reset() {
	s.health, s.healthSeen, s.importing = app.Health{}, false, false
	s.running.Hide()
}

// showState words the health, in colour (see viewHealth): never a green
// "Connected" while HaloPSA does not answer. While requests wait for the
// rate limit, the import's bars give way to when they resume, instead of
// standing still.
func (s *statusBar) showState() {
	v := viewHealth(s.st, s.health)
	s.state.Text, s.state.Importance = "● "+v.short, v.importance
	s.state.Refresh()
	if s.importing && s.health.State != app.HealthWaiting {
		s.running.Show()
	} else {
		s.running.Hide()
	}
}

// lastSyncText says when the last import finished, and if the latest one
// failed.
func lastSyncText(st app.Status) string {
	text := "Last sync: never"
	if !st.Counts.LastSync.IsZero() {
		text = "Last sync: " + when(st.Counts.LastSync)
	}
	if r := st.LastRun; r != nil && (r.Status == store.StatusFailed || r.Status == store.StatusInterrupted) {
		text += " (the latest attempt failed at " + when(r.FinishedAt) + ")"
	}
	return text
}

// setOutbox shows how many local changes wait for HaloPSA.
func (s *statusBar) setOutbox(n int) {
	switch n {
	case 0:
		s.outbox.Hide()
		return
	case 1:
		s.outbox.SetText("1 change waiting for HaloPSA")
	default:
		s.outbox.SetText(fmt.Sprintf("%d changes waiting for HaloPSA", n))
	}
	s.outbox.Show()
}

// setWebhook shows whether HaloPSA's webhooks reach HaloSync.
func (s *statusBar) setWebhook(st app.WebhookStatus) {
	switch {
	case st.Settings.Mode == tunnel.None:
		s.webhook.Text, s.webhook.Importance = "Polling", widget.MediumImportance
	case st.Up:
		s.webhook.Text, s.webhook.Importance = "Webhook: up", widget.SuccessImportance
	default:
		s.webhook.Text, s.webhook.Importance = "Webhook: problem", widget.DangerImportance
	}
	s.webhook.Refresh()
}

func (s *statusBar) setDemo(demo bool) {
	if demo {
		s.demo.Show()
	} else {
		s.demo.Hide()
	}
}

// importBegan resets and shows the progress bars.
func (s *statusBar) importBegan() {
	for _, rb := range s.bars {
		rb.bar.Max, rb.bar.Value = 1, 0
		rb.bar.Refresh()
		rb.box.Hide()
	}
	s.importing = true
	s.showState()
	s.lastSync.Hide()
}

// progress moves one resource's bar.
func (s *statusBar) progress(p sync.Progress) {
	rb, ok := s.bars[p.Resource]
	if !ok {
		return
	}
	total := float64(p.Total)
	if total < float64(p.Rows) {
		total = float64(p.Rows) // unknown (-1) or grown since page 1
	}
	rb.bar.Max, rb.bar.Value = max(total, 1), float64(p.Rows)
	rb.bar.Refresh()
	rb.box.Show()
}

// importEnded hides the progress bars.
func (s *statusBar) importEnded() {
	s.importing = false
	s.running.Hide()
}

// when formats a time briefly: the time of day today, else the date too.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	t, now := t.Local(), time.Now()
	switch {
	case t.YearDay() == now.YearDay() && t.Year() == now.Year():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("2 Jan 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// hostOf is the host of a base URL, for short display.
func hostOf(addr string) string {
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		return u.Host
	}
	return addr
}
