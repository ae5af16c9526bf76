package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// Pages of n records with ids base+1..base+n; every child belongs to the
// client with its own id, and every tenth contact is primary.

func clientPage(base int64, n int) []Client {
	rows := make([]Client, n)
	for i := range rows {
		id := base + int64(i) + 1
		rows[i] = Client{ID: id, Name: fmt.Sprintf("Client %05d", id), Website: "example.com",
			Phone: "01234", TopLevel: "Customers", UpdatedAt: time.Unix(1700000000+id, 0)}
	}
	return rows
}

func sitePage(base int64, n int) []Site {
	rows := make([]Site, n)
	for i := range rows {
		id := base + int64(i) + 1
		rows[i] = Site{ID: id, ClientID: id, Name: "Main", Address: fmt.Sprintf("%d High St", id)}
	}
	return rows
}

func contactPage(base int64, n int) []Contact {
	rows := make([]Contact, n)
	for i := range rows {
		id := base + int64(i) + 1
		rows[i] = Contact{ID: id, ClientID: id, SiteID: id, Name: fmt.Sprintf("Contact %d", id),
			Email: fmt.Sprintf("c%d@example.com", id), Phone: "0800", Primary: id%10 == 0,
			UpdatedAt: time.Unix(1700000000+id, 500)}
	}
	return rows
}

func assetPage(base int64, n int) []Asset {
	rows := make([]Asset, n)
	for i := range rows {
		id := base + int64(i) + 1
		rows[i] = Asset{ID: id, ClientID: id, SiteID: id, Tag: fmt.Sprintf("INV%d", id),
			Name: fmt.Sprintf("PC-%d", id), Type: "Workstation"}
	}
	return rows
}

// resourceCase drives the same upsert checks through all four resources.
type resourceCase struct {
	r Resource
	// upsert writes n records from base; edit changes the content of the
	// record at index i first, and inactive marks it inactive.
	upsert func(db *DB, run, base int64, n int, edit, inactive map[int]bool) (UpsertResult, error)
}

func resourceCases() []resourceCase {
	return []resourceCase{
		{Clients, func(db *DB, run, base int64, n int, edit, inactive map[int]bool) (UpsertResult, error) {
			rows := clientPage(base, n)
			for i := range rows {
				if edit[i] {
					rows[i].Name += " (renamed)"
				}
				rows[i].Inactive = inactive[i]
			}
			return db.UpsertClients(context.Background(), run, rows)
		}},
		{Sites, func(db *DB, run, base int64, n int, edit, inactive map[int]bool) (UpsertResult, error) {
			rows := sitePage(base, n)
			for i := range rows {
				if edit[i] {
					rows[i].UpdatedAt = time.Unix(1800000000, 0)
				}
				rows[i].Inactive = inactive[i]
			}
			return db.UpsertSites(context.Background(), run, rows)
		}},
		{Contacts, func(db *DB, run, base int64, n int, edit, inactive map[int]bool) (UpsertResult, error) {
			rows := contactPage(base, n)
			for i := range rows {
				if edit[i] {
					rows[i].Primary = !rows[i].Primary
				}
				rows[i].Inactive = inactive[i]
			}
			return db.UpsertContacts(context.Background(), run, rows)
		}},
		{Assets, func(db *DB, run, base int64, n int, edit, inactive map[int]bool) (UpsertResult, error) {
			rows := assetPage(base, n)
			for i := range rows {
				if edit[i] {
					rows[i].SiteID = 0
				}
				rows[i].Inactive = inactive[i]
			}
			return db.UpsertAssets(context.Background(), run, rows)
		}},
	}
}

// bookkeeping returns seen_run and changed_at of every row of r, by id.
func bookkeeping(t *testing.T, db *DB, r Resource) map[int64][2]string {
	t.Helper()
	rows, err := db.r.Query("SELECT id, seen_run, changed_at, state FROM " + string(r))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[int64][2]string{}
	for rows.Next() {
		var id, seen int64
		var changed, state string
		if err := rows.Scan(&id, &seen, &changed, &state); err != nil {
			t.Fatal(err)
		}
		m[id] = [2]string{fmt.Sprint(seen), changed}
	}
	return m
}

