package halo

import (
	"context"
	"encoding/json"
	"net/url"
)

// Priority is a ticket priority (GET /api/Priority, a bare array). Its id
// is read from "id" or "priorityid": the fact sheet does not record which.
type Priority struct {
	ID       ID
	Name     string
	Sequence ID
}

// UnmarshalJSON reads the id under either name.
func (p *Priority) UnmarshalJSON(b []byte) error {
	var w struct {
		ID         *ID    `json:"id"`
		PriorityID *ID    `json:"priorityid"`
		Name       string `json:"name"`
		Sequence   ID     `json:"sequence"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	p.Name, p.Sequence = w.Name, w.Sequence
	switch {
	case w.ID != nil && *w.ID != 0:
		p.ID = *w.ID
	case w.PriorityID != nil:
		p.ID = *w.PriorityID
	}
	return nil
}

// Outcome is what an action does (GET /api/Outcome); a note needs one.
// Its label is "outcome" on the wire, or "name" or "buttonname".
type Outcome struct {
	ID             ID
	Name           string
	HiddenFromUser Flag // notes with it are private by default
}

// UnmarshalJSON reads the label under any of its names.
func (o *Outcome) UnmarshalJSON(b []byte) error {
	var w struct {
		ID             ID     `json:"id"`
		Outcome        string `json:"outcome"`
		Name           string `json:"name"`
		ButtonName     string `json:"buttonname"`
		HiddenFromUser Flag   `json:"hiddenfromuser"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	o.ID, o.HiddenFromUser = w.ID, w.HiddenFromUser
	for _, n := range []string{w.Outcome, w.Name, w.ButtonName} {
		if n != "" {
			o.Name = n
			break
		}
	}
	return nil
}

// Priorities lists ticket priorities.
func (c *Client) Priorities(ctx context.Context) ([]Priority, error) {
	return bareList[Priority](ctx, c, "Priority", "priorities", nil)
}

// Outcomes lists action outcomes. Whether the list is bare or an envelope
// is not recorded; both are read.
func (c *Client) Outcomes(ctx context.Context) ([]Outcome, error) {
	return bareList[Outcome](ctx, c, "Outcome", "outcomes", url.Values{"showall": {"true"}})
}
