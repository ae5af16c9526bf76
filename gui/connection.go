package gui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
)

// connectTimeout bounds Authorize: a token and one call per scope.
const connectTimeout = 60 * time.Second

// intervals are the poll intervals offered, in order.
var intervals = []struct {
	label string
	d     time.Duration
}{
	{"5 minutes", 5 * time.Minute}, {"15 minutes", 15 * time.Minute}, {"30 minutes", 30 * time.Minute},
	{"1 hour", time.Hour}, {"4 hours", 4 * time.Hour},
}

// connectionTab is where the user connects to HaloPSA and controls syncing.
type connectionTab struct {
	u *Window

	url, clientID, secret *widget.Entry
	tenant, authURL       *widget.Entry
	authorize             *widget.Button
	busy                  *widget.Activity
	state                 *widget.Label // green "Connected", or what is wrong
	detail                *widget.Label // address, client ID, since when
	scopes                *widget.Label

	syncNow    *widget.Button
	interval   *widget.Select
	pause      *widget.Check
	disconnect *widget.Button
	lastSync   *widget.Label
	polling    *widget.Label // how ticket polling finds changes on this HaloPSA
	status     app.Status    // the backend's last status, for health changes between refreshes
	health     app.Health    // the latest health event, or the status's until one came
	healthSeen bool
	hook       *webhookSection

	filled     string            // the stored settings the form was filled from
	authorized app.ConnectResult // the last Authorize's result: its Note explains an http address
	connected  bool              // the latest status said so
	connecting bool
	syncing    bool
	content    fyne.CanvasObject
}

func newConnectionTab(u *Window) *connectionTab {
	t := &connectionTab{u: u, hook: newWebhookSection(u)}
	t.build()
	return t
}

