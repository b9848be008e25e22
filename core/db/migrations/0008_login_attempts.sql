-- Failed-login counting shared by every server process (--server-workers, or several
-- hydrants on one database): one row per user name or client address in its window.
CREATE TABLE login_attempts (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  since INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_attempts_since ON login_attempts (since);
