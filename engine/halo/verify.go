package halo

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// Grant is what HaloPSA granted, as checked by Verify.
type Grant struct {
	Scopes   []string // as HaloPSA reported them with the token (or as requested, if it did not say)
	Verified []string // needed scopes proven by a real call or by the token's own scope list
}

// scopeChecks maps each read scope to one cheap call that needs it.
var scopeChecks = map[string]string{
	"read:customers": "Client",
	"read:assets":    "Asset",
	"read:tickets":   "Tickets",
}

// Verify proves the credentials and every needed scope: it fetches a token,
// names the scopes the API application lacks if HaloPSA refuses them, and
// makes one one-row call per read scope, since the API agent's own
// permissions can still forbid what the scope allows.
func (c *Client) Verify(ctx context.Context) (Grant, error) {
	if _, err := c.tokens.token(ctx); err != nil {
		if errors.Is(err, ErrMissingScope) {
			return Grant{}, c.findMissingScopes(ctx, err)
		}
		return Grant{}, err
	}
	g := Grant{Scopes: c.tokens.granted()}
	reported := len(g.Scopes) > 0
	if !reported {
		g.Scopes = slices.Clone(c.cfg.Scopes)
	}
	var missing []string
	for _, need := range c.cfg.Scopes {
		if reported && !covers(g.Scopes, need) {
			missing = append(missing, need)
			continue
		}
		path, ok := scopeChecks[need]
		if !ok {
			g.Verified = append(g.Verified, need)
			continue
		}
		err := c.do(ctx, "GET", path, oneRow(), nil, nil)
		switch {
		case err == nil:
			g.Verified = append(g.Verified, need)
		case errors.Is(err, ErrPermission):
			missing = append(missing, need)
		default:
			return g, err
		}
	}
	if len(missing) > 0 {
		return g, &MissingScopeError{Missing: missing}
	}
	return g, nil
}

// Ping makes one one-row request (a page of one client), the cheapest
// proof that HaloPSA answers and accepts the credentials. It is retried
// and budgeted like every other call.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, "GET", "Client", oneRow(), nil, nil)
}

// oneRow asks a list for its first row only.
func oneRow() url.Values {
	return url.Values{"pageinate": {"true"}, "page_size": {"1"}, "page_no": {"1"}}
}

// findMissingScopes asks for each needed scope alone, to tell the user
// exactly which ones the API application lacks.
func (c *Client) findMissingScopes(ctx context.Context, cause error) error {
	t := c.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	var missing []string
	for _, s := range c.cfg.Scopes {
		_, err := t.fetch(ctx, []string{s})
		switch {
		case err == nil:
		case errors.Is(err, ErrMissingScope):
			missing = append(missing, s)
		default:
			return err
		}
	}
	if len(missing) == 0 {
		return cause
	}
	return &MissingScopeError{Missing: missing}
}

// covers reports whether the granted scopes include need: "all" grants
// everything and edit:X also grants read:X.
func covers(granted []string, need string) bool {
	for _, g := range granted {
		switch {
		case g == need, g == "all", g == "all:standard":
			return true
		case strings.HasPrefix(need, "read:") && g == "edit:"+strings.TrimPrefix(need, "read:"):
			return true
		}
	}
	return false
}
