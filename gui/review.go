package gui

import "github.com/brainstormmsp/halosync/engine/store"

// onReviewEvent shows the import's one row about mappings whose HaloPSA
// client changed (renamed, inactive, deleted, merged): a desktop
// notification, and the mapping tab's rows read again to show the flags.
func (u *Window) onReviewEvent(e store.LogEntry) {
	if e.Operation != store.OpMappingReview || e.Level != store.Warn {
		return // an error of the watch itself is notified as any sync error
	}
	u.notify.send("HaloSync: mappings to review", clip(e.Message, 220)+" Open Clients & Mapping and filter Needs review.")
	if u.mapping != nil {
		u.mapping.reload()
	}
}
