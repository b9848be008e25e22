import type { SshTarget } from './machines.ts';

/**
 * The boundary between hydrant and Nix. Everything hydrant knows about Nix goes through
 * this interface, so that a test can see every Nix call in one place and so that a later
 * backend (the nix daemon protocol, a newer `nix` CLI) replaces one file.
 *
 * Guarantees every implementation must keep:
 * - Nothing is fetched from outside this machine: substituters are always empty.
 * - The user's nix.conf is never edited; the options hydrant needs (no sandbox, no build
 *   users group for a single-user store, no substituters) are passed on each invocation.
 * - Store paths returned are absolute (/nix/store/...).
 */
export interface Nix {
  /**
   * Evaluates a jobset expression to its jobs. `exprPath` is the file to import; `args`
   * are passed to it the way Nix's own auto-call does (only the arguments it names).
   * When it resolves, every job's .drv is in the store. A job that fails to evaluate, in
   * any way (throw, abort, type error), is returned as a JobError with Nix's own message
   * and never hides the other jobs. An expression that fails as a whole, or that runs past
   * its time or memory limit, rejects with EvalError saying so.
   */
  evaluateJobs(request: EvalRequest): Promise<EvalJobsResult>;

  /** Parses a .drv file from the store. Rejects if it does not exist. */
  readDerivation(drvPath: string): Promise<Derivation>;

  /** Which of these store paths are valid (exist, registered) in the local store. */
  validPaths(paths: readonly string[]): Promise<Set<string>>;

  /** Copies a directory into the store (like `nix-store --add`), returning its store path. */
  addToStore(dir: string): Promise<string>;

  /**
   * The log Nix kept of building this derivation on this machine (`nix-store --read-log`),
   * or null when it has none. For builds whose outputs already existed, hydrant shows this.
   */
  readLog(drvPath: string): Promise<string | null>;

  /** NAR size of each path and of its whole closure, in bytes. */
  pathSizes(path: string): Promise<{ narSize: number; closureSize: number }>;

  /**
   * Copies the closure of `paths` to a build machine over ssh with Nix's own tools
   * (`nix-store --export | ssh … nix-store --import`). Only paths the machine lacks travel;
   * resolves with how many did. Rejects with RemoteConnectionError when ssh cannot reach it.
   */
  copyClosureTo(target: SshTarget, paths: readonly string[]): Promise<number>;

  /** The same in the other direction: outputs built remotely, with whatever they reference. */
  copyClosureFrom(target: SshTarget, paths: readonly string[]): Promise<number>;

  /**
   * Opens a connection that builds on a machine (this one when `on` is null), one
   * derivation at a time, staying open between builds so a build costs no process start:
   * `nix-store --serve --write`, the protocol Hydra's queue runner speaks. `options` are
   * Nix settings for that machine's side. Rejects when the machine cannot be reached.
   */
  openBuildConnection(on: SshTarget | null, options?: Record<string, string>): Promise<BuildConnection>;
}

export interface BuildConnection {
  /** False once the process (or ssh connection) has ended; open a new one then. */
  readonly alive: boolean;
  /**
   * Builds `drvPath`, whose input derivations' outputs (`inputPaths`) and sources must
   * already be valid on that machine. Never rejects: every way a build can end is a result.
   */
  build(drvPath: string, drv: Derivation, inputPaths: readonly string[], options: BuildOptions): Promise<BuildOutcome>;
  /**
   * The NAR size of these paths together, as that machine's store has them (after a build, before
   * they are copied back).
   */
  narSize(paths: readonly string[]): Promise<number>;
  close(): void;
}

export interface BuildOptions {
  timeoutSeconds: number;
  maxSilentSeconds: number;
  /** Bytes of log Nix allows before it kills the build (0: no limit). */
  maxLogSize: number;
  onOutput: (chunk: Buffer) => void;
  /** Aborting kills the build and the connection. */
  signal: AbortSignal;
}

export interface BuildOutcome {
  /**
   * built: outputs valid. failed: the derivation's own fault (permanent). timed-out:
   * timeout or silence limit, the builder killed. log-limit: too much log. aborted: stopped
   * through the signal. connection-lost: the machine or its Nix went away mid-build.
   * nix-failure: Nix failed for reasons of its own (transient).
   */
  kind: 'built' | 'failed' | 'timed-out' | 'log-limit' | 'aborted' | 'connection-lost' | 'nix-failure';
  message: string;
}

