import { createServer as createNetServer } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  to: string[];
  raw: string;
  mail: ParsedMail;
  messageId: string;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps every mail it accepted. `holdNext`
 * makes the server sit on a mail's data until released, to crash a sender mid-send.
 */
export class TestSmtp {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private hold: { count: number; reached: () => void; release: Promise<void> } | null = null;
  port = 0;
  private readonly closed = new Set<string>();

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      banner: 'hydrant test smtp',
      onClose: (session) => {
        this.closed.add(session.id);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (d: Buffer) => chunks.push(d));
        stream.on('end', () => {
          void (async () => {
            if (this.hold && this.hold.count-- === 0) {
              const { reached, release } = this.hold;
              this.hold = null;
              this.heldSession = session.id;
              reached();
              await release;
              // The sender went away before the server answered: nothing was accepted.
              if (this.closed.has(session.id))
                return callback(new Error('connection closed before the mail was accepted'));
            }
            const raw = Buffer.concat(chunks).toString('utf8');
            const mail = await simpleParser(raw);
            this.received.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              mail,
              messageId: mail.messageId ?? '',
            });
            callback(null);
          })().catch((e: Error) => callback(e));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  private heldSession = '';

  /** The connection of the held mail has closed (its sender died). */
  heldConnectionClosed(): boolean {
    return this.heldSession !== '' && this.closed.has(this.heldSession);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** After `skip` more mails, holds the next one before accepting it; resolves when it arrives. */
  holdAfter(skip: number, release: Promise<void>): Promise<void> {
    return new Promise((reached) => {
      this.hold = { count: skip, reached, release };
    });
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((r) => r.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The unfolded values of a header in the mail as it was received (no parser's interpretation). */
export function rawHeaders(raw: string, name: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return head
    .split(/\r?\n/)
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((l) => l.slice(name.length + 1).trim());
}

/** A port nothing listens on (yet): bound once to learn it, then closed. */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
