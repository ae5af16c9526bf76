package gui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/tunnel"
)

// testTimeout bounds Test webhook: a delivery out through the tunnel and
// back in through the receiver.
const testTimeout = 60 * time.Second

// The tunnel choices, in the order shown.
const (
	choiceNone     = "None: polling only (HaloSync asks HaloPSA for changes every minute)"
	choiceExternal = "My own tunnel (cloudflared, Tailscale Funnel, reverse proxy)"
	choiceNgrok    = "ngrok (HaloSync runs the tunnel itself)"
)

var tunnelChoices = map[string]tunnel.Mode{choiceNone: tunnel.None, choiceExternal: tunnel.External, choiceNgrok: tunnel.Ngrok}

// masked stands for the webhook password until the user reveals it.
const masked = "••••••••••••••••"

// webhookSection is the Connection tab's part about real-time updates:
// how HaloPSA's webhooks reach HaloSync, and what to enter in HaloPSA.
// Its fields are owned by the Fyne goroutine. The credentials it shows
// are never logged.
type webhookSection struct {
	u *Window

	mode        *widget.RadioGroup
	external    *widget.Entry // External: the public https URL
	listen      *widget.Entry // External: where the tunnel forwards to
	token       *widget.Entry // ngrok: a new authtoken
	domain      *widget.Entry // ngrok: a reserved domain, optional
	externalBox *fyne.Container
	ngrokBox    *fyne.Container
	save        *widget.Button
	saveMsg     *widget.Label

	state           *widget.Label
	problem         *widget.Label // the engine's words for what is wrong
	url, user, pass *widget.Label
	reveal          *widget.Button
	copyURL         *widget.Button
	copyUser        *widget.Button
	copyPass        *widget.Button
	details         *fyne.Container // the URL and credentials, hidden without a tunnel
	test            *widget.Button
	testMsg         *widget.Label
	content         fyne.CanvasObject
	st              app.WebhookStatus // the latest status
	filled          string            // the saved settings the form was filled from
	saving, testing bool
	revealed        bool

	authParts
}

func newWebhookSection(u *Window) *webhookSection {
	w := &webhookSection{u: u}
	w.build()
	return w
}

func (w *webhookSection) build() {
	w.mode = &widget.RadioGroup{Options: []string{choiceNone, choiceExternal, choiceNgrok}, Required: true,
		OnChanged: func(string) { w.onMode() }}
	w.mode.ExtendBaseWidget(w.mode)
	w.external = &widget.Entry{PlaceHolder: "https://halosync.example.com"}
	w.listen = &widget.Entry{PlaceHolder: app.DefaultListen}
	w.externalBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem("Public URL", w.external),
		widget.NewFormItem("Forward it to", w.listen)),
		&widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
			Text: "Run your tunnel so that its public https address forwards to the local address above " +
				"(for example: cloudflared tunnel --url http://" + app.DefaultListen + ")."})
	w.token = widget.NewPasswordEntry()
	w.domain = &widget.Entry{PlaceHolder: "optional, e.g. halosync.ngrok.app"}
	w.ngrokBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem("ngrok authtoken", w.token),
		widget.NewFormItem("Reserved domain", w.domain)),
		&widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
			Text: "The authtoken is on your ngrok dashboard under Your Authtoken. Without a reserved domain the " +
				"address changes each time HaloSync starts, and HaloPSA's webhook must be updated."})
	w.save = &widget.Button{Text: "Save", Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: w.onSave}
	w.saveMsg = &widget.Label{Wrapping: fyne.TextWrapWord}

	w.state = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	w.problem = &widget.Label{TextStyle: fyne.TextStyle{Italic: true}, Wrapping: fyne.TextWrapWord, Selectable: true}
	w.url = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	w.user = &widget.Label{}
	w.pass = &widget.Label{Text: masked}
	w.copyURL = &widget.Button{Icon: theme.ContentCopyIcon(), Text: "Copy", OnTapped: func() { w.copy(w.webhookURL(), w.copyURL) }}
	w.copyUser = &widget.Button{Icon: theme.ContentCopyIcon(), Text: "Copy", OnTapped: func() { w.copy(w.st.Credentials.Username, w.copyUser) }}
	w.copyPass = &widget.Button{Icon: theme.ContentCopyIcon(), Text: "Copy", OnTapped: func() { w.copy(w.st.Credentials.Password, w.copyPass) }}
	w.reveal = &widget.Button{Icon: theme.VisibilityIcon(), Text: "Show", OnTapped: w.onReveal}
	w.buildAuth()
	w.test = &widget.Button{Text: "Test webhook", Icon: theme.MailSendIcon(), OnTapped: w.onTest}
	w.testMsg = &widget.Label{Wrapping: fyne.TextWrapWord}
	w.saveMsg.Hide()
	w.testMsg.Hide()
	w.details = container.NewVBox(
		widget.NewLabel("Enter these in HaloPSA's webhook:"),
		detailRow("Payload URL", w.url, w.copyURL),
		w.basicRows,
		w.signRows,
		container.NewHBox(w.test, layout.NewSpacer()), w.testMsg,
	)
	help := widget.NewAccordion(widget.NewAccordionItem("How do I set up the webhook in HaloPSA?",
		&widget.Label{Wrapping: fyne.TextWrapWord, Text: webhookHelp}))
	w.content = widget.NewCard("Real-time updates (webhooks)",
		"HaloPSA tells HaloSync about ticket changes at once; without a tunnel HaloSync polls instead",
		container.NewVBox(w.mode, w.externalBox, w.ngrokBox, widget.NewSeparator(), w.authBox,
			container.NewHBox(w.save), w.saveMsg,
			widget.NewSeparator(), w.state, w.problem, w.details, help))
	w.apply(app.WebhookStatus{Settings: app.TunnelSettings{Mode: tunnel.None}})
}

