package app

import (
	"context"
	"strconv"
	"time"
)

// The sync log keeps 90 days or 100,000 rows, whichever is less; the
// settings log.keep_days and log.keep_rows change that.
const (
	defaultLogDays = 90
	defaultLogRows = 100_000
)

// pruneLog applies the sync log's retention and returns how many rows
// went. The import loop runs it after each import, off the UI goroutine.
func (a *App) pruneLog(ctx context.Context) (int64, error) {
	days := a.intSetting(ctx, "log.keep_days", defaultLogDays)
	rows := a.intSetting(ctx, "log.keep_rows", defaultLogRows)
	old, err := a.db.PruneLogs(ctx, time.Now().AddDate(0, 0, -days))
	if err != nil {
		return 0, err
	}
	over, err := a.db.TrimLogs(ctx, rows)
	return old + over, err
}

// intSetting reads a positive whole-number setting, or def when it is
// unset or not one.
func (a *App) intSetting(ctx context.Context, key string, def int) int {
	v, err := a.db.Setting(ctx, key, "")
	if err != nil {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return def
	}
	return n
}
