import type { Readable } from 'node:stream';

/**
 * The wire format of Nix's serve protocol (`nix-store --serve`): little-endian 64-bit
 * numbers, and strings as a length followed by the bytes padded to a multiple of eight.
 */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  num(n: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.parts.push(b);
    return this;
  }

  str(s: string | Buffer): this {
    const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    this.num(bytes.length);
    this.parts.push(bytes);
    const pad = (8 - (bytes.length % 8)) % 8;
    if (pad) this.parts.push(Buffer.alloc(pad));
    return this;
  }

  strs(list: readonly string[]): this {
    this.num(list.length);
    for (const s of list) this.str(s);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads the same format from a stream, waiting for bytes as they arrive. */
export class WireReader {
  private buffer = Buffer.alloc(0);
  private waiting: { need: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  private ended: Error | null = null;

  constructor(stream: Readable) {
    stream.on('data', (d: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, d]) : d;
      this.wake();
    });
    stream.on('close', () => {
      this.ended = new Error('the connection to nix-store --serve closed');
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.buffer.length >= w.need) {
      this.waiting = null;
      w.resolve();
    } else if (this.ended) {
      this.waiting = null;
      w.reject(this.ended);
    }
  }

  private async take(n: number): Promise<Buffer> {
    if (this.buffer.length < n) {
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve, reject) => {
        this.waiting = { need: n, resolve, reject };
      });
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async num(): Promise<number> {
    return Number((await this.take(8)).readBigUInt64LE());
  }

  async str(): Promise<string> {
    const len = await this.num();
    const padded = len + ((8 - (len % 8)) % 8);
    return (await this.take(padded)).subarray(0, len).toString('utf8');
  }

  async strs(): Promise<string[]> {
    const n = await this.num();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.str());
    return out;
  }
}
