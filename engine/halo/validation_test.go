package halo

import (
	"errors"
	"testing"
)

func TestValidationNamesTheField(t *testing.T) {
	for _, tt := range []struct {
		fields       map[string]string
		message      string
		field, words string
	}{
		{map[string]string{"[0].site_id": "Please select a Site."}, "", "site_id", "Please select a Site."},
		{map[string]string{"[0].userlookup.id": "User 5 does not belong to client 2."}, "", "user_id", "User 5 does not belong to client 2."},
		{map[string]string{"summary": "Summary is required."}, "", "summary", "Summary is required."},
		{nil, "Please select a Category: it is required for the ticket type Problem.", "category_1", ""},
		{nil, "A site is required when a user is selected.", "site_id", ""},
		{nil, "An Outcome must be entered for this Action", "outcome_id", ""},
		{nil, "Ticket type is required", "tickettype_id", ""},
		{nil, "CODE:APP03/2 Please select the CAB members to approve", "", ""},
	} {
		api := &APIError{Kind: ErrValidation, Status: 400, Message: tt.message, Fields: tt.fields}
		var ve *ValidationError
		if err := validation(api); !errors.As(err, &ve) || ve.Field != tt.field || !errors.Is(err, ErrValidation) {
			t.Errorf("%v %q: field %q, want %q", tt.fields, tt.message, ve.Field, tt.field)
			continue
		}
		if want := tt.words; want == "" {
			if ve.Message != tt.message {
				t.Errorf("message %q, want %q", ve.Message, tt.message)
			}
		} else if ve.Message != want {
			t.Errorf("message %q, want %q", ve.Message, want)
		}
	}
	if err := validation(&APIError{Kind: ErrServer}); errors.As(err, new(*ValidationError)) {
		t.Fatal("a server error became a validation error")
	}
}