const webhookHelp = `1. Choose how HaloPSA reaches this computer above and Save; wait until the state reads "Webhook is up".
2. In HaloPSA open Configuration > Integrations > Webhooks and click New. Name it HaloSync.
3. Payload URL: the Payload URL above. Method POST, content type JSON.
4. Authentication: with Basic chosen above, Basic Authentication with the username and password above. With the signature header chosen, API Key: the header name and the secret above; HaloPSA must send base64(HMAC-SHA256(secret, body)) in that header. HaloPSA documents only Basic, so prefer it unless your HaloPSA signs deliveries.
5. Events: add New Ticket Logged, Ticket Status Changed, Ticket Updated and Ticket Closed.
6. Save it. Test webhook here checks that the public URL reaches HaloSync; the webhook's Deliveries tab in HaloPSA shows each delivery HaloPSA sent.`

// choice is the radio label of a mode.
func choice(m tunnel.Mode) string {
	for label, mode := range tunnelChoices {
		if mode == m {
			return label
		}
	}
	return choiceNone
}

// onMode shows the fields of the mode chosen and says that it takes a Save.
func (w *webhookSection) onMode() {
	w.showModeFields()
	if w.saveMsg == nil {
		return // building
	}
	if tunnelChoices[w.mode.Selected] != w.st.Settings.Mode || w.authChanged() {
		w.setLabel(w.saveMsg, "Not saved yet: press Save to switch to this.", widget.WarningImportance)
	} else if w.saveMsg.Importance == widget.WarningImportance {
		// Only the reminder goes: "Saved." or an error stays readable while
		// the form is refilled after a Save.
		w.setLabel(w.saveMsg, "", widget.MediumImportance)
	}
}

// showModeFields shows the fields the chosen mode needs.
func (w *webhookSection) showModeFields() {
	w.externalBox.Hide()
	w.ngrokBox.Hide()
	switch tunnelChoices[w.mode.Selected] {
	case tunnel.External:
		w.externalBox.Show()
	case tunnel.Ngrok:
		w.ngrokBox.Show()
	}
}

// settings is what the form holds. The authtoken goes along only with
// ngrok chosen; empty, it keeps the stored one.
func (w *webhookSection) settings() app.TunnelSettings {
	s := app.TunnelSettings{Mode: tunnelChoices[w.mode.Selected], ExternalURL: strings.TrimSpace(w.external.Text),
		Listen: strings.TrimSpace(w.listen.Text), NgrokDomain: strings.TrimSpace(w.domain.Text)}
	if s.Mode == tunnel.Ngrok {
		s.NgrokToken = strings.TrimSpace(w.token.Text)
	}
	s.Auth, s.SignatureHeader = w.authSettings()
	return s
}

func (w *webhookSection) onSave() {
	if w.u.b == nil || w.saving {
		return
	}
	s := w.settings()
	w.saving = true
	w.updateButtons()
	w.setLabel(w.saveMsg, "Saving and restarting the sync…", widget.MediumImportance)
	b := w.u.b
	w.u.goWork(func(ctx context.Context) {
		err := b.SetTunnel(ctx, s)
		w.u.do(func() {
			w.saving = false
			w.updateButtons()
			if err != nil {
				w.setLabel(w.saveMsg, webhookError(err), widget.DangerImportance)
				return
			}
			w.token.SetText("")
			w.setLabel(w.saveMsg, "Saved.", widget.SuccessImportance)
			w.setLabel(w.testMsg, "", widget.MediumImportance)
			w.u.refreshWebhook()
		})
	})
}

func (w *webhookSection) onTest() {
	if w.u.b == nil || w.testing {
		return
	}
	w.testing = true
	w.updateButtons()
	w.setLabel(w.testMsg, "Sending a test delivery through the public URL…", widget.MediumImportance)
	b := w.u.b
	w.u.goWork(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, testTimeout)
		defer cancel()
		err := b.TestWebhook(ctx)
		w.u.do(func() {
			w.testing = false
			w.updateButtons()
			if err != nil {
				w.setLabel(w.testMsg, "The test failed: "+webhookError(err), widget.DangerImportance)
				return
			}
			w.setLabel(w.testMsg, "It works: a test delivery went out through the public URL and arrived in HaloSync.",
				widget.SuccessImportance)
		})
	})
}

