-- 0007: nothing lost by a slip. The mapping's history (every Save All a
-- batch that can be undone), a watch on mapped HaloPSA clients that flags a
-- mapping for review when its client is renamed, made inactive, deleted or
-- merged, and held ticket changes that say whose they are.
--
-- mapping_drafts (0002) now holds the window's unsaved decisions as well as
-- the CLI's: a decision made in one shows in the other and survives a quit.

-- One row per Save All (or `map save`), and one per undo, which is itself
-- recorded so that it can be undone in turn.
--   actor   the OS user name of whoever saved
--   undoes  for an undo, what it undid: 'batch N' or 'decision N'
-- AUTOINCREMENT because users name batches by id: an id is never reused.
CREATE TABLE mapping_batches (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	at     TEXT NOT NULL,
	actor  TEXT NOT NULL DEFAULT '',
	kind   TEXT NOT NULL CHECK (kind IN ('save', 'undo')),
	undoes TEXT NOT NULL DEFAULT ''
) STRICT;

-- One row per local client a batch changed: its mapping before and after
-- (state '' is open, i.e. no mapping row), with the HaloPSA client's name
-- as it was then. local_id has no foreign key on purpose: the history
-- outlives a deleted client, whose name is kept in local_name.
--   undone_by  the batch that undid this change; NULL while it stands
CREATE TABLE mapping_changes (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	batch_id          INTEGER NOT NULL REFERENCES mapping_batches (id) ON DELETE CASCADE,
	local_id          INTEGER NOT NULL,
	local_name        TEXT NOT NULL,
	before_state      TEXT NOT NULL,
	before_halo_id    INTEGER NOT NULL DEFAULT 0,
	before_halo_name  TEXT NOT NULL DEFAULT '',
	before_score      REAL NOT NULL DEFAULT 0,
	before_confidence TEXT NOT NULL DEFAULT '',
	before_reason     TEXT NOT NULL DEFAULT '',
	after_state       TEXT NOT NULL,
	after_halo_id     INTEGER NOT NULL DEFAULT 0,
	after_halo_name   TEXT NOT NULL DEFAULT '',
	after_score       REAL NOT NULL DEFAULT 0,
	after_confidence  TEXT NOT NULL DEFAULT '',
	after_reason      TEXT NOT NULL DEFAULT '',
	undone_by         INTEGER REFERENCES mapping_batches (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX mapping_changes_batch ON mapping_changes (batch_id);
CREATE INDEX mapping_changes_local ON mapping_changes (local_id, id);

-- The drift watch: per mapped local client (accepted or by hand), its
-- HaloPSA client as the user last confirmed it, and what an import found
-- changed since. A separate table rather than a mapping state, so the
-- mapping's state keeps saying what the user decided.
--   reason       '' (nothing to review), renamed, inactive, deleted, merged
--   new_name     the HaloPSA client's name now (for merged: the client it
--                went into)
--   merged_into  for merged, the active HaloPSA client that took it over
CREATE TABLE mapping_review (
	local_id        INTEGER PRIMARY KEY REFERENCES local_clients (id) ON DELETE CASCADE,
	halo_client_id  INTEGER NOT NULL,
	confirmed_name  TEXT NOT NULL,
	confirmed_state TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'renamed', 'inactive', 'deleted', 'merged')),
	new_name        TEXT NOT NULL DEFAULT '',
	merged_into     INTEGER NOT NULL DEFAULT 0,
	flagged_at      TEXT,
	flagged_run     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Held deliveries name their HaloPSA client, so they can be listed by
-- client, released to a local client the user picks (apply_to_local), or
-- dropped. Rows held before this step said the client in their error text.
ALTER TABLE inbox ADD COLUMN halo_client_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN apply_to_local INTEGER REFERENCES local_clients (id) ON DELETE SET NULL;
UPDATE inbox SET halo_client_id = CAST(substr(error, 16, instr(error, ' is not mapped') - 16) AS INTEGER)
	WHERE status = 'held' AND error LIKE 'HaloPSA client % is not mapped';
CREATE INDEX inbox_held_client ON inbox (halo_client_id) WHERE status = 'held';
