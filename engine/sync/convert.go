package sync

import (
	"strings"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// These turn HaloPSA's wire records into the store's rows.

func toClient(c halo.Customer) store.Client {
	return store.Client{
		ID:        c.ID.Int(),
		Name:      strings.TrimSpace(c.Name),
		Website:   strings.TrimSpace(c.Website),
		Phone:     strings.TrimSpace(c.MainPhoneNumber),
		TopLevel:  strings.TrimSpace(c.TopLevelName),
		Inactive:  bool(c.Inactive),
		UpdatedAt: c.LastUpdate.Time,
	}
}

func toSite(s halo.Site) store.Site {
	return store.Site{
		ID:        s.ID.Int(),
		ClientID:  s.ClientID.Int(),
		Name:      strings.TrimSpace(s.Name),
		Phone:     strings.TrimSpace(s.PhoneNumber),
		Address:   formatAddress(s.DeliveryAddress),
		Inactive:  bool(s.Inactive),
		UpdatedAt: s.LastUpdate.Time,
	}
}

func toContact(u halo.User) store.Contact {
	name := strings.TrimSpace(u.Name)
	if name == "" {
		name = strings.TrimSpace(u.FirstName + " " + u.Surname)
	}
	return store.Contact{
		ID:        u.ID.Int(),
		ClientID:  u.ClientID.Int(),
		SiteID:    u.SiteID.Int(),
		Name:      name,
		Email:     strings.TrimSpace(u.EmailAddress),
		Phone:     strings.TrimSpace(u.PhoneNumber),
		Primary:   bool(u.IsMainContact),
		Inactive:  bool(u.Inactive),
		UpdatedAt: u.LastUpdate.Time,
	}
}

func toAsset(a halo.Asset) store.Asset {
	updated := a.LastUpdate.Time
	if a.LastModified.After(updated) {
		updated = a.LastModified.Time
	}
	return store.Asset{
		ID:        a.ID.Int(),
		ClientID:  a.ClientID.Int(),
		SiteID:    a.SiteID.Int(),
		Tag:       strings.TrimSpace(a.InventoryNumber),
		Name:      strings.TrimSpace(a.KeyField),
		Type:      strings.TrimSpace(a.AssetTypeName),
		Inactive:  bool(a.Inactive),
		UpdatedAt: updated,
	}
}

func formatAddress(a *halo.PostalAddress) string {
	if a == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{a.Line1, a.Line2, a.Line3, a.Line4, a.Postcode} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
