import type { Logger } from '../core/log.ts';

/**
 * The last line of defence in a role's process: an error nothing caught (an unhandled
 * rejection, an 'error' event without a listener) is logged and the process exits non-zero,
 * so the supervisor restarts the role with a clean state instead of it running on half-broken.
 * The reason also goes to the supervisor over the IPC channel, so its restart line says why.
 */
export function guardProcess(log: Logger, role: string): void {
  let dying = false;
  const die = (kind: string) => (e: unknown) => {
    if (dying) return;
    dying = true;
    const reason = `${kind}: ${e instanceof Error ? e.message : String(e)}`;
    log.fatal({ role, err: e }, `${role} crashed (${reason}); exiting so that it is restarted`);
    setTimeout(() => process.exit(1), 2000).unref();
    log.flush(() => {
      if (process.send && process.connected) process.send({ type: 'crash', reason }, () => process.exit(1));
      else process.exit(1);
    });
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled rejection'));
}
