-- 0005: app settings that are not secrets (poll interval, tunnel mode, ...).
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
