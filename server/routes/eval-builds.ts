import type { Request, Response, Router } from 'express';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { buildBatch } from '../../core/db/build-batches.ts';
import { evalBuildIdsAfter } from '../../core/db/eval-pages.ts';
import { createReadCache } from '../cache.ts';
import { buildJson } from '../json-shapes.ts';
import { requireEval } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

const BATCH = 500;
const gzipAsync = promisify(gzip);

/** Waits while the socket's buffer is full, so a slow client never makes the server hold the whole answer. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Hydra's /eval/N/builds: every build of the evaluation as a JSON array. Hydra builds the
 * whole answer in memory and times out on big evaluations; this streams it in batches of
 * 500 builds, each batch read with five index-backed queries, and keeps the finished
 * answer until the database changes (a few evaluations' worth: 20,000 builds are ~8 MB),
 * so clients polling an evaluation are answered from memory.
 */
export function evalBuildsRoutes(router: Router, ctx: RouteContext): void {
  const bodies = createReadCache(ctx.db, 8);
  // A kept answer is also kept compressed (JSON of builds shrinks ~15×) for clients that accept gzip.
  const sendCached = async (req: Request, res: Response, key: string, body: Buffer) => {
    res.vary('Accept-Encoding');
    if (!req.acceptsEncodings('gzip')) {
      res.end(body);
      return;
    }
    const version = bodies.version();
    let zipped = bodies.lookup<Buffer>(`${key}.gz`);
    if (!zipped) {
      zipped = await gzipAsync(body, { level: 6 });
      bodies.store(`${key}.gz`, zipped, version);
    }
    res.set('Content-Encoding', 'gzip').end(zipped);
  };
  router.get('/eval/:id/builds', async (req, res) => {
    const { evaluation } = requireEval(ctx, res, req.params.id);
    res.vary('Accept').type('application/json');
    const key = String(evaluation.id);
    const cached = bodies.lookup<Buffer>(key);
    if (cached) {
      await sendCached(req, res, key, cached);
      return;
    }
    const version = bodies.version();
    const chunks: Buffer[] = [];
    const send = async (text: string) => {
      const chunk = Buffer.from(text);
      chunks.push(chunk);
      if (!res.write(chunk)) await drained(res);
    };
    await send('[');
    let after = 0;
    for (let first = true; ; first = false) {
      const ids = evalBuildIdsAfter(ctx.db, evaluation.id, after, BATCH);
      if (ids.length === 0 || res.destroyed) break;
      after = ids[ids.length - 1]!;
      await send((first ? '' : ',') + buildBatch(ctx.db, ids).map((r) => JSON.stringify(buildJson(r.build, r))).join(','));
    }
    const end = Buffer.from(']');
    res.end(end);
    if (!res.destroyed) bodies.store(key, Buffer.concat([...chunks, end]), version);
  });
}
