/**
 * Every setting hydrant reads, in one place: its flag, its environment variable, its
 * default and what it means. `hydrant --help` and the README's configuration table are
 * both made from this list (a test checks the README against it).
 */
export type SettingKind = 'string' | 'path' | 'int' | 'bool';

export interface Setting {
  flag: string;
  env: string;
  kind: SettingKind;
  /** The default as a string, as a user would write it; '' means unset. */
  default: string;
  help: string;
}

export const SETTINGS = {
  stateDir: {
    flag: '--state-dir',
    env: 'HYDRANT_STATE_DIR',
    kind: 'path',
    default: './state',
    help: 'Directory for the database, build logs and git checkouts (created if missing).',
  },
  db: {
    flag: '--db',
    env: 'HYDRANT_DB',
    kind: 'path',
    default: '',
    help: 'SQLite database file. Default: STATE_DIR/hydrant.sqlite.',
  },
  host: {
    flag: '--host',
    env: 'HYDRANT_HOST',
    kind: 'string',
    default: '127.0.0.1',
    help: 'Address the web server binds to.',
  },
  port: {
    flag: '--port',
    env: 'HYDRANT_PORT',
    kind: 'int',
    default: '3000',
    help: 'Port the web server listens on (0 picks a free one).',
  },
  baseUrl: {
    flag: '--base-url',
    env: 'HYDRANT_BASE_URL',
    kind: 'string',
    default: '',
    help: 'Public URL of the web site, used in links sent out. Default: http://HOST:PORT.',
  },
  jobsets: {
    flag: '--jobsets',
    env: 'HYDRANT_JOBSETS',
    kind: 'path',
    default: '<hydrant>/jobsets',
    help: 'Directory of declarative project specs (one JSON file per project). Default: the bundled examples.',
  },
  allowedPaths: {
    flag: '--allowed-paths',
    env: 'HYDRANT_ALLOWED_PATHS',
    kind: 'string',
    default: '',
    help:
      "Directories, separated by ':', that jobsets' path inputs may lie under, however they are " +
      'declared (spec file, declfile, web form, API); never the state directory. Default: the ' +
      'jobsets directory.',
  },
  machines: {
    flag: '--machines',
    env: 'HYDRANT_MACHINES',
    kind: 'path',
    default: '',
    help: "Build machines in Nix's machines-file format. Default: this machine only, with its own systems.",
  },
  gcRootsDir: {
    flag: '--gc-roots-dir',
    env: 'HYDRANT_GC_ROOTS_DIR',
    kind: 'path',
    default: '',
    help:
      "Directory of garbage-collector roots for queued builds' derivations and kept outputs (as " +
      "Hydra's /nix/var/nix/gcroots/hydra); it must be under /nix/var/nix/gcroots for Nix to " +
      'honour them. Default: /nix/var/nix/gcroots/hydrant/NAME-HASH, one directory per state ' +
      "directory, so two hydrants on one machine never prune each other's roots.",
  },
  logLevel: {
    flag: '--log-level',
    env: 'HYDRANT_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    help: 'trace, debug, info, warn, error or fatal.',
  },
  evalTick: {
    flag: '--eval-tick',
    env: 'HYDRANT_EVAL_TICK',
    kind: 'int',
    default: '5',
    help: "Seconds between the evaluator's checks for jobsets that are due.",
  },
  maxEvals: {
    flag: '--max-evals',
    env: 'HYDRANT_MAX_EVALS',
    kind: 'int',
    default: '2',
    help: 'Evaluations that may run at once.',
  },
  evalMaxMemory: {
    flag: '--eval-max-memory',
    env: 'HYDRANT_EVAL_MAX_MEMORY',
    kind: 'int',
    default: '4096',
    help:
      'MiB of address space each Nix process of an evaluation may use; past it the evaluation is ' +
      'stopped with an error. 0 for no limit.',
  },
  evalTimeout: {
    flag: '--eval-timeout',
    env: 'HYDRANT_EVAL_TIMEOUT',
    kind: 'int',
    default: '3600',
    help:
      'Seconds each Nix process of an evaluation may run; past it the evaluation is stopped with ' +
      'an error. 0 for no limit.',
  },
  restrictEval: {
    flag: '--restrict-eval',
    env: 'HYDRANT_RESTRICT_EVAL',
    kind: 'bool',
    default: 'true',
    help:
      "Evaluate with Nix's restrict-eval (as Hydra does): an expression reads only its jobset's " +
      "inputs and --eval-allowed-paths, fetches only its git inputs' URLs, and sees no environment " +
      'variables. false for trusted installs only.',
  },
  evalAllowedPaths: {
    flag: '--eval-allowed-paths',
    env: 'HYDRANT_EVAL_ALLOWED_PATHS',
    kind: 'string',
    default: '/var/lib/hydrant/vm-kernel',
    help:
      "Host paths, separated by ':', a restricted evaluation may read besides its inputs. Default: " +
      'the guest kernel the bundled VM tests import (scripts/setup-vm.sh).',
  },
  evalWorkers: {
    flag: '--eval-workers',
    env: 'HYDRANT_EVAL_WORKERS',
    kind: 'int',
    default: '0',
    help: "Nix processes that share one evaluation's top-level attributes; 0 for one per CPU core.",
  },
  queueTick: {
    flag: '--queue-tick',
    env: 'HYDRANT_QUEUE_TICK',
    kind: 'int',
    default: '1',
    help: "Seconds between the queue runner's looks at the queue when it is idle.",
  },
  buildTimeout: {
    flag: '--build-timeout',
    env: 'HYDRANT_BUILD_TIMEOUT',
    kind: 'int',
    default: '36000',
    help: "Seconds a build may run when its job sets no meta.timeout (Hydra's default).",
  },
  maxSilent: {
    flag: '--max-silent',
    env: 'HYDRANT_MAX_SILENT',
    kind: 'int',
    default: '7200',
    help: 'Seconds a build may print nothing when its job sets no meta.maxSilent.',
  },
  maxLogSize: {
    flag: '--max-log-size',
    env: 'HYDRANT_MAX_LOG_SIZE',
    kind: 'int',
    default: '67108864',
    help: 'Bytes of log a build step may write before it ends with status 10.',
  },
  maxOutputSize: {
    flag: '--max-output-size',
    env: 'HYDRANT_MAX_OUTPUT_SIZE',
    kind: 'int',
    default: '2147483648',
    help:
      "Bytes a build step's outputs may take together (their NAR size, as Hydra's max_output_size) " +
      'before it ends with status 11; the outputs of such a step on a remote machine are not ' +
      'copied back. 0 for no limit.',
  },
  maxTries: {
    flag: '--max-tries',
    env: 'HYDRANT_MAX_TRIES',
    kind: 'int',
    default: '5',
    help:
      'Attempts at a build step that fails for a transient reason (machine unreachable, connection ' +
      'lost) before its builds end with status 3.',
  },
  retryInterval: {
    flag: '--retry-interval',
    env: 'HYDRANT_RETRY_INTERVAL',
    kind: 'int',
    default: '60',
    help:
      'Seconds before the first retry of such a step; a machine that could not be reached gets no ' +
      'work for twice as long. Both double after each further failure.',
  },
  unsupportedWait: {
    flag: '--unsupported-wait',
    env: 'HYDRANT_UNSUPPORTED_WAIT',
    kind: 'int',
    default: '120',
    help:
      'Seconds a step for a system (or features) no machine supports waits for one to appear ' +
      'before its builds end with status 9.',
  },
  binaryCacheSecretKeyFile: {
    flag: '--binary-cache-secret-key-file',
    env: 'HYDRANT_BINARY_CACHE_SECRET_KEY_FILE',
    kind: 'path',
    default: '',
    help:
      'Secret key (as `nix-store --generate-binary-cache-key` writes it) that signs the binary ' +
      "cache's narinfo files, as Hydra's binary_cache_secret_key_file. Default: unsigned.",
  },
  serverWorkers: {
    flag: '--server-workers',
    env: 'HYDRANT_SERVER_WORKERS',
    kind: 'int',
    default: '1',
    help:
      'Web server processes under `hydrant start`, sharing its port (node:cluster); with more than ' +
      'one, a restarted server leaves no gap. 0 for one per CPU core.',
  },
  liveLogStall: {
    flag: '--live-log-stall',
    env: 'HYDRANT_LIVE_LOG_STALL',
    kind: 'int',
    default: '30',
    help:
      'Seconds a live-log client may stay behind (not reading) before it is dropped; the server ' +
      'never buffers more than a chunk for it.',
  },
  logBandwidth: {
    flag: '--log-bandwidth',
    env: 'HYDRANT_LOG_BANDWIDTH',
    kind: 'int',
    default: '100',
    help:
      'MiB per second that all log answers of one server process share (raw logs and log pages), so ' +
      'a crowd reading big logs again and again cannot take the CPU the builds need. 0: unbounded.',
  },
  smtpUrl: {
    flag: '--smtp-url',
    env: 'HYDRANT_SMTP_URL',
    kind: 'string',
    default: '',
    help:
      'SMTP server the notifier sends mail through, as nodemailer takes it: smtp://HOST:PORT ' +
      '(STARTTLS when offered), smtps://USER:PASS@HOST:465 (TLS). Unset: mail waits in the outbox.',
  },
  emailFrom: {
    flag: '--email-from',
    env: 'HYDRANT_EMAIL_FROM',
    kind: 'string',
    default: '',
    help: 'Sender address of notification mail. Default: hydrant@ the host of --base-url.',
  },
  email: {
    flag: '--email',
    env: 'HYDRANT_EMAIL',
    kind: 'bool',
    default: 'true',
    help: 'Send notification mail at all (the global switch; false keeps webhooks going and queues no mail).',
  },
  emailWait: {
    flag: '--email-wait',
    env: 'HYDRANT_EMAIL_WAIT',
    kind: 'int',
    default: '900',
    help: 'Seconds the changes of an evaluation whose builds have not all finished wait before they are mailed anyway.',
  },
  blameMax: {
    flag: '--blame-max',
    env: 'HYDRANT_BLAME_MAX',
    kind: 'int',
    default: '10',
    help:
      'Most commits whose authors are mailed about a regression; past it the mail gives the count ' +
      'and mails no author.',
  },
  notifyTick: {
    flag: '--notify-tick',
    env: 'HYDRANT_NOTIFY_TICK',
    kind: 'int',
    default: '5',
    help: "Seconds between the notifier's looks at the outbox.",
  },
  notifyRetry: {
    flag: '--notify-retry',
    env: 'HYDRANT_NOTIFY_RETRY',
    kind: 'int',
    default: '60',
    help:
      'Seconds before the first retry of a mail or webhook the server did not accept; doubles ' +
      'after each further failure, up to an hour.',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
