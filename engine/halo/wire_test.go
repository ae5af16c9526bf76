package halo

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestIDDecodes(t *testing.T) {
	for in, want := range map[string]ID{`12`: 12, `12.0`: 12, `"12"`: 12, `null`: 0, `"  "`: 0, `-1`: -1, `1e3`: 1000} {
		var id ID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id != want {
			t.Errorf("ID from %s = %d, %v; want %d", in, id, err, want)
		}
	}
	for _, bad := range []string{`12.5`, `"x"`, `true`, `1e300`} {
		var id ID
		if err := json.Unmarshal([]byte(bad), &id); err == nil {
			t.Errorf("ID from %s: no error", bad)
		}
	}
	b, _ := json.Marshal(struct{ ID ID }{95})
	if string(b) != `{"ID":95}` {
		t.Errorf("ID encodes as %s; HaloPSA rejects 95.0", b)
	}
}

func TestFlagDecodes(t *testing.T) {
	for in, want := range map[string]Flag{`true`: true, `false`: false, `1`: true, `0`: false, `"true"`: true, `null`: false} {
		var f Flag
		if err := json.Unmarshal([]byte(in), &f); err != nil || f != want {
			t.Errorf("Flag from %s = %v, %v", in, f, err)
		}
	}
	var f Flag
	if err := json.Unmarshal([]byte(`"maybe"`), &f); err == nil {
		t.Error("Flag from \"maybe\": no error")
	}
}

func TestTimeDecodes(t *testing.T) {
	want := time.Date(2026, 9, 25, 6, 41, 8, 0, time.UTC)
	for _, in := range []string{`"2026-09-25T06:41:08Z"`, `"2026-09-25T06:41:08"`, `"2026-09-25T06:41:08.0000000"`, `"2026-09-25T08:41:08+02:00"`} {
		var v Time
		if err := json.Unmarshal([]byte(in), &v); err != nil || !v.Equal(want) {
			t.Errorf("Time from %s = %v, %v", in, v, err)
		}
	}
	var v Time
	if err := json.Unmarshal([]byte(`"not a date"`), &v); err != nil || !v.IsZero() {
		t.Errorf("unreadable Time = %v, %v; want zero, nil", v, err)
	}
}

func TestTimeReadsAddendumFormatsAndSentinels(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{`"2024-06-20T14:45:15.9746271Z"`, time.Date(2024, 6, 20, 14, 45, 15, 974627100, time.UTC)},
		{`"2024-06-20T14:45:15.975Z"`, time.Date(2024, 6, 20, 14, 45, 15, 975000000, time.UTC)},
		{`"2024-06-20T14:30:00Z"`, time.Date(2024, 6, 20, 14, 30, 0, 0, time.UTC)},
		{`"2019-01-09T09:37:08.7"`, time.Date(2019, 1, 9, 9, 37, 8, 700000000, time.UTC)},
		{`"2019-01-09T09:37:08"`, time.Date(2019, 1, 9, 9, 37, 8, 0, time.UTC)},
		// HaloPSA's ways of saying "unset" read as no date at all.
		{`"1900-01-01T00:00:00"`, time.Time{}},
		{`"1899-12-30T00:00:00"`, time.Time{}},
		{`"0001-01-01T00:00:00"`, time.Time{}},
		{`null`, time.Time{}},
	} {
		var v Time
		if err := json.Unmarshal([]byte(c.in), &v); err != nil || !v.Time.Equal(c.want) || v.IsZero() != c.want.IsZero() {
			t.Errorf("Time from %s = %v, %v; want %v", c.in, v.Time, err, c.want)
		}
	}
}

func TestTicketChangeTimeUnderEveryName(t *testing.T) {
	want := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, key := range []string{"last_update", "lastupdate", "flastupdate"} {
		var tk Ticket
		body := `{"id":1,"` + key + `":"2026-03-01T10:00:00","lastactiondate":"1900-01-01T00:00:00"}`
		if err := json.Unmarshal([]byte(body), &tk); err != nil {
			t.Fatal(err)
		}
		if !tk.Updated().Equal(want) || !tk.ChangedAt().Equal(want) {
			t.Errorf("%s: Updated %v, ChangedAt %v; want %v", key, tk.Updated(), tk.ChangedAt(), want)
		}
	}
	var tk Ticket
	_ = json.Unmarshal([]byte(`{"id":1,"last_update":"2026-03-01T10:00:00","lastactiondate":"2026-03-01T11:00:00Z"}`), &tk)
	if !tk.ChangedAt().Equal(want.Add(time.Hour)) || !tk.Updated().Equal(want) {
		t.Errorf("a later action: Updated %v, ChangedAt %v", tk.Updated(), tk.ChangedAt())
	}
}

func TestSiteDecodesLiveShapes(t *testing.T) {
	// A site as live tenants send it: client_id a double, no name.
	var s Site
	if err := json.Unmarshal([]byte(`{"id":7,"client_id":12.0,"inactive":false,"delivery_address":null,"slastupdate":"2026-01-02T03:04:05"}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != 7 || s.ClientID != 12 || s.Name != "" || s.LastUpdate.IsZero() {
		t.Errorf("site = %+v", s)
	}
}
