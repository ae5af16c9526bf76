-- 0009: what a ticket is created with (site, contact, type, priority), the
-- HaloPSA lists those come from, per-client create defaults, and notes.

-- HaloPSA's ticket types (GET /api/TicketType), priorities (/Priority) and
-- action outcomes (/Outcome), refreshed with the statuses. A row HaloPSA no
-- longer lists is kept, marked gone, since tickets and defaults may still
-- refer to it.
CREATE TABLE ticket_types (
	id               INTEGER PRIMARY KEY,
	name             TEXT NOT NULL,
	default_priority INTEGER NOT NULL DEFAULT 0,
	sequence         INTEGER NOT NULL DEFAULT 0,
	gone             INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE priorities (
	id       INTEGER PRIMARY KEY,
	name     TEXT NOT NULL,
	sequence INTEGER NOT NULL DEFAULT 0,
	gone     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE outcomes (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	private INTEGER NOT NULL DEFAULT 0, -- HaloPSA hides notes with it from the customer by default
	gone    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- What a new ticket of a local client starts with; 0 means "HaloPSA's
-- default" (for the contact and site: the client's primary contact and
-- its site).
CREATE TABLE ticket_defaults (
	local_client_id INTEGER PRIMARY KEY REFERENCES local_clients (id) ON DELETE CASCADE,
	site_id         INTEGER NOT NULL DEFAULT 0,
	user_id         INTEGER NOT NULL DEFAULT 0,
	tickettype_id   INTEGER NOT NULL DEFAULT 0,
	priority_id     INTEGER NOT NULL DEFAULT 0,
	updated_at      TEXT NOT NULL
) STRICT;

-- Tickets already had site_id, user_id and type_id.
--   priority_id    HaloPSA's priority id, 0 for HaloPSA's default
--   notes_version  the ticket's HaloPSA change time when its notes were
--                  last fetched; a later change time means new notes may
--                  be waiting
ALTER TABLE tickets ADD COLUMN priority_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN notes_version TEXT;

-- A ticket's notes (HaloPSA actions), both ways.
--   halo_id   the action's id, NULL until it exists in HaloPSA; HaloPSA
--             numbers actions per ticket, so it is unique per ticket only
--   body      the text as people wrote it, without HaloSync's ref line
--   origin    local (written here, goes out through the outbox) or halo
--   ref       for local notes, HaloSync's reference, written into the
--             note's text so that a note whose answer was lost, or its
--             echo, is recognised instead of posted or stored twice
CREATE TABLE ticket_notes (
	id         INTEGER PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	halo_id    INTEGER,
	body       TEXT NOT NULL,
	who        TEXT NOT NULL DEFAULT '',
	noted_at   TEXT NOT NULL,
	private    INTEGER NOT NULL DEFAULT 1,
	outcome_id INTEGER NOT NULL DEFAULT 0,
	origin     TEXT NOT NULL CHECK (origin IN ('local', 'halo')),
	ref        TEXT UNIQUE,
	created_at TEXT NOT NULL,
	UNIQUE (ticket_id, halo_id)
) STRICT;
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, noted_at);

-- The outbox gains notes: kind 'note' with the note's id. SQLite cannot
-- change a CHECK constraint, so the table is rebuilt, ids and the
-- AUTOINCREMENT counter kept.
CREATE TABLE outbox_new (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind            TEXT NOT NULL CHECK (kind IN ('create', 'status', 'note')),
	status_id       INTEGER NOT NULL DEFAULT 0,
	note_id         INTEGER REFERENCES ticket_notes (id) ON DELETE CASCADE,
	state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'cancelled', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	error           TEXT NOT NULL DEFAULT '',
	next_attempt_at TEXT NOT NULL,
	sent_at         TEXT,
	created_at      TEXT NOT NULL
) STRICT;
INSERT INTO outbox_new (id, ticket_id, kind, status_id, state, attempts, error, next_attempt_at, sent_at, created_at)
	SELECT id, ticket_id, kind, status_id, state, attempts, error, next_attempt_at, sent_at, created_at FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_open ON outbox (id) WHERE state IN ('pending', 'sending');
