import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Response } from 'express';
import { anyVisibleSuccessfulOutput } from '../core/db/binary-cache.ts';
import type { StorePathInfo } from '../core/nix/local-store.ts';
import { parseDerivation } from '../core/nix/derivation.ts';
import { pathFingerprint } from '../core/nix/signing.ts';
import { viewerOf } from './auth/session.ts';
import { hiddenFrom } from './lookups.ts';
import type { RouteContext } from './route-context.ts';

// A path needed by no more than this many others is checked against all of them; past it
// the walk stops and the path is served only if one of those found is a visible output.
const REFERRER_LIMIT = 200_000;

/**
 * The store path a binary-cache URL names, if this viewer may have it: an output of a
 * successful build in a project they may read, or a path in the closure of one (Nix fetches
 * a closure path by path). Anything else, including a path that exists only for a private
 * project, is "not found", so nobody learns what the store holds.
 */
export function servablePath(ctx: RouteContext, res: Response, hashPart: string): string | null {
  // Nix asks for a closure path by path, and often again: the answer is kept until hydrant's
  // database changes (a path Nix collected meanwhile has no info, so it is not served either).
  return ctx.cache.get(`servable:${viewerOf(res)?.username ?? ''}:${hashPart}`, () => {
    const path = ctx.store.pathFromHashPart(hashPart);
    if (!path) return null;
    const hidden = hiddenFrom(ctx, res);
    if (anyVisibleSuccessfulOutput(ctx.db, hidden, [path])) return path;
    return anyVisibleSuccessfulOutput(ctx.db, hidden, ctx.store.referrersClosure(path, REFERRER_LIMIT)) ? path : null;
  });
}

/** Hydra's NARInfo view: the NAR is served xz-compressed at nar/BASENAME; signed when a key is set. */
export function narinfoText(ctx: RouteContext, info: StorePathInfo): string {
  const lines = [
    `StorePath: ${info.path}`,
    `URL: nar/${basename(info.path)}`,
    'Compression: xz',
    `NarHash: ${info.narHash}`,
    `NarSize: ${info.narSize}`,
    `References: ${info.references.map((r) => basename(r)).join(' ')}`,
  ];
  if (info.deriver) {
    lines.push(`Deriver: ${basename(info.deriver)}`);
    const system = derivationSystem(info.deriver);
    if (system) lines.push(`System: ${system}`);
  }
  if (ctx.cacheKey)
    lines.push(`Sig: ${ctx.cacheKey.sign(pathFingerprint(info.path, info.narHash, info.narSize, info.references))}`);
  return `${lines.join('\n')}\n`;
}

function derivationSystem(drvPath: string): string | null {
  try {
    // A derivation is small; one that is not is not worth reading for an optional line.
    if (statSync(drvPath).size > 4 * 1024 * 1024) return null;
    return parseDerivation(readFileSync(drvPath, 'utf8')).system;
  } catch {
    return null;
  }
}

/** Hydra's setCacheHeaders, but never letting a shared cache keep what only a logged-in viewer may see. */
export function cacheFor(res: Response, seconds: number): void {
  res.set('Cache-Control', `${viewerOf(res) ? 'private' : 'public'}, max-age=${seconds}`);
}
