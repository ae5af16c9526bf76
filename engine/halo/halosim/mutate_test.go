package halosim

import (
	"errors"
	"fmt"
	"testing"
)

func TestMutations(t *testing.T) {
	clk := newClock()
	o := small()
	o.Now = clk.Now
	h := startAuthed(t, o)
	ids := h.srv.ActiveClientIDs()
	before := h.srv.Counts()
	target := ids[0]

	if err := h.srv.SetClientInactive(target, true); err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	h.getJSON(fmt.Sprintf("/api/Client/%d", target), &c)
	if c["inactive"] != true || c["alastupdate"] != "2026-03-10T12:00:00" {
		t.Fatalf("after SetClientInactive: %v", c)
	}
	if n := h.srv.Counts(); n.ActiveClients != before.ActiveClients-1 || len(h.srv.ActiveClientIDs()) != len(ids)-1 {
		t.Fatalf("counts after deactivate = %+v", n)
	}
	_ = h.srv.SetClientInactive(target, false)

	var site map[string]any
	siteRows := h.all(fmt.Sprintf("Site?client_id=%d", target), "sites")
	slastupdate := siteRows[0]["slastupdate"]
	if err := h.srv.RenameClient(target, `Smith & "Sons" Ltd`); err != nil {
		t.Fatal(err)
	}
	h.getJSON(fmt.Sprintf("/api/Site/%d", num(siteRows[0], "id")), &site)
	if site["client_name"] != `Smith & "Sons" Ltd` || site["slastupdate"] != slastupdate {
		t.Fatalf("site after rename = %v", site)
	}

	victim := ids[1]
	perClient := func(coll, key string) int { return len(h.all(fmt.Sprintf("%s?client_id=%d", coll, victim), key)) }
	sites, users, assets := perClient("Site", "sites"), perClient("Users", "users"), perClient("Asset", "assets")
	if err := h.srv.DeleteClient(victim); err != nil {
		t.Fatal(err)
	}
	if code, _ := h.get(fmt.Sprintf("/api/Client/%d", victim)); code != 404 {
		t.Fatalf("deleted client: %d", code)
	}
	n := h.srv.Counts()
	if n.Clients != before.Clients-1 || n.Sites != before.Sites-sites || n.Users != before.Users-users ||
		n.Assets != before.Assets-assets || n.Tickets != before.Tickets || n.MainContacts != before.MainContacts-1 {
		t.Fatalf("counts after delete = %+v (before %+v)", n, before)
	}

	added := h.srv.AddClient("Brand New Widgets Ltd")
	if added <= slicesMax(ids) {
		t.Fatalf("new id %d not above %d", added, slicesMax(ids))
	}
	if got := perClientOf(h, added); got != [3]int{1, 2, 1} {
		t.Fatalf("new client sites/users/mains = %v", got)
	}

	for _, err := range []error{h.srv.SetClientInactive(-1, true), h.srv.RenameClient(-1, "x"), h.srv.DeleteClient(victim)} {
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	}
}

func perClientOf(h *harness, id int) [3]int {
	users := h.all(fmt.Sprintf("Users?client_id=%d", id), "users")
	mains := 0
	for _, u := range users {
		if u["ismaincontact"] == true {
			mains++
		}
	}
	return [3]int{len(h.all(fmt.Sprintf("Site?client_id=%d", id), "sites")), len(users), mains}
}

func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
