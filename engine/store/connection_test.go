package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConnectionRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.Connection(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Connection on an empty database = %v, want ErrNotFound", err)
	}
	c := Connection{
		BaseURL:     "https://acme.halopsa.com",
		AuthURL:     "https://acme.halopsa.com/auth",
		Tenant:      "acme",
		ClientID:    "3f1c-client",
		Scopes:      []string{"read:customers", "read:assets", "read:tickets", "edit:tickets"},
		ConnectedAt: time.Date(2025, 8, 9, 10, 11, 12, 13, time.UTC),
	}
	if err := db.SaveConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := db.Connection(ctx)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("Connection = %+v, %v\nwant %+v", got, err, c)
	}

	// Saving again replaces: still one row, new values, no scopes read as nil.
	c2 := Connection{BaseURL: "https://halo.example.org", ClientID: "other"}
	if err := db.SaveConnection(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Connection(ctx); err != nil || !reflect.DeepEqual(got, c2) {
		t.Errorf("Connection after replace = %+v, %v\nwant %+v", got, err, c2)
	}
	var rows int
	db.r.QueryRow("SELECT count(*) FROM connection").Scan(&rows)
	if rows != 1 {
		t.Errorf("%d connection rows, want 1", rows)
	}

	for _, bad := range []Connection{{}, {BaseURL: "x", Scopes: []string{"a b"}}, {BaseURL: "x", Scopes: []string{""}}} {
		if err := db.SaveConnection(ctx, bad); err == nil {
			t.Errorf("SaveConnection(%+v) succeeded", bad)
		}
	}

	if err := db.DeleteConnection(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Connection(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("Connection after delete = %v, want ErrNotFound", err)
	}
	if err := db.DeleteConnection(ctx); err != nil {
		t.Errorf("second DeleteConnection = %v", err)
	}
}

// TestNoSecretColumn guards the design rule that secrets never reach SQLite:
// no table may grow a column that looks like one.
func TestNoSecretColumn(t *testing.T) {
	db := openTest(t)
	rows, err := db.r.Query(`SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		for _, word := range []string{"secret", "password", "token"} {
			if strings.Contains(strings.ToLower(col), word) {
				t.Errorf("column %s.%s looks like it holds a secret", table, col)
			}
		}
	}
}
