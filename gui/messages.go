package gui

import (
	"context"
	"errors"
	"strings"

	"github.com/brainstormmsp/halosync/app"
	"github.com/brainstormmsp/halosync/engine/halo"
	"github.com/brainstormmsp/halosync/engine/secrets"
	"github.com/brainstormmsp/halosync/engine/store"
	"github.com/brainstormmsp/halosync/engine/tunnel"
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
	case errors.Is(err, secrets.ErrNoKeychain):
		return "There is no system keychain in this session (on Linux: no D-Bus session bus), so the Client Secret " +
			"can't be stored. Start HaloSync from your desktop session and try again."
	case errors.Is(err, store.ErrDiskFull):
		return "The disk holding HaloSync's data folder is full. Free some space on it, then try again." + seeLog
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

// webhookError says in plain words why saving the tunnel settings or the
// webhook test failed, and what to check.
func webhookError(err error) string {
	switch {
	case errors.Is(err, tunnel.ErrNoPublicURL):
		return "There is no public webhook URL yet. Choose a tunnel above and Save, and wait until the webhook is up."
	case errors.Is(err, tunnel.ErrUnreachable):
		return "Nothing answers at the public URL. Check that your tunnel is running and that the URL is right." + seeLog
	case errors.Is(err, tunnel.ErrSlow):
		return "The public URL did not answer in time. Is the tunnel running?" + seeLog
	case errors.Is(err, tunnel.ErrRedirected):
		return "The public URL redirects somewhere else. Enter the final https:// address instead."
	case errors.Is(err, tunnel.ErrNotForwarded):
		return "The public URL answers, but the tunnel does not pass requests on to HaloSync. Point it at the local address above."
	case errors.Is(err, tunnel.ErrCredentials):
		return "The tunnel reaches a HaloSync with other webhook credentials. Another copy of HaloSync may be behind that URL."
	case errors.Is(err, tunnel.ErrRefused):
		return "Something in front of HaloSync (an access policy or a firewall) refuses the deliveries. Let POST requests to the webhook URL through."
	case errors.Is(err, tunnel.ErrUpstream):
		return "The tunnel answers but cannot reach HaloSync. Check that it forwards to the local address above." + seeLog
	case errors.Is(err, tunnel.ErrNotArrived):
		return "The test delivery was accepted but never reached this HaloSync. Another program may be behind that URL."
	case errors.Is(err, tunnel.ErrUnexpectedAnswer):
		return "The public URL gave an unexpected answer." + seeLog
	case errors.Is(err, tunnel.ErrInsecureURL):
		return "The public URL must start with https://. Plain http is only for this computer."
	case errors.Is(err, tunnel.ErrBadNgrokToken):
		return "That does not look like an ngrok authtoken. Copy it again from your ngrok dashboard (Your Authtoken)."
	case errors.Is(err, tunnel.ErrNoNgrokToken):
		return "No ngrok authtoken is saved yet. Paste yours above and Save."
	case errors.Is(err, tunnel.ErrNgrokAuth):
		return "ngrok refused the authtoken. Copy it again from your ngrok dashboard, paste it above and Save."
	}
	if msg, ok := strings.CutPrefix(err.Error(), "tunnel: "); ok && msg != "" {
		// The tunnel's own checks of the form (an empty or malformed URL)
		// are worded for people already.
		return strings.ToUpper(msg[:1]) + msg[1:] + "."
	}
	return plainError(err)
}
