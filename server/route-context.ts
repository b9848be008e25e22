import type { Db } from '../core/db/database.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { ReadCache } from './cache.ts';
import type { Render } from './render.ts';
import type { Nix } from '../core/nix/nix.ts';
import type { LocalStore } from '../core/nix/local-store.ts';
import type { SigningKey } from '../core/nix/signing.ts';

/** What every route module receives: the database, the renderer and per-server state. */
export interface RouteContext {
  db: Db;
  render: Render;
  config: Config;
  log: Logger;
  cache: ReadCache;
  loginLimiter: RateLimiter;
  /** Read-only uses of Nix (logs of builds that Nix, not hydrant, ran). */
  nix: Pick<Nix, 'readLog'>;
  /** The local Nix store the binary cache serves from. */
  store: LocalStore;
  /** Signs the binary cache's narinfo files; null serves them unsigned (as Hydra without a key). */
  cacheKey: SigningKey | null;
}
