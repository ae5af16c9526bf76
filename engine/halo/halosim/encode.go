package halosim

import "time"

// Wire encodings of the stored records. Field names follow the fact sheet;
// a few "noise" fields that real objects carry are included so that a client
// must ignore what it does not know.

func (st *store) encodeClient(c *client) []byte {
	o := newObj(640)
	o.int("id", c.id)
	o.str("name", c.name)
	o.bool("inactive", c.inactive)
	o.int("toplevel_id", c.toplevelID)
	o.str("toplevel_name", c.toplevelName)
	o.str("website", c.website)
	o.str("main_phonenumber", c.phone)
	o.int("main_site_id", c.mainSiteID)
	o.str("main_site_name", st.siteName(c.mainSiteID))
	o.str("main_contact_name", c.mainContactName)
	o.str("colour", c.colour)
	o.bool("is_vip", c.vip)
	o.int("stopped", 0)
	o.str("ref", "")
	o.int("customertype", 0)
	o.str("use", "area")
	o.raw("customfields", "[]")
	o.time("datecreated", c.created)
	o.time("alastupdate", c.updated)
	return o.done()
}

func (st *store) encodeSite(x *site) []byte {
	o := newObj(640)
	cname := st.clientName(x.clientID)
	o.int("id", x.id)
	if x.named {
		o.str("name", x.name)
	}
	o.double("client_id", x.clientID)
	o.str("client_name", cname)
	o.str("clientsite_name", cname+"/"+x.name)
	o.bool("inactive", false)
	o.str("phonenumber", x.phone)
	addr := newObj(128)
	addr.str("line1", x.line1)
	addr.str("line2", x.line2)
	addr.str("postcode", x.postcode)
	o.rawBytes("delivery_address", addr.done())
	o.str("timezone", "GMT Standard Time")
	o.bool("isinvoicesite", false)
	o.bool("isstocklocation", false)
	o.raw("customfields", "[]")
	o.time("datecreated", x.created)
	o.time("slastupdate", x.updated)
	return o.done()
}

func (st *store) encodeUser(u *user) []byte {
	o := newObj(640)
	o.int("id", u.id)
	o.str("name", u.name())
	o.str("firstname", u.firstname)
	o.str("surname", u.surname)
	o.str("initials", initials(u))
	o.str("emailaddress", u.email)
	o.str("phonenumber", u.phone)
	o.double("site_id", u.siteID)
	o.int("site_id_int", u.siteID)
	o.str("site_name", st.siteName(u.siteID))
	o.int("client_id", u.clientID)
	o.str("client_name", st.clientName(u.clientID))
	o.bool("inactive", false)
	o.bool("ismaincontact", u.main)
	o.bool("isimportantcontact", u.important)
	o.bool("isserviceaccount", false)
	o.int("linked_agent_id", 0)
	o.str("other1", "")
	o.raw("customfields", "[]")
	o.time("datecreated", u.created)
	o.time("ulastupdate", u.updated)
	return o.done()
}

func initials(u *user) string {
	var b []byte
	if u.firstname != "" {
		b = append(b, u.firstname[0])
	}
	if u.surname != "" {
		b = append(b, u.surname[0])
	}
	return string(b)
}

func (st *store) encodeAsset(a *asset) []byte {
	o := newObj(640)
	o.int("id", a.id)
	o.str("inventory_number", a.inventory)
	o.str("key_field", a.keyField)
	o.str("key_field2", a.serial)
	o.int("client_id", a.clientID)
	o.str("client_name", st.clientName(a.clientID))
	o.int("site_id", a.siteID)
	o.str("site_name", st.siteName(a.siteID))
	o.int("assettype_id", a.typeID)
	o.str("assettype_name", assetTypeName(a.typeID))
	o.int("status_id", 1)
	o.str("status_name", "Active")
	o.bool("inactive", false)
	o.raw("fields", "[]")
	o.raw("customfields", "[]")
	o.time("dlastupdate", a.updated)
	o.time("last_modified", a.modified)
	return o.done()
}

