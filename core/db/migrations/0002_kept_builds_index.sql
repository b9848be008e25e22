-- The garbage-collector roots are recomputed every few minutes (queue-runner/update-gc-roots.ts);
-- builds marked "keep" are a handful among millions, so they get an index of their own.
CREATE INDEX builds_kept ON builds (id) WHERE keep = 1;
