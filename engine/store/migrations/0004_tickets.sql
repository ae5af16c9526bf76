-- 0004: tickets, HaloPSA's ticket statuses, and the outbox of local changes.

-- HaloPSA's ticket statuses (GET /api/Status). local_state is HaloSync's own
-- grouping of them, which the user may change: new, open, waiting, closed.
CREATE TABLE statuses (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	local_state TEXT NOT NULL CHECK (local_state IN ('new', 'open', 'waiting', 'closed')),
	user_set    INTEGER NOT NULL DEFAULT 0, -- 1 when the user chose local_state
	sequence    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Tickets of mapped clients. id is HaloSync's own; halo_id is NULL until
-- the ticket exists in HaloPSA.
--   base_status_id  the status both sides last agreed on (the common
--                   ancestor that tells which side changed)
--   halo_updated_at HaloPSA's last_update of the newest version applied;
--                   an older version is stale and ignored
--   local_changed_at when the user last changed it here
--   sync_state      synced, pending (a change waits in the outbox),
--                   conflict (both sides changed; see the sync log), error
CREATE TABLE tickets (
	id               INTEGER PRIMARY KEY,
	halo_id          INTEGER UNIQUE,
	local_client_id  INTEGER REFERENCES local_clients (id) ON DELETE SET NULL,
	halo_client_id   INTEGER NOT NULL,
	site_id          INTEGER NOT NULL DEFAULT 0,
	user_id          INTEGER NOT NULL DEFAULT 0,
	summary          TEXT NOT NULL DEFAULT '',
	details          TEXT NOT NULL DEFAULT '',
	status_id        INTEGER NOT NULL DEFAULT 0,
	type_id          INTEGER NOT NULL DEFAULT 0,
	base_status_id   INTEGER NOT NULL DEFAULT 0,
	halo_updated_at  TEXT,
	local_changed_at TEXT,
	sync_state       TEXT NOT NULL CHECK (sync_state IN ('synced', 'pending', 'conflict', 'error')),
	sync_error       TEXT NOT NULL DEFAULT '',
	ref              TEXT NOT NULL UNIQUE, -- HaloSync's reference, written into a created ticket's details
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_client ON tickets (halo_client_id);
CREATE INDEX tickets_state ON tickets (sync_state) WHERE sync_state != 'synced';

-- Local changes waiting to reach HaloPSA, pushed in id order, one at a time.
--   pending  not sent yet, or to be sent again at next_attempt_at
--   sending  a create is on its way: after a crash its outcome is unknown,
--            so recovery looks for the ticket's ref in HaloPSA before
--            sending it again (never a second ticket)
--   done, cancelled (a conflict HaloPSA won), failed (gave up; see error)
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind            TEXT NOT NULL CHECK (kind IN ('create', 'status')),
	status_id       INTEGER NOT NULL DEFAULT 0,
	state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'cancelled', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	error           TEXT NOT NULL DEFAULT '',
	next_attempt_at TEXT NOT NULL,
	sent_at         TEXT,
	created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_open ON outbox (id) WHERE state IN ('pending', 'sending');
