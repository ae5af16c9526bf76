package halosim

import (
	"bufio"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// listParams is the paging and ordering part of a list request.
type listParams struct {
	paginate bool
	pageNo   int
	pageSize int // effective page size, after the cap
	limit    int // without paging: count=N, the unpaged limit, or -1 for everything
	desc     bool
	idOnly   bool
	repeat   bool // a page past the end answers the last page again
}

// listParams reads pageinate/page_size/page_no, count, orderdesc and idonly
// under behaviour b. Pages are silently capped at PageCap unless the list
// has a fixed page size (fixed > 0). idonly ignores pageinate ("not
// compatible with pagination") and returns every match. orderdesc reverses
// the list's order unless ignoreOrder is set.
func (s *Server) listParams(q query, b Behaviour, fixed int, ignoreOrder bool) (listParams, error) {
	lp := listParams{limit: -1}
	var err error
	if lp.idOnly, err = q.boolean("idonly", false); err != nil {
		return lp, err
	}
	if !ignoreOrder {
		if lp.desc, err = q.boolean("orderdesc", false); err != nil {
			return lp, err
		}
	}
	paginate, err := q.boolean("pageinate", false)
	if err != nil {
		return lp, err
	}
	if paginate && !lp.idOnly {
		lp.paginate, lp.repeat = true, b.PastEndRepeats
		size, ok, err := q.integer("page_size")
		if err != nil {
			return lp, err
		}
		if !ok || size <= 0 {
			size = 50
		}
		lp.pageSize = min(size, s.opts.PageCap)
		if fixed > 0 {
			lp.pageSize = fixed
		}
		no, ok, err := q.integer("page_no")
		if err != nil {
			return lp, err
		}
		lp.pageNo = min(max(no, 1), 1<<30)
		if !ok {
			lp.pageNo = 1
		}
		return lp, nil
	}
	n, ok, err := q.integer("count")
	if err != nil {
		return lp, err
	}
	switch {
	case ok && n >= 0:
		lp.limit = n
	case !ok && !paginate && b.UnpagedLimit > 0:
		// Neither pageinate=true nor count: the tenant's own limit.
		lp.limit = b.UnpagedLimit
	}
	return lp, nil
}

// collect returns the number of matches and the bodies of the requested
// window. Ordering applies before paging: a list with a sort key is sorted
// in full first, by key then id.
func collect[T record](rows []T, keep func(T) bool, sortKey func(T) int64, lp listParams) (int, [][]byte) {
	if sortKey != nil {
		// Keys are read once, not per comparison: this runs on every page
		// of a 20,000-ticket list.
		type keyed struct {
			key, id int64
			r       T
		}
		matches := make([]keyed, 0, len(rows))
		for _, r := range rows {
			if keep == nil || keep(r) {
				matches = append(matches, keyed{sortKey(r), int64(r.ident()), r})
			}
		}
		slices.SortFunc(matches, func(a, b keyed) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		if lp.desc {
			slices.Reverse(matches)
		}
		sorted := make([]T, len(matches))
		for i, m := range matches {
			sorted[i] = m.r
		}
		rows, keep, lp.desc = sorted, nil, false
	}
	skip, take := 0, lp.limit
	if lp.paginate {
		skip, take = (lp.pageNo-1)*lp.pageSize, lp.pageSize
	}
	total, out := window(rows, keep, lp, skip, take)
	if lp.repeat && len(out) == 0 && total > 0 && skip >= total {
		// Past the end: this tenant answers its last page again.
		_, out = window(rows, keep, lp, (total-1)/lp.pageSize*lp.pageSize, lp.pageSize)
	}
	return total, out
}

// window walks rows in id order (reversed with lp.desc) and returns the
// number of matches and the bodies of take matches after skip (take < 0:
// all the rest).
func window[T record](rows []T, keep func(T) bool, lp listParams, skip, take int) (int, [][]byte) {
	if keep == nil && !lp.desc {
		// Every row matches: slice the window directly.
		lo := min(skip, len(rows))
		hi := len(rows)
		if take >= 0 {
			hi = min(lo+take, hi)
		}
		out := make([][]byte, 0, hi-lo)
		for _, r := range rows[lo:hi] {
			out = append(out, rowBody(r, lp.idOnly))
		}
		return len(rows), out
	}
	if keep == nil {
		keep = func(T) bool { return true }
	}
	total := 0
	var out [][]byte
	visit := func(r T) {
		if !keep(r) {
			return
		}
		if total >= skip && (take < 0 || len(out) < take) {
			out = append(out, rowBody(r, lp.idOnly))
		}
		total++
	}
	if lp.desc {
		for i := len(rows) - 1; i >= 0; i-- {
			visit(rows[i])
		}
	} else {
		for _, r := range rows {
			visit(r)
		}
	}
	return total, out
}

func rowBody[T record](r T, idOnly bool) []byte {
	if idOnly {
		return []byte(`{"id":` + strconv.Itoa(r.ident()) + `}`)
	}
	return r.body()
}

// serveList answers a list request with the paging envelope. page_no and
// page_size appear only on paginated requests (page_no as asked, page_size
// as served); a count= or unpaged request gets just record_count and the
// rows. record_count is always the number of matches, whatever was served.
func serveList[T record](s *Server, w http.ResponseWriter, q query, key string, t *table[T], f *filter[T]) {
	lp, err := s.listParams(q, s.behaviour(), f.pageSize, f.ignoreOrder)
	if err == nil {
		err = f.err
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, messageBody(err.Error()))
		return
	}
	s.mu.RLock()
	total, rows := collect(t.rows, f.keep(), f.sortKey, lp)
	s.mu.RUnlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	if lp.paginate {
		fmt.Fprintf(bw, `{"page_no":%d,"page_size":%d,"record_count":%d,"%s":[`, lp.pageNo, lp.pageSize, total, key)
	} else {
		fmt.Fprintf(bw, `{"record_count":%d,"%s":[`, total, key)
	}
	for i, b := range rows {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.Write(b)
	}
	_, _ = bw.WriteString("]}")
	_ = bw.Flush()
}
