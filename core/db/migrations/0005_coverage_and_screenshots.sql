-- Coverage merged from a build's lcov products, recorded with the build (queue runner), in
-- the shape its pages need: totals per build and per source file, and each file's per-line,
-- per-function and per-branch counts as one compact blob (core/coverage/encode.ts).
CREATE TABLE build_coverage (
  build_id INTEGER PRIMARY KEY REFERENCES builds(id) ON DELETE CASCADE,
  tracefiles INTEGER NOT NULL,
  lines_found INTEGER NOT NULL, lines_hit INTEGER NOT NULL,
  functions_found INTEGER NOT NULL, functions_hit INTEGER NOT NULL,
  branches_found INTEGER NOT NULL, branches_hit INTEGER NOT NULL,
  -- JSON array of sentences: what was wrong with the tracefiles (also in the step log).
  problems TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE build_coverage_files (
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  -- The SF: path as written (the key lcov merges on), and the path shown to readers.
  path TEXT NOT NULL,
  display TEXT NOT NULL,
  directory TEXT NOT NULL,
  -- 1 when the path lies in no store path or build directory (shown as written).
  outside INTEGER NOT NULL DEFAULT 0,
  lines_found INTEGER NOT NULL, lines_hit INTEGER NOT NULL,
  functions_found INTEGER NOT NULL, functions_hit INTEGER NOT NULL,
  branches_found INTEGER NOT NULL, branches_hit INTEGER NOT NULL,
  PRIMARY KEY (build_id, path)
);
CREATE INDEX build_coverage_files_display ON build_coverage_files (build_id, display);

-- Each file's counts, apart from the totals so the directory table reads narrow rows only.
CREATE TABLE build_coverage_data (
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (build_id, path)
);

-- PNG screenshot products, compared when recorded with the same name in the job's previous
-- successful build; the difference image is kept so no page ever computes it.
CREATE TABLE build_screenshots (
  build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  productnr INTEGER NOT NULL,
  -- Path inside the product ('' when the product is the PNG itself) and the name compared on.
  file TEXT NOT NULL,
  name TEXT NOT NULL,
  width INTEGER, height INTEGER,
  -- Why the image could not be shown or compared (not a PNG, too large, ...), else NULL.
  error TEXT,
  previous_build_id INTEGER,
  previous_productnr INTEGER,
  previous_file TEXT,
  changed_pixels INTEGER,
  total_pixels INTEGER,
  diff_png BLOB,
  PRIMARY KEY (build_id, productnr, file)
);
