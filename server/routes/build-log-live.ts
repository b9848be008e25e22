import type { Router } from 'express';
import { buildSteps } from '../../core/db/builds.ts';
import { readFrom, stepLogPath } from '../../core/log-tail.ts';
import { requireBuild } from '../lookups.ts';
import { NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { pickStep } from './build-log.ts';

const POLL_MS = 300;

/**
 * A running step's log as server-sent events, following the plain file the queue runner
 * appends to. Each `message` event carries {text} with whole lines; `end` says the step
 * finished (build_steps.busy became 0), after the last bytes were sent. `from` is the byte
 * offset to start at, so the page's rendered text and the stream meet without overlap.
 */
export function buildLogLiveRoutes(router: Router, ctx: RouteContext): void {
  const { db, config } = ctx;
  router.get('/build/:id/log/live', async (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const step = pickStep(req, buildSteps(db, build.id), build.drvpath);
    if (!step) throw new NotFound(`step of build ${build.id}`);
    const path = stepLogPath(config.stateDir, step.logfile);
    let offset = Math.max(0, Number.parseInt(String(req.query.from ?? '0'), 10) || 0);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.write(': following the log\n\n');
    let closed = false;
    req.on('close', () => { closed = true; });
    const busy = () => buildSteps(db, build.id).find((s) => s.stepnr === step.stepnr)?.busy !== 0;
    while (!closed) {
      const stillBusy = busy();
      if (path) {
        // After the step ends, flush everything, including a last line without a newline.
        const chunk = await readFrom(path, offset, { wholeLinesOnly: stillBusy });
        offset = chunk.offset;
        if (chunk.text) res.write(`data: ${JSON.stringify({ text: chunk.text })}\n\n`);
        if (chunk.text && !stillBusy) continue;
      }
      if (!stillBusy) {
        res.write('event: end\ndata: {}\n\n');
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    res.end();
  });
}
