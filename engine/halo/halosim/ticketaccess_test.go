package halosim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestHiddenAndBrokenTickets checks what a ticket the API agent may not see
// looks like in each restricted_ticket_answer mode, and that a broken one
// answers 500 until mended.
func TestHiddenAndBrokenTickets(t *testing.T) {
	for _, tt := range []struct {
		answer string
		code   int
		body   string
	}{
		{"", 403, "You do not have access to this Ticket"},
		{"not_found", 404, "not found"},
		{"empty", 200, "{}"},
	} {
		t.Run("answer="+tt.answer, func(t *testing.T) {
			h := startAuthed(t, small())
			h.srv.SetBehaviour(Behaviour{RestrictedTicketAnswer: tt.answer})
			ids := func() []int {
				var ids []int
				for _, r := range h.all("Tickets", "tickets") {
					ids = append(ids, num(r, "id"))
				}
				return ids
			}
			all := ids()
			hidden := all[1]
			h.srv.HideTicket(hidden, true)
			if got := ids(); len(got) != len(all)-1 || slices.Contains(got, hidden) {
				t.Fatalf("list with %d hidden: %v", hidden, got)
			}
			code, body := h.get(fmt.Sprintf("/api/Tickets/%d", hidden))
			if code != tt.code || !strings.Contains(string(body), tt.body) {
				t.Fatalf("hidden ticket: %d %s; want %d with %q", code, body, tt.code, tt.body)
			}
			h.srv.HideTicket(hidden, false)
			if code, _ := h.get(fmt.Sprintf("/api/Tickets/%d", hidden)); code != 200 || len(ids()) != len(all) {
				t.Fatalf("shown again: %d, %d listed", code, len(ids()))
			}

			h.srv.BreakTicket(all[0], true)
			if code, _ := h.get(fmt.Sprintf("/api/Tickets/%d", all[0])); code != 500 {
				t.Fatalf("broken ticket answered %d", code)
			}
			h.srv.HideTicket(all[0], false) // another fault's off switch leaves it broken
			if code, _ := h.get(fmt.Sprintf("/api/Tickets/%d", all[0])); code != 500 {
				t.Fatalf("broken ticket after HideTicket(false) answered %d", code)
			}
			h.srv.BreakTicket(all[0], false)
			if code, _ := h.get(fmt.Sprintf("/api/Tickets/%d", all[0])); code != 200 {
				t.Fatalf("mended ticket answered %d", code)
			}
		})
	}
}
