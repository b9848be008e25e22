import { pino, type Logger } from 'pino';

export type { Logger };

/** One logger per process; roles take a child with their name so lines say who spoke. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ fd: 2, sync: false }));
}
