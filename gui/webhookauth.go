package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/engine/webhook"
)

// The webhook authentication choices, in the order shown.
const (
	authChoiceBasic = "Basic authentication: a username and password (HaloPSA's documented option)"
	authChoiceHMAC  = "Signature header: HaloPSA signs each delivery with a shared secret (API Key type)"
	authChoiceBoth  = "Both: Basic and the signature header (only if both are sent)"
)

var authChoices = map[string]webhook.AuthMode{
	authChoiceBasic: webhook.AuthBasic, authChoiceHMAC: webhook.AuthHMAC, authChoiceBoth: webhook.AuthBoth,
}

// authChoice is the radio label of an authentication mode; the zero mode
// is Basic.
func authChoice(m webhook.AuthMode) string {
	for label, mode := range authChoices {
		if mode == m {
			return label
		}
	}
	return authChoiceBasic
}

// authParts are the widgets of the webhook's authentication: the choice
// and header name in the form, and what to enter in HaloPSA for each
// mode in the details. Owned by the Fyne goroutine, like webhookSection.
type authParts struct {
	auth       *widget.RadioGroup
	header     *widget.Entry // the signature header's name
	headerBox  *fyne.Container
	authBox    *fyne.Container // the choice, and the header name when signing
	basicRows  *fyne.Container // username and password
	signRows   *fyne.Container // header name and secret
	headerName *widget.Label
	secret     *widget.Label
	copyHeader *widget.Button
	copySecret *widget.Button
	showSecret *widget.Button

	secretRevealed bool
}

// detailRow lays out one "label: value [buttons]" line of the details.
func detailRow(label string, value fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(150, 36), widget.NewLabel(label)),
		container.NewHBox(buttons...), value)
}

// buildAuth makes the authentication widgets; build places them.
func (w *webhookSection) buildAuth() {
	w.auth = &widget.RadioGroup{Options: []string{authChoiceBasic, authChoiceHMAC, authChoiceBoth}, Required: true,
		OnChanged: func(string) { w.onAuth() }}
	w.auth.ExtendBaseWidget(w.auth)
	w.header = &widget.Entry{PlaceHolder: webhook.DefaultSignatureHeader, OnChanged: func(string) { w.onAuth() }}
	w.headerBox = container.NewVBox(widget.NewForm(widget.NewFormItem("Header name", w.header)),
		&widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
			Text: "Enter the same header name in HaloPSA. HaloPSA must send base64(HMAC-SHA256(secret, body)) in it; " +
				"HaloSync checks it against the exact bytes received."})
	w.authBox = container.NewVBox(widget.NewLabel("HaloPSA proves each delivery with:"), w.auth, w.headerBox)

	w.headerName = &widget.Label{}
	w.secret = &widget.Label{Text: masked}
	w.copyHeader = &widget.Button{Icon: theme.ContentCopyIcon(), Text: "Copy", OnTapped: func() { w.copy(w.headerName.Text, w.copyHeader) }}
	w.copySecret = &widget.Button{Icon: theme.ContentCopyIcon(), Text: "Copy", OnTapped: func() { w.copy(w.st.Credentials.HMACSecret, w.copySecret) }}
	w.showSecret = &widget.Button{Icon: theme.VisibilityIcon(), Text: "Show", OnTapped: w.onRevealSecret}
	w.basicRows = container.NewVBox(
		detailRow("Authentication", widget.NewLabel("Basic Authentication")),
		detailRow("Username", w.user, w.copyUser),
		detailRow("Password", w.pass, w.reveal, w.copyPass))
	w.signRows = container.NewVBox(
		detailRow("Authentication", widget.NewLabel("API Key (a request header)")),
		detailRow("Header name", w.headerName, w.copyHeader),
		detailRow("Secret", w.secret, w.showSecret, w.copySecret))
}

// authSettings is the authentication the form holds; an empty header
// name means the default.
func (w *webhookSection) authSettings() (webhook.AuthMode, string) {
	h := strings.TrimSpace(w.header.Text)
	if h == "" {
		h = webhook.DefaultSignatureHeader
	}
	return authChoices[w.auth.Selected], h
}

// onAuth shows the header name when a signature is chosen and says that a
// change takes a Save.
func (w *webhookSection) onAuth() {
	if w.headerBox == nil || w.saveMsg == nil {
		return // building
	}
	mode, _ := w.authSettings()
	if mode.NeedsSignature() {
		w.headerBox.Show()
	} else {
		w.headerBox.Hide()
	}
	w.onMode()
}

// authChanged reports whether the form's authentication differs from the
// saved one.
func (w *webhookSection) authChanged() bool {
	mode, h := w.authSettings()
	saved := w.st.Settings.Auth
	if saved == "" {
		saved = webhook.AuthBasic
	}
	return mode != saved || (mode.NeedsSignature() && !strings.EqualFold(h, savedHeader(w.st.Settings.SignatureHeader)))
}

// savedHeader is the saved header name, the default when none is saved.
func savedHeader(h string) string {
	if h == "" {
		return webhook.DefaultSignatureHeader
	}
	return h
}

// applyAuth fills the form from the saved authentication (fill) and shows
// what to enter in HaloPSA for it.
func (w *webhookSection) applyAuth(fill bool) {
	s := w.st.Settings
	if fill {
		w.auth.SetSelected(authChoice(s.Auth))
		w.header.SetText(savedHeader(s.SignatureHeader))
	}
	if s.Auth.NeedsBasic() {
		w.basicRows.Show()
	} else {
		w.basicRows.Hide()
	}
	if s.Auth.NeedsSignature() {
		w.signRows.Show()
	} else {
		w.signRows.Hide()
	}
	w.headerName.SetText(savedHeader(s.SignatureHeader))
	w.showSecretText()
}

func (w *webhookSection) onRevealSecret() {
	w.secretRevealed = !w.secretRevealed
	w.showSecretText()
}

// showSecretText shows the signature secret, or masks it until revealed.
func (w *webhookSection) showSecretText() {
	showMasked(w.secret, w.showSecret, w.secretRevealed, w.st.Credentials.HMACSecret)
}

// updateAuthButtons enables the signature rows' buttons when there is a
// secret to show.
func (w *webhookSection) updateAuthButtons() {
	has := w.st.Credentials.HMACSecret != ""
	enable(w.copySecret, has)
	enable(w.showSecret, has)
	enable(w.copyHeader, w.headerName.Text != "")
}