// apply shows a webhook status and, the first time and whenever the saved
// settings change, fills the form with them.
func (w *webhookSection) apply(st app.WebhookStatus) {
	w.st = st
	s := st.Settings
	key := strings.Join([]string{string(s.Mode), s.ExternalURL, s.Listen, s.NgrokDomain, string(s.Auth), s.SignatureHeader}, "\x00")
	fill := key != w.filled
	if fill {
		w.filled = key
		w.mode.SetSelected(choice(s.Mode))
		w.external.SetText(s.ExternalURL)
		w.listen.SetText(s.Listen)
		w.domain.SetText(s.NgrokDomain)
	}
	w.applyAuth(fill)
	w.token.PlaceHolder = tokenPlaceholder(s.Mode == tunnel.Ngrok, w.u.demo)
	w.token.Refresh()
	head, imp := webhookState(st)
	w.setLabel(w.state, head, imp)
	detail := ""
	if !st.Up && s.Mode != tunnel.None {
		detail = "Details: " + st.Problem
	}
	w.setLabel(w.problem, detail, widget.MediumImportance)
	if s.Mode == tunnel.None {
		w.details.Hide()
	} else {
		w.details.Show()
	}
	if u := w.webhookURL(); u != "" {
		w.url.SetText(u)
	} else {
		w.url.SetText("(appears once the tunnel is up)")
	}
	w.user.SetText(st.Credentials.Username)
	w.showPassword()
	w.updateButtons()
}

// webhookState says in a line whether HaloPSA's webhooks reach HaloSync.
func webhookState(st app.WebhookStatus) (string, widget.Importance) {
	switch {
	case st.Settings.Mode == tunnel.None:
		return "● Polling: no webhook. HaloSync asks HaloPSA for changes every minute.", widget.MediumImportance
	case st.Up:
		return "● Webhook is up: HaloPSA can send ticket changes to the URL below.", widget.SuccessImportance
	case st.Settings.Mode == tunnel.Ngrok:
		return "● Webhook problem: the ngrok tunnel is not up. Check the internet connection and the authtoken; " +
			"HaloSync keeps trying and polls meanwhile.", widget.DangerImportance
	}
	return "● Webhook problem: HaloSync's webhook receiver is not running; HaloSync polls meanwhile.", widget.DangerImportance
}

// tokenPlaceholder says where the ngrok authtoken is kept.
func tokenPlaceholder(saved, demo bool) string {
	switch {
	case saved && demo:
		return "saved in memory for this demo; paste a new one only to replace it"
	case saved:
		return "saved in the system keychain; paste a new one only to replace it"
	case demo:
		return "paste it here; in demo mode it is kept in memory only"
	}
	return "paste it here; once saved it is kept in the system keychain"
}

// webhookURL is the URL to enter in HaloPSA: the running tunnel's, or for
// a tunnel of the user's own the saved public URL; "" when there is none.
func (w *webhookSection) webhookURL() string {
	if w.st.PublicURL != "" {
		return w.st.PublicURL
	}
	if w.st.Settings.Mode == tunnel.External && w.st.Credentials.Path != "" {
		return tunnel.WebhookURL(w.st.Settings.ExternalURL, w.st.Credentials)
	}
	return ""
}

func (w *webhookSection) onReveal() {
	w.revealed = !w.revealed
	w.showPassword()
}

func (w *webhookSection) showPassword() {
	showMasked(w.pass, w.reveal, w.revealed, w.st.Credentials.Password)
}

// showMasked shows a secret in field, or masks it until revealed, and
// words the Show/Hide button to match.
func showMasked(field *widget.Label, button *widget.Button, revealed bool, secret string) {
	if revealed {
		field.SetText(secret)
		button.SetText("Hide")
		button.SetIcon(theme.VisibilityOffIcon())
		return
	}
	field.SetText(masked)
	button.SetText("Show")
	button.SetIcon(theme.VisibilityIcon())
}

// copy puts text on the clipboard and says so on the button for a moment.
func (w *webhookSection) copy(text string, b *widget.Button) {
	if text == "" {
		return
	}
	w.u.app.Clipboard().SetContent(text)
	b.SetText("Copied")
	b.SetIcon(theme.ConfirmIcon())
	time.AfterFunc(2*time.Second, func() {
		w.u.do(func() {
			b.SetText("Copy")
			b.SetIcon(theme.ContentCopyIcon())
		})
	})
}

// setLabel sets a label's text and colour, hiding it while it is empty
// so that it takes no room.
func (w *webhookSection) setLabel(l *widget.Label, text string, imp widget.Importance) {
	l.Text, l.Importance = text, imp
	l.Refresh()
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func (w *webhookSection) updateButtons() {
	creds := w.st.Credentials.Username != ""
	enable(w.save, !w.saving && w.u.b != nil)
	enable(w.test, !w.testing && !w.saving && w.st.Settings.Mode != tunnel.None)
	enable(w.copyURL, w.webhookURL() != "")
	enable(w.copyUser, creds)
	enable(w.copyPass, creds)
	enable(w.reveal, creds)
	w.updateAuthButtons()
}
