import type { Response, Router } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { statSync } from 'node:fs';
import { LogWindows, openLogText, readLogWindow, type LogWindow } from '../../core/logs.ts';
import { LogBandwidth } from '../log-bandwidth.ts';
import { logSource, sourceText, type LogSource } from '../log-source.ts';
import type { RouteContext } from '../route-context.ts';
import { sendOrDrop } from '../send-or-drop.ts';
import { Slots } from '../slots.ts';
import { links } from '../views/links.ts';
import { HEAD_LINES, logBodyHtml, TAIL_LINES, WINDOW_LINES, type LogBodyOptions } from '../views/log-body.ts';
import type { Render } from '../render.ts';

export { pickStep } from '../log-source.ts';

/** Bytes of the last lines kept per page at most (lines are cut at 16 KiB each). */
const TAIL_BYTES = 2 * 1024 * 1024;
/** Rendered pages of finished logs kept (each a few MB at most). */
const BODIES_KEPT = 8;
/** Raw logs decompressed at once per server process (clients that take gzip need none). */
const DECOMPRESSING_AT_ONCE = 2;
const MARK = '\u0000log-lines\u0000';

function windowOf(
  windows: LogWindows,
  source: LogSource,
  want: { start: number; headLines: number; tailLines: number },
): Promise<LogWindow> {
  const request = {
    ...want,
    tailBytes: TAIL_BYTES,
    growing: source.file?.compression === 'none' && !!source.step?.busy,
  };
  if (source.file) return windows.read(source.file, request);
  return readLogWindow(Buffer.from(source.text ?? ''), request);
}

export function buildLogRoutes(router: Router, ctx: RouteContext): void {
  const { render, config } = ctx;
  const windows = new LogWindows();
  const decompressing = new Slots(DECOMPRESSING_AT_ONCE);
  const bodies = new Map<string, Promise<Buffer>>();
  const stallMs = config.liveLogStallSeconds * 1000;
  const bandwidth = new LogBandwidth(config.logBandwidthBytesPerSecond);

  // Hydra's step-log URLs answer the same pages.
  router.get(['/build/:id/log', '/build/:id/nixlog/:step'], async (req, res) => {
    const source = await logSource(ctx, req, res);
    const { build, step } = source;
    const start = Math.max(1, Number.parseInt(String(req.query.start ?? ''), 10) || 0);
    const windowed = start > 0 && typeof req.query.start === 'string';
    const log =
      source.file || source.text !== null
        ? await windowOf(
            windows,
            source,
            windowed
              ? { start, headLines: WINDOW_LINES, tailLines: 0 }
              : { start: 1, headLines: HEAD_LINES, tailLines: TAIL_LINES },
          )
        : { head: [], tail: [], totalLines: 0, bytes: 0 };
    const logBase = step ? links.stepLog(build.id, step.stepnr) : links.buildLog(build.id);
    const rawUrl = `${logBase}/raw`;
    const page = render('build-log', {
      title: `Log of build ${build.id}`,
      build: { id: build.id, url: links.build(build.id), job: build.job },
      step: step ? { stepnr: step.stepnr, drvpath: step.drvpath, busy: step.busy !== 0 } : null,
      cachedFrom: source.cachedFrom
        ? {
            id: source.cachedFrom.buildId,
            url: source.cachedFrom.buildId ? links.build(source.cachedFrom.buildId) : null,
          }
        : null,
      rawUrl,
      tailUrl: `${logBase}/tail`,
      logBody: MARK,
    });
    const [before, after] = page.split(MARK) as [string, string];
    res.vary('Accept');
    res.type('html');
    const send = async (html: string | Buffer) => (await sendOrDrop(res, html, stallMs)) === 'sent';
    if (!(await send(before))) return;
    // A finished log's lines never change: rendered once, then sent as they are. Readers that
    // come while it is being rendered wait for that one rendering (a crowd arriving at once on
    // a big log would otherwise render it once each and take every core), and no reader's pace
    // holds up the others: the rendering never waits for a socket.
    const options = { start: windowed ? start : null, logBase, rawUrl };
    const key = cacheKey(source, `${logBase}?start=${windowed ? start : ''}`);
    if (key) {
      let body = bodies.get(key);
      if (!body) {
        body = renderBody(render, log, options);
        remember(bodies, key, body);
      }
      const bytes = await body;
      await bandwidth.take(bytes.length);
      if (!(await send(bytes))) return;
    } else {
      for (const html of logBodyHtml(render, log, options)) {
        await bandwidth.take(Buffer.byteLength(html));
        if (!(await send(html))) return;
      }
    }
    // The live stream continues exactly where the rendered text ends.
    const liveUrl =
      step?.busy && !windowed ? `${links.buildLog(build.id)}/live?step=${step.stepnr}&from=${log.bytes}` : null;
    if (await send(render.fragment('log-end', { liveUrl, lines: log.totalLines }).toString() + after)) res.end();
  });

  // Streamed from the file: a finished log's .gz goes out as it is to clients that take gzip.
  router.get(['/build/:id/log/raw', '/build/:id/nixlog/:step/raw'], async (req, res) => {
    const source = await logSource(ctx, req, res);
    res.type('text/plain; charset=utf-8');
    res.vary('Accept-Encoding');
    if (source.file?.compression === 'gzip' && req.acceptsEncodings('gzip') === 'gzip') {
      res.set('Content-Encoding', 'gzip');
      await streamTo(res, openLogText({ path: source.file.path, compression: 'none' }), bandwidth);
      return;
    }
    if (!source.file && source.text === null) {
      res.end();
      return;
    }
    if (source.file?.compression === 'none') {
      await streamTo(res, openLogText(source.file), bandwidth);
      return;
    }
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    if (!(await decompressing.acquire(gone.signal))) return;
    try {
      await streamTo(
        res,
        sourceText(source, (f) => openLogText(f)),
        bandwidth,
      );
    } finally {
      decompressing.release();
    }
  });

  router.get(['/build/:id/log/tail', '/build/:id/nixlog/:step/tail'], async (req, res) => {
    const n = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.lines ?? '50'), 10) || 50));
    const source = await logSource(ctx, req, res);
    const log =
      source.file || source.text !== null
        ? await windowOf(windows, source, { start: 1, headLines: 0, tailLines: n })
        : null;
    res.type('text/plain; charset=utf-8').send((log?.tail ?? []).map((l) => l.text + '\n').join(''));
  });
}

function cacheKey(source: LogSource, page: string): string | null {
  if (!source.file || source.file.compression === 'none') return null;
  try {
    const st = statSync(source.file.path);
    return `${source.file.path}:${st.size}:${st.mtimeMs}:${page}`;
  } catch {
    return null;
  }
}

/** The body of a finished log's page, batch by batch, letting other requests in between batches. */
async function renderBody(render: Render, log: LogWindow, options: LogBodyOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const html of logBodyHtml(render, log, options)) {
    parts.push(Buffer.from(html));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(parts);
}

function remember(bodies: Map<string, Promise<Buffer>>, key: string, body: Promise<Buffer>): void {
  bodies.set(key, body);
  body.catch(() => bodies.delete(key)); // a rendering that failed is tried again by the next reader
  while (bodies.size > BODIES_KEPT) bodies.delete(bodies.keys().next().value!);
}

/** Streams to the client; a client that goes away mid-log is no error. */
async function streamTo(res: Response, stream: Readable, bandwidth: LogBandwidth): Promise<void> {
  try {
    await pipeline(stream, bandwidth.stage(), res);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e;
  }
}
