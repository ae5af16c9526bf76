package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// State is the lifecycle state of an imported HaloPSA record.
type State string

// The states of an imported record.
const (
	StateActive   State = "active"   // live in HaloPSA
	StateInactive State = "inactive" // HaloPSA marks it inactive
	StateDeleted  State = "deleted"  // no longer returned by HaloPSA
)

// valid reports whether s is one of the three states.
func (s State) valid() bool {
	return s == StateActive || s == StateInactive || s == StateDeleted
}

// stateOf is the state an imported record gets from HaloPSA's inactive flag;
// it is also how a deleted record that reappears is revived.
func stateOf(inactive bool) string {
	if inactive {
		return string(StateInactive)
	}
	return string(StateActive)
}

// Client is a HaloPSA client (customer).
type Client struct {
	ID        int64
	Name      string
	Website   string
	Phone     string
	TopLevel  string    // HaloPSA's top-level (parent group) name
	Inactive  bool      // HaloPSA's inactive flag
	UpdatedAt time.Time // HaloPSA's alastupdate; zero when HaloPSA gave none
	State     State     // output only: ignored by UpsertClients
}

// Site is a HaloPSA site (location) of a client.
type Site struct {
	ID        int64
	ClientID  int64
	Name      string // may be empty
	Phone     string
	Address   string
	Inactive  bool
	UpdatedAt time.Time
	State     State // output only: ignored by UpsertSites
}

// Contact is a HaloPSA user (end-user contact) of a client.
type Contact struct {
	ID        int64
	ClientID  int64
	SiteID    int64
	Name      string
	Email     string
	Phone     string
	Primary   bool // HaloPSA's ismaincontact
	Inactive  bool
	UpdatedAt time.Time
	State     State // output only: ignored by UpsertContacts
}

// Asset is a HaloPSA asset (device) of a client.
type Asset struct {
	ID        int64
	ClientID  int64
	SiteID    int64
	Tag       string // HaloPSA's inventory_number
	Name      string // HaloPSA's key_field
	Type      string
	Inactive  bool
	UpdatedAt time.Time
	State     State // output only: ignored by UpsertAssets
}

// Resource names one kind of imported HaloPSA record.
type Resource string

// The imported resources.
const (
	Clients  Resource = "clients"
	Sites    Resource = "sites"
	Contacts Resource = "contacts"
	Assets   Resource = "assets"
)

// Resources lists the imported resources, parents before children.
func Resources() []Resource { return []Resource{Clients, Sites, Contacts, Assets} }

// table returns the table behind r. Callers never put a Resource into SQL
// text directly: this lookup is the whitelist.
func (r Resource) table() (*table, error) {
	switch r {
	case Clients:
		return clientsTable, nil
	case Sites:
		return sitesTable, nil
	case Contacts:
		return contactsTable, nil
	case Assets:
		return assetsTable, nil
	}
	return nil, fmt.Errorf("store: unknown resource %q", r)
}

// UpsertResult counts what one upsert call did with its rows.
type UpsertResult struct {
	Inserted  int // new records
	Updated   int // records whose content (or state) changed
	Unchanged int // records identical to what was stored
}

// Unseen returns, in ascending order, the ids of the records of r that run
// did not see (nor any later run) and that are not already deleted. After a
// complete import these are the records HaloPSA no longer has.
func (db *DB) Unseen(ctx context.Context, r Resource, run int64) ([]int64, error) {
	t, err := r.table()
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, t.unseenSQL, run)
	if err != nil {
		return nil, fmt.Errorf("store: unseen %s: %w", r, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unseen %s: %w", r, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unseen %s: %w", r, err)
	}
	return ids, nil
}

// SetState sets the state of the records of r with the given ids, in one
// transaction. Ids that do not exist are ignored. Setting active or inactive
// also sets the inactive flag, so that the next identical upsert reports the
// record Unchanged; setting deleted keeps the flag for a later revival.
func (db *DB) SetState(ctx context.Context, r Resource, ids []int64, s State) error {
	t, err := r.table()
	if err != nil {
		return err
	}
	if !s.valid() {
		return fmt.Errorf("store: set state: unknown state %q", s)
	}
	if len(ids) == 0 {
		return nil
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, t.setStateSQL, string(s), db.stamp(), jsonIDs(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set state of %s: %w", r, err)
	}
	return nil
}
