/**
 * Bounds on what reading a build's coverage may cost. Tracefiles are written by the build,
 * that is by anyone who can push a commit; past a bound the rest is left out and the
 * build's coverage says so (page and step log). A project of 2,000 files × 500 lines
 * merged from 50 tracefiles stays far below every one of them.
 */
export const COVERAGE_LIMITS = {
  /** Bytes of one tracefile line; longer lines are refused (one bad line, not the file). */
  maxLineBytes: 64 * 1024,
  /** Bytes read from all tracefiles of a build together. */
  maxBytes: 2 * 1024 * 1024 * 1024,
  /** Distinct source files of a build. */
  maxFiles: 100_000,
  /** Distinct line, function and branch records of a build together (each costs ~100 bytes). */
  maxRecords: 10_000_000,
  /** Characters of one source path or function name (PATH_MAX; long C++ names fit). */
  maxNameLength: 4096,
  /** Characters of all distinct source paths and function names of a build together. */
  maxNameChars: 256 * 1024 * 1024,
  /** Malformed lines of one tracefile before it is given up as not a tracefile. */
  maxMalformedLines: 100,
  /** Line numbers above this are refused (no source file is that long). */
  maxLineNumber: 100_000_000,
  /** Tracefiles (lcov products and .info files in coverage directories) read per build. */
  maxTracefiles: 1_000,
};

export type CoverageLimits = typeof COVERAGE_LIMITS;
