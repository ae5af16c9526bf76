-- 0002: client mapping between the MSP's client book and HaloPSA.

-- One row per local client that has a suggestion or a decision.
--   suggested  Bulk Map proposed halo_client_id; the user has not decided
--   accepted   the user accepted the suggestion as it was
--   manual     the user mapped the client by hand (changed the suggestion)
--   ignored    the user said it has no HaloPSA counterpart (halo_client_id NULL)
-- No uniqueness on halo_client_id: suggestions are one-to-one, but a user
-- may deliberately map several local clients to one HaloPSA client.
CREATE TABLE mappings (
	local_id       INTEGER PRIMARY KEY REFERENCES local_clients (id) ON DELETE CASCADE,
	halo_client_id INTEGER,
	state          TEXT NOT NULL CHECK (state IN ('suggested', 'accepted', 'manual', 'ignored')),
	score          REAL NOT NULL DEFAULT 0,
	confidence     TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL DEFAULT '',
	updated_at     TEXT NOT NULL,
	CHECK ((state = 'ignored') = (halo_client_id IS NULL))
) STRICT;
CREATE INDEX mappings_halo ON mappings (halo_client_id);

-- Decisions made but not yet saved, for the CLI, whose commands run one at
-- a time: `map accept` and `map ignore` write here, `map save` applies them
-- all in one transaction. The GUI keeps its pending decisions in memory.
CREATE TABLE mapping_drafts (
	local_id       INTEGER PRIMARY KEY REFERENCES local_clients (id) ON DELETE CASCADE,
	action         TEXT NOT NULL CHECK (action IN ('accept', 'ignore', 'unmap')),
	halo_client_id INTEGER,
	created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX local_clients_name ON local_clients (name COLLATE NOCASE);
