package gui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// welcomeView is the first-run view: connect to HaloPSA, or try the demo.
type welcomeView struct {
	u       *Window
	connect *widget.Button
	demo    *widget.Button
	busy    *widget.Activity
	message *widget.Label
	content fyne.CanvasObject
	loading fyne.CanvasObject // shown while the first status is read
}

func newWelcomeView(u *Window) *welcomeView {
	v := &welcomeView{u: u}
	v.build()
	return v
}

func (v *welcomeView) build() {
	title := &widget.Label{Text: "Welcome to HaloSync", SizeName: theme.SizeNameHeadingText, Alignment: fyne.TextAlignCenter}
	intro := &widget.Label{Wrapping: fyne.TextWrapWord, Alignment: fyne.TextAlignCenter,
		Text: "HaloSync keeps your own client book in step with HaloPSA: it imports your clients, " +
			"their sites, contacts and assets, helps you match them to the clients you already have, " +
			"and logs everything it does."}
	v.connect = &widget.Button{Text: "Connect to HaloPSA", Icon: theme.LoginIcon(), Importance: widget.HighImportance, OnTapped: v.onConnect}
	v.demo = &widget.Button{Text: "Try the demo", Icon: theme.MediaPlayIcon(), OnTapped: v.onDemo}
	if v.u.opts.OpenDemo == nil {
		v.demo.Hide()
	}
	demoNote := &widget.Label{Wrapping: fyne.TextWrapWord, Alignment: fyne.TextAlignCenter, Importance: widget.LowImportance,
		Text: "The demo runs against a built-in simulated HaloPSA with made-up clients, in a separate folder: " +
			"your real data and keychain are never touched."}
	v.busy = widget.NewActivity()
	v.busy.Hide()
	v.message = &widget.Label{Wrapping: fyne.TextWrapWord, Alignment: fyne.TextAlignCenter}
	var top []fyne.CanvasObject
	if icon := v.u.app.Icon(); icon != nil {
		img := canvas.NewImageFromResource(icon)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(96, 96))
		top = append(top, img)
	}
	top = append(top, title, intro,
		container.NewCenter(container.NewHBox(v.connect, v.demo)),
		demoNote, container.NewCenter(v.busy), v.message)
	v.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 420), container.NewVBox(top...)))

	spin := widget.NewActivity()
	spin.Start()
	v.loading = container.NewCenter(container.NewVBox(spin, widget.NewLabel("Opening HaloSync…")))
}

// onConnect leaves the welcome view for the Connection tab.
func (v *welcomeView) onConnect() {
	u := v.u
	if u.tabs == nil {
		return
	}
	u.selectTab(tabConnection)
	u.win.Canvas().Focus(u.conn.url)
}

// onDemo opens demo mode off the Fyne goroutine and swaps the window to it.
func (v *welcomeView) onDemo() {
	u := v.u
	if u.opts.OpenDemo == nil {
		return
	}
	v.connect.Disable()
	v.demo.Disable()
	v.busy.Show()
	v.busy.Start()
	v.message.Importance = widget.MediumImportance
	v.message.SetText("Starting the demo: a simulated HaloPSA, a client book to match, and a first import…")
	open := u.opts.OpenDemo
	u.goWork(func(ctx context.Context) {
		b, err := open(ctx)
		u.do(func() {
			v.busy.Stop()
			v.busy.Hide()
			v.demo.Enable()
			v.connect.Enable()
			if err != nil {
				v.message.Importance = widget.DangerImportance
				v.message.SetText("The demo could not start: " + err.Error())
				return
			}
			v.message.SetText("")
			u.setBackend(b, true)
		})
	})
}

// ShowStartupError shows why HaloSync could not start (its data folder
// cannot be opened, say) in a window of its own, and runs the app until
// that window is closed.
func ShowStartupError(a fyne.App, err error) {
	w := a.NewWindow("HaloSync could not start")
	msg := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "HaloSync could not open its data: " + err.Error()}
	quit := &widget.Button{Text: "Quit", Importance: widget.HighImportance, OnTapped: a.Quit}
	w.SetContent(container.NewBorder(nil, container.NewCenter(quit), nil, nil, msg))
	w.Resize(fyne.NewSize(520, 220))
	w.ShowAndRun()
}
