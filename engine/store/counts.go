package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Counts summarises the database for the dashboard.
type Counts struct {
	Clients         int // active HaloPSA clients
	InactiveClients int // clients HaloPSA marks inactive
	DeletedClients  int // clients gone from HaloPSA
	// Sites, Contacts, PrimaryContacts and Assets count the non-deleted records
	// of active clients only: the children of an inactive or deleted client
	// are not the MSP's live estate.
	Sites           int
	Contacts        int
	PrimaryContacts int
	Assets          int
	LocalClients    int       // clients in the MSP's own client book
	Errors          int       // error-level sync log entries
	LastSync        time.Time // finish time of the newest KindImport run with StatusOK; zero if none
}

// countsSQL is one statement, so every number comes from the same snapshot.
const countsSQL = `
SELECT
	(SELECT count(*) FROM clients WHERE state = 'active'),
	(SELECT count(*) FROM clients WHERE state = 'inactive'),
	(SELECT count(*) FROM clients WHERE state = 'deleted'),
	(SELECT count(*) FROM sites x JOIN clients c ON c.id = x.client_id
		WHERE x.state <> 'deleted' AND c.state = 'active'),
	(SELECT count(*) FROM contacts x JOIN clients c ON c.id = x.client_id
		WHERE x.state <> 'deleted' AND c.state = 'active'),
	(SELECT count(*) FROM contacts x JOIN clients c ON c.id = x.client_id
		WHERE x.state <> 'deleted' AND c.state = 'active' AND x.is_primary = 1),
	(SELECT count(*) FROM assets x JOIN clients c ON c.id = x.client_id
		WHERE x.state <> 'deleted' AND c.state = 'active'),
	(SELECT count(*) FROM local_clients),
	(SELECT count(*) FROM log WHERE level = ?),
	(SELECT max(finished_at) FROM runs WHERE kind = ? AND status = ?)`

// Counts returns the dashboard numbers.
func (db *DB) Counts(ctx context.Context) (Counts, error) {
	var (
		c    Counts
		last sql.NullString
	)
	err := db.r.QueryRowContext(ctx, countsSQL, Error.Severity(), KindImport, StatusOK).Scan(
		&c.Clients, &c.InactiveClients, &c.DeletedClients,
		&c.Sites, &c.Contacts, &c.PrimaryContacts, &c.Assets,
		&c.LocalClients, &c.Errors, &last)
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	if c.LastSync, err = parseTime(last); err != nil {
		return Counts{}, err
	}
	return c, nil
}
