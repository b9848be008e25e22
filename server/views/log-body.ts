import type { LogLine, LogWindow } from '../../core/logs.ts';
import type { Render } from '../render.ts';
import { withoutTerminalCodes } from './log-text.ts';

export const HEAD_LINES = 200;
export const TAIL_LINES = 5000;
export const WINDOW_LINES = 5000;
const BATCH = 500;

export interface LogBodyOptions {
  /** The first line of a window asked for with ?start, or null for the default head and tail. */
  start: number | null;
  logBase: string;
  rawUrl: string;
}

/**
 * The lines of a log page as HTML, in batches rendered only when the one before was taken:
 * the first lines, a gap with a link to show what is left out, the last lines; or one
 * window with links to the windows before and after it.
 */
export function* logBodyHtml(render: Render, log: LogWindow, o: LogBodyOptions): Generator<string> {
  const showUrl = (from: number) => `${o.logBase}?start=${from}`;
  const lines = function* (list: LogLine[]) {
    for (let i = 0; i < list.length; i += BATCH) {
      const batch = list.slice(i, i + BATCH).map((l) => ({ ...l, text: withoutTerminalCodes(l.text) }));
      yield render.fragment('log-lines', { lines: batch }).toString();
    }
  };
  if (o.start !== null && o.start > 1) {
    const from = Math.max(1, o.start - WINDOW_LINES);
    yield render.fragment('log-gap', { showFrom: from, showTo: o.start - 1, showUrl: showUrl(from) }).toString();
  }
  yield* lines(log.head);
  const headEnd = log.head.at(-1)?.n ?? (o.start !== null ? o.start - 1 : 0);
  const lastLeftOut = (log.tail.at(0)?.n ?? log.totalLines + 1) - 1;
  if (o.start !== null && log.head.length === WINDOW_LINES) {
    yield render
      .fragment('log-gap', { showFrom: headEnd + 1, showTo: headEnd + WINDOW_LINES, showUrl: showUrl(headEnd + 1) })
      .toString();
  } else if (o.start === null && lastLeftOut > headEnd) {
    const gap = {
      from: headEnd + 1,
      to: lastLeftOut,
      total: log.totalLines,
      showTo: Math.min(lastLeftOut, headEnd + WINDOW_LINES),
      showUrl: showUrl(headEnd + 1),
      rawUrl: o.rawUrl,
    };
    yield render.fragment('log-gap', gap).toString();
  }
  yield* lines(log.tail);
}
