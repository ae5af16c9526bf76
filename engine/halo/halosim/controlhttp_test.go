package halosim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestControlHandlerChangesTicketsAndFiresWebhooks(t *testing.T) {
	s := New(Options{Seed: 3, Clients: 3})
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()
	s.SetWebhook(WebhookConfig{URL: hook.URL})
	ctl := httptest.NewServer(s.ControlHandler())
	defer ctl.Close()

	client := s.ActiveClientIDs()[0]
	resp, err := http.Post(ctl.URL+"/_sim/tickets?summary=Fan+noise&client_id="+itoa(client), "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(string(body)), `{"id":`), "}")
	resp, err = http.Post(ctl.URL+"/_sim/tickets/"+id+"/status?status_id="+itoa(s.ClosedStatusID()), "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status: %v %v", resp, err)
	}
	if resp, _ := http.Post(ctl.URL+"/_sim/tickets/999999/status?status_id=1", "", nil); resp.StatusCode != 404 {
		t.Fatalf("unknown ticket: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	var events []string
	for len(got) > 0 {
		events = append(events, <-got)
	}
	all := strings.Join(events, "\n")
	if !strings.Contains(all, "Fan noise") || !strings.Contains(all, `"object_id":`+id) || len(events) < 2 {
		t.Fatalf("webhooks = %v", events)
	}
}
