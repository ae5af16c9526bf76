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
	// Note says why Address differs from what was typed, "" when it
	// does not: "https did not answer" when a scheme-less loopback
	// address was reached over plain http.
	Note string
}

// NoteHTTPS is ConnectResult.Note when https did not answer on this
// machine and plain http did.
const NoteHTTPS = "https did not answer"

// String is the address and, if any, the note: "http://127.0.0.1:8080
// (https did not answer)".
func (r ConnectResult) String() string {
	if r.Note == "" {
		return r.Address
	}
	return r.Address + " (" + r.Note + ")"
}

// Connect verifies the credentials and every needed scope against HaloPSA,
// then stores the secret in the keychain and the settings in the database.
// On any failure nothing is stored, and the error says what is wrong.
func (a *App) Connect(ctx context.Context, req ConnectRequest) (ConnectResult, error) {
	addr, err := halo.ParseAddress(req.URL)
	if err != nil {
		a.log(ctx, store.Error, store.OpConnect, req.URL, err.Error())
		return ConnectResult{}, err
	}
	conn := store.Connection{
		BaseURL:  string(addr),
		AuthURL:  strings.TrimSpace(req.AuthURL),
		Tenant:   strings.TrimSpace(req.Tenant),
		ClientID: strings.TrimSpace(req.ClientID),
	}
	a.log(ctx, store.Info, store.OpConnect, conn.BaseURL, "Connecting as client "+conn.ClientID)
	client, grant, err := a.verify(ctx, conn, req.Secret)
	note := ""
	if plain, ok := halo.PlainLoopback(req.URL); ok && errors.Is(err, halo.ErrUnreachable) {
		// A server on this machine typed without a scheme is often a
		// test server speaking plain http; the secret stays local.
		a.log(ctx, store.Info, store.OpConnect, conn.BaseURL, "https did not answer on this machine; trying "+string(plain))
		c := conn
		c.BaseURL = string(plain)
		if pc, pg, perr := a.verify(ctx, c, req.Secret); !errors.Is(perr, halo.ErrUnreachable) {
			conn, client, grant, err, note = c, pc, pg, perr, NoteHTTPS
		}
	}
	if err != nil {
		a.log(ctx, store.Error, store.OpConnect, conn.BaseURL, err.Error())
		return ConnectResult{}, err
	}
	conn.Scopes, conn.ConnectedAt = grant.Scopes, time.Now().UTC()

	old, oldErr := a.db.Connection(ctx)
	if err := a.secrets.Set(a.secretKey(conn), req.Secret); err != nil {
		err = fmt.Errorf("store the client secret in the OS keychain: %w", err)
		a.log(ctx, store.Error, store.OpConnect, conn.BaseURL, err.Error())
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
	a.noteConnected(true, true) // new credentials: an old refusal no longer holds
	msg := "Connected; granted " + strings.Join(grant.Scopes, " ")
	if note != "" {
		msg = "Connected over plain http (" + note + "); granted " + strings.Join(grant.Scopes, " ")
	}
	a.log(ctx, store.Info, store.OpConnect, conn.BaseURL, msg)
	a.SyncNow() // the first import starts by itself when the background loop runs
	a.wakeTickets()
	return ConnectResult{Address: conn.BaseURL, Scopes: grant.Scopes, Verified: grant.Verified, Note: note}, nil
}

// verify builds a client for conn and checks the credentials and scopes
// with HaloPSA.
func (a *App) verify(ctx context.Context, conn store.Connection, secret string) (*halo.Client, halo.Grant, error) {
	client, err := a.newClient(conn, secret)
	if err != nil {
		return nil, halo.Grant{}, err
	}
	grant, err := client.Verify(ctx)
	return client, grant, err
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
	a.noteConnected(false, true)
	a.log(ctx, store.Info, store.OpDisconnect, conn.BaseURL, "Disconnected; the client secret was removed from the keychain")
	return nil
}
