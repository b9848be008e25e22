-- As in Hydra, 8 (cached failure) is a step status only: a build that ended as a cached
-- failure is failed (1) and marked cached. Databases written before this rule had builds
-- with status 8; their steps keep it.
UPDATE builds SET buildstatus = 1, iscachedbuild = 1 WHERE buildstatus = 8;
