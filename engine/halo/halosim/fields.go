package halosim

import (
	"fmt"
	"net/http"
)

// The lists a ticket's fields come from: ticket types with the fields each
// requires on create, priorities and action outcomes. Like statuses they
// are fixed catalogues, the same on every simulated tenant.

// typeRule is what a ticket type asks of a create beyond the summary and
// client: HaloPSA lets a type demand fields ("Details and Category were
// required", HALOPSA-API.md section 4), and gives new tickets its
// default_priority.
type typeRule struct {
	defaultPriority int
	requires        []string // JSON keys of required fields, in the order they are checked
}

// ticketTypeRules holds a rule for every entry of ticketTypeCatalog.
// Service Request needs a site and a contact (so a create that names
// neither falls foul of it, as one landing on "General User" would);
// Problem needs a category.
var ticketTypeRules = map[int]typeRule{
	1:  {defaultPriority: 3},
	3:  {defaultPriority: 4, requires: []string{"site_id", "user_id"}},
	4:  {defaultPriority: 2, requires: []string{"category_1"}},
	21: {defaultPriority: 3},
}

// fieldLabels are the words HaloPSA's screens use for the fields a type
// can require; the 400 answer names the field with them.
var fieldLabels = map[string]string{
	"site_id": "Site", "user_id": "User", "category_1": "Category",
}

// priorityCatalog is GET /api/Priority.
var priorityCatalog = []catalogEntry{{1, "Critical"}, {2, "High"}, {3, "Medium"}, {4, "Low"}}

// Outcomes. 7 is HaloPSA's built-in "Internal Note" (HALOPSA-API.md,
// section 4); 99 exists but the API agent may not use it, which HaloPSA
// answers with "You do not have access to this Action at the moment".
const (
	internalNoteOutcome = 7
	lockedOutcome       = 99
)

// outcomeCatalog is GET /api/Outcome.
var outcomeCatalog = []catalogEntry{
	{1, "Email User"}, {2, "Phone Call"}, {internalNoteOutcome, "Internal Note"},
	{12, "Private Note"}, {lockedOutcome, "Approve Change"},
}

func priorityName(id int) string { return catalogName(priorityCatalog, id) }
func outcomeName(id int) string  { return catalogName(outcomeCatalog, id) }

// outcomeBodies is the pre-encoded outcome list. Outcome rows name
// themselves in "outcome", as an action's outcome label is named.
var outcomeBodies = func() [][]byte {
	var out [][]byte
	for i, e := range outcomeCatalog {
		o := newObj(160)
		o.int("id", e.id)
		o.str("outcome", e.name)
		o.str("buttonname", e.name)
		o.int("sequence", i+1)
		o.bool("hiddenfromuser", e.id == internalNoteOutcome || e.id == 12)
		out = append(out, o.done())
	}
	return out
}()

// listPriorities serves GET /api/Priority as a bare array, the id under
// the behaviour's key.
func (s *Server) listPriorities(w http.ResponseWriter, _ query) {
	key := s.behaviour().PriorityIDKey
	rows := make([][]byte, len(priorityCatalog))
	for i, e := range priorityCatalog {
		o := newObj(96)
		o.int(key, e.id)
		o.str("name", e.name)
		o.int("sequence", i+1)
		rows[i] = o.done()
	}
	writeJSON(w, http.StatusOK, bareArray(rows))
}

func (s *Server) getPriority(w http.ResponseWriter, id string) {
	for _, e := range priorityCatalog {
		if fmt.Sprint(e.id) == id {
			o := newObj(96)
			o.int(s.behaviour().PriorityIDKey, e.id)
			o.str("name", e.name)
			writeJSON(w, http.StatusOK, o.done())
			return
		}
	}
	writeJSON(w, http.StatusNotFound, messageBody("Priority "+id+" not found."))
}

// listOutcomes serves GET /api/Outcome as a bare array.
func (s *Server) listOutcomes(w http.ResponseWriter, _ query) {
	writeJSON(w, http.StatusOK, bareArray(outcomeBodies))
}

func (s *Server) getOutcome(w http.ResponseWriter, id string) {
	serveCatalogOne(w, id, "Outcome", outcomeCatalog, outcomeBodies)
}

// requiredMissing checks a create against its ticket type's rule and
// records the first missing field in HaloPSA's style. Caller holds s.mu.
func (s *Server) requiredMissing(in ticketInput, p string, fe *fieldErrors) {
	typeID := 1
	if in.typeID.set {
		typeID = in.typeID.v
	}
	rule := ticketTypeRules[typeID]
	for _, key := range rule.requires {
		var have bool
		switch key {
		case "site_id":
			have = in.siteID.set && in.siteID.v > 0
		case "user_id":
			have = in.userID.set && in.userID.v > 0 || in.lookupID.set && in.lookupID.v > 0
		case "category_1":
			have = in.category1.set && in.category1.v != ""
		}
		if !have {
			fe.add(p+key, fmt.Sprintf("Please select a %s: it is required for the ticket type %s.", fieldLabels[key], ticketTypeName(typeID)))
			fe.asMessage = s.behaviour().ValidationAnswer == answerMessage
			return
		}
	}
}
