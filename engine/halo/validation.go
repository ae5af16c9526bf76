package halo

import (
	"errors"
	"sort"
	"strings"
)

// ValidationError is HaloPSA's 400 answer to a write, read for the one
// thing a person can act on: which field it wants. HaloPSA names the field
// either as the key of a validation object ({"[0].site_id": "..."}) or
// only in words ("Please select a Site ..."), so both are read. It wraps
// the *APIError, so errors.Is(err, ErrValidation) holds.
type ValidationError struct {
	// Field is HaloPSA's JSON name of the field at fault ("site_id",
	// "user_id", "category_1", "tickettype_id", "priority_id",
	// "outcome_id", "summary", "details", "client_id", "ticket_id"), or ""
	// when the answer does not say.
	Field string
	// Message is HaloPSA's own words about it.
	Message string
	// API is the failed call.
	API *APIError
}

// Error says what HaloPSA needs, then its own words.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "HaloPSA rejected the data: " + e.Message
	}
	return "HaloPSA needs " + FieldLabel(e.Field) + ": " + e.Message
}

// Unwrap returns the failed call.
func (e *ValidationError) Unwrap() error { return e.API }

// fieldWords maps the words HaloPSA's messages use for a field to its JSON
// name.
var fieldWords = []struct{ word, field string }{
	{"ticket type", "tickettype_id"}, {"tickettype", "tickettype_id"}, {"request type", "tickettype_id"},
	{"outcome", "outcome_id"}, {"category", "category_1"}, {"priority", "priority_id"},
	{"site", "site_id"}, {"contact", "user_id"}, {"user", "user_id"},
	{"summary", "summary"}, {"details", "details"}, {"client", "client_id"}, {"ticket", "ticket_id"},
}

// fieldLabels are the plain names of the fields, with their article.
var fieldLabels = map[string]string{
	"site_id": "a site", "user_id": "a contact", "category_1": "a category", "tickettype_id": "a ticket type",
	"priority_id": "a priority", "outcome_id": "an outcome", "summary": "a summary", "details": "details",
	"client_id": "a client", "ticket_id": "a ticket",
}

// FieldLabel is a field's plain name with its article ("a site"), for
// messages such as "HaloPSA needs a site for ticket type Incident".
func FieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return strings.ReplaceAll(field, "_", " ")
}

// validation turns a 400 *APIError into a *ValidationError; any other
// error is returned as it is.
func validation(err error) error {
	var api *APIError
	if !errors.As(err, &api) || api.Kind != ErrValidation {
		return err
	}
	ve := &ValidationError{Message: api.Message, API: api}
	if len(api.Fields) > 0 {
		keys := make([]string, 0, len(api.Fields))
		for k := range api.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k := keys[0]
		ve.Message = api.Fields[k]
		ve.Field = fieldOfKey(k)
		return ve
	}
	ve.Field = fieldInWords(ve.Message)
	return ve
}

// fieldOfKey reads a validation key: "[0].site_id" and "site_id" are
// site_id; "[0].userlookup.id" is the contact.
func fieldOfKey(k string) string {
	if i := strings.Index(k, "]."); strings.HasPrefix(k, "[") && i > 0 {
		k = k[i+2:]
	}
	if k == "userlookup.id" {
		return "user_id"
	}
	if i := strings.LastIndex(k, "."); i >= 0 {
		k = k[i+1:]
	}
	return k
}

// fieldInWords finds the field a message names first: "Please select a
// Category: it is required for the ticket type Problem" is about the
// category, not the type. At the same place the longer words win ("ticket
// type" over "ticket").
func fieldInWords(msg string) string {
	low := strings.ToLower(msg)
	best, at, length := "", len(low)+1, 0
	for _, fw := range fieldWords {
		i := strings.Index(low, fw.word)
		if i >= 0 && (i < at || i == at && len(fw.word) > length) {
			best, at, length = fw.field, i, len(fw.word)
		}
	}
	return best
}
