import type { Router } from 'express';
import { StringDecoder } from 'node:string_decoder';
import { buildSteps } from '../../core/db/builds.ts';
import { followStepLog } from '../../core/logs.ts';
import { requireBuild } from '../lookups.ts';
import { NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { sendOrDrop } from '../send-or-drop.ts';
import { pickStep } from './build-log.ts';

const POLL_MS = 300;

/**
 * A running step's log as server-sent events, following the file the queue runner appends
 * to. Each `message` event carries {text} with whole lines; `end` says the step finished,
 * after the last bytes were sent (across the compression at the end of the step). `from` is
 * the byte offset to start at, so the page's rendered text and the stream meet without
 * overlap. Back-pressure: nothing more is read while the socket is full, and a client that
 * stays behind longer than --live-log-stall is dropped.
 */
export function buildLogLiveRoutes(router: Router, ctx: RouteContext): void {
  const { db, config, log } = ctx;
  router.get('/build/:id/log/live', async (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const step = pickStep(req, buildSteps(db, build.id), build.drvpath);
    if (!step) throw new NotFound(`step of build ${build.id}`);
    const from = Math.max(0, Number.parseInt(String(req.query.from ?? '0'), 10) || 0);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.write(': following the log\n\n');
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const busy = () => buildSteps(db, build.id).find((s) => s.stepnr === step.stepnr)?.busy !== 0;
    const stallMs = config.liveLogStallSeconds * 1000;
    const decoder = new StringDecoder('utf8');
    const send = async (data: string) => {
      const result = await sendOrDrop(res, data, stallMs);
      if (result === 'dropped')
        log.info({ build: build.id, step: step.stepnr }, 'dropped a live-log client that stayed behind');
      return result === 'sent';
    };
    const chunks = followStepLog(config.stateDir, step.logfile, from, { busy, pollMs: POLL_MS, signal: gone.signal });
    for await (const chunk of chunks) {
      const text = decoder.write(chunk);
      if (text && !(await send(`data: ${JSON.stringify({ text })}\n\n`))) return;
    }
    const rest = decoder.end();
    if (rest && !(await send(`data: ${JSON.stringify({ text: rest })}\n\n`))) return;
    if (!gone.signal.aborted && (await send('event: end\ndata: {}\n\n'))) res.end();
  });
}
