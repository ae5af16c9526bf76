package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestClientQueries(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	updated := time.Date(2024, 5, 6, 7, 8, 9, 123456700, time.UTC)
	in := []Client{
		{ID: 3, Name: "beta Ltd", Website: "beta.example", UpdatedAt: updated},
		{ID: 1, Name: "Alpha 100% Ltd", Phone: "0800"},
		{ID: 2, Name: "Alpha 100% Ltd", Inactive: true},
		{ID: 4, Name: "Gamma_Co", TopLevel: "Partners"},
		{ID: 5, Name: "GammaXCo", State: StateDeleted}, // State is output only
	}
	if _, err := db.UpsertClients(ctx, 1, in); err != nil {
		t.Fatal(err)
	}
	ids := func(cs []Client) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		q    ClientQuery
		want []int64
	}{
		{ClientQuery{}, []int64{1, 2, 3, 4, 5}},
		{ClientQuery{State: StateActive}, []int64{1, 3, 4, 5}},
		{ClientQuery{State: StateInactive}, []int64{2}},
		{ClientQuery{Search: "ALPHA"}, []int64{1, 2}},
		{ClientQuery{Search: "100%"}, []int64{1, 2}},
		{ClientQuery{Search: "0%"}, []int64{1, 2}},
		{ClientQuery{Search: "a_c"}, []int64{4}}, // '_' is literal, not a wildcard
		{ClientQuery{Search: "nothing"}, nil},
		{ClientQuery{Limit: 2}, []int64{1, 2}},
		{ClientQuery{State: StateActive, Search: "ltd", Limit: 1}, []int64{1}},
	} {
		got, err := db.Clients(ctx, tc.q)
		if err != nil {
			t.Fatalf("%+v: %v", tc.q, err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("%+v: ids %v, want %v", tc.q, ids(got), tc.want)
		}
	}
	if _, err := db.Clients(ctx, ClientQuery{State: "gone"}); err == nil {
		t.Error("unknown state accepted")
	}
	c, err := db.Client(ctx, 3)
	want := Client{ID: 3, Name: "beta Ltd", Website: "beta.example", UpdatedAt: updated, State: StateActive}
	if err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("Client(3) = %+v, %v; want %+v", c, err, want)
	}
	if _, err := db.Client(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Client(42) = %v, want ErrNotFound", err)
	}
}

func TestChildQueries(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	sites := []Site{
		{ID: 11, ClientID: 7, Name: "", Phone: "1", Address: "Somewhere"},
		{ID: 10, ClientID: 7, Name: "HQ", Inactive: true, UpdatedAt: at},
		{ID: 12, ClientID: 8, Name: "Other"},
	}
	contacts := []Contact{
		{ID: 21, ClientID: 7, SiteID: 10, Name: "Zed", Email: "z@x", Primary: true},
		{ID: 20, ClientID: 7, SiteID: 10, Name: "amy", Phone: "2"},
		{ID: 22, ClientID: 7, Name: "Bob", UpdatedAt: at},
	}
	assets := []Asset{
		{ID: 31, ClientID: 7, SiteID: 10, Tag: "T2", Name: "pc", Type: "Laptop"},
		{ID: 30, ClientID: 7, Tag: "T1", Name: "PC", Inactive: true},
	}
	if _, err := db.UpsertSites(ctx, 1, sites); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertContacts(ctx, 1, contacts); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertAssets(ctx, 1, assets); err != nil {
		t.Fatal(err)
	}
	if err := db.SetState(ctx, Contacts, []int64{22}, StateDeleted); err != nil {
		t.Fatal(err)
	}

	gotSites, err := db.Sites(ctx, 7)
	wantSites := []Site{
		{ID: 11, ClientID: 7, Phone: "1", Address: "Somewhere", State: StateActive},
		{ID: 10, ClientID: 7, Name: "HQ", Inactive: true, UpdatedAt: at, State: StateInactive},
	}
	if err != nil || !reflect.DeepEqual(gotSites, wantSites) {
		t.Errorf("Sites(7) = %+v, %v\nwant %+v", gotSites, err, wantSites)
	}
	gotContacts, err := db.Contacts(ctx, 7)
	wantContacts := []Contact{
		{ID: 21, ClientID: 7, SiteID: 10, Name: "Zed", Email: "z@x", Primary: true, State: StateActive},
		{ID: 20, ClientID: 7, SiteID: 10, Name: "amy", Phone: "2", State: StateActive},
		{ID: 22, ClientID: 7, Name: "Bob", UpdatedAt: at, State: StateDeleted},
	}
	if err != nil || !reflect.DeepEqual(gotContacts, wantContacts) {
		t.Errorf("Contacts(7) = %+v, %v\nwant %+v", gotContacts, err, wantContacts)
	}
	gotAssets, err := db.Assets(ctx, 7)
	wantAssets := []Asset{
		{ID: 30, ClientID: 7, Tag: "T1", Name: "PC", Inactive: true, State: StateInactive},
		{ID: 31, ClientID: 7, SiteID: 10, Tag: "T2", Name: "pc", Type: "Laptop", State: StateActive},
	}
	if err != nil || !reflect.DeepEqual(gotAssets, wantAssets) {
		t.Errorf("Assets(7) = %+v, %v\nwant %+v", gotAssets, err, wantAssets)
	}
	if got, err := db.Sites(ctx, 99); err != nil || len(got) != 0 {
		t.Errorf("Sites(99) = %v, %v; want none", got, err)
	}
}
