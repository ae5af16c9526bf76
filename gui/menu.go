package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// shortcut is Ctrl+key (Cmd+key on macOS).
func shortcut(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
}

// mainMenu is the window's menu. Its items carry the keyboard shortcuts:
// Fyne runs a menu item's shortcut even while a text box has the focus,
// which a canvas shortcut would not.
func (u *Window) mainMenu() *fyne.MainMenu {
	item := func(label string, k fyne.KeyName, f func()) *fyne.MenuItem {
		i := fyne.NewMenuItem(label, f)
		if k != "" {
			i.Shortcut = shortcut(k)
		}
		return i
	}
	quit := item("Quit", fyne.KeyQ, u.quit)
	quit.IsQuit = true
	return fyne.NewMainMenu(
		fyne.NewMenu("HaloSync",
			item("Sync now", fyne.KeyR, u.syncNow),
			fyne.NewMenuItemSeparator(),
			quit,
		),
		fyne.NewMenu("Clients",
			item("Bulk Map", fyne.KeyB, func() { u.onMapping((*mappingTab).onBulkMap) }),
			item("Save All Mappings", fyne.KeyS, func() { u.onMapping((*mappingTab).onSave) }),
			item("Mapping history and undo…", "", func() { u.onMapping((*mappingTab).onHistory) }),
			fyne.NewMenuItemSeparator(),
			item("Import clients from CSV…", "", func() { u.onMapping((*mappingTab).onImportCSV) }),
			item("Create local clients from unmapped HaloPSA clients…", "", func() { u.onMapping((*mappingTab).onCreateFromHalo) }),
		),
		fyne.NewMenu("Tickets",
			item("New ticket…", fyne.KeyN, func() {
				if u.tickets != nil {
					u.selectTab(tabTickets)
					u.tickets.onNew()
				}
			}),
		),
		fyne.NewMenu("View",
			item("Connection", fyne.Key1, func() { u.selectTab(tabConnection) }),
			item("Clients & Mapping", fyne.Key2, func() { u.selectTab(tabMapping) }),
			item("Tickets", fyne.Key3, func() { u.selectTab(tabTickets) }),
			item("Sync Log", fyne.Key4, func() { u.selectTab(tabLog) }),
			fyne.NewMenuItemSeparator(),
			item("Find", fyne.KeyF, u.focusSearch),
		),
	)
}

// onMapping runs a Clients & Mapping action from the menu, showing the tab.
func (u *Window) onMapping(f func(*mappingTab)) {
	if u.mapping == nil {
		return
	}
	u.selectTab(tabMapping)
	f(u.mapping)
}

// focusSearch puts the cursor in the search box of the Sync Log or the
// Tickets tab when it is showing, else in that of Clients & Mapping.
func (u *Window) focusSearch() {
	if u.tabs == nil {
		return
	}
	switch u.tabs.SelectedIndex() {
	case tabLog:
		u.showMain()
		u.win.Canvas().Focus(u.synclog.search)
		return
	case tabTickets:
		u.showMain()
		u.win.Canvas().Focus(u.tickets.search)
		return
	}
	u.selectTab(tabMapping)
	u.win.Canvas().Focus(u.mapping.search)
}
