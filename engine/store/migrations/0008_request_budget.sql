-- 0008: the request budget, shared by every process that talks to the same
-- HaloPSA from this data folder (halosyncctl next to the app, or run right
-- after it), so a new process knows what the last minutes used.
--
-- halo is the HaloPSA address and client id ("clientid@https://..."): the
-- budget of one API client on one instance. Times are Unix nanoseconds.

-- One row per request from its start until it leaves the rolling window.
--   ended  NULL while the request is in flight; a row whose process died
--          mid-request stays NULL and is dropped a window (and a
--          twentieth, the time it may have taken to reach HaloPSA) after
--          it started
CREATE TABLE request_slots (
	id      INTEGER PRIMARY KEY,
	halo    TEXT NOT NULL,
	started INTEGER NOT NULL,
	ended   INTEGER
) STRICT;
CREATE INDEX request_slots_halo ON request_slots (halo, started);

-- What 429s taught, per HaloPSA: the pause every process keeps, the next
-- pause, and a lower limit with when it was learned.
CREATE TABLE request_penalty (
	halo       TEXT PRIMARY KEY,
	blocked    INTEGER NOT NULL DEFAULT 0,
	backoff    INTEGER NOT NULL DEFAULT 0,
	learned    INTEGER NOT NULL DEFAULT 0,
	learned_at INTEGER NOT NULL DEFAULT 0
) STRICT;
