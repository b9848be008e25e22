import { pino, type Logger } from 'pino';
import { readableLines } from './log-lines.ts';

export type { Logger };

/**
 * One logger per process; roles take a child with their name so lines say who spoke.
 * Lines go to standard error: as JSON when it is a file or a pipe (a log collector reads
 * them), as readable lines when it is a terminal (someone is watching `npm start`).
 */
export function createLogger(
  level: string,
  destination?: NodeJS.WritableStream,
  options: { readable?: boolean } = {},
): Logger {
  const readable = options.readable ?? (destination === undefined && process.stderr.isTTY === true);
  const base = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (readable) return pino(base, readableLines(destination ?? process.stderr, destination === undefined));
  return pino(base, destination ?? pino.destination({ fd: 2, sync: false }));
}
