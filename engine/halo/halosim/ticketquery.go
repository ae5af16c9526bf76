package halosim

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ticketDates adds the /Tickets date filters as mode says. Honoured:
// lastupdatefromdate/lastupdatetodate (inclusive, on the change time) and
// datesearch with startdate/enddate (inclusive). Ignored: none of them, and
// their values are not even parsed. Rejected: a lastupdate*date that is not
// a boolean is a 400, and datesearch is ignored.
func ticketDates(f *filter[*ticket], mode DateFilterMode) {
	switch mode {
	case DateFilterIgnore:
		return
	case DateFilterReject:
		for _, k := range []string{"lastupdatefromdate", "lastupdatetodate"} {
			if _, err := f.q.boolean(k, false); err != nil {
				f.fail(err)
			}
		}
		return
	}
	for _, k := range []string{"lastupdatefromdate", "lastupdatetodate"} {
		v := f.q[k]
		if _, err := strconv.ParseBool(v); v == "" || err == nil {
			// Absent, or the spec's own bool switch: not a filter.
			continue
		}
		at, _, err := parseDate(f.q, k)
		switch {
		case err != nil:
			f.fail(err)
		case k == "lastupdatefromdate":
			f.add(func(t *ticket) bool { return !t.lastUpdate.Before(at) })
		default:
			f.add(func(t *ticket) bool { return !t.lastUpdate.After(at) })
		}
	}
	df, err := dateSearch(f.q)
	if err != nil {
		f.fail(err)
	}
	if df != nil {
		f.add(df)
	}
}

// dateSearch builds the datesearch predicate, or nil when none applies.
// Only the two documented columns are honoured: dateoccured (sic, one r;
// also the default without datesearch) and datecleared. Any other value,
// the JSON spelling dateoccurred and the undocumented last_update and
// lastactiondate included, is ignored and the date range not applied, so a
// client must notice the unfiltered answer.
func dateSearch(q query) (func(*ticket) bool, error) {
	start, hasStart, err := parseDate(q, "startdate")
	if err != nil {
		return nil, err
	}
	end, hasEnd, err := parseDate(q, "enddate")
	if err != nil {
		return nil, err
	}
	if !hasStart && !hasEnd {
		return nil, nil
	}
	var col func(*ticket) time.Time
	switch strings.ToLower(q["datesearch"]) {
	case "", "dateoccured":
		col = func(t *ticket) time.Time { return t.occurred }
	case "datecleared":
		col = func(t *ticket) time.Time {
			if t.statusID != closedStatusID {
				return time.Time{}
			}
			return t.closedAt
		}
	default:
		return nil, nil
	}
	return func(t *ticket) bool {
		v := col(t)
		if v.IsZero() {
			return false
		}
		return (!hasStart || !v.Before(start)) && (!hasEnd || !v.After(end))
	}, nil
}

// parseDate accepts RFC 3339 and zone-less ISO 8601 (read as UTC).
func parseDate(q query, k string) (time.Time, bool, error) {
	v := q[k]
	if v == "" {
		return time.Time{}, false, nil
	}
	for _, layout := range []string{time.RFC3339Nano, haloTime, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, paramError{key: k, value: v}
}

// ticketOrder sets the /Tickets ordering as mode says. Honoured: order
// names a date column (both spellings of the change time and of the date
// opened), sorted with ties by id; id and unknown columns keep id order;
// orderdesc reverses either. Ignored: id ascending whatever is asked.
func ticketOrder(f *filter[*ticket], mode OrderMode) {
	if mode == OrderIgnore {
		f.ignoreOrder = true
		return
	}
	var col func(*ticket) time.Time
	switch strings.ToLower(f.q["order"]) {
	case "last_update", "lastupdate":
		col = func(t *ticket) time.Time { return t.lastUpdate }
	case "lastactiondate":
		col = func(t *ticket) time.Time { return t.lastAction }
	case "dateoccurred", "dateoccured":
		col = func(t *ticket) time.Time { return t.occurred }
	case "datecreated":
		col = func(t *ticket) time.Time { return t.created }
	default:
		return
	}
	f.sortKey = func(t *ticket) int64 { return timeKey(col(t)) }
}

// timeKey maps a time to an int64 that sorts the same way; the zero time
// (never set) sorts first.
func timeKey(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}