func (st *store) encodeTicket(t *ticket) []byte {
	o := newObj(900)
	o.int("id", t.id)
	o.str("summary", t.summary)
	o.str("details", t.details)
	o.int("status_id", t.statusID)
	o.str("status_name", statusName(t.statusID))
	o.int("tickettype_id", t.typeID)
	o.str("tickettype_name", ticketTypeName(t.typeID))
	o.int("priority_id", t.priorityID)
	o.str("priority_name", priorityName(t.priorityID))
	o.str("category_1", t.category1)
	o.int("client_id", t.clientID)
	o.str("client_name", t.clientName)
	o.int("site_id", t.siteID)
	o.str("site_name", t.siteName)
	o.int("user_id", t.userID)
	o.str("user_name", t.userName)
	o.int("agent_id", 0)
	o.str("team", "")
	if st.enc.haloDates {
		o.timeOr("dateoccurred", t.occurred, unsetDotNet)
		o.timeOr("datecreated", t.created, unsetDotNet)
	} else {
		o.time("dateoccurred", t.occurred)
		o.time("datecreated", t.created)
	}
	st.enc.changeTime(o, t.lastUpdate)
	var closedAt time.Time
	if t.statusID == closedStatusID {
		closedAt = t.closedAt
	}
	if st.enc.haloDates {
		o.timeOr("lastactiondate", t.lastAction, unsetDotNet)
		o.timeOr("dateclosed", closedAt, unset1900)
		o.str("fixbydate", unsetOLE) // no SLA here: always unset
	} else {
		o.time("lastactiondate", t.lastAction)
		if !closedAt.IsZero() {
			o.time("dateclosed", closedAt)
		}
	}
	o.bool("hasbeenclosed", t.closed)
	o.bool("onhold", t.statusID == onHoldStatusID)
	o.raw("customfields", "[]")
	return o.done()
}

// changeTime writes a ticket's change time under the behaviour's key: UTC
// with a Z when HaloDates is on (Halo computes it during the request), else
// zone-less like every stored date.
func (e ticketEncoding) changeTime(o *jsonObj, t time.Time) {
	if e.haloDates {
		o.timeUTC(e.timeKey, t, unsetDotNet)
		return
	}
	o.time(e.timeKey, t)
}

// Catalogue data: statuses, ticket types and asset types.

const (
	newStatusID    = 1
	closedStatusID = 8 // not the common 9: clients must look "Closed" up by name
	onHoldStatusID = 9 // a trap for clients that hard-code 9 as closed
)

type catalogEntry struct {
	id   int
	name string
}

var statusCatalog = []catalogEntry{
	{1, "New"}, {2, "In Progress"}, {3, "Action Required"}, {4, "Waiting on Customer"},
	{5, "Waiting on Supplier"}, {8, "Closed"}, {9, "On Hold"}, {18, "Scheduled"},
}

var ticketTypeCatalog = []catalogEntry{
	{1, "Incident"}, {3, "Service Request"}, {4, "Problem"}, {21, "Change Request"},
}

var assetTypeCatalog = []catalogEntry{
	{112, "Workstation"}, {113, "Laptop"}, {114, "Server"}, {115, "Printer"},
	{116, "Firewall"}, {117, "Switch"}, {118, "Mobile Phone"},
}

func catalogName(cat []catalogEntry, id int) string {
	for _, e := range cat {
		if e.id == id {
			return e.name
		}
	}
	return ""
}

func statusName(id int) string     { return catalogName(statusCatalog, id) }
func ticketTypeName(id int) string { return catalogName(ticketTypeCatalog, id) }
func assetTypeName(id int) string  { return catalogName(assetTypeCatalog, id) }

var statusColours = []string{"#2e86de", "#10ac84", "#ee5253", "#ff9f43", "#f368e0", "#576574", "#8395a7", "#5f27cd"}

// statusBodies and ticketTypeBodies are the pre-encoded catalogue rows.
var statusBodies, ticketTypeBodies = encodeCatalogs()

func encodeCatalogs() (statuses, types [][]byte) {
	for i, e := range statusCatalog {
		o := newObj(192)
		o.int("id", e.id)
		o.str("name", e.name)
		o.str("shortname", e.name)
		o.int("type", 1)
		o.int("sequence", (i+1)*10)
		o.str("colour", statusColours[i%len(statusColours)])
		o.int("slaaction", 0)
		statuses = append(statuses, o.done())
	}
	for i, e := range ticketTypeCatalog {
		o := newObj(320)
		o.int("id", e.id)
		o.str("name", e.name)
		o.int("group_id", 1)
		o.str("group_name", "Support")
		o.int("workflow_id", 100+e.id)
		o.int("default_priority", ticketTypeRules[e.id].defaultPriority)
		o.int("sequence", i+1)
		o.bool("agentscanselect", true)
		o.bool("anonymouscanselect", e.id == 1)
		o.bool("visible", true)
		o.bool("allowattachments", true)
		types = append(types, o.done())
	}
	return statuses, types
}
