package halo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Action is one of a ticket's actions (schema "Actions"): a note, an
// email, a status change. Its text arrives as "note", "note_html" or both,
// depending on the tenant (HALOPSA-API.md 3.5): Note holds plain text
// either way.
type Action struct {
	ID                ID     `json:"id"`
	TicketID          ID     `json:"ticket_id"`
	OutcomeID         ID     `json:"outcome_id"`
	Outcome           string `json:"outcome"`
	Note              string `json:"-"`
	HiddenFromUser    Flag   `json:"hiddenfromuser"`
	Who               string `json:"who"`
	WhoAgentID        ID     `json:"who_agentid"`
	DateTime          Time   `json:"datetime"`
	ActionDateCreated Time   `json:"actiondatecreated"`
	LastUpdated       Time   `json:"last_updated"`
}

// UnmarshalJSON reads the action, taking its text from "note" or, when
// that is empty, from "note_html", HTML turned into plain text.
func (a *Action) UnmarshalJSON(b []byte) error {
	type plain Action
	var w struct {
		plain
		Note     string `json:"note"`
		NoteHTML string `json:"note_html"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = Action(w.plain)
	switch {
	case strings.TrimSpace(w.Note) != "":
		a.Note = w.Note
		if looksHTML(w.Note) {
			a.Note = htmlText(w.Note)
		}
	default:
		a.Note = htmlText(w.NoteHTML)
	}
	return nil
}

// When is when the action was made: its datetime, else when it was
// created or last updated.
func (a Action) When() Time {
	for _, t := range []Time{a.DateTime, a.ActionDateCreated, a.LastUpdated} {
		if !t.IsZero() {
			return t
		}
	}
	return Time{}
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
)

func looksHTML(s string) bool {
	return htmlTag.MatchString(s) && (strings.Contains(s, "</") || strings.Contains(s, "/>") || strings.Contains(strings.ToLower(s), "<br"))
}

// htmlText turns a note's HTML into plain text: breaks and paragraphs
// become new lines, tags go, entities are decoded.
func htmlText(s string) string {
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	return strings.TrimSpace(html.UnescapeString(s))
}

// noteHTML writes plain text as the HTML HaloPSA shows.
func noteHTML(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}

// ActionWrite is a note to add to a ticket with POST /api/Actions.
type ActionWrite struct {
	TicketID  ID
	OutcomeID ID // required by HaloPSA; 7 is the built-in "Internal Note" on most tenants
	Note      string
	Private   bool // hiddenfromuser: the customer does not see it
}

// body sends the text both as "note" and as "note_html": which of the two
// a tenant reads is UNCONFIRMED, and each carries the same words.
func (a ActionWrite) body() map[string]any {
	m := map[string]any{
		"ticket_id": int64(a.TicketID), "note": a.Note, "note_html": noteHTML(a.Note),
		"hiddenfromuser": a.Private,
	}
	if a.OutcomeID != 0 {
		m["outcome_id"] = int64(a.OutcomeID)
	}
	return m
}

// AddAction adds one action and returns HaloPSA's copy. Like SaveTicket it
// is never retried after a 5xx or a dropped connection: HaloPSA may have
// added it. A 400 is a *ValidationError ("An Outcome must be entered for
// this Action").
func (c *Client) AddAction(ctx context.Context, a ActionWrite) (Action, error) {
	var raw json.RawMessage
	if err := c.do(ctx, "POST", "Actions", nil, []map[string]any{a.body()}, &raw); err != nil {
		return Action{}, validation(err)
	}
	return decodeOne[Action](raw, "POST /api/Actions")
}

// Actions lists a ticket's actions, oldest first as HaloPSA sends them.
// The list comes in one answer (the "actions" envelope, or a bare array
// should a tenant send one); ticket_id is always sent, since HaloPSA fails
// without it.
func (c *Client) Actions(ctx context.Context, ticketID ID) ([]Action, error) {
	q := url.Values{"ticket_id": {strconv.FormatInt(int64(ticketID), 10)}}
	return bareList[Action](ctx, c, "Actions", "actions", q)
}

// decodeOne reads a write's answer: the object, or a one-element array.
func decodeOne[T any](raw json.RawMessage, op string) (T, error) {
	var v T
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var vs []T
		if err := json.Unmarshal(raw, &vs); err != nil || len(vs) != 1 {
			return v, &APIError{Kind: ErrNotHalo, Op: op, Err: fmt.Errorf("unreadable answer: %v", err)}
		}
		return vs[0], nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, &APIError{Kind: ErrNotHalo, Op: op, Err: err}
	}
	return v, nil
}
