import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
// Fields every line has, or that the line's head already shows.
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'role', 'err']);

/**
 * Anything a build controls can reach a log line (job names, Nix's error messages), so
 * control characters are shown escaped: a terminal must not take them as commands.
 */
function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : printable(text);
}

/** One of pino's JSON records as a line a person reads: `12:00:01.234 INFO  queue-runner: msg key=value`. */
export function readableLine(json: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return printable(json);
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const name = LEVELS[level] ?? String(level);
  const tag = colour ? `\u001b[${COLOURS[level] ?? '0'}m${name}\u001b[0m` : name;
  const role = typeof record.role === 'string' ? `${printable(record.role)}: ` : '';
  const fields = Object.entries(record)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${printable(k)}=${value(v)}`);
  const message = printable(String(record.msg ?? ''));
  let line = `${time} ${tag} ${role}${message}`;
  if (fields.length) line += ` ${fields.join(' ')}`;
  const err = record.err as { message?: unknown; stack?: unknown } | undefined;
  if (err)
    line += `\n    ${printable(String(err.stack ?? err.message ?? JSON.stringify(err))).replace(/\n/g, '\n    ')}`;
  return line;
}

/** A stream pino writes its JSON lines to, which prints them readably on `out`. */
export function readableLines(out: NodeJS.WritableStream, colour: boolean): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      const text = lines
        .filter((l) => l.trim())
        .map((l) => `${readableLine(l, colour)}\n`)
        .join('');
      if (text) out.write(text);
      done();
    },
    final(done) {
      if (pending.trim()) out.write(`${readableLine(pending, colour)}\n`);
      done();
    },
  });
}
