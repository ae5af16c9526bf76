package app

import (
	"context"
	"strings"
	"testing"
)

// TestDemoOnThePessimisticDialect runs the demo against the most awkward
// simulated HaloPSA: the import completes and polling says, in the status,
// that it reads the open list and what that costs of the budget.
func TestDemoOnThePessimisticDialect(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenDemo(ctx, Config{DataDir: t.TempDir(), DemoDialect: "optimistic"}); err == nil ||
		!strings.Contains(err.Error(), "optimistic") {
		t.Fatalf("an unknown dialect: %v", err)
	}
	a, err := OpenDemo(ctx, Config{DataDir: t.TempDir(), DemoDialect: "pessimistic"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := a.TicketsOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st, err := a.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Polling, "ignores both the ticket date filter and the sort order") ||
		!strings.Contains(st.Polling, "of HaloPSA's 300 requests per 5 min") {
		t.Fatalf("status says of polling %q", st.Polling)
	}
}
