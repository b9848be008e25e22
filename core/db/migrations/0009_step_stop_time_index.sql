-- The queue runner's fair share sums the build time of the last 24 hours per jobset
-- (core/db/shares.ts), each tick. Through builds it read every build a jobset ever had
-- (2 s a query at 2 million); by the time a step stopped it reads only the window.
-- Running steps (no stop time yet) are in the index too.
CREATE INDEX build_steps_by_stoptime ON build_steps (stoptime) WHERE propagatedfrom IS NULL;
