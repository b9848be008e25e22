-- hydrant's schema. Column names and meanings follow Hydra's (src/sql/hydra.sql) so that
-- the JSON API maps one to one; where we differ, the comment says why.
-- Times are Unix seconds (INTEGER), as in Hydra.

-- Writer: evaluator (from declarative specs) and server (API edits).
CREATE TABLE projects (
  name         TEXT PRIMARY KEY NOT NULL,
  displayname  TEXT NOT NULL,
  description  TEXT,
  enabled      INTEGER NOT NULL DEFAULT 1,
  hidden       INTEGER NOT NULL DEFAULT 0,
  owner        TEXT,
  homepage     TEXT,
  -- Hydra's declarative project: a spec file inside a polled input.
  declfile     TEXT,
  decltype     TEXT,
  declvalue    TEXT,
  -- Room for private projects (only members can read).
  private      INTEGER NOT NULL DEFAULT 0,
  -- Which spec file declared this project ('' when created through the API), and why
  -- that file could not be read, if it could not.
  spec_source  TEXT NOT NULL DEFAULT '',
  spec_error   TEXT
);

CREATE TABLE jobsets (
  id               INTEGER PRIMARY KEY,
  project          TEXT NOT NULL REFERENCES projects(name) ON UPDATE CASCADE ON DELETE CASCADE,
  name             TEXT NOT NULL,
  description      TEXT,
  nixexprinput     TEXT,
  nixexprpath      TEXT,
  -- 0 disabled, 1 enabled, 2 one-shot, 3 one-at-a-time (Hydra).
  enabled          INTEGER NOT NULL DEFAULT 1,
  hidden           INTEGER NOT NULL DEFAULT 0,
  checkinterval    INTEGER NOT NULL DEFAULT 300,
  schedulingshares INTEGER NOT NULL DEFAULT 100 CHECK (schedulingshares > 0),
  enableemail      INTEGER NOT NULL DEFAULT 1,
  emailoverride    TEXT NOT NULL DEFAULT '',
  keepnr           INTEGER NOT NULL DEFAULT 3,
  -- Last whole-evaluation error (expression fails as a whole, bad spec, fetch failure).
  errormsg         TEXT,
  errortime        INTEGER,
  fetcherrormsg    TEXT,
  lastcheckedtime  INTEGER,
  -- Set when an evaluation was asked for (push, UI); cleared when it starts.
  triggertime      INTEGER,
  -- Set while an evaluation runs (Hydra's jobsets.starttime).
  starttime        INTEGER,
  -- Hash of the inputs of the last evaluation, for "unchanged inputs → no new eval".
  lastinputshash   TEXT,
  spec_source      TEXT NOT NULL DEFAULT '',
  -- Why this jobset's spec is invalid; such a jobset is not evaluated until fixed.
  spec_error       TEXT,
  UNIQUE (project, name)
);

CREATE TABLE jobset_inputs (
  jobset_id        INTEGER NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  type             TEXT NOT NULL,
  value            TEXT NOT NULL,
  emailresponsible INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (jobset_id, name)
);

-- Writer: evaluator.
CREATE TABLE jobset_evals (
  id            INTEGER PRIMARY KEY,
  jobset_id     INTEGER NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
  timestamp     INTEGER NOT NULL,
  checkouttime  INTEGER NOT NULL DEFAULT 0,  -- seconds spent fetching inputs
  evaltime      INTEGER NOT NULL DEFAULT 0,  -- seconds spent evaluating
  hasnewbuilds  INTEGER NOT NULL DEFAULT 0,
  hash          TEXT NOT NULL,               -- inputs hash
  nrbuilds      INTEGER NOT NULL DEFAULT 0,
  nrsucceeded   INTEGER,                     -- filled in as builds finish
  nixexprinput  TEXT,
  nixexprpath   TEXT,
  -- Hydra keeps per-job eval errors in one text blob; we keep them per job in eval_errors.
  errormsg      TEXT
);
CREATE INDEX jobset_evals_by_jobset ON jobset_evals (jobset_id, id DESC);

CREATE TABLE jobset_eval_inputs (
  eval_id    INTEGER NOT NULL REFERENCES jobset_evals(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  altnr      INTEGER NOT NULL DEFAULT 0,
  type       TEXT NOT NULL,
  uri        TEXT,
  revision   TEXT,
  value      TEXT,
  dependency INTEGER,   -- build id, for 'build' inputs
  path       TEXT,      -- store path the input was evaluated from
  sha256hash TEXT,
  PRIMARY KEY (eval_id, name, altnr)
);

CREATE TABLE eval_errors (
  eval_id INTEGER NOT NULL REFERENCES jobset_evals(id) ON DELETE CASCADE,
  job     TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (eval_id, job)
);

-- Writer: evaluator creates rows; queue-runner owns the status columns
-- (finished, buildstatus, starttime, stoptime, size, closuresize, releasename, iscachedbuild);
-- server's actions (restart, cancel, bump, keep) go through queue-runner/ operations.
CREATE TABLE builds (
  id            INTEGER PRIMARY KEY,
  finished      INTEGER NOT NULL DEFAULT 0,
  timestamp     INTEGER NOT NULL,            -- when it was queued
  jobset_id     INTEGER NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
  job           TEXT NOT NULL,
  nixname       TEXT,
  description   TEXT,
  drvpath       TEXT NOT NULL,
  system        TEXT NOT NULL,
  license       TEXT,
  homepage      TEXT,
  maintainers   TEXT,
  maxsilent     INTEGER,
  timeout       INTEGER,
  ischannel     INTEGER NOT NULL DEFAULT 0,
  iscurrent     INTEGER NOT NULL DEFAULT 0,
  priority      INTEGER NOT NULL DEFAULT 0,  -- meta.schedulingPriority
  globalpriority INTEGER NOT NULL DEFAULT 0, -- bumped to the front of the queue
  starttime     INTEGER,
  stoptime      INTEGER,
  iscachedbuild INTEGER,
  buildstatus   INTEGER,                     -- see core/model/status.ts
  size          INTEGER,
  closuresize   INTEGER,
  releasename   TEXT,
  keep          INTEGER NOT NULL DEFAULT 0,
  isaggregate   INTEGER NOT NULL DEFAULT 0,
  -- Set when a status change awaits notification (Hydra); the outbox row is the record.
  notificationpendingsince INTEGER
);
CREATE INDEX builds_by_job ON builds (jobset_id, job, id DESC);
CREATE INDEX builds_by_job_finished ON builds (jobset_id, job, finished, buildstatus, id DESC);
CREATE INDEX builds_queue ON builds (finished, globalpriority DESC, priority DESC, id) WHERE finished = 0;
CREATE INDEX builds_by_drvpath ON builds (drvpath);
CREATE INDEX builds_by_stoptime ON builds (stoptime DESC) WHERE finished = 1;

CREATE TABLE jobset_eval_members (
  eval_id  INTEGER NOT NULL REFERENCES jobset_evals(id) ON DELETE CASCADE,
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  isnew    INTEGER NOT NULL DEFAULT 0,      -- 1 when this evaluation created the build
  PRIMARY KEY (eval_id, build_id)
) WITHOUT ROWID;
CREATE INDEX jobset_eval_members_by_build ON jobset_eval_members (build_id, eval_id);

CREATE TABLE build_outputs (
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  path     TEXT NOT NULL,
  PRIMARY KEY (build_id, name)
) WITHOUT ROWID;
CREATE INDEX build_outputs_by_path ON build_outputs (path);

CREATE TABLE aggregate_constituents (
  aggregate   INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  constituent INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  PRIMARY KEY (aggregate, constituent)
) WITHOUT ROWID;

-- Writer: queue-runner.
CREATE TABLE build_steps (
  build_id       INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  stepnr         INTEGER NOT NULL,
  type           INTEGER NOT NULL DEFAULT 0,   -- 0 build, 1 substitution
  drvpath        TEXT,
  -- 0 not busy; otherwise the phase (Hydra: 1 busy, 10 connecting, 20 sending inputs,
  -- 30 building, 40 receiving outputs, 50 post-processing).
  busy           INTEGER NOT NULL DEFAULT 0,
  status         INTEGER,                      -- a build status code once finished
  errormsg       TEXT,
  starttime      INTEGER,
  stoptime       INTEGER,
  machine        TEXT NOT NULL DEFAULT '',
  system         TEXT,
  propagatedfrom INTEGER,                      -- build whose step failure caused this one
  overhead       INTEGER,
  timesbuilt     INTEGER,
  isnondeterministic INTEGER,
  logfile        TEXT,                         -- relative to the state dir
  PRIMARY KEY (build_id, stepnr)
);
CREATE INDEX build_steps_busy ON build_steps (busy) WHERE busy != 0;
CREATE INDEX build_steps_by_drvpath ON build_steps (drvpath);
CREATE INDEX build_steps_by_machine ON build_steps (machine, stoptime DESC);

CREATE TABLE build_step_outputs (
  build_id INTEGER NOT NULL,
  stepnr   INTEGER NOT NULL,
  name     TEXT NOT NULL,
  path     TEXT,
  PRIMARY KEY (build_id, stepnr, name),
  FOREIGN KEY (build_id, stepnr) REFERENCES build_steps(build_id, stepnr) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE build_products (
  build_id    INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  productnr   INTEGER NOT NULL,
  type        TEXT NOT NULL,
  subtype     TEXT NOT NULL,
  filesize    INTEGER,
  sha256hash  TEXT,
  path        TEXT NOT NULL,
  name        TEXT NOT NULL,
  defaultpath TEXT,
  PRIMARY KEY (build_id, productnr)
) WITHOUT ROWID;

CREATE TABLE build_metrics (
  build_id  INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  unit      TEXT,
  value     REAL NOT NULL,
  -- Denormalised as in Hydra, so a metric's history per job is one index range.
  jobset_id INTEGER NOT NULL,
  job       TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (build_id, name)
) WITHOUT ROWID;
CREATE INDEX build_metrics_by_job ON build_metrics (jobset_id, job, name, timestamp);

-- Outputs of derivations that failed permanently: the next build of them ends at once
-- with status 8 (cached failure) until a restart clears the entry.
CREATE TABLE failed_paths (
  path TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;

-- Runtime state of build machines; the machines file is the source of what exists.
CREATE TABLE machines (
  name                 TEXT PRIMARY KEY NOT NULL,   -- the machines-file URI
  enabled              INTEGER NOT NULL DEFAULT 1,
  systems              TEXT NOT NULL DEFAULT '',    -- space-separated, as last read
  maxjobs              INTEGER NOT NULL DEFAULT 1,
  speedfactor          REAL NOT NULL DEFAULT 1,
  supportedfeatures    TEXT NOT NULL DEFAULT '',
  mandatoryfeatures    TEXT NOT NULL DEFAULT '',
  disabled_until       INTEGER,                     -- back-off after connection failures
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_failure         INTEGER,
  last_failure_msg     TEXT,
  nr_steps_done        INTEGER NOT NULL DEFAULT 0,
  total_step_time      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Writer: server (and the CLI's `hydrant user`).
CREATE TABLE users (
  username     TEXT PRIMARY KEY NOT NULL,
  fullname     TEXT,
  emailaddress TEXT,
  password     TEXT NOT NULL,          -- scrypt hash with its parameters, never plain
  emailonerror INTEGER NOT NULL DEFAULT 0,
  type         TEXT NOT NULL DEFAULT 'hydra',
  publicdashboard INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE user_roles (
  username TEXT NOT NULL REFERENCES users(username) ON UPDATE CASCADE ON DELETE CASCADE,
  role     TEXT NOT NULL,
  PRIMARY KEY (username, role)
) WITHOUT ROWID;

CREATE TABLE project_members (
  project  TEXT NOT NULL REFERENCES projects(name) ON UPDATE CASCADE ON DELETE CASCADE,
  username TEXT NOT NULL REFERENCES users(username) ON UPDATE CASCADE ON DELETE CASCADE,
  PRIMARY KEY (project, username)
) WITHOUT ROWID;

CREATE TABLE sessions (
  id       TEXT PRIMARY KEY NOT NULL,  -- a hash of the cookie value, not the value itself
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  created  INTEGER NOT NULL,
  expires  INTEGER NOT NULL,
  csrf     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions (expires);

-- Written in the same transaction as the status change it announces, so a notification
-- is never lost and never sent for a change that did not commit. The notifier sends and
-- marks rows; retries back off while SMTP is down.
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,            -- e.g. 'build-finished'
  build_id    INTEGER REFERENCES builds(id) ON DELETE CASCADE,
  payload     TEXT NOT NULL DEFAULT '{}',
  created     INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL,
  sent        INTEGER,
  last_error  TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt) WHERE sent IS NULL;

-- Requests from the server (and CLI) to the queue runner: restart, cancel, bump, ...
-- The server never changes build status itself; the queue runner carries out each
-- request (queue-runner/, one use case per file) and marks it handled.
CREATE TABLE queue_commands (
  id        INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL,            -- 'restart' | 'cancel' | 'bump' | 'restart-failed-of-eval' | ...
  build_id  INTEGER REFERENCES builds(id) ON DELETE CASCADE,
  eval_id   INTEGER REFERENCES jobset_evals(id) ON DELETE CASCADE,
  username  TEXT,
  created   INTEGER NOT NULL,
  handled   INTEGER,                  -- when the queue runner carried it out
  result    TEXT                      -- what it did, or why it could not
);
CREATE INDEX queue_commands_pending ON queue_commands (id) WHERE handled IS NULL;

-- Events from evaluator → queue-runner and server → roles are rows, not calls; this small
-- table lets a role wake others without polling everything (e.g. "builds were queued").
CREATE TABLE system_status (
  what   TEXT PRIMARY KEY NOT NULL,
  status TEXT NOT NULL
) WITHOUT ROWID;
