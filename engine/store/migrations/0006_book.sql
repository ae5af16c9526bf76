-- 0006: the client book keeps the owner's own ids, knows which clients were
-- made from HaloPSA, remembers the ids of clients merged away, and holds
-- merge suggestions.

-- ref is the owner's id for the client, exactly as given in their CSV
-- ("CUST-0042", "L340"); '' when none. The integer id stays the key.
-- origin is 'halo' for a client created from a HaloPSA client that no row
-- of the owner's book has joined yet, else 'book'.
ALTER TABLE local_clients ADD COLUMN ref TEXT NOT NULL DEFAULT '';
ALTER TABLE local_clients ADD COLUMN origin TEXT NOT NULL DEFAULT 'book' CHECK (origin IN ('book', 'halo'));
CREATE UNIQUE INDEX local_clients_ref ON local_clients (ref) WHERE ref != '';
UPDATE local_clients SET origin = 'halo'
	WHERE id IN (SELECT local_id FROM mappings WHERE reason = 'created from HaloPSA');

-- What identified a client that was merged into local_id: its ref
-- (kind 'ref') or, when it had none, its folded name and domain (kind
-- 'name'). A re-import of the file that held it finds the merged client
-- instead of adding it again.
CREATE TABLE local_client_aliases (
	kind     TEXT NOT NULL CHECK (kind IN ('ref', 'name')),
	key      TEXT NOT NULL,
	local_id INTEGER NOT NULL REFERENCES local_clients (id) ON DELETE CASCADE,
	PRIMARY KEY (kind, key)
) STRICT;
CREATE INDEX local_client_aliases_local ON local_client_aliases (local_id);

-- A suggestion that local_id is the same client as into_id (one made from
-- HaloPSA) and should be merged into it. dismissed: the user said they are
-- different; Bulk Map then suggests nothing again for local_id.
CREATE TABLE merge_suggestions (
	local_id   INTEGER PRIMARY KEY REFERENCES local_clients (id) ON DELETE CASCADE,
	into_id    INTEGER NOT NULL REFERENCES local_clients (id) ON DELETE CASCADE,
	state      TEXT NOT NULL CHECK (state IN ('suggested', 'dismissed')),
	score      REAL NOT NULL DEFAULT 0,
	confidence TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	CHECK (local_id != into_id)
) STRICT;
CREATE INDEX merge_suggestions_into ON merge_suggestions (into_id);
