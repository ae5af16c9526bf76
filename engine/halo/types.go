package halo

import "time"

// Wire types: the fields HaloSync reads from HaloPSA, named as HaloPSA
// names them (HALOPSA-API.md section 3). Unknown fields are ignored.

// Customer is a HaloPSA client (schema "Area"); named Customer here so
// that Client can be the API client.
type Customer struct {
	ID              ID     `json:"id"`
	Name            string `json:"name"`
	Inactive        Flag   `json:"inactive"`
	TopLevelID      ID     `json:"toplevel_id"`
	TopLevelName    string `json:"toplevel_name"`
	Website         string `json:"website"`
	MainPhoneNumber string `json:"main_phonenumber"`
	MainSiteID      ID     `json:"main_site_id"`
	MainContactName string `json:"main_contact_name"`
	LastUpdate      Time   `json:"alastupdate"`
}

// PostalAddress is a site's address (schema "AddressStore").
type PostalAddress struct {
	Line1    string `json:"line1"`
	Line2    string `json:"line2"`
	Line3    string `json:"line3"`
	Line4    string `json:"line4"`
	Postcode string `json:"postcode"`
}

// Site is one of a client's locations. Name can be missing on live tenants;
// ClientID arrives as a double.
type Site struct {
	ID              ID             `json:"id"`
	Name            string         `json:"name"`
	ClientID        ID             `json:"client_id"`
	ClientName      string         `json:"client_name"`
	Inactive        Flag           `json:"inactive"`
	PhoneNumber     string         `json:"phonenumber"`
	DeliveryAddress *PostalAddress `json:"delivery_address"`
	LastUpdate      Time           `json:"slastupdate"`
}

// User is a client's contact (schema "Users"). SiteID arrives as a double.
// IsMainContact marks the primary contact; there is no isprimarycontact.
type User struct {
	ID            ID     `json:"id"`
	Name          string `json:"name"`
	FirstName     string `json:"firstname"`
	Surname       string `json:"surname"`
	EmailAddress  string `json:"emailaddress"`
	PhoneNumber   string `json:"phonenumber"`
	SiteID        ID     `json:"site_id"`
	ClientID      ID     `json:"client_id"`
	Inactive      Flag   `json:"inactive"`
	IsMainContact Flag   `json:"ismaincontact"`
	LastUpdate    Time   `json:"ulastupdate"`
}

// Asset is a client's device (schema "Device").
type Asset struct {
	ID              ID     `json:"id"`
	InventoryNumber string `json:"inventory_number"`
	KeyField        string `json:"key_field"`
	ClientID        ID     `json:"client_id"`
	SiteID          ID     `json:"site_id"`
	AssetTypeID     ID     `json:"assettype_id"`
	AssetTypeName   string `json:"assettype_name"`
	Inactive        Flag   `json:"inactive"`
	LastUpdate      Time   `json:"dlastupdate"`
	LastModified    Time   `json:"last_modified"`
}

// Ticket is a HaloPSA ticket (schema "Faults"); the id is also its number.
type Ticket struct {
	ID             ID     `json:"id"`
	Summary        string `json:"summary"`
	Details        string `json:"details"`
	StatusID       ID     `json:"status_id"`
	StatusName     string `json:"status_name"`
	TicketTypeID   ID     `json:"tickettype_id"`
	PriorityID     ID     `json:"priority_id"`
	ClientID       ID     `json:"client_id"`
	ClientName     string `json:"client_name"`
	SiteID         ID     `json:"site_id"`
	UserID         ID     `json:"user_id"`
	HasBeenClosed  Flag   `json:"hasbeenclosed"`
	DateOccurred   Time   `json:"dateoccurred"`
	LastActionDate Time   `json:"lastactiondate"`
	// The change time has several names on live tenants (addendum 2):
	// last_update on most answers, lastupdate on some, flastupdate in some
	// create answers. Read them through Updated and ChangedAt.
	LastUpdate  Time `json:"last_update"`
	LastUpdate2 Time `json:"lastupdate"`
	FLastUpdate Time `json:"flastupdate"`
}

// Updated is the ticket's last-update time under whichever name it came:
// the column lists are filtered and sorted by.
func (t Ticket) Updated() time.Time {
	return latest(t.LastUpdate.Time, t.LastUpdate2.Time, t.FLastUpdate.Time)
}

// ChangedAt is when HaloPSA last changed the ticket in any way: the latest
// of its last-update names and its last action.
func (t Ticket) ChangedAt() time.Time {
	return latest(t.Updated(), t.LastActionDate.Time)
}

func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// Status is a ticket status (schema "TStatus"). HaloPSA has no is-closed
// flag: the closed status is found by name.
type Status struct {
	ID        ID     `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"shortname"`
	Type      ID     `json:"type"`
	Sequence  ID     `json:"sequence"`
}

// TicketType is a ticket type (schema "RequestType"). DefaultPriority is
// the priority HaloPSA gives its new tickets.
type TicketType struct {
	ID              ID     `json:"id"`
	Name            string `json:"name"`
	Visible         Flag   `json:"visible"`
	Sequence        ID     `json:"sequence"`
	DefaultPriority ID     `json:"default_priority"`
}