/** The machine could not be reached, or the connection broke: worth retrying elsewhere. */
export class RemoteConnectionError extends Error {}

export interface EvalRequest {
  exprPath: string;
  /** name → value; `expr` values are Nix expressions (Hydra's nix/boolean/git inputs), `str` plain strings. */
  args: Record<string, { expr: string } | { str: string }>;
  /** Kill the evaluation past this many seconds (0: no limit). */
  timeoutSeconds?: number;
  /** Limit on the evaluator's address space, in MiB (0: no limit), per Nix process. */
  memoryLimitMiB?: number;
  /** Nix processes that share the top-level attributes between them (default 2). */
  workers?: number;
  /** Stops the evaluation (its Nix processes are killed); it then rejects with EvalError. */
  signal?: AbortSignal;
  /**
   * Most .drv files are expected to be new (the jobset's first evaluation): one Nix process
   * writes them all while the others describe the jobs, instead of walking first and writing after.
   */
  expectNewDrvs?: boolean;
  /**
   * Hears every job once all are known, before evaluateJobs resolves and, when expectNewDrvs
   * is set, usually before their .drv files are written (so their garbage-collector roots can go first).
   */
  onJobs?: (jobs: readonly EvaluatedJob[]) => void;
  /**
   * Nix's restrict-eval, as Hydra evaluates: the expression may read only these paths (and
   * the closures of store paths among them), fetch only these URIs (allowed-uris), and
   * sees no environment variables (builtins.getEnv answers ""; NIX_PATH is empty). Anyone
   * who can push a commit writes the expression: without this it reads any file the
   * evaluator may (builtins.readFile /etc/shadow into a job's meta, shown on a public page).
   * Left out only for trusted expressions (tests, benchmarks, `--restrict-eval false`).
   */
  restrict?: { allowedPaths: readonly string[]; allowedUris: readonly string[] };
  /**
   * Directories (path inputs) not in the store yet, whose store paths the request already
   * uses (exprPath, args). The evaluation's own Nix copies them before it reads anything when
   * it may write to the store (what `nix-store --add` would cost is mostly its process
   * start); otherwise they are added first. A directory that no longer has this hash is an
   * EvalError: it changed while it was being evaluated.
   */
  copies?: readonly SourceCopy[];
  /**
   * The previous evaluation's jobs, a JSON object of name → drvPath (as evalJobsJson gives
   * it). A job whose drvPath is still the same keeps its build as it is, so it is only named
   * (EvalJobsResult.unchanged), not described again: at 5,000 jobs describing them was a
   * fifth of Nix's work and most of its answer.
   */
  known?: string;
}

/** A directory and what `nix-store --add` makes of it (see core/nix/source-path.ts). */
export interface SourceCopy {
  hostPath: string;
  /** What `nix-store --add` makes of it, named after hostPath's last component (source-path.ts). */
  storePath: string;
  /** sha256 of its NAR serialisation, hex. */
  narHash: string;
}

export interface EvaluatedJob {
  name: string;
  nixName: string;
  system: string;
  drvPath: string;
  outputs: Record<string, string>;
  description: string | null;
  license: string | null;
  homepage: string | null;
  maintainers: string | null;
  schedulingPriority: number | null;
  timeout: number | null;
  maxSilent: number | null;
  isChannel: boolean;
  isAggregate: boolean;
  /** For aggregates: job names, or { drvPath } of constituent derivations. */
  constituents: (string | { drvPath: string })[];
}

export interface JobError {
  name: string;
  error: string;
}

export interface EvalJobsResult {
  jobs: EvaluatedJob[];
  errors: JobError[];
  /** Jobs of EvalRequest.known whose drvPath is still the known one: named only, not described. */
  unchanged: string[];
}

export class EvalError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface Derivation {
  outputs: Record<string, { path: string }>;
  inputDrvs: Record<string, string[]>;
  inputSrcs: string[];
  system: string;
  builder: string;
  args: string[];
  env: Record<string, string>;
}
