package halo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// PageSize is what HaloSync asks for. HaloPSA caps pages at 100 whatever is
// asked, so page counts are always computed from the rows a page really held.
const PageSize = 100

// Page is one page of a list as it arrived.
type Page[T any] struct {
	No    int     // 1-based page number; 0 for an unpaged (bare array) answer
	Rows  []T     // the rows that decoded
	Total int     // record_count, or -1 when HaloPSA did not say
	Bad   []error // rows that could not be read, each naming its position
}

// listAll fetches every page of a list and hands each to fn as it arrives.
// Page 1 tells the total and the real page size; the remaining pages are
// then fetched concurrently within the client's budget. fn is never called
// concurrently, but pages may arrive out of order. If HaloPSA holds more
// rows than page 1 promised, or says no total, paging carries on one page
// at a time until an empty page.
func listAll[T any](ctx context.Context, c *Client, path, key string, query url.Values, fn func(Page[T]) error) error {
	var mu sync.Mutex
	collected := 0
	deliver := func(p Page[T]) error {
		mu.Lock()
		defer mu.Unlock()
		collected += len(p.Rows) + len(p.Bad)
		return fn(p)
	}
	first, raw, err := getPage[T](ctx, c, path, key, query, 1)
	if err != nil {
		return err
	}
	if first.No == 0 || len(raw) == 0 { // bare array or an empty list: nothing more to page
		return deliver(first)
	}
	if err := deliver(first); err != nil {
		return err
	}
	per := len(raw)
	next := 2
	prev := raw // the rows of the highest page fetched so far
	if first.Total >= 0 {
		pages := (first.Total + per - 1) / per
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(c.MaxInFlight())
		for n := 2; n <= pages; n++ {
			g.Go(func() error {
				p, raw, err := getPage[T](gctx, c, path, key, query, n)
				if err != nil {
					return err
				}
				if n == pages {
					mu.Lock()
					prev = raw
					mu.Unlock()
				}
				return deliver(p)
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		// A short last page ends the list even when rows went missing
		// since page 1 was counted.
		if collected >= first.Total || len(prev) < per {
			return nil
		}
		next = pages + 1
	}
	for n := next; ; n++ {
		p, raw, err := getPage[T](ctx, c, path, key, query, n)
		if err != nil {
			return err
		}
		// An empty page ends the list; so does a page identical to the one
		// before, which means the server ignores paging on this endpoint.
		if len(raw) == 0 || sameRows(raw, prev) {
			return nil
		}
		if err := deliver(p); err != nil {
			return err
		}
		prev = raw
	}
}

// pagesInOrder fetches pages 1, 2, ... one at a time and hands each to fn
// until fn answers false. The end of the list is told however the server
// marks it: an empty page, a page shorter than the first (the server's real
// page size, whatever was asked), a page that repeats the one before (some
// tenants answer a page past the end with the last page again), or rows
// collected reaching record_count.
func pagesInOrder[T any](ctx context.Context, c *Client, path, key string, query url.Values, fn func(Page[T]) (bool, error)) error {
	per, collected := 0, 0
	var prev []json.RawMessage
	for n := 1; ; n++ {
		p, raw, err := getPage[T](ctx, c, path, key, query, n)
		if err != nil {
			return err
		}
		if len(raw) == 0 || sameRows(raw, prev) {
			return nil
		}
		if n == 1 {
			per = len(raw)
		}
		collected += len(raw)
		more, err := fn(p)
		if err != nil || !more {
			return err
		}
		if p.No == 0 || len(raw) < per || (p.Total >= 0 && collected >= p.Total) {
			return nil
		}
		prev = raw
	}
}

// getPage fetches page n and returns it decoded plus its raw rows.
func getPage[T any](ctx context.Context, c *Client, path, key string, base url.Values, n int) (Page[T], []json.RawMessage, error) {
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	q.Set("pageinate", "true") // sic: HaloPSA's own spelling
	q.Set("page_size", strconv.Itoa(PageSize))
	q.Set("page_no", strconv.Itoa(n))
	var body json.RawMessage
	if err := c.do(ctx, "GET", path, q, nil, &body); err != nil {
		return Page[T]{}, nil, err
	}
	return decodeList[T](body, key, n, "GET /api/"+path)
}

// decodeList reads a list answer: an envelope {"record_count", "<key>": [...]}
// or a bare array. Rows that do not decode are reported, not fatal.
func decodeList[T any](body []byte, key string, n int, op string) (Page[T], []json.RawMessage, error) {
	p := Page[T]{No: n, Total: -1}
	body = bytes.TrimSpace(body)
	var raw []json.RawMessage
	switch {
	case len(body) == 0:
	case body[0] == '[':
		p.No = 0
		if err := json.Unmarshal(body, &raw); err != nil {
			return p, nil, &APIError{Kind: ErrNotHalo, Op: op, Err: err}
		}
	case body[0] == '{':
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			return p, nil, &APIError{Kind: ErrNotHalo, Op: op, Err: err}
		}
		if rc, ok := env["record_count"]; ok {
			if v, err := parseNumber(rc); err == nil {
				p.Total = int(v)
			}
		}
		rows, ok := envelopeRows(env, key)
		if !ok {
			return p, nil, &APIError{Kind: ErrNotHalo, Op: op, Err: fmt.Errorf("the answer has no %q list", key)}
		}
		if err := json.Unmarshal(rows, &raw); err != nil {
			return p, nil, &APIError{Kind: ErrNotHalo, Op: op, Err: err}
		}
	default:
		return p, nil, &APIError{Kind: ErrNotHalo, Op: op, Message: shortText(body)}
	}
	p.Rows = make([]T, 0, len(raw))
	for i, r := range raw {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			p.Bad = append(p.Bad, fmt.Errorf("%s page %d row %d: %w", op, n, i+1, err))
			continue
		}
		p.Rows = append(p.Rows, v)
	}
	return p, raw, nil
}

// envelopeRows finds the list in an envelope: the expected key, the same
// key in other casing, or else the one array-valued field.
func envelopeRows(env map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := env[key]; ok {
		return nullAsEmpty(v), true
	}
	var only json.RawMessage
	arrays := 0
	for k, v := range env {
		if strings.EqualFold(k, key) {
			return nullAsEmpty(v), true
		}
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '[' {
			only, arrays = v, arrays+1
		}
	}
	return only, arrays == 1
}

func nullAsEmpty(v json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(v); len(t) == 0 || string(t) == "null" {
		return json.RawMessage("[]")
	}
	return v
}

func sameRows(a, b []json.RawMessage) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
