package halo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The HaloPSA spec gives no response schemas, and live tenants send ids as
// doubles ("12.0"), numbers as strings and dates with or without a zone.
// These types decode all of those, so one odd field never loses a page.

// ID is a HaloPSA record id. It decodes from 12, 12.0, "12" and null (0).
// It encodes as a plain integer, since HaloPSA rejects 12.0 on writes.
type ID int64

// UnmarshalJSON accepts integers, whole doubles, numeric strings and null.
func (id *ID) UnmarshalJSON(b []byte) error {
	n, err := parseNumber(b)
	if err != nil {
		return fmt.Errorf("id: %w", err)
	}
	if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
		return fmt.Errorf("id: %s is not a whole number", b)
	}
	*id = ID(n)
	return nil
}

// Int returns the id as an int64.
func (id ID) Int() int64 { return int64(id) }

// Flag is a boolean that also decodes from 0/1 and "true"/"false".
type Flag bool

// UnmarshalJSON accepts booleans, numbers, strings and null (false).
func (f *Flag) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		*f = true
	case "false", "0", "no", "", "null":
		*f = false
	default:
		return fmt.Errorf("flag: cannot read %s as true or false", b)
	}
	return nil
}

// Time is a HaloPSA timestamp. Zone-less values are taken as UTC, which is
// how HaloPSA stores them. HaloPSA writes "unset" as a sentinel date
// (1900-01-01, 1899-12-30 or 0001-01-01); those, and unreadable values,
// decode as the zero time rather than failing the whole record.
type Time struct{ time.Time }

// unsetBefore: every date before it is one of HaloPSA's "unset" sentinels,
// not a real time.
var unsetBefore = time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC)

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// UnmarshalJSON reads the layouts HaloPSA is known to send.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	t.Time = time.Time{}
	if s == "" || s == "null" {
		return nil
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			if v.After(unsetBefore) {
				t.Time = v.UTC()
			}
			return nil
		}
	}
	return nil
}

// MarshalJSON writes RFC 3339 in UTC, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

func parseNumber(b []byte) (float64, error) {
	s := strings.TrimSpace(strings.Trim(string(bytes.TrimSpace(b)), `"`))
	if s == "" || s == "null" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}
