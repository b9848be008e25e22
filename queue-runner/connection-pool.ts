import type { BuildConnection } from '../core/nix/nix.ts';

/**
 * Open build connections to one machine, kept between steps: a step reuses an idle one
 * instead of starting Nix (and ssh) again. At most the machine's maxJobs are ever in use,
 * because a step only asks for one once the machine gave it a slot.
 */
export class ConnectionPool {
  private idle: BuildConnection[] = [];

  constructor(private readonly open: () => Promise<BuildConnection>) {}

  async acquire(): Promise<BuildConnection> {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) if (c.alive) return c;
    return this.open();
  }

  release(conn: BuildConnection): void {
    if (conn.alive) this.idle.push(conn);
  }

  closeAll(): void {
    for (const c of this.idle) c.close();
    this.idle = [];
  }
}
