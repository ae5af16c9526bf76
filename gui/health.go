package gui

import (
	"fyne.io/fyne/v2/widget"

	"github.com/brainstormmsp/halosync/app"
)

// healthView is how HaloSync's standing reads and looks. The status bar,
// the Connection tab and the tray all take it from viewHealth, so their
// words and colours cannot disagree.
type healthView struct {
	short      string            // the status bar's and the tray's line
	long       string            // the Connection tab's line: what it means, what to do
	importance widget.Importance // the colour: success, warning, danger...
}

// viewHealth words the health h, with the status st for what health does
// not carry (the address, the last sync, why a connection is unusable).
// A connection counts only when both say so: they travel separately, and
// neither may paint "Connected" green on its own.
func viewHealth(st app.Status, h app.Health) healthView {
	if !st.Connected || h.State == app.HealthNotConnected {
		switch {
		case st.Address != "" && st.Problem != "":
			return healthView{"Not connected: " + clip(st.Problem, 60), "Not connected: " + st.Problem, widget.DangerImportance}
		case st.Address != "":
			return healthView{"Not connected", "Not connected: authorize again.", widget.DangerImportance}
		}
		return healthView{"Not connected", "Not connected. Enter the details of your HaloPSA API application, then Authorize.",
			widget.MediumImportance}
	}
	switch h.State {
	case app.HealthRejected:
		long := "HaloPSA rejected the client ID or secret (since " + when(h.Since) + "). " +
			"Check the API application in HaloPSA, then enter the secret and Authorize again."
		return healthView{"Credentials rejected: reconnect", withReason(long, h.Reason), widget.DangerImportance}
	case app.HealthUnreachable:
		long := "Connected, but HaloPSA cannot be reached since " + when(h.Since) + "; HaloSync tries again at " + when(h.RetryAt) + "."
		return healthView{"HaloPSA unreachable since " + when(h.Since) + " · retrying " + when(h.RetryAt),
			withReason(long, h.Reason), widget.DangerImportance}
	case app.HealthWaiting:
		return healthView{"Waiting for HaloPSA's request limit until " + when(h.Until),
			"Connected; waiting for HaloPSA's request limit, resuming at " + when(h.Until) + ".", widget.WarningImportance}
	case app.HealthSyncing:
		return healthView{"Syncing…", "Connected; syncing with HaloPSA now.", widget.HighImportance}
	case app.HealthPaused:
		return healthView{"Sync paused", "Connected; the background sync is paused (Sync now still works).", widget.WarningImportance}
	}
	if st.Counts.LastSync.IsZero() {
		return healthView{"Connected · not synced yet", "Connected to " + hostOf(st.Address) + "; not synced yet.", widget.SuccessImportance}
	}
	last := when(st.Counts.LastSync)
	return healthView{"Connected · in sync (last " + last + ")", "Connected to " + hostOf(st.Address) + "; in sync (last " + last + ").",
		widget.SuccessImportance}
}

// withReason adds the latest error on a line of its own.
func withReason(text, reason string) string {
	if reason == "" {
		return text
	}
	return text + "\n" + reason
}
