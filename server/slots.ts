/**
 * At most `size` holders at once; the others wait in line. Decompressing a big log costs a
 * core for a while: with every raw request decompressing at once, a few hostile clients
 * would take every core from the builds and from the server's own answers.
 */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async acquire(signal: AbortSignal): Promise<boolean> {
    if (this.busy < this.size) {
      this.busy++;
      return true;
    }
    return new Promise((resolve) => {
      const go = () => {
        signal.removeEventListener('abort', give);
        this.busy++;
        resolve(true);
      };
      const give = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      this.waiting.push(go);
      signal.addEventListener('abort', give, { once: true });
    });
  }

  release(): void {
    this.busy--;
    this.waiting.shift()?.();
  }
}
