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
