-- A jobset's cron schedule (empty: none), beside checkinterval, and the time up to which
-- the evaluator has looked at it (so a scheduled time fires once, and one missed while the
-- evaluator was down fires when it comes back).
ALTER TABLE jobsets ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE jobsets ADD COLUMN schedulecheckedtime INTEGER;
