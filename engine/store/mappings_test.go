package store

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// seedMapping gives a database three HaloPSA clients and three local ones.
func seedMapping(t *testing.T) (*DB, []int64) {
	t.Helper()
	db := openTest(t)
	ctx := context.Background()
	run, _ := db.BeginRun(ctx, KindImport)
	_, err := db.UpsertClients(ctx, run, []Client{
		{ID: 10, Name: "Hartley Dental Group Ltd", Website: "https://www.hartleydental.co.uk/", Phone: "0161 555 0100"},
		{ID: 11, Name: "Hartley Plumbing"},
		{ID: 12, Name: "Northwind Traders Inc"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := db.AddLocalClients(ctx, []LocalClient{{Name: "hartley dental"}, {Name: "Northwind"}, {Name: "Corner Cafe"}})
	if err != nil {
		t.Fatal(err)
	}
	return db, ids
}

func TestLocalClientBook(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.AddLocalClients(ctx, []LocalClient{{Name: "Ok"}, {Name: "  "}}); !errors.Is(err, ErrEmptyName) {
		t.Fatalf("empty name: %v", err)
	}
	if got, _ := db.LocalClients(ctx, ""); len(got) != 0 {
		t.Fatalf("a failed batch left %d clients: it must add all or none", len(got))
	}
	id, err := db.AddLocalClient(ctx, LocalClient{Name: " Zeta Ltd ", Domain: "zeta.com", Notes: "VIP"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddLocalClient(ctx, LocalClient{Name: "alpha & sons"}); err != nil {
		t.Fatal(err)
	}
	all, _ := db.LocalClients(ctx, "")
	if len(all) != 2 || all[0].Name != "alpha & sons" || all[1].Name != "Zeta Ltd" || all[1].CreatedAt.IsZero() {
		t.Fatalf("book = %+v", all)
	}
	if err := db.UpdateLocalClient(ctx, LocalClient{ID: id, Name: "Zeta Limited", Phone: "123"}); err != nil {
		t.Fatal(err)
	}
	c, _ := db.LocalClient(ctx, id)
	if c.Name != "Zeta Limited" || c.Phone != "123" || c.Domain != "" {
		t.Fatalf("updated = %+v", c)
	}
	if found, _ := db.LocalClients(ctx, "LIMIT"); len(found) != 1 {
		t.Fatalf("search found %d", len(found))
	}
	if err := db.DeleteLocalClient(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteLocalClient(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if err := db.UpdateLocalClient(ctx, LocalClient{ID: id, Name: "x"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update of a deleted client: %v", err)
	}
}

func TestMappingStates(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := context.Background()
	dental, northwind, cafe := ids[0], ids[1], ids[2]
	err := db.ReplaceSuggestions(ctx, []Mapping{
		{LocalID: dental, HaloID: 10, Score: 0.97, Confidence: "high", Reason: "same name after removing \"Ltd\""},
		{LocalID: northwind, HaloID: 12, Score: 0.9, Confidence: "high"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.SaveMappings(ctx, []Decision{
		{LocalID: dental, Action: Accept, HaloID: 10},                       // as suggested
		{LocalID: northwind, Action: Accept, HaloID: 11, Reason: "by hand"}, // changed
		{LocalID: cafe, Action: Ignore},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (MappingSummary{Accepted: 1, Manual: 1, Ignored: 1}) {
		t.Fatalf("summary = %+v", sum)
	}
	ms, _ := db.Mappings(ctx)
	if m := ms[dental]; m.State != MapAccepted || m.HaloID != 10 || m.Score != 0.97 || m.Reason == "" {
		t.Fatalf("accepted = %+v: it keeps the suggestion's score and reason", m)
	}
	if m := ms[northwind]; m.State != MapManual || m.HaloID != 11 {
		t.Fatalf("manual = %+v", m)
	}
	if m := ms[cafe]; m.State != MapIgnored || m.HaloID != 0 {
		t.Fatalf("ignored = %+v", m)
	}

	// A new Bulk Map never overwrites a decision.
	if err := db.ReplaceSuggestions(ctx, []Mapping{{LocalID: dental, HaloID: 12}, {LocalID: cafe, HaloID: 11}}); err != nil {
		t.Fatal(err)
	}
	again, _ := db.Mappings(ctx)
	if again[dental] != ms[dental] || again[cafe] != ms[cafe] {
		t.Fatalf("decisions changed by a re-run of Bulk Map: %+v", again)
	}

	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: northwind, Action: Unmap}}); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.Mappings(ctx); ms[northwind].State != MapOpen {
		t.Fatalf("unmapped = %+v", ms[northwind])
	}
	// Deleting a local client takes its mapping along.
	if err := db.DeleteLocalClient(ctx, dental); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.Mappings(ctx); len(ms) != 1 {
		t.Fatalf("mappings after delete = %+v", ms)
	}
}

func TestSaveAllIsAtomic(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := context.Background()
	_, err := db.SaveMappings(ctx, []Decision{
		{LocalID: ids[0], Action: Accept, HaloID: 10},
		{LocalID: ids[1], Action: Ignore},
		{LocalID: ids[2], Action: Accept, HaloID: 999}, // not imported
	})
	if !errors.Is(err, ErrUnknownHaloClient) {
		t.Fatalf("err = %v", err)
	}
	if ms, _ := db.Mappings(ctx); len(ms) != 0 {
		t.Fatalf("a failed Save All saved %d mappings; it must save none", len(ms))
	}
	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: 12345, Action: Ignore}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown local client: %v", err)
	}
}

func TestDraftsSaveInOneStep(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := context.Background()
	for _, d := range []Decision{{LocalID: ids[0], Action: Accept, HaloID: 11}, {LocalID: ids[0], Action: Accept, HaloID: 10}, {LocalID: ids[2], Action: Ignore}} {
		if err := db.AddDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	drafts, _ := db.Drafts(ctx)
	if len(drafts) != 2 || drafts[0].HaloID != 10 {
		t.Fatalf("drafts = %+v; a later draft replaces an earlier one", drafts)
	}
	sum, err := db.SaveDrafts(ctx)
	if err != nil || sum.Manual != 1 || sum.Ignored != 1 {
		t.Fatalf("save drafts = %+v, %v", sum, err)
	}
	if drafts, _ := db.Drafts(ctx); len(drafts) != 0 {
		t.Fatalf("drafts left after saving: %+v", drafts)
	}
}

func TestCreateLocalFromHaloAndProfiles(t *testing.T) {
	db, ids := seedMapping(t)
	ctx := context.Background()
	run, _ := db.BeginRun(ctx, KindImport)
	if _, err := db.UpsertSites(ctx, run, []Site{{ID: 1, ClientID: 10, Phone: "0161 555 0199"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertContacts(ctx, run, []Contact{{ID: 1, ClientID: 10, Email: "Ann@HartleyDental.co.uk"}, {ID: 2, ClientID: 10, Email: "bob@gmail.com"}}); err != nil {
		t.Fatal(err)
	}
	ps, err := db.HaloProfiles(ctx)
	if err != nil || len(ps) != 3 {
		t.Fatalf("profiles = %+v, %v", ps, err)
	}
	p := ps[0]
	if p.ID != 10 || !slices.Equal(p.Domains, []string{"hartleydental.co.uk", "gmail.com"}) || !slices.Equal(p.Phones, []string{"0161 555 0100", "0161 555 0199"}) {
		t.Fatalf("profile = %+v", p)
	}

	if _, err := db.SaveMappings(ctx, []Decision{{LocalID: ids[0], Action: Accept, HaloID: 10}}); err != nil {
		t.Fatal(err)
	}
	n, err := db.CreateLocalFromHalo(ctx, nil)
	if err != nil || n != 2 {
		t.Fatalf("created %d, %v; want the two unmapped HaloPSA clients", n, err)
	}
	if n, _ := db.CreateLocalFromHalo(ctx, nil); n != 0 {
		t.Fatalf("a second run created %d more", n)
	}
	ms, _ := db.Mappings(ctx)
	mapped := map[int64]int{}
	for _, m := range ms {
		if m.State.Decided() {
			mapped[m.HaloID]++
		}
	}
	if mapped[10] != 1 || mapped[11] != 1 || mapped[12] != 1 {
		t.Fatalf("mapped HaloPSA clients = %v", mapped)
	}
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"Ann@HartleyDental.co.uk":                "hartleydental.co.uk",
		"https://www.acme.com/contact?x=1":       "acme.com",
		"  WWW.Acme.com ":                        "acme.com",
		"http://intranet.acme.local:8080/portal": "intranet.acme.local",
		"":                                       "",
	} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}
