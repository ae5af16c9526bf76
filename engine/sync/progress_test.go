package sync

import (
	"testing"

	"github.com/brainstormmsp/halosync/engine/store"
)

func TestPageProgress(t *testing.T) {
	for _, c := range []struct {
		name                  string
		kept, received, count int
		wantRows, wantTotal   int
	}{
		{"first page, all kept", 100, 100, 4000, 100, 4000},
		{"rows of inactive clients shrink the total", 90, 100, 4000, 90, 3990},
		{"the last page lands on the real count", 3601, 4000, 4000, 3601, 3601},
		{"no count from HaloPSA", 100, 100, -1, 100, -1},
		{"a count below what came never undercuts done", 250, 250, 200, 250, 250},
	} {
		p := pageProgress(store.Contacts, c.kept, c.received, c.count)
		if p.Rows != c.wantRows || p.Total != c.wantTotal || p.Done || p.Resource != store.Contacts {
			t.Errorf("%s: %+v; want rows %d of %d", c.name, p, c.wantRows, c.wantTotal)
		}
	}
}
