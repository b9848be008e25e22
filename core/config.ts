import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { SETTINGS, type SettingName } from './settings.ts';
import { BUNDLED_JOBSETS_DIR } from './paths.ts';

/** The typed configuration every role receives from `create(config)`. */
export interface Config {
  stateDir: string;
  dbPath: string;
  host: string;
  port: number;
  baseUrl: string;
  jobsetsDir: string;
  /** Directories path inputs may lie under (see core/jobset-specs/path-rules.ts). */
  allowedPaths: string[];
  machinesFile: string | null;
  gcRootsDir: string;
  logLevel: string;
  evalTickSeconds: number;
  maxConcurrentEvals: number;
  evalMaxMemoryMiB: number;
  evalTimeoutSeconds: number;
  evalWorkers: number;
  restrictEval: boolean;
  evalAllowedPaths: string[];
  queueTickSeconds: number;
  buildTimeoutSeconds: number;
  maxSilentSeconds: number;
  maxLogSizeBytes: number;
  maxOutputSizeBytes: number;
  maxTries: number;
  retryIntervalSeconds: number;
  unsupportedWaitSeconds: number;
  binaryCacheSecretKeyFile: string | null;
  liveLogStallSeconds: number;
  /** Bytes per second shared by a server process's log answers; 0 unbounded. */
  logBandwidthBytesPerSecond: number;
  serverWorkers: number;
  smtpUrl: string | null;
  emailFrom: string;
  emailEnabled: boolean;
  emailWaitSeconds: number;
  blameMax: number;
  notifyTickSeconds: number;
  notifyRetrySeconds: number;
}

export class ConfigError extends Error {}

/**
 * Reads settings from command-line flags (`--port 3001` or `--port=3001`), then the
 * environment, then the defaults in settings.ts. Unknown flags are an error, so a typo
 * never silently falls back to a default. Returns the config and the positional arguments.
 */
export function readConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): { config: Config; positional: string[] } {
  const raw = new Map<SettingName, string>();
  const positional: string[] = [];
  const byFlag = new Map<string, SettingName>(
    Object.entries(SETTINGS).map(([name, s]): [string, SettingName] => [s.flag, name as SettingName]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option ${flag} (see hydrant --help)`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`option ${flag} needs a value`);
    raw.set(name, value);
  }
  const get = (name: SettingName): string => raw.get(name) ?? env[SETTINGS[name].env] ?? SETTINGS[name].default;
  const int = (name: SettingName): number => {
    const text = get(name);
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) {
      throw new ConfigError(`${SETTINGS[name].flag} / ${SETTINGS[name].env} must be a whole number ≥ 0, got "${text}"`);
    }
    return n;
  };
  const path = (name: SettingName): string => resolve(cwd, get(name));
  const bool = (name: SettingName): boolean => {
    const text = get(name).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    throw new ConfigError(`${SETTINGS[name].flag} / ${SETTINGS[name].env} must be true or false, got "${get(name)}"`);
  };

  const stateDir = path('stateDir');
  const host = get('host');
  const port = int('port');
  const jobsetsRaw = get('jobsets');
  const logLevel = get('logLevel');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of trace debug info warn error fatal silent, got "${logLevel}"`);
  }
  const jobsetsDir = jobsetsRaw === SETTINGS.jobsets.default ? BUNDLED_JOBSETS_DIR : resolve(cwd, jobsetsRaw);
  const smtpUrl = get('smtpUrl');
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    throw new ConfigError(
      `--smtp-url / HYDRANT_SMTP_URL must look like smtp://HOST:PORT or ` +
        `smtps://USER:PASS@HOST:465, got "${smtpUrl.replace(/:[^:@/]*@/, ':…@')}"`,
    );
  }
  const config: Config = {
    stateDir,
    dbPath: get('db') ? path('db') : join(stateDir, 'hydrant.sqlite'),
    host,
    port,
    baseUrl: (get('baseUrl') || `http://${host}:${port}`).replace(/\/+$/, ''),
    jobsetsDir,
    allowedPaths: get('allowedPaths')
      ? get('allowedPaths')
          .split(':')
          .filter(Boolean)
          .map((p) => resolve(cwd, p))
      : [jobsetsDir],
    machinesFile: get('machines') ? path('machines') : null,
    gcRootsDir: get('gcRootsDir') ? path('gcRootsDir') : instanceGcRootsDir(stateDir),
    logLevel,
    evalTickSeconds: int('evalTick'),
    maxConcurrentEvals: Math.max(1, int('maxEvals')),
    evalMaxMemoryMiB: int('evalMaxMemory'),
    evalTimeoutSeconds: int('evalTimeout'),
    evalWorkers: int('evalWorkers') || availableParallelism(),
    restrictEval: bool('restrictEval'),
    evalAllowedPaths: get('evalAllowedPaths')
      .split(':')
      .filter(Boolean)
      .map((p) => resolve(cwd, p)),
    queueTickSeconds: int('queueTick'),
    buildTimeoutSeconds: int('buildTimeout'),
    maxSilentSeconds: int('maxSilent'),
    maxLogSizeBytes: int('maxLogSize'),
    maxOutputSizeBytes: int('maxOutputSize'),
    maxTries: Math.max(1, int('maxTries')),
    retryIntervalSeconds: int('retryInterval'),
    unsupportedWaitSeconds: int('unsupportedWait'),
    binaryCacheSecretKeyFile: get('binaryCacheSecretKeyFile') ? path('binaryCacheSecretKeyFile') : null,
    liveLogStallSeconds: int('liveLogStall'),
    logBandwidthBytesPerSecond: int('logBandwidth') * 1024 * 1024,
    serverWorkers: int('serverWorkers') || availableParallelism(),
    smtpUrl: smtpUrl || null,
    emailFrom: get('emailFrom') || `hydrant@${hostOf(get('baseUrl') || `http://${host}:${port}`)}`,
    emailEnabled: bool('email'),
    emailWaitSeconds: int('emailWait'),
    blameMax: int('blameMax'),
    notifyTickSeconds: int('notifyTick'),
    notifyRetrySeconds: int('notifyRetry'),
  };
  return { config, positional };
}

/**
 * Each instance (state directory) roots under a directory of its own, named after the state
 * directory so a person can tell them apart: a second hydrant on the machine (or `npm test`
 * beside `npm start`) prunes only its own roots.
 */
export function instanceGcRootsDir(stateDir: string): string {
  const name =
    basename(stateDir)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'state';
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  return join('/nix/var/nix/gcroots/hydrant', `${name}-${hash}`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}
