-- 0001: HaloSync's first schema.
--
-- Conventions, kept by every later migration:
--   * Times are UTC text in one fixed-width RFC 3339 layout
--     (2006-01-02T15:04:05.000000000Z), so they sort as text; NULL means "none".
--   * Tables are STRICT, so a wrongly typed bind fails loudly instead of being stored.
--   * HaloPSA records keep HaloPSA's id as their primary key, so an import can
--     never duplicate a record.

-- The HaloPSA connection settings: one row at most. There is deliberately no
-- column for the client secret; it lives only in the OS keychain.
CREATE TABLE connection (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	base_url     TEXT NOT NULL,
	auth_url     TEXT NOT NULL DEFAULT '',
	tenant       TEXT NOT NULL DEFAULT '',
	client_id    TEXT NOT NULL DEFAULT '',
	scopes       TEXT NOT NULL DEFAULT '',  -- space-separated, as OAuth 2 spells them
	connected_at TEXT
) STRICT;

-- Imported HaloPSA records. state is 'active' or 'inactive' (as HaloPSA says)
-- or 'deleted' (gone from HaloPSA). Bookkeeping columns:
--   seen_run   the last import run that saw the record (finds deletions),
--   changed_at when the record's content last changed here.
-- The child tables have no foreign key to clients on purpose: pages of
-- different resources are written concurrently and in any order, so a site
-- may arrive before its client.
CREATE TABLE clients (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL,
	website         TEXT NOT NULL DEFAULT '',
	phone           TEXT NOT NULL DEFAULT '',
	top_level       TEXT NOT NULL DEFAULT '',
	inactive        INTEGER NOT NULL DEFAULT 0,
	halo_updated_at TEXT,
	state           TEXT NOT NULL CHECK (state IN ('active', 'inactive', 'deleted')),
	seen_run        INTEGER NOT NULL,
	changed_at      TEXT NOT NULL
) STRICT;

CREATE TABLE sites (
	id              INTEGER PRIMARY KEY,
	client_id       INTEGER NOT NULL,
	name            TEXT NOT NULL DEFAULT '',
	phone           TEXT NOT NULL DEFAULT '',
	address         TEXT NOT NULL DEFAULT '',
	inactive        INTEGER NOT NULL DEFAULT 0,
	halo_updated_at TEXT,
	state           TEXT NOT NULL CHECK (state IN ('active', 'inactive', 'deleted')),
	seen_run        INTEGER NOT NULL,
	changed_at      TEXT NOT NULL
) STRICT;
CREATE INDEX sites_client ON sites (client_id);

CREATE TABLE contacts (
	id              INTEGER PRIMARY KEY,
	client_id       INTEGER NOT NULL,
	site_id         INTEGER NOT NULL DEFAULT 0,
	name            TEXT NOT NULL DEFAULT '',
	email           TEXT NOT NULL DEFAULT '',
	phone           TEXT NOT NULL DEFAULT '',
	is_primary      INTEGER NOT NULL DEFAULT 0,
	inactive        INTEGER NOT NULL DEFAULT 0,
	halo_updated_at TEXT,
	state           TEXT NOT NULL CHECK (state IN ('active', 'inactive', 'deleted')),
	seen_run        INTEGER NOT NULL,
	changed_at      TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_client ON contacts (client_id);

CREATE TABLE assets (
	id              INTEGER PRIMARY KEY,
	client_id       INTEGER NOT NULL,
	site_id         INTEGER NOT NULL DEFAULT 0,
	tag             TEXT NOT NULL DEFAULT '',
	name            TEXT NOT NULL DEFAULT '',
	type            TEXT NOT NULL DEFAULT '',
	inactive        INTEGER NOT NULL DEFAULT 0,
	halo_updated_at TEXT,
	state           TEXT NOT NULL CHECK (state IN ('active', 'inactive', 'deleted')),
	seen_run        INTEGER NOT NULL,
	changed_at      TEXT NOT NULL
) STRICT;
CREATE INDEX assets_client ON assets (client_id);

-- The MSP's own client book (methods arrive in a later change).
CREATE TABLE local_clients (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	domain     TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	notes      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

-- Sync runs. AUTOINCREMENT because a run id doubles as the seen_run marker of
-- the records it imported: an id reused after a delete would make old records
-- look freshly seen.
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,
	status      TEXT NOT NULL,
	summary     TEXT NOT NULL DEFAULT '',
	started_at  TEXT NOT NULL,
	finished_at TEXT
) STRICT;
CREATE INDEX runs_kind ON runs (kind, id);
CREATE INDEX runs_running ON runs (id) WHERE status = 'running';

-- Per-resource import state.
CREATE TABLE sync_state (
	resource     TEXT PRIMARY KEY,
	last_run     INTEGER NOT NULL DEFAULT 0,
	last_success TEXT,
	last_error   TEXT NOT NULL DEFAULT '',
	rows         INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The sync log. level is a severity number (0 debug, 1 info, 2 warn, 3 error)
-- so "at least warn" is a range; run is NULL when the entry belongs to no run.
CREATE TABLE log (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	time      TEXT NOT NULL,
	level     INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
	operation TEXT NOT NULL DEFAULT '',
	object    TEXT NOT NULL DEFAULT '',
	message   TEXT NOT NULL DEFAULT '',
	run       INTEGER
) STRICT;
CREATE INDEX log_level ON log (level, id);
