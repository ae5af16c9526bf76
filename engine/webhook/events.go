package webhook

import (
	"math"
	"strconv"
	"strings"
)

// HaloPSA's webhook event numbers (HALOPSA-API.md section 6, and 61 from
// its addendum 2). A payload may name its event by number, as "event" or
// "eventno", instead of by name.
const (
	EventNoTicketLogged        = 3
	EventNoTicketUpdatedByUser = 19
	EventNoClosed              = 39
	EventNoFirstSLAWarning     = 42
	EventNoSecondSLAWarning    = 46
	EventNoTicketUpdated       = 61
	EventNoTicketDeadline      = 70
	EventNoStatusChanged       = 76
	EventNoTicketDeleted       = 1072
)

// eventNames are the names HaloPSA gives its event numbers.
var eventNames = map[int]string{
	EventNoTicketLogged:        "New Ticket Logged",
	EventNoTicketUpdatedByUser: "Ticket Updated by User",
	EventNoClosed:              "Closed",
	EventNoFirstSLAWarning:     "1st SLA Warning",
	EventNoSecondSLAWarning:    "2nd SLA Warning",
	EventNoTicketUpdated:       "Ticket Updated",
	EventNoTicketDeadline:      "Ticket Deadline",
	EventNoStatusChanged:       "Ticket Status Changed",
	EventNoTicketDeleted:       "Ticket Deleted",
}

// EventName makes an event as a payload gives it readable: a known event
// number ("76", "76.0") becomes its name with the number, "Ticket Status
// Changed (76)"; anything else (a name, an unknown number, "") comes back
// as given. Decode applies it to Event.Event, so the inbox and the sync log
// show names rather than bare numbers.
func EventName(s string) string {
	n, ok := eventNumber(s)
	if !ok {
		return s
	}
	if name, ok := eventNames[n]; ok {
		return name + " (" + strconv.Itoa(n) + ")"
	}
	return s
}

// eventNumber reads s as a whole event number: 76, "76" or 76.0 (HaloPSA
// writes some numbers as doubles).
func eventNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, n > 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > math.MaxInt32 || f != math.Trunc(f) {
		return 0, false
	}
	return int(f), true
}
