-- The notifier (issue 14). The queue runner's 'build-finished' outbox rows are events; the
-- notifier turns each into at most one notification_changes row, then coalesces the changes
-- of an evaluation into one 'email' outbox row per recipient (and one 'webhook' row per
-- endpoint). Those rows are what is delivered: `sent` is set only after the server accepted,
-- and the Message-ID is derived from the row id, so a retry after a crash is the same mail.

-- Writer: notifier. Where a delivery goes: an e-mail address or a webhook URL.
ALTER TABLE outbox ADD COLUMN recipient TEXT;
CREATE INDEX outbox_by_kind_pending ON outbox (kind, next_attempt) WHERE sent IS NULL;

-- Writer: notifier. A finished build whose status differs from the previous finished
-- build of its job and system (aborted and cancelled ones skipped on both sides).
CREATE TABLE notification_changes (
  outbox_id    INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
  eval_id      INTEGER REFERENCES jobset_evals(id) ON DELETE CASCADE,
  build_id     INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  old_status   INTEGER,                -- NULL: the job's first finished build
  new_status   INTEGER NOT NULL,
  previous_build INTEGER,
  created      INTEGER NOT NULL,
  -- When the change went into mails (NULL: waiting for its evaluation to finish).
  batched      INTEGER
);
CREATE INDEX notification_changes_waiting ON notification_changes (eval_id) WHERE batched IS NULL;

-- Writer: server. Logged-in users who asked for mail about a project ('' jobset) or a jobset.
CREATE TABLE subscriptions (
  username TEXT NOT NULL REFERENCES users(username) ON UPDATE CASCADE ON DELETE CASCADE,
  project  TEXT NOT NULL REFERENCES projects(name) ON UPDATE CASCADE ON DELETE CASCADE,
  jobset   TEXT NOT NULL DEFAULT '',
  created  INTEGER NOT NULL,
  PRIMARY KEY (username, project, jobset)
) WITHOUT ROWID;

-- Writer: server. Addresses that want no mail: from one project, or from hydrant at all ('').
-- Addresses, not users: maintainers and commit authors need not have an account.
CREATE TABLE email_optouts (
  address TEXT NOT NULL COLLATE NOCASE,
  project TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  PRIMARY KEY (address, project)
) WITHOUT ROWID;

-- Writer: server. HTTP endpoints that receive the same events as JSON, signed with secret.
CREATE TABLE webhooks (
  id      INTEGER PRIMARY KEY,
  project TEXT NOT NULL REFERENCES projects(name) ON UPDATE CASCADE ON DELETE CASCADE,
  jobset  TEXT NOT NULL DEFAULT '',    -- '' for every jobset of the project
  url     TEXT NOT NULL,
  secret  TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX webhooks_by_project ON webhooks (project);

-- Writer: notifier. The evaluation error last announced per jobset, so a jobset that fails
-- the same way at every check is announced once.
CREATE TABLE eval_error_notices (
  jobset_id INTEGER PRIMARY KEY REFERENCES jobsets(id) ON DELETE CASCADE,
  message   TEXT NOT NULL,
  notified  INTEGER NOT NULL
);

-- Random per-installation values (the key that signs unsubscribe links, the Message-ID
-- domain part), created on first use by whichever role needs them first.
CREATE TABLE secrets (
  name  TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Builds that finished before there was a notifier: their news is old (mailing it now would be
-- Hydra #527, mail weeks late), and their rows lack the previous result the notifier compares with.
UPDATE outbox SET sent = created WHERE kind = 'build-finished' AND sent IS NULL;
