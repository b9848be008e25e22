import { narSize } from './nar-size.ts';
import type { BuildConnection, BuildOptions, BuildOutcome, Derivation } from './nix.ts';
import type { ServeConnection } from './serve-connection.ts';

/** Nix's BuildResult::Status, as `nix-store --serve` reports it. */
const NixStatus = {
  Built: 0,
  Substituted: 1,
  AlreadyValid: 2,
  PermanentFailure: 3,
  TimedOut: 8,
  LogLimitExceeded: 11,
  ResolvesToAlreadyValid: 13,
  TransientFailure: 6,
  MiscFailure: 9,
} as const;

/** A build connection over `nix-store --serve --write`. */
export class ServeBuildConnection implements BuildConnection {
  /** `local`: the store it builds in is this machine's, so its files can be read directly. */
  constructor(
    private readonly conn: ServeConnection,
    private readonly where: string,
    private readonly local = false,
  ) {}

  get alive(): boolean {
    return this.conn.alive;
  }

  async build(drvPath: string, drv: Derivation, inputPaths: readonly string[], o: BuildOptions): Promise<BuildOutcome> {
    const abort = () => this.conn.kill();
    if (o.signal.aborted) return { kind: 'aborted', message: 'stopped before it started' };
    o.signal.addEventListener('abort', abort, { once: true });
    try {
      const r = await this.conn.buildDerivation(drvPath, drv, inputPaths, {
        maxSilent: o.maxSilentSeconds,
        timeout: o.timeoutSeconds,
        maxLogSize: o.maxLogSize,
        onOutput: o.onOutput,
      });
      return classify(r.status, r.errorMsg);
    } catch (e) {
      if (o.signal.aborted) return { kind: 'aborted', message: 'stopped' };
      const tail = this.conn.tail;
      return {
        kind: 'connection-lost',
        message:
          `lost the connection to ${this.where} while building: ` +
          `${(e as Error).message}${tail ? ` (${tail.split('\n').slice(-3).join(' / ')})` : ''}`,
      };
    } finally {
      o.signal.removeEventListener('abort', abort);
    }
  }

  async narSize(paths: readonly string[]): Promise<number> {
    // Local outputs are measured on disk (microseconds); asking Nix is a round trip per step.
    if (this.local) return paths.reduce((sum, p) => sum + narSize(p), 0);
    const infos = await this.conn.queryPathInfos(paths);
    return [...infos.values()].reduce((sum, i) => sum + i.narSize, 0);
  }

  close(): void {
    this.conn.kill();
  }
}

export function classify(status: number, errorMsg: string): BuildOutcome {
  const message = errorMsg.trim();
  // A builder killed from outside (OOM killer, an operator) says nothing about the derivation.
  if (status === NixStatus.PermanentFailure && /failed due to signal 9\b/.test(message))
    return { kind: 'nix-failure', message };
  switch (status) {
    case NixStatus.Built:
    case NixStatus.Substituted:
    case NixStatus.AlreadyValid:
    case NixStatus.ResolvesToAlreadyValid:
      return { kind: 'built', message };
    case NixStatus.TimedOut:
      return { kind: 'timed-out', message: message || 'timed out' };
    case NixStatus.LogLimitExceeded:
      return { kind: 'log-limit', message: message || 'log limit exceeded' };
    case NixStatus.TransientFailure:
    case NixStatus.MiscFailure:
      return { kind: 'nix-failure', message: message || `nix reported status ${status}` };
    default:
      return { kind: 'failed', message: message || `nix reported status ${status}` };
  }
}
