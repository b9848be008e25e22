import type { Response, Router } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LogWindows, openLogText, readLogWindow, type LogLine, type LogWindow } from '../../core/logs.ts';
import { logSource, sourceText, type LogSource } from '../log-source.ts';
import type { RouteContext } from '../route-context.ts';
import { sendOrDrop } from '../send-or-drop.ts';
import { links } from '../views/links.ts';
import { withoutTerminalCodes } from '../views/log-text.ts';

export { pickStep } from '../log-source.ts';

/** The page shows the first lines and the last ones (where failures are); a window of the rest on request. */
const HEAD_LINES = 200;
const TAIL_LINES = 5000;
const WINDOW_LINES = 5000;
/** Bytes of the last lines kept per page at most (lines are cut at 16 KiB each). */
const TAIL_BYTES = 2 * 1024 * 1024;
const BATCH = 500;
const MARK = '\u0000log-lines\u0000';

function windowOf(windows: LogWindows, source: LogSource, want: { start: number; headLines: number; tailLines: number }): Promise<LogWindow> {
  const request = { ...want, tailBytes: TAIL_BYTES, growing: source.file?.compression === 'none' && !!source.step?.busy };
  if (source.file) return windows.read(source.file, request);
  return readLogWindow(Buffer.from(source.text ?? ''), request);
}

export function buildLogRoutes(router: Router, ctx: RouteContext): void {
  const { render, config } = ctx;
  const windows = new LogWindows();
  const stallMs = config.liveLogStallSeconds * 1000;

  // Hydra's step-log URLs answer the same pages.
  router.get(['/build/:id/log', '/build/:id/nixlog/:step'], async (req, res) => {
    const source = await logSource(ctx, req, res);
    const { build, step } = source;
    const start = Math.max(1, Number.parseInt(String(req.query.start ?? ''), 10) || 0);
    const windowed = start > 0 && typeof req.query.start === 'string';
    const log = source.file || source.text !== null
      ? await windowOf(windows, source, windowed ? { start, headLines: WINDOW_LINES, tailLines: 0 } : { start: 1, headLines: HEAD_LINES, tailLines: TAIL_LINES })
      : { head: [], tail: [], totalLines: 0, bytes: 0 };
    const logBase = step ? links.stepLog(build.id, step.stepnr) : links.buildLog(build.id);
    const rawUrl = `${logBase}/raw`;
    const page = render('build-log', {
      title: `Log of build ${build.id}`,
      build: { id: build.id, url: links.build(build.id), job: build.job },
      step: step ? { stepnr: step.stepnr, drvpath: step.drvpath, busy: step.busy !== 0 } : null,
      cachedFrom: source.cachedFrom ? { id: source.cachedFrom.buildId, url: source.cachedFrom.buildId ? links.build(source.cachedFrom.buildId) : null } : null,
      rawUrl, tailUrl: `${logBase}/tail`, logBody: MARK,
    });
    const [before, after] = page.split(MARK) as [string, string];
    res.vary('Accept');
    res.type('html');
    // Rendered and sent in batches, each after the socket took the one before.
    const send = async (html: string) => (await sendOrDrop(res, html, stallMs)) === 'sent';
    const sendLines = async (lines: LogLine[]) => {
      for (let i = 0; i < lines.length; i += BATCH) {
        const batch = lines.slice(i, i + BATCH).map((l) => ({ ...l, text: withoutTerminalCodes(l.text) }));
        if (!(await send(render.fragment('log-lines', { lines: batch }).toString()))) return false;
      }
      return true;
    };
    const showUrl = (from: number) => `${logBase}?start=${from}`;
    if (!(await send(before))) return;
    if (windowed && start > 1) {
      const from = Math.max(1, start - WINDOW_LINES);
      if (!(await send(render.fragment('log-gap', { showFrom: from, showTo: start - 1, showUrl: showUrl(from) }).toString()))) return;
    }
    if (!(await sendLines(log.head))) return;
    const lastShown = (log.tail.at(0)?.n ?? log.totalLines + 1) - 1;
    const headEnd = log.head.at(-1)?.n ?? (windowed ? start - 1 : 0);
    if (windowed && log.head.length === WINDOW_LINES) {
      if (!(await send(render.fragment('log-gap', { showFrom: headEnd + 1, showTo: headEnd + WINDOW_LINES, showUrl: showUrl(headEnd + 1) }).toString()))) return;
    } else if (!windowed && lastShown > headEnd) {
      const gap = { from: headEnd + 1, to: lastShown, total: log.totalLines, showTo: Math.min(lastShown, headEnd + WINDOW_LINES), showUrl: showUrl(headEnd + 1), rawUrl };
      if (!(await send(render.fragment('log-gap', gap).toString()))) return;
    }
    if (!(await sendLines(log.tail))) return;
    // The live stream continues exactly where the rendered text ends.
    const liveUrl = step?.busy && !windowed ? `${links.buildLog(build.id)}/live?step=${step.stepnr}&from=${log.bytes}` : null;
    if (await send(render.fragment('log-end', { liveUrl, lines: log.totalLines }).toString() + after)) res.end();
  });

  // Streamed from the file: a finished log's .gz goes out as it is to clients that take gzip.
  router.get(['/build/:id/log/raw', '/build/:id/nixlog/:step/raw'], async (req, res) => {
    const source = await logSource(ctx, req, res);
    res.type('text/plain; charset=utf-8');
    res.vary('Accept-Encoding');
    if (source.file?.compression === 'gzip' && req.acceptsEncodings('gzip') === 'gzip') {
      res.set('Content-Encoding', 'gzip');
      await streamTo(res, openLogText({ path: source.file.path, compression: 'none' }));
      return;
    }
    if (!source.file && source.text === null) {
      res.end();
      return;
    }
    await streamTo(res, sourceText(source, (f) => openLogText(f)));
  });

  router.get(['/build/:id/log/tail', '/build/:id/nixlog/:step/tail'], async (req, res) => {
    const n = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.lines ?? '50'), 10) || 50));
    const source = await logSource(ctx, req, res);
    const log = source.file || source.text !== null ? await windowOf(windows, source, { start: 1, headLines: 0, tailLines: n }) : null;
    res.type('text/plain; charset=utf-8').send((log?.tail ?? []).map((l) => l.text + '\n').join(''));
  });
}

/** Streams to the client; a client that goes away mid-log is no error. */
async function streamTo(res: Response, stream: Readable): Promise<void> {
  try {
    await pipeline(stream, res);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e;
  }
}
