import type { Request, Response, Router } from 'express';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { createGzip, gzip } from 'node:zlib';
import { buildBatch } from '../../core/db/build-batches.ts';
import { evalBuildIdsAfter } from '../../core/db/eval-pages.ts';
import { createReadCache } from '../cache.ts';
import { buildJson } from '../json-shapes.ts';
import { requireEval } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

const BATCH = 500;
const GZIP_LEVEL = 6;
const gzipAsync = promisify(gzip);

/** Waits while `out`'s buffer is full, so a slow client never makes the server hold the whole answer. */
async function write(out: Writable, res: Response, chunk: Buffer): Promise<void> {
  if (out.write(chunk) || res.destroyed) return;
  await Promise.race([once(out, 'drain'), once(res, 'close')]);
}

const wantsGzip = (req: Request) => req.acceptsEncodings('gzip') === 'gzip';

/**
 * Hydra's /eval/N/builds: every build of the evaluation as a JSON array. Hydra builds the
 * whole answer in memory and times out on big evaluations; this streams it in batches of
 * 500 builds, each batch read with five index-backed queries, gzipped on the way for
 * clients that accept it (20,000 builds are 8 MB of JSON, 1.3 MB gzipped; the store
 * hashes do not compress). The finished answer is kept, plain and gzipped, until the database changes,
 * so clients polling an evaluation are answered from memory.
 */
export function evalBuildsRoutes(router: Router, ctx: RouteContext): void {
  const bodies = createReadCache(ctx.db, 8);

  const sendKept = async (req: Request, res: Response, key: string): Promise<boolean> => {
    const version = bodies.version();
    const plain = bodies.lookup<Buffer>(key);
    if (!plain) return false;
    if (!wantsGzip(req)) {
      res.end(plain);
      return true;
    }
    let zipped = bodies.lookup<Buffer>(`${key}.gz`);
    if (!zipped) {
      zipped = await gzipAsync(plain, { level: GZIP_LEVEL });
      bodies.store(`${key}.gz`, zipped, version);
    }
    res.set('Content-Encoding', 'gzip').end(zipped);
    return true;
  };

  router.get('/eval/:id/builds', async (req, res) => {
    const { evaluation } = requireEval(ctx, res, req.params.id);
    res.vary('Accept').vary('Accept-Encoding').type('application/json');
    const key = String(evaluation.id);
    if (await sendKept(req, res, key)) return;

    const version = bodies.version();
    const plain: Buffer[] = [];
    const zipped: Buffer[] = [];
    let out: Writable = res;
    if (wantsGzip(req)) {
      const gz = createGzip({ level: GZIP_LEVEL });
      gz.on('data', (chunk: Buffer) => zipped.push(chunk));
      gz.pipe(res);
      res.once('close', () => gz.destroy());
      res.set('Content-Encoding', 'gzip');
      out = gz;
    }
    const send = (text: string) => {
      const chunk = Buffer.from(text);
      plain.push(chunk);
      return write(out, res, chunk);
    };
    await send('[');
    let after = 0;
    for (let first = true; ; first = false) {
      const ids = evalBuildIdsAfter(ctx.db, evaluation.id, after, BATCH);
      if (ids.length === 0 || res.destroyed) break;
      after = ids[ids.length - 1]!;
      await send(
        (first ? '' : ',') +
          buildBatch(ctx.db, ids)
            .map((r) => JSON.stringify(buildJson(r.build, r)))
            .join(','),
      );
    }
    plain.push(Buffer.from(']'));
    out.end(plain[plain.length - 1]);
    if (out !== res) await Promise.race([once(out, 'end'), once(res, 'close')]);
    if (res.destroyed && !res.writableFinished) return;
    bodies.store(key, Buffer.concat(plain), version);
    if (out !== res) bodies.store(`${key}.gz`, Buffer.concat(zipped), version);
  });
}
