-- 0003: the webhook inbox. The receiver stores each HaloPSA delivery here
-- before it answers 2xx; the apply step reads it back and records the outcome.
--
--   delivery_id  HaloPSA's per-delivery GUID ("id"), or "sha256:<hex>" of the
--                element's bytes when it has none. UNIQUE, so a re-sent
--                delivery is stored once.
--   body         the raw JSON element as received (the whole raw body when it
--                could not be read). BLOB, because an unreadable body need not
--                be valid UTF-8.
--   status       pending    waiting to be applied
--                applied    done
--                held       waiting on something else (e.g. an unmapped client)
--                unreadable could not be read; kept for diagnosis
--                failed     applying it failed; error says why
--   attempts     how often it was held or failed.
-- id is the order of receipt. Rows are kept after they are applied, so a
-- plain INTEGER PRIMARY KEY (no AUTOINCREMENT) never reuses an id while the
-- newest row exists, and saves a write per insert on the hot path.
CREATE TABLE inbox (
	id          INTEGER PRIMARY KEY,
	delivery_id TEXT NOT NULL UNIQUE,
	received_at TEXT NOT NULL,
	event       TEXT NOT NULL DEFAULT '',
	object_id   INTEGER NOT NULL DEFAULT 0,
	status      TEXT NOT NULL
		CHECK (status IN ('pending', 'applied', 'held', 'unreadable', 'failed')),
	body        BLOB NOT NULL,
	error       TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	updated_at  TEXT NOT NULL
) STRICT;
-- PendingInbox and HeldInbox read one status in id order.
CREATE INDEX inbox_status ON inbox (status, id);
