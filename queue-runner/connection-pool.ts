import type { BuildConnection } from '../core/nix/nix.ts';

/**
 * Open build connections to one machine, kept between steps: a step reuses an idle one
 * instead of starting Nix (and ssh) again. At most the machine's maxJobs are ever in use,
 * because a step only asks for one once the machine gave it a slot.
 */
export class ConnectionPool {
  private idle: BuildConnection[] = [];
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly open: () => Promise<BuildConnection>) {}

  /**
   * Starts opening a connection now, for the first step to find ready: Nix's start-up
   * (tens of milliseconds) then runs while the queue is being taken in, not after it.
   * A connection that cannot be opened is no error here; the step that asks finds out.
   */
  prewarm(): void {
    if (this.idle.length || this.opening || this.closed) return;
    this.opening = this.open().then(
      (c) => {
        this.opening = null;
        if (this.closed) c.close();
        else this.idle.push(c);
      },
      () => {
        this.opening = null;
      },
    );
  }

  /** Whether acquire() would hand over an open connection at once. */
  get ready(): boolean {
    return !this.opening && this.idle.some((c) => c.alive);
  }

  async acquire(): Promise<BuildConnection> {
    if (this.opening) await this.opening;
    for (let c = this.idle.pop(); c; c = this.idle.pop()) if (c.alive) return c;
    return this.open();
  }

  release(conn: BuildConnection): void {
    if (conn.alive && !this.closed) this.idle.push(conn);
    else if (conn.alive) conn.close();
  }

  closeAll(): void {
    this.closed = true;
    for (const c of this.idle) c.close();
    this.idle = [];
  }
}