func (t *connectionTab) build() {
	t.url = &widget.Entry{PlaceHolder: "yourcompany.halopsa.com"}
	t.clientID = &widget.Entry{PlaceHolder: "from the API application in HaloPSA"}
	t.secret = widget.NewPasswordEntry()
	t.secret.PlaceHolder = "shown once when the API application is created"
	t.tenant = &widget.Entry{PlaceHolder: "only for shared hosted servers"}
	t.authURL = &widget.Entry{PlaceHolder: "only for self-hosted HaloPSA with its own auth server"}
	t.url.OnSubmitted = func(string) { t.onAuthorize() }
	t.secret.OnSubmitted = func(string) { t.onAuthorize() }
	form := widget.NewForm(
		widget.NewFormItem("HaloPSA URL", t.url),
		widget.NewFormItem("Client ID", t.clientID),
		widget.NewFormItem("Client Secret", t.secret),
	)
	advanced := widget.NewAccordion(widget.NewAccordionItem("Advanced: tenant and authorisation server",
		widget.NewForm(widget.NewFormItem("Tenant", t.tenant), widget.NewFormItem("Auth server URL", t.authURL))))

	t.authorize = &widget.Button{Text: "Authorize", Icon: theme.LoginIcon(), Importance: widget.HighImportance, OnTapped: t.onAuthorize}
	t.busy = widget.NewActivity()
	t.busy.Hide()
	t.state = &widget.Label{Text: "Not connected", TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	t.detail = &widget.Label{Wrapping: fyne.TextWrapWord}
	t.scopes = &widget.Label{Wrapping: fyne.TextWrapWord}
	connect := widget.NewCard("HaloPSA connection", "The API application you created in HaloPSA (Client ID and Secret)",
		container.NewVBox(form, advanced,
			container.NewHBox(t.authorize, t.busy),
			t.state, t.detail, t.scopes))

	t.syncNow = &widget.Button{Text: "Sync now", Icon: theme.ViewRefreshIcon(), OnTapped: t.u.syncNow}
	labels := make([]string, len(intervals))
	for i, iv := range intervals {
		labels[i] = iv.label
	}
	t.interval = widget.NewSelect(labels, t.onInterval)
	t.pause = widget.NewCheck("Pause automatic sync", func(p bool) {
		if t.u.b != nil && p != t.u.b.Paused() {
			t.u.setPaused(p)
		}
	})
	t.disconnect = &widget.Button{Text: "Disconnect", Icon: theme.LogoutIcon(), Importance: widget.DangerImportance, OnTapped: t.onDisconnect}
	t.lastSync = &widget.Label{Wrapping: fyne.TextWrapWord}
	t.polling = &widget.Label{Wrapping: fyne.TextWrapWord}
	syncCard := widget.NewCard("Sync", "",
		container.NewVBox(
			container.NewHBox(t.syncNow, widget.NewLabel("Sync every"), t.interval, t.pause, layout.NewSpacer(), t.disconnect),
			t.lastSync, t.polling))
	if b := t.u.b; b != nil {
		t.showInterval(b.SyncInterval())
		t.pause.SetChecked(b.Paused())
	}
	help := widget.NewAccordion(widget.NewAccordionItem("How do I create the API application in HaloPSA?",
		&widget.Label{Wrapping: fyne.TextWrapWord, Text: setupHelp}))
	t.content = container.NewVScroll(container.NewVBox(connect, syncCard, t.hook.content, help))
	t.updateButtons()
}

const setupHelp = `1. In HaloPSA open Configuration > Integrations > Halo API and note the Resource Server (your HaloPSA URL), and on shared hosted servers the Tenant.
2. Click View Applications > New and name it HaloSync.
3. Set Authentication Method to "Client ID and Secret (Services)" and Login Type to Agent; pick an agent that can see all your customers and their tickets.
4. Copy the Client ID and the Client Secret now: the secret is shown only once.
5. On the Permissions tab tick read:customers, read:assets, read:tickets and edit:tickets, and save.`

// showInterval selects d in the interval list, adding it when it is not
// one of the offered ones.
func (t *connectionTab) showInterval(d time.Duration) {
	for _, iv := range intervals {
		if iv.d == d {
			t.interval.SetSelected(iv.label)
			return
		}
	}
	label := d.String()
	t.interval.Options = append(t.interval.Options, label)
	t.interval.SetSelected(label)
}

func (t *connectionTab) onInterval(label string) {
	for _, iv := range intervals {
		if iv.label == label && t.u.b != nil && t.u.b.SyncInterval() != iv.d {
			t.u.b.SetSyncInterval(iv.d)
		}
	}
}

// request is what the form holds, trimmed.
func (t *connectionTab) request() app.ConnectRequest {
	return app.ConnectRequest{
		URL: strings.TrimSpace(t.url.Text), ClientID: strings.TrimSpace(t.clientID.Text), Secret: t.secret.Text,
		Tenant: strings.TrimSpace(t.tenant.Text), AuthURL: strings.TrimSpace(t.authURL.Text),
	}
}

// missing names the first empty required field, in words.
func missing(r app.ConnectRequest) string {
	switch {
	case r.URL == "":
		return "Enter your HaloPSA URL, for example yourcompany.halopsa.com."
	case r.ClientID == "":
		return "Enter the Client ID of the API application you created in HaloPSA."
	case r.Secret == "":
		return "Enter the Client Secret of the API application you created in HaloPSA."
	}
	return ""
}

func (t *connectionTab) onAuthorize() {
	if t.connecting || t.u.b == nil {
		return
	}
	req := t.request()
	if msg := missing(req); msg != "" {
		t.setState(msg, widget.DangerImportance)
		return
	}
	t.connecting = true
	t.updateButtons()
	t.busy.Show()
	t.busy.Start()
	t.setState("Checking the connection with HaloPSA…", widget.MediumImportance)
	t.scopes.SetText("")
	b := t.u.b
	t.u.goWork(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		res, err := b.Connect(ctx, req)
		t.u.do(func() {
			t.connecting = false
			t.busy.Stop()
			t.busy.Hide()
			if err != nil {
				t.setState(plainError(err), widget.DangerImportance)
				t.updateButtons()
				return
			}
			t.connected = true
			t.secret.SetText("")
			t.secret.PlaceHolder = t.secretKeptIn()
			t.secret.Refresh()
			t.authorized = res
			t.setState("Connected to "+res.String(), widget.SuccessImportance)
			t.scopes.SetText("Granted: " + strings.Join(res.Scopes, ", "))
			t.updateButtons()
			t.u.refreshStatus()
		})
	})
}

