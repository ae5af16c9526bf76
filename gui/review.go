package gui

import "github.com/brainstormmsp/halosync/engine/store"

// onReviewEvent notifies about the import's one row about mappings whose
// HaloPSA client changed (renamed, inactive, deleted, merged). The mapping
// tab shows the flags after the import's MappingChanged event.
func (u *Window) onReviewEvent(e store.LogEntry) {
	if e.Operation != store.OpMappingReview || e.Level != store.Warn {
		return // an error of the watch itself is notified as any sync error
	}
	u.notify.send("HaloSync: mappings to review", clip(e.Message, 220)+" Open Clients & Mapping and filter Needs review.")
}
