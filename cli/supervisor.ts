import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';

/** The environment variable that tells a forked `hydrant` which role it is. */
export const SUPERVISED_ROLE_ENV = 'HYDRANT_SUPERVISED_ROLE';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
/** A role that ran this long before dying starts again from the first delay. */
const HEALTHY_MS = 30_000;
const STOP_GRACE_MS = 60_000;

interface Child {
  role: string;
  nice: number;
  /** One of several processes of the role (server workers), numbered from 1. */
  shared: boolean;
  worker: number;
  process: ChildProcess | null;
  startedAt: number;
  delay: number;
  lastReason: string;
  timer?: NodeJS.Timeout;
}

/**
 * `hydrant start`: one OS process per role, so a slow page, a synchronous SQLite busy wait or
 * a crash in one role never stalls or stops another. A role that dies is started again after a
 * delay that doubles while it keeps dying (1 s … 60 s) and the reason is logged; SIGTERM or
 * SIGINT stops every role cleanly (each finishes or interrupts its work) and then the
 * supervisor exits. A child whose supervisor vanishes (kill -9) stops on its own: it watches
 * the IPC channel.
 */
export async function supervise(
  roles: readonly { name: string; nice?: number; workers?: (config: Config) => number }[],
  config: Config,
  argv: readonly string[],
  log: Logger,
): Promise<number> {
  // A restarted server must come back on the same port, so port 0 is resolved once here.
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  const script = process.argv[1]!;
  const args = [...argv, '--port', String(port)];
  const children = roles.flatMap(({ name: role, nice, workers }) => {
    const count = Math.max(1, workers?.(config) ?? 1);
    return Array.from(
      { length: count },
      (_, i): Child => ({
        role,
        nice: nice ?? 0,
        shared: count > 1,
        worker: i + 1,
        process: null,
        startedAt: 0,
        delay: FIRST_DELAY_MS,
        lastReason: '',
      }),
    );
  });
  if (children.some((c) => c.shared)) {
    // The workers accept from the shared socket themselves (not round-robin through this
    // process): connections a killed worker had not accepted yet stay queued for the others,
    // where round-robin had handed them to the dead worker and they were never answered.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: script, args, execArgv: process.execArgv, silent: false });
  }
  let stopping = false;

  const launch = (c: Child) => {
    const env = { ...process.env, [SUPERVISED_ROLE_ENV]: c.role };
    // Several processes of one role share its listening socket through node:cluster.
    const child = c.shared
      ? cluster.fork(env).process
      : fork(script, args, {
          execArgv: process.execArgv,
          env,
          stdio: 'inherit',
          // Its own process group: a terminal's Ctrl-C reaches the supervisor, which stops the roles in order.
          detached: true,
        });
    c.process = child;
    c.startedAt = Date.now();
    if (c.nice && child.pid) {
      try {
        setPriority(child.pid, c.nice);
      } catch (e) {
        log.warn({ role: c.role, err: e }, `${c.role}: cannot lower its priority`);
      }
    }
    c.lastReason = '';
    log.info({ role: c.role, child: child.pid, ...(c.shared ? { worker: c.worker } : {}) }, `${c.role} started`);
    child.on('message', (m: { type?: string; reason?: string }) => {
      if (m?.type === 'crash' && typeof m.reason === 'string') c.lastReason = m.reason;
    });
    child.on('error', (e) => log.error({ role: c.role, err: e }, `${c.role}: cannot run its process`));
    child.once('exit', (code, signal) => {
      c.process = null;
      if (stopping) return;
      const ran = Date.now() - c.startedAt;
      if (ran >= HEALTHY_MS) c.delay = FIRST_DELAY_MS;
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      log.error(
        { role: c.role, code, signal, reason: c.lastReason || how, restartInSeconds: c.delay / 1000 },
        `${c.role} ${how}${c.lastReason ? ` (${c.lastReason})` : ''}; restarting in ${c.delay / 1000} s`,
      );
      c.timer = setTimeout(() => launch(c), c.delay);
      c.delay = Math.min(MAX_DELAY_MS, c.delay * 2);
    });
  };
  for (const c of children) launch(c);

  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  stopping = true;
  log.info({ signal }, 'stopping every role');
  const exits = children.map((c) => {
    clearTimeout(c.timer);
    const child = c.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(0);
    return new Promise<number>((resolve) => {
      const killer = setTimeout(() => {
        log.warn({ role: c.role }, `${c.role} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
        child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(killer);
        // Ended by the SIGTERM it was sent before it got as far as handling it (still
        // starting): nothing was left half done.
        resolve(signal === 'SIGTERM' ? 0 : (code ?? 1));
      });
      child.kill('SIGTERM');
    });
  });
  // A second signal while stopping means "now".
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(1));
  const codes = await Promise.all(exits);
  log.info('stopped');
  return codes.every((c) => c === 0) ? 0 : 1;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