func TestUpsertCounts(t *testing.T) {
	for _, rc := range resourceCases() {
		t.Run(string(rc.r), func(t *testing.T) {
			db := openTest(t)
			clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			db.now = func() time.Time { return clock }
			step := func(run int64, edit, inactive map[int]bool, want UpsertResult) {
				t.Helper()
				got, err := rc.upsert(db, run, 0, 5, edit, inactive)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("run %d: %+v, want %+v", run, got, want)
				}
			}
			step(1, nil, nil, UpsertResult{Inserted: 5})
			before := bookkeeping(t, db, rc.r)

			clock = clock.Add(time.Hour)
			step(2, nil, nil, UpsertResult{Unchanged: 5})
			after := bookkeeping(t, db, rc.r)
			for id, b := range before {
				if a := after[id]; a[0] != "2" || a[1] != b[1] {
					t.Errorf("unchanged id %d: seen_run, changed_at = %v, want 2, %s", id, a, b[1])
				}
			}

			step(3, map[int]bool{0: true}, map[int]bool{1: true}, UpsertResult{Updated: 2, Unchanged: 3})
			after = bookkeeping(t, db, rc.r)
			if after[1][1] == before[1][1] || after[2][1] == before[2][1] {
				t.Error("changed_at of updated rows did not move")
			}
			if after[3][1] != before[3][1] {
				t.Error("changed_at of an unchanged row moved")
			}
			if n := len(after); n != 5 {
				t.Errorf("%d rows after three runs, want 5", n)
			}

			// Unseen and SetState: run 4 sees only the first three records.
			if _, err := rc.upsert(db, 4, 0, 3, map[int]bool{0: true}, map[int]bool{1: true}); err != nil {
				t.Fatal(err)
			}
			unseen, err := db.Unseen(context.Background(), rc.r, 4)
			if err != nil || !slices.Equal(unseen, []int64{4, 5}) {
				t.Fatalf("Unseen = %v, %v; want [4 5]", unseen, err)
			}
			if err := db.SetState(context.Background(), rc.r, unseen, StateDeleted); err != nil {
				t.Fatal(err)
			}
			if unseen, _ := db.Unseen(context.Background(), rc.r, 4); len(unseen) != 0 {
				t.Errorf("Unseen after deleting = %v, want none", unseen)
			}
			states := stateByID(t, db, rc.r)
			want := map[int64]State{1: StateActive, 2: StateInactive, 3: StateActive, 4: StateDeleted, 5: StateDeleted}
			if !reflect.DeepEqual(states, want) {
				t.Errorf("states = %v, want %v", states, want)
			}

			// A deleted record that comes back is revived (an update), and one
			// that never left is left alone.
			step(5, map[int]bool{0: true}, map[int]bool{1: true}, UpsertResult{Updated: 2, Unchanged: 3})
			want[4], want[5] = StateActive, StateActive
			if states := stateByID(t, db, rc.r); !reflect.DeepEqual(states, want) {
				t.Errorf("states after revival = %v, want %v", states, want)
			}
		})
	}
}

func stateByID(t *testing.T, db *DB, r Resource) map[int64]State {
	t.Helper()
	rows, err := db.r.Query("SELECT id, state FROM " + string(r))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[int64]State{}
	for rows.Next() {
		var id int64
		var s State
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		m[id] = s
	}
	return m
}

func TestUpsertNeverDuplicates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for run := int64(1); run <= 3; run++ {
		if _, err := db.UpsertContacts(ctx, run, contactPage(0, 100)); err != nil {
			t.Fatal(err)
		}
	}
	// The same id twice in one page: the later copy counts against the first.
	page := contactPage(1000, 2)
	page = append(page, page[0], page[1])
	page[3].Name = "Changed"
	got, err := db.UpsertContacts(ctx, 4, page)
	if err != nil {
		t.Fatal(err)
	}
	if want := (UpsertResult{Inserted: 2, Unchanged: 1, Updated: 1}); got != want {
		t.Errorf("page with repeats: %+v, want %+v", got, want)
	}
	var n int
	if err := db.r.QueryRow("SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 102 {
		t.Errorf("%d contact rows, %v; want 102", n, err)
	}
	cs, err := db.Contacts(ctx, 1002)
	if err != nil || len(cs) != 1 || cs[0].Name != "Changed" {
		t.Errorf("Contacts(1002) = %+v, %v; want the later copy", cs, err)
	}
}

func TestUpsertRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.UpsertClients(ctx, 0, clientPage(0, 1)); err == nil {
		t.Error("run 0 accepted")
	}
	if res, err := db.UpsertClients(ctx, 1, nil); err != nil || res != (UpsertResult{}) {
		t.Errorf("empty page = %+v, %v", res, err)
	}
	if _, err := db.Unseen(ctx, "tickets", 1); err == nil {
		t.Error("Unseen of an unknown resource succeeded")
	}
	if err := db.SetState(ctx, Clients, []int64{1}, "gone"); err == nil {
		t.Error("SetState to an unknown state succeeded")
	}
	// A canceled context writes nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.UpsertClients(cctx, 1, clientPage(0, 10)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled upsert = %v, want context.Canceled", err)
	}
	if cs, _ := db.Clients(ctx, ClientQuery{}); len(cs) != 0 {
		t.Errorf("canceled upsert wrote %d clients", len(cs))
	}
}

func TestSetStateKeepsInactiveFlag(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	page := clientPage(0, 2)
	page[1].Inactive = true
	if _, err := db.UpsertClients(ctx, 1, page); err != nil {
		t.Fatal(err)
	}
	// Delete both, then bring the inactive one back by hand as active: its flag
	// follows, so the next identical import (inactive) is an update.
	if err := db.SetState(ctx, Clients, []int64{1, 2, 99}, StateDeleted); err != nil {
		t.Fatal(err)
	}
	if err := db.SetState(ctx, Clients, []int64{2}, StateActive); err != nil {
		t.Fatal(err)
	}
	c, err := db.Client(ctx, 2)
	if err != nil || c.State != StateActive || c.Inactive {
		t.Fatalf("client 2 = %+v, %v; want active", c, err)
	}
	got, err := db.UpsertClients(ctx, 2, page)
	if err != nil {
		t.Fatal(err)
	}
	if want := (UpsertResult{Updated: 2}); got != want {
		t.Errorf("re-import = %+v, want %+v", got, want)
	}
}
