package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/store"
)

// ConnectRequest is what the user types to connect.
type ConnectRequest struct {
	URL      string // as typed: yourcompany.halopsa.com, https://..., with /api or not
	AuthURL  string // optional, for self-hosted instances with their own auth server
	Tenant   string // optional
	ClientID string
	Secret   string
}

// ConnectResult is what HaloPSA granted.
type ConnectResult struct {
	Address  string   // the canonical base URL
	Scopes   []string // scopes HaloPSA granted
	Verified []string // needed scopes proven to work
}

// Connect verifies the credentials and every needed scope against HaloPSA,
// then stores the secret in the keychain and the settings in the database.
// On any failure nothing is stored, and the error says what is wrong.
func (a *App) Connect(ctx context.Context, req ConnectRequest) (ConnectResult, error) {
	addr, err := halo.ParseAddress(req.URL)
	if err != nil {
		a.log(ctx, store.Error, "connect", req.URL, err.Error())
		return ConnectResult{}, err
	}
	conn := store.Connection{
		BaseURL:  string(addr),
		AuthURL:  strings.TrimSpace(req.AuthURL),
		Tenant:   strings.TrimSpace(req.Tenant),
		ClientID: strings.TrimSpace(req.ClientID),
	}
	a.log(ctx, store.Info, "connect", conn.BaseURL, "Connecting as client "+conn.ClientID)
	client, err := a.newClient(conn, req.Secret)
	if err != nil {
		a.log(ctx, store.Error, "connect", conn.BaseURL, err.Error())
		return ConnectResult{}, err
	}
	grant, err := client.Verify(ctx)
	if err != nil {
		a.log(ctx, store.Error, "connect", conn.BaseURL, err.Error())
		return ConnectResult{}, err
	}
	conn.Scopes, conn.ConnectedAt = grant.Scopes, time.Now().UTC()

	old, oldErr := a.db.Connection(ctx)
	if err := a.secrets.Set(a.secretKey(conn), req.Secret); err != nil {
		err = fmt.Errorf("store the client secret in the OS keychain: %w", err)
		a.log(ctx, store.Error, "connect", conn.BaseURL, err.Error())
		return ConnectResult{}, err
	}
	if err := a.db.SaveConnection(ctx, conn); err != nil {
		_ = a.secrets.Delete(a.secretKey(conn))
		return ConnectResult{}, err
	}
	if oldErr == nil && a.secretKey(old) != a.secretKey(conn) {
		_ = a.deleteSecret(old) // a replaced connection leaves no secret behind
	}
	a.setClient(client)
	a.log(ctx, store.Info, "connect", conn.BaseURL, "Connected; granted "+strings.Join(grant.Scopes, " "))
	a.SyncNow() // the first import starts by itself when the background loop runs
	a.wakeTickets()
	return ConnectResult{Address: conn.BaseURL, Scopes: grant.Scopes, Verified: grant.Verified}, nil
}

// Disconnect removes the secret from the keychain and the connection
// settings. Imported data stays, so reconnecting does not start over.
func (a *App) Disconnect(ctx context.Context) error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	conn, err := a.db.Connection(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.deleteSecret(conn); err != nil {
		return fmt.Errorf("remove the client secret from the OS keychain: %w", err)
	}
	if err := a.db.DeleteConnection(ctx); err != nil {
		return err
	}
	a.setClient(nil)
	a.log(ctx, store.Info, "disconnect", conn.BaseURL, "Disconnected; the client secret was removed from the keychain")
	return nil
}
