package gui

import (
	"context"
	"errors"
	"strings"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/secrets"
)

// seeLog closes every error message: the technical detail is in the log.
const seeLog = " The details are in the Sync Log."

// plainError says in plain words what went wrong and what to do about it.
// The engine's own text (with HTTP statuses and URLs) goes to the sync log;
// the window shows this instead.
func plainError(err error) string {
	var scope *halo.MissingScopeError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &scope):
		return "The HaloPSA API application is missing permissions: " + strings.Join(scope.Missing, ", ") +
			". In HaloPSA open Configuration > Integrations > Halo API > View Applications, tick them on " +
			"the application's Permissions tab, save, then Authorize again."
	case errors.Is(err, halo.ErrMissingScope):
		return "The HaloPSA API application is missing a permission HaloSync needs " +
			"(read:customers, read:assets, read:tickets, edit:tickets). Tick them on its Permissions tab in HaloPSA, then Authorize again."
	case errors.Is(err, halo.ErrBadURL):
		return "That HaloPSA address doesn't look right. Type it the way you open HaloPSA in a browser, " +
			"for example yourcompany.halopsa.com."
	case errors.Is(err, halo.ErrUnreachable):
		return "HaloPSA can't be reached at that address. Check the address and your internet connection, then try again." + seeLog
	case errors.Is(err, halo.ErrNotHalo):
		return "Something answered at that address, but it isn't HaloPSA. Check the address " +
			"(and, for a self-hosted HaloPSA, the authorisation server under Advanced)." + seeLog
	case errors.Is(err, halo.ErrBadCredentials):
		return "HaloPSA did not accept the Client ID or Client Secret. Copy both again from the API application " +
			"in HaloPSA (a new secret can be generated there)."
	case errors.Is(err, halo.ErrPermission):
		return "HaloPSA refused access. The agent the API application logs in as may not be allowed to see " +
			"customers or tickets: check its permissions in HaloPSA." + seeLog
	case errors.Is(err, halo.ErrRateLimited):
		return "HaloPSA is limiting how many requests HaloSync may make right now. Wait a few minutes and try again."
	case errors.Is(err, halo.ErrServer):
		return "HaloPSA had a problem on its side. Try again in a few minutes." + seeLog
	case errors.Is(err, secrets.ErrUnavailable):
		return "The system keychain is locked or not available, so the Client Secret can't be stored. " +
			"Unlock your keychain (log in again if needed) and try again."
	case errors.Is(err, app.ErrNotConnected):
		return "HaloSync is not connected to HaloPSA yet. Connect on the Connection tab first."
	case errors.Is(err, context.DeadlineExceeded):
		return "HaloPSA took too long to answer. Check your connection and try again." + seeLog
	case errors.Is(err, context.Canceled):
		return "Cancelled."
	}
	return "Something went wrong: " + err.Error()
}