func (t *connectionTab) onDisconnect() {
	where := "removed from the system keychain"
	if t.u.demo {
		where = "forgotten (in demo mode it is kept in memory only)"
	}
	dialog.ShowConfirm("Disconnect from HaloPSA?",
		"The Client Secret is "+where+" and HaloSync stops syncing.\n"+
			"Imported clients, your client book and its mappings stay.",
		func(ok bool) {
			if !ok {
				return
			}
			t.disconnect.Disable()
			b := t.u.b
			t.u.goWork(func(ctx context.Context) {
				err := b.Disconnect(ctx)
				t.u.do(func() {
					if err != nil {
						t.setState(plainError(err), widget.DangerImportance)
					}
					t.u.refreshStatus()
				})
			})
		}, t.u.win)
}

// applyStatus shows the backend's connection state and fills the form
// with the stored settings (never the secret).
func (t *connectionTab) applyStatus(st app.Status) {
	t.connected = st.Connected
	if key := st.Address + "\x00" + st.ClientID + "\x00" + st.Tenant; st.Address != "" && key != t.filled {
		// Filled once per stored connection, so a refresh never
		// overwrites what the user is typing.
		t.filled = key
		t.url.SetText(st.Address)
		t.clientID.SetText(st.ClientID)
		t.tenant.SetText(st.Tenant)
		t.secret.PlaceHolder = t.secretKeptIn()
		t.secret.Refresh()
	}
	t.status = st
	if !t.healthSeen {
		t.health = st.Health // until an event says newer
	}
	if !t.connecting {
		t.showHealth()
	}
	t.detail.SetText("")
	t.scopes.SetText("")
	if st.Address != "" {
		addr := st.Address
		if t.authorized.Address == addr {
			addr = t.authorized.String() // "http://127.0.0.1:8080 (https did not answer)"
		}
		t.detail.SetText("HaloPSA " + addr + " · client " + st.ClientID + " · connected " + when(st.ConnectedAt))
		t.scopes.SetText("Granted: " + strings.Join(st.Scopes, ", "))
	}
	t.polling.SetText("")
	if st.Polling != "" {
		t.polling.SetText("Ticket polling: " + st.Polling)
	}
	t.lastSync.SetText(lastSyncText(st))
	if r := st.LastRun; r != nil && r.Summary != "" {
		t.lastSync.SetText(lastSyncText(st) + "\n" + r.Summary)
	}
	t.updateButtons()
}

// secretKeptIn says where the stored secret is: the keychain, or in demo
// mode the memory of this run.
func (t *connectionTab) secretKeptIn() string {
	if t.u.demo {
		return "demo mode: kept in memory only, never in the system keychain"
	}
	return "stored in the system keychain"
}

// setHealth shows a change of HaloSync's standing with HaloPSA in the
// state line, in the status bar's words and colour (see viewHealth).
func (t *connectionTab) setHealth(h app.Health) {
	t.health, t.healthSeen = h, true
	if !t.connecting {
		t.showHealth()
	}
}

// showHealth words the state line from the latest status and health.
func (t *connectionTab) showHealth() {
	v := viewHealth(t.status, t.health)
	t.setState(v.long, v.importance)
}

func (t *connectionTab) setState(text string, imp widget.Importance) {
	t.state.Text, t.state.Importance = text, imp
	t.state.Refresh()
}

// setSyncing disables Sync now while an import runs or was asked for.
func (t *connectionTab) setSyncing(on bool) {
	t.syncing = on
	if on {
		t.syncNow.SetText("Syncing…")
	} else {
		t.syncNow.SetText("Sync now")
	}
	t.updateButtons()
}

func (t *connectionTab) updateButtons() {
	enable(t.authorize, !t.connecting)
	enable(t.syncNow, t.connected && !t.syncing && !t.connecting)
	enable(t.disconnect, t.connected && !t.connecting)
}

// enable enables or disables a button.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
